//! inbox-tui: browse, filter and export BotPenguin v7 inbox contacts from a terminal.
//!
//! The binary is a thin shell over this library so that tests drive the same code users run.

pub mod api;
pub mod app;
pub mod cli;
pub mod config;
pub mod dates;
pub mod demo;
pub mod export;
pub mod logging;
pub mod paths;
pub mod signals;
pub mod snapshot;
pub mod text;
pub mod ui;
pub mod write;
