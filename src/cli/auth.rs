//! `inbox-tui auth status`: which account and token a command would use, and whether the API
//! accepts the token, without ever showing it.

use std::io::Write;
use std::time::Instant;

use clap::Subcommand;

use super::{CliError, Connection, ConnectionArgs};
use crate::api::ApiError;

#[derive(Debug, clap::Args)]
pub struct AuthArgs {
    #[command(subcommand)]
    pub command: AuthCommand,
}

#[derive(Debug, Subcommand)]
pub enum AuthCommand {
    /// Show the profile, the host, where the token comes from and its first and last two
    /// characters, then make one small request to check it (exit 0 if it works, 4 if the API
    /// rejects it)
    Status(AuthStatusArgs),
}

#[derive(Debug, clap::Args)]
pub struct AuthStatusArgs {
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// Prints what `api` would use, then asks for the segments, the smallest reply the API has.
pub async fn status(api: &Connection) -> Result<(), CliError> {
    let client = &api.client;
    let token = client.token();
    let lines = [
        (
            "profile",
            api.profile.clone().unwrap_or_else(|| "(none)".into()),
        ),
        (
            "host",
            client.base_url().as_str().trim_end_matches('/').to_owned(),
        ),
        ("token", token.masked()),
        ("from", token.origin().unwrap_or("(unknown)").to_owned()),
    ];
    print_lines(&lines)?;
    let started = Instant::now();
    match client.segments().await {
        Ok(_) => print_lines(&[(
            "status",
            format!(
                "the token works (GET /inbox/segments answered in {} ms)",
                started.elapsed().as_millis()
            ),
        )]),
        Err(error @ ApiError::Unauthorized { .. }) => {
            print_lines(&[("status", "rejected".into())])?;
            Err(CliError::Api(error))
        }
        Err(error) => {
            print_lines(&[("status", "unknown: the check failed".into())])?;
            Err(CliError::Api(error))
        }
    }
}

fn print_lines(lines: &[(&str, String)]) -> Result<(), CliError> {
    let mut stdout = std::io::stdout().lock();
    lines
        .iter()
        .try_for_each(|(label, value)| {
            writeln!(stdout, "{label:<8} {}", crate::text::terminal_safe(value))
        })
        .and_then(|()| stdout.flush())
        .map_err(|source| CliError::Io {
            context: "could not write to stdout".into(),
            source,
        })
}
