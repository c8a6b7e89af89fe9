//! Validation of the `POST /inbox/users` body and matching contact records against it.
//!
//! The body is read the way published clients show the platform reads it: a missing key (or
//! `null`) is a filter that is off, unknown keys and unknown enumerated values are accepted, and a
//! boolean filter applies only when `applicableFilters` lists it. A value of the wrong JSON type is
//! refused in every reading, one message per field, so a client that drifts from the documented
//! types fails loudly against the demo instead of silently against a live account. [`Reading`]
//! selects the stricter readings of the doc that a live account might also use. Matching works on
//! the compact records, never on rendered JSON.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::PAGE_SIZE;
use super::dataset::{Dataset, Record, SENDERS, STATUSES, flag, uuid_ascii};
use super::live::Moves;
use crate::api::Channel;

/// How the body is read, where the doc allows more than one reading.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Reading {
    /// Every documented key is required and an unknown `status` or `lastMessageBy` value is
    /// refused, as the newest doc's "every field is required" reads; `null` is then a wrong type.
    pub strict_body: bool,
    /// `isOnline`, `userInteracted`, `isLiveChatActive` and `hasOrdered` apply whether or not
    /// `applicableFilters` lists them.
    pub apply_unlisted_booleans: bool,
}

/// A validated contact query: every filter reduced to masks and millisecond bounds.
pub(crate) struct ContactQuery {
    search: Option<Needle>,
    tags: Option<u64>,
    statuses: Option<u64>,
    /// Per channel, in [`Channel::FILTERED`] order, a mask over [`Dataset::bots`] indices.
    bots: [Option<u64>; 4],
    agents: Option<u64>,
    segments: Option<u64>,
    senders: Option<u64>,
    /// Flags that must all be set (`true` booleans that apply).
    required_flags: u16,
    /// `Some(min)` when `hasOrdered.status` is true and applies; `i64::MIN` when `lastAt` is
    /// empty.
    ordered_since: Option<i64>,
    last_seen: Bounds,
    created: Bounds,
    page: u64,
}

/// Inclusive millisecond bounds; open ends are `i64::MIN` / `i64::MAX`.
struct Bounds {
    start: i64,
    end: i64,
}

impl Bounds {
    const OPEN: Bounds = Bounds {
        start: i64::MIN,
        end: i64::MAX,
    };

    fn contains(&self, ms: i64) -> bool {
        self.start <= ms && ms <= self.end
    }
}

/// The lower-cased search text, plus which fields it could possibly match, so a search over a
/// million records renders phones and uuids only when the text could be part of one.
struct Needle {
    text: String,
    could_be_phone: bool,
    could_be_uuid: bool,
}

impl ContactQuery {
    /// Validates `body`, returning one message per problem.
    pub(crate) fn parse(
        body: &Value,
        dataset: &Dataset,
        reading: Reading,
    ) -> Result<ContactQuery, Vec<String>> {
        let Some(body) = body.as_object() else {
            return Err(vec!["body must be a JSON object".to_owned()]);
        };
        let vocabulary = dataset.vocabulary();
        let mut p = Fields {
            errors: Vec::new(),
            strict: reading.strict_body,
        };

        let search = p.string(body, "", "searchText");
        let tags = p.strings(body, "", "tags");
        let statuses = p.enumerated(body, "status", &STATUSES);
        let online = p.boolean(body, "", "isOnline");
        let bot_lists = Channel::FILTERED.map(|channel| p.strings(body, "", channel.bot_field()));
        let agents = p.strings(body, "", "_agentAssigned");
        let segments = p.strings(body, "", "segments");
        // Guess, from the doc's only sample (`"userInteracted": true` with
        // `["userInteracted"]`): the names of the boolean filters to apply. Names it does not
        // know are ignored, as the platform may know filters the demo does not.
        let applicable = p.strings(body, "", "applicableFilters");
        let last_seen = p.bounds(body, "lastSeenAt");
        let created = p.bounds(body, "createdAt");
        let interacted = p.boolean(body, "", "userInteracted");
        let senders = p.enumerated(body, "lastMessageBy", &SENDERS);
        let live_chat = p.boolean(body, "", "isLiveChatActive");
        let ordered = p.ordered(body);
        let page = p.page(body);
        p.string(body, "", "isExport");
        let contact = p.boolean(body, "", "isContact");

        if !p.errors.is_empty() {
            return Err(p.errors);
        }
        // Whether the boolean filter `key` (`isOnline`, `userInteracted`, `isLiveChatActive`,
        // `hasOrdered`) applies. `isContact` is not gated: the doc's sample sends
        // `"isContact": true` without listing it.
        let applies = |key: &str| {
            reading.apply_unlisted_booleans
                || applicable
                    .as_ref()
                    .is_some_and(|names| names.contains(&key))
        };
        let mut required_flags = 0;
        for (wanted, bit) in [
            (online.filter(|_| applies("isOnline")), flag::ONLINE),
            (
                interacted.filter(|_| applies("userInteracted")),
                flag::INTERACTED,
            ),
            (
                live_chat.filter(|_| applies("isLiveChatActive")),
                flag::LIVE_CHAT,
            ),
            (contact, flag::CONTACT),
        ] {
            if wanted == Some(true) {
                required_flags |= bit;
            }
        }
        let bots = dataset.bots();
        let mut channel_masks = [None; 4];
        for ((mask, list), channel) in channel_masks
            .iter_mut()
            .zip(&bot_lists)
            .zip(Channel::FILTERED)
        {
            *mask = any_of(list.as_deref(), |id| {
                bots.iter()
                    .position(|b| b.channel == channel && b.bot.id == id)
            });
        }
        Ok(ContactQuery {
            search: search.and_then(Needle::new),
            tags: any_of(tags.as_deref(), |t| {
                vocabulary.tags.iter().position(|v| v == t)
            }),
            statuses,
            bots: channel_masks,
            agents: any_of(agents.as_deref(), |a| {
                vocabulary.agents.iter().position(|v| v.id == a)
            }),
            segments: any_of(segments.as_deref(), |s| {
                vocabulary.segments.iter().position(|v| v.id == s)
            }),
            senders,
            required_flags,
            ordered_since: ordered.flatten().filter(|_| applies("hasOrdered")),
            last_seen: last_seen.unwrap_or(Bounds::OPEN),
            created: created.unwrap_or(Bounds::OPEN),
            page: page.unwrap_or(1),
        })
    }

    /// The requested page of matching contacts, rendered: contacts that live mode moved come
    /// first, newest message first, then the base order without them. `statuses` are the
    /// statuses writes changed, by contact index, which win over the generated ones.
    pub(crate) fn page(
        &self,
        dataset: &Dataset,
        moves: &Moves,
        statuses: &HashMap<u32, u8>,
    ) -> Vec<Value> {
        let first = usize::try_from(self.page - 1)
            .unwrap_or(usize::MAX)
            .saturating_mul(PAGE_SIZE);
        let records = dataset.records();
        let mut scratch = String::with_capacity(64);
        let moved = moves.newest_first().map(|(index, at)| (index, Some(at)));
        let unmoved = (0..records.len())
            .filter(|&index| !moves.is_moved(index))
            .map(|index| (index, None));
        moved
            .chain(unmoved)
            .filter(|&(index, _)| {
                let status = status_of(statuses, index, &records[index]);
                self.matches(dataset, &records[index], status, &mut scratch)
            })
            .skip(first)
            .take(PAGE_SIZE)
            .map(|(index, moved_at)| {
                let mut contact = dataset.render_json(index, moved_at);
                let status = status_of(statuses, index, &records[index]);
                contact["status"] = Value::from(STATUSES[usize::from(status)]);
                contact
            })
            .collect()
    }

    /// AND of every filter, cheapest first; `scratch` is reused to render searchable strings.
    fn matches(&self, dataset: &Dataset, r: &Record, status: u8, scratch: &mut String) -> bool {
        r.has(self.required_flags)
            && in_mask(self.statuses, usize::from(status))
            && in_mask(self.senders, usize::from(r.last_by))
            && self.bots.iter().all(|m| in_mask(*m, usize::from(r.bot)))
            && self
                .agents
                .is_none_or(|m| r.agent().is_some_and(|a| m & (1 << a) != 0))
            && self.tags.is_none_or(|m| m & u64::from(r.tags) != 0)
            && self.segments.is_none_or(|m| m & u64::from(r.segments) != 0)
            && self
                .ordered_since
                .is_none_or(|since| r.has(flag::ORDERED) && r.ordered_at >= since)
            && self.last_seen.contains(r.last_seen_at)
            && self.created.contains(r.created_at)
            && self
                .search
                .as_ref()
                .is_none_or(|n| n.matches(dataset, r, scratch))
    }
}

impl Needle {
    /// `None` when the trimmed text is empty (no filter).
    fn new(text: &str) -> Option<Needle> {
        let text = text.trim().to_lowercase();
        if text.is_empty() {
            return None;
        }
        Some(Needle {
            could_be_phone: text
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b'+' || b == b' '),
            could_be_uuid: text.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-'),
            text,
        })
    }

    /// Case-insensitive substring of name, userProvidedName, email, phone (number alone and
    /// prefix+number as rendered) or uuid. Guess: the live API's match set is unknown.
    fn matches(&self, dataset: &Dataset, r: &Record, scratch: &mut String) -> bool {
        let names = &dataset.vocabulary().names_lower;
        let name_hit = |i: u16| {
            names
                .get(usize::from(i))
                .is_some_and(|n| n.contains(&self.text))
        };
        if name_hit(r.name) || name_hit(r.provided_name) {
            return true;
        }
        if r.has(flag::HAS_EMAIL) {
            scratch.clear();
            dataset.write_email(r, scratch);
            if scratch.contains(&self.text) {
                return true;
            }
        }
        // The number alone is a suffix of prefix+number, so one check covers both.
        if self.could_be_phone && r.has(flag::HAS_PHONE) {
            scratch.clear();
            dataset.write_phone_prefix(r, scratch);
            dataset.write_phone_number(r, scratch);
            if scratch.contains(&self.text) {
                return true;
            }
        }
        self.could_be_uuid
            && std::str::from_utf8(&uuid_ascii(r)).is_ok_and(|uuid| uuid.contains(&self.text))
    }
}

/// A contact's status: the one a write set, else the generated one.
fn status_of(statuses: &HashMap<u32, u8>, index: usize, record: &Record) -> u8 {
    u32::try_from(index)
        .ok()
        .and_then(|index| statuses.get(&index).copied())
        .unwrap_or(record.status)
}

fn in_mask(mask: Option<u64>, index: usize) -> bool {
    mask.is_none_or(|m| index < 64 && m & (1 << index) != 0)
}

/// Any-of filter: `None` (no filter) for an empty list; otherwise the mask of known values, which
/// is `0` (matches nothing) when none of them is known.
fn any_of(values: Option<&[&str]>, position: impl Fn(&str) -> Option<usize>) -> Option<u64> {
    let values = values.filter(|v| !v.is_empty())?;
    Some(
        values
            .iter()
            .filter_map(|v| position(v))
            .filter(|&i| i < 64)
            .fold(0, |mask, i| mask | (1 << i)),
    )
}

/// Collects validation messages while reading typed fields out of the body. Every reader returns
/// `None` both for a field that is off (missing or `null`, when not strict) and for one with a
/// problem; the query is built only when there were no problems, so `None` then means off.
struct Fields {
    errors: Vec<String>,
    /// [`Reading::strict_body`].
    strict: bool,
}

impl Fields {
    /// The value of `key`, or `None` when it is off: missing or `null`. Strict, a missing key is
    /// a problem and `null` is a value (of the wrong type for every field).
    fn get<'a>(
        &mut self,
        map: &'a Map<String, Value>,
        prefix: &str,
        key: &str,
    ) -> Option<&'a Value> {
        let value = map.get(key);
        if self.strict {
            if value.is_none() {
                self.errors.push(format!("{prefix}{key} is required"));
            }
            return value;
        }
        value.filter(|v| !v.is_null())
    }

    fn string<'a>(
        &mut self,
        map: &'a Map<String, Value>,
        prefix: &str,
        key: &str,
    ) -> Option<&'a str> {
        let value = self.get(map, prefix, key)?;
        let text = value.as_str();
        if text.is_none() {
            self.errors.push(format!("{prefix}{key} must be a string"));
        }
        text
    }

    fn boolean(&mut self, map: &Map<String, Value>, prefix: &str, key: &str) -> Option<bool> {
        let value = self.get(map, prefix, key)?;
        let flag = value.as_bool();
        if flag.is_none() {
            self.errors.push(format!("{prefix}{key} must be a boolean"));
        }
        flag
    }

    fn strings<'a>(
        &mut self,
        map: &'a Map<String, Value>,
        prefix: &str,
        key: &str,
    ) -> Option<Vec<&'a str>> {
        let value = self.get(map, prefix, key)?;
        let list = value
            .as_array()
            .and_then(|items| items.iter().map(Value::as_str).collect::<Option<Vec<_>>>());
        if list.is_none() {
            self.errors
                .push(format!("{prefix}{key} must be an array of strings"));
        }
        list
    }

    /// A list of strings drawn from `allowed`, as a mask over its positions. A value not in
    /// `allowed` matches no contact (the platform may know values the demo does not); strict, it
    /// is a problem.
    fn enumerated(&mut self, map: &Map<String, Value>, key: &str, allowed: &[&str]) -> Option<u64> {
        let values = self.strings(map, "", key);
        if self.strict {
            for value in values.iter().flatten() {
                if !allowed.contains(value) {
                    self.errors
                        .push(format!("{key} contains an unknown value: {value}"));
                }
            }
        }
        any_of(values.as_deref(), |v| allowed.iter().position(|a| *a == v))
    }

    fn object<'a>(
        &mut self,
        map: &'a Map<String, Value>,
        key: &str,
    ) -> Option<&'a Map<String, Value>> {
        let value = self.get(map, "", key)?;
        let object = value.as_object();
        if object.is_none() {
            self.errors.push(format!("{key} must be an object"));
        }
        object
    }

    /// An ISO-8601 timestamp or `""`, as milliseconds rounded with `round` (`None` when empty).
    fn timestamp(
        &mut self,
        map: &Map<String, Value>,
        prefix: &str,
        key: &str,
        round: fn(i128) -> i128,
    ) -> Option<Option<i64>> {
        let value = self.get(map, prefix, key)?;
        let parsed = match value.as_str() {
            Some("") => Some(None),
            Some(text) => text
                .parse::<jiff::Timestamp>()
                .ok()
                .and_then(|t| i64::try_from(round(t.as_nanosecond())).ok())
                .map(Some),
            None => None,
        };
        if parsed.is_none() {
            self.errors.push(format!(
                "{prefix}{key} must be an ISO-8601 timestamp or empty"
            ));
        }
        parsed
    }

    /// `{startAt, endsAt}`, inclusive on both ends.
    fn bounds(&mut self, map: &Map<String, Value>, key: &str) -> Option<Bounds> {
        let range = self.object(map, key)?;
        let prefix = format!("{key}.");
        let start = self.timestamp(range, &prefix, "startAt", ceil_ms);
        let end = self.timestamp(range, &prefix, "endsAt", floor_ms);
        Some(Bounds {
            start: start.flatten().unwrap_or(i64::MIN),
            end: end.flatten().unwrap_or(i64::MAX),
        })
    }

    /// `hasOrdered`: `Some(Some(min lastAt))` when `status` is true, `Some(None)` when false.
    fn ordered(&mut self, map: &Map<String, Value>) -> Option<Option<i64>> {
        let ordered = self.object(map, "hasOrdered")?;
        let status = self.boolean(ordered, "hasOrdered.", "status");
        let last_at = self.timestamp(ordered, "hasOrdered.", "lastAt", ceil_ms);
        Some(status?.then(|| last_at.flatten().unwrap_or(i64::MIN)))
    }

    /// The page number; `None` (page 1) when off.
    fn page(&mut self, map: &Map<String, Value>) -> Option<u64> {
        let page = self.get(map, "", "page")?.as_u64().filter(|&p| p >= 1);
        if page.is_none() {
            self.errors.push("page must be an integer >= 1".to_owned());
        }
        page
    }
}

fn floor_ms(nanos: i128) -> i128 {
    nanos.div_euclid(1_000_000)
}

fn ceil_ms(nanos: i128) -> i128 {
    -(-nanos).div_euclid(1_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body() -> Value {
        json!({
            "searchText": "", "tags": [], "status": [], "isOnline": false,
            "_botWebsite": [], "_botWhatsapp": [], "_botTelegram": [], "_botFacebook": [],
            "_agentAssigned": [], "segments": [], "applicableFilters": [],
            "lastSeenAt": { "startAt": "", "endsAt": "" },
            "createdAt": { "startAt": "", "endsAt": "" },
            "userInteracted": false, "lastMessageBy": [], "isLiveChatActive": false,
            "hasOrdered": { "status": false, "lastAt": "" },
            "page": 1, "isExport": "none", "isContact": false
        })
    }

    const STRICT: Reading = Reading {
        strict_body: true,
        apply_unlisted_booleans: false,
    };

    fn errors_in(body: &Value, reading: Reading) -> Vec<String> {
        let dataset = Dataset::generate(1, 1);
        ContactQuery::parse(body, &dataset, reading)
            .err()
            .unwrap_or_default()
    }

    fn errors(body: &Value) -> Vec<String> {
        errors_in(body, STRICT)
    }

    #[test]
    fn the_documented_body_is_valid_and_pages_by_fifty() {
        let dataset = Dataset::generate(120, 5);
        let moves = Moves::new(dataset.len(), dataset.newest_last_message_at(), 5, 0.0);
        let query = ContactQuery::parse(&body(), &dataset, STRICT).map_err(|e| e.join("; "));
        let query = query.expect("documented body validates");
        assert_eq!(
            query.page(&dataset, &moves, &HashMap::new()).len(),
            PAGE_SIZE
        );
        let mut third = body();
        third["page"] = json!(3);
        let query = ContactQuery::parse(&third, &dataset, STRICT).map_err(|e| e.join("; "));
        assert_eq!(
            query
                .expect("valid")
                .page(&dataset, &moves, &HashMap::new())
                .len(),
            20
        );
    }

    #[test]
    fn every_problem_gets_a_message() {
        let mut bad = body();
        let fields = bad.as_object_mut().expect("object");
        fields.remove("searchText");
        fields.insert("tags".into(), json!(["vip", 3]));
        fields.insert("status".into(), json!(["OPEN", "FOO"]));
        fields.insert("page".into(), json!(0));
        fields.insert(
            "createdAt".into(),
            json!({ "startAt": "yesterday", "endsAt": "" }),
        );
        fields.insert(
            "hasOrdered".into(),
            json!({ "status": "yes", "lastAt": "" }),
        );
        assert_eq!(
            errors(&bad),
            [
                "searchText is required",
                "tags must be an array of strings",
                "status contains an unknown value: FOO",
                "createdAt.startAt must be an ISO-8601 timestamp or empty",
                "hasOrdered.status must be a boolean",
                "page must be an integer >= 1",
            ]
        );
        assert_eq!(errors(&json!([1])), ["body must be a JSON object"]);
    }

    #[test]
    fn lenient_reading_takes_missing_and_null_as_off_and_still_refuses_wrong_types() {
        let lenient = Reading::default();
        for partial in [
            json!({}),
            json!({ "page": 2 }),
            json!({ "searchText": null, "hasOrdered": { "status": true }, "lastSeenAt": {} }),
            json!({ "status": ["ARCHIVED"], "lastMessageBy": ["system"], "tagsV2": [1] }),
        ] {
            assert_eq!(
                errors_in(&partial, lenient),
                Vec::<String>::new(),
                "{partial}"
            );
        }
        let wrong = json!({
            "tags": "vip", "isOnline": "yes", "status": [1], "page": "2",
            "createdAt": { "startAt": 5 }, "applicableFilters": "isOnline",
        });
        assert_eq!(
            errors_in(&wrong, lenient),
            [
                "tags must be an array of strings",
                "status must be an array of strings",
                "isOnline must be a boolean",
                "applicableFilters must be an array of strings",
                "createdAt.startAt must be an ISO-8601 timestamp or empty",
                "page must be an integer >= 1",
            ]
        );
        // Strict, a missing key is required and `null` is a wrong type.
        let strict = errors(&json!({ "page": null }));
        assert_eq!(strict[..2], ["searchText is required", "tags is required"]);
        assert!(strict.contains(&"page must be an integer >= 1".to_owned()));
    }

    #[test]
    fn millisecond_rounding_keeps_bounds_inclusive() {
        assert_eq!(ceil_ms(1_500_000), 2);
        assert_eq!(floor_ms(1_500_000), 1);
        assert_eq!(ceil_ms(-1_500_000), -1);
        assert_eq!(floor_ms(-1_500_000), -2);
        assert_eq!(ceil_ms(2_000_000), 2);
    }
}
