//! The real binary on a pseudo-terminal, in a home of its own.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::path::Path;

use portable_pty::{CommandBuilder, MasterPty, PtyPair, PtySize, native_pty_system};

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

/// Everything the program on `master` writes, read on a thread of its own until the read fails
/// (EIO) or ends, which it does once the program has exited and closed the terminal.
pub fn read_all(master: &dyn MasterPty) -> std::thread::JoinHandle<Vec<u8>> {
    use std::io::Read;
    let mut reader = master.try_clone_reader().expect("a reader");
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let mut buffer = [0u8; 8192];
        while let Ok(read) = reader.read(&mut buffer) {
            if read == 0 {
                break;
            }
            bytes.extend_from_slice(&buffer[..read]);
        }
        bytes
    })
}
