//! The real binary on a pseudo-terminal, in a home of its own.

use std::ffi::OsStr;
use std::path::Path;

use portable_pty::{CommandBuilder, PtyPair, PtySize, native_pty_system};

/// A pseudo-terminal of `rows` by `cols` cells.
pub fn open(rows: u16, cols: u16) -> PtyPair {
    native_pty_system()
        .openpty(PtySize {
            rows,
            cols,
            pixel_width: 0,
            pixel_height: 0,
        })
        .expect("a pseudo-terminal opens")
}

/// The binary with `args`, its home, state, config and working directory in `home`: nothing
/// of the developer's own is read or written.
pub fn binary_in<I>(home: &Path, args: I) -> CommandBuilder
where
    I: IntoIterator,
    I::Item: AsRef<OsStr>,
{
    let mut command = CommandBuilder::new(env!("CARGO_BIN_EXE_inbox-tui"));
    command.args(args);
    command.env("HOME", home);
    command.env("XDG_STATE_HOME", home.join("state"));
    command.env("XDG_CONFIG_HOME", home.join("config"));
    command.cwd(home);
    command
}
