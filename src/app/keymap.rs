//! What each key does. The help overlay and the key-hint line are generated from this table, so
//! they can never disagree with the keys that actually work.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Everything a key can ask the browser to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Quit,
    Help,
    FocusNext,
    FocusPrev,
    FocusSearch,
    MoveDown,
    MoveUp,
    Top,
    Bottom,
    NextPage,
    PrevPage,
    Activate,
    Toggle,
    ClearFilters,
    Refresh,
    Fullscreen,
    RawJson,
    Back,
    RangeSelect,
    SelectPage,
    SelectAllMatching,
    ClearSelection,
    Export,
    SaveView,
    ShowViews,
    /// Apply saved view 1 to 9, in the order of the views list.
    ApplyView(u8),
    /// In the export dialog: the previous / next value of the row.
    PrevChoice,
    NextChoice,
    /// In the saved-views list: delete the view under the cursor.
    DeleteView,
}

impl Action {
    /// Every action, in the order the help lists them.
    pub const ALL: [Action; 37] = [
        Action::FocusNext,
        Action::FocusPrev,
        Action::MoveDown,
        Action::MoveUp,
        Action::Top,
        Action::Bottom,
        Action::NextPage,
        Action::PrevPage,
        Action::FocusSearch,
        Action::Activate,
        Action::Toggle,
        Action::RangeSelect,
        Action::SelectPage,
        Action::SelectAllMatching,
        Action::ClearSelection,
        Action::Export,
        Action::ClearFilters,
        Action::Refresh,
        Action::Fullscreen,
        Action::RawJson,
        Action::SaveView,
        Action::ShowViews,
        Action::DeleteView,
        Action::PrevChoice,
        Action::NextChoice,
        Action::ApplyView(1),
        Action::ApplyView(2),
        Action::ApplyView(3),
        Action::ApplyView(4),
        Action::ApplyView(5),
        Action::ApplyView(6),
        Action::ApplyView(7),
        Action::ApplyView(8),
        Action::ApplyView(9),
        Action::Help,
        Action::Quit,
        Action::Back,
    ];

    /// The name the config file uses for the action, e.g. `next_page` or `apply_view_3`.
    pub fn name(self) -> String {
        let name = match self {
            Action::Quit => "quit",
            Action::Help => "help",
            Action::FocusNext => "focus_next",
            Action::FocusPrev => "focus_prev",
            Action::FocusSearch => "focus_search",
            Action::MoveDown => "move_down",
            Action::MoveUp => "move_up",
            Action::Top => "top",
            Action::Bottom => "bottom",
            Action::NextPage => "next_page",
            Action::PrevPage => "prev_page",
            Action::Activate => "activate",
            Action::Toggle => "toggle",
            Action::ClearFilters => "clear_filters",
            Action::Refresh => "refresh",
            Action::Fullscreen => "fullscreen",
            Action::RawJson => "raw_json",
            Action::Back => "back",
            Action::RangeSelect => "range_select",
            Action::SelectPage => "select_page",
            Action::SelectAllMatching => "select_all_matching",
            Action::ClearSelection => "clear_selection",
            Action::Export => "export",
            Action::SaveView => "save_view",
            Action::ShowViews => "show_views",
            Action::DeleteView => "delete_view",
            Action::PrevChoice => "prev_choice",
            Action::NextChoice => "next_choice",
            Action::ApplyView(number) => return format!("apply_view_{number}"),
        };
        name.to_owned()
    }

    /// The action a config name stands for.
    pub fn from_name(name: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|action| action.name() == name)
    }

    /// What the help overlay says the action does.
    pub fn description(self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::Help => "show or hide this help",
            Action::FocusNext => "focus the next pane",
            Action::FocusPrev => "focus the previous pane",
            Action::FocusSearch => "edit the search text",
            Action::MoveDown => "move down (scroll in the detail)",
            Action::MoveUp => "move up (scroll in the detail)",
            Action::Top => "go to the top",
            Action::Bottom => "go to the bottom",
            Action::NextPage => "next page",
            Action::PrevPage => "previous page",
            Action::Activate => "open the detail, or toggle / edit the filter",
            Action::Toggle => "mark the contact, or toggle the filter item",
            Action::ClearFilters => "clear every filter",
            Action::Refresh => "refresh the page from the server",
            Action::Fullscreen => "full-screen detail on / off",
            Action::RawJson => "raw JSON detail on / off",
            Action::Back => "leave a text field, close an overlay, back to the list",
            Action::RangeSelect => "start a range; press again to select it",
            Action::SelectPage => "select every contact on the page",
            Action::SelectAllMatching => "select every contact matching the filters",
            Action::ClearSelection => "clear the selection",
            Action::Export => "export the selection, the page or everything matching",
            Action::SaveView => "save the filters as a view",
            Action::ShowViews => "list the saved views",
            Action::ApplyView(_) => "apply saved view 1–9",
            Action::DeleteView => "delete the view under the cursor (views list)",
            Action::PrevChoice => "previous value of the row (export dialog)",
            Action::NextChoice => "next value of the row (export dialog)",
        }
    }
}

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

/// The bindings in force: a key maps to one action.
#[derive(Debug, Clone)]
pub struct Keymap {
    bindings: Vec<(KeyCombo, Action)>,
}

impl Default for Keymap {
    /// Vim-style keys, with the arrow and paging keys as well.
    fn default() -> Self {
        use KeyCode::{BackTab, Char, Down, End, Enter, Esc, Home, PageDown, PageUp, Tab, Up};
        let plain = KeyCombo::plain;
        let bindings: Vec<(KeyCombo, Action)> = vec![
            (plain(Tab), Action::FocusNext),
            (plain(BackTab), Action::FocusPrev),
            (plain(Char('j')), Action::MoveDown),
            (plain(Down), Action::MoveDown),
            (plain(Char('k')), Action::MoveUp),
            (plain(Up), Action::MoveUp),
            (plain(Char('g')), Action::Top),
            (plain(Home), Action::Top),
            (plain(Char('G')), Action::Bottom),
            (plain(End), Action::Bottom),
            (plain(Char('n')), Action::NextPage),
            (plain(PageDown), Action::NextPage),
            (plain(Char('p')), Action::PrevPage),
            (plain(PageUp), Action::PrevPage),
            (plain(Char('/')), Action::FocusSearch),
            (plain(Enter), Action::Activate),
            (plain(Char(' ')), Action::Toggle),
            (plain(Char('x')), Action::ClearFilters),
            (plain(Char('r')), Action::Refresh),
            (plain(Char('f')), Action::Fullscreen),
            (plain(Char('J')), Action::RawJson),
            (plain(Char('?')), Action::Help),
            (plain(Char('q')), Action::Quit),
            (KeyCombo::ctrl('c'), Action::Quit),
            (plain(Esc), Action::Back),
            (plain(Char('v')), Action::RangeSelect),
            (plain(Char('a')), Action::SelectPage),
            (plain(Char('A')), Action::SelectAllMatching),
            (plain(Char('u')), Action::ClearSelection),
            (plain(Char('e')), Action::Export),
            (plain(Char('s')), Action::SaveView),
            (plain(Char('V')), Action::ShowViews),
            (plain(Char('d')), Action::DeleteView),
            (plain(KeyCode::Delete), Action::DeleteView),
            (plain(KeyCode::Left), Action::PrevChoice),
            (plain(KeyCode::Right), Action::NextChoice),
        ];
        let views = (1..=9u8).filter_map(|number| {
            char::from_digit(u32::from(number), 10)
                .map(|digit| (plain(Char(digit)), Action::ApplyView(number)))
        });
        let bindings = bindings.into_iter().chain(views).collect();
        Keymap { bindings }
    }
}

impl Keymap {
    /// A keymap from explicit bindings, as the config builds it after checking for conflicts.
    pub fn from_bindings(bindings: Vec<(KeyCombo, Action)>) -> Keymap {
        Keymap { bindings }
    }

    /// Every binding, in order.
    pub fn bindings(&self) -> &[(KeyCombo, Action)] {
        &self.bindings
    }

    /// The action bound to this key, if any.
    pub fn action_for(&self, event: &KeyEvent) -> Option<Action> {
        let combo = KeyCombo::from_event(event);
        self.bindings
            .iter()
            .find(|(bound, _)| *bound == combo)
            .map(|(_, action)| *action)
    }

    /// The keys bound to `action`, in binding order, as the help writes them.
    pub fn keys_for(&self, action: Action) -> Vec<String> {
        self.bindings
            .iter()
            .filter(|(_, bound)| *bound == action)
            .map(|(combo, _)| combo.label())
            .collect()
    }

    /// The help's rows: keys and description for each action, with the nine "apply view"
    /// actions folded into one row.
    pub fn help_rows(&self) -> Vec<(String, &'static str)> {
        Action::ALL
            .iter()
            .filter(|action| !matches!(action, Action::ApplyView(2..)))
            .map(|action| {
                let keys = match action {
                    Action::ApplyView(_) => {
                        let keys: Vec<String> = (1..=9)
                            .flat_map(|number| self.keys_for(Action::ApplyView(number)))
                            .collect();
                        let digits: Vec<String> = (1..=9).map(|digit| digit.to_string()).collect();
                        if keys == digits {
                            vec!["1–9".to_owned()]
                        } else {
                            keys
                        }
                    }
                    _ => self.keys_for(*action),
                };
                let keys = if keys.is_empty() {
                    "(unbound)".to_owned()
                } else {
                    keys.join(", ")
                };
                (keys, action.description())
            })
            .collect()
    }

    /// The first key bound to `action`, for short hints ("press x to clear filters").
    pub fn first_key(&self, action: Action) -> String {
        self.keys_for(action)
            .into_iter()
            .next()
            .unwrap_or_else(|| "(unbound)".into())
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
        for action in Action::ALL {
            assert_eq!(Action::from_name(&action.name()), Some(action));
        }
    }
}
