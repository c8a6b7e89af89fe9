//! How many contacts match: the API has no total, so once page 1 of a query is shown a
//! background walk counts the matches (keeping no contacts), up to a cap the rate limit can
//! afford, with how they split by status, tag, agent, segment, last sender and channel. `c`
//! counts to the end; any change of the query cancels it.
//!
//! When the account has a local snapshot that can evaluate the query (every filter but the
//! search text, whose server meaning is unknown), the snapshot answers instead, exactly and at
//! once, labelled with its age; the search text still walks the API, and offline it is not
//! counted at all.

use crossterm::event::KeyEvent;

use crate::app::keymap::{Action, Layer};
use crate::app::msg::{Cmd, CountEnd, CountSoFar};
use crate::app::state::{CountPhase, Facets, MatchCount, Mode, State};

/// Pages an automatic count reads: 1,000 contacts, a few seconds under a rate limit.
pub const AUTOMATIC_PAGES: u32 = 20;

/// Starts the automatic count of the query shown, unless it is counted or being counted.
pub(super) fn start_automatic(state: &mut State) -> Vec<Cmd> {
    if state
        .count
        .as_ref()
        .is_some_and(|count| count.query == state.query)
    {
        return vec![];
    }
    start(state, false)
}

/// `c`: counts the query shown to the end, with progress; Esc stops it. A count that stopped
/// at its cap goes on from there, keeping what it counted; one Esc stopped counts again.
pub(super) fn count_all(state: &mut State) -> Vec<Cmd> {
    let query = state.query.clone();
    let Some(count) = state.count.as_mut().filter(|count| count.query == query) else {
        return start(state, true);
    };
    match count.phase {
        CountPhase::Exact => {
            state.status.notice = Some(format!(
                "{} contacts match, counted to the end",
                crate::text::thousands(count.counted)
            ));
            vec![]
        }
        CountPhase::Running { to_end: true } => vec![],
        // Offline nothing walks: the snapshot answers, or says why it cannot.
        CountPhase::Capped if state.snapshot.as_ref().is_some_and(|local| local.offline) => {
            start(state, true)
        }
        // Stopped by Esc, the walk's place is lost: it counts again, so nothing is counted
        // twice, showing what the stopped count found until the new one reports.
        CountPhase::Capped if count.resume.is_none() => {
            let (counted, pages, facets) = (count.counted, count.pages, count.facets.clone());
            let commands = start(state, true);
            if let Some(count) = state.count.as_mut() {
                (count.counted, count.pages, count.facets) = (counted, pages, facets);
            }
            state.status.notice = Some("counting again from page 1".into());
            commands
        }
        CountPhase::Capped => {
            state.count_runs = state.count_runs.next();
            count.run = state.count_runs;
            count.phase = CountPhase::Running { to_end: true };
            vec![Cmd::Count {
                run: count.run,
                query: Box::new(query),
                max_pages: None,
                resume: Some(Box::new(CountSoFar {
                    pages: count.pages,
                    counted: count.counted,
                    facets: count.facets.clone(),
                    resume: count.resume.take(),
                })),
            }]
        }
        CountPhase::Running { to_end: false } | CountPhase::Failed(_) => start(state, true),
    }
}

fn start(state: &mut State, to_end: bool) -> Vec<Cmd> {
    let mut commands = cancel(state);
    state.count_runs = state.count_runs.next();
    let local = state.snapshot.as_ref().map(|snapshot| {
        (
            snapshot.offline,
            crate::snapshot::LocalQuery::new(&state.query).err(),
        )
    });
    state.count = Some(MatchCount {
        query: state.query.clone(),
        run: state.count_runs,
        counted: 0,
        pages: 0,
        phase: CountPhase::Running { to_end },
        facets: Facets::default(),
        at: None,
        as_of: None,
        resume: None,
    });
    match local {
        Some((_, None)) => {
            commands.push(Cmd::CountLocal {
                run: state.count_runs,
                query: Box::new(state.query.clone()),
            });
            return commands;
        }
        Some((true, Some(why))) => {
            if let Some(count) = state.count.as_mut() {
                count.phase = CountPhase::Failed(format!(
                    "offline, and the snapshot cannot count this: {why}"
                ));
            }
            return commands;
        }
        _ => {}
    }
    commands.push(Cmd::Count {
        run: state.count_runs,
        query: Box::new(state.query.clone()),
        max_pages: (!to_end).then_some(AUTOMATIC_PAGES),
        resume: None,
    });
    commands
}

/// Drops the count (the query changed); stops it if it is running.
pub(super) fn cancel(state: &mut State) -> Vec<Cmd> {
    match state.count.take() {
        Some(count) if matches!(count.phase, CountPhase::Running { .. }) => vec![Cmd::CancelCount],
        _ => vec![],
    }
}

/// Esc while counting to the end: stops there, keeping what was counted as a lower bound.
pub(super) fn stop_full_count(state: &mut State) -> Option<Vec<Cmd>> {
    let count = state.count.as_mut()?;
    if count.phase != (CountPhase::Running { to_end: true }) {
        return None;
    }
    count.phase = CountPhase::Capped;
    state.status.notice = Some("count stopped".into());
    Some(vec![Cmd::CancelCount])
}

pub(super) fn on_counted(
    state: &mut State,
    run: crate::app::state::CountRun,
    at: std::time::Instant,
    counted: u64,
    pages: u32,
    facets: Facets,
    end: Option<CountEnd>,
) {
    let Some(count) = state.count.as_mut().filter(|count| count.run == run) else {
        return;
    };
    count.at = Some(at);
    count.counted = counted;
    count.pages = pages;
    count.facets = facets;
    match end {
        None => {}
        Some(CountEnd::Exact) => count.phase = CountPhase::Exact,
        Some(CountEnd::Capped) => count.phase = CountPhase::Capped,
        Some(CountEnd::Paused(resume)) => {
            count.phase = CountPhase::Capped;
            count.resume = Some(resume);
        }
        Some(CountEnd::Failed(error)) => {
            let again = state.keymap.first_key(Layer::Global, Action::CountAll);
            state.status.notice = Some(format!(
                "the count stopped after {} contacts: {error}; {again} counts again",
                crate::text::thousands(count.counted)
            ));
            state.status.last_error = Some(format!("the count failed: {error}"));
            count.phase = CountPhase::Failed(error);
        }
    }
    state.facets_by_query.insert(
        count.query.key(),
        (count.facets.clone(), count.phase == CountPhase::Exact),
    );
    if matches!(count.phase, CountPhase::Exact | CountPhase::Capped) {
        let exact = count.phase == CountPhase::Exact;
        state
            .counts_by_query
            .insert(count.query.key(), (count.counted, exact));
    }
}

/// The snapshot answered a count: it is exact, as of the snapshot's last sync.
pub(super) fn on_counted_locally(
    state: &mut State,
    run: crate::app::state::CountRun,
    at: std::time::Instant,
    result: Result<crate::app::msg::LocalCount, String>,
) {
    match result {
        Ok(local) => {
            on_counted(
                state,
                run,
                at,
                local.counted,
                0,
                *local.facets,
                Some(CountEnd::Exact),
            );
            if let Some(count) = state.count.as_mut().filter(|count| count.run == run) {
                count.as_of = Some(local.as_of);
            }
        }
        Err(error) => {
            if let Some(count) = state.count.as_mut().filter(|count| count.run == run) {
                count.phase = CountPhase::Failed(error.clone());
                state.status.last_error = Some(format!("the snapshot could not count: {error}"));
            }
        }
    }
}

/// A background sync of the snapshot ended: its age moves on, and a count it answered is
/// asked again when the sync changed something.
pub(super) fn on_snapshot_synced(
    state: &mut State,
    synced: Option<Result<crate::app::msg::SnapshotSynced, String>>,
) -> Vec<Cmd> {
    let Some(snapshot) = state.snapshot.as_mut() else {
        return vec![];
    };
    let Some(result) = synced else {
        snapshot.syncing = true;
        return vec![];
    };
    snapshot.syncing = false;
    match result {
        Ok(synced) => {
            snapshot.as_of = Some(synced.as_of);
            snapshot.failed = None;
            let from_snapshot = state
                .count
                .as_ref()
                .filter(|count| count.query == state.query)
                .and_then(|count| count.as_of);
            // Changed by this sync, or by another process's since the count was made.
            let stale = from_snapshot.is_some_and(|counted_at| {
                synced.changed > 0 || synced.changed_at.is_some_and(|at| at > counted_at)
            });
            if stale {
                return start(state, false);
            }
            if let Some(count) = state.count.as_mut().filter(|count| count.as_of.is_some()) {
                count.as_of = Some(synced.as_of);
            }
            vec![]
        }
        Err(error) => {
            snapshot.failed = Some(error.clone());
            state.status.last_error = Some(format!("the snapshot sync failed: {error}"));
            vec![]
        }
    }
}

/// `S`: the chart of the counts, once there are some.
pub(super) fn show_chart(state: &mut State) {
    if state.count.as_ref().is_some_and(|count| count.counted > 0) {
        state.mode = Mode::Counts;
    } else {
        state.status.notice = Some("nothing counted yet".into());
    }
}

/// The counts chart's keys: it only closes.
pub(super) fn on_key(state: &mut State, _key: KeyEvent, action: Option<Action>) -> Vec<Cmd> {
    if action == Some(Action::Back) {
        state.mode = Mode::Browse;
    }
    vec![]
}

/// `S` shows the counts as a chart.
pub(super) fn opens(state: &mut State, action: Action) -> Option<Vec<Cmd>> {
    (action == Action::ShowCounts).then(|| {
        show_chart(state);
        vec![]
    })
}
