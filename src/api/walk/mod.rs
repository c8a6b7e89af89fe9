//! The walk over every page of a query that loses nothing on a live inbox, read as an ordered
//! stream of contacts: exports and "select every matching contact" consume [`ContactStream`], so
//! they share one way of paging, one rate limit and one way to stop. So does the browser's
//! count, over a [`Stretch`]: it reads the first pages, stops there, and may go on later from
//! where it stopped with the first walk's mark, so its catch-up finds what moved in between.
//!
//! The list is sorted by last message, newest first, and each new message lifts a contact to
//! page 1 while the walk pages through. That moves every contact above it down one place, so a
//! walk by page number sees some contacts twice (handled by de-duplicating on `_id`) and misses
//! the ones that jumped behind it. Three mechanisms close the holes:
//!
//! - **Catch-up.** After the walk, read again from page 1 until the contacts are no newer than
//!   the newest `lastMessage.at` the walk saw on its first page (the *mark*, the server's own
//!   time, never this machine's clock). Anything newer moved during the walk; take what is new.
//!   A contact may move again while a pass reads on, to page 1 behind it, so passes repeat, each
//!   from the newest contact its predecessor saw, until one finds all it looks for on page 1.
//! - **Boundary repair.** Pages fetched concurrently may be served out of order. If page k+1 was
//!   served before page k and a contact moved in between, the contacts pushed across the k/k+1
//!   boundary are in neither page, though they never moved themselves. A boundary is safe when
//!   page k's reply arrived before page k+1 was asked for, when the two pages share a contact, or
//!   when page 1 showed the same newest contact before and after both fetches (nothing moved).
//!   Page 1 is re-read ("probed") about once a second while doubtful boundaries wait; once
//!   contacts are seen moving (two pages share a contact, a page holds one newer than the mark,
//!   a probe finds page 1 changed) a probe would only say so again, and doubts are repaired at
//!   once, when one read usually finds what was pushed across (after slow start, whose rounds
//!   they would race to an unknown limit). A boundary
//!   that stays doubtful is repaired by reading pages k+1, k+2, … again, one after the other,
//!   until the first unmoved contact of the original page k+1 shows up still unmoved, or a
//!   contact older than it does (found moved, it says nothing about where the others are).
//! - **Only an explicit empty page ends the list**; a broken reply is retried (see `decode`).
//!
//! In a calm inbox none of this costs a request beyond the one catch-up read of page 1.
//! Contacts that *leave* the list while it is walked (a status change under a status filter)
//! move the others up, which none of this detects; the platform gives no way to see it.

mod background;
mod governor;
mod ids;
mod paced;
mod stream;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use tokio::sync::mpsc;
use tokio::task::JoinSet;

pub use background::{Background, ForegroundWait};
use governor::Governor;
pub use governor::Traffic;
pub use ids::IdSet;
pub use paced::Paced;
pub use stream::{Batch, ContactStream, WalkEnd, WalkStep};

use crate::api::{ApiError, Client, DecodedPage, PageItem, Query, RetryPolicy, TYPICAL_PAGE_SIZE};

/// Pages in flight at the start of a walk; it grows from there while the server keeps up.
pub const INITIAL_CONCURRENCY: usize = 4;
/// The most pages in flight unless told otherwise.
pub const DEFAULT_CONCURRENCY: usize = 32;
/// How long a walk keeps trying without one good page before it gives up.
pub const DEFAULT_STALL_TIMEOUT: Duration = Duration::from_secs(120);
/// How often page 1 is re-read while a boundary is in doubt.
const PROBE_INTERVAL: Duration = Duration::from_secs(1);
/// Catch-up passes after the walk; each one after the first only looks for contacts that moved
/// during the one before, so two or three are usually enough. More are read only while the
/// passes shrink: `MAX_UNSHRINKING_PASSES` in a row no shorter than the one before mean
/// contacts move as fast as the walk can read them, and it stops with the figures.
const MAX_CATCH_UP_PASSES: usize = 50;
/// Passes in a row no shorter than the one before after which the catch-up gives up: one or
/// two can be a page boundary falling differently.
const MAX_UNSHRINKING_PASSES: u32 = 3;
/// A page read costs at least this share of a second's pace between probes: under a limit,
/// a probe a second would spend a tenth of ten requests a second.
const PROBE_BUDGET: f64 = 50.0;
/// A repair that reads this many pages without finding its anchor gives up on that boundary.
const MAX_REPAIR_PAGES: u32 = 400;
/// Pages in a row that bring no contact not seen before, after which the main walk stops: a
/// server that never returns an empty page must not make an export run (and grow) forever.
const MAX_STALE_PAGES: u32 = 20;
/// Times the same page may come back in a row before the walk stops.
const MAX_REPEATED_PAGES: u32 = 2;

/// How a walk may use the server.
#[derive(Debug, Clone)]
pub struct WalkOptions {
    /// The ceiling of the adaptive concurrency.
    pub max_concurrency: usize,
    /// A walk fails only after this long without one good page.
    pub stall_timeout: Duration,
    /// Back-off shapes, and the bounds on `Retry-After`.
    pub retry: RetryPolicy,
    /// Set for work the user does not wait on: it then yields to the pages the user waits for
    /// and shares one limit of requests in flight with the other background work.
    pub background: Option<Background>,
    /// Set, a page that failed this many times (429s that named a wait apart) ends the walk,
    /// as `--attempts` says for `list`; unset, only `stall_timeout` does, as an export wants.
    pub attempts: Option<u32>,
}

impl Default for WalkOptions {
    fn default() -> Self {
        WalkOptions {
            max_concurrency: DEFAULT_CONCURRENCY,
            stall_timeout: DEFAULT_STALL_TIMEOUT,
            retry: RetryPolicy::default(),
            background: None,
            attempts: None,
        }
    }
}

/// The part of the list a walk reads: all of it by default.
#[derive(Debug, Clone, Copy, Default)]
pub struct Stretch {
    /// Go on from where an earlier walk of the same query stopped (its ids are passed as
    /// `taken`): page 1 is read again, then the pages after the earlier walk's last, and the
    /// catch-up reads back to the earlier walk's mark, so what moved in between is taken too.
    pub from: Option<StopPoint>,
    /// Stop after this page of the main walk, its doubtful boundaries settled, without the
    /// catch-up; the end tells where to go on from.
    pub last_page: Option<u32>,
}

/// Where a walk stopped at its stretch's last page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StopPoint {
    /// Pages of the main walk read: a walk that goes on starts after them.
    pub pages: u32,
    /// The walk's mark (see the module's docs), which a walk that goes on keeps.
    pub mark: Option<Timestamp>,
}

/// A walk stopped at its stretch's last page, for a later walk to go on from: its place, and
/// the ids it took so none is taken twice.
#[derive(Debug)]
pub struct WalkResume {
    pub at: StopPoint,
    pub taken: IdSet,
}

/// What a walk did, for the summary line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WalkStats {
    /// Good pages received, probes and repairs included.
    pub pages: u32,
    pub traffic: Traffic,
    /// Contacts seen newer than the mark: they got a message while the walk ran.
    pub moved: u64,
    /// Contacts taken by the catch-up and repair reads, which the walk itself missed.
    pub caught_up: u64,
    /// Contacts taken in all.
    pub taken: u64,
    /// Contacts the main walk found but could not read, and left out (named in the log).
    pub skipped: u64,
    /// Pages read again because contacts moved: catch-up passes, repairs and probes sent once
    /// contacts were seen moving.
    pub reread: u32,
    /// Pages read again while no contact had been seen moving, only to check that none had
    /// (the catch-up's page 1 and probes of a still inbox): the summary must not blame moves.
    pub checked: u32,
}

impl WalkStats {
    /// Adds another walk's figures (a selection walks several queries).
    pub fn absorb(&mut self, other: WalkStats) {
        self.pages += other.pages;
        self.traffic.requests += other.traffic.requests;
        self.traffic.refused += other.traffic.refused;
        self.traffic.peak_concurrency = self
            .traffic
            .peak_concurrency
            .max(other.traffic.peak_concurrency);
        self.moved += other.moved;
        self.caught_up += other.caught_up;
        self.taken += other.taken;
        self.skipped += other.skipped;
        self.reread += other.reread;
        self.checked += other.checked;
    }
}

/// Why a walk stopped before the end of the list.
#[derive(Debug, thiserror::Error)]
pub enum WalkError {
    #[error("fetching page {page} failed: {source}")]
    Fetch {
        page: u32,
        #[source]
        source: ApiError,
    },
    #[error(
        "the server kept failing: no page arrived for {} s (page {page} last failed: {source})",
        waited.as_secs()
    )]
    Stalled {
        page: u32,
        waited: Duration,
        #[source]
        source: ApiError,
    },
    /// The server's pages never end: they repeat, or bring nothing new for a long run.
    #[error(
        "stopped at page {page}: {why}; the server may be ignoring `page` (check the base URL), \
         so the walk stopped instead of running forever"
    )]
    Runaway { page: u32, why: String },
    /// A page fetch panicked or the walk's own task did: a bug, reported rather than hidden.
    #[error("the walk stopped unexpectedly: {0}")]
    Crashed(String),
    /// Contacts move to page 1 as fast as the walk can read them, so it can never catch up.
    #[error(
        "contacts move faster than the rate limit lets them be read: catch-up pass {pass} read \
         {pages} pages in {:.1} s and {moved} contacts moved meanwhile (about {:.0} a second), \
         while {}; stopped without finishing, so nothing is complete. Try again when the inbox \
         is quieter, or narrow the filters",
        seconds,
        *moved as f64 / seconds.max(0.001),
        what_the_pace_allows(*pace)
    )]
    Outpaced {
        pass: usize,
        pages: u32,
        seconds: f64,
        moved: u64,
        pace: f64,
    },
}

/// One good page as fetched.
struct Fetched<T> {
    items: Vec<T>,
    /// Contacts on the page that could not be read (see `DecodedPage`).
    skipped: usize,
    sent: Instant,
    received: Instant,
}

impl<T> Fetched<T> {
    /// Only a page that held nothing ends the list: one whose contacts were all unreadable
    /// does not.
    fn is_end(&self) -> bool {
        self.items.is_empty() && self.skipped == 0
    }

    /// How many contacts the server sent, read or not: what a short page is measured by.
    fn served(&self) -> usize {
        self.items.len() + self.skipped
    }
}

/// What a walk's read was for: a page in order, a probe of page 1, or a repair.
enum ReadFor {
    Page(u32),
    Probe,
    Repair {
        anchor: Anchor,
        page: u32,
        first: u32,
    },
}

/// The pace an outpaced catch-up read at, for its error: a limit's rate, or none met.
fn what_the_pace_allows(pace: f64) -> String {
    if pace > 0.0 {
        format!(
            "the pace allows {} ({:.0} contacts a second)",
            crate::api::pace::describe_rate(pace),
            pace * TYPICAL_PAGE_SIZE as f64
        )
    } else {
        "no rate limit was met, so the walk read as fast as the server answered".to_owned()
    }
}

/// The first unmoved contact after a doubtful boundary. A repair is complete once it reaches
/// it still unmoved (the same `lastMessage.at`), or passes where it would be: a contact older
/// than it. The contacts pushed across the boundary come before it in the list and cannot
/// overtake it while they do not move, so either proves they have been read.
///
/// Found moved, the anchor proves nothing: it now sits among the moved contacts at the top,
/// above every unmoved one, so a repair that stopped there could stop pages short of the
/// contacts it is looking for. It then reads on to a contact older than the anchor was.
#[derive(Clone)]
struct Anchor {
    id: String,
    at: Option<Timestamp>,
}

impl Anchor {
    fn reached_by<T: PageItem>(&self, items: &[T]) -> bool {
        items.iter().any(|item| {
            let at = parse_time(item.last_message_at());
            (item.id() == Some(self.id.as_str()) && at == self.at)
                || matches!((at, self.at), (Some(at), Some(anchor_at)) if at < anchor_at)
        })
    }
}

/// The trace a written page leaves for checking the boundary with the next one.
struct PageTrace {
    sent: Instant,
    received: Instant,
    /// Every id on the page, in order, to see a page that repeats.
    ids: Vec<String>,
    /// How many of its contacts the main walk had not seen before (see `take_all`).
    fresh: usize,
    /// Ids of the contacts that did not move during the walk.
    unmoved: Vec<String>,
    /// The first of them.
    first_unmoved: Option<Anchor>,
}

/// A boundary whose safety waits on a probe sent after `window_end`.
struct Doubt {
    window_start: Instant,
    window_end: Instant,
    /// The page after the boundary, as first read.
    page: u32,
    /// Its first unmoved contact.
    anchor: Anchor,
}

/// One read of page 1: what was newest, and when that was asked.
struct Probe {
    sent: Instant,
    received: Instant,
    newest: Option<(String, String)>,
}

/// Walks every page of `query`, sending each contact not in `taken` to `out` once, in list
/// order, a page at a time; runs as the task behind a [`ContactStream`].
async fn walk<T: PageItem>(
    client: Client,
    query: Query,
    options: WalkOptions,
    mut taken: IdSet,
    stretch: Stretch,
    out: mpsc::Sender<Batch<T>>,
) -> Result<WalkEnd, WalkError> {
    let governor = governor_for(&options);
    let mut walk = Walk {
        client: &client,
        query: Arc::new(query),
        options: &options,
        governor: Arc::clone(&governor),
        taken: &mut taken,
        out,
        pending: Batch::default(),
        tasks: JoinSet::new(),
        stats: WalkStats::default(),
        pages_fetched: 0,
        pages_reported: 0,
        mark: None,
        probes: Vec::new(),
        doubts: Vec::new(),
        probe_in_flight: false,
        catching_up: false,
        side_taken: IdSet::new(),
        stretch,
        moving: false,
    };
    let result = walk.run().await;
    walk.tasks.abort_all();
    let mut stats = walk.stats;
    stats.pages = walk.pages_fetched;
    stats.traffic = governor.traffic();
    result.map(|stopped_at| WalkEnd {
        taken,
        stats,
        stopped_at,
    })
}

struct Walk<'a, T: PageItem> {
    client: &'a Client,
    query: Arc<Query>,
    options: &'a WalkOptions,
    governor: Arc<Governor>,
    taken: &'a mut IdSet,
    /// Where each page's new contacts go; it holds a few pages, so a slow reader slows the walk
    /// rather than filling memory.
    out: mpsc::Sender<Batch<T>>,
    /// The contacts taken since the last batch was sent.
    pending: Batch<T>,
    tasks: JoinSet<(ReadFor, Result<Fetched<T>, WalkError>)>,
    stats: WalkStats,
    pages_fetched: u32,
    /// `pages_fetched` as the last batch told it.
    pages_reported: u32,
    /// The newest `lastMessage.at` on page 1 when the walk began.
    mark: Option<Timestamp>,
    probes: Vec<Probe>,
    doubts: Vec<Doubt>,
    probe_in_flight: bool,
    /// Past the main walk: contacts taken now count as caught up.
    catching_up: bool,
    /// Contacts taken by catch-up, repair and probe reads that the main walk has not reached
    /// yet: when it does, they count as new for its runaway guard, as a busy inbox moves them
    /// ahead of it.
    side_taken: IdSet,
    stretch: Stretch,
    /// Contacts were seen moving (two pages in a row shared a contact, a page held one newer
    /// than the mark, or a probe found page 1 changed): doubts are repaired at once.
    moving: bool,
}

impl<T: PageItem> Walk<'_, T> {
    /// Walks the stretch; returns where it stopped when that was before the end of the list.
    async fn run(&mut self) -> Result<Option<StopPoint>, WalkError> {
        // Page 1 alone first: it sets the mark, and every later fetch starts after it was
        // served, so it is the "before" of every boundary's window.
        let first: Fetched<T> = self.fetcher().fetch(1).await?;
        let newest = first
            .items
            .iter()
            .filter_map(|item| parse_time(item.last_message_at()))
            .max();
        self.mark = self.stretch.from.and_then(|from| from.mark).or(newest);
        self.probes.push(probe_of(&first));
        let done = first.is_end();
        let mut previous = self.write_page(first)?;
        self.send_pending().await;
        if done {
            return Ok(None);
        }
        let from = self.stretch.from.map_or(2, |from| from.pages.max(1) + 1);
        if let Some(stopped) = self.walk_pages(&mut previous, from).await? {
            return Ok(Some(stopped));
        }
        self.catching_up = true;
        self.catch_up().await?;
        Ok(None)
    }

    /// Ends a walk at its stretch's last page: every boundary still in doubt is repaired at
    /// once rather than probed for, as a walk that goes on later cannot settle it, and every
    /// read in flight is taken.
    async fn stop_at(&mut self, pages: u32) -> Result<StopPoint, WalkError> {
        self.repair_doubts_now();
        while let Some((purpose, fetched)) = self.join_next().await? {
            if let ReadFor::Page(_) = purpose {
                continue;
            }
            self.handle_side_read(purpose, fetched?);
            self.repair_doubts_now();
            self.send_pending().await;
        }
        self.send_pending().await;
        Ok(StopPoint {
            pages,
            mark: self.mark,
        })
    }

    fn spawn_repair(&mut self, doubt: Doubt) {
        tracing::debug!(page = doubt.page, "repairing a page boundary");
        self.spawn(
            ReadFor::Repair {
                anchor: doubt.anchor,
                page: doubt.page,
                first: doubt.page,
            },
            doubt.page,
        );
    }

    /// Pages `from`, `from + 1`, … with adaptive concurrency, written in page order, to the first
    /// empty one, or to the stretch's last page: then it returns where it stopped.
    async fn walk_pages(
        &mut self,
        previous: &mut PageTrace,
        from: u32,
    ) -> Result<Option<StopPoint>, WalkError> {
        let last_page = self.stretch.last_page;
        let mut arrived: BTreeMap<u32, Fetched<T>> = BTreeMap::new();
        let mut next_to_request = from;
        let mut next_to_write = from;
        let mut pages_in_flight = 0usize;
        let mut end: Option<u32> = None;
        // A short page probably is the last: past it, only the page that proves the end is
        // asked for, so a rate limit is not spent on pages that will come back empty.
        let mut short: Option<u32> = None;
        // The furthest page that came back with contacts: a short page before it is not the
        // last, however late it arrived.
        let mut furthest_filled = 0u32;
        // Pages read ahead of the one being written are bounded, so a page stuck in retries
        // cannot make the others pile up in memory.
        let read_ahead = (self.options.max_concurrency * 2) as u32;
        let mut repeats = 0;
        let mut stale = 0;
        loop {
            // Before any limit is met, rounds go whole (see `Governor::sends_whole_rounds`).
            let round_open = pages_in_flight == 0 || !self.governor.sends_whole_rounds();
            while round_open
                && end.is_none()
                && last_page.is_none_or(|last| next_to_request <= last)
                && short.is_none_or(|short| next_to_request <= short + 1)
                && pages_in_flight < self.governor.limit()
                && next_to_request < next_to_write + read_ahead
            {
                self.spawn(ReadFor::Page(next_to_request), next_to_request);
                next_to_request += 1;
                pages_in_flight += 1;
            }
            // Repairs sent during slow start would race its rounds to an unknown limit: they
            // wait until one is met (or the ceiling reached).
            if self.moving && !self.governor.sends_whole_rounds() {
                self.repair_doubts_now();
            }
            self.maybe_probe();
            self.send_pending().await;
            if end.is_some_and(|end| next_to_write > end) {
                return Ok(None);
            }
            if let Some(last) = last_page.filter(|last| next_to_write > *last) {
                return self.stop_at(last).await.map(Some);
            }
            let Some((purpose, fetched)) = self.join_next().await? else {
                return Ok(None);
            };
            match purpose {
                ReadFor::Page(number) => {
                    pages_in_flight -= 1;
                    let fetched = fetched?;
                    if fetched.is_end() {
                        end = Some(end.map_or(number, |end| end.min(number)));
                    } else {
                        furthest_filled = furthest_filled.max(number);
                        // A page after a short one that is not empty: 50 was not the page size.
                        if short.is_some_and(|short| number > short) {
                            short = None;
                        }
                        if fetched.served() < TYPICAL_PAGE_SIZE && number >= furthest_filled {
                            short = Some(short.map_or(number, |short| short.min(number)));
                        }
                    }
                    arrived.insert(number, fetched);
                    while let Some(page) = arrived.remove(&next_to_write) {
                        if end.is_some_and(|end| next_to_write > end) {
                            break;
                        }
                        let trace = self.write_page(page)?;
                        self.check_runaway(
                            previous,
                            &trace,
                            &mut repeats,
                            &mut stale,
                            next_to_write,
                        )?;
                        self.check_boundary(previous, &trace, next_to_write);
                        *previous = trace;
                        next_to_write += 1;
                    }
                }
                other => self.handle_side_read(other, fetched?),
            }
        }
    }

    /// Reads from page 1 until contacts are no newer than the mark, taking what is new, and
    /// settles every doubtful boundary; repeats, from the newest contact of the pass's page 1,
    /// until a pass found the mark already on page 1 and repaired nothing after it.
    ///
    /// Whether a pass took anything says nothing: a contact still to be taken may get a message
    /// while the pass reads page 2 and jump to page 1, behind it. Only a pass that saw every
    /// contact newer than its mark in one reply, page 1, leaves none behind.
    async fn catch_up(&mut self) -> Result<(), WalkError> {
        let mut previous_pages = u32::MAX;
        let mut unshrinking = 0;
        for pass in 0..MAX_CATCH_UP_PASSES {
            let mut one_page = true;
            let mut next_mark = None;
            let mut stale = 0;
            let mut pages = 0u32;
            let mut moved = 0u64;
            let started = Instant::now();
            for number in 1.. {
                let fetcher = self.fetcher();
                let page: Fetched<T> = fetcher.fetch(number).await?;
                tracing::debug!(pass, page = number, "catch-up read");
                pages += 1;
                if number == 1 {
                    next_mark = page
                        .items
                        .iter()
                        .filter_map(|item| parse_time(item.last_message_at()))
                        .max();
                    let probe = probe_of(&page);
                    self.settle_doubts(&probe);
                    self.probes.push(probe);
                }
                let reached_unmoved = page.is_end()
                    || page
                        .items
                        .iter()
                        .any(|item| !self.is_moved(item.last_message_at()));
                let moved_here = page
                    .items
                    .iter()
                    .filter(|item| self.is_moved(item.last_message_at()))
                    .count() as u64;
                moved += moved_here;
                self.count_reread(moved_here > 0);
                if pass == 0 {
                    self.stats.moved += moved_here;
                }
                let (fresh, _) = self.take_all(page.items, false);
                self.send_pending().await;
                if reached_unmoved {
                    break;
                }
                one_page = false;
                // Pages of moved contacts taken earlier bring nothing new either, so the bound
                // here is the repair bound, far above what a live inbox moves in one export.
                stale = if fresh == 0 { stale + 1 } else { 0 };
                if stale >= MAX_REPAIR_PAGES {
                    return Err(WalkError::Runaway {
                        page: number,
                        why: format!(
                            "catching up, {stale} pages in a row were newer than the walk's \
                             start and brought nothing new"
                        ),
                    });
                }
            }
            // Repairs sent by this pass's probe read after page 1: a contact pushed across a
            // boundary may have jumped to page 1 since, where only another pass finds it.
            // Probes only read page 1, and pages past the end bring nothing.
            let mut repaired = false;
            while let Some((purpose, fetched)) = self.join_next().await? {
                repaired |= matches!(purpose, ReadFor::Repair { .. });
                self.handle_side_read(purpose, fetched?);
                self.send_pending().await;
            }
            if one_page && !repaired {
                return Ok(());
            }
            unshrinking = if pages >= previous_pages {
                unshrinking + 1
            } else {
                0
            };
            let pace = self.client.pace().pace().map(|(rate, _)| rate);
            if unshrinking >= MAX_UNSHRINKING_PASSES || pass + 1 == MAX_CATCH_UP_PASSES {
                return Err(WalkError::Outpaced {
                    pass: pass + 1,
                    pages,
                    seconds: started.elapsed().as_secs_f64(),
                    moved,
                    pace: pace.unwrap_or_default(),
                });
            }
            previous_pages = pages;
            self.mark = next_mark.or(self.mark);
        }
        Ok(())
    }

    /// Takes one page of the main walk and returns its trace.
    fn write_page(&mut self, page: Fetched<T>) -> Result<PageTrace, WalkError> {
        self.stats.skipped += page.skipped as u64;
        self.pending.unreadable += page.skipped;
        let ids = page
            .items
            .iter()
            .filter_map(|item| item.id().map(str::to_owned))
            .collect();
        let unmoved_items: Vec<&T> = page
            .items
            .iter()
            .filter(|item| !self.is_moved(item.last_message_at()))
            .collect();
        let first_unmoved = unmoved_items.iter().find_map(|item| {
            Some(Anchor {
                id: item.id()?.to_owned(),
                at: parse_time(item.last_message_at()),
            })
        });
        let unmoved = unmoved_items
            .iter()
            .filter_map(|item| item.id().map(str::to_owned))
            .collect();
        let (_, fresh) = self.take_all(page.items, true);
        Ok(PageTrace {
            sent: page.sent,
            received: page.received,
            ids,
            fresh,
            unmoved,
            first_unmoved,
        })
    }

    /// Takes each contact not taken yet into the pending batch, and says how many there were
    /// and how many of them the main walk had not seen, which its runaway guard counts. Contacts without a usable id
    /// cannot be told apart, so only the main walk takes them, once each time it sees one, and
    /// they are never new to the guard: a server sending `[{}]` forever must still be stopped.
    fn take_all(&mut self, items: Vec<T>, main_walk: bool) -> (usize, usize) {
        let mut taken = 0;
        let mut new_to_walk = 0;
        for item in items {
            let fresh = match item.id().filter(|id| !id.is_empty()) {
                Some(id) if main_walk => {
                    let fresh = self.taken.insert(id);
                    if fresh || self.side_taken.remove(id) {
                        new_to_walk += 1;
                    }
                    fresh
                }
                Some(id) => {
                    let fresh = self.taken.insert(id);
                    if fresh {
                        self.side_taken.insert(id);
                    }
                    fresh
                }
                None => main_walk,
            };
            if !fresh {
                continue;
            }
            taken += 1;
            self.stats.taken += 1;
            if self.catching_up || !main_walk {
                self.stats.caught_up += 1;
            }
            self.pending.items.push(item);
        }
        self.pages_fetched += 1;
        (taken, new_to_walk)
    }

    /// Sends what was taken since the last batch, with how far the walk has got. A reader that
    /// is gone has dropped the stream, which stops this task at its next await.
    async fn send_pending(&mut self) {
        if self.pending.items.is_empty()
            && self.pending.unreadable == 0
            && self.pages_reported == self.pages_fetched
        {
            return;
        }
        let batch = Batch {
            pages_fetched: self.pages_fetched,
            ..std::mem::take(&mut self.pending)
        };
        self.pages_reported = self.pages_fetched;
        let _ = self.out.send(batch).await;
    }

    /// Stops a walk whose pages never end: `stale` pages in a row brought no contact not seen
    /// before, or this page repeats the last two exactly (a server ignoring `page`). A live
    /// inbox cannot do either: moves lift contacts to page 1, they do not copy pages.
    fn check_runaway(
        &self,
        before: &PageTrace,
        after: &PageTrace,
        repeats: &mut u32,
        stale: &mut u32,
        number: u32,
    ) -> Result<(), WalkError> {
        *stale = if after.fresh == 0 { *stale + 1 } else { 0 };
        *repeats = if !after.ids.is_empty() && after.ids == before.ids {
            *repeats + 1
        } else {
            0
        };
        if *repeats >= MAX_REPEATED_PAGES {
            return Err(WalkError::Runaway {
                page: number,
                why: format!("the last {} pages were the same page", *repeats + 1),
            });
        }
        if *stale >= MAX_STALE_PAGES {
            return Err(WalkError::Runaway {
                page: number,
                why: format!(
                    "{} pages in a row brought no contact not seen already",
                    *stale
                ),
            });
        }
        Ok(())
    }

    /// Counts a page read again: because contacts moved once any were seen moving (or this
    /// page held some), else only to check that none had.
    fn count_reread(&mut self, moved_here: bool) {
        if self.moving || moved_here {
            self.stats.reread += 1;
        } else {
            self.stats.checked += 1;
        }
    }

    /// Records a doubt about the boundary before page `number` unless it is proven safe.
    fn check_boundary(&mut self, before: &PageTrace, after: &PageTrace, number: u32) {
        let served_in_order = before.received <= after.sent;
        let overlap = after
            .unmoved
            .iter()
            .any(|id| before.unmoved.iter().any(|kept| kept == id));
        if overlap || after.unmoved.len() < after.ids.len() {
            self.moving = true;
        }
        if served_in_order || overlap {
            return;
        }
        let Some(anchor) = &after.first_unmoved else {
            // Every contact on it moved: the catch-up reads that whole stretch again.
            return;
        };
        self.doubts.push(Doubt {
            window_start: before.sent.min(after.sent),
            window_end: before.received.max(after.received),
            page: number,
            anchor: anchor.clone(),
        });
    }

    /// Repairs every doubtful boundary at once, without waiting for a probe: once contacts are
    /// seen moving, a probe would find page 1 changed anyway, and a repair read soon after the
    /// boundary's pages finds the contacts pushed across it on the first page it reads, where
    /// one read seconds later has to read on past every contact that moved meanwhile.
    fn repair_doubts_now(&mut self) {
        for doubt in std::mem::take(&mut self.doubts) {
            self.spawn_repair(doubt);
        }
    }

    /// Sends a probe when doubts wait for one and the last is a second old.
    fn maybe_probe(&mut self) {
        if self.doubts.is_empty() || self.probe_in_flight {
            return;
        }
        let interval = match self.client.pace().pace() {
            Some((rate, _)) => PROBE_INTERVAL.max(Duration::from_secs_f64(PROBE_BUDGET / rate)),
            None => PROBE_INTERVAL,
        };
        let last_sent = self.probes.last().map(|probe| probe.sent);
        if last_sent.is_some_and(|sent| sent.elapsed() < interval) {
            return;
        }
        self.probe_in_flight = true;
        self.spawn(ReadFor::Probe, 1);
    }

    fn handle_side_read(&mut self, purpose: ReadFor, page: Fetched<T>) {
        match purpose {
            ReadFor::Page(_) => {}
            ReadFor::Probe => {
                self.pages_fetched += 1;
                self.probe_in_flight = false;
                let probe = probe_of(&page);
                self.settle_doubts(&probe);
                self.count_reread(false);
                self.probes.push(probe);
            }
            ReadFor::Repair {
                anchor,
                page: number,
                first,
            } => {
                tracing::debug!(boundary = first, page = number, "repair read");
                self.count_reread(false);
                let found = anchor.reached_by(&page.items);
                // The end of the list completes a repair too: everything after the boundary has
                // been read, though no contact older than a moved anchor was left to show it.
                let last = page.is_end();
                let cut_short = number - first >= MAX_REPAIR_PAGES;
                self.take_all(page.items, false);
                if !found && !last && !cut_short {
                    self.spawn(
                        ReadFor::Repair {
                            anchor,
                            page: number + 1,
                            first,
                        },
                        number + 1,
                    );
                } else if !found && !last {
                    tracing::warn!(
                        page = first,
                        "a repair read {} pages without finding its anchor",
                        number - first + 1
                    );
                }
            }
        }
    }

    /// Decides each doubt whose window `probe` was sent after: safe if the newest contact did
    /// not change from the last probe before the window to this one, else repaired now.
    fn settle_doubts(&mut self, probe: &Probe) {
        let (ready, waiting): (Vec<Doubt>, Vec<Doubt>) = std::mem::take(&mut self.doubts)
            .into_iter()
            .partition(|doubt| doubt.window_end <= probe.sent);
        self.doubts = waiting;
        for doubt in ready {
            let before = self
                .probes
                .iter()
                .rev()
                .find(|earlier| earlier.received <= doubt.window_start);
            let calm = before.is_some_and(|before| before.newest == probe.newest);
            if !calm {
                self.moving = true;
                self.spawn_repair(doubt);
            }
        }
    }

    fn is_moved(&self, at: Option<&str>) -> bool {
        match (self.mark, parse_time(at)) {
            (Some(mark), Some(at)) => at > mark,
            _ => false,
        }
    }

    async fn join_next(
        &mut self,
    ) -> Result<Option<(ReadFor, Result<Fetched<T>, WalkError>)>, WalkError> {
        match self.tasks.join_next().await {
            None => Ok(None),
            Some(Ok(done)) => Ok(Some(done)),
            Some(Err(error)) => Err(WalkError::Crashed(format!("a page fetch stopped: {error}"))),
        }
    }

    fn spawn(&mut self, purpose: ReadFor, number: u32) {
        let fetcher = self.fetcher();
        self.tasks
            .spawn(async move { (purpose, fetcher.fetch(number).await) });
    }

    fn fetcher(&self) -> Fetcher {
        Fetcher::new(
            self.client,
            Arc::clone(&self.query),
            Arc::clone(&self.governor),
            self.options,
        )
    }
}

/// The background work's shared governor, or one of the walk's own.
fn governor_for(options: &WalkOptions) -> Arc<Governor> {
    match &options.background {
        Some(background) => background.governor(),
        None => Arc::new(Governor::new(INITIAL_CONCURRENCY, options.max_concurrency)),
    }
}

/// Fetches one page the way a walk does (retries, the rate limit shared with the other
/// background work, the user's pages first), for work that reads a page at a time on its own,
/// like the snapshot's sync.
pub async fn fetch_one<T: PageItem>(
    client: &Client,
    query: &Query,
    number: u32,
    options: &WalkOptions,
) -> Result<DecodedPage<T>, WalkError> {
    let fetcher = Fetcher::new(
        client,
        Arc::new(query.clone()),
        governor_for(options),
        options,
    );
    let fetched = fetcher.fetch::<T>(number).await?;
    Ok(DecodedPage {
        items: fetched.items,
        skipped: fetched.skipped,
    })
}

/// Everything one page fetch needs, owned so it can run as its own task (pages then decode on
/// every core).
struct Fetcher {
    client: Client,
    query: Arc<Query>,
    governor: Arc<Governor>,
    stall_timeout: Duration,
    patience: Duration,
    retry: RetryPolicy,
    background: Option<Background>,
    attempts: Option<u32>,
}

impl Fetcher {
    fn new(
        client: &Client,
        query: Arc<Query>,
        governor: Arc<Governor>,
        options: &WalkOptions,
    ) -> Fetcher {
        Fetcher {
            client: client.clone(),
            query,
            governor,
            stall_timeout: options.stall_timeout,
            patience: options.retry.rate_limit_patience,
            retry: options.retry.clone(),
            background: options.background.clone(),
            attempts: options.attempts,
        }
    }

    /// Fetches page `number` until it comes back good. 429s pause every request of the walk
    /// together; other transient failures back off here. It gives up on an error that cannot
    /// pass, or when the whole walk has gone `stall_timeout` without one good page (the
    /// rate-limit patience, if longer, while the server keeps saying when to come back).
    async fn fetch<T: PageItem>(&self, number: u32) -> Result<Fetched<T>, WalkError> {
        let body =
            serde_json::to_vec(&self.query.page(number)).map_err(|error| WalkError::Fetch {
                page: number,
                source: ApiError::Decode {
                    what: format!("the request could not be encoded: {error}"),
                },
            })?;
        let mut failures = 0u32;
        loop {
            if let Some(background) = &self.background {
                background.yield_to_foreground().await;
            }
            let in_flight = self.governor.admit(self.background.is_some()).await;
            let reply = self.client.fetch_items_once::<T>(&body).await;
            drop(in_flight);
            let error = match reply {
                Ok((page, sent)) => {
                    let received = Instant::now();
                    let pace = self.client.pace().pace().map(|(rate, _)| rate);
                    self.governor.on_success(received - sent, pace);
                    return Ok(Fetched {
                        items: page.items,
                        skipped: page.skipped,
                        sent,
                        received,
                    });
                }
                Err(error) => error,
            };
            if !error.is_retryable() {
                return Err(WalkError::Fetch {
                    page: number,
                    source: error,
                });
            }
            let asked_to_wait = self.retry.retry_after(&error).is_some();
            let allowed = if asked_to_wait {
                self.stall_timeout.max(self.patience)
            } else {
                self.stall_timeout
            };
            let stalled = self.governor.since_last_good();
            if stalled >= allowed {
                return Err(WalkError::Stalled {
                    page: number,
                    waited: stalled,
                    source: error,
                });
            }
            if !asked_to_wait {
                failures += 1;
                if self.attempts.is_some_and(|attempts| failures >= attempts) {
                    return Err(WalkError::Fetch {
                        page: number,
                        source: error,
                    });
                }
            }
            tracing::debug!(page = number, %error, "retrying a page");
            // A refusal already paused the account's pace, which the next attempt waits out.
            match error {
                ApiError::RateLimited { .. } => self.governor.on_refused(),
                _ => {
                    tokio::time::sleep(self.retry.backoff(failures)).await;
                }
            }
        }
    }
}

fn probe_of<T: PageItem>(page: &Fetched<T>) -> Probe {
    Probe {
        sent: page.sent,
        received: page.received,
        newest: page.items.first().map(|item| {
            (
                item.id().unwrap_or_default().to_owned(),
                item.last_message_at().unwrap_or_default().to_owned(),
            )
        }),
    }
}

/// The server writes ISO-8601 UTC; anything unreadable counts as not moved.
fn parse_time(text: Option<&str>) -> Option<Timestamp> {
    text?.parse().ok()
}
