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
}

impl Action {
    /// Every action, in the order the help lists them.
    pub const ALL: [Action; 18] = [
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
        Action::ClearFilters,
        Action::Refresh,
        Action::Fullscreen,
        Action::RawJson,
        Action::Help,
        Action::Quit,
        Action::Back,
    ];

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
            Action::Toggle => "toggle the filter item",
            Action::ClearFilters => "clear every filter",
            Action::Refresh => "refresh the page from the server",
            Action::Fullscreen => "full-screen detail on / off",
            Action::RawJson => "raw JSON detail on / off",
            Action::Back => "leave a text field, close an overlay, back to the list",
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
        let bindings = vec![
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
        ];
        Keymap { bindings }
    }
}

impl Keymap {
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

    /// The first key bound to `action`, for short hints ("press x to clear filters").
    pub fn first_key(&self, action: Action) -> String {
        self.keys_for(action)
            .into_iter()
            .next()
            .unwrap_or_else(|| "(unbound)".into())
    }
}
