//! The counts chart: the matching contacts by status, channel and last sender.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use unicode_width::UnicodeWidthStr;

use super::Clock;
use super::{Theme, open_overlay};
use crate::app::state::CountPhase;
use crate::app::{State, filters};
use crate::text::thousands;

/// The counts as bar charts: by status, by channel and by last sender, with how many matched
/// in all and how long ago they were counted.
pub(super) fn draw(frame: &mut Frame, area: Rect, state: &State, theme: &Theme, clock: &Clock) {
    use ratatui::layout::{Constraint, Direction, Layout};
    use ratatui::widgets::{Bar, BarChart, BarGroup};
    let Some(count) = &state.count else {
        return;
    };
    let total = match count.phase {
        CountPhase::Exact => format!("{} matching", thousands(count.counted)),
        _ => format!("≥ {} matching", thousands(count.counted)),
    };
    let ago = count
        .at
        .map(|at| {
            let seconds = clock.instant.saturating_duration_since(at).as_secs();
            match seconds {
                0..60 => format!(" · counted {seconds}s ago"),
                _ => format!(" · counted {}m ago", seconds / 60),
            }
        })
        .unwrap_or_default();
    let title = format!("Counts · {total}{ago}");
    let inner = open_overlay(frame, area, 90, 30, &title, theme);
    let status_counts: Vec<(String, u64)> = crate::api::Status::ALL
        .iter()
        .map(|status| {
            let item = filters::FilterItem::Status(status.clone());
            (
                status.as_str().to_owned(),
                count.facets.items.get(&item).copied().unwrap_or(0),
            )
        })
        .collect();
    let channel_counts: Vec<(String, u64)> = count
        .facets
        .channels
        .iter()
        .map(|(channel, n)| (channel.clone(), *n))
        .collect();
    let sender_counts: Vec<(String, u64)> = ["user", "bot", "agent"]
        .iter()
        .map(|by| {
            let item = filters::FilterItem::LastMessageBy(crate::api::Sender::parse(by));
            (
                (*by).to_owned(),
                count.facets.items.get(&item).copied().unwrap_or(0),
            )
        })
        .collect();
    let sections = [
        ("By status", status_counts),
        ("By channel", channel_counts),
        ("By last sender", sender_counts),
    ];
    let heights: Vec<Constraint> = sections
        .iter()
        .map(|(_, bars)| Constraint::Length(u16::try_from(bars.len() + 2).unwrap_or(u16::MAX)))
        .collect();
    let areas = Layout::default()
        .direction(Direction::Vertical)
        .constraints(heights)
        .split(inner);
    // One label column for all three charts, the numbers right-aligned in it and a space
    // before each bar, so that every bar starts at the same column and none touches its number.
    let label_width = sections
        .iter()
        .flat_map(|(_, bars)| bars.iter().map(|(label, _)| label.width().min(12)))
        .max()
        .unwrap_or(0);
    let number_width = sections
        .iter()
        .flat_map(|(_, bars)| bars.iter().map(|(_, value)| thousands(*value).len()))
        .max()
        .unwrap_or(0);
    for ((title, bars), section) in sections.iter().zip(areas.iter()) {
        let bars: Vec<Bar<'_>> = bars
            .iter()
            .map(|(label, value)| {
                let label = crate::text::fit_width(label, label_width);
                Bar::default()
                    .label(Line::from(format!(
                        "{label} {:>number_width$} ",
                        thousands(*value)
                    )))
                    .value(*value)
                    .text_value(String::new())
            })
            .collect();
        let chart = BarChart::default()
            .block(ratatui::widgets::Block::default().title(Line::styled(*title, theme.section)))
            .direction(Direction::Horizontal)
            .bar_width(1)
            .bar_gap(0)
            .bar_style(theme.active_item)
            .data(BarGroup::default().bars(&bars));
        frame.render_widget(chart, *section);
    }
}
