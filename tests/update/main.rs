//! `update()` as a pure function: keys and results in, state and commands out. One module per
//! concern, as in `src/app/update/`; the helpers they share are in `support`.

#[path = "../common/browser_state.rs"]
mod browser_state;

mod copy;
mod counts;
mod detail;
mod export_dialog;
mod filters;
mod keys;
mod paging;
mod palette;
mod profile;
mod selection;
mod snapshot;
mod support;
mod views;
