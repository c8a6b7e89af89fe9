//! The browser's work the user does not wait on: "select every matching contact" and the count.
//! Both go through `api::walk` with the session's [`Background`], so the page the user asked
//! for goes first, and they share one rate limit with each other and with the browser's exports.

use std::time::Instant;

use tokio::sync::mpsc::UnboundedSender;

use super::msg::{CountEnd, Msg};
use super::state::{CountRun, Facets};
use crate::api::walk::{
    self, Background, ContactStream, WalkError, WalkOptions, WalkStats, WalkStep,
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

/// A count of the contacts of `query`: one page after another (never more than one request at
/// a time, and none while the user waits for a page), keeping only their ids, to count each
/// once while contacts move, and their facets. Reports after every page.
pub(super) struct Counting<'a> {
    pub client: &'a Client,
    pub run: CountRun,
    pub query: &'a Query,
    pub max_pages: Option<u32>,
    pub sender: &'a UnboundedSender<Msg>,
    pub options: WalkOptions,
}

impl Counting<'_> {
    /// Counts from the page after `pages_done`, adding to what an earlier count of the same
    /// query found.
    pub async fn run(&self, (pages_done, counted_before, facets_before): (u32, u64, Facets)) {
        let mut seen = IdSet::new();
        let mut facets = facets_before;
        let mut counted = counted_before;
        let mut page = pages_done + 1;
        loop {
            if self.max_pages.is_some_and(|most| page > most) {
                self.report(counted, page - 1, &facets, Some(CountEnd::Capped));
                return;
            }
            let fetched = match walk::fetch_one::<Contact>(
                self.client,
                self.query,
                page,
                &self.options,
            )
            .await
            {
                Ok(fetched) => fetched,
                Err(error) => {
                    let end = CountEnd::Failed(error.to_string());
                    self.report(counted, page - 1, &facets, Some(end));
                    return;
                }
            };
            if fetched.items.is_empty() && fetched.skipped == 0 {
                self.report(counted, page - 1, &facets, Some(CountEnd::Exact));
                return;
            }
            for contact in &fetched.items {
                if contact.id().is_none_or(|id| seen.insert(id)) {
                    counted += 1;
                    facets.add(contact);
                }
            }
            counted += fetched.skipped as u64;
            self.report(counted, page, &facets, None);
            page += 1;
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
