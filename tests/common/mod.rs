//! Shared helpers for the black-box tests: a demo server on a free port, the real binary, and an
//! independent reading of the generator's data to compare the server against.
#![allow(dead_code)]

pub mod demo_process;
pub mod terminal;

use std::process::{Command, Output};

use inbox_tui::api::{Client, ClientConfig, Query, RetryPolicy, Token};
use inbox_tui::demo::{DemoConfig, DemoServer};
use serde_json::Value;

/// A token that must never show up in any output.
pub const CANARY_TOKEN: &str = "canary-7f3a9c1e-do-not-print";

/// Starts a demo server with `contacts` contacts and the given seed.
pub async fn start_server(contacts: usize, seed: u64) -> DemoServer {
    start_server_with(DemoConfig {
        contacts,
        seed,
        ..DemoConfig::default()
    })
    .await
}

/// The busy inbox behind a limit that the pace tests share: contacts moving to page 1 at 10 a
/// second, a 10 requests a second token bucket, 20 ms a reply, 5% 500s and 3% cut-short replies.
pub fn busy_limited_faulty(contacts: usize) -> DemoConfig {
    DemoConfig {
        contacts,
        live_rate: 10.0,
        rate_limit: Some(10.0),
        latency: std::time::Duration::from_millis(20),
        fail_rate: 0.05,
        truncate_rate: 0.03,
        ..DemoConfig::default()
    }
}

/// Starts a demo server with `config`, its faults seeded from `INBOX_TUI_TEST_FAULT_SEED` when
/// set (else at random, unless `config` names a seed). The seed is printed, which the test
/// harness shows only when the test fails: rerun with the variable set to replay its faults.
pub async fn start_server_with(mut config: DemoConfig) -> DemoServer {
    if config.fault_seed.is_none() {
        config.fault_seed = std::env::var("INBOX_TUI_TEST_FAULT_SEED")
            .ok()
            .and_then(|seed| seed.trim().parse().ok());
    }
    // A port this test binary has used before would find what an earlier test kept under it
    // (the binaries share one state directory, and a snapshot is named by host and port), so
    // such a server is set aside until a port not used before comes up.
    static PORTS_USED: std::sync::Mutex<std::collections::BTreeSet<String>> =
        std::sync::Mutex::new(std::collections::BTreeSet::new());
    let mut set_aside = Vec::new();
    let server = loop {
        let server = DemoServer::start(config.clone())
            .await
            .expect("the demo server starts on a free loopback port");
        if PORTS_USED.lock().expect("the ports").insert(server.url()) {
            break server;
        }
        set_aside.push(server);
    };
    for server in set_aside {
        server.shutdown().await;
    }
    println!(
        "demo server {}: replay its faults with INBOX_TUI_TEST_FAULT_SEED={}",
        server.url(),
        server.fault_seed()
    );
    server
}

/// A client for `server` with fast retries, so fault tests do not crawl.
pub fn client_for(server: &DemoServer, token: &str) -> Client {
    let mut config = ClientConfig::new(server.url(), Token::new(token));
    config.retry = RetryPolicy {
        base_delay: std::time::Duration::from_millis(10),
        ..RetryPolicy::default()
    };
    Client::new(config).expect("a loopback base URL is valid")
}

/// Every contact the server returns for `query`, paging from 1 to the first empty page.
pub async fn fetch_all(client: &Client, query: &Query) -> Vec<Value> {
    let mut all = Vec::new();
    for page in 1.. {
        let fetched = client.fetch_page(query, page).await.expect("page fetches");
        assert!(fetched.contacts.len() <= 50, "a page holds at most 50");
        if fetched.contacts.is_empty() {
            break;
        }
        all.extend(fetched.contacts.iter().map(|contact| contact.to_value()));
    }
    all
}

pub fn ids(contacts: &[Value]) -> Vec<String> {
    contacts
        .iter()
        .map(|contact| {
            contact["_id"]
                .as_str()
                .expect("every contact has an _id")
                .to_owned()
        })
        .collect()
}

/// The real binary with `args`, the token in the environment when given, its config and state
/// in this test process's own folder: the developer's own are never read or written.
pub fn binary_command(args: &[&str], token: Option<&str>) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_inbox-tui"));
    command.args(args).env_remove("INBOX_TUI_TOKEN");
    let isolated = std::env::temp_dir().join(format!("inbox-tui-tests-{}", std::process::id()));
    command
        .env("XDG_CONFIG_HOME", isolated.join("config"))
        .env("XDG_STATE_HOME", isolated.join("state"));
    if let Some(token) = token {
        command.env("INBOX_TUI_TOKEN", token);
    }
    command
}

/// Runs the real binary with `args`, the token in the environment when given, no proxy.
pub fn run_binary(args: &[&str], token: Option<&str>) -> Output {
    binary_command(args, token)
        .output()
        .expect("the binary runs")
}

/// Runs the binary with `args` on a pseudo-terminal (24 by 200, an isolated home), types
/// `typed` and a return at it if given, and returns its exit code and every byte it wrote to
/// the terminal once it exits.
pub fn run_on_a_terminal(args: &[String], token: &str, typed: Option<&str>) -> (u32, String) {
    use std::io::Write;
    let pty = terminal::open(24, 200);
    let home = tempfile::tempdir().expect("a temp dir");
    let mut command = terminal::binary_in(home.path(), args);
    command.env("TERM", "xterm-256color");
    command.env("INBOX_TUI_TOKEN", token);
    let mut child = pty.slave.spawn_command(command).expect("the binary starts");
    drop(pty.slave);
    let reading = terminal::read_all(pty.master.as_ref());
    // The terminal keeps the typed line until the program reads its answer.
    let writer = typed.map(|typed| {
        let mut writer = pty.master.take_writer().expect("a writer");
        writer
            .write_all(format!("{typed}\r").as_bytes())
            .expect("the answer is typed");
        writer
    });
    let status = child.wait().expect("the binary ends");
    drop(writer);
    drop(pty.master);
    let bytes = reading.join().expect("the reader thread");
    (
        status.exit_code(),
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

/// Runs the binary off the async runtime, so an in-process server keeps serving meanwhile.
pub async fn run_binary_async(args: Vec<String>, token: Option<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run_binary(&args, token.as_deref())
    })
    .await
    .expect("the binary's thread finishes")
}

/// Runs `export --base-url URL -o DESTINATION` with `extra` flags and `token`, off the async
/// runtime: the export that the tests against a fake server make.
pub async fn export_to(url: &str, destination: &str, extra: &[&str], token: &str) -> Output {
    let args = ["export", "--base-url", url, "-o", destination]
        .iter()
        .chain(extra)
        .map(|arg| (*arg).to_owned())
        .collect();
    run_binary_async(args, Some(token.to_owned())).await
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// One request a `FakeServer` received.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    pub target: String,
    pub head: String,
    pub body: Vec<u8>,
}

/// A reply a `FakeServer` sends: status, extra headers, body.
pub type Reply = (u16, Vec<(String, String)>, Vec<u8>);

/// An HTTP server that is not the demo: it answers each request with what `answer` returns
/// and keeps every request, for tests of what the client sends and how it reads odd replies.
pub struct FakeServer {
    pub url: String,
    received: std::sync::Arc<std::sync::Mutex<Vec<Received>>>,
}

impl FakeServer {
    pub async fn start(answer: impl Fn(&Received) -> Reply + Send + Sync + 'static) -> FakeServer {
        use tokio::io::AsyncWriteExt;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port");
        let url = format!("http://{}", listener.local_addr().expect("an address"));
        let received = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = std::sync::Arc::clone(&received);
        let answer = std::sync::Arc::new(answer);
        tokio::spawn(async move {
            loop {
                let Ok((mut stream, _)) = listener.accept().await else {
                    return;
                };
                let log = std::sync::Arc::clone(&log);
                let answer = std::sync::Arc::clone(&answer);
                tokio::spawn(async move {
                    let Some(request) = read_http_request(&mut stream).await else {
                        return;
                    };
                    let (status, headers, body) = answer(&request);
                    log.lock().expect("the log").push(request);
                    let mut head = format!(
                        "HTTP/1.1 {status} X\r\ncontent-length: {}\r\nconnection: close\r\n",
                        body.len()
                    );
                    for (name, value) in headers {
                        head.push_str(&format!("{name}: {value}\r\n"));
                    }
                    head.push_str("\r\n");
                    let _ = stream.write_all(head.as_bytes()).await;
                    let _ = stream.write_all(&body).await;
                });
            }
        });
        FakeServer { url, received }
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().expect("the log").clone()
    }
}

/// A JSON reply.
pub fn json_reply(status: u16, body: &Value) -> Reply {
    (
        status,
        vec![("content-type".into(), "application/json".into())],
        body.to_string().into_bytes(),
    )
}

/// Reads one HTTP request from `stream`: the head and the body its Content-Length announces.
pub async fn read_http_request(stream: &mut tokio::net::TcpStream) -> Option<Received> {
    use tokio::io::AsyncReadExt;
    let mut bytes = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        let read = stream.read(&mut buffer).await.ok()?;
        if read == 0 {
            return None;
        }
        bytes.extend_from_slice(&buffer[..read]);
        let Some(end) = bytes.windows(4).position(|window| window == b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&bytes[..end]).into_owned();
        let length: usize = head
            .lines()
            .find_map(|line| {
                line.to_ascii_lowercase()
                    .strip_prefix("content-length:")
                    .map(|value| value.trim().parse().unwrap_or(0))
            })
            .unwrap_or(0);
        if bytes.len() >= end + 4 + length {
            let mut words = head.split_whitespace();
            return Some(Received {
                method: words.next().unwrap_or("").to_owned(),
                target: words.next().unwrap_or("").to_owned(),
                body: bytes[end + 4..end + 4 + length].to_vec(),
                head,
            });
        }
    }
}
