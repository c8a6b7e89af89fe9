//! `inbox-tui count`: how many contacts match the filters, and with `--by`, how they spread
//! over a field's values. The snapshot answers at once when there is one and it can evaluate
//! the filters; otherwise the API is walked, which costs a request per 50 contacts.

use jiff::tz::TimeZone;

use super::snapshot_cmd::age_label;
use super::{CliError, Connection, ConnectionArgs, FilterArgs, plural};
use crate::api::RawContact;
use crate::api::walk::{ContactStream, WalkOptions, WalkStep};
use crate::api::{IdSet, Query};
use crate::snapshot::{Facet, LocalQuery, Record, Snapshot, Tally};

#[derive(Debug, Clone, clap::Args)]
pub struct CountArgs {
    #[command(flatten)]
    pub filters: FilterArgs,

    /// Split the matching contacts by this field: among the contacts matching every filter
    /// given, how many have each value (a contact with several tags or segments counts under
    /// each; "(none)" counts those without). The counts are of the filtered set, not what each
    /// value would match with its own filter changed
    #[arg(long, value_enum)]
    pub by: Option<ByField>,

    /// table: the number (with --by, a table of value and count); json: one object
    #[arg(long, value_enum, default_value_t = CountFormat::Table)]
    pub format: CountFormat,

    /// Walk the API even when there is a snapshot: exact at this moment, at the cost of a
    /// request per 50 contacts
    #[arg(long)]
    pub no_snapshot: bool,

    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ByField {
    Status,
    Tag,
    Agent,
    Segment,
    Bot,
    Channel,
}

impl ByField {
    fn facet(self) -> Facet {
        match self {
            ByField::Status => Facet::Status,
            ByField::Tag => Facet::Tag,
            ByField::Agent => Facet::Agent,
            ByField::Segment => Facet::Segment,
            ByField::Bot => Facet::Bot,
            ByField::Channel => Facet::Channel,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CountFormat {
    Table,
    Json,
}

/// Where a count came from.
struct Answer {
    tally: Tally,
    /// When the snapshot was synced; `None` for a walk (exact now).
    as_of: Option<jiff::Timestamp>,
}

pub async fn run(api: &Connection, args: &CountArgs, time_zone: &TimeZone) -> Result<(), CliError> {
    let query = args.filters.to_query(time_zone)?;
    let facets: Vec<Facet> = args.by.map(ByField::facet).into_iter().collect();
    let answer = match from_snapshot(api, args, &query, &facets, time_zone)? {
        Some(answer) => answer,
        None => walk(api, &query, &facets).await?,
    };
    print(args, &answer)
}

/// The count from the snapshot, or `None` when there is none or it cannot evaluate `query`
/// (said on stderr).
fn from_snapshot(
    api: &Connection,
    args: &CountArgs,
    query: &Query,
    facets: &[Facet],
    time_zone: &TimeZone,
) -> Result<Option<Answer>, CliError> {
    let path = api.snapshot_path()?;
    if args.no_snapshot || !path.exists() {
        return Ok(None);
    }
    let local = match LocalQuery::new(query) {
        Ok(local) => local,
        Err(why) => {
            super::say(format_args!(
                "note: the snapshot cannot answer this ({why}); walking the API instead"
            ));
            return Ok(None);
        }
    };
    let snapshot = Snapshot::open(&path)?;
    let Some(synced_at) = snapshot.synced_at()? else {
        return Ok(None);
    };
    let tally = snapshot.tally(&local, facets)?;
    super::say(format_args!(
        "counted from the snapshot {} (`inbox-tui snapshot sync` refreshes it; --no-snapshot \
         walks the API)",
        age_label(Some(synced_at), time_zone)
    ));
    Ok(Some(Answer {
        tally,
        as_of: Some(synced_at),
    }))
}

/// The count by walking every page of `query`: the server filters, each contact is tallied.
async fn walk(api: &Connection, query: &Query, facets: &[Facet]) -> Result<Answer, CliError> {
    let options = WalkOptions {
        retry: api.client.retry_policy().clone(),
        ..WalkOptions::default()
    };
    let mut stream = ContactStream::<RawContact>::start(&api.client, query, &options, IdSet::new());
    let mut tally = Tally::new(facets);
    let pages = loop {
        let step = stream
            .next()
            .await
            .map_err(|error| CliError::Export(format!("the count failed: {error}")))?;
        match step {
            WalkStep::Batch(batch) => {
                for item in &batch.items {
                    if let Some(record) = Record::from_json(item.json()) {
                        tally.add(&record.view());
                    }
                }
            }
            WalkStep::End(end) => break end.stats.pages,
        }
    };
    super::say(format_args!(
        "counted by walking the API ({})",
        plural(pages.into(), "page", "pages")
    ));
    Ok(Answer { tally, as_of: None })
}

fn print(args: &CountArgs, answer: &Answer) -> Result<(), CliError> {
    let rows = args
        .by
        .map(|by| answer.tally.sorted(by.facet()))
        .unwrap_or_default();
    match args.format {
        CountFormat::Json => {
            let counts: Vec<serde_json::Value> = rows
                .iter()
                .map(|(value, count)| serde_json::json!({ "value": value, "count": count }))
                .collect();
            let mut object = serde_json::json!({
                "count": answer.tally.total,
                "source": if answer.as_of.is_some() { "snapshot" } else { "api" },
                "as_of": answer.as_of.map(|at| at.to_string()),
            });
            if let Some(by) = args.by {
                object["by"] = by.facet().name().into();
                object["counts"] = counts.into();
            }
            super::print_line(&object.to_string())
        }
        CountFormat::Table => {
            let Some(by) = args.by else {
                return super::print_line(&answer.tally.total.to_string());
            };
            let label = |value: &Option<String>| {
                value.as_deref().map_or_else(
                    || "(none)".to_owned(),
                    |value| crate::text::terminal_safe(value).into_owned(),
                )
            };
            let width = rows
                .iter()
                .map(|(value, _)| unicode_width::UnicodeWidthStr::width(label(value).as_str()))
                .chain([by.facet().name().len()])
                .max()
                .unwrap_or(0);
            let mut lines = vec![format!(
                "{}  CONTACTS",
                crate::text::fit_width(&by.facet().name().to_uppercase(), width)
            )];
            lines.extend(rows.iter().map(|(value, count)| {
                format!("{}  {count}", crate::text::fit_width(&label(value), width))
            }));
            lines.push(format!(
                "{}  {}",
                crate::text::fit_width("(matching)", width),
                answer.tally.total
            ));
            super::print_line(&lines.join("\n"))
        }
    }
}
