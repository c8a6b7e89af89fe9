//! The two bottom lines: what is going on (spinner, host, latency, filters, errors), then the
//! keys that matter most.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use super::time::Clock;
use super::{Theme, clip};
use crate::api::ApiError;
use crate::app::filters;
use crate::app::state::Counting;
use crate::app::{Action, Layer, Load, State};
use crate::text::{single_line, thousands};

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// One reminder on the hint line: these actions' first keys, then a short name.
type Hint = (&'static [Action], &'static str);

/// The hint line of each pane: the actions worth a reminder there, most wanted first. The panes
/// fall back to the global keys, so their lines are chosen here; an overlay's or a text field's
/// hints are rows of the action table (`Keymap::row_hints`).
fn pane_hints(layer: Layer) -> Option<&'static [Hint]> {
    use Action as A;
    let hints: &'static [Hint] = match layer {
        Layer::Global | Layer::List => &[
            (&[A::Help], "help"),
            (&[A::FocusSearch], "search"),
            (&[A::NextPage, A::PrevPage], "page"),
            (&[A::Toggle], "mark"),
            (&[A::Export], "export"),
            (&[A::ClearFilters], "clear"),
            (&[A::Refresh], "refresh"),
            (&[A::FocusNext], "focus"),
            (&[A::Fullscreen], "full screen"),
            (&[A::RawJson], "raw JSON"),
            (&[A::Quit], "quit"),
        ],
        Layer::Filters => &[
            (&[A::Help], "help"),
            (&[A::Toggle], "toggle"),
            (&[A::FocusSearch], "search"),
            (&[A::ClearFilters], "clear"),
            (&[A::SaveView], "save view"),
            (&[A::ShowViews], "views"),
            (&[A::FocusNext], "focus"),
            (&[A::Quit], "quit"),
        ],
        Layer::Detail => &[
            (&[A::Help], "help"),
            (&[A::MoveDown, A::MoveUp], "field"),
            (&[A::Copy], "copy it"),
            (&[A::Fullscreen], "full screen"),
            (&[A::RawJson], "raw JSON"),
            (&[A::Back], "back to the list"),
            (&[A::NextPage, A::PrevPage], "page"),
            (&[A::Quit], "quit"),
        ],
        _ => return None,
    };
    Some(hints)
}

pub(super) fn draw(frame: &mut Frame, area: Rect, state: &State, theme: &Theme, clock: &Clock) {
    let width = usize::from(area.width);
    let lines = vec![
        facts(state, theme, clock, width),
        hints(state, theme, width),
    ];
    frame.render_widget(Paragraph::new(lines), area);
}

/// The status line. The filter summary is capped so that an error after it stays visible.
fn facts(state: &State, theme: &Theme, clock: &Clock, width: usize) -> Line<'static> {
    let mut parts: Vec<Span<'static>> = Vec::new();
    if state.is_busy() {
        let frame = SPINNER[state.spinner_frame % SPINNER.len()];
        parts.push(Span::styled(frame, theme.key));
    }
    let host_at = parts.len();
    parts.push(Span::styled(
        single_line(&state.connection.host),
        theme.title,
    ));
    if let Some(snapshot) = &state.snapshot {
        let age = snapshot.as_of.map_or_else(
            || "never synced".to_owned(),
            |at| super::as_of(at, Some(clock.now), &state.time_zone),
        );
        let (text, style) = if snapshot.offline {
            (format!("OFFLINE: snapshot {age}"), theme.warning)
        } else if snapshot.syncing {
            (format!("snapshot {age}, syncing"), theme.dim)
        } else if snapshot.failed.is_some() {
            (format!("snapshot {age}, sync failed"), theme.warning)
        } else {
            (format!("snapshot {age}"), theme.dim)
        };
        parts.push(Span::styled(text, style));
    }
    let latency_at = parts.len();
    if let Some(latency) = state.status.latency {
        parts.push(Span::raw(format!("{} ms", latency.as_millis())));
    }
    if state.is_busy()
        && let Some((rate, origin)) = state.status.pace
    {
        parts.push(Span::raw(format!(
            "pace {} ({})",
            crate::api::pace::describe_rate(rate),
            origin.label()
        )));
    }
    if !state.selection.is_empty() {
        parts.push(Span::styled(
            clip(&selection_summary(state), width / 3),
            theme.active_item,
        ));
    }
    if let Some(running) = state.selection.running()
        && let Counting::Running { pages, counted } = running.counting
    {
        let described = filters::describe_matching(&running.query, &state.choices);
        parts.push(Span::styled(
            format!(
                "selecting {}: {} counted, {} ({} stops)",
                clip(&described, width / 4),
                thousands(counted),
                crate::text::count_of(u64::from(pages), "page", "pages"),
                state.keymap.first_key(Layer::Global, Action::Back)
            ),
            theme.warning,
        ));
    }
    if let Some(count) = &state.count
        && count.phase == (crate::app::state::CountPhase::Running { to_end: true })
    {
        parts.push(Span::styled(
            format!(
                "counting: {} so far, {} ({} stops)",
                thousands(count.counted),
                crate::text::count_of(u64::from(count.pages), "page", "pages"),
                state.keymap.first_key(Layer::Global, Action::Back)
            ),
            theme.warning,
        ));
    }
    if let crate::app::Mode::Write(dialog) = &state.mode
        && let crate::app::writes::WritePhase::Running { progress, stopping } = &dialog.phase
    {
        parts.push(Span::styled(
            format!(
                "writing: {} of {} answered, {} failed ({})",
                thousands(progress.done as u64),
                thousands(progress.total as u64),
                thousands(progress.failed as u64),
                if *stopping {
                    "stopping".to_owned()
                } else {
                    format!(
                        "{} stops",
                        state.keymap.first_key(Layer::Write, Action::Back)
                    )
                }
            ),
            theme.warning,
        ));
    }
    let summary_at = parts.len();
    let summary = filters::summary(&state.query, &state.choices);
    if summary.is_empty() {
        parts.push(Span::styled("no filters", theme.dim));
    } else {
        parts.push(Span::styled(clip(&summary, width / 3), theme.active_item));
    }

    let backoff = state
        .status
        .backoff_until
        .map(|until| until.saturating_duration_since(clock.instant));
    if let Load::Failed { error, .. } = &state.list.load {
        let text = match error {
            ApiError::Unauthorized { .. } => Some(format!(
                "token rejected: press {} for how to set it",
                state.keymap.first_key(Layer::Global, Action::Help)
            )),
            // The countdown below says it better.
            ApiError::RateLimited { .. } if backoff.is_some() => None,
            other => Some(single_line(&other.to_string())),
        };
        parts.extend(text.map(|text| Span::styled(text, theme.error)));
    }
    if let Some(remaining) = backoff {
        let seconds = remaining.as_secs() + u64::from(remaining.subsec_nanos() > 0);
        parts.push(Span::styled(
            format!("rate limited, retrying in {seconds}s"),
            theme.warning,
        ));
    }
    let notice_at = parts.len();
    if let Some(notice) = &state.status.notice {
        parts.push(Span::raw(single_line(notice)));
    }
    for warning in &state.status.warnings {
        parts.push(Span::styled(single_line(warning), theme.warning));
    }
    for error in state.status.choices_errors.values() {
        parts.push(Span::styled(single_line(&error.message), theme.dim));
    }

    // The notice is what the user just did or must do next: when the line is too long, the
    // latency, the filter summary and the host give way, in that order, until the notice has
    // room; a notice still too long keeps its start and its end, where "what to do" is.
    if state.status.notice.is_some() {
        let width_of = |parts: &[Span<'_>]| {
            parts.iter().map(Span::width).sum::<usize>() + 3 * parts.len().saturating_sub(1)
        };
        let mut notice_index = notice_at;
        let has_latency = state.status.latency.is_some();
        let mut expendable: Vec<usize> = [
            has_latency.then_some(latency_at),
            Some(summary_at),
            Some(host_at),
        ]
        .into_iter()
        .flatten()
        .collect();
        while width_of(&parts) > width && !expendable.is_empty() {
            let index = expendable.remove(0);
            parts.remove(index);
            notice_index -= 1;
            for later in &mut expendable {
                if *later > index {
                    *later -= 1;
                }
            }
        }
        let before = match notice_index {
            0 => 0,
            _ => width_of(&parts[..notice_index]) + 3,
        };
        let room = width.saturating_sub(before);
        if let Some(part) = parts.get_mut(notice_index)
            && part.width() > room
        {
            part.content = crate::text::fit_middle(&part.content, room).into();
        }
    }

    let mut spans = Vec::with_capacity(parts.len() * 2);
    for (index, part) in parts.into_iter().enumerate() {
        if index > 0 {
            spans.push(Span::styled(" │ ", theme.dim));
        }
        spans.push(part);
    }
    Line::from(spans)
}

/// `12,345 selected`, then what holds them when a select-all is part of it: `: all matching
/// status OPEN (12,340 counted) + 6 marked − 1 unmarked`. A running count has its own part.
fn selection_summary(state: &State) -> String {
    let selection = &state.selection;
    let mut text = format!("{} selected", thousands(selection.len() as u64));
    let counted: Vec<String> = selection
        .matching()
        .iter()
        .filter(|set| matches!(set.counting, Counting::Done(_)))
        .map(|set| {
            format!(
                "{} ({} counted)",
                filters::describe_matching(&set.query, &state.choices),
                thousands(set.counted())
            )
        })
        .collect();
    if counted.is_empty() {
        return text;
    }
    text.push_str(": ");
    text.push_str(&counted.join(" + "));
    if !selection.marked().is_empty() {
        text.push_str(&format!(
            " + {} marked",
            thousands(selection.marked().len() as u64)
        ));
    }
    if !selection.excluded().is_empty() {
        text.push_str(&format!(
            " − {} unmarked",
            thousands(selection.excluded().len() as u64)
        ));
    }
    text
}

/// `? help  / search  n/p page …`: the hints of the layer that has the keyboard, keys read
/// from the live keymap; only whole hints that fit in `width` cells.
/// Raw JSON has no field cursor: its keys scroll, and `J` goes back to the fields.
const RAW_JSON_HINTS: &[Hint] = {
    use Action as A;
    &[
        (&[A::Help], "help"),
        (&[A::MoveDown, A::MoveUp], "scroll"),
        (&[A::Fullscreen], "full screen"),
        (&[A::RawJson], "fields"),
        (&[A::Back], "back to the list"),
        (&[A::NextPage, A::PrevPage], "page"),
        (&[A::Quit], "quit"),
    ]
};

/// The layer's key hints that fit in `width`: the first (help) and the last (how to leave)
/// always, the others in order while they fit, so a narrow terminal loses the middle, never
/// `q quit`.
fn hints(state: &State, theme: &Theme, width: usize) -> Line<'static> {
    let layer = state.layer();
    let pane = if layer == Layer::Detail && state.detail.raw_json {
        Some(RAW_JSON_HINTS)
    } else {
        pane_hints(layer)
    };
    let rendered: Vec<(String, &str)> = match pane {
        Some(hints) => hints
            .iter()
            .map(|(actions, name)| {
                let keys: Vec<String> = actions
                    .iter()
                    .map(|action| state.keymap.first_key(layer, *action))
                    .collect();
                (keys.join("/"), *name)
            })
            .collect(),
        None => state.keymap.row_hints(layer),
    };
    let cells = |(keys, name): &(String, &str)| 2 + keys.width() + 1 + name.len();
    let last = rendered.len().saturating_sub(1);
    let mut used = rendered.last().map_or(0, cells);
    let mut shown = vec![false; rendered.len()];
    for (index, hint) in rendered.iter().enumerate() {
        if index == last || used + cells(hint) > width + 2 {
            continue;
        }
        used += cells(hint);
        shown[index] = true;
    }
    if let Some(shown_last) = shown.last_mut() {
        *shown_last = used <= width + 2;
    }
    let mut spans = Vec::with_capacity(rendered.len() * 3);
    for ((keys, name), show) in rendered.into_iter().zip(shown) {
        if !show {
            continue;
        }
        if !spans.is_empty() {
            spans.push(Span::raw("  "));
        }
        spans.push(Span::styled(keys, theme.key));
        spans.push(Span::styled(format!(" {name}"), theme.dim));
    }
    Line::from(spans)
}
