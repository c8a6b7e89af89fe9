//! Peak memory of `inbox-tui export` while exporting 1,000,000 contacts: the real binary against
//! a real demo server, each in its own process so the server's data set is not counted. The
//! target is under 64 MiB. Linux only: it reads the exporter's `/proc/PID/status`.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[path = "../tests/common/demo_process.rs"]
mod demo_process;

use demo_process::DemoProcess;

const CONTACTS: &str = "1000000";
const TARGET_KIB: u64 = 64 * 1024;

fn main() {
    if std::env::args().any(|arg| arg == "--list") {
        return;
    }
    let binary = env!("CARGO_BIN_EXE_inbox-tui");
    let server = DemoProcess::start(&["--contacts", CONTACTS]);
    let directory = tempfile::tempdir().expect("a temp dir");
    let output = directory.path().join("million.csv");

    let started = Instant::now();
    let mut exporter = Command::new(binary)
        .args([
            "export",
            "--base-url",
            &server.url,
            "--format",
            "csv",
            "--output",
        ])
        .arg(&output)
        .env("INBOX_TUI_TOKEN", "demo-token")
        .stderr(Stdio::null())
        .spawn()
        .expect("the export starts");
    let status_path = format!("/proc/{}/status", exporter.id());
    let mut peak_kib = 0;
    let status = loop {
        if let Ok(status) = std::fs::read_to_string(&status_path) {
            peak_kib = peak_kib.max(field_kib(&status, "VmHWM:").unwrap_or(0));
        }
        if let Some(status) = exporter.try_wait().expect("the exporter can be polled") {
            break status;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let elapsed = started.elapsed();
    drop(server);
    assert!(status.success(), "the export failed");
    let bytes = std::fs::metadata(&output).map_or(0, |metadata| metadata.len());
    let verdict = if peak_kib < TARGET_KIB {
        "met"
    } else {
        "MISSED"
    };
    println!(
        "export of {CONTACTS} contacts: peak RSS {:.1} MiB (target < 64 MiB: {verdict}), {:.1} s, \
         {:.0} MiB of CSV",
        peak_kib as f64 / 1024.0,
        elapsed.as_secs_f64(),
        bytes as f64 / (1024.0 * 1024.0)
    );
}

/// A `kB` field of `/proc/PID/status`.
fn field_kib(status: &str, name: &str) -> Option<u64> {
    let line = status.lines().find(|line| line.starts_with(name))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
