//! `[keys]`: the default keymap with the user's bindings laid over it, checked for conflicts.

use std::collections::{BTreeMap, HashMap};

use toml::Spanned;

use super::file::{KeyList, Source};
use super::{Config, ConfigProblem};
use crate::app::Keymap;
use crate::app::keymap::{Action, KeyCombo};

/// One `action = ["key", …]` line as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct KeyEntry {
    action: String,
    keys: Vec<String>,
    line: usize,
}

pub(super) fn entries(
    raw: BTreeMap<Spanned<String>, Spanned<KeyList>>,
    source: &Source,
) -> Vec<KeyEntry> {
    raw.into_iter()
        .map(|(action, keys)| KeyEntry {
            line: source.line(action.span().start),
            action: action.into_inner(),
            keys: keys.into_inner().0,
        })
        .collect()
}

/// Where a binding came from, to say so in a conflict.
#[derive(Clone, Copy)]
enum Origin {
    Default,
    Line(usize),
}

impl Config {
    /// The default keymap, with each action listed in `[keys]` bound to exactly the keys given
    /// there instead of its defaults (`[]` unbinds it). The browser is one context, so a key
    /// bound to two different actions is a conflict wherever the two bindings come from.
    pub fn keymap(&self) -> Result<Keymap, Vec<ConfigProblem>> {
        let mut problems = Vec::new();
        let mut configured: HashMap<Action, (usize, Vec<KeyCombo>)> = HashMap::new();
        for entry in &self.keys {
            let key = format!("keys.{}", entry.action);
            let Some(action) = Action::from_name(&entry.action) else {
                let known: Vec<String> = Action::ALL.iter().map(|action| action.name()).collect();
                problems.push(self.problem(
                    Some(entry.line),
                    key,
                    format!("unknown action; the actions are: {}", known.join(", ")),
                ));
                continue;
            };
            let mut combos = Vec::new();
            for text in &entry.keys {
                match KeyCombo::parse(text) {
                    Ok(combo) => combos.push(combo),
                    Err(reason) => problems.push(self.problem(
                        Some(entry.line),
                        key.clone(),
                        format!("unknown key {text:?}: {reason}"),
                    )),
                }
            }
            configured.insert(action, (entry.line, combos));
        }

        // The defaults in their order, each configured action's keys where its defaults were.
        let mut bindings: Vec<(KeyCombo, Action, Origin)> = Vec::new();
        let mut placed = Vec::new();
        let defaults = Keymap::default();
        let configured_actions = self
            .keys
            .iter()
            .filter_map(|entry| Action::from_name(&entry.action));
        let order = defaults
            .bindings()
            .iter()
            .map(|(_, action)| *action)
            .chain(configured_actions);
        for action in order {
            if placed.contains(&action) {
                continue;
            }
            placed.push(action);
            match configured.get(&action) {
                Some((line, combos)) => bindings.extend(
                    combos
                        .iter()
                        .map(|combo| (*combo, action, Origin::Line(*line))),
                ),
                None => bindings.extend(
                    defaults
                        .bindings()
                        .iter()
                        .filter(|(_, bound)| *bound == action)
                        .map(|(combo, _)| (*combo, action, Origin::Default)),
                ),
            }
        }

        let mut seen: HashMap<KeyCombo, (Action, Origin)> = HashMap::new();
        let mut kept = Vec::new();
        for (combo, action, origin) in bindings {
            match seen.get(&combo) {
                // Listing a key twice for one action is harmless; keep the first.
                Some((earlier, _)) if *earlier == action => {}
                Some((earlier, earlier_origin)) => {
                    problems.push(self.conflict(
                        combo,
                        (*earlier, *earlier_origin),
                        (action, origin),
                    ));
                }
                None => {
                    seen.insert(combo, (action, origin));
                    kept.push((combo, action));
                }
            }
        }

        if problems.is_empty() {
            Ok(Keymap::from_bindings(kept))
        } else {
            problems.sort_by_key(|problem| problem.line);
            Err(problems)
        }
    }

    /// "key "n" is bound to both export (line 7) and next_page (a default key)", reported at the
    /// configured side (either may be; both can be).
    fn conflict(
        &self,
        combo: KeyCombo,
        first: (Action, Origin),
        second: (Action, Origin),
    ) -> ConfigProblem {
        let describe = |(action, origin): (Action, Origin)| match origin {
            Origin::Default => format!("{} (a default key)", action.name()),
            Origin::Line(line) => format!("{} (line {line})", action.name()),
        };
        let (line, action) = match (second.1, first.1) {
            (Origin::Line(line), _) => (line, second.0),
            (Origin::Default, Origin::Line(line)) => (line, first.0),
            // Two defaults never conflict; report it anyway rather than hide it.
            (Origin::Default, Origin::Default) => (0, second.0),
        };
        let fix = "bind one of them to other keys in [keys] (an action listed there loses its \
                   default keys)";
        self.problem(
            (line > 0).then_some(line),
            format!("keys.{}", action.name()),
            format!(
                "key {:?} is bound to both {} and {}; {fix}",
                combo.label(),
                describe(first),
                describe(second)
            ),
        )
    }
}
