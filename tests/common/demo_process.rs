//! The real binary's `demo-server` in a process of its own, shared by the tests and the benches
//! that need the server outside their own process: to measure only the client's memory, or to
//! run the command exactly as a user would.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// A running `inbox-tui demo-server`, killed on drop so a failed assertion leaves no server
/// behind.
pub struct DemoProcess {
    child: Child,
    pub url: String,
}

impl DemoProcess {
    /// Starts `demo-server` with `args` and waits for the address it announces on its first line.
    pub fn start(args: &[&str]) -> DemoProcess {
        let mut child = Command::new(env!("CARGO_BIN_EXE_inbox-tui"))
            .arg("demo-server")
            .args(args)
            .stdout(Stdio::piped())
            .spawn()
            .expect("demo-server starts");
        let mut first_line = String::new();
        BufReader::new(child.stdout.take().expect("piped stdout"))
            .read_line(&mut first_line)
            .expect("a first line");
        let url = first_line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {first_line:?}"))
            .to_owned();
        DemoProcess { child, url }
    }
}

impl Drop for DemoProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
