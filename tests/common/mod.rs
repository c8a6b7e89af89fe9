//! Shared helpers for the black-box tests: a demo server on a free port, the real binary, and an
//! independent reading of the generator's data to compare the server against.
#![allow(dead_code)]

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

pub async fn start_server_with(config: DemoConfig) -> DemoServer {
    DemoServer::start(config)
        .await
        .expect("the demo server starts on a free loopback port")
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

/// Runs the real binary with `args`, the token in the environment when given, no proxy.
pub fn run_binary(args: &[&str], token: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_inbox-tui"));
    command.args(args).env_remove("INBOX_TUI_TOKEN");
    // Keep the developer's own config and state out of the tests.
    let isolated = std::env::temp_dir().join(format!("inbox-tui-tests-{}", std::process::id()));
    command
        .env("XDG_CONFIG_HOME", isolated.join("config"))
        .env("XDG_STATE_HOME", isolated.join("state"));
    if let Some(token) = token {
        command.env("INBOX_TUI_TOKEN", token);
    }
    command.output().expect("the binary runs")
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

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
