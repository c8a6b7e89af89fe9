//! `inbox-tui export`: every contact matching the filters (or only listed ids) to CSV, JSON or
//! NDJSON, through the same engine as the browser's export dialog.

use std::collections::{HashMap, HashSet};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use super::{CliError, FilterArgs};
use crate::api::{ApiError, Client};
use crate::export::{
    self, DEFAULT_CONCURRENCY, Destination, ExportError, ExportFormat, ExportJob, Progress, Scope,
};

#[derive(Debug, Clone, clap::Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub filters: FilterArgs,

    /// File format: CSV (flattened columns), a JSON array or NDJSON (full original contacts).
    /// Without it, the output's extension decides (.json, .ndjson, .jsonl), else CSV
    #[arg(long, value_enum)]
    pub format: Option<ExportFormat>,

    /// Where to write: a file path (~ expands), or - for standard output
    #[arg(long, short, value_name = "PATH|-")]
    pub output: String,

    /// Export only the contact ids in this file: one per line, or a CSV whose first column is the
    /// id (such as an earlier export); blank lines, # comments and an `id` header are skipped
    #[arg(long, value_name = "FILE")]
    pub ids_from: Option<PathBuf>,

    /// Pages fetched at once
    #[arg(long, value_name = "N", default_value_t = DEFAULT_CONCURRENCY, value_parser = parse_concurrency)]
    pub concurrency: usize,
}

fn parse_concurrency(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(count) if (1..=32).contains(&count) => Ok(count),
        _ => Err(format!(
            "{text:?} is not a page count; use a number from 1 to 32"
        )),
    }
}

pub async fn run(client: &Client, args: &ExportArgs) -> Result<(), CliError> {
    let query = args.filters.to_query()?;
    let scope = match &args.ids_from {
        Some(path) => Scope::Ids(read_ids(path)?),
        None => Scope::Matching,
    };
    let destination = Destination::parse(&args.output);
    let format = args.format.unwrap_or_else(|| format_for(&destination));
    let agent_names = if format == ExportFormat::Csv {
        agent_names(client).await?
    } else {
        HashMap::new()
    };
    let job = ExportJob {
        query,
        scope,
        format,
        destination: destination.clone(),
        concurrency: args.concurrency,
        agent_names,
    };
    let show_progress = std::io::stderr().is_terminal();
    let on_progress = move |progress: Progress| {
        if show_progress {
            eprint!(
                "\rexporting: {} contacts written, {} pages fetched",
                progress.contacts_written, progress.pages_fetched
            );
            let _ = std::io::stderr().flush();
        }
    };
    let outcome = tokio::select! {
        outcome = export::run(client, job, &on_progress) => outcome,
        _ = tokio::signal::ctrl_c() => {
            if show_progress {
                eprintln!();
            }
            return Err(CliError::Usage(format!(
                "export cancelled; {} was not written",
                destination.describe()
            )));
        }
    };
    if show_progress {
        eprintln!();
    }
    match outcome {
        Ok(summary) => {
            eprintln!(
                "exported {} contacts to {} ({}, {} pages, {:.1} s)",
                summary.contacts,
                destination.describe(),
                format.extension(),
                summary.pages,
                summary.elapsed.as_secs_f64()
            );
            Ok(())
        }
        Err(ExportError::Fetch { page, source }) => Err(CliError::Export(format!(
            "export failed at page {page}, and {} was not written: {source}",
            destination.describe()
        ))),
        Err(ExportError::Io { context, source }) => Err(CliError::Io { context, source }),
    }
}

/// The format a destination's extension asks for; CSV when it says nothing.
fn format_for(destination: &Destination) -> ExportFormat {
    let Destination::File(path) = destination else {
        return ExportFormat::Csv;
    };
    match path
        .extension()
        .and_then(|extension| extension.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("json") => ExportFormat::Json,
        Some("ndjson" | "jsonl") => ExportFormat::Ndjson,
        _ => ExportFormat::Csv,
    }
}

/// Agent names for the CSV. A rejected token stops the export here; any other failure only
/// leaves the agent-name column empty.
async fn agent_names(client: &Client) -> Result<HashMap<String, String>, CliError> {
    match client.agents().await {
        Ok(agents) => Ok(agents
            .into_iter()
            .map(|agent| (agent.id, agent.name))
            .collect()),
        Err(error @ ApiError::Unauthorized { .. }) => Err(CliError::Api(error)),
        Err(error) => {
            eprintln!("warning: agent names are left empty: {error}");
            Ok(HashMap::new())
        }
    }
}

/// Reads the ids to export, one per line or as a CSV's first column.
fn read_ids(path: &PathBuf) -> Result<HashSet<String>, CliError> {
    let text = std::fs::read_to_string(path).map_err(|source| CliError::Io {
        context: format!("cannot read the ids file {}", path.display()),
        source,
    })?;
    let ids: HashSet<String> = text
        .lines()
        .map(|line| {
            line.split(',')
                .next()
                .unwrap_or("")
                .trim()
                .trim_matches('"')
        })
        .filter(|id| !id.is_empty() && !id.starts_with('#') && *id != "id")
        .map(str::to_owned)
        .collect();
    if ids.is_empty() {
        return Err(CliError::Usage(format!(
            "{} holds no contact ids; put one id per line",
            path.display()
        )));
    }
    Ok(ids)
}
