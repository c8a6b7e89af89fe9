//! Which account a command talks to: the connection flags every command that calls the API
//! takes, and the client (or the embedded demo API) they describe.
//!
//! The flags are declared once and accepted in two places, before the command (`inbox-tui
//! --demo list`, as the browser takes them) and after it (`inbox-tui list --demo`); the two are
//! merged, the command's own winning. Clap's `global` would also hand them to `demo-server`
//! and `completions`, where they mean nothing.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use super::CliError;
use crate::api::pace::PaceStart;
use crate::api::{Client, ClientConfig, DEFAULT_BASE_URL, RetryPolicy, Token};
use crate::config::{self, Config, LoadedConfig};
use crate::demo::{DemoConfig, DemoServer};

/// Where the config file is and which of its profiles to use.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ConfigLocation {
    /// The config file to use instead of the platform's (see `inbox-tui config path`); it must
    /// exist
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// The config profile to use (its base URL and token) instead of `default_profile`
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
}

impl ConfigLocation {
    /// This location, with `outer`'s values where this one gives none.
    pub fn or(self, outer: &ConfigLocation) -> ConfigLocation {
        ConfigLocation {
            config: self.config.or_else(|| outer.config.clone()),
            profile: self.profile.or_else(|| outer.profile.clone()),
        }
    }

    /// Loads the config `--config` names (or the platform's), telling stderr about files that
    /// hold a token and that others can read. A file named with `--config` must exist: a typo
    /// silently falling back to the defaults would send requests to the wrong account.
    pub fn load(&self) -> Result<LoadedConfig, CliError> {
        if let Some(path) = &self.config {
            require_existing(path)?;
        }
        let loaded = Config::load(self.config.as_deref())?;
        for warning in &loaded.warnings {
            super::warn(warning);
        }
        Ok(loaded)
    }
}

fn require_existing(path: &Path) -> Result<(), CliError> {
    if path.exists() {
        return Ok(());
    }
    let default = config::config_path(None)
        .map(|path| format!(" ({})", path.display()))
        .unwrap_or_default();
    Err(CliError::Usage(format!(
        "the config file {} given with --config does not exist; check the path, create it \
         (`inbox-tui config set-token --config PATH` writes one; config.example.toml shows every \
         key), or leave --config out to use the platform's{default}",
        path.display()
    )))
}

/// The flags that say which API a command talks to and how patiently.
#[derive(Debug, Clone, Default, clap::Args)]
#[command(next_help_heading = "Connection")]
pub struct ConnectionArgs {
    // This doc comment is also the `--help` text, where a bare URL reads best.
    #[allow(rustdoc::bare_urls)]
    /// API base URL; white-label hosts use their own, e.g. https://api.v7.flowmatix.ai
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,

    #[command(flatten)]
    pub location: ConfigLocation,

    /// Send the token over plain http:// to hosts other than this machine (it can be read on
    /// the way)
    #[arg(long)]
    pub allow_insecure_http: bool,

    /// Start the embedded demo API on a free loopback port and use it (no account needed)
    #[arg(long)]
    pub demo: bool,

    /// With --demo: latency added to every demo response, to try the app on a slow network
    #[arg(long, value_name = "MS")]
    pub demo_latency_ms: Option<u64>,

    /// With --demo: contacts typed by an attacker (terminal escapes, spreadsheet formulas, bidi
    /// and invisible characters, broken text) and escapes in every error message, to see that
    /// none of it reaches the terminal or a spreadsheet
    #[arg(long)]
    pub demo_hostile: bool,

    /// With --demo: R contacts a second get a new message and move to page 1, as on a busy
    /// live inbox
    #[arg(long, value_name = "R")]
    pub demo_live_rate: Option<f64>,

    /// Attempts per request, the first included, before giving up on 429, 5xx and network
    /// errors (default 4)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=20))]
    pub attempts: Option<u32>,

    /// Seconds, in all, a request may wait on 429 replies that say when to retry before those
    /// start to use up attempts: a rate limit asks to wait, it is not a failure (default 300)
    #[arg(long, value_name = "SECS")]
    pub rate_limit_patience: Option<u64>,

    /// The API's rate limit in requests a second, when known: every request to the account is
    /// paced at it from the first (beats a profile's rate_limit; default: learned from the
    /// server's refusals and headers, and remembered per host)
    #[arg(long, value_name = "N", value_parser = parse_rate)]
    pub rate: Option<f64>,
}

fn parse_rate(text: &str) -> Result<f64, String> {
    let rate: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a number of requests a second, e.g. 10"))?;
    config::check_rate_limit(rate)
}

impl ConnectionArgs {
    /// The command's own flags, with those given before the command where it gives none.
    pub fn or(self, outer: &ConnectionArgs) -> ConnectionArgs {
        ConnectionArgs {
            base_url: self.base_url.or_else(|| outer.base_url.clone()),
            location: self.location.or(&outer.location),
            allow_insecure_http: self.allow_insecure_http || outer.allow_insecure_http,
            demo: self.demo || outer.demo,
            demo_latency_ms: self.demo_latency_ms.or(outer.demo_latency_ms),
            demo_hostile: self.demo_hostile || outer.demo_hostile,
            demo_live_rate: self.demo_live_rate.or(outer.demo_live_rate),
            attempts: self.attempts.or(outer.attempts),
            rate_limit_patience: self.rate_limit_patience.or(outer.rate_limit_patience),
            rate: self.rate.or(outer.rate),
        }
    }

    /// The flags given, by name, for a command that takes none of them.
    pub fn given(&self) -> Vec<&'static str> {
        let flags = [
            ("--base-url", self.base_url.is_some()),
            ("--config", self.location.config.is_some()),
            ("--profile", self.location.profile.is_some()),
            ("--allow-insecure-http", self.allow_insecure_http),
            ("--demo", self.demo),
            ("--demo-latency-ms", self.demo_latency_ms.is_some()),
            ("--demo-hostile", self.demo_hostile),
            ("--demo-live-rate", self.demo_live_rate.is_some()),
            ("--attempts", self.attempts.is_some()),
            ("--rate-limit-patience", self.rate_limit_patience.is_some()),
            ("--rate", self.rate.is_some()),
        ];
        flags
            .into_iter()
            .filter(|(_, given)| *given)
            .map(|(name, _)| name)
            .collect()
    }

    /// Refuses combinations that cannot work, now that both places are merged (clap checks
    /// each place alone).
    fn check(&self) -> Result<(), CliError> {
        if self.demo {
            for (flag, given) in [
                ("--base-url", self.base_url.is_some()),
                ("--profile", self.location.profile.is_some()),
            ] {
                if given {
                    return Err(CliError::Usage(format!(
                        "{flag} cannot be used with --demo, which talks to the embedded demo \
                         API; drop one of the two"
                    )));
                }
            }
        } else if let Some(flag) = [
            ("--demo-latency-ms", self.demo_latency_ms.is_some()),
            ("--demo-hostile", self.demo_hostile),
            ("--demo-live-rate", self.demo_live_rate.is_some()),
        ]
        .into_iter()
        .find_map(|(flag, given)| given.then_some(flag))
        {
            return Err(CliError::Usage(format!(
                "{flag} only applies to the embedded demo API; add --demo"
            )));
        }
        Ok(())
    }
}

/// Where a profile's account is and how to reach it, before a client is built for it.
struct ProfileAccount {
    base_url: String,
    token: Token,
    web_url: Option<String>,
    /// The profile's `rate_limit`.
    rate_limit: Option<f64>,
}

impl ProfileAccount {
    /// The account of `profile` (none: BotPenguin's host and `INBOX_TUI_TOKEN`), at
    /// `base_url` when one is forced (`--base-url`), refused over plain http to another
    /// machine unless the user allowed it.
    fn of(
        args: &ConnectionArgs,
        profile: Option<config::NamedProfile<'_>>,
        base_url: Option<&str>,
        token: Token,
    ) -> Result<ProfileAccount, CliError> {
        let forced = base_url.map(str::to_owned);
        let base_url = match (forced.clone(), profile) {
            (Some(base_url), _) => base_url,
            (None, Some(profile)) => profile.profile.base_url().to_owned(),
            (None, None) => DEFAULT_BASE_URL.to_owned(),
        };
        config::check_plain_http(&base_url, args.allow_insecure_http).map_err(CliError::Usage)?;
        let web_url = match profile {
            Some(profile) if forced.is_none() => profile.profile.web_url().map(str::to_owned),
            _ if base_url == DEFAULT_BASE_URL => Some(config::DEFAULT_WEB_URL.to_owned()),
            _ => None,
        };
        Ok(ProfileAccount {
            base_url,
            token,
            web_url,
            rate_limit: profile.and_then(|profile| profile.profile.rate_limit()),
        })
    }
}

/// A client for `base_url` with the retry settings of the command line, paced at `--rate`, else
/// the profile's `rate_limit`, else the pace remembered for its host, if any.
fn client(
    args: &ConnectionArgs,
    base_url: String,
    token: Token,
    rate_limit: Option<f64>,
) -> Result<Client, CliError> {
    let defaults = RetryPolicy::default();
    let mut client_config = ClientConfig::new(base_url, token);
    client_config.retry.max_attempts = args.attempts.unwrap_or(defaults.max_attempts);
    client_config.retry.rate_limit_patience = args
        .rate_limit_patience
        .map_or(defaults.rate_limit_patience, Duration::from_secs);
    client_config.pace = match args.rate.or(rate_limit) {
        Some(rate) => PaceStart::Set(rate),
        None => PaceStart::Unknown,
    };
    let client = Client::new(client_config)?;
    if args.rate.or(rate_limit).is_none()
        && !args.demo
        && let Some(rate) = config::RememberedPaces::load(&client.host_key())
    {
        tracing::debug!(rate, "starting from the pace remembered for this host");
        return Ok(client.with_pace_start(PaceStart::Remembered(rate)));
    }
    Ok(client)
}

/// Remembers the pace `client` learned, for the next run against its host. A failure to write
/// it only costs the next run a few refusals: it goes to the log.
pub fn remember_pace(client: &Client) {
    let Some(rate) = client.pace().learned() else {
        return;
    };
    if let Err(error) = config::RememberedPaces::save(&client.host_key(), rate) {
        tracing::warn!(%error, "could not remember the learned pace");
    }
}

/// `host:port` of the client's base URL, as the status bar names it.
pub(super) fn host_of(client: &Client) -> String {
    host_port(client.base_url())
}

/// `host:port`, or the host alone on the scheme's own port.
fn host_port(url: &url::Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_owned(),
        (None, _) => url.to_string(),
    }
}

/// The account a snapshot belongs to, from the flags and the config alone: `snapshot status`
/// and `snapshot drop` send nothing, so they need no token and start no demo server. The
/// name is the profile (`default` without one) and the host the client would talk to, or
/// `demo` for the embedded demo API, as [`Connection::snapshot_path`] names it.
pub fn snapshot_account(args: &ConnectionArgs, config: &Config) -> Result<String, CliError> {
    args.check()?;
    if args.demo {
        return Ok("demo".to_owned());
    }
    let profile = config.profile(args.location.profile.as_deref())?;
    let base_url = match (&args.base_url, profile) {
        (Some(base_url), _) => base_url.clone(),
        (None, Some(profile)) => profile.profile.base_url().to_owned(),
        (None, None) => DEFAULT_BASE_URL.to_owned(),
    };
    let url = url::Url::parse(&base_url).map_err(|error| {
        CliError::Usage(format!(
            "the base URL {base_url:?} is not a URL ({error}); write e.g. https://api.example.com/"
        ))
    })?;
    Ok(account_name(
        profile.map(|profile| profile.name),
        &host_port(&url),
    ))
}

/// `profile@host`, `default@host` without a profile.
pub(super) fn account_name(profile: Option<&str>, host: &str) -> String {
    format!("{}@{host}", profile.unwrap_or("default"))
}

/// The config's profiles, for the browser to switch between. A profile switched to uses its
/// own base URL (`--base-url` was for the one started with) and its own token, never
/// `INBOX_TUI_TOKEN`, which was set for the account started with.
pub struct ConfigProfiles {
    pub config: Config,
    pub args: ConnectionArgs,
    /// `--offline`: a profile switched to is browsed from its snapshot, with no token.
    pub offline: bool,
}

impl crate::app::Profiles for ConfigProfiles {
    fn names(&self) -> Vec<String> {
        self.config.profile_names()
    }

    fn connect(&self, name: &str) -> Result<crate::app::Account, String> {
        let connect = || -> Result<crate::app::Account, CliError> {
            let profile = self.config.profile(Some(name))?;
            // Offline sends nothing, so it needs no token.
            let token = if self.offline {
                Token::new("")
            } else {
                match profile {
                    Some(profile) => config::profile_token(profile),
                    None => Err(config::TokenError::Missing { profile: None }),
                }
                .map_err(|error| CliError::Usage(error.to_string()))?
            };
            let account = ProfileAccount::of(&self.args, profile, None, token)?;
            let web_url = account.web_url.clone();
            let client = if self.offline {
                Client::offline(&account.base_url)?
            } else {
                client(
                    &self.args,
                    account.base_url,
                    account.token,
                    account.rate_limit,
                )?
            };
            // Each account keeps its own snapshot, named as `snapshot sync --profile` names it.
            let path = snapshot_path(&account_name(Some(name), &host_of(&client)))?;
            let snapshot = path.exists().then(|| crate::app::local::SnapshotOptions {
                path: path.clone(),
                offline: self.offline,
                full_every: self
                    .config
                    .snapshot_full_every()
                    .unwrap_or(crate::snapshot::DEFAULT_FULL_EVERY),
            });
            if self.offline && snapshot.is_none() {
                return Err(CliError::Usage(format!(
                    "offline, and profile {name:?} has no snapshot ({}): run `inbox-tui \
                     snapshot sync --profile {name}` first",
                    path.display()
                )));
            }
            Ok(crate::app::Account {
                host_label: format!("{name} · {}", host_of(&client)),
                client: Arc::new(client),
                web_url,
                snapshot_as_of: snapshot
                    .as_ref()
                    .and_then(|snapshot| crate::app::local::synced_at(&snapshot.path)),
                snapshot,
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
    /// `--demo --offline`: the demo account's snapshot, with no demo server started.
    demo_offline: bool,
}

impl Connection {
    /// Builds the client the flags and the config describe, starting the demo API first if
    /// asked. `--base-url` beats the profile's; `INBOX_TUI_TOKEN` beats its token.
    pub async fn open(args: &ConnectionArgs, config: &Config) -> Result<Connection, CliError> {
        args.check()?;
        let mut rate_limit = None;
        let (base_url, token, demo, profile, web_url) = if args.demo {
            let demo_config = DemoConfig {
                latency: Duration::from_millis(args.demo_latency_ms.unwrap_or(0)),
                hostile: args.demo_hostile,
                live_rate: args.demo_live_rate.unwrap_or(0.0).max(0.0),
                ..DemoConfig::default()
            };
            let server = DemoServer::start(demo_config)
                .await
                .map_err(|source| CliError::Io {
                    context: "could not start the embedded demo API".into(),
                    source,
                })?;
            let token = Token::new(server.token()).with_origin("the embedded demo API");
            let web_url = format!(
                "{}{}",
                server.url().trim_end_matches('/'),
                crate::demo::PANEL_PATH
            );
            (server.url(), token, Some(server), None, Some(web_url))
        } else {
            let profile = config.profile(args.location.profile.as_deref())?;
            let token = config::resolve_token(profile)
                .map_err(|error| CliError::Usage(error.to_string()))?;
            let account = ProfileAccount::of(args, profile, args.base_url.as_deref(), token)?;
            let name = profile.map(|profile| profile.name.to_owned());
            rate_limit = account.rate_limit;
            (account.base_url, account.token, None, name, account.web_url)
        };
        Ok(Connection {
            client: client(args, base_url, token, rate_limit)?,
            profile,
            web_url,
            demo,
            demo_offline: false,
        })
    }

    /// `--offline`: the account the flags and the config name, with a client that sends
    /// nothing ([`Client::offline`]). No token is read and no demo server is started: the
    /// snapshot is named by the profile and host alone.
    pub fn offline(args: &ConnectionArgs, config: &Config) -> Result<Connection, CliError> {
        args.check()?;
        if args.demo {
            return Ok(Connection {
                client: Client::offline("http://127.0.0.1/")?,
                profile: None,
                web_url: None,
                demo: None,
                demo_offline: true,
            });
        }
        let profile = config.profile(args.location.profile.as_deref())?;
        let account = ProfileAccount::of(args, profile, args.base_url.as_deref(), Token::new(""))?;
        Ok(Connection {
            client: Client::offline(&account.base_url)?,
            profile: profile.map(|profile| profile.name.to_owned()),
            web_url: account.web_url,
            demo: None,
            demo_offline: false,
        })
    }

    /// Whether this is the embedded demo API (or, offline, its snapshot).
    pub fn is_demo(&self) -> bool {
        self.demo.is_some() || self.demo_offline
    }

    /// The host for the status bar; the demo says so.
    pub fn host_label(&self) -> String {
        let host = host_of(&self.client);
        match (&self.demo, &self.profile) {
            _ if self.demo_offline => "demo API".to_owned(),
            (Some(_), _) => format!("demo API on {host}"),
            (None, Some(profile)) => format!("{profile} · {host}"),
            (None, None) => host,
        }
    }

    /// Stops the demo API, if one was started. The client goes first: its pooled keep-alive
    /// connections would otherwise hold the server's graceful shutdown open.
    pub async fn close(self) {
        let Connection { client, demo, .. } = self;
        if demo.is_none() {
            remember_pace(&client);
        }
        drop(client);
        if let Some(server) = demo {
            server.shutdown().await;
        }
    }
}

/// Where the snapshot of `account` lives, or why there is nowhere to keep one.
pub fn snapshot_path(account: &str) -> Result<PathBuf, CliError> {
    crate::snapshot::path_for(account).ok_or_else(|| {
        CliError::Usage(
            "the snapshot needs a state directory, and neither XDG_STATE_HOME nor HOME is set \
             to an absolute path; set one"
                .into(),
        )
    })
}
