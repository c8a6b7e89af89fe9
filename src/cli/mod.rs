//! The command line: global options, subcommands, and the filter flags `list` and `export` share.

mod demo_server;
mod filters;
mod list;
mod output;

use std::io;

use clap::{Parser, Subcommand};

use crate::api::{ApiError, Client, ClientConfig, DEFAULT_BASE_URL, RetryPolicy, Token};
use crate::demo::{DemoConfig, DemoServer};

pub use demo_server::DemoServerArgs;
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

    /// Attempts per request, the first included, before giving up on 429, 5xx and network errors
    #[arg(long, global = true, value_name = "N", default_value_t = RetryPolicy::default().max_attempts,
          value_parser = clap::value_parser!(u32).range(1..=20))]
    pub attempts: u32,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print one page of contacts (50 a page) to stdout
    List(Box<ListArgs>),
    /// Run the embedded demo API server until interrupted
    DemoServer(DemoServerArgs),
}

/// Why a command failed, with the exit code scripts can tell apart.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The user asked for something that cannot work as given.
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Api(#[from] ApiError),
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
            CliError::Api(_) | CliError::Io { .. } => 1,
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
        Some(Command::DemoServer(args)) => demo_server::run(args).await,
        None => Err(CliError::Usage(
            "the interactive browser is not available yet; use `inbox-tui list`".into(),
        )),
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
            let server = DemoServer::start(DemoConfig::default())
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
