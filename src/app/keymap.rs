//! What each key does. The help overlay and the key-hint line are generated from this table, so
//! they can never disagree with the keys that actually work.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use strum::{EnumIter, EnumMessage, IntoEnumIterator, IntoStaticStr};

/// Everything a key can ask the browser to do. This declaration is the only list: the config
/// name is the variant's in snake case (`NextPage` is `next_page`), and [`Action::all`] walks
/// the variants, so a new action can be bound from the config without another edit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
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
    /// Show the last error in full.
    ShowError,
    /// Hide or show the filter panel.
    TogglePanel,
    /// In the filter panel: the first item of the next / previous section.
    NextSection,
    PrevSection,
    /// Open the copy menu for the contact under the cursor.
    Copy,
    /// Copy the selected contacts' ids, one a line.
    CopySelection,
    /// Open the contact in the platform's web panel.
    Open,
    /// In the copy menu: what to copy.
    CopyField(CopyField),
    /// Open the command palette.
    Palette,
    /// Count every contact matching, past the automatic cap.
    CountAll,
    /// Show the counts as a chart.
    ShowCounts,
    /// Bring back the filters `x` cleared, or the view `d` deleted.
    Undo,
    /// The palette with `page ` typed: go to a page by its number.
    GoToPage,
    /// The palette with `profile ` typed: switch to another config profile's account.
    SwitchProfile,
    /// Scroll the help a screen down, or up.
    ScreenDown,
    ScreenUp,
    /// Repaint the whole screen, whatever a terminal kept of earlier frames; works under every
    /// overlay.
    Redraw,
    /// Change the status of the selection (or the contact under the cursor).
    SetStatus,
    /// Delete the selection (or the contact under the cursor).
    Delete,
}

/// What the copy menu copies of a contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, EnumIter)]
pub enum CopyField {
    #[default]
    Email,
    /// In E.164, as other tools want it.
    Phone,
    Id,
    Uuid,
    Name,
    /// The whole contact as the API sent it, pretty-printed.
    Json,
}

impl CopyField {
    /// As the menu and the notices name it.
    pub fn label(self) -> &'static str {
        match self {
            CopyField::Email => "email",
            CopyField::Phone => "phone",
            CopyField::Id => "id",
            CopyField::Uuid => "uuid",
            CopyField::Name => "name",
            CopyField::Json => "JSON",
        }
    }
}

impl Action {
    /// Every action: each variant once, "apply view" as its nine numbers and "copy a field" as
    /// each field.
    pub fn all() -> impl Iterator<Item = Action> {
        Action::iter().flat_map(|action| -> Vec<Action> {
            match action {
                Action::ApplyView(_) => (1..=9).map(Action::ApplyView).collect(),
                Action::CopyField(_) => CopyField::iter().map(Action::CopyField).collect(),
                action => vec![action],
            }
        })
    }

    /// The name the config file uses for the action, e.g. `next_page` or `apply_view_3`.
    pub fn name(self) -> String {
        match self {
            Action::CopyField(field) => format!("copy_{}", field.label().to_lowercase()),
            Action::ApplyView(number) => format!("apply_view_{number}"),
            action => <&'static str>::from(action).to_owned(),
        }
    }

    /// The action a config name stands for.
    pub fn from_name(name: &str) -> Option<Action> {
        Action::all().find(|action| action.name() == name)
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

/// A context with its own keys. Key routing, the help, the hint bar and the config's
/// `[keys.LAYER]` sections all go by it, so a key means one thing per layer and the same key can
/// mean different things in different layers. Declared once: the config name is the variant's
/// in snake case, the help's heading is its `message`, and the help and the config example list
/// the layers in this order.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, EnumIter, IntoStaticStr, EnumMessage,
)]
#[strum(serialize_all = "snake_case")]
pub enum Layer {
    /// The browser's keys wherever a pane (list, filters, detail) has the keyboard.
    #[strum(message = "Everywhere in the browser")]
    Global,
    #[strum(message = "Contact list")]
    List,
    #[strum(message = "Filter panel")]
    Filters,
    #[strum(message = "Detail pane")]
    Detail,
    /// A text field: the panel's search and dates, the view name prompt. Printable keys are
    /// text; only the keys here act.
    #[strum(message = "Typing text (search, a tag, dates, a view's name, the export path)")]
    Text,
    #[strum(message = "Export dialog")]
    Export,
    #[strum(message = "Saved views list")]
    Views,
    #[strum(message = "This help")]
    Help,
    /// The last error in full.
    #[strum(message = "The last error, in full")]
    Error,
    /// The copy menu.
    #[strum(message = "Copy menu")]
    Copy,
    /// The command palette: printable keys are the command.
    #[strum(
        message = "Command palette: page N, status S, tag T, agent NAME, search TEXT, clear, view NAME, export PATH, copy FIELD, open, count, profile NAME"
    )]
    Palette,
    /// The chart of the counts.
    #[strum(message = "The counts chart")]
    Counts,
    /// The status change and deletion dialog; while it asks for a typed confirmation,
    /// printable keys are the text.
    #[strum(message = "Set status / delete dialog")]
    Write,
}

impl Layer {
    /// Every layer, in the order the help and the config example list them.
    pub fn all() -> impl Iterator<Item = Layer> {
        Layer::iter()
    }

    /// The config section's name: `[keys.list]`.
    pub fn name(self) -> &'static str {
        self.into()
    }

    pub fn from_name(name: &str) -> Option<Layer> {
        Layer::all().find(|layer| layer.name() == name)
    }

    /// How the help heads the layer's keys.
    pub fn title(self) -> &'static str {
        self.get_message().unwrap_or_else(|| self.name())
    }

    /// The panes fall back to the global keys; the overlays and text fields have the keyboard
    /// to themselves, so a global key does nothing there.
    pub fn falls_back_to_global(self) -> bool {
        matches!(self, Layer::List | Layer::Filters | Layer::Detail)
    }
}

/// One action in one layer: its only declaration. The default keymap, the config's checks,
/// the help and `config.example.toml`'s key list all read this table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActionEntry {
    pub layer: Layer,
    pub action: Action,
    pub description: &'static str,
    /// In the config's key syntax (see [`KeyCombo::parse`]).
    pub defaults: &'static [&'static str],
    /// An overlay's or a text field's reminder on the hint line: its place there (smallest
    /// first) and its word; rows of a layer with the same word share one reminder (`j/k move`).
    /// The panes' hint lines are `ui/status.rs`'s, since they mix in the global keys.
    pub hint: Option<(u8, &'static str)>,
}

impl ActionEntry {
    /// The row with a reminder on the hint line.
    const fn hinted(self, place: u8, word: &'static str) -> ActionEntry {
        ActionEntry {
            hint: Some((place, word)),
            ..self
        }
    }
}

const fn entry(
    layer: Layer,
    action: Action,
    description: &'static str,
    defaults: &'static [&'static str],
) -> ActionEntry {
    ActionEntry {
        layer,
        action,
        description,
        defaults,
        hint: None,
    }
}

/// Every action of every layer, in the order the help lists them: the only declaration of what
/// a key can do where. A new overlay's keys are rows here, with their hints.
const ROWS: &[ActionEntry] = {
    use Action as A;
    use Layer as L;
    &[
        entry(L::Global, A::FocusNext, "focus the next pane", &["tab"]),
        entry(
            L::Global,
            A::FocusPrev,
            "focus the previous pane",
            &["shift-tab"],
        ),
        entry(L::Global, A::FocusSearch, "edit the search text", &["/"]),
        entry(L::Global, A::NextPage, "next page", &["n", "pagedown"]),
        entry(L::Global, A::PrevPage, "previous page", &["p", "pageup"]),
        entry(
            L::Global,
            A::SelectAllMatching,
            "select every contact matching the filters",
            &["A"],
        ),
        entry(
            L::Global,
            A::ClearSelection,
            "clear the selection, stopping a select-all",
            &["u"],
        ),
        entry(
            L::Global,
            A::Export,
            "export the selection, the page or everything matching",
            &["e"],
        ),
        entry(L::Global, A::ClearFilters, "clear every filter", &["x"]),
        entry(
            L::Global,
            A::Refresh,
            "refresh the page from the server",
            &["r"],
        ),
        entry(
            L::Global,
            A::Fullscreen,
            "full-screen detail on / off",
            &["f"],
        ),
        entry(L::Global, A::RawJson, "raw JSON detail on / off", &["J"]),
        entry(L::Global, A::SaveView, "save the filters as a view", &["s"]),
        entry(L::Global, A::ShowViews, "list the saved views", &["V"]),
        entry(L::Global, A::Help, "show the help", &["?"]),
        entry(
            L::Global,
            A::ShowError,
            "show the last error in full",
            &["!"],
        ),
        entry(
            L::Global,
            A::CopySelection,
            "copy the selected contacts' ids, one a line",
            &["Y"],
        ),
        entry(
            L::Global,
            A::Open,
            "open the contact in the web panel",
            &["o"],
        ),
        entry(
            L::Global,
            A::Palette,
            "the command palette: page 12, tag vip, copy email…",
            &[":"],
        ),
        entry(
            L::Global,
            A::GoToPage,
            "go to a page by its number (the palette's page N)",
            &["#"],
        ),
        entry(
            L::Global,
            A::SwitchProfile,
            "switch to another profile's account, in place",
            &["@"],
        ),
        entry(
            L::Global,
            A::CountAll,
            "count every contact matching, past the first 1,000",
            &["c"],
        ),
        entry(
            L::Global,
            A::ShowCounts,
            "the counts by status, channel and sender, as a chart",
            &["S"],
        ),
        entry(
            L::Global,
            A::Undo,
            "bring back the filters x cleared or the view d deleted",
            &["U"],
        ),
        entry(
            L::Global,
            A::TogglePanel,
            "hide or show the filter panel",
            &["P"],
        ),
        entry(L::Global, A::Quit, "quit", &["q", "ctrl-c"]),
        entry(
            L::Global,
            A::Redraw,
            "repaint the whole screen (under any overlay too)",
            &["ctrl-l"],
        ),
        entry(
            L::Global,
            A::Back,
            "stop a select-all, leave the detail, clear the notice",
            &["esc"],
        ),
        entry(L::List, A::MoveDown, "next contact", &["j", "down"]),
        entry(L::List, A::MoveUp, "previous contact", &["k", "up"]),
        entry(L::List, A::Top, "first contact of the page", &["g", "home"]),
        entry(
            L::List,
            A::Bottom,
            "last contact of the page",
            &["G", "end"],
        ),
        entry(
            L::List,
            A::Activate,
            "open the contact's detail",
            &["enter"],
        ),
        entry(L::List, A::Toggle, "mark or unmark the contact", &["space"]),
        entry(
            L::List,
            A::Copy,
            "copy the contact's email, phone, id, uuid, name or JSON",
            &["y"],
        ),
        entry(
            L::List,
            A::RangeSelect,
            "start a range; press again to mark it",
            &["v"],
        ),
        entry(
            L::List,
            A::SelectPage,
            "mark every contact on the page",
            &["a"],
        ),
        entry(L::Filters, A::MoveDown, "next filter item", &["j", "down"]),
        entry(L::Filters, A::MoveUp, "previous filter item", &["k", "up"]),
        entry(L::Filters, A::Top, "first filter item", &["g", "home"]),
        entry(L::Filters, A::Bottom, "last filter item", &["G", "end"]),
        entry(
            L::Filters,
            A::Activate,
            "toggle the item, or edit the text field",
            &["enter"],
        ),
        entry(
            L::Filters,
            A::Toggle,
            "toggle the item, or edit the text field",
            &["space"],
        ),
        entry(
            L::Filters,
            A::NextSection,
            "first item of the next section",
            &["]"],
        ),
        entry(
            L::Filters,
            A::PrevSection,
            "first item of this or the previous section",
            &["["],
        ),
        entry(
            L::Detail,
            A::MoveDown,
            "next field (raw JSON: scroll down)",
            &["j", "down"],
        ),
        entry(
            L::Detail,
            A::MoveUp,
            "previous field (raw JSON: scroll up)",
            &["k", "up"],
        ),
        entry(L::Detail, A::Top, "first field, top", &["g", "home"]),
        entry(L::Detail, A::Bottom, "last field, bottom", &["G", "end"]),
        entry(
            L::Detail,
            A::Copy,
            "copy the field under the cursor (raw JSON: the whole contact)",
            &["y"],
        ),
        entry(
            L::Text,
            A::Activate,
            "apply the text (search, tag, date, view name)",
            &["enter"],
        )
        .hinted(1, "apply"),
        entry(L::Text, A::Back, "leave the field", &["esc"]).hinted(2, "leave the field"),
        entry(
            L::Text,
            A::FocusNext,
            "leave the field, focus the next pane",
            &["tab"],
        )
        .hinted(3, "next pane"),
        entry(
            L::Text,
            A::FocusPrev,
            "leave the field, focus the previous pane",
            &["shift-tab"],
        ),
        entry(L::Export, A::MoveDown, "next row", &["down", "j", "tab"]).hinted(1, "row"),
        entry(
            L::Export,
            A::MoveUp,
            "previous row",
            &["up", "k", "shift-tab"],
        )
        .hinted(1, "row"),
        entry(
            L::Export,
            A::PrevChoice,
            "previous value of the row",
            &["left", "h"],
        )
        .hinted(2, "value"),
        entry(
            L::Export,
            A::NextChoice,
            "next value of the row",
            &["right", "l", "space"],
        )
        .hinted(2, "value"),
        entry(L::Export, A::Activate, "start the export", &["enter"]).hinted(3, "export"),
        entry(
            L::Export,
            A::Back,
            "close the dialog, or cancel the running export",
            &["esc"],
        )
        .hinted(4, "close or cancel"),
        entry(L::Views, A::MoveDown, "next view", &["j", "down"]).hinted(3, "move"),
        entry(L::Views, A::MoveUp, "previous view", &["k", "up"]).hinted(3, "move"),
        entry(
            L::Views,
            A::Activate,
            "apply the view under the cursor",
            &["enter", "space"],
        )
        .hinted(1, "apply"),
        entry(
            L::Views,
            A::DeleteView,
            "delete the view under the cursor",
            &["d", "delete"],
        )
        .hinted(2, "delete"),
        entry(L::Global, A::ApplyView(0), "apply saved view 1–9", &[]),
        entry(L::Views, A::ApplyView(0), "apply saved view 1–9", &[]),
        entry(L::Views, A::Back, "close the list", &["esc", "V", "q"]).hinted(4, "close"),
        entry(L::Help, A::MoveDown, "scroll down", &["j", "down"]).hinted(1, "scroll"),
        entry(L::Help, A::MoveUp, "scroll up", &["k", "up"]).hinted(1, "scroll"),
        entry(
            L::Help,
            A::ScreenDown,
            "scroll down a screen",
            &["pgdn", "space", "ctrl-d", "ctrl-f"],
        ),
        entry(
            L::Help,
            A::ScreenUp,
            "scroll up a screen",
            &["pgup", "ctrl-u", "ctrl-b"],
        ),
        entry(L::Help, A::Top, "scroll to the top", &["g", "home"]),
        entry(L::Help, A::Bottom, "scroll to the bottom", &["G", "end"]),
        entry(L::Help, A::Back, "close the help", &["esc", "?", "q"]).hinted(2, "close"),
        entry(L::Error, A::MoveDown, "scroll down", &["j", "down"]).hinted(1, "scroll"),
        entry(L::Error, A::MoveUp, "scroll up", &["k", "up"]).hinted(1, "scroll"),
        entry(L::Error, A::Back, "close", &["esc", "!", "q"]).hinted(2, "close"),
        entry(
            L::Copy,
            A::CopyField(CopyField::Email),
            "copy the email",
            &["e"],
        )
        .hinted(1, "email"),
        entry(
            L::Copy,
            A::CopyField(CopyField::Phone),
            "copy the phone, in E.164",
            &["p"],
        )
        .hinted(2, "phone"),
        entry(L::Copy, A::CopyField(CopyField::Id), "copy the id", &["i"]).hinted(3, "id"),
        entry(
            L::Copy,
            A::CopyField(CopyField::Uuid),
            "copy the uuid",
            &["u"],
        )
        .hinted(4, "uuid"),
        entry(
            L::Copy,
            A::CopyField(CopyField::Name),
            "copy the name",
            &["n"],
        )
        .hinted(5, "name"),
        entry(
            L::Copy,
            A::CopyField(CopyField::Json),
            "copy the contact as JSON",
            &["j"],
        )
        .hinted(6, "JSON"),
        entry(L::Copy, A::Back, "close the menu", &["esc", "y", "q"]).hinted(7, "close"),
        entry(L::Counts, A::Back, "close the chart", &["esc", "S", "q"]).hinted(1, "close"),
        entry(L::Palette, A::Activate, "run the command", &["enter"]).hinted(1, "run"),
        entry(L::Palette, A::Back, "close the palette", &["esc"]).hinted(4, "close"),
        entry(
            L::Palette,
            A::FocusNext,
            "complete the command or its argument",
            &["tab"],
        )
        .hinted(2, "complete"),
        entry(L::Palette, A::MoveUp, "the previous command", &["up"]).hinted(3, "history"),
        entry(L::Palette, A::MoveDown, "the next command", &["down"]).hinted(3, "history"),
        entry(
            L::Global,
            A::SetStatus,
            "set the status of the selection (or the contact under the cursor)",
            &["T"],
        ),
        entry(
            L::Global,
            A::Delete,
            "delete the selection (or the contact under the cursor)",
            &["D"],
        ),
        entry(L::Write, A::MoveDown, "next status", &["down", "j"]).hinted(1, "status"),
        entry(L::Write, A::MoveUp, "previous status", &["up", "k"]).hinted(1, "status"),
        entry(
            L::Write,
            A::Activate,
            "choose the status; confirm",
            &["enter"],
        )
        .hinted(2, "go on"),
        entry(
            L::Write,
            A::Toggle,
            "confirm a change that needs no typing",
            &["y"],
        ),
        entry(
            L::Write,
            A::Back,
            "cancel; while writing, stop after the request in flight",
            &["esc"],
        )
        .hinted(3, "cancel or stop"),
    ]
};

/// The whole table, each "apply view" row expanded into its nine actions, view N on key N.
pub fn action_table() -> Vec<ActionEntry> {
    const KEYS: [&[&str]; 9] = [
        &["1"],
        &["2"],
        &["3"],
        &["4"],
        &["5"],
        &["6"],
        &["7"],
        &["8"],
        &["9"],
    ];
    ROWS.iter()
        .flat_map(|row| match row.action {
            Action::ApplyView(_) => (1..=9u8)
                .map(|number| ActionEntry {
                    action: Action::ApplyView(number),
                    defaults: KEYS[usize::from(number - 1)],
                    ..*row
                })
                .collect(),
            _ => vec![*row],
        })
        .collect()
}

/// The table's entry for `action` in `layer`, if the layer has it.
pub fn entry_for(layer: Layer, action: Action) -> Option<ActionEntry> {
    action_table()
        .into_iter()
        .find(|entry| entry.layer == layer && entry.action == action)
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
