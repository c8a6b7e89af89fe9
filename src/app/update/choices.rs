//! The filter panel's pick-lists from the API (agents, segments, WhatsApp bots): asked for at
//! start, kept when they answer, asked again after a failure that can pass.

use crate::api::ApiError;
use crate::app::msg::Cmd;
use crate::app::state::{ChoicesError, PickList, State};

/// Asks for those of `lists` not already on their way.
pub(super) fn load(state: &mut State, lists: &[PickList]) -> Vec<Cmd> {
    let wanted: Vec<PickList> = lists
        .iter()
        .copied()
        .filter(|list| state.choices_loading.insert(*list))
        .collect();
    if wanted.is_empty() {
        vec![]
    } else {
        vec![Cmd::LoadChoices(wanted)]
    }
}

/// Pick-lists that failed are asked for again: all of them on `r`, and after a page loads
/// only those that failed for a reason that can pass (a refusal would fail again).
pub(super) fn retry_failed(state: &mut State, only_transient: bool) -> Vec<Cmd> {
    let failed: Vec<PickList> = state
        .status
        .choices_errors
        .iter()
        .filter(|(_, error)| error.transient || !only_transient)
        .map(|(list, _)| *list)
        .collect();
    load(state, &failed)
}

/// A pick-list answered: its loaded entries, or its error noted until it loads.
pub(super) fn answered<T>(
    state: &mut State,
    list: PickList,
    result: Result<Vec<T>, ApiError>,
) -> Option<Vec<T>> {
    state.choices_loading.remove(&list);
    match result {
        Ok(entries) => {
            state.status.choices_errors.remove(&list);
            Some(entries)
        }
        Err(error) => {
            state.status.last_error = Some(format!("could not load {}: {error}", list.describe()));
            state.status.choices_errors.insert(
                list,
                ChoicesError {
                    message: format!("could not load {}: {error}", list.describe()),
                    transient: error.is_retryable(),
                },
            );
            None
        }
    }
}
