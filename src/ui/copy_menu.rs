//! The copy menu: what each key would copy of the contact under the cursor.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Clock;
use super::{Theme, clip, open_overlay};
use crate::app::keymap::CopyField;
use crate::app::{Action, Layer, State};

/// The copy menu: each key with what it would copy of the contact under the cursor.
pub(super) fn draw(frame: &mut Frame, area: Rect, state: &State, theme: &Theme, _clock: &Clock) {
    let Some(contact) = state.selected_contact() else {
        return;
    };
    let fields = [
        (CopyField::Email, contact.email().map(str::to_owned)),
        (
            CopyField::Phone,
            contact.phone().and_then(|phone| phone.e164()),
        ),
        (CopyField::Id, contact.id().map(str::to_owned)),
        (CopyField::Uuid, contact.uuid().map(str::to_owned)),
        (CopyField::Name, contact.name().map(str::to_owned)),
        (CopyField::Json, Some("the whole contact".to_owned())),
    ];
    let inner = open_overlay(frame, area, 64, 10, "Copy", theme);
    let width = usize::from(inner.width);
    let lines: Vec<Line<'static>> = fields
        .into_iter()
        .map(|(field, value)| {
            let key = state
                .keymap
                .first_key(Layer::Copy, Action::CopyField(field));
            let value = value.unwrap_or_else(|| "(none)".to_owned());
            Line::from(vec![
                Span::styled(format!(" {key:<3}"), theme.key),
                Span::styled(format!("{:<7}", field.label()), theme.label),
                Span::raw(clip(&value, width.saturating_sub(11))),
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}
