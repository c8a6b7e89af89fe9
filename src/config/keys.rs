//! `[keys.LAYER]`: the default keymap with the user's bindings laid over it, one table per
//! layer (see `app::keymap::Layer`), checked for conflicts within each layer and, for the panes,
//! against the global layer they fall back to.

use std::collections::{BTreeMap, HashMap};

use toml::Spanned;

use super::file::{LayerKeys, Source};
use super::{Config, ConfigProblem};
use crate::app::Keymap;
use crate::app::keymap::{Action, KeyCombo, Layer, action_table, entry_for};

/// One `action = ["key", …]` line as written, under `[keys.LAYER]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct KeyEntry {
    layer: String,
    action: String,
    keys: Vec<String>,
    line: usize,
    /// Written directly under `[keys]`, as before layers.
    flat: bool,
}

pub(super) fn entries(raw: BTreeMap<Spanned<String>, LayerKeys>, source: &Source) -> Vec<KeyEntry> {
    raw.into_iter()
        .flat_map(|(layer, keys)| {
            let line = source.line(layer.span().start);
            let layer = layer.into_inner();
            match keys {
                LayerKeys::Flat => vec![KeyEntry {
                    action: layer.clone(),
                    layer,
                    keys: Vec::new(),
                    line,
                    flat: true,
                }],
                LayerKeys::Table(actions) => actions
                    .into_iter()
                    .map(|(action, keys)| KeyEntry {
                        layer: layer.clone(),
                        line: source.line(action.span().start),
                        action: action.into_inner(),
                        keys: keys.0,
                        flat: false,
                    })
                    .collect(),
            }
        })
        .collect()
}

/// Where a binding came from, to say so in a conflict.
#[derive(Clone, Copy)]
enum Origin {
    Default,
    Line(usize),
}

/// A binding on its way into the keymap.
#[derive(Clone, Copy)]
struct Placed {
    layer: Layer,
    combo: KeyCombo,
    action: Action,
    origin: Origin,
}

impl Config {
    /// The default keymap, with each action listed under `[keys.LAYER]` bound in that layer to
    /// exactly the keys given there instead of its defaults (`[]` unbinds it). A key bound to
    /// two actions of one layer, or in a pane and in the global layer the pane falls back to,
    /// is a conflict; the same key in two other layers is fine.
    pub fn keymap(&self) -> Result<Keymap, Vec<ConfigProblem>> {
        let mut problems = Vec::new();
        let mut configured: HashMap<(Layer, Action), (usize, Vec<KeyCombo>)> = HashMap::new();
        for entry in &self.keys {
            match self.resolve(entry) {
                Ok((layer, action)) => {
                    let combos = self.parse_keys(entry, &mut problems);
                    configured.insert((layer, action), (entry.line, combos));
                }
                Err(problem) => problems.push(problem),
            }
        }

        // The table's order, each configured action's keys where its defaults were.
        let mut placed: Vec<Placed> = Vec::new();
        for entry in action_table() {
            let (layer, action) = (entry.layer, entry.action);
            let bound: Vec<(KeyCombo, Origin)> = match configured.get(&(layer, action)) {
                Some((line, combos)) => combos.iter().map(|c| (*c, Origin::Line(*line))).collect(),
                None => entry
                    .defaults
                    .iter()
                    .filter_map(|text| KeyCombo::parse(text).ok())
                    .map(|combo| (combo, Origin::Default))
                    .collect(),
            };
            placed.extend(bound.into_iter().map(|(combo, origin)| Placed {
                layer,
                combo,
                action,
                origin,
            }));
        }

        let mut kept: Vec<Placed> = Vec::new();
        for binding in placed {
            let clash = kept.iter().find(|earlier| {
                earlier.combo == binding.combo && shares_keys(earlier.layer, binding.layer)
            });
            match clash {
                // Listing a key twice for one action of one layer is harmless; keep the first.
                Some(earlier)
                    if earlier.action == binding.action && earlier.layer == binding.layer => {}
                Some(earlier) => problems.push(self.conflict(binding.combo, *earlier, binding)),
                None => kept.push(binding),
            }
        }

        if problems.is_empty() {
            Ok(Keymap::from_bindings(
                kept.into_iter()
                    .map(|binding| (binding.layer, binding.combo, binding.action))
                    .collect(),
            ))
        } else {
            problems.sort_by_key(|problem| problem.line);
            Err(problems)
        }
    }

    /// The layer and action a line names, or the problem with it.
    fn resolve(&self, entry: &KeyEntry) -> Result<(Layer, Action), ConfigProblem> {
        let layers: Vec<String> = Layer::all()
            .map(|layer| format!("[keys.{}]", layer.name()))
            .collect();
        if entry.flat {
            let homes: Vec<String> = Action::from_name(&entry.action)
                .map(|action| {
                    action_table()
                        .into_iter()
                        .filter(|known| known.action == action)
                        .map(|known| format!("[keys.{}]", known.layer.name()))
                        .collect()
                })
                .unwrap_or_default();
            let advice = if homes.is_empty() {
                format!("the layers are {}", layers.join(", "))
            } else {
                format!("this action belongs under {}", homes.join(", "))
            };
            return Err(self.problem(
                Some(entry.line),
                format!("keys.{}", entry.action),
                format!(
                    "key bindings now go in one table per layer, so the same key can do \
                     different things in the list and in a dialog: move this line under its \
                     layer's table; {advice}"
                ),
            ));
        }
        let key = format!("keys.{}.{}", entry.layer, entry.action);
        let Some(layer) = Layer::from_name(&entry.layer) else {
            return Err(self.problem(
                Some(entry.line),
                key,
                format!(
                    "unknown layer {:?}; the layers are {}",
                    entry.layer,
                    layers.join(", ")
                ),
            ));
        };
        match Action::from_name(&entry.action).filter(|action| entry_for(layer, *action).is_some())
        {
            Some(action) => Ok((layer, action)),
            None => {
                let table = action_table();
                let known: Vec<String> = table
                    .iter()
                    .filter(|known| known.layer == layer)
                    .map(|known| known.action.name())
                    .collect();
                // An action that moved layers (`copy` went from global to list) says where.
                let elsewhere: Vec<String> = table
                    .iter()
                    .filter(|known| known.action.name() == entry.action)
                    .map(|known| format!("[keys.{}]", known.layer.name()))
                    .collect();
                let hint = if elsewhere.is_empty() {
                    String::new()
                } else {
                    format!(
                        "{} is bound under {}; ",
                        entry.action,
                        elsewhere.join(" or ")
                    )
                };
                Err(self.problem(
                    Some(entry.line),
                    key,
                    format!(
                        "not an action of [keys.{}]; {hint}its actions are: {}",
                        layer.name(),
                        known.join(", ")
                    ),
                ))
            }
        }
    }

    fn parse_keys(&self, entry: &KeyEntry, problems: &mut Vec<ConfigProblem>) -> Vec<KeyCombo> {
        let key = format!("keys.{}.{}", entry.layer, entry.action);
        entry
            .keys
            .iter()
            .filter_map(|text| match KeyCombo::parse(text) {
                Ok(combo) => Some(combo),
                Err(reason) => {
                    problems.push(self.problem(
                        Some(entry.line),
                        key.clone(),
                        format!("unknown key {text:?}: {reason}"),
                    ));
                    None
                }
            })
            .collect()
    }

    /// "key "n" is bound to both list.export (line 7) and global.next_page (a default key)",
    /// reported at the configured side (either may be; both can be).
    fn conflict(&self, combo: KeyCombo, first: Placed, second: Placed) -> ConfigProblem {
        let describe = |placed: Placed| {
            let name = format!("{}.{}", placed.layer.name(), placed.action.name());
            match placed.origin {
                Origin::Default => format!("{name} (a default key)"),
                Origin::Line(line) => format!("{name} (line {line})"),
            }
        };
        let (line, reported) = match (second.origin, first.origin) {
            (Origin::Line(line), _) => (Some(line), second),
            (Origin::Default, Origin::Line(line)) => (Some(line), first),
            // Two defaults never conflict (a unit test checks); report it anyway.
            (Origin::Default, Origin::Default) => (None, second),
        };
        let fix = "bind one of them to other keys (an action listed in [keys.LAYER] loses its \
                   default keys there)";
        self.problem(
            line,
            format!("keys.{}.{}", reported.layer.name(), reported.action.name()),
            format!(
                "key {:?} is bound to both {} and {}; {fix}",
                combo.label(),
                describe(first),
                describe(second)
            ),
        )
    }
}

/// Whether a key bound in both layers would be ambiguous: within one layer, and between a pane
/// and the global layer it falls back to.
fn shares_keys(first: Layer, second: Layer) -> bool {
    first == second
        || (first == Layer::Global && second.falls_back_to_global())
        || (second == Layer::Global && first.falls_back_to_global())
}
