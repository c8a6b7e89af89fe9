//! Writes to the account: bulk status changes and deletions, with their journal.
//!
//! The platform documents one write for contacts, `PUT /inbox/users/status-update`
//! (`{"ids": [...], "status": "..."}`; `DELETED` deletes). Everything else about it is unknown:
//! the most ids a call, its rate limit, whether a deletion can be undone. So a run here:
//!
//! 1. fixes the set it acts on before the first write ([`plan`]): a selection by query is walked
//!    first, so contacts that move while the run goes are neither skipped nor hit twice;
//! 2. records every request in a journal before sending it ([`journal`]), with each contact's
//!    previous status, so it can be undone, resumed, and audited;
//! 3. sends modest chunks of [`CHUNK_SIZE`] ids, one at a time, paced by the same governor as
//!    the reads, checking every reply (a 200 that does not say `success: true` is a failure),
//!    stopping between chunks when asked ([`run`]);
//! 4. reads the statuses back afterwards and names the contacts that did not change
//!    ([`verify`]).
//!
//! The browser and the command line drive the same steps.

pub mod journal;
pub mod plan;
pub mod run;
pub mod verify;

pub use journal::{Action, Journal, RunLog};
pub use plan::{Change, Decision, Plan, Target};
pub use run::{Executed, Progress};

/// Ids per request. The platform's limit is unknown; fifty is a page's worth, which keeps a
/// request small and a failure's damage bounded.
pub const CHUNK_SIZE: usize = 50;

/// The status that deletes a contact, as the platform's own example sets it.
pub const DELETED: &str = "DELETED";

/// Contacts above which a status change asks for their number to be typed.
pub const TYPE_THE_NUMBER_ABOVE: usize = 100;

/// The phrase a confirmation needs typed, if any: `delete N` for any deletion, the number for a
/// change of more than [`TYPE_THE_NUMBER_ABOVE`] contacts; none (one key) for fewer. The browser
/// and the command line ask the same.
pub fn confirm_phrase(status: &str, count: usize) -> Option<String> {
    if status == DELETED {
        Some(format!("delete {count}"))
    } else if count > TYPE_THE_NUMBER_ABOVE {
        Some(count.to_string())
    } else {
        None
    }
}

/// Whether `id` is a contact id the endpoint takes: 24 hexadecimal characters. Anything else is
/// answered with a Mongo cast error, so it is refused before any request.
pub fn is_contact_id(id: &str) -> bool {
    id.len() == 24 && id.bytes().all(|byte| byte.is_ascii_hexdigit())
}
