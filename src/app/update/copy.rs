//! Copying what a triager pastes elsewhere (an email, a phone, ids). The clipboard is reached through the terminal
//! (OSC 52), which works over ssh; the notice shows what was copied, so that where a terminal
//! refuses OSC 52 the value is still there to select.

use crate::api::IdSet;
use crate::app::keymap::CopyField;
use crate::app::msg::Cmd;
use crate::app::state::{Counting, State};
use crate::text::{single_line, thousands};

/// The most ids `Y` copies: beyond that, an export is the way to get them out.
const MAX_COPIED_IDS: usize = 10_000;

pub(super) fn copy_field(state: &mut State, field: CopyField) -> Vec<Cmd> {
    let Some(contact) = state.selected_contact() else {
        return vec![];
    };
    let value = match field {
        CopyField::Email => contact.email().map(str::to_owned),
        CopyField::Phone => contact.phone().and_then(|phone| phone.e164()),
        CopyField::Id => contact.id().map(str::to_owned),
        CopyField::Uuid => contact.uuid().map(str::to_owned),
        CopyField::Name => contact.name().map(str::to_owned),
        CopyField::Json => serde_json::to_string_pretty(contact.raw()).ok(),
    }
    .filter(|value| !value.trim().is_empty());
    let Some(text) = value else {
        state.status.notice = Some(format!("this contact has no {}", field.label()));
        return vec![];
    };
    state.status.notice = Some(match field {
        CopyField::Json => format!(
            "copied the contact as JSON ({} bytes)",
            thousands(text.len() as u64)
        ),
        _ => format!("copied the {}: {}", field.label(), single_line(&text)),
    });
    vec![Cmd::Copy { text }]
}

/// `y` in the detail: the field under its cursor, or in raw JSON the whole contact.
pub(super) fn copy_detail_field(state: &mut State) -> Vec<Cmd> {
    if state.detail.raw_json {
        return copy_field(state, CopyField::Json);
    }
    let fields = crate::app::detail::detail_fields(state);
    let Some(field) = fields.get(state.detail.cursor) else {
        state.status.notice = Some("no field to copy".into());
        return vec![];
    };
    if field.value.trim().is_empty() {
        state.status.notice = Some(format!("the {} is empty", field.label));
        return vec![];
    }
    state.status.notice = Some(format!("copied the {}: {}", field.label, field.value));
    vec![Cmd::Copy {
        text: field.value.clone(),
    }]
}

/// `Y`: the ids of every selected contact, one a line: the marked ones, and those of counted
/// select-alls less the rows unmarked.
pub(super) fn copy_selection(state: &mut State) -> Vec<Cmd> {
    let selection = &state.selection;
    if selection.running().is_some() {
        state.status.notice = Some("a select-all is still counting: copy once it is done".into());
        return vec![];
    }
    if selection.is_empty() {
        state.status.notice = Some("nothing is selected".into());
        return vec![];
    }
    if selection.len() > MAX_COPIED_IDS {
        state.status.notice = Some(format!(
            "{} ids are too many for the clipboard: export them instead",
            thousands(selection.len() as u64)
        ));
        return vec![];
    }
    let mut ids = IdSet::new();
    let mut lines = Vec::new();
    let marked = selection.marked().iter().filter_map(|contact| contact.id());
    let counted = selection
        .matching()
        .iter()
        .filter_map(|set| match &set.counting {
            Counting::Done(ids) => Some(ids),
            Counting::Running { .. } => None,
        });
    let matched: Vec<String> = counted.flat_map(IdSet::iter).collect();
    for id in marked.map(str::to_owned).chain(matched) {
        if !selection.excluded().contains(&id) && ids.insert(&id) {
            lines.push(id);
        }
    }
    state.status.notice = Some(format!("copied {} ids", thousands(lines.len() as u64)));
    vec![Cmd::Copy {
        text: lines.join("\n"),
    }]
}
