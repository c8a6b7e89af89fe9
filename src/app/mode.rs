//! What can have the keyboard, and what its keys do there: the [`Mode`] values with the data
//! each overlay keeps, the [`Layer`] each one's keys belong to, every [`Action`], and the
//! action table that binds them ([`action_table`]). The help, the hint bar, the config's
//! `[keys.LAYER]` sections and key routing all read these declarations.
//!
//! An overlay lives in three files: its `Mode` variant, `Layer` and rows here, with a line in
//! `for_each_overlay!`; its keys in `app/update/<module>.rs` (`on_key`); its drawing in
//! `ui/<module>.rs` (`draw`). `update` and `ui` expand `for_each_overlay!` into their module
//! declarations and their dispatch, so nothing else needs an arm.

use strum::{EnumIter, EnumMessage, IntoEnumIterator, IntoStaticStr};
use tui_input::Input;

use super::copy_field::CopyField;
use super::filters::DateField;
use crate::export::{CsvStyle, ExportFormat, Progress};

/// What has the keyboard: the panes, a text field of the filter panel, or one overlay. One
/// value, so that key routing, drawing, the hint bar and the mouse cannot disagree about it;
/// [`crate::app::State::layer`] names its keys. A new overlay is a variant here (see
/// `for_each_overlay!`).
#[derive(Debug, Clone, Default)]
pub enum Mode {
    /// A pane (`State::focus`) has the keyboard.
    #[default]
    Browse,
    /// A text field of the filter panel takes printable keys.
    Editing(TextField),
    /// The help overlay, scrolled by this many lines (clamped to its content).
    Help {
        scroll: u16,
    },
    Export(ExportDialog),
    /// The "save view as" prompt.
    NamingView(Input),
    /// The saved-views list.
    Views(ViewsList),
    /// The last error in full, scrolled by this many lines.
    LastError {
        scroll: u16,
    },
    /// The copy menu for the contact under the cursor.
    Copy,
    /// The command palette.
    Palette(PaletteInput),
    /// The counts by status, channel and last sender, as a chart.
    Counts,
    /// Setting the status of, or deleting, the selection (see `app/writes.rs`).
    Write(Box<crate::app::writes::WriteDialog>),
}

/// Every overlay: its [`Mode`] variant, its [`Layer`], and the module named after it in
/// `app/update/` (its keys: `on_key(state, key, action)`) and in `ui/` (its drawing:
/// `draw(frame, area, state, theme, clock)`). `update` and `ui` expand this list into those
/// modules' declarations and their dispatch, and [`Mode::overlay_layer`] into the layer of
/// each, so a new overlay needs no arm anywhere else.
macro_rules! for_each_overlay {
    ($then:ident) => {
        $then! {
            Mode::Help => Layer::Help in help,
            Mode::LastError => Layer::Error in error,
            Mode::Export => Layer::Export in export_dialog,
            Mode::Views => Layer::Views in views,
            Mode::Copy => Layer::Copy in copy_menu,
            Mode::Palette => Layer::Palette in palette,
            Mode::Counts => Layer::Counts in counts,
            Mode::Write => Layer::Write in write_dialog,
        }
    };
}
pub(crate) use for_each_overlay;

macro_rules! overlay_layers {
    ($(Mode::$mode:ident => Layer::$layer:ident in $module:ident,)*) => {
        impl Mode {
            /// The layer whose keys an overlay takes; `None` for the panes and text fields.
            pub fn overlay_layer(&self) -> Option<Layer> {
                match self {
                    Mode::Browse | Mode::Editing(_) | Mode::NamingView(_) => None,
                    $(Mode::$mode { .. } => Some(Layer::$layer),)*
                }
            }
        }
    };
}
for_each_overlay!(overlay_layers);

/// The palette's line, where it is in the history, and why the last command failed.
#[derive(Debug, Clone, Default)]
pub struct PaletteInput {
    pub input: Input,
    /// Which history entry is shown, counting back from the newest; `None` for a new line.
    pub history: Option<usize>,
    pub error: Option<String>,
}

/// A text field that can hold the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextField {
    Search,
    /// A tag typed in, which Enter switches on.
    NewTag,
    Date(DateField),
}

/// What the export dialog exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportScope {
    Selection,
    Page,
    Matching,
    /// Everything matching, written from the local snapshot (then a catch-up read of page 1
    /// for what moved since): offered only when the account has one.
    Snapshot,
}

impl ExportScope {
    pub const ALL: [ExportScope; 4] = [
        ExportScope::Selection,
        ExportScope::Page,
        ExportScope::Matching,
        ExportScope::Snapshot,
    ];

    pub fn label(self) -> &'static str {
        match self {
            ExportScope::Selection => "the selection",
            ExportScope::Page => "this page",
            ExportScope::Matching => "everything matching the filters",
            ExportScope::Snapshot => "everything matching, from the snapshot",
        }
    }
}

/// The export dialog's rows, which Tab and the arrows move between.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DialogRow {
    Scope,
    Format,
    /// CSV only: spreadsheet-safe cells, or cells as sent.
    Cells,
    Path,
}

impl ExportDialog {
    /// The rows the dialog shows, top to bottom: `Cells` last, and only for a CSV, so the
    /// path stays the third row whatever the format.
    pub fn rows(&self) -> Vec<DialogRow> {
        let mut rows = vec![DialogRow::Scope, DialogRow::Format, DialogRow::Path];
        if self.format == ExportFormat::Csv {
            rows.push(DialogRow::Cells);
        }
        rows
    }
}

/// Where an export stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportPhase {
    Editing,
    /// The destination is a file that exists: Enter replaces it, Back goes back to editing.
    ConfirmOverwrite {
        path: String,
    },
    /// Running; `total` is known when the contacts are in hand (selection, page).
    Running {
        progress: Progress,
        total: Option<usize>,
    },
    Failed(String),
}

/// The export dialog.
#[derive(Debug, Clone)]
pub struct ExportDialog {
    pub scope: ExportScope,
    pub format: ExportFormat,
    /// Raw or spreadsheet-safe cells (the dialog toggles `raw`), and the byte-order mark.
    pub csv: CsvStyle,
    /// Empty means the default name, `contacts-YYYYMMDD-HHMMSS.<ext>` in the current directory,
    /// stamped when the export starts.
    pub path: Input,
    pub row: DialogRow,
    pub phase: ExportPhase,
    /// The account has a local snapshot: the scope offers [`ExportScope::Snapshot`].
    pub snapshot: bool,
}

/// The saved-views list overlay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ViewsList {
    pub cursor: usize,
}

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

    /// How the help heads the layer's keys; the palette's heading names its commands.
    pub fn title(self) -> &'static str {
        match self {
            Layer::Palette => super::palette::heading(),
            _ => self.get_message().unwrap_or_else(|| self.name()),
        }
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
    /// In the config's key syntax (see [`KeyCombo::parse`](super::keymap::KeyCombo::parse)).
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
pub(super) const ROWS: &[ActionEntry] = {
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
