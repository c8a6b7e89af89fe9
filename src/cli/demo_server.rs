//! `inbox-tui demo-server`: the embedded demo API as a standalone process, for scripts and tests.

use std::io::Write;
use std::net::SocketAddr;
use std::time::Duration;

use super::CliError;
use crate::demo::{DEFAULT_TOKEN, DemoConfig, DemoServer};

#[derive(Debug, Clone, clap::Args)]
pub struct DemoServerArgs {
    /// Address to listen on; port 0 picks a free one
    #[arg(long, default_value = "127.0.0.1:0")]
    pub addr: SocketAddr,

    /// How many contacts to generate
    #[arg(long, value_name = "N", default_value_t = DemoConfig::default().contacts)]
    pub contacts: usize,

    /// Seed of the generator; the same seed gives the same data on every machine
    #[arg(long, value_name = "S", default_value_t = DemoConfig::default().seed)]
    pub seed: u64,

    /// Bearer token the server accepts
    #[arg(long, value_name = "T", default_value = DEFAULT_TOKEN)]
    pub token: String,

    /// Latency added to every response, in milliseconds
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub latency_ms: u64,

    /// Share of requests answered with a 500, from 0 to 1
    #[arg(long, value_name = "R", default_value_t = 0.0, value_parser = parse_rate)]
    pub fail_rate: f64,

    /// Share of requests answered with a 429 and Retry-After, from 0 to 1
    #[arg(long, value_name = "R", default_value_t = 0.0, value_parser = parse_rate)]
    pub rate_limit_rate: f64,

    /// Share of successful responses whose body is cut short, from 0 to 1
    #[arg(long, value_name = "R", default_value_t = 0.0, value_parser = parse_rate)]
    pub truncate_rate: f64,

    /// Share of successful contact pages answered 200 without a contact list (data null,
    /// missing or an object), from 0 to 1
    #[arg(long, value_name = "R", default_value_t = 0.0, value_parser = parse_rate)]
    pub broken_data_rate: f64,

    /// Seed of the injected faults: the same seed and requests meet the same faults, to replay
    /// a run (default: a random one)
    #[arg(long, value_name = "S")]
    pub fault_seed: Option<u64>,

    /// Contacts a second that get a new message and move to page 1 (0: none)
    #[arg(long, value_name = "R", default_value_t = 0.0, value_parser = parse_live_rate)]
    pub live_rate: f64,

    /// A real rate limit: N requests a second, bursts of one second's worth; beyond it 429 with
    /// Retry-After
    #[arg(long, value_name = "N", value_parser = parse_rate_limit)]
    pub rate_limit: Option<f64>,

    /// With --rate-limit, announce it on every answer (RateLimit-Policy, RateLimit-Remaining,
    /// RateLimit-Reset, as the IETF drafts write them); without it the limit is unannounced, as
    /// the platform's is
    #[arg(long, requires = "rate_limit")]
    pub rate_limit_headers: bool,

    /// Read the body as the newest doc says, "every field is required": a missing key is a 400
    /// with one message per key, null is a wrong type, and an unknown status or lastMessageBy
    /// value is refused. Without it, a missing or null key is a filter that is off and an
    /// unknown value matches nobody, as published clients show the platform takes partial bodies
    #[arg(long)]
    pub strict_body: bool,

    /// Apply isOnline, userInteracted, isLiveChatActive and hasOrdered even when
    /// applicableFilters does not list them. Without it they apply only when listed, the
    /// reading of the doc's only sample; a live account might use either reading. isContact
    /// applies either way
    #[arg(long)]
    pub apply_unlisted_booleans: bool,

    /// A quarter of the contacts typed by an attacker: terminal escapes, spreadsheet formulas,
    /// bidi and invisible characters, and in a few a lone surrogate or bytes that are not UTF-8;
    /// every error message carries escapes too
    #[arg(long)]
    pub hostile: bool,

    /// Answer every write (status change, deletion) with 403, as the platform answers a token
    /// without write permission
    #[arg(long)]
    pub read_only: bool,
}

fn parse_rate(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(rate) if (0.0..=1.0).contains(&rate) => Ok(rate),
        _ => Err(format!(
            "{text:?} is not a rate; use a number from 0 to 1, e.g. 0.2"
        )),
    }
}

fn parse_live_rate(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(rate) if rate.is_finite() && rate >= 0.0 => Ok(rate),
        _ => Err(format!(
            "{text:?} is not a number of contacts a second; use 0 or more, e.g. 5"
        )),
    }
}

fn parse_rate_limit(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(rate) if rate.is_finite() && rate > 0.0 => Ok(rate),
        _ => Err(format!(
            "{text:?} is not a number of requests a second; use more than 0, e.g. 10"
        )),
    }
}

/// Serves until Ctrl-C or SIGTERM. The first stdout line is `listening on http://…`, which
/// scripts and tests wait for.
pub async fn run(args: DemoServerArgs) -> Result<(), CliError> {
    let config = DemoConfig {
        addr: args.addr,
        contacts: args.contacts,
        seed: args.seed,
        token: args.token,
        latency: Duration::from_millis(args.latency_ms),
        fail_rate: args.fail_rate,
        rate_limit_rate: args.rate_limit_rate,
        truncate_rate: args.truncate_rate,
        broken_data_rate: args.broken_data_rate,
        live_rate: args.live_rate,
        rate_limit: args.rate_limit,
        rate_limit_headers: args.rate_limit_headers,
        strict_body: args.strict_body,
        apply_unlisted_booleans: args.apply_unlisted_booleans,
        hostile: args.hostile,
        read_only: args.read_only,
        fault_seed: args.fault_seed,
        ..DemoConfig::default()
    };
    let server = DemoServer::start(config)
        .await
        .map_err(|source| CliError::Io {
            context: format!("could not listen on {}", args.addr),
            source,
        })?;
    let mut stdout = std::io::stdout().lock();
    let announce = writeln!(stdout, "listening on {}", server.url()).and_then(|()| stdout.flush());
    drop(stdout);
    announce.map_err(|source| CliError::Io {
        context: "could not write to stdout".into(),
        source,
    })?;
    wait_for_shutdown_signal().await;
    server.shutdown().await;
    Ok(())
}

async fn wait_for_shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut terminate) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = terminate.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
