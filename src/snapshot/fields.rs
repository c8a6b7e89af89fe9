//! What the snapshot keeps of a contact beside its JSON: the fields the filters, facets, the
//! list and the changes report read, taken from the same tolerant reading the CSV export uses;
//! and how a reader sees them ([`RowView`], borrowed from a stored row, and the [`Needs`] that
//! say which of them it reads).

use crate::api::{Channel, FlatContact};

/// Separates the values of a multi-valued column (tags, segments); a value holding it would
/// be split, which no real tag or segment id does.
pub const LIST_SEPARATOR: char = '\u{1f}';

/// Bits of [`Record::flags`].
pub mod flag {
    pub const ONLINE: i64 = 1;
    pub const INTERACTED: i64 = 2;
    pub const LIVE_CHAT: i64 = 4;
    pub const CONTACT: i64 = 8;
    pub const ORDERED: i64 = 16;
}

/// The columns of one stored contact, borrowed from the database row being read.
#[derive(Debug, Clone, Copy, Default)]
pub struct RowView<'a> {
    pub id: &'a str,
    pub status: Option<&'a str>,
    pub last_by: Option<&'a str>,
    pub agent: Option<&'a str>,
    pub bots: [Option<&'a str>; 4],
    pub channel: Option<&'a str>,
    pub tags: &'a str,
    pub segments: &'a str,
    pub flags: i64,
    pub ordered_at: Option<i64>,
    pub last_seen: Option<i64>,
    pub created: Option<i64>,
}

/// Which of a [`RowView`]'s fields a reader looks at: a scan reads only those from the file,
/// which is most of what a count costs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Needs {
    pub id: bool,
    pub status: bool,
    pub last_by: bool,
    pub agent: bool,
    pub bots: bool,
    pub channel: bool,
    pub tags: bool,
    pub segments: bool,
    pub flags: bool,
    pub ordered_at: bool,
    pub last_seen: bool,
    pub created: bool,
}

impl Needs {
    pub const ALL: Needs = Needs {
        id: true,
        status: true,
        last_by: true,
        agent: true,
        bots: true,
        channel: true,
        tags: true,
        segments: true,
        flags: true,
        ordered_at: true,
        last_seen: true,
        created: true,
    };
}

/// One contact's columns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Record {
    pub id: String,
    pub name: String,
    pub status: Option<String>,
    pub last_by: Option<String>,
    pub agent: Option<String>,
    /// Per channel, in [`Channel::FILTERED`] order.
    pub bots: [Option<String>; 4],
    pub channel: Option<String>,
    /// Joined with `LIST_SEPARATOR`.
    pub tags: String,
    pub segments: String,
    pub flags: i64,
    pub ordered_at: Option<i64>,
    pub last_seen: Option<i64>,
    pub created: Option<i64>,
    /// `lastMessage.at` as the server wrote it, and in milliseconds.
    pub last_message_at: Option<String>,
    pub last_message_ms: Option<i64>,
}

/// An API timestamp in milliseconds since the epoch.
pub fn millis(text: Option<&str>) -> Option<i64> {
    let at = text?.trim().parse::<jiff::Timestamp>().ok()?;
    Some(at.as_millisecond())
}

impl Record {
    /// The record as a scan of the snapshot reads it, to count a contact read from the API
    /// by the same rules.
    pub fn view(&self) -> RowView<'_> {
        RowView {
            id: &self.id,
            status: self.status.as_deref(),
            last_by: self.last_by.as_deref(),
            agent: self.agent.as_deref(),
            bots: [
                self.bots[0].as_deref(),
                self.bots[1].as_deref(),
                self.bots[2].as_deref(),
                self.bots[3].as_deref(),
            ],
            channel: self.channel.as_deref(),
            tags: &self.tags,
            segments: &self.segments,
            flags: self.flags,
            ordered_at: self.ordered_at,
            last_seen: self.last_seen,
            created: self.created,
        }
    }

    /// The columns of the contact `json`; `None` when it is not a contact object with an `_id`.
    pub fn from_json(json: &str) -> Option<Record> {
        // serde would read a struct from an array too (`[1]` fills the first field).
        if !json.trim_start().starts_with('{') {
            return None;
        }
        let contact: FlatContact<'_> = serde_json::from_str(json).ok()?;
        let id = contact.id()?.to_owned();
        let (_, at, by) = contact.last_message();
        let owned = |value: Option<&str>| value.map(str::to_owned);
        let join = |values: &[std::borrow::Cow<'_, str>]| {
            let mut joined = String::new();
            for value in values {
                if !joined.is_empty() {
                    joined.push(LIST_SEPARATOR);
                }
                joined.push_str(value);
            }
            joined
        };
        let flags = [
            (contact.is_online(), flag::ONLINE),
            (contact.user_interacted(), flag::INTERACTED),
            (contact.is_live_chat_active(), flag::LIVE_CHAT),
            (contact.is_contact(), flag::CONTACT),
            (contact.has_ordered(), flag::ORDERED),
        ]
        .into_iter()
        .filter(|(on, _)| *on)
        .fold(0, |flags, (_, bit)| flags | bit);
        Some(Record {
            name: contact.display_name(),
            status: owned(contact.status()),
            last_by: owned(by),
            agent: owned(contact.agent_id()),
            bots: Channel::FILTERED.map(|channel| owned(contact.bot(channel))),
            channel: owned(contact.channel()),
            tags: join(contact.tags()),
            segments: join(contact.segments()),
            flags,
            ordered_at: millis(contact.last_ordered_at()),
            last_seen: millis(contact.last_seen_at()),
            created: millis(contact.created_at()),
            last_message_at: owned(at),
            last_message_ms: millis(at),
            id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_contact_becomes_its_columns() {
        let json = r#"{"_id":"a1","status":"OPEN","platform":["WHATSAPP"],
            "_botWhatsapp":"b1","_agentAssigned":"g1","segments":["s1","s2"],
            "isOnline":true,"isContact":true,"hasOrdered":{"status":true,"lastAt":"2025-01-01T00:00:00.001Z"},
            "lastMessage":{"at":"2025-02-01T00:00:00.000Z","by":"user"},
            "createdAt":"2024-01-01T00:00:00.000Z",
            "profile":{"userDetails":{"name":"Ann","tags":["vip","new"]}}}"#;
        let record = Record::from_json(json).expect("a contact");
        assert_eq!(record.id, "a1");
        assert_eq!(record.name, "Ann");
        assert_eq!(record.bots[1].as_deref(), Some("b1"));
        assert_eq!(record.bots[0], None);
        assert_eq!(record.channel.as_deref(), Some("WHATSAPP"));
        assert_eq!(record.tags, "vip\u{1f}new");
        assert_eq!(record.segments, "s1\u{1f}s2");
        assert_eq!(record.flags, flag::ONLINE | flag::CONTACT | flag::ORDERED);
        assert_eq!(record.ordered_at, Some(1_735_689_600_001));
        assert_eq!(record.last_seen, None);
        assert_eq!(record.last_by.as_deref(), Some("user"));
        assert!(Record::from_json(r#"{"status":"OPEN"}"#).is_none());
        assert!(Record::from_json("[1]").is_none());
    }
}
