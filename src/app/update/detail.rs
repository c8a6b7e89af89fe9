//! The detail pane's field cursor and scroll: moving between the fields the model lists
//! (`app/detail.rs`), and scrolling raw JSON, which has none.

use super::cursor::offset;
use crate::app::state::State;

/// Moves the field cursor, keeping the field in view; scrolls where there are no fields.
/// `isize::MIN` / `isize::MAX` mean top / bottom.
pub(super) fn move_cursor(state: &mut State, delta: isize) {
    let fields = crate::app::detail::detail_fields(state).len();
    if fields == 0 {
        scroll_detail(state, delta);
    } else {
        state.detail.cursor = offset(state.detail.cursor, delta, fields - 1);
        match delta {
            isize::MIN => state.detail.scroll = 0,
            isize::MAX => state.detail.scroll = state.limits.detail,
            _ => follow_cursor(state),
        }
    }
}

/// Scrolls the detail by `delta` rows, where it has no field cursor (raw JSON).
fn scroll_detail(state: &mut State, delta: isize) {
    let most = state.limits.detail;
    state.detail.scroll = match delta {
        isize::MIN => 0,
        isize::MAX => most,
        _ => offset(usize::from(state.detail.scroll), delta, usize::from(most))
            .try_into()
            .unwrap_or(most),
    };
}

/// Scrolls the detail just enough to show the whole field under the cursor, as the last frame
/// laid the fields out; a field taller than the pane shows its first rows.
pub(super) fn follow_cursor(state: &mut State) {
    let Some(rows) = state.limits.detail_fields.get(state.detail.cursor) else {
        return;
    };
    if state.detail.cursor == 0 {
        // The first field: its section's title too.
        state.detail.scroll = 0;
        return;
    }
    let height = state.limits.detail_height.max(1);
    let last = rows.first.saturating_add(rows.count.saturating_sub(1));
    if last >= state.detail.scroll.saturating_add(height) {
        state.detail.scroll = last.saturating_sub(height - 1);
    }
    state.detail.scroll = state.detail.scroll.min(rows.first).min(state.limits.detail);
}

/// Another contact in the detail: its top, the cursor on its first field.
pub(super) fn reset(state: &mut State) {
    state.detail.scroll = 0;
    state.detail.cursor = 0;
}
