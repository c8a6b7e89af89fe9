//! Everything the browser knows, owned by one task and changed only by `update`.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tui_input::Input;

use super::filters::{self, Choices, FilterItem};
use super::keymap::{Keymap, Layer};
pub use super::mode::{
    DialogRow, ExportDialog, ExportPhase, ExportScope, Mode, PaletteInput, TextField, ViewsList,
};
use crate::api::IdSet;
use crate::api::{ApiError, Contact, Query, QueryKey};
use crate::export::{self, CsvStyle, ExportFormat, Progress};

/// Which list fetch a result belongs to: a result from a superseded fetch is dropped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FetchGeneration(u64);

impl FetchGeneration {
    pub fn next(self) -> FetchGeneration {
        FetchGeneration(self.0 + 1)
    }
}

/// Which count a result belongs to: a count of an older query is dropped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CountRun(u64);

impl CountRun {
    pub fn next(self) -> CountRun {
        CountRun(self.0 + 1)
    }
}

/// How many contacts match the query shown, counted in the background (the API has no total),
/// and how they split by status, tag, agent, segment, last sender and channel.
#[derive(Debug, Clone)]
pub struct MatchCount {
    pub query: Query,
    pub run: CountRun,
    pub counted: u64,
    pub pages: u32,
    pub phase: CountPhase,
    pub facets: Facets,
    /// When the last page was counted.
    pub at: Option<Instant>,
    /// When the count came from the local snapshot: when that was last synced, for the "as
    /// of" label; `None` for a count of the API's pages.
    pub as_of: Option<jiff::Timestamp>,
    /// Where a count that stopped at its cap can go on from.
    pub resume: Option<std::sync::Arc<crate::api::walk::WalkResume>>,
}

/// The account's local snapshot (`inbox-tui snapshot sync`), when it has one: the counts, the
/// facets and select-all come from it at once instead of walking the API.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LocalSnapshot {
    /// When its last sync ended; `None` before one has.
    pub as_of: Option<jiff::Timestamp>,
    /// `--offline`: no request at all; the pages come from the snapshot too.
    pub offline: bool,
    /// A background sync is running.
    pub syncing: bool,
    /// Why the last background sync failed, until one succeeds.
    pub failed: Option<String>,
}

/// Where a count stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CountPhase {
    /// Walking; `to_end` when asked to count everything (`c`), else up to the automatic cap.
    Running {
        to_end: bool,
    },
    /// Stopped at the automatic cap: at least `counted` match.
    Capped,
    /// Walked to the end: exactly `counted` match.
    Exact,
    Failed(String),
}

/// Per filter item, how many of the counted contacts have it; and per channel, for the chart.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facets {
    pub items: std::collections::HashMap<FilterItem, u64>,
    pub channels: BTreeMap<String, u64>,
    /// Per on/off switch, how many counted contacts said whether it is on or off: a switch no
    /// contact carries cannot be counted, and shows no number rather than 0.
    pub switches_seen: std::collections::HashMap<filters::Switch, u64>,
}

impl Facets {
    /// How many counted contacts have `item`; `None` for an item that cannot be counted (a
    /// text field, or a switch none of the counted contacts carries).
    pub fn count(&self, item: &FilterItem) -> Option<u64> {
        match item {
            FilterItem::Search | FilterItem::NewTag | FilterItem::Date(_) => None,
            FilterItem::Switch(switch) if !self.switches_seen.contains_key(switch) => None,
            _ => Some(self.items.get(item).copied().unwrap_or(0)),
        }
    }

    /// Counts one contact in.
    pub fn add(&mut self, contact: &Contact) {
        let mut items = Vec::new();
        for channel in filters::Channel::FILTERED {
            if let Some(bot) = contact.bot_in(channel) {
                items.push(FilterItem::Bot(channel, bot.to_owned()));
            }
        }
        for switch in filters::Switch::ALL {
            if let Some(on) = switch.of_contact(contact) {
                *self.switches_seen.entry(switch).or_default() += 1;
                if on {
                    items.push(FilterItem::Switch(switch));
                }
            }
        }
        if let Some(status) = contact.status() {
            items.push(FilterItem::Status(crate::api::Status::parse(status)));
        }
        items.extend(
            contact
                .tags()
                .into_iter()
                .map(|tag| FilterItem::Tag(tag.to_owned())),
        );
        items.extend(
            contact
                .agent_id()
                .map(|id| FilterItem::Agent(id.to_owned())),
        );
        items.extend(
            contact
                .segments()
                .into_iter()
                .map(|id| FilterItem::Segment(id.to_owned())),
        );
        if let Some(by) = contact.last_message().and_then(|message| message.by) {
            items.push(FilterItem::LastMessageBy(crate::api::Sender::parse(by)));
        }
        for item in items {
            *self.items.entry(item).or_default() += 1;
        }
        if let Some(channel) = contact.channel() {
            *self.channels.entry(channel.to_owned()).or_default() += 1;
        }
    }
}

/// [`Facets`] counted from the snapshot's stored rows, by the same rules as [`Facets::add`],
/// with no allocation per row: counts by value are looked up by `&str`, and become filter
/// items once, at the end. The snapshot keeps no "not said" for the switches, so every row
/// counts as saying.
#[derive(Debug, Clone, Default)]
pub struct RowFacets {
    statuses: HashMap<String, u64>,
    senders: HashMap<String, u64>,
    tags: HashMap<String, u64>,
    agents: HashMap<String, u64>,
    segments: HashMap<String, u64>,
    channels: HashMap<String, u64>,
    bots: [HashMap<String, u64>; 4],
    switches: [u64; filters::Switch::ALL.len()],
    rows: u64,
}

fn bump(counts: &mut HashMap<String, u64>, value: &str) {
    match counts.get_mut(value) {
        Some(count) => *count += 1,
        None => {
            counts.insert(value.to_owned(), 1);
        }
    }
}

/// Counts the switches a row's stored flags have on.
fn count_switches(switches: &mut [u64; filters::Switch::ALL.len()], flags: i64) {
    use crate::snapshot::flag;
    for (count, switch) in switches.iter_mut().zip(filters::Switch::ALL) {
        let bit = match switch {
            filters::Switch::Online => flag::ONLINE,
            filters::Switch::LiveChat => flag::LIVE_CHAT,
            filters::Switch::Interacted => flag::INTERACTED,
            filters::Switch::Ordered => flag::ORDERED,
            filters::Switch::ContactsOnly => flag::CONTACT,
        };
        if flags & bit != 0 {
            *count += 1;
        }
    }
}

/// [`RowFacets`] counted by the column blocks' dictionary codes, in arrays indexed by code,
/// with no text looked up per row; the values become text once, at the end.
#[derive(Debug, Clone, Default)]
pub struct CodedRowFacets {
    /// By code, for each of [`crate::snapshot::Codes::singles`].
    singles: [Vec<u64>; 8],
    tags: Vec<u64>,
    segments: Vec<u64>,
    switches: [u64; filters::Switch::ALL.len()],
    rows: u64,
}

fn bump_code(counts: &mut Vec<u64>, code: u64) {
    let Ok(at) = usize::try_from(code) else {
        return;
    };
    if at >= counts.len() {
        counts.resize(at + 1, 0);
    }
    counts[at] += 1;
}

impl CodedRowFacets {
    /// Counts one stored row in, from its flags and its codes.
    pub fn add(&mut self, flags: i64, codes: &crate::snapshot::Codes<'_>) {
        self.rows += 1;
        count_switches(&mut self.switches, flags);
        for (counts, code) in self.singles.iter_mut().zip(codes.singles) {
            if code != 0 {
                bump_code(counts, code);
            }
        }
        for (counts, list) in [
            (&mut self.tags, codes.tags),
            (&mut self.segments, codes.segments),
        ] {
            list.iter()
                .filter(|code| **code != 0)
                .for_each(|code| bump_code(counts, *code));
        }
    }

    /// The rows counted.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// The counts as the filter panel and the chart read them; `strings` is the dictionary
    /// the codes index.
    pub fn finish(self, strings: &[String]) -> Facets {
        let by_value = |counts: Vec<u64>| -> HashMap<String, u64> {
            counts
                .into_iter()
                .enumerate()
                .filter(|(_, count)| *count > 0)
                .filter_map(|(code, count)| {
                    Some((strings.get(code.checked_sub(1)?)?.clone(), count))
                })
                .collect()
        };
        let [
            status,
            last_by,
            agent,
            website,
            whatsapp,
            telegram,
            facebook,
            channel,
        ] = self.singles;
        RowFacets {
            statuses: by_value(status),
            senders: by_value(last_by),
            tags: by_value(self.tags),
            agents: by_value(agent),
            segments: by_value(self.segments),
            channels: by_value(channel),
            bots: [
                by_value(website),
                by_value(whatsapp),
                by_value(telegram),
                by_value(facebook),
            ],
            switches: self.switches,
            rows: self.rows,
        }
        .finish()
    }
}

impl RowFacets {
    /// Counts one stored row in.
    pub fn add(&mut self, row: &crate::snapshot::RowView<'_>) {
        use crate::snapshot::LIST_SEPARATOR;
        self.rows += 1;
        for (counts, bot) in self.bots.iter_mut().zip(row.bots) {
            if let Some(bot) = bot {
                bump(counts, bot);
            }
        }
        count_switches(&mut self.switches, row.flags);
        let singles = [
            (&mut self.statuses, row.status),
            (&mut self.senders, row.last_by),
            (&mut self.agents, row.agent),
            (&mut self.channels, row.channel),
        ];
        for (counts, value) in singles {
            if let Some(value) = value {
                bump(counts, value);
            }
        }
        for (counts, joined) in [
            (&mut self.tags, row.tags),
            (&mut self.segments, row.segments),
        ] {
            joined
                .split(LIST_SEPARATOR)
                .filter(|value| !value.is_empty())
                .for_each(|value| bump(counts, value));
        }
    }

    /// The counts as the filter panel and the chart read them.
    pub fn finish(self) -> Facets {
        let mut facets = Facets::default();
        let mut add = |item: FilterItem, count: u64| {
            *facets.items.entry(item).or_default() += count;
        };
        for (channel, counts) in crate::api::Channel::FILTERED.into_iter().zip(self.bots) {
            for (bot, count) in counts {
                add(FilterItem::Bot(channel, bot), count);
            }
        }
        for (status, count) in self.statuses {
            add(
                FilterItem::Status(crate::api::Status::parse(&status)),
                count,
            );
        }
        for (sender, count) in self.senders {
            add(
                FilterItem::LastMessageBy(crate::api::Sender::parse(&sender)),
                count,
            );
        }
        for (tag, count) in self.tags {
            add(FilterItem::Tag(tag), count);
        }
        for (agent, count) in self.agents {
            add(FilterItem::Agent(agent), count);
        }
        for (segment, count) in self.segments {
            add(FilterItem::Segment(segment), count);
        }
        for (switch, count) in filters::Switch::ALL.into_iter().zip(self.switches) {
            facets.switches_seen.insert(switch, self.rows);
            if count > 0 {
                *facets.items.entry(FilterItem::Switch(switch)).or_default() += count;
            }
        }
        facets.channels = self.channels.into_iter().collect();
        facets
    }
}

/// The pane, panel cursor and panel visibility `/` was pressed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchOrigin {
    pub focus: Focus,
    pub panel_hidden: bool,
    pub panel_cursor: usize,
}

/// A search for the last page, since the API says no page count: `:page 200` answered empty,
/// so the last page is between `found` (a page with contacts) and `empty`, halved each fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LastPageSeek {
    /// The page the user asked for.
    pub asked: u32,
    /// The highest page known to hold contacts (0 before any).
    pub found: u32,
    /// The lowest page known to be empty.
    pub empty: u32,
}

/// Which select-all run a result belongs to: a cancelled run's late results are dropped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SelectAllRun(u64);

impl SelectAllRun {
    pub fn next(self) -> SelectAllRun {
        SelectAllRun(self.0 + 1)
    }
}

/// The largest useful scroll of the detail pane and of the help. How many rows their content
/// wraps to depends on the terminal's size, which only drawing knows: the event loop measures
/// it and sends it as `Msg::Layout` whenever it changes, and `update` keeps the scrolls within
/// it. Unknown (the maximum) until the first frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScrollLimits {
    pub detail: u16,
    pub help: u16,
    /// How many rows of the help show at a time: what PgDn and Space scroll by.
    pub help_height: u16,
    /// How many rows the detail pane shows at a time.
    pub detail_height: u16,
    /// Where each field of the detail's cursor is drawn, in rows of the whole sheet, so the
    /// scroll can follow the cursor. Empty until the first frame, and in raw JSON.
    pub detail_fields: Vec<FieldRows>,
}

/// The rows one field of the detail pane takes: one, or more where it wraps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldRows {
    pub first: u16,
    pub count: u16,
}

impl Default for ScrollLimits {
    fn default() -> Self {
        ScrollLimits {
            detail: u16::MAX,
            help: u16::MAX,
            detail_height: 0,
            help_height: 0,
            detail_fields: Vec::new(),
        }
    }
}

/// A pick-list of the filter panel that comes from the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PickList {
    Agents,
    Segments,
    WhatsappBots,
}

impl PickList {
    pub const ALL: [PickList; 3] = [PickList::Agents, PickList::Segments, PickList::WhatsappBots];

    /// As in "could not load agents".
    pub fn describe(self) -> &'static str {
        match self {
            PickList::Agents => "agents",
            PickList::Segments => "segments",
            PickList::WhatsappBots => "WhatsApp bots",
        }
    }
}

/// Which pane has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Filters,
    List,
    Detail,
}

/// What the list is waiting for. Loading, empty and failed are distinct screens.
#[derive(Debug, Clone, PartialEq)]
pub enum Load {
    /// Nothing in flight; the contacts shown are current.
    Idle,
    /// A page is on its way; whatever is shown stays until it arrives.
    Loading { page: u32 },
    /// The fetch of `page` failed; the error says what to do, and a retry asks for `page`
    /// again.
    Failed { page: u32, error: ApiError },
}

/// Whether another page follows the one shown. The API has no total, so this is only ever learnt
/// by fetching.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageEnd {
    /// A full page: more probably follow.
    More,
    /// A short page, or the next one came back empty.
    End,
}

/// The page shown in the contact table.
#[derive(Debug, Clone)]
pub struct ListView {
    /// 1-based; 0 before the first page arrives.
    pub page: u32,
    pub contacts: Arc<[Contact]>,
    pub selected: usize,
    pub end: PageEnd,
    pub load: Load,
    /// Contacts that a live refresh found new or moved, and until when they are marked so.
    pub fresh: BTreeMap<String, Instant>,
    /// The last live refresh failed: the rows shown may be out of date, and are marked so
    /// until a refresh or a fetch of the page succeeds.
    pub stale: bool,
}

/// How the detail pane shows the selected contact.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DetailView {
    pub fullscreen: bool,
    pub raw_json: bool,
    /// Lines scrolled past; the renderer clamps it to the content.
    pub scroll: u16,
    /// The field under the cursor, which `y` copies: an index into what
    /// `app::detail::detail_fields` lists for the contact. Only the normal view has one.
    pub cursor: usize,
}

/// A typed-in date bound with its inline validation message.
#[derive(Debug, Clone, Default)]
pub struct DateInput {
    pub input: Input,
    pub error: Option<String>,
}

/// The status line's transient facts.
#[derive(Debug, Clone, Default)]
pub struct StatusLine {
    /// Wall time of the last completed list fetch.
    pub latency: Option<Duration>,
    /// A short message about the last thing that happened ("no more pages").
    pub notice: Option<String>,
    /// The notice outlives the next page shown: it says why that page was asked for (a profile
    /// switch), so the page's arrival must not wipe it before anyone reads it.
    pub notice_outlives_next_page: bool,
    /// While backing off after a 429: when the next attempt goes out.
    pub backoff_until: Option<Instant>,
    /// The account's pace as the last walk reported it, shown while work is under way.
    pub pace: Option<(f64, crate::api::pace::PaceOrigin)>,
    /// Pick-lists that failed to load, and why; the browser works without them. Each leaves
    /// once its list loads.
    pub choices_errors: BTreeMap<PickList, ChoicesError>,
    /// Problems found at start-up that the user should fix, such as a token file others can read.
    pub warnings: Vec<String>,
    /// The last error of any kind, whole: the status line may have to cut it.
    pub last_error: Option<String>,
}

/// Why a pick-list failed to load, and whether trying again later can help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChoicesError {
    pub message: String,
    /// A network or server trouble (retried after the next page loads), not a refusal.
    pub transient: bool,
}

/// A page as the list shows it: the contacts that could be read, and how many the server sent
/// that could not (broken text), which still count toward a full page.
#[derive(Debug, Clone)]
pub struct FetchedPage {
    pub contacts: Arc<[Contact]>,
    pub unreadable: usize,
}

impl From<crate::api::Page> for FetchedPage {
    fn from(page: crate::api::Page) -> FetchedPage {
        FetchedPage {
            contacts: page.contacts.into(),
            unreadable: page.unreadable,
        }
    }
}

/// Recently fetched pages per query, so going back is instant. Small and bounded: a page is
/// 50 contacts.
#[derive(Debug, Clone)]
pub struct PageCache {
    entries: VecDeque<(QueryKey, u32, FetchedPage)>,
    capacity: usize,
}

impl Default for PageCache {
    fn default() -> Self {
        PageCache {
            entries: VecDeque::new(),
            capacity: 24,
        }
    }
}

impl PageCache {
    /// The key the cache files a query's pages under: the query's identity.
    pub fn key(query: &Query) -> QueryKey {
        query.key()
    }

    pub fn get(&self, key: &QueryKey, page: u32) -> Option<FetchedPage> {
        self.entries
            .iter()
            .find(|(cached_key, cached_page, _)| cached_key == key && *cached_page == page)
            .map(|(_, _, fetched)| fetched.clone())
    }

    pub fn contains(&self, key: &QueryKey, page: u32) -> bool {
        self.get(key, page).is_some()
    }

    pub fn insert(&mut self, key: QueryKey, page: u32, fetched: FetchedPage) {
        self.entries
            .retain(|(cached_key, cached_page, _)| !(*cached_key == key && *cached_page == page));
        if self.entries.len() == self.capacity {
            self.entries.pop_front();
        }
        self.entries.push_back((key, page, fetched));
    }

    /// Forgets every page of one query, for a refresh.
    pub fn forget(&mut self, key: &QueryKey) {
        self.entries.retain(|(cached_key, _, _)| cached_key != key);
    }
}

/// One "select every matching contact": the query as it was when it was asked for, and, once
/// counted, the ids it matched, so rows show whether they are in and the count is exact. Never
/// the contacts themselves: a million of them would not fit the memory budget.
#[derive(Debug, Clone)]
pub struct MatchingSet {
    pub query: Query,
    /// The run that counts it; a late message from any other run is ignored.
    pub run: SelectAllRun,
    pub counting: Counting,
}

/// How far a [`MatchingSet`] has been counted.
#[derive(Debug, Clone)]
pub enum Counting {
    /// Still walking the pages; the ids arrive all at once at the end.
    Running {
        pages: u32,
        counted: u64,
    },
    Done(IdSet),
}

impl MatchingSet {
    /// The contacts it holds so far.
    pub fn counted(&self) -> u64 {
        match &self.counting {
            Counting::Running { counted, .. } => *counted,
            Counting::Done(ids) => ids.len() as u64,
        }
    }

    fn ids(&self) -> Option<&IdSet> {
        match &self.counting {
            Counting::Done(ids) => Some(ids),
            Counting::Running { .. } => None,
        }
    }
}

/// The contacts picked for export: rows marked by hand, kept whole because the API cannot fetch
/// a contact by id (a person marks at most a few thousand); the queries of "select every
/// matching contact" with their id sets; and the rows unmarked from those sets. Being ids and
/// queries, it survives paging, refreshes and filter changes, and a million selected cost a
/// compact id set, not a million contacts.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    marked: Vec<Contact>,
    marked_ids: IdSet,
    matching: Vec<MatchingSet>,
    /// Only ever ids of a counted set: Space on a row a set covers.
    excluded: IdSet,
    /// The exact count of all but a running set, kept up to date by each change: recounting a
    /// million ids for every frame would be too slow.
    settled: usize,
}

impl Selection {
    /// The contacts selected: exact once every set is counted, and climbing while one runs
    /// (a running set is not yet checked against the others).
    pub fn len(&self) -> usize {
        let running = self.running().map_or(0, MatchingSet::counted);
        self.settled + usize::try_from(running).unwrap_or(usize::MAX)
    }

    /// True when there is nothing to export and nothing being counted.
    pub fn is_empty(&self) -> bool {
        self.len() == 0 && self.running().is_none()
    }

    /// Whether `contact` is in, to mark its row. A set still running marks nothing yet.
    pub fn contains(&self, contact: &Contact) -> bool {
        // Asked for every row of every frame: nothing selected needs no id looked up.
        if self.marked.is_empty() && self.matching.is_empty() {
            return false;
        }
        contact.id().is_some_and(|id| {
            !self.excluded.contains(id) && (self.marked_ids.contains(id) || self.covers(id))
        })
    }

    /// Whether a counted set holds `id`.
    fn covers(&self, id: &str) -> bool {
        self.matching
            .iter()
            .filter_map(MatchingSet::ids)
            .any(|ids| ids.contains(id))
    }

    /// Marks `contact`; false if it was already in, or has no id to know it by. A contact a
    /// counted set covers is kept as no more than an id: marking it only undoes its exclusion.
    pub fn add(&mut self, contact: &Contact) -> bool {
        let Some(id) = contact.id() else {
            return false;
        };
        if self.covers(id) {
            let restored = self.excluded.remove(id);
            self.settled += usize::from(restored);
            return restored;
        }
        if !self.marked_ids.insert(id) {
            return false;
        }
        self.marked.push(contact.clone());
        self.settled += 1;
        true
    }

    /// Adds `contact` if it is out, removes it if it is in. Removing a contact a counted set
    /// covers records an exclusion.
    pub fn toggle(&mut self, contact: &Contact) {
        let Some(id) = contact.id() else {
            return;
        };
        if self.covers(id) {
            if self.excluded.remove(id) {
                self.settled += 1;
            } else {
                self.excluded.insert(id);
                self.settled = self.settled.saturating_sub(1);
            }
        } else if self.marked_ids.remove(id) {
            self.marked.retain(|kept| kept.id() != Some(id));
            self.settled = self.settled.saturating_sub(1);
        } else {
            self.add(contact);
        }
    }

    pub fn clear(&mut self) {
        *self = Selection::default();
    }

    /// The contacts marked by hand, in the order they were marked.
    pub fn marked(&self) -> &[Contact] {
        &self.marked
    }

    /// The ids unmarked from counted sets.
    pub fn excluded(&self) -> &IdSet {
        &self.excluded
    }

    /// Every recorded query, in the order asked for, the running one included.
    pub fn matching(&self) -> &[MatchingSet] {
        &self.matching
    }

    /// The set being counted, if any.
    pub fn running(&self) -> Option<&MatchingSet> {
        self.matching
            .iter()
            .find(|set| matches!(set.counting, Counting::Running { .. }))
    }

    /// Records `query`, to be counted by `run`.
    pub fn start_matching(&mut self, query: Query, run: SelectAllRun) {
        self.matching.push(MatchingSet {
            query,
            run,
            counting: Counting::Running {
                pages: 0,
                counted: 0,
            },
        });
    }

    /// Notes how far `run` has counted; ignored unless `run` is still counting here.
    pub fn matching_progress(&mut self, run: SelectAllRun, progress: Progress) {
        if let Some(MatchingSet {
            counting: Counting::Running { pages, counted },
            ..
        }) = self.matching.iter_mut().find(|set| set.run == run)
        {
            *pages = progress.pages_fetched;
            *counted = progress.contacts_written;
        }
    }

    /// Keeps the ids `run` counted and makes the count exact; false, changing nothing, unless
    /// `run` is still counting here.
    pub fn finish_matching(&mut self, run: SelectAllRun, ids: IdSet) -> bool {
        let Some(set) = self
            .matching
            .iter_mut()
            .find(|set| set.run == run && matches!(set.counting, Counting::Running { .. }))
        else {
            return false;
        };
        set.counting = Counting::Done(ids);
        self.recount();
        true
    }

    /// Forgets the query `run` is counting (a cancel or a failure); `None` unless it is still
    /// counting here. A running set has marked no row yet, so nothing else changes.
    pub fn drop_running(&mut self, run: SelectAllRun) -> Option<MatchingSet> {
        let index = self
            .matching
            .iter()
            .position(|set| set.run == run && matches!(set.counting, Counting::Running { .. }))?;
        Some(self.matching.remove(index))
    }

    /// What an export of the selection walks and writes.
    pub fn to_export(&self) -> export::FrozenSelection {
        export::FrozenSelection {
            queries: self.matching.iter().map(|set| set.query.clone()).collect(),
            marked: self.marked.clone(),
            excluded: self.excluded.clone(),
        }
    }

    /// Counts the union of the counted sets less the exclusions, plus the marked contacts no
    /// set covers. Runs once per finished set, not per frame.
    fn recount(&mut self) {
        let sets: Vec<&IdSet> = self.matching.iter().filter_map(MatchingSet::ids).collect();
        let mut total = 0;
        for (index, set) in sets.iter().enumerate() {
            let mut others = sets[..index].to_vec();
            others.push(&self.excluded);
            total += set.count_outside(&others);
        }
        total += self
            .marked
            .iter()
            .filter_map(Contact::id)
            .filter(|id| !self.excluded.contains(id) && !sets.iter().any(|set| set.contains(id)))
            .count();
        self.settled = total;
    }
}

/// Something `x` or `d` took away, that `U` brings back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Undo {
    Filters(Query),
    View(SavedView),
}

/// What the export dialog remembers of the last export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastExport {
    pub format: ExportFormat,
    /// The folder it was written to, absolute.
    pub folder: Option<String>,
}

/// A named set of filters the user saved; `1`–`9` apply the first nine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedView {
    pub name: String,
    pub query: Query,
}

/// Where the browser is connected, for the status bar.
#[derive(Debug, Clone, Default)]
pub struct Connection {
    /// The API host, e.g. `api.v7.botpenguin.com` or `127.0.0.1:PORT (demo)`.
    pub host: String,
}

/// The browser's whole state.
#[derive(Debug, Clone)]
pub struct State {
    /// The filters the list shows; changed by the panel, sent with every fetch.
    pub query: Query,
    pub search: Input,
    /// The tag being typed in the panel, not yet a filter.
    pub new_tag: Input,
    /// When typed search text becomes the query, unless more is typed first.
    pub search_deadline: Option<Instant>,
    pub dates: [DateInput; 4],
    /// Which pane has the keyboard while no overlay or text field does.
    pub focus: Focus,
    /// The filter panel is hidden, for small terminals; the list takes its room.
    pub panel_hidden: bool,
    /// The filter item the panel cursor is on.
    pub panel_cursor: usize,
    /// The next frame repaints every cell, not only what changed (the redraw key).
    pub repaint: bool,
    /// Where `/` was pressed, so that Esc from the search field goes back there.
    pub search_origin: Option<SearchOrigin>,
    pub choices: Choices,
    /// Pick-lists requested and not answered yet, so a retry does not ask twice.
    pub choices_loading: BTreeSet<PickList>,
    pub list: ListView,
    pub cache: PageCache,
    /// Bumped by every fetch that will be shown; a result from an older one is dropped.
    pub generation: FetchGeneration,
    /// The page being prefetched for the current generation, if any.
    pub prefetching: Option<u32>,
    /// Looking for the last page after a jump (`:page N`) past the end.
    pub seek: Option<LastPageSeek>,
    pub detail: DetailView,
    pub selection: Selection,
    /// The row a range selection started on, on the current page.
    pub range_anchor: Option<usize>,
    /// Numbers each select-all run, so a cancelled run's late results are ignored.
    pub background_runs: SelectAllRun,
    /// The select-all run the local snapshot answers, if one does: its notice says so.
    pub local_select_all: Option<SelectAllRun>,
    /// What has the keyboard.
    pub mode: Mode,
    /// How far the detail and the help can scroll at the current terminal size.
    pub limits: ScrollLimits,
    /// How a newly opened export dialog writes CSV: the config's `[export]` table.
    pub csv_defaults: CsvStyle,
    /// Where the web panel shows a contact, `{id}` standing for its id; `None` when the
    /// profile gives none and there is no default for its host.
    pub web_url: Option<String>,
    /// The format and folder of the last export that finished, which the next dialog starts
    /// from.
    pub last_export: Option<LastExport>,
    /// Live refresh: page 1 is read again this often while it is shown and the user is idle.
    pub refresh_every: Option<Duration>,
    /// When the next live refresh is due.
    pub next_refresh: Option<Instant>,
    /// The last key pressed: a refresh waits until the user has been idle a moment.
    pub last_key_at: Option<Instant>,
    /// When the live refresh on its way was asked for: its new contacts are marked from then.
    pub refresh_sent_at: Option<Instant>,
    /// The palette's commands this session, oldest first.
    pub palette_history: Vec<String>,
    /// What `U` brings back: the last filters cleared or the last view deleted.
    pub undo: Option<Undo>,
    /// The count of the query shown, running or done.
    pub count: Option<MatchCount>,
    /// The account's local snapshot, if it has one.
    pub snapshot: Option<LocalSnapshot>,
    /// Numbers each count, so a cancelled one's late results are ignored.
    pub count_runs: CountRun,
    /// The last finished count of each query (by `Query::key`): how many, and whether
    /// exactly; the views list shows them.
    pub counts_by_query: BTreeMap<QueryKey, (u64, bool)>,
    /// The facets of the queries counted this session, by `Query::key`, and whether they
    /// were counted to the end: where the would-add counts beside an active filter come from.
    pub facets_by_query: BTreeMap<QueryKey, (Facets, bool)>,
    pub views: Vec<SavedView>,
    pub status: StatusLine,
    pub spinner_frame: usize,
    pub keymap: Keymap,
    pub connection: Connection,
    /// The config profile in use, if any; the status bar names it with the host.
    pub profile: Option<String>,
    /// The config's profiles, which `profile NAME` switches between in place.
    pub profiles: Vec<String>,
    /// Where the log goes; the help shows it.
    pub log_path: Option<PathBuf>,
    /// The zone times are shown in and typed dates read in (`[ui] time_zone`). UTC until the
    /// runtime sets it, so a state built by a test draws the same on every machine.
    pub time_zone: jiff::tz::TimeZone,
    pub should_quit: bool,
}

/// Typed search text waits this long for more before it is sent.
pub const SEARCH_DEBOUNCE: Duration = Duration::from_millis(250);

/// Prefetch the next page when the cursor gets this close to the bottom.
pub const PREFETCH_MARGIN: usize = 10;

impl State {
    pub fn new(connection: Connection, keymap: Keymap, log_path: Option<PathBuf>) -> State {
        State {
            query: Query::default(),
            search: Input::default(),
            new_tag: Input::default(),
            search_deadline: None,
            dates: Default::default(),
            focus: Focus::List,
            panel_hidden: false,
            search_origin: None,
            repaint: false,
            panel_cursor: 0,
            choices: Choices::default(),
            choices_loading: BTreeSet::new(),
            list: ListView {
                page: 0,
                contacts: Arc::from(Vec::new()),
                selected: 0,
                end: PageEnd::More,
                load: Load::Idle,
                fresh: BTreeMap::new(),
                stale: false,
            },
            cache: PageCache::default(),
            generation: FetchGeneration::default(),
            prefetching: None,
            seek: None,
            detail: DetailView::default(),
            selection: Selection::default(),
            range_anchor: None,
            background_runs: SelectAllRun::default(),
            local_select_all: None,
            mode: Mode::Browse,
            limits: ScrollLimits::default(),
            csv_defaults: CsvStyle::default(),
            web_url: None,
            last_export: None,
            refresh_every: None,
            next_refresh: None,
            last_key_at: None,
            refresh_sent_at: None,
            palette_history: Vec::new(),
            undo: None,
            count: None,
            snapshot: None,
            count_runs: CountRun::default(),
            counts_by_query: BTreeMap::new(),
            facets_by_query: BTreeMap::new(),
            views: Vec::new(),
            status: StatusLine::default(),
            spinner_frame: 0,
            keymap,
            connection,
            profile: None,
            profiles: Vec::new(),
            log_path,
            time_zone: jiff::tz::TimeZone::UTC,
            should_quit: false,
        }
    }

    /// The contact under the list cursor.
    pub fn selected_contact(&self) -> Option<&Contact> {
        self.list.contacts.get(self.list.selected)
    }

    /// Whether any request is in flight; the spinner shows only then.
    pub fn is_busy(&self) -> bool {
        matches!(self.list.load, Load::Loading { .. })
            || self.prefetching.is_some()
            || self.selection.running().is_some()
            || self
                .count
                .as_ref()
                .is_some_and(|count| matches!(count.phase, CountPhase::Running { to_end: true }))
            || self
                .export_dialog()
                .is_some_and(|dialog| matches!(dialog.phase, ExportPhase::Running { .. }))
            || matches!(&self.mode, Mode::Write(dialog) if matches!(
                dialog.phase,
                crate::app::writes::WritePhase::Planning { .. }
                    | crate::app::writes::WritePhase::Running { .. }
            ))
    }

    /// The layer whose keys act now: the overlay's, the text field's, or the focused pane's.
    /// Key routing, the help, the hint bar and the mouse all ask this one question.
    pub fn layer(&self) -> Layer {
        match self.mode.overlay_layer() {
            Some(overlay) => overlay,
            None if matches!(self.mode, Mode::Browse) => self.pane_layer(),
            None => Layer::Text,
        }
    }

    /// The layer of the focused pane, whatever overlay is open: the help, opened from a pane,
    /// shows that pane's keys first.
    pub fn pane_layer(&self) -> Layer {
        match self.focus {
            Focus::Filters => Layer::Filters,
            Focus::List => Layer::List,
            Focus::Detail => Layer::Detail,
        }
    }

    /// The export dialog, while it is open.
    pub fn export_dialog(&self) -> Option<&ExportDialog> {
        match &self.mode {
            Mode::Export(dialog) => Some(dialog),
            _ => None,
        }
    }

    /// The panel text field taking keys, if one is.
    pub fn editing(&self) -> Option<TextField> {
        match self.mode {
            Mode::Editing(field) => Some(field),
            _ => None,
        }
    }

    /// The filter items the panel offers now.
    pub fn filter_items(&self) -> Vec<FilterItem> {
        filters::items(&self.query, &self.choices)
    }

    /// The next moment `update` wants a `Tick`, if any: the search debounce or the back-off
    /// countdown. The spinner's ticks are the event loop's business.
    pub fn next_deadline(&self) -> Option<Instant> {
        let fresh_ends = self.list.fresh.values().min().copied();
        [
            self.search_deadline,
            self.status.backoff_until,
            self.next_refresh,
            fresh_ends,
        ]
        .into_iter()
        .flatten()
        .min()
    }
}
