//! The set status / delete dialog: the status to choose, the walk that fixes the set, then the
//! count, a sample and what to type to confirm. Progress while writing is in the status bar.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use super::Clock;
use crate::app::Mode;
use super::{Theme, clip, open_overlay};
use crate::app::writes::{STATUSES, WriteKind, WritePhase};
use crate::app::{Action, Layer, State};
use crate::text::{single_line, thousands};

const WIDTH: u16 = 76;
const HEIGHT: u16 = 14;

pub(super) fn draw(frame: &mut Frame, area: Rect, state: &State, theme: &Theme, _clock: &Clock) {
    let Mode::Write(dialog) = &state.mode else {
        return;
    };
    let width = WIDTH.min(area.width.saturating_sub(2));
    let height = HEIGHT.min(area.height.saturating_sub(2));
    let title = match dialog.kind {
        WriteKind::SetStatus => "Set status",
        WriteKind::Delete => "Delete",
    };
    let inner = open_overlay(frame, area, width, height, title, theme);
    let room = usize::from(inner.width);
    let key = |action| state.keymap.first_key(Layer::Write, action);
    let mut lines = vec![Line::raw(clip(&format!("Of {}", dialog.describe), room))];
    match &dialog.phase {
        WritePhase::Choose { cursor } => {
            for (index, status) in STATUSES.iter().enumerate() {
                let line = format!(
                    "{} {}",
                    if index == *cursor { "▶" } else { " " },
                    status.as_str()
                );
                lines.push(if index == *cursor {
                    Line::styled(line, theme.active_item)
                } else {
                    Line::raw(line)
                });
            }
            lines.push(Line::styled(
                clip(
                    &format!(
                        "{}/{} choose · {} go on · {} cancel",
                        key(Action::MoveDown),
                        key(Action::MoveUp),
                        key(Action::Activate),
                        key(Action::Back)
                    ),
                    room,
                ),
                theme.dim,
            ));
        }
        WritePhase::Planning { seen, .. } => {
            lines.push(Line::raw(format!(
                "reading the contacts first, to fix the set: {} so far",
                thousands(*seen)
            )));
            lines.push(Line::styled(
                format!("{} cancel", key(Action::Back)),
                theme.dim,
            ));
        }
        WritePhase::Confirm {
            status,
            plan,
            phrase,
            input,
        } => {
            let count = match plan.changes.len() {
                1 => "1 contact".to_owned(),
                many => format!("{} contacts", thousands(many as u64)),
            };
            let what = match dialog.kind {
                WriteKind::Delete => format!("Delete {count} (beyond undo)"),
                WriteKind::SetStatus => format!("Set {count} to {status}"),
            };
            lines.push(Line::styled(what, theme.warning));
            let skipped = plan.describe_skipped();
            if !skipped.is_empty() {
                lines.push(Line::styled(
                    clip(&format!("left out: {skipped}"), room),
                    theme.dim,
                ));
            }
            for (change, name) in &plan.sample {
                let sample = format!("  {}  {}  {}", change.id, name, change.from);
                lines.push(Line::raw(clip(&single_line(&sample), room)));
            }
            if plan.changes.len() > plan.sample.len() {
                lines.push(Line::styled(
                    format!(
                        "  … and {} more",
                        thousands((plan.changes.len() - plan.sample.len()) as u64)
                    ),
                    theme.dim,
                ));
            }
            match phrase {
                Some(phrase) => {
                    lines.push(Line::raw(format!(
                        "Type {phrase:?} and {} to go on:",
                        key(Action::Activate)
                    )));
                    lines.push(Line::styled(
                        format!("> {}", single_line(input.value())),
                        theme.active_item,
                    ));
                }
                None => lines.push(Line::raw(format!(
                    "{} or {} to go on",
                    key(Action::Toggle),
                    key(Action::Activate)
                ))),
            }
            lines.push(Line::styled(
                format!("{} cancel", key(Action::Back)),
                theme.dim,
            ));
        }
        WritePhase::Running { progress, stopping } => {
            lines.push(Line::raw(format!(
                "writing: {} of {} answered, {} failed",
                thousands(progress.done as u64),
                thousands(progress.total as u64),
                thousands(progress.failed as u64)
            )));
            lines.push(Line::styled(
                if *stopping {
                    "stopping after the request in flight…".to_owned()
                } else {
                    format!("{} stops after the request in flight", key(Action::Back))
                },
                theme.dim,
            ));
        }
        WritePhase::Failed(error) => {
            lines.push(Line::styled(single_line(error), theme.error));
            lines.push(Line::styled(
                format!("{} close", key(Action::Back)),
                theme.dim,
            ));
        }
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
