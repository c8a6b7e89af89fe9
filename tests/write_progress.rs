//! The progress line a write shows on a terminal: the real binary's `set-status` with its stderr
//! on a pseudo-terminal, against the demo server in a process of its own.

mod common;

use common::demo_process::DemoProcess;

/// One `writing: DONE of TOTAL answered, FAILED failed` line, as numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Shown {
    done: usize,
    total: usize,
    failed: usize,
}

/// `set-status closed --yes` against `url` on a pseudo-terminal: its exit code and every byte
/// it wrote to the terminal.
fn set_status_closed_on_a_terminal(url: &str) -> (u32, String) {
    let args = ["set-status", "closed", "--base-url", url, "--yes"].map(String::from);
    common::run_on_a_terminal(&args, "demo-token", None)
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
    let (code, output) = set_status_closed_on_a_terminal(&server.url);
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
/// the command exits 4 with no other chunk shown answered.
#[test]
fn a_refused_write_on_a_terminal_shows_its_chunk_failed() {
    let server = DemoProcess::start(&["--contacts", "300", "--seed", "23", "--read-only"]);
    let (code, output) = set_status_closed_on_a_terminal(&server.url);
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
