//! Moving a cursor (the list's, the panel's, the detail's, a dialog's) within its bounds.

/// `position + delta`, kept within `0..=last`.
pub(super) fn offset(position: usize, delta: isize, last: usize) -> usize {
    position.saturating_add_signed(delta).min(last)
}
