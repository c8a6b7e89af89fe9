//! The interactive browser's brain: state, messages, the pure `update`, the keymap, and the event
//! loop that feeds them. Drawing lives in `crate::ui`.

pub mod account_walks;
mod commands;
pub mod copy_field;
pub mod detail;
pub mod filters;
pub mod keymap;
pub mod local;
pub mod mode;
pub mod msg;
pub mod palette;
pub mod runtime;
pub mod state;
pub mod update;
pub mod writes;

pub use commands::{Profiles, ViewStore};
pub use keymap::{Action, Keymap, Layer};
pub use msg::{Account, Cmd, Msg, Purpose};
pub use runtime::{BrowserExit, BrowserOptions, run_browser};
pub use state::{Focus, Load, Mode, PageEnd, PickList, SavedView, State, TextField};
pub use update::{restore_filters, start, update};
