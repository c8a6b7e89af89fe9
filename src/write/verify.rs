//! Reading back after a run: which contacts did not end up with the status the run set.
//!
//! A status change is confirmed by finding the contact under the new status. A deletion is
//! confirmed by no longer finding the contact under the status it had: whether the list shows
//! deleted contacts at all is unknown, so absence is what counts.

use std::collections::{BTreeSet, HashMap};

use super::{Change, DELETED};
use crate::api::walk::{ContactStream, WalkError, WalkOptions, WalkStep};
use crate::api::{Client, Contact, IdSet, Query, Status};

/// The ids of `changes` whose status is not the one they were set to, in `changes`' order.
pub async fn unchanged(
    client: &Client,
    changes: &[Change],
    options: &WalkOptions,
) -> Result<Vec<String>, WalkError> {
    let (deletions, others): (Vec<&Change>, Vec<&Change>) =
        changes.iter().partition(|change| change.to == DELETED);
    let mut not_changed = IdSet::new();
    if !others.is_empty() {
        let wanted: HashMap<&str, &str> = others
            .iter()
            .map(|change| (change.id.as_str(), change.to.as_str()))
            .collect();
        let targets: BTreeSet<&str> = others.iter().map(|change| change.to.as_str()).collect();
        let found = statuses_of(client, &targets, options, |id| wanted.contains_key(id)).await?;
        for change in &others {
            if found.get(&change.id).map(String::as_str) != Some(change.to.as_str()) {
                not_changed.insert(&change.id);
            }
        }
    }
    if !deletions.is_empty() {
        let ids: IdSet = deletions.iter().fold(IdSet::new(), |mut set, change| {
            set.insert(&change.id);
            set
        });
        let before: BTreeSet<&str> = deletions
            .iter()
            .map(|change| change.from.as_str())
            .collect();
        let found = statuses_of(client, &before, options, |id| ids.contains(id)).await?;
        for change in &deletions {
            if found
                .get(&change.id)
                .is_some_and(|status| status != DELETED)
            {
                not_changed.insert(&change.id);
            }
        }
    }
    Ok(changes
        .iter()
        .filter(|change| not_changed.contains(&change.id))
        .map(|change| change.id.clone())
        .collect())
}

/// The status of each contact `keep` wants among those listed under `statuses`.
async fn statuses_of(
    client: &Client,
    statuses: &BTreeSet<&str>,
    options: &WalkOptions,
    keep: impl Fn(&str) -> bool,
) -> Result<HashMap<String, String>, WalkError> {
    let query = Query {
        status: statuses
            .iter()
            .map(|status| Status::parse(status))
            .collect(),
        ..Query::default()
    };
    let mut stream = ContactStream::<Contact>::start(client, &query, options, IdSet::new());
    let mut found = HashMap::new();
    loop {
        match stream.next().await? {
            WalkStep::Batch(batch) => {
                for contact in batch.items {
                    if let Some(id) = contact.id().map(str::to_ascii_lowercase)
                        && keep(&id)
                    {
                        found.insert(id, contact.status().unwrap_or("").to_owned());
                    }
                }
            }
            WalkStep::End(_) => return Ok(found),
        }
    }
}
