//! The browser's work the user does not wait on: "select every matching contact" and the count.
//! Both go through `api::walk` with the session's [`Background`], so the page the user asked
//! for goes first, and they share one rate limit with each other and with the browser's exports.

use std::sync::Arc;
use std::time::Instant;

use tokio::sync::mpsc::UnboundedSender;

use super::msg::{CountEnd, CountSoFar, Msg};
use super::state::{CountRun, Facets};
use crate::api::walk::{
    Background, ContactStream, Stretch, WalkError, WalkOptions, WalkResume, WalkStats, WalkStep,
};
use crate::api::{Client, Contact, ContactKey, IdSet, Query};
use crate::export::Progress;

/// How background work may use the server: the shared limit, behind the user's pages.
pub fn background_options(background: &Background) -> WalkOptions {
    WalkOptions {
        background: Some(background.clone()),
        ..WalkOptions::default()
    }
}

/// Collects the ids "select every matching contact" selects, from the walk's stream of contacts
/// read as ids only, reporting `(ids so far, pages)` as it goes. The browser keeps the ids to
/// show which rows are in; the export walks the query again.
pub async fn collect_matching_ids(
    client: &Client,
    query: &Query,
    options: &WalkOptions,
    on_progress: &(dyn Fn(Progress) + Send + Sync),
) -> Result<(IdSet, WalkStats), WalkError> {
    let mut stream = ContactStream::<ContactKey>::start(client, query, options, IdSet::new());
    let mut collected = 0u64;
    loop {
        match stream.next().await? {
            WalkStep::Batch(batch) => {
                collected += batch.items.len() as u64;
                on_progress(Progress {
                    pages_fetched: batch.pages_fetched,
                    contacts_written: collected,
                });
            }
            WalkStep::End(end) => return Ok((end.taken, end.stats)),
        }
    }
}

/// The browser's count of every contact of `query`, with its facets: the same walk as the
/// export (catch-up and repairs, so it is as exact on a busy inbox), behind the user's pages and
/// under the account's shared limit. An automatic count stops at `max_pages`; `c` goes on from
/// there with what it counted. Reports after every batch of pages.
pub struct FullCount<'a> {
    pub client: &'a Client,
    pub run: CountRun,
    pub query: &'a Query,
    pub max_pages: Option<u32>,
    pub sender: &'a UnboundedSender<Msg>,
    pub options: WalkOptions,
}

impl FullCount<'_> {
    /// Counts, adding to what an earlier count of the same query found; with the earlier
    /// walk's place, it goes on from there, else it counts from page 1.
    pub async fn run(&self, before: CountSoFar) {
        let (taken, from) = match before.resume {
            Some(resume) => match Arc::try_unwrap(resume) {
                Ok(resume) => (resume.taken, Some(resume.at)),
                Err(shared) => (shared.taken.clone(), Some(shared.at)),
            },
            None => (IdSet::new(), None),
        };
        let stretch = Stretch {
            from,
            last_page: self.max_pages,
        };
        let mut stream = ContactStream::<Contact>::start_within(
            self.client,
            self.query,
            &self.options,
            taken,
            stretch,
        );
        let mut facets = before.facets;
        let mut counted = before.counted;
        let mut pages = before.pages;
        loop {
            match stream.next().await {
                Ok(WalkStep::Batch(batch)) => {
                    for contact in &batch.items {
                        facets.add(contact);
                    }
                    counted += (batch.items.len() + batch.unreadable) as u64;
                    pages = before.pages + batch.pages_fetched;
                    self.report(counted, pages, &facets, None);
                }
                Ok(WalkStep::End(end)) => {
                    let pages = before.pages + end.stats.pages;
                    let how = match end.stopped_at {
                        Some(at) => CountEnd::Paused(Arc::new(WalkResume {
                            at,
                            taken: end.taken,
                        })),
                        None => CountEnd::Exact,
                    };
                    self.report(counted, pages, &facets, Some(how));
                    return;
                }
                Err(error) => {
                    tracing::warn!(%error, "the count stopped");
                    let end = CountEnd::Failed(error.to_string());
                    self.report(counted, pages, &facets, Some(end));
                    return;
                }
            }
        }
    }

    fn report(&self, counted: u64, pages: u32, facets: &Facets, end: Option<CountEnd>) {
        let _ = self.sender.send(Msg::Pace(self.client.pace().pace()));
        let _ = self.sender.send(Msg::Counted {
            run: self.run,
            at: Instant::now(),
            counted,
            pages,
            facets: Box::new(facets.clone()),
            end,
        });
    }
}
