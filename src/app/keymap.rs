//! The keys in force: parsing and naming keys, the bindings per layer (the action table's
//! defaults, or the config's), and what the help and the hint line say of them. The actions,
//! layers and the table itself are declared in `mode.rs`.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

pub use super::copy_field::CopyField;
use super::mode::ROWS;
pub use super::mode::{Action, ActionEntry, Layer, action_table, entry_for};

/// A key with its modifiers, as the user presses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyCombo {
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
}

impl KeyCombo {
    pub const fn plain(code: KeyCode) -> KeyCombo {
        KeyCombo {
            code,
            modifiers: KeyModifiers::NONE,
        }
    }

    pub const fn ctrl(character: char) -> KeyCombo {
        KeyCombo {
            code: KeyCode::Char(character),
            modifiers: KeyModifiers::CONTROL,
        }
    }

    /// The combo a key event stands for. Shift is dropped for characters, since it is already
    /// in the character (`J` is Shift-j), so terminals that report it or not behave the same.
    pub fn from_event(event: &KeyEvent) -> KeyCombo {
        let mut modifiers =
            event.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        if matches!(event.code, KeyCode::Char(_) | KeyCode::BackTab) {
            modifiers.remove(KeyModifiers::SHIFT);
        }
        KeyCombo {
            code: event.code,
            modifiers,
        }
    }

    /// Parses a key as the config writes it: `n`, `G`, `?`, `space`, `enter`, `esc`, `tab`,
    /// `shift-tab`, `up`, `pagedown`, `home`, `f5`, with `ctrl-` / `alt-` prefixes (`+` works
    /// too: `ctrl+c`).
    pub fn parse(text: &str) -> Result<KeyCombo, String> {
        let mut modifiers = KeyModifiers::NONE;
        let mut rest = text.trim();
        loop {
            let lower = rest.to_ascii_lowercase();
            let prefix = ["ctrl-", "ctrl+", "alt-", "alt+", "shift-", "shift+"]
                .into_iter()
                .find(|prefix| lower.starts_with(prefix) && rest.len() > prefix.len());
            let Some(prefix) = prefix else { break };
            modifiers |= match &prefix[..prefix.len() - 1] {
                "ctrl" => KeyModifiers::CONTROL,
                "alt" => KeyModifiers::ALT,
                _ => KeyModifiers::SHIFT,
            };
            rest = &rest[prefix.len()..];
        }
        let mut characters = rest.chars();
        let code = match (characters.next(), characters.next()) {
            (Some(character), None) => KeyCode::Char(character),
            _ => match rest.to_ascii_lowercase().as_str() {
                "space" => KeyCode::Char(' '),
                "enter" | "return" => KeyCode::Enter,
                "esc" | "escape" => KeyCode::Esc,
                "tab" if modifiers.contains(KeyModifiers::SHIFT) => KeyCode::BackTab,
                "tab" => KeyCode::Tab,
                "backtab" => KeyCode::BackTab,
                "up" => KeyCode::Up,
                "down" => KeyCode::Down,
                "left" => KeyCode::Left,
                "right" => KeyCode::Right,
                "pageup" | "pgup" => KeyCode::PageUp,
                "pagedown" | "pgdn" => KeyCode::PageDown,
                "home" => KeyCode::Home,
                "end" => KeyCode::End,
                "backspace" => KeyCode::Backspace,
                "delete" | "del" => KeyCode::Delete,
                "insert" | "ins" => KeyCode::Insert,
                other => match other
                    .strip_prefix('f')
                    .and_then(|number| number.parse::<u8>().ok())
                {
                    Some(number @ 1..=12) => KeyCode::F(number),
                    _ => {
                        return Err(format!(
                            "cannot parse key {text:?}; use a character (n, G, ?), a name \
                             (space, enter, esc, tab, up, down, left, right, pageup, pagedown, \
                             home, end, backspace, delete, f1–f12), optionally with ctrl-, alt- \
                             or shift-"
                        ));
                    }
                },
            },
        };
        // Shift is part of a character (`shift-n` is `N`), as terminals report it.
        let code = match code {
            KeyCode::Char(character) if modifiers.contains(KeyModifiers::SHIFT) => {
                KeyCode::Char(character.to_ascii_uppercase())
            }
            other => other,
        };
        Ok(KeyCombo::from_event(&KeyEvent::new(code, modifiers)))
    }

    /// How the help and the hint line write the key.
    pub fn label(&self) -> String {
        let key = match self.code {
            KeyCode::Char(' ') => "Space".to_owned(),
            KeyCode::Char(character) => character.to_string(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "Shift-Tab".into(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            other => format!("{other:?}"),
        };
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            format!("Ctrl-{key}")
        } else if self.modifiers.contains(KeyModifiers::ALT) {
            format!("Alt-{key}")
        } else {
            key
        }
    }
}

/// The key reference of `config.example.toml`: every layer's actions, their default keys and
/// what they do, as comment lines generated from the table (a test keeps the file in step).
pub fn config_reference() -> String {
    let table = action_table();
    let mut text = String::new();
    for layer in Layer::all() {
        text.push_str(&format!("# [keys.{}]: {}\n", layer.name(), layer.title()));
        for entry in table.iter().filter(|entry| entry.layer == layer) {
            if matches!(entry.action, Action::ApplyView(2..)) {
                continue;
            }
            let (name, defaults) = match entry.action {
                Action::ApplyView(_) => {
                    ("apply_view_1 … apply_view_9".to_owned(), "1 … 9".to_owned())
                }
                action => (action.name(), entry.defaults.join(" ")),
            };
            text.push_str(&format!("#   {name} [{defaults}]: {}\n", entry.description));
        }
    }
    text
}

/// The action a key stands for where text is typed: printable characters are text first, so
/// only keys that cannot be text (Esc, Enter, Tab, arrows…) act.
pub fn unless_text(key: &KeyEvent, action: Option<Action>) -> Option<Action> {
    let printable = matches!(key.code, KeyCode::Char(_))
        && !key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
    if printable { None } else { action }
}

/// The bindings in force: per layer, a key maps to one action.
#[derive(Debug, Clone)]
pub struct Keymap {
    bindings: Vec<(Layer, KeyCombo, Action)>,
}

impl Default for Keymap {
    /// The table's defaults: vim-style keys, with the arrow and paging keys as well.
    fn default() -> Self {
        let bindings = action_table()
            .into_iter()
            .flat_map(|entry| {
                entry.defaults.iter().filter_map(move |text| {
                    KeyCombo::parse(text)
                        .ok()
                        .map(|combo| (entry.layer, combo, entry.action))
                })
            })
            .collect();
        Keymap { bindings }
    }
}

impl Keymap {
    /// A keymap from explicit bindings, as the config builds it after checking for conflicts.
    pub fn from_bindings(bindings: Vec<(Layer, KeyCombo, Action)>) -> Keymap {
        Keymap { bindings }
    }

    /// Every binding, in order.
    pub fn bindings(&self) -> &[(Layer, KeyCombo, Action)] {
        &self.bindings
    }

    fn bound_in(&self, layer: Layer, combo: KeyCombo) -> Option<Action> {
        self.bindings
            .iter()
            .find(|(bound_layer, bound, _)| *bound_layer == layer && *bound == combo)
            .map(|(_, _, action)| *action)
    }

    /// The action a key stands for in `layer`: the layer's own binding, else, in a pane, the
    /// global one.
    pub fn action_for(&self, layer: Layer, event: &KeyEvent) -> Option<Action> {
        let combo = KeyCombo::from_event(event);
        self.bound_in(layer, combo).or_else(|| {
            layer
                .falls_back_to_global()
                .then(|| self.bound_in(Layer::Global, combo))
                .flatten()
        })
    }

    /// The keys bound to `action` in `layer`, in binding order, as the help writes them.
    pub fn keys_for(&self, layer: Layer, action: Action) -> Vec<String> {
        self.bindings
            .iter()
            .filter(|(bound_layer, _, bound)| *bound_layer == layer && *bound == action)
            .map(|(_, combo, _)| combo.label())
            .collect()
    }

    /// The first key bound to `action` in `layer` (or, in a pane, globally), for short hints
    /// ("press x to clear filters").
    pub fn first_key(&self, layer: Layer, action: Action) -> String {
        let mut keys = self.keys_for(layer, action);
        if keys.is_empty() && layer.falls_back_to_global() {
            keys = self.keys_for(Layer::Global, action);
        }
        keys.into_iter()
            .next()
            .unwrap_or_else(|| "(unbound)".into())
    }

    /// The hint line of an overlay or a text field, from its rows in the table: each word once,
    /// with the first key of every row that has it (`j/k`), in the rows' hint order.
    pub fn row_hints(&self, layer: Layer) -> Vec<(String, &'static str)> {
        let mut hints: Vec<(u8, &'static str, Vec<String>)> = Vec::new();
        // The rows as declared: no "apply view" row has a hint, so none needs expanding, and
        // the hint line, drawn every frame, builds no table.
        for row in ROWS.iter().filter(|row| row.layer == layer) {
            let Some((place, word)) = row.hint else {
                continue;
            };
            let key = self.first_key(layer, row.action);
            match hints.iter_mut().find(|(_, known, _)| *known == word) {
                Some((_, _, keys)) => keys.push(key),
                None => hints.push((place, word, vec![key])),
            }
        }
        hints.sort_by_key(|(place, _, _)| *place);
        hints
            .into_iter()
            .map(|(_, word, keys)| (keys.join("/"), word))
            .collect()
    }

    /// The help's sections: `current` first, then, for a pane, the global keys, then every
    /// other layer. Each row is the keys and the description, with the nine "apply view"
    /// actions folded into one row.
    pub fn help_sections(&self, current: Layer) -> Vec<(Layer, Vec<(String, &'static str)>)> {
        let mut order = vec![current];
        if current.falls_back_to_global() {
            order.push(Layer::Global);
        }
        let rest: Vec<Layer> = Layer::all()
            .filter(|layer| !order.contains(layer))
            .collect();
        order.extend(rest);
        let table = action_table();
        order
            .into_iter()
            .map(|layer| {
                let rows = table
                    .iter()
                    .filter(|entry| {
                        entry.layer == layer && !matches!(entry.action, Action::ApplyView(2..))
                    })
                    .map(|entry| (self.help_keys(layer, entry.action), entry.description))
                    .collect();
                (layer, rows)
            })
            .collect()
    }

    fn help_keys(&self, layer: Layer, action: Action) -> String {
        let keys = match action {
            Action::ApplyView(_) => {
                let keys: Vec<String> = (1..=9)
                    .flat_map(|number| self.keys_for(layer, Action::ApplyView(number)))
                    .collect();
                let digits: Vec<String> = (1..=9).map(|digit| digit.to_string()).collect();
                if keys == digits {
                    vec!["1–9".to_owned()]
                } else {
                    keys
                }
            }
            _ => self.keys_for(layer, action),
        };
        if keys.is_empty() {
            "(unbound)".to_owned()
        } else {
            keys.join(", ")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_key_names_parse_to_what_terminals_send() {
        let parse = |text: &str| KeyCombo::parse(text).expect("parses");
        assert_eq!(parse("shift-n"), parse("N"));
        assert_eq!(parse("ctrl+c"), KeyCombo::ctrl('c'));
        assert_eq!(parse("shift-tab"), KeyCombo::plain(KeyCode::BackTab));
        assert_eq!(parse("PageDown"), KeyCombo::plain(KeyCode::PageDown));
        assert_eq!(parse("space"), KeyCombo::plain(KeyCode::Char(' ')));
        assert!(KeyCombo::parse("pagedwn").is_err());
        assert!(KeyCombo::parse("f13").is_err());
    }

    #[test]
    fn action_names_round_trip() {
        for action in Action::all() {
            assert_eq!(Action::from_name(&action.name()), Some(action));
        }
    }

    /// An overlay's hint line comes from its rows: words in their hint order, the keys of rows
    /// sharing a word joined, the first default key of each.
    #[test]
    fn overlay_hints_come_from_the_table_rows() {
        let keymap = Keymap::default();
        let hints = |layer| keymap.row_hints(layer);
        let owned = |pairs: &[(&str, &'static str)]| -> Vec<(String, &'static str)> {
            pairs
                .iter()
                .map(|(keys, word)| ((*keys).to_owned(), *word))
                .collect()
        };
        assert_eq!(
            hints(Layer::Palette),
            owned(&[
                ("Enter", "run"),
                ("Tab", "complete"),
                ("↑/↓", "history"),
                ("Esc", "close")
            ])
        );
        assert_eq!(
            hints(Layer::Views),
            owned(&[
                ("Enter", "apply"),
                ("d", "delete"),
                ("j/k", "move"),
                ("Esc", "close")
            ])
        );
        assert_eq!(
            hints(Layer::Help),
            owned(&[("j/k", "scroll"), ("Esc", "close")])
        );
        assert!(
            hints(Layer::List).is_empty(),
            "the panes' hints are ui/status.rs's"
        );
    }

    /// Every command the palette knows is also a key: the action that does it, or, for a
    /// command that needs a value no key can carry, the one that opens the palette with the
    /// command typed. A new command without one fails here.
    #[test]
    fn every_palette_command_is_an_action_in_the_keymap() {
        use crate::app::palette::Word;
        use strum::IntoEnumIterator;
        for word in Word::iter() {
            let command = word.name();
            let (layer, action) = match command {
                "page" => (Layer::Global, Action::GoToPage),
                // The panel toggles a status, a tag (seen or typed), an agent, a segment, a
                // bot or a switch, and edits a date.
                "status" | "tag" | "agent" | "segment" | "bot" | "only" => {
                    (Layer::Filters, Action::Toggle)
                }
                "created-after" | "created-before" | "seen-after" | "seen-before" => {
                    (Layer::Filters, Action::Activate)
                }
                "help" => (Layer::Global, Action::Help),
                "quit" => (Layer::Global, Action::Quit),
                "search" => (Layer::Global, Action::FocusSearch),
                "clear" => (Layer::Global, Action::ClearFilters),
                "view" => (Layer::Global, Action::ShowViews),
                "export" => (Layer::Global, Action::Export),
                "copy" => (Layer::List, Action::Copy),
                "open" => (Layer::Global, Action::Open),
                "count" => (Layer::Global, Action::CountAll),
                "profile" => (Layer::Global, Action::SwitchProfile),
                other => panic!("the palette's {other:?} has no action in the keymap"),
            };
            let entry = action_table()
                .into_iter()
                .find(|entry| entry.layer == layer && entry.action == action);
            assert!(
                entry.is_some_and(|entry| !entry.defaults.is_empty()),
                "{command:?}: {action:?} has no default key in {layer:?}"
            );
        }
    }

    #[test]
    fn every_default_key_parses_and_no_layer_binds_a_key_twice() {
        for entry in action_table() {
            for key in entry.defaults {
                assert!(
                    KeyCombo::parse(key).is_ok(),
                    "{key:?} of {:?}",
                    entry.action
                );
            }
        }
        let keymap = Keymap::default();
        for (index, (layer, combo, _)) in keymap.bindings().iter().enumerate() {
            let clash = keymap.bindings()[index + 1..]
                .iter()
                .any(|(other, key, _)| {
                    key == combo
                        && (other == layer
                            || (*layer == Layer::Global && other.falls_back_to_global())
                            || (*other == Layer::Global && layer.falls_back_to_global()))
                });
            assert!(!clash, "{} is bound twice in {layer:?}", combo.label());
        }
    }
}
