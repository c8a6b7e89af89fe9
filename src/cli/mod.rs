//! The command line: global options, subcommands, and the filter flags `list` and `export` share.

mod demo_server;
mod export;
mod filters;
mod list;
mod output;

use std::io;

use clap::{Parser, Subcommand};

use crate::api::{ApiError, Client, ClientConfig, DEFAULT_BASE_URL, RetryPolicy, Token};
use crate::app::{BrowserOptions, Keymap, run_browser};
use crate::demo::{DemoConfig, DemoServer};

pub use demo_server::DemoServerArgs;
pub use export::ExportArgs;
pub use filters::FilterArgs;
pub use list::ListArgs;

/// The environment variable that carries the API token, so it never appears in `ps` or history.
pub const TOKEN_ENV: &str = "INBOX_TUI_TOKEN";

#[derive(Debug, Parser)]
#[command(
    name = "inbox-tui",
    version,
    about = "Browse, filter and export BotPenguin v7 inbox contacts from a terminal",
    long_about = "Browse, filter and export BotPenguin v7 inbox contacts from a terminal.\n\n\
        The API token is read from the INBOX_TUI_TOKEN environment variable. Use --demo to try \
        everything against the embedded demo API without an account."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Options every command that talks to the API takes.
#[derive(Debug, Clone, clap::Args)]
pub struct GlobalArgs {
    /// API base URL; white-label hosts use their own, e.g. https://api.v7.flowmatix.ai
    #[arg(long, global = true, value_name = "URL", conflicts_with = "demo")]
    pub base_url: Option<String>,

    /// Start the embedded demo API on a free loopback port and use it (no account needed)
    #[arg(long, global = true)]
    pub demo: bool,

    /// With --demo: latency added to every demo response, to try the app on a slow network
    #[arg(
        long,
        global = true,
        value_name = "MS",
        default_value_t = 0,
        requires = "demo"
    )]
    pub demo_latency_ms: u64,

    /// In the browser: capture the mouse (wheel scrolls, click selects). Off by default because
    /// capturing it breaks selecting text in the terminal
    #[arg(long, global = true)]
    pub mouse: bool,

    /// Attempts per request, the first included, before giving up on 429, 5xx and network errors
    #[arg(long, global = true, value_name = "N", default_value_t = RetryPolicy::default().max_attempts,
          value_parser = clap::value_parser!(u32).range(1..=20))]
    pub attempts: u32,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print one page of contacts (50 a page) to stdout
    List(Box<ListArgs>),
    /// Export every contact matching the filters (or only listed ids) to CSV, JSON or NDJSON
    Export(Box<ExportArgs>),
    /// Run the embedded demo API server until interrupted
    DemoServer(Box<DemoServerArgs>),
}

/// Why a command failed, with the exit code scripts can tell apart.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The user asked for something that cannot work as given.
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Api(#[from] ApiError),
    /// An export that failed part-way; the destination was left untouched.
    #[error("{0}")]
    Export(String),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: io::Error,
    },
}

impl CliError {
    /// 2 for bad input (as clap uses), 1 for everything that went wrong after.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_) => 2,
            CliError::Api(ApiError::InvalidBaseUrl { .. }) => 2,
            CliError::Api(_) | CliError::Export(_) | CliError::Io { .. } => 1,
        }
    }
}

/// Runs the parsed command line.
pub async fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Some(Command::List(args)) => {
            let connection = Connection::open(&cli.global).await?;
            let result = list::run(&connection.client, &args).await;
            connection.close().await;
            result
        }
        Some(Command::Export(args)) => {
            let connection = Connection::open(&cli.global).await?;
            let result = export::run(&connection.client, &args).await;
            connection.close().await;
            result
        }
        Some(Command::DemoServer(args)) => demo_server::run(*args).await,
        None => {
            let connection = Connection::open(&cli.global).await?;
            let options = BrowserOptions {
                client: connection.client.clone(),
                host_label: connection.host_label(),
                mouse: cli.global.mouse,
                log_path: crate::logging::log_file_path(),
                keymap: Keymap::default(),
            };
            let result = run_browser(options).await.map_err(|source| CliError::Io {
                context: "the browser stopped".into(),
                source,
            });
            connection.close().await;
            result
        }
    }
}

/// A client, plus the in-process demo server it talks to when `--demo` is given.
pub struct Connection {
    pub client: Client,
    demo: Option<DemoServer>,
}

impl Connection {
    /// Builds the client the global options describe, starting the demo API first if asked.
    pub async fn open(global: &GlobalArgs) -> Result<Connection, CliError> {
        let (base_url, token, demo) = if global.demo {
            let config = DemoConfig {
                latency: std::time::Duration::from_millis(global.demo_latency_ms),
                ..DemoConfig::default()
            };
            let server = DemoServer::start(config)
                .await
                .map_err(|source| CliError::Io {
                    context: "could not start the embedded demo API".into(),
                    source,
                })?;
            let token = Token::new(server.token());
            (server.url(), token, Some(server))
        } else {
            let base_url = global
                .base_url
                .clone()
                .unwrap_or_else(|| DEFAULT_BASE_URL.to_owned());
            (base_url, token_from_env()?, None)
        };
        let mut config = ClientConfig::new(base_url, token);
        config.retry.max_attempts = global.attempts;
        Ok(Connection {
            client: Client::new(config)?,
            demo,
        })
    }

    /// The host for the status bar; the demo says so.
    pub fn host_label(&self) -> String {
        let url = self.client.base_url();
        let host = match (url.host_str(), url.port()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (Some(host), None) => host.to_owned(),
            (None, _) => url.to_string(),
        };
        if self.demo.is_some() {
            format!("demo API on {host}")
        } else {
            host
        }
    }

    /// Stops the demo API, if one was started.
    pub async fn close(self) {
        if let Some(server) = self.demo {
            server.shutdown().await;
        }
    }
}

fn token_from_env() -> Result<Token, CliError> {
    match std::env::var(TOKEN_ENV) {
        Ok(token) if !token.trim().is_empty() => Ok(Token::new(token)),
        _ => Err(CliError::Usage(format!(
            "no API token: set {TOKEN_ENV} to the token from the web panel \
             (More → Developer → API Access Token), or try --demo"
        ))),
    }
}
