//! Each filter of a `Query` evaluated on the snapshot's columns, exactly as the API evaluates it.
//!
//! The reading is the one the demo server implements (`demo/filter.rs`), this project's reading
//! of the contract: every list filter is any-of on exact values, the filters are ANDed, a bot
//! list applies to its own channel's field, a boolean that is `false` filters nothing, dates
//! are inclusive at millisecond precision (a start rounds up, an end down), and `hasOrdered`
//! keeps buyers whose last order is at or after `lastAt`. The booleans are always named in
//! `applicableFilters` by the request builder, so "applies only when listed" and "always
//! applies" agree here.
//!
//! **A switch's "off" and "not said" are the same here, as they are to the API.** The request
//! has one boolean per switch: `true` keeps only the contacts whose field is `true`, and
//! `false` filters nothing. There is no way to ask the API for the contacts that say `false`,
//! so a contact whose field is `false` and one that lacks it are kept or left out together by
//! every query; the snapshot stores one bit per switch, set only for `true`. (Only the filter
//! panel's number beside a switch differs: a walk shows none for a switch that no contact
//! carries, the snapshot counts every contact as saying.)
//!
//! What the server does with `searchText` is unknown (the README's snapshot section, "Same
//! answers as the server", and its `--search` flag say so), and so is the meaning of
//! `--field` body keys and of extra `applicableFilters` names: a query with any of those is
//! [`Unanswerable`], and the caller walks the API instead of guessing.

use super::fields::{LIST_SEPARATOR, Needs, RowView, flag};
use crate::api::{Channel, DateRange, Query};

/// Why a query cannot be answered from the snapshot.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unanswerable {
    #[error("what the server's searchText matches is unknown")]
    Search,
    #[error("the server's meaning of the body field {0} is unknown")]
    RawField(String),
    #[error("the server's meaning of the applicableFilters name {0} is unknown")]
    Applicable(String),
    #[error("{0} is not a timestamp the snapshot can compare")]
    Date(String),
}

/// Inclusive millisecond bounds; `None` when the range is open at both ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Bounds {
    start: i64,
    end: i64,
}

impl Bounds {
    fn parse(range: &DateRange) -> Result<Option<Bounds>, Unanswerable> {
        if range.is_open() {
            return Ok(None);
        }
        let end = |text: &str, round: fn(i128) -> i128, open: i64| {
            if text.trim().is_empty() {
                return Ok(open);
            }
            text.trim()
                .parse::<jiff::Timestamp>()
                .ok()
                .and_then(|at| i64::try_from(round(at.as_nanosecond())).ok())
                .ok_or_else(|| Unanswerable::Date(text.to_owned()))
        };
        Ok(Some(Bounds {
            start: end(&range.start_at, ceil_ms, i64::MIN)?,
            end: end(&range.ends_at, floor_ms, i64::MAX)?,
        }))
    }

    /// A contact without the date is outside every range that has an end.
    fn contains(&self, ms: Option<i64>) -> bool {
        ms.is_some_and(|ms| self.start <= ms && ms <= self.end)
    }
}

fn floor_ms(nanos: i128) -> i128 {
    nanos.div_euclid(1_000_000)
}

fn ceil_ms(nanos: i128) -> i128 {
    -(-nanos).div_euclid(1_000_000)
}

/// A query reduced to what the snapshot's columns can answer.
#[derive(Debug, Clone, Default)]
pub struct LocalQuery {
    statuses: Option<Vec<String>>,
    senders: Option<Vec<String>>,
    tags: Option<Vec<String>>,
    agents: Option<Vec<String>>,
    segments: Option<Vec<String>>,
    bots: [Option<Vec<String>>; 4],
    required_flags: i64,
    /// `Some(min)` when only buyers are kept; `i64::MIN` when `lastAt` is empty.
    ordered_since: Option<i64>,
    last_seen: Option<Bounds>,
    created: Option<Bounds>,
}

/// `None` for an empty list (no filter).
fn any_of<'a>(values: impl IntoIterator<Item = &'a str>) -> Option<Vec<String>> {
    let values: Vec<String> = values.into_iter().map(str::to_owned).collect();
    (!values.is_empty()).then_some(values)
}

fn in_list(list: &Option<Vec<String>>, value: Option<&str>) -> bool {
    match list {
        None => true,
        Some(list) => value.is_some_and(|value| list.iter().any(|wanted| wanted == value)),
    }
}

fn any_in_list(list: &Option<Vec<String>>, joined: &str) -> bool {
    match list {
        None => true,
        Some(list) => {
            !joined.is_empty()
                && joined
                    .split(LIST_SEPARATOR)
                    .any(|value| list.iter().any(|wanted| wanted == value))
        }
    }
}

/// The boolean filters the request builder names in `applicableFilters`.
const KNOWN_APPLICABLE: [&str; 4] = [
    "isOnline",
    "userInteracted",
    "isLiveChatActive",
    "hasOrdered",
];

impl LocalQuery {
    /// The local form of `query`, or why the snapshot cannot answer it exactly.
    pub fn new(query: &Query) -> Result<LocalQuery, Unanswerable> {
        if !query.search_text.trim().is_empty() {
            return Err(Unanswerable::Search);
        }
        if let Some(key) = query.raw_fields.keys().next() {
            return Err(Unanswerable::RawField(key.clone()));
        }
        if let Some(name) = query
            .applicable_filters
            .iter()
            .find(|name| !KNOWN_APPLICABLE.contains(&name.as_str()))
        {
            return Err(Unanswerable::Applicable(name.clone()));
        }
        let required_flags = [
            (query.is_online, flag::ONLINE),
            (query.user_interacted, flag::INTERACTED),
            (query.is_live_chat_active, flag::LIVE_CHAT),
            (query.is_contact, flag::CONTACT),
        ]
        .into_iter()
        .filter(|(on, _)| *on)
        .fold(0, |flags, (_, bit)| flags | bit);
        let ordered_since = if query.has_ordered.status {
            let last_at = &query.has_ordered.last_at;
            Some(match last_at.trim() {
                "" => i64::MIN,
                text => text
                    .parse::<jiff::Timestamp>()
                    .ok()
                    .and_then(|at| i64::try_from(ceil_ms(at.as_nanosecond())).ok())
                    .ok_or_else(|| Unanswerable::Date(last_at.clone()))?,
            })
        } else {
            None
        };
        Ok(LocalQuery {
            statuses: any_of(query.status.iter().map(|status| status.as_str())),
            senders: any_of(query.last_message_by.iter().map(|sender| sender.as_str())),
            tags: any_of(query.tags.iter().map(String::as_str)),
            agents: any_of(query.agent_assigned.iter().map(String::as_str)),
            segments: any_of(query.segments.iter().map(String::as_str)),
            bots: Channel::FILTERED
                .map(|channel| any_of(query.bots(channel).iter().map(String::as_str))),
            required_flags,
            ordered_since,
            last_seen: Bounds::parse(&query.last_seen_at)?,
            created: Bounds::parse(&query.created_at)?,
        })
    }

    /// The fields [`LocalQuery::matches`] reads; the others may be left empty.
    pub fn needs(&self) -> Needs {
        Needs {
            status: self.statuses.is_some(),
            last_by: self.senders.is_some(),
            agent: self.agents.is_some(),
            bots: self.bots.iter().any(Option::is_some),
            tags: self.tags.is_some(),
            segments: self.segments.is_some(),
            flags: self.required_flags != 0 || self.ordered_since.is_some(),
            ordered_at: self.ordered_since.is_some(),
            last_seen: self.last_seen.is_some(),
            created: self.created.is_some(),
            ..Needs::default()
        }
    }

    /// Whether the stored contact `row` matches: the AND of every filter, cheapest first.
    pub fn matches(&self, row: &RowView<'_>) -> bool {
        row.flags & self.required_flags == self.required_flags
            && in_list(&self.statuses, row.status)
            && in_list(&self.senders, row.last_by)
            && in_list(&self.agents, row.agent)
            && self
                .bots
                .iter()
                .zip(row.bots)
                .all(|(list, bot)| in_list(list, bot))
            && any_in_list(&self.tags, row.tags)
            && any_in_list(&self.segments, row.segments)
            && self.ordered_since.is_none_or(|since| {
                row.flags & flag::ORDERED != 0 && row.ordered_at.unwrap_or(i64::MIN) >= since
            })
            && self.last_seen.is_none_or(|b| b.contains(row.last_seen))
            && self.created.is_none_or(|b| b.contains(row.created))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{HasOrdered, Sender, Status};

    fn row() -> RowView<'static> {
        RowView {
            id: "a1",
            status: Some("OPEN"),
            last_by: Some("user"),
            agent: Some("g1"),
            bots: [None, Some("w1"), None, None],
            channel: Some("WHATSAPP"),
            tags: "vip\u{1f}new",
            segments: "",
            flags: flag::ONLINE | flag::ORDERED,
            ordered_at: Some(1_000),
            last_seen: Some(5_000),
            created: None,
        }
    }

    fn matches(query: Query) -> bool {
        LocalQuery::new(&query).expect("answerable").matches(&row())
    }

    /// A contact that says `false` and one that lacks the key are alike to every query, as
    /// they are to the API: `isOnline: true` keeps neither, `false` (no filter) keeps both.
    #[test]
    fn a_switch_that_says_false_and_one_not_said_are_kept_alike() {
        use crate::snapshot::Record;
        let on = Query {
            is_online: true,
            ..Query::default()
        };
        let kept = |json: &str, query: &Query| {
            let record = Record::from_json(json).expect("a contact");
            LocalQuery::new(query)
                .expect("answerable")
                .matches(&record.view())
        };
        let said_false = r#"{"_id":"a","isOnline":false}"#;
        let not_said = r#"{"_id":"b"}"#;
        let said_true = r#"{"_id":"c","isOnline":true}"#;
        assert_eq!(
            [said_false, not_said, said_true].map(|json| kept(json, &on)),
            [false, false, true]
        );
        assert_eq!(
            [said_false, not_said, said_true].map(|json| kept(json, &Query::default())),
            [true, true, true]
        );
    }

    #[test]
    fn each_filter_is_any_of_exact_values_and_all_are_anded() {
        assert!(matches(Query::default()));
        assert!(matches(Query {
            status: vec![Status::Closed, Status::Open],
            tags: vec!["x".into(), "new".into()],
            last_message_by: vec![Sender::User],
            ..Query::default()
        }));
        assert!(!matches(Query {
            tags: vec!["VIP".into()],
            ..Query::default()
        }));
        assert!(!matches(Query {
            segments: vec!["s1".into()],
            ..Query::default()
        }));
        assert!(matches(Query {
            bot_whatsapp: vec!["w1".into()],
            ..Query::default()
        }));
        assert!(!matches(Query {
            bot_website: vec!["w1".into()],
            ..Query::default()
        }));
        assert!(!matches(Query {
            status: vec![Status::Open],
            agent_assigned: vec!["g2".into()],
            ..Query::default()
        }));
    }

    #[test]
    fn booleans_dates_and_orders() {
        assert!(matches(Query {
            is_online: true,
            ..Query::default()
        }));
        assert!(!matches(Query {
            is_contact: true,
            ..Query::default()
        }));
        let ordered_since = |last_at: &str| {
            matches(Query {
                has_ordered: HasOrdered {
                    status: true,
                    last_at: last_at.into(),
                },
                ..Query::default()
            })
        };
        assert!(ordered_since(""));
        assert!(ordered_since("1970-01-01T00:00:01.000Z"));
        assert!(!ordered_since("1970-01-01T00:00:01.0000001Z"));
        let seen = |start: &str, end: &str| {
            matches(Query {
                last_seen_at: DateRange {
                    start_at: start.into(),
                    ends_at: end.into(),
                },
                ..Query::default()
            })
        };
        assert!(seen("1970-01-01T00:00:05Z", "1970-01-01T00:00:05Z"));
        assert!(seen("", "1970-01-01T00:00:05.0009Z"));
        assert!(!seen("1970-01-01T00:00:05.0001Z", ""));
        assert!(!matches(Query {
            created_at: DateRange {
                start_at: "1970-01-01T00:00:00Z".into(),
                ends_at: String::new(),
            },
            ..Query::default()
        }));
    }

    #[test]
    fn unknown_meanings_are_refused_not_guessed() {
        let refused = |query: Query| LocalQuery::new(&query).err();
        assert_eq!(
            refused(Query {
                search_text: "ann".into(),
                ..Query::default()
            }),
            Some(Unanswerable::Search)
        );
        assert_eq!(
            refused(Query {
                applicable_filters: vec!["isSubscriber".into()],
                ..Query::default()
            }),
            Some(Unanswerable::Applicable("isSubscriber".into()))
        );
        let mut raw = Query::default();
        raw.raw_fields
            .insert("tagsV2".into(), serde_json::json!([]));
        assert_eq!(refused(raw), Some(Unanswerable::RawField("tagsV2".into())));
        assert!(
            refused(Query {
                applicable_filters: vec!["isOnline".into()],
                ..Query::default()
            })
            .is_none()
        );
    }
}
