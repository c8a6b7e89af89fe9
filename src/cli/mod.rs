//! The command line: global options, subcommands, and the filter flags `list` and `export` share.

mod config_cmd;
mod demo_server;
mod export;
mod filters;
mod list;
mod output;

use std::io;
use std::path::PathBuf;
use std::sync::Arc;

use clap::{Parser, Subcommand};

use crate::api::{ApiError, Client, ClientConfig, DEFAULT_BASE_URL, RetryPolicy, Token};
use crate::app::{BrowserOptions, run_browser};
use crate::config::{self, Config, ConfigError, ConfigViewStore, LastFilters, LoadedConfig};
use crate::demo::{DemoConfig, DemoServer};
use crate::signals::Stop;
use crate::ui::Theme;

pub use config::TOKEN_ENV;
pub use config_cmd::{ConfigArgs, ConfigCommand};
pub use demo_server::DemoServerArgs;
pub use export::ExportArgs;
pub use filters::FilterArgs;
pub use list::ListArgs;

#[derive(Debug, Parser)]
#[command(
    name = "inbox-tui",
    version,
    about = "Browse, filter and export BotPenguin v7 inbox contacts from a terminal",
    long_about = "Browse, filter and export BotPenguin v7 inbox contacts from a terminal.\n\n\
        The API token is read from the INBOX_TUI_TOKEN environment variable, else from the \
        profile the config file picks (see `inbox-tui config`). Use --demo to try everything \
        against the embedded demo API without an account."
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
    // This doc comment is also the `--help` text, where a bare URL reads best.
    #[allow(rustdoc::bare_urls)]
    /// API base URL; white-label hosts use their own, e.g. https://api.v7.flowmatix.ai
    #[arg(long, global = true, value_name = "URL", conflicts_with = "demo")]
    pub base_url: Option<String>,

    /// The config file to use instead of the platform's (see `inbox-tui config path`)
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// The config profile to use (its base URL and token) instead of `default_profile`
    #[arg(long, global = true, value_name = "NAME", conflicts_with = "demo")]
    pub profile: Option<String>,

    /// Send the token over plain http:// to hosts other than this machine (it can be read on
    /// the way)
    #[arg(long, global = true)]
    pub allow_insecure_http: bool,

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

    /// With --demo: contacts typed by an attacker (terminal escapes, spreadsheet formulas, bidi
    /// and invisible characters, broken text) and escapes in every error message, to see that
    /// none of it reaches the terminal or a spreadsheet
    #[arg(long, global = true, requires = "demo")]
    pub demo_hostile: bool,

    /// In the browser: read page 1 again every SECS seconds while it is shown and you are
    /// idle, marking new and moved contacts (0, the default, is off; the config's `refresh`
    /// sets it too)
    #[arg(long, global = true, value_name = "SECS")]
    pub refresh: Option<u64>,

    /// With --demo: R contacts a second get a new message and move to page 1, as on a busy
    /// live inbox
    #[arg(
        long,
        global = true,
        value_name = "R",
        requires = "demo",
        default_value_t = 0.0
    )]
    pub demo_live_rate: f64,

    /// In the browser: capture the mouse (wheel scrolls, click selects). Off by default because
    /// capturing it breaks selecting text in the terminal
    #[arg(long, global = true)]
    pub mouse: bool,

    /// Attempts per request, the first included, before giving up on 429, 5xx and network errors
    #[arg(long, global = true, value_name = "N", default_value_t = RetryPolicy::default().max_attempts,
          value_parser = clap::value_parser!(u32).range(1..=20))]
    pub attempts: u32,

    /// Seconds, in all, a request may wait on 429 replies that say when to retry before those
    /// start to use up attempts: a rate limit asks to wait, it is not a failure
    #[arg(long, global = true, value_name = "SECS",
          default_value_t = RetryPolicy::default().rate_limit_patience.as_secs())]
    pub rate_limit_patience: u64,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print one page of contacts (50 a page) to stdout
    List(Box<ListArgs>),
    /// Export every contact matching the filters (or only listed ids) to CSV, JSON or NDJSON
    Export(Box<ExportArgs>),
    /// Run the embedded demo API server until interrupted
    DemoServer(Box<DemoServerArgs>),
    /// Show, check or write the config file (profiles, tokens, keys, theme, saved views)
    Config(ConfigArgs),
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
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// `config check` found problems: they are its output, so they fail with 1, not 2.
    #[error(transparent)]
    ConfigCheck(ConfigError),
    /// A signal ended the run; `what` says what happened to its work.
    #[error("stopped by {}: {what}", stop.name())]
    Stopped { stop: Stop, what: String },
}

impl CliError {
    /// 2 for bad input (as clap uses), 1 for everything that went wrong after.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_) => 2,
            CliError::Stopped { stop, .. } => stop.exit_code(),
            CliError::Api(ApiError::InvalidBaseUrl { .. }) => 2,
            CliError::Config(ConfigError::Write { .. }) => 1,
            CliError::Config(_) => 2,
            CliError::Api(_)
            | CliError::Export(_)
            | CliError::Io { .. }
            | CliError::ConfigCheck(_) => 1,
        }
    }
}

/// Runs the parsed command line. Every command but `demo-server` reads the config first, and
/// refuses to start when it has mistakes.
pub async fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Some(Command::List(args)) => {
            let loaded = load_config(&cli.global)?;
            let connection = Connection::open(&cli.global, &loaded.config).await?;
            let time_zone = loaded.config.time_zone().time_zone();
            let result = list::run(&connection.client, &args, &time_zone).await;
            connection.close().await;
            result
        }
        Some(Command::Export(args)) => {
            let loaded = load_config(&cli.global)?;
            let connection = Connection::open(&cli.global, &loaded.config).await?;
            let time_zone = loaded.config.time_zone().time_zone();
            let result = export::run(
                &connection.client,
                &args,
                loaded.config.csv_style(),
                &time_zone,
            )
            .await;
            connection.close().await;
            result
        }
        Some(Command::DemoServer(args)) => demo_server::run(*args).await,
        Some(Command::Config(args)) => config_cmd::run(&args, &cli.global),
        None => {
            let loaded = load_config(&cli.global)?;
            let keymap = loaded
                .config
                .keymap()
                .map_err(|problems| ConfigError::Invalid { problems })?;
            let connection = Connection::open(&cli.global, &loaded.config).await?;
            let profiles = ConfigProfiles {
                config: loaded.config.clone(),
                global: cli.global.clone(),
            };
            let options = BrowserOptions {
                client: connection.client.clone(),
                profile: connection.profile.clone(),
                profiles: Some(Arc::new(profiles)),
                host_label: connection.host_label(),
                mouse: cli.global.mouse,
                log_path: crate::logging::log_file_path(),
                keymap,
                csv_style: loaded.config.csv_style(),
                web_url: connection.web_url.clone(),
                refresh: cli
                    .global
                    .refresh
                    .or(loaded.config.refresh())
                    .filter(|seconds| *seconds > 0)
                    .map(std::time::Duration::from_secs),
                time_zone: loaded.config.time_zone().time_zone(),
                initial_query: LastFilters::load().unwrap_or_default(),
                views: loaded.config.views().to_vec(),
                view_store: Some(Arc::new(ConfigViewStore::new(loaded.path.clone()))),
                names: loaded.config.names().clone(),
                theme: loaded
                    .config
                    .theme(Theme::no_color_requested())
                    .map_err(|problem| ConfigError::Invalid {
                        problems: vec![problem],
                    })?,
                warnings: loaded.warnings.clone(),
            };
            let result = run_browser(options).await;
            connection.close().await;
            let exit = result.map_err(|source| CliError::Io {
                context: "the browser stopped".into(),
                source,
            })?;
            if let Err(error) = LastFilters::save(&exit.query) {
                tracing::warn!(%error, "the filters could not be kept for next time");
            }
            if let Some(stop) = exit.stopped_by {
                return Err(CliError::Stopped {
                    stop,
                    what: "the browser closed".into(),
                });
            }
            Ok(())
        }
    }
}

/// Prints a warning on stderr, through the rule that keeps server (or any) text from driving
/// the terminal.
pub fn warn(text: &str) {
    eprintln!("warning: {}", crate::text::terminal_safe(text));
}

/// Loads the config `--config` names (or the platform's), telling stderr about files that hold
/// a token and that others can read.
fn load_config(global: &GlobalArgs) -> Result<LoadedConfig, CliError> {
    let loaded = Config::load(global.config.as_deref())?;
    for warning in &loaded.warnings {
        warn(warning);
    }
    Ok(loaded)
}

/// Where a profile's account is and how to reach it, before a client is built for it.
struct ProfileAccount {
    base_url: String,
    token: Token,
    web_url: Option<String>,
}

impl ProfileAccount {
    /// The account of `profile` (none: BotPenguin's host and `INBOX_TUI_TOKEN`), at
    /// `base_url` when one is forced (`--base-url`), refused over plain http to another
    /// machine unless the user allowed it.
    fn of(
        global: &GlobalArgs,
        profile: Option<config::NamedProfile<'_>>,
        base_url: Option<&str>,
    ) -> Result<ProfileAccount, CliError> {
        let forced = base_url.map(str::to_owned);
        let base_url = match (forced.clone(), profile) {
            (Some(base_url), _) => base_url,
            (None, Some(profile)) => profile.profile.base_url().to_owned(),
            (None, None) => DEFAULT_BASE_URL.to_owned(),
        };
        config::check_plain_http(&base_url, global.allow_insecure_http).map_err(CliError::Usage)?;
        let token =
            config::resolve_token(profile).map_err(|error| CliError::Usage(error.to_string()))?;
        let web_url = match profile {
            Some(profile) if forced.is_none() => profile.profile.web_url().map(str::to_owned),
            _ if base_url == DEFAULT_BASE_URL => Some(config::DEFAULT_WEB_URL.to_owned()),
            _ => None,
        };
        Ok(ProfileAccount {
            base_url,
            token,
            web_url,
        })
    }
}

/// A client for `base_url` with the retry settings of the command line.
fn client(global: &GlobalArgs, base_url: String, token: Token) -> Result<Client, CliError> {
    let mut client_config = ClientConfig::new(base_url, token);
    client_config.retry.max_attempts = global.attempts;
    client_config.retry.rate_limit_patience =
        std::time::Duration::from_secs(global.rate_limit_patience);
    Ok(Client::new(client_config)?)
}

/// `host:port` of the client's base URL, as the status bar names it.
fn host_of(client: &Client) -> String {
    let url = client.base_url();
    match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_owned(),
        (None, _) => url.to_string(),
    }
}

/// The config's profiles, for the browser to switch between. A profile switched to uses its
/// own base URL (`--base-url` was for the one started with) and the same token rules as at
/// start-up, `INBOX_TUI_TOKEN` first.
struct ConfigProfiles {
    config: Config,
    global: GlobalArgs,
}

impl crate::app::Profiles for ConfigProfiles {
    fn names(&self) -> Vec<String> {
        self.config.profile_names()
    }

    fn connect(&self, name: &str) -> Result<crate::app::Account, String> {
        let connect = || -> Result<crate::app::Account, CliError> {
            let profile = self.config.profile(Some(name))?;
            let account = ProfileAccount::of(&self.global, profile, None)?;
            let client = client(&self.global, account.base_url, account.token)?;
            Ok(crate::app::Account {
                host_label: format!("{name} · {}", host_of(&client)),
                client: Arc::new(client),
                web_url: account.web_url,
            })
        };
        connect().map_err(|error| error.to_string())
    }
}

/// A client, plus the in-process demo server it talks to when `--demo` is given.
pub struct Connection {
    pub client: Client,
    /// The config profile in use, for the status bar; none with `--demo`.
    pub profile: Option<String>,
    /// Where the web panel shows a contact (`{id}` is replaced), when known.
    pub web_url: Option<String>,
    demo: Option<DemoServer>,
}

impl Connection {
    /// Builds the client the global options and the config describe, starting the demo API
    /// first if asked. `--base-url` beats the profile's; `INBOX_TUI_TOKEN` beats its token.
    pub async fn open(global: &GlobalArgs, config: &Config) -> Result<Connection, CliError> {
        let (base_url, token, demo, profile, web_url) = if global.demo {
            let demo_config = DemoConfig {
                latency: std::time::Duration::from_millis(global.demo_latency_ms),
                hostile: global.demo_hostile,
                live_rate: global.demo_live_rate.max(0.0),
                ..DemoConfig::default()
            };
            let server = DemoServer::start(demo_config)
                .await
                .map_err(|source| CliError::Io {
                    context: "could not start the embedded demo API".into(),
                    source,
                })?;
            let token = Token::new(server.token());
            let web_url = format!(
                "{}{}",
                server.url().trim_end_matches('/'),
                crate::demo::PANEL_PATH
            );
            (server.url(), token, Some(server), None, Some(web_url))
        } else {
            let profile = config.profile(global.profile.as_deref())?;
            let account = ProfileAccount::of(global, profile, global.base_url.as_deref())?;
            let name = profile.map(|profile| profile.name.to_owned());
            (account.base_url, account.token, None, name, account.web_url)
        };
        Ok(Connection {
            client: client(global, base_url, token)?,
            profile,
            web_url,
            demo,
        })
    }

    /// The host for the status bar; the demo says so.
    pub fn host_label(&self) -> String {
        let host = host_of(&self.client);
        match (&self.demo, &self.profile) {
            (Some(_), _) => format!("demo API on {host}"),
            (None, Some(profile)) => format!("{profile} · {host}"),
            (None, None) => host,
        }
    }

    /// Stops the demo API, if one was started.
    pub async fn close(self) {
        if let Some(server) = self.demo {
            server.shutdown().await;
        }
    }
}
