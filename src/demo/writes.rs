//! `PUT /inbox/users/status-update`: the one documented write, validated as its doc says and
//! applied to an overlay over the immutable data set, so the list, its filters and everything
//! counted from them show the change.
//!
//! What the doc settles is reproduced as documented: `ids` of 24 hex characters (any other is a
//! 400 with the Mongo cast message, and nothing is changed), `subscriberIds` not supported,
//! `success: true` with an empty message. What it leaves unknown is decided here, and the
//! README says so: any number of ids a call; an id no contact has changes nothing and is not an
//! error (a Mongo `updateMany` matches nobody); a statuses outside the documented seven is a
//! 400; and a contact once `DELETED` stays deleted: setting its status again answers success
//! and changes nothing, the most cautious reading, which a client's read-back then reveals.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock, PoisonError};

use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Response};
use serde_json::{Value, json};

use super::dataset::{Dataset, STATUSES};

/// The Mongo cast error the white-label doc shows for a malformed id.
pub(crate) const BAD_ID_MESSAGE: &str =
    "Argument passed in must be a single String of 12 bytes or a string of 24 hex characters";
/// What a token without write permission is told.
pub(crate) const READ_ONLY_MESSAGE: &str =
    "Forbidden: this token is not allowed to change contacts (the demo runs --read-only)";
/// Index of `DELETED` in [`STATUSES`].
const DELETED: u8 = 6;

/// One status change the demo applied, for tests that check each contact changed exactly once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    pub id: String,
    pub from: &'static str,
    pub to: &'static str,
}

/// Statuses changed by writes, over the generated ones, and the log of every change.
#[derive(Default)]
pub(crate) struct StatusOverlay {
    changed: Mutex<Changed>,
    /// Contact index by `_id`, built on the first write.
    ids: OnceLock<HashMap<String, u32>>,
}

#[derive(Default)]
struct Changed {
    status: HashMap<u32, u8>,
    log: Vec<StatusChange>,
}

impl StatusOverlay {
    fn changed(&self) -> std::sync::MutexGuard<'_, Changed> {
        self.changed.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The statuses writes changed, by contact index, for matching and rendering a page.
    pub(crate) fn snapshot(&self) -> HashMap<u32, u8> {
        self.changed().status.clone()
    }

    pub(crate) fn log(&self) -> Vec<StatusChange> {
        self.changed().log.clone()
    }

    /// Applies `status` to the contacts of `ids` that exist, leaving deleted ones deleted.
    fn apply(&self, dataset: &Dataset, ids: &[String], status: u8) {
        let index = self.ids.get_or_init(|| {
            (0..dataset.len())
                .filter_map(|i| {
                    let id = dataset.contact_id(i);
                    u32::try_from(i).ok().map(|i| (id, i))
                })
                .collect()
        });
        let records = dataset.records();
        let mut changed = self.changed();
        for id in ids {
            let Some(&i) = index.get(&id.to_ascii_lowercase()) else {
                continue;
            };
            let current = changed
                .status
                .get(&i)
                .copied()
                .unwrap_or(records[i as usize].status);
            if current == status || current == DELETED {
                continue;
            }
            changed.status.insert(i, status);
            changed.log.push(StatusChange {
                id: id.to_ascii_lowercase(),
                from: STATUSES[usize::from(current)],
                to: STATUSES[usize::from(status)],
            });
        }
    }
}

fn refusal(status: StatusCode, message: &str) -> Response {
    let body = json!({ "success": false, "message": message, "code": status.as_u16() });
    (status, Json(body)).into_response()
}

/// Validates and applies one status update; `read_only` answers 403 as a token without write
/// permission would be.
pub(crate) fn status_update(
    dataset: &Dataset,
    overlay: &StatusOverlay,
    read_only: bool,
    body: &[u8],
) -> Response {
    if read_only {
        return refusal(StatusCode::FORBIDDEN, READ_ONLY_MESSAGE);
    }
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(body) else {
        return refusal(StatusCode::BAD_REQUEST, "body must be a JSON object");
    };
    if body.contains_key("subscriberIds") {
        return refusal(
            StatusCode::BAD_REQUEST,
            "subscriberIds is not supported by this endpoint; send ids",
        );
    }
    let Some(Value::Array(ids)) = body.get("ids") else {
        return refusal(
            StatusCode::BAD_REQUEST,
            "ids must be an array of contact ids",
        );
    };
    if ids.is_empty() {
        return refusal(StatusCode::BAD_REQUEST, "ids must not be empty");
    }
    let mut checked = Vec::with_capacity(ids.len());
    for id in ids {
        match id.as_str() {
            Some(id) if id.len() == 24 && id.bytes().all(|b| b.is_ascii_hexdigit()) => {
                checked.push(id.to_owned());
            }
            _ => return refusal(StatusCode::BAD_REQUEST, BAD_ID_MESSAGE),
        }
    }
    let status = body
        .get("status")
        .and_then(Value::as_str)
        .and_then(|status| STATUSES.iter().position(|known| *known == status));
    let Some(status) = status.and_then(|status| u8::try_from(status).ok()) else {
        return refusal(
            StatusCode::BAD_REQUEST,
            &format!("status must be one of {}", STATUSES.join(", ")),
        );
    };
    overlay.apply(dataset, &checked, status);
    (
        StatusCode::OK,
        Json(json!({ "success": true, "message": "", "code": 200 })),
    )
        .into_response()
}
