//! `inbox-tui` without a command: the full-screen browser, and the flags only it takes.

use std::sync::Arc;
use std::time::Duration;

use super::connection::ConfigProfiles;
use super::{CliError, Connection, ConnectionArgs};
use crate::app::{BrowserOptions, run_browser};
use crate::config::{ConfigError, ConfigViewStore, LastFilters};
use crate::ui::Theme;

/// Flags of the browser alone; a command given with one of them is refused.
#[derive(Debug, Clone, Default, clap::Args)]
#[command(next_help_heading = "Browser")]
pub struct BrowserArgs {
    /// Capture the mouse (wheel scrolls, click selects). Off by default because capturing it
    /// breaks selecting text in the terminal
    #[arg(long)]
    pub mouse: bool,

    /// Read page 1 again every SECS seconds while it is shown and you are idle, marking new and
    /// moved contacts (0, the default, is off; the config's `refresh` sets it too)
    #[arg(long, value_name = "SECS")]
    pub refresh: Option<u64>,

    /// Browse the account's local snapshot (`inbox-tui snapshot sync`) with no network: pages,
    /// counts and select-all come from it, and nothing is sent to the API, so no token is
    /// needed (the profile and host name the snapshot)
    #[arg(long)]
    pub offline: bool,
}

impl BrowserArgs {
    /// The browser's flags given, by name.
    pub fn given(&self) -> Vec<&'static str> {
        [
            ("--mouse", self.mouse),
            ("--refresh", self.refresh.is_some()),
            ("--offline", self.offline),
        ]
        .into_iter()
        .filter(|(_, given)| *given)
        .map(|(name, _)| name)
        .collect()
    }
}

/// The account's snapshot for the browser, when it has one; `--offline` without one is an
/// error that says how to make it.
fn snapshot_options(
    api: &Connection,
    args: &BrowserArgs,
    config: &crate::config::Config,
) -> Result<Option<crate::app::local::SnapshotOptions>, CliError> {
    let path = api.snapshot_path()?;
    if !path.exists() {
        if args.offline {
            return Err(CliError::Usage(format!(
                "--offline browses the account's snapshot, and there is none at {}: run \
                 `inbox-tui snapshot sync` first",
                path.display()
            )));
        }
        return Ok(None);
    }
    Ok(Some(crate::app::local::SnapshotOptions {
        path,
        offline: args.offline,
        full_every: config
            .snapshot_full_every()
            .unwrap_or(crate::snapshot::DEFAULT_FULL_EVERY),
    }))
}

/// Opens the browser on the connection the flags describe, and keeps its filters for next time.
pub async fn run(connection: &ConnectionArgs, args: &BrowserArgs) -> Result<(), CliError> {
    let loaded = connection.location.load()?;
    let keymap = loaded
        .config
        .keymap()
        .map_err(|problems| ConfigError::Invalid { problems })?;
    // Offline sends nothing: no token is asked for, and no demo server started.
    let api = if args.offline {
        Connection::offline(connection, &loaded.config)?
    } else {
        Connection::open(connection, &loaded.config).await?
    };
    let profiles = ConfigProfiles {
        config: loaded.config.clone(),
        args: connection.clone(),
        offline: args.offline,
    };
    let options = BrowserOptions {
        client: api.client.clone(),
        profile: api.profile.clone(),
        profiles: Some(Arc::new(profiles)),
        host_label: api.host_label(),
        mouse: args.mouse,
        log_path: crate::logging::log_file_path(),
        keymap,
        csv_style: loaded.config.csv_style(),
        web_url: api.web_url.clone(),
        refresh: args
            .refresh
            .or(loaded.config.refresh())
            .filter(|seconds| *seconds > 0)
            .map(Duration::from_secs),
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
        snapshot: snapshot_options(&api, args, &loaded.config)?,
    };
    let result = run_browser(options).await;
    api.close().await;
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
