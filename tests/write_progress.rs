//! The progress line a write shows on a terminal: the real binary's `set-status` with its stderr
//! on a pseudo-terminal, against the demo server in a process of its own.

mod common;

use std::io::Read;

use common::demo_process::DemoProcess;
use portable_pty::{CommandBuilder, PtySize, native_pty_system};

/// One `writing: DONE of TOTAL answered, FAILED failed` line, as numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Shown {
    done: usize,
    total: usize,
    failed: usize,
}

/// Runs the binary with `args` on a pseudo-terminal until it exits, and returns its exit code
/// and every byte it wrote to the terminal.
fn run_on_a_terminal(args: &[&str]) -> (u32, String) {
    let pty = native_pty_system()
        .openpty(PtySize {
            rows: 24,
            cols: 200,
            pixel_width: 0,
            pixel_height: 0,
        })
        .expect("a pseudo-terminal opens");
    let home = tempfile::tempdir().expect("a temp dir");
    let mut command = CommandBuilder::new(env!("CARGO_BIN_EXE_inbox-tui"));
    command.args(args);
    command.env("TERM", "xterm-256color");
    command.env("HOME", home.path());
    command.env("XDG_STATE_HOME", home.path().join("state"));
    command.env("XDG_CONFIG_HOME", home.path().join("config"));
    command.env("INBOX_TUI_TOKEN", "demo-token");
    command.cwd(home.path());
    let mut child = pty.slave.spawn_command(command).expect("the binary starts");
    drop(pty.slave);
    let mut reader = pty.master.try_clone_reader().expect("a reader");
    let reading = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let mut buffer = [0u8; 8192];
        // The read fails (EIO) or ends once the program has exited and closed the terminal.
        while let Ok(read) = reader.read(&mut buffer) {
            if read == 0 {
                break;
            }
            bytes.extend_from_slice(&buffer[..read]);
        }
        bytes
    });
    let status = child.wait().expect("the binary ends");
    drop(pty.master);
    let bytes = reading.join().expect("the reader thread");
    (
        status.exit_code(),
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

/// Every progress line in `output`, in the order shown.
fn progress_lines(output: &str) -> Vec<Shown> {
    output
        .split("writing: ")
        .skip(1)
        .filter_map(|line| {
            let words: Vec<&str> = line.split_whitespace().take(6).collect();
            match words.as_slice() {
                [done, "of", total, "answered,", failed, failed_word]
                    if failed_word.starts_with("failed") =>
                {
                    Some(Shown {
                        done: done.parse().ok()?,
                        total: total.parse().ok()?,
                        failed: failed.parse().ok()?,
                    })
                }
                _ => None,
            }
        })
        .collect()
}

/// A status change on a terminal counts its contacts up as the chunks of 50 are answered: the
/// first line says 50 answered, each line more than the one before, and the last says all of
/// them, none failed.
#[test]
fn a_write_on_a_terminal_counts_its_contacts_up_to_the_total() {
    let server = DemoProcess::start(&["--contacts", "300", "--seed", "23"]);
    let (code, output) =
        run_on_a_terminal(&["set-status", "closed", "--base-url", &server.url, "--yes"]);
    assert_eq!(code, 0, "{output}");
    let shown = progress_lines(&output);
    let (Some(first), Some(last)) = (shown.first(), shown.last()) else {
        panic!("no progress line was shown:\n{output}");
    };
    assert!(last.total > 100, "three chunks or more: {shown:?}");
    assert_eq!(
        *first,
        Shown {
            done: 50,
            total: last.total,
            failed: 0
        },
        "{shown:?}"
    );
    assert_eq!(
        *last,
        Shown {
            done: last.total,
            total: last.total,
            failed: 0
        },
        "{shown:?}"
    );
    assert!(
        shown.windows(2).all(|pair| pair[0].done < pair[1].done),
        "{shown:?}"
    );
}

/// A token that may not write: the first chunk's 50 contacts are shown answered and failed, and
/// nothing more is sent.
#[test]
fn a_refused_write_on_a_terminal_shows_its_chunk_failed() {
    let server = DemoProcess::start(&["--contacts", "300", "--seed", "23", "--read-only"]);
    let (code, output) =
        run_on_a_terminal(&["set-status", "closed", "--base-url", &server.url, "--yes"]);
    assert_eq!(code, 4, "{output}");
    let shown = progress_lines(&output);
    assert_eq!(shown.len(), 1, "one chunk was answered: {output}");
    assert_eq!(
        (shown[0].done, shown[0].failed),
        (50, 50),
        "{shown:?}\n{output}"
    );
    assert!(shown[0].total > 50, "{shown:?}");
}
