//! The command line: the commands, the flags each takes, and the exit codes they end with.

mod auth;
mod browser;
mod changes;
mod config_cmd;
mod connection;
mod count;
mod demo_server;
mod export;
mod filters;
mod generated;
mod list;
mod lookup;
mod output;
mod snapshot_cmd;
mod snapshot_export;
mod waiting;
mod write;

use std::io;

use clap::{Parser, Subcommand};

use crate::api::ApiError;
use crate::config::{ConfigError, LoadedConfig};
use crate::signals::{Stop, StopSignals};
use crate::snapshot::SnapshotError;

pub use crate::config::TOKEN_ENV;
pub use auth::{AuthArgs, AuthCommand};
pub use browser::BrowserArgs;
pub use changes::ChangesArgs;
pub use config_cmd::{ConfigArgs, ConfigCommand};
pub use connection::{ConfigLocation, Connection, ConnectionArgs};
pub use count::CountArgs;
pub use demo_server::DemoServerArgs;
pub use export::ExportArgs;
pub use filters::FilterArgs;
pub use generated::{CompletionsArgs, ManArgs};
pub use list::ListArgs;
pub use lookup::LookupArgs;
pub use output::OutputFormat;
pub use snapshot_cmd::{SnapshotArgs, SnapshotCommand};
pub use write::{DeleteArgs, HistoryArgs, SetStatusArgs, UndoArgs, WriteArgs};

#[derive(Debug, Parser)]
#[command(
    name = "inbox-tui",
    version,
    about = "Browse, filter and export BotPenguin v7 inbox contacts from a terminal",
    long_about = "Browse, filter and export BotPenguin v7 inbox contacts from a terminal.\n\n\
        Without a command it opens the full-screen browser. The API token is read from the \
        INBOX_TUI_TOKEN environment variable, else from the profile the config file picks (see \
        `inbox-tui config`). Use --demo to try everything against the embedded demo API without \
        an account.",
    after_help = EXIT_CODES_HELP
)]
pub struct Cli {
    /// The connection, for the browser; the commands take these flags too, before or after
    /// their name.
    #[command(flatten)]
    pub connection: ConnectionArgs,

    #[command(flatten)]
    pub browser: BrowserArgs,

    /// Say on stderr what is requested and how long it takes (-v), or more (-vv); headless
    /// commands only, the token never shown
    #[arg(short, long, action = clap::ArgAction::Count, global = true, help_heading = "Logging")]
    pub verbose: u8,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The browser's own flags, which the headless commands do not take.
const BROWSER_ONLY: [&str; 2] = ["--mouse", "--refresh"];

impl Cli {
    /// Parses the command line, exiting with clap's message on a mistake; a browser flag
    /// given to a command (`list --mouse`) is said to be one, not just "unexpected".
    pub fn parse_args() -> Cli {
        use clap::error::{ContextKind, ContextValue, ErrorKind};
        let error = match Cli::try_parse() {
            Ok(cli) => return cli,
            Err(error) => error,
        };
        if error.kind() == ErrorKind::UnknownArgument
            && let Some(ContextValue::String(given)) = error.get(ContextKind::InvalidArg)
            && let Some(flag) = BROWSER_ONLY.iter().find(|flag| given.starts_with(*flag))
        {
            say(format_args!(
                "error: {flag} is a browser-only flag: it belongs to `inbox-tui` without a \
                 command (e.g. `inbox-tui --demo {flag}`), and the headless commands (list, \
                 export, …) do not take it. Leave it out here."
            ));
            std::process::exit(2);
        }
        error.exit()
    }
}

/// The exit codes, at the end of `--help`, as the README's table gives them.
const EXIT_CODES_HELP: &str = "Exit codes: 0 success, 1 failure, 2 bad input, 4 token rejected, \
    130 interrupted (SIGINT), 143 terminated (SIGTERM), 129 hung up (SIGHUP).";

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print contacts to stdout: one page, or --limit N / --all across pages
    List(Box<ListArgs>),
    /// Export every contact matching the filters (or only listed ids) to CSV, JSON or NDJSON
    Export(Box<ExportArgs>),
    /// Set the status of every contact matching the filters (or only listed ids): walked first,
    /// confirmed, journaled, sent in chunks of 50, read back
    SetStatus(Box<SetStatusArgs>),
    /// Delete every contact matching the filters (or only listed ids); asks for `delete N` typed
    Delete(Box<DeleteArgs>),
    /// Set the contacts a run changed back to the status each had (deletions are beyond undo)
    Undo(Box<UndoArgs>),
    /// List the runs of writes kept in the journal
    History(HistoryArgs),
    /// Count the contacts matching the filters, or with --by, per status, tag, agent, segment,
    /// bot or channel: from the snapshot when there is one, else by walking the API
    Count(Box<CountArgs>),
    /// Keep a local snapshot of the account (sync, status, drop), for instant counts and
    /// exports
    Snapshot(SnapshotArgs),
    /// The contacts new, moved, changed or gone in the snapshot since a time ago, or as they
    /// happen (--follow)
    Changes(Box<ChangesArgs>),
    /// List the agents (ids for --agent)
    Agents(LookupArgs),
    /// List the segments (ids for --segment)
    Segments(LookupArgs),
    /// List every bot the contacts mention, with its channel, and the WhatsApp bots of the API
    /// (ids for --bot-*)
    Bots(LookupArgs),
    /// Check the API token
    Auth(AuthArgs),
    /// Run the embedded demo API server until interrupted
    DemoServer(Box<DemoServerArgs>),
    /// Show, check or write the config file (profiles, tokens, keys, theme, saved views)
    Config(ConfigArgs),
    /// Print a shell completion script to stdout (see the README for where to put it)
    Completions(CompletionsArgs),
    /// Print the man page (roff) to stdout, e.g. `inbox-tui man | man -l -`, or write every
    /// command's page with --out-dir
    Man(ManArgs),
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
    /// The API refused the token part-way through a command that says what it left undone.
    #[error("{0}")]
    TokenRejected(String),
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
    /// `--ids-from` named ids that no contact matching the filters has; they were listed.
    #[error("{0}")]
    Missing(String),
    /// A write that did not change every contact it was meant to; the failed ids were named.
    #[error("{0}")]
    Write(String),
    /// The local snapshot could not be used.
    #[error(transparent)]
    Snapshot(crate::snapshot::SnapshotError),
    /// A signal ended the run; `what` says what happened to its work.
    #[error("stopped by {}: {what}", stop.name())]
    Stopped { stop: Stop, what: String },
}

/// Bad input, as clap reports it too.
pub const EXIT_USAGE: u8 = 2;
/// The API refused the token, as `gh` reports it.
pub const EXIT_TOKEN_REJECTED: u8 = 4;

impl CliError {
    /// 2 for bad input, 4 for a rejected token, 128 + the signal's number when one stopped the
    /// run, 1 for everything else that went wrong.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_) => EXIT_USAGE,
            CliError::Stopped { stop, .. } => stop.exit_code(),
            CliError::Api(ApiError::InvalidBaseUrl { .. }) => EXIT_USAGE,
            CliError::Api(ApiError::Unauthorized { .. }) | CliError::TokenRejected(_) => {
                EXIT_TOKEN_REJECTED
            }
            CliError::Config(ConfigError::Write { .. }) => 1,
            CliError::Snapshot(
                SnapshotError::Missing { .. } | SnapshotError::NewerSchema { .. },
            ) => EXIT_USAGE,
            CliError::Config(_) => EXIT_USAGE,
            CliError::Api(_)
            | CliError::Export(_)
            | CliError::Io { .. }
            | CliError::ConfigCheck(_)
            | CliError::Missing(_)
            | CliError::Write(_)
            | CliError::Snapshot(_) => 1,
        }
    }

    /// Whether the reader of standard output went away (`| head`): the run ends quietly with
    /// 0, as the tools `head` users know do.
    pub fn is_closed_pipe(&self) -> bool {
        matches!(self, CliError::Io { source, .. } if source.kind() == io::ErrorKind::BrokenPipe)
    }
}

/// Runs the parsed command line. Every command that talks to the API reads the config first,
/// and refuses to start when it has mistakes.
pub async fn run(cli: Cli) -> Result<(), CliError> {
    let Cli {
        connection: outer,
        browser,
        verbose,
        command,
    } = cli;
    let Some(command) = command else {
        if verbose > 0 {
            return Err(CliError::Usage(format!(
                "-v prints to stderr, which the browser's screen owns; run the browser with \
                 {}=debug and read its log file instead",
                crate::logging::LOG_ENV
            )));
        }
        return browser::run(&outer, &browser).await;
    };
    if let Some(flag) = browser.given().first() {
        return Err(CliError::Usage(format!(
            "{flag} applies only to the browser (inbox-tui without a command); drop it"
        )));
    }
    match command {
        Command::List(args) => {
            let connection = args.connection.clone().or(&outer);
            with_api(&connection, "list", async |api, loaded| {
                let time_zone = loaded.config.time_zone().time_zone();
                list::run(&api.client, &args, &time_zone).await
            })
            .await
        }
        Command::Export(args) => {
            let connection = args.connection.clone().or(&outer);
            let loaded = connection.location.load()?;
            let api = Connection::open(&connection, &loaded.config).await?;
            let time_zone = loaded.config.time_zone().time_zone();
            // The export watches for signals itself, to say what it left behind.
            let waits = waiting::WaitNotices::start(&api.client);
            let result = if args.from_snapshot {
                snapshot_export::run(&api, &args, loaded.config.csv_style(), &time_zone).await
            } else {
                export::run(&api.client, &args, loaded.config.csv_style(), &time_zone).await
            };
            drop(waits);
            api.close().await;
            result
        }
        Command::SetStatus(args) => {
            let time_zone = write_time_zone(&args.write, &outer)?;
            write::set_status(&args, &outer, &time_zone).await
        }
        Command::Delete(args) => {
            let time_zone = write_time_zone(&args.write, &outer)?;
            write::delete(&args, &outer, &time_zone).await
        }
        Command::Undo(args) => {
            if !args.dry_run && !args.yes && !std::io::IsTerminal::is_terminal(&std::io::stdin()) {
                return Err(CliError::Usage(
                    "refusing to change contacts without a terminal to confirm on; look first \
                     with --dry-run, then pass --yes"
                        .into(),
                ));
            }
            let connection = args.connection.clone().or(&outer);
            let loaded = connection.location.load()?;
            let api = Connection::open(&connection, &loaded.config).await?;
            let result = write::undo(&api.client, &args).await;
            api.close().await;
            result
        }
        Command::History(_) => {
            refuse_outer(&outer, "history", &[])?;
            write::history()
        }
        Command::Count(args) => {
            let connection = args.connection.clone().or(&outer);
            with_api(&connection, "count", async |api, loaded| {
                let time_zone = loaded.config.time_zone().time_zone();
                count::run(api, &args, &time_zone).await
            })
            .await
        }
        Command::Snapshot(args) => match args.command {
            SnapshotCommand::Sync(sync) => {
                let connection = sync.connection.clone().or(&outer);
                with_api(&connection, "snapshot sync", async |api, loaded| {
                    snapshot_cmd::sync(api, &sync, &loaded.config).await
                })
                .await
            }
            // These two send nothing: the account is named from the flags and the config,
            // with no token.
            SnapshotCommand::Status(status) => {
                let connection = status.connection.clone().or(&outer);
                let loaded = connection.location.load()?;
                let account = connection::snapshot_account(&connection, &loaded.config)?;
                let time_zone = loaded.config.time_zone().time_zone();
                snapshot_cmd::status(&connection::snapshot_path(&account)?, &status, &time_zone)
            }
            SnapshotCommand::Drop(drop) => {
                let connection = drop.connection.clone().or(&outer);
                let loaded = connection.location.load()?;
                let account = connection::snapshot_account(&connection, &loaded.config)?;
                snapshot_cmd::drop_snapshot(&connection::snapshot_path(&account)?)
            }
        },
        Command::Changes(args) => {
            let connection = args.connection.clone().or(&outer);
            with_api(&connection, "changes", async |api, loaded| {
                let time_zone = loaded.config.time_zone().time_zone();
                changes::run(api, &args, &time_zone, &loaded.config).await
            })
            .await
        }
        Command::Agents(args) => {
            let connection = args.connection.clone().or(&outer);
            with_api(&connection, "agents", async |api, _| {
                lookup::agents(&api.client, args.format).await
            })
            .await
        }
        Command::Segments(args) => {
            let connection = args.connection.clone().or(&outer);
            with_api(&connection, "segments", async |api, _| {
                lookup::segments(&api.client, args.format).await
            })
            .await
        }
        Command::Bots(args) => {
            let connection = args.connection.clone().or(&outer);
            with_api(&connection, "bots", async |api, loaded| {
                lookup::bots(&api.client, loaded.config.names(), args.format).await
            })
            .await
        }
        Command::Auth(args) => match args.command {
            AuthCommand::Status(status) => {
                let connection = status.connection.or(&outer);
                with_api(&connection, "auth status", async |api, _| {
                    auth::status(api).await
                })
                .await
            }
        },
        Command::DemoServer(args) => {
            refuse_outer(&outer, "demo-server", &[])?;
            demo_server::run(*args).await
        }
        Command::Config(args) => {
            refuse_outer(&outer, "config", &["--config", "--profile"])?;
            config_cmd::run(&args, &args.location(&outer.location))
        }
        Command::Completions(args) => {
            refuse_outer(&outer, "completions", &[])?;
            generated::completions(args.shell)
        }
        Command::Man(args) => {
            refuse_outer(&outer, "man", &[])?;
            generated::man(&args)
        }
    }
}

/// Loads the config, opens the connection and runs `work` on it, ending early with 130, 143 or
/// 129 on SIGINT, SIGTERM or SIGHUP (the demo API, if any, is stopped either way).
async fn with_api(
    connection: &ConnectionArgs,
    name: &str,
    work: impl AsyncFnOnce(&Connection, &LoadedConfig) -> Result<(), CliError>,
) -> Result<(), CliError> {
    let mut signals = StopSignals::new(true).map_err(|source| CliError::Io {
        context: "cannot watch for signals".into(),
        source,
    })?;
    let loaded = connection.location.load()?;
    let api = Connection::open(connection, &loaded.config).await?;
    let waits = waiting::WaitNotices::start(&api.client);
    let result = tokio::select! {
        result = work(&api, &loaded) => result,
        stop = signals.next() => Err(CliError::Stopped { stop, what: format!("{name} did not finish") }),
    };
    drop(waits);
    api.close().await;
    result
}

/// Refuses connection flags given before a command that does not talk to the API (`allowed`
/// names the ones it does take).
fn refuse_outer(outer: &ConnectionArgs, command: &str, allowed: &[&str]) -> Result<(), CliError> {
    match outer
        .given()
        .into_iter()
        .find(|flag| !allowed.contains(flag))
    {
        Some(flag) => Err(CliError::Usage(format!(
            "{flag} does not apply to `inbox-tui {command}`; drop it (`inbox-tui {command} --help` \
             lists what does)"
        ))),
        None => Ok(()),
    }
}

/// "1 contact", "2 contacts".
pub fn plural(count: u64, one: &str, many: &str) -> String {
    if count == 1 {
        format!("1 {one}")
    } else {
        format!("{count} {many}")
    }
}

/// Writes a line on stdout; a reader gone away (`| head`) ends the command quietly.
pub fn print_line(text: &str) -> Result<(), CliError> {
    use std::io::Write as _;
    let mut stdout = io::stdout().lock();
    writeln!(stdout, "{text}")
        .and_then(|()| stdout.flush())
        .map_err(|source| CliError::Io {
            context: "cannot write to standard output".into(),
            source,
        })
}

/// Writes a line on stderr. Unlike `eprintln!`, a stderr nobody reads any more (`2>&1 | grep
/// -q`, the reader gone) loses the line instead of panicking: the work it reports on is done.
pub fn say(line: std::fmt::Arguments<'_>) {
    use std::io::Write as _;
    let _ = writeln!(io::stderr(), "{line}");
}

/// Writes on stderr without a newline (a progress line that rewrites itself), as [`say`] does.
pub fn say_inline(text: std::fmt::Arguments<'_>) {
    use std::io::Write as _;
    let mut stderr = io::stderr();
    let _ = write!(stderr, "{text}").and_then(|()| stderr.flush());
}

/// The values left out that `report_unusable` names one by one on stderr; the log names all.
const UNUSABLE_NAMED: usize = 20;

/// Warns that `counted` values in the pages' `data` were not contacts and were left out, and
/// names them by page and position (and id when they had one), as the client recorded them.
pub fn report_unusable(client: &crate::api::Client, counted: u64) {
    if counted == 0 {
        return;
    }
    let (named, more) = client.unusable_contacts();
    let recorded = named.len() as u64 + more;
    let total = if recorded > 0 { recorded } else { counted };
    warn(&format!(
        "{} could not be used and {} left out (the server sent something that is not a \
         contact object):",
        plural(total, "contact", "contacts"),
        if total == 1 { "was" } else { "were" }
    ));
    for one in named.iter().take(UNUSABLE_NAMED) {
        say(format_args!(
            "  {}",
            crate::text::terminal_safe(&crate::text::single_line(&one.to_string()))
        ));
    }
    let unnamed = total.saturating_sub(named.len().min(UNUSABLE_NAMED) as u64);
    if unnamed > 0 {
        say(format_args!(
            "  … and {unnamed} more; the log names every one ({})",
            crate::logging::log_file_path()
                .map(|path| crate::text::terminal_safe(&path.display().to_string()).into_owned())
                .unwrap_or_else(|| "no log file: no state directory".into())
        ));
    }
}

/// Prints a warning on stderr, through the rule that keeps server (or any) text from driving
/// the terminal.
pub fn warn(text: &str) {
    say(format_args!(
        "warning: {}",
        crate::text::terminal_safe(text)
    ));
}

/// The time zone a write's dates are read in: its config, wherever the command line names it.
fn write_time_zone(
    write: &WriteArgs,
    outer: &ConnectionArgs,
) -> Result<jiff::tz::TimeZone, CliError> {
    let loaded = write
        .connection
        .location
        .clone()
        .or(&outer.location)
        .load()?;
    Ok(loaded.config.time_zone().time_zone())
}
