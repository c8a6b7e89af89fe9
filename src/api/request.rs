//! The request body of `POST /inbox/users`, field for field as documented.

use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::Channel;

/// Conversation status, spelled as the API spells it (`DEPENDANCY` included). The platform may
/// know values we do not, so any other spelling is kept and sent as given (`Other`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Status {
    Open,
    InProgress,
    Review,
    OnHold,
    Dependancy,
    Closed,
    /// Set by the status-update endpoint; not in the list filter's doc.
    Deleted,
    Other(String),
}

impl Status {
    /// Every known status, in the order the panel offers them.
    pub const ALL: [Status; 7] = [
        Status::Open,
        Status::InProgress,
        Status::Review,
        Status::OnHold,
        Status::Dependancy,
        Status::Closed,
        Status::Deleted,
    ];

    /// The wire spelling, also what users type on the command line.
    pub fn as_str(&self) -> &str {
        match self {
            Status::Open => "OPEN",
            Status::InProgress => "INPROGRESS",
            Status::Review => "REVIEW",
            Status::OnHold => "ONHOLD",
            Status::Dependancy => "DEPENDANCY",
            Status::Closed => "CLOSED",
            Status::Deleted => "DELETED",
            Status::Other(text) => text,
        }
    }

    /// Case-insensitive parse of the wire spelling; `DEPENDENCY`, the usual spelling, is the
    /// API's `DEPENDANCY`. Anything else is kept as typed.
    pub fn parse(text: &str) -> Status {
        let text = text.trim();
        if text.eq_ignore_ascii_case("DEPENDENCY") {
            return Status::Dependancy;
        }
        Status::ALL
            .into_iter()
            .find(|status| status.as_str().eq_ignore_ascii_case(text))
            .unwrap_or_else(|| Status::Other(text.to_owned()))
    }

    /// Whether inbox-tui knows this value; unknown ones are sent with a warning.
    pub fn is_known(&self) -> bool {
        !matches!(self, Status::Other(_))
    }
}

/// Who sent a contact's last message. `user` and `bot` were seen, `agent` is a guess; any other
/// value is kept and sent as given.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Sender {
    User,
    Bot,
    Agent,
    Other(String),
}

impl Sender {
    /// Every known sender, in the order the panel offers them.
    pub const ALL: [Sender; 3] = [Sender::User, Sender::Bot, Sender::Agent];

    /// The wire spelling.
    pub fn as_str(&self) -> &str {
        match self {
            Sender::User => "user",
            Sender::Bot => "bot",
            Sender::Agent => "agent",
            Sender::Other(text) => text,
        }
    }

    /// Case-insensitive parse of the wire spelling; anything else is kept as typed.
    pub fn parse(text: &str) -> Sender {
        let text = text.trim();
        Sender::ALL
            .into_iter()
            .find(|sender| sender.as_str().eq_ignore_ascii_case(text))
            .unwrap_or_else(|| Sender::Other(text.to_owned()))
    }

    /// Whether inbox-tui knows this value; unknown ones are sent with a warning.
    pub fn is_known(&self) -> bool {
        !matches!(self, Sender::Other(_))
    }
}

/// Both enums travel as their wire spelling, and read any string.
macro_rules! wire_string {
    ($type:ty) => {
        impl Serialize for $type {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $type {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                String::deserialize(deserializer).map(|text| <$type>::parse(&text))
            }
        }
    };
}

wire_string!(Status);
wire_string!(Sender);

/// An inclusive range of ISO-8601 UTC timestamps; `""` leaves an end open, as the API expects.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateRange {
    #[serde(rename = "startAt", default)]
    pub start_at: String,
    #[serde(rename = "endsAt", default)]
    pub ends_at: String,
}

impl DateRange {
    /// A range with neither end set filters nothing.
    pub fn is_open(&self) -> bool {
        self.start_at.is_empty() && self.ends_at.is_empty()
    }
}

/// The `hasOrdered` filter: `status: true` keeps buyers, `lastAt` optionally bounds their last order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HasOrdered {
    #[serde(default)]
    pub status: bool,
    #[serde(rename = "lastAt", default)]
    pub last_at: String,
}

/// A [`Query`]'s identity ([`Query::key`]), for maps of what is known per query.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct QueryKey(String);

/// Every documented filter of the inbox. The API wants the full set on every request, so a filter
/// that is off is sent as its empty value rather than left out. Deserialize is lenient so saved
/// views written by older versions still load.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Query {
    #[serde(rename = "searchText")]
    pub search_text: String,
    pub tags: Vec<String>,
    pub status: Vec<Status>,
    #[serde(rename = "isOnline")]
    pub is_online: bool,
    #[serde(rename = "_botWebsite")]
    pub bot_website: Vec<String>,
    #[serde(rename = "_botWhatsapp")]
    pub bot_whatsapp: Vec<String>,
    #[serde(rename = "_botTelegram")]
    pub bot_telegram: Vec<String>,
    #[serde(rename = "_botFacebook")]
    pub bot_facebook: Vec<String>,
    #[serde(rename = "_agentAssigned")]
    pub agent_assigned: Vec<String>,
    pub segments: Vec<String>,
    /// Names sent in `applicableFilters` beyond those of the booleans that are on, which are
    /// always named (see `applicable_filters`): an escape hatch while the accepted values are
    /// unknown.
    #[serde(rename = "applicableFilters")]
    pub applicable_filters: Vec<String>,
    #[serde(rename = "lastSeenAt")]
    pub last_seen_at: DateRange,
    #[serde(rename = "createdAt")]
    pub created_at: DateRange,
    #[serde(rename = "userInteracted")]
    pub user_interacted: bool,
    #[serde(rename = "lastMessageBy")]
    pub last_message_by: Vec<Sender>,
    #[serde(rename = "isLiveChatActive")]
    pub is_live_chat_active: bool,
    #[serde(rename = "hasOrdered")]
    pub has_ordered: HasOrdered,
    #[serde(rename = "isContact")]
    pub is_contact: bool,
    /// Body fields no one modelled (`--field`, unknown keys of a saved view), sent as given;
    /// they win over the documented fields of the same name.
    #[serde(flatten)]
    pub raw_fields: Map<String, Value>,
}

impl Query {
    /// The bots chosen for a channel; none for a channel the request cannot filter by.
    pub fn bots(&self, channel: Channel) -> &[String] {
        match channel {
            Channel::Website => &self.bot_website,
            Channel::Whatsapp => &self.bot_whatsapp,
            Channel::Telegram => &self.bot_telegram,
            Channel::Facebook => &self.bot_facebook,
            Channel::Instagram | Channel::Sms => &[],
        }
    }

    /// The bot filter of a channel, if the request has one for it.
    pub fn bots_mut(&mut self, channel: Channel) -> Option<&mut Vec<String>> {
        match channel {
            Channel::Website => Some(&mut self.bot_website),
            Channel::Whatsapp => Some(&mut self.bot_whatsapp),
            Channel::Telegram => Some(&mut self.bot_telegram),
            Channel::Facebook => Some(&mut self.bot_facebook),
            Channel::Instagram | Channel::Sms => None,
        }
    }

    /// How many filters are switched on; the panel title and status bar show it.
    pub fn active_filter_count(&self) -> usize {
        let lists = [
            &self.tags,
            &self.bot_website,
            &self.bot_whatsapp,
            &self.bot_telegram,
            &self.bot_facebook,
            &self.agent_assigned,
            &self.segments,
        ];
        let switches = [
            self.is_online,
            self.user_interacted,
            self.is_live_chat_active,
            self.is_contact,
            self.has_ordered.status,
        ];
        usize::from(!self.search_text.trim().is_empty())
            + lists.iter().filter(|list| !list.is_empty()).count()
            + usize::from(!self.status.is_empty())
            + usize::from(!self.last_message_by.is_empty())
            + switches.iter().filter(|on| **on).count()
            + usize::from(!self.last_seen_at.is_open())
            + usize::from(!self.created_at.is_open())
            + self.raw_fields.len()
    }

    /// One sentence per value sent as given that inbox-tui does not know (a status, a sender):
    /// not refused, since the platform may know it, but worth a warning in case it is a typo.
    pub fn unknown_values(&self) -> Vec<String> {
        let known = |names: Vec<&str>| names.join(", ");
        let statuses = self
            .status
            .iter()
            .filter(|status| !status.is_known())
            .map(|status| {
                format!(
                    "status {:?} is not one inbox-tui knows ({}); it is sent as given",
                    status.as_str(),
                    known(Status::ALL.iter().map(Status::as_str).collect())
                )
            });
        let senders = self
            .last_message_by
            .iter()
            .filter(|sender| !sender.is_known())
            .map(|sender| {
                format!(
                    "last-message sender {:?} is not one inbox-tui knows ({}); it is sent as given",
                    sender.as_str(),
                    known(Sender::ALL.iter().map(Sender::as_str).collect())
                )
            });
        statuses.chain(senders).collect()
    }

    /// The query's identity: its request body, which is what the server sees, so two queries
    /// that send the same body are the same query to caches and counts.
    pub fn key(&self) -> QueryKey {
        QueryKey(serde_json::to_string(self).unwrap_or_default())
    }

    /// The body for one page of this query.
    pub fn page(&self, page: u32) -> PageRequest<'_> {
        PageRequest {
            query: self,
            page,
            is_export: EXPORT_MODE,
        }
    }
}

/// Only `"none"` was ever seen; other values are unknown, so we never send them.
const EXPORT_MODE: &str = "none";

/// Whether one boolean filter of a query is on.
type IsOn = fn(&Query) -> bool;

/// The boolean filters and their names in the body. A server may apply one only when its name
/// is listed in `applicableFilters` (the doc's one sample pairs `"userInteracted": true` with
/// `["userInteracted"]`). `isContact` is not here: the sample sends it without listing it.
const LISTED_BOOLEANS: [(&str, IsOn); 4] = [
    ("isOnline", |query| query.is_online),
    ("userInteracted", |query| query.user_interacted),
    ("isLiveChatActive", |query| query.is_live_chat_active),
    ("hasOrdered", |query| query.has_ordered.status),
];

/// What a request sends as `applicableFilters`: the name of every boolean filter that is on,
/// then the names the user added. The one place that decides it; a live account would settle
/// whether the list is needed at all, and naming a filter that is on costs nothing if not.
pub fn applicable_filters(query: &Query) -> Vec<String> {
    let mut names: Vec<String> = LISTED_BOOLEANS
        .iter()
        .filter(|(_, is_on)| is_on(query))
        .map(|(name, _)| (*name).to_owned())
        .collect();
    for name in &query.applicable_filters {
        if !names.contains(name) {
            names.push(name.clone());
        }
    }
    names
}

/// The exact JSON body of one page request: the query, `applicableFilters` as
/// `applicable_filters` decides, paging, then the raw fields over all of it.
#[derive(Debug)]
pub struct PageRequest<'a> {
    query: &'a Query,
    /// 1-based.
    page: u32,
    is_export: &'static str,
}

impl Serialize for PageRequest<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // The documented fields alone: the raw ones are written over them below.
        let mut documented = self.query.clone();
        documented.raw_fields = Map::new();
        let Value::Object(mut fields) =
            serde_json::to_value(documented).map_err(serde::ser::Error::custom)?
        else {
            return Err(serde::ser::Error::custom("a query serializes to an object"));
        };
        fields.insert(
            "applicableFilters".into(),
            applicable_filters(self.query).into(),
        );
        let is_contact = fields.shift_remove("isContact");
        fields.insert("page".into(), self.page.into());
        fields.insert("isExport".into(), self.is_export.into());
        if let Some(is_contact) = is_contact {
            fields.insert("isContact".into(), is_contact);
        }
        for (name, value) in &self.query.raw_fields {
            fields.insert(name.clone(), value.clone());
        }
        let mut map = serializer.serialize_map(Some(fields.len()))?;
        for (name, value) in &fields {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn default_body_is_the_documented_one() {
        let body = serde_json::to_value(Query::default().page(1)).expect("serializes");
        let documented = json!({
          "searchText": "",
          "tags": [],
          "status": [],
          "isOnline": false,
          "_botWebsite": [],
          "_botWhatsapp": [],
          "_botTelegram": [],
          "_botFacebook": [],
          "_agentAssigned": [],
          "segments": [],
          "applicableFilters": [],
          "lastSeenAt": { "startAt": "", "endsAt": "" },
          "createdAt": { "startAt": "", "endsAt": "" },
          "userInteracted": false,
          "lastMessageBy": [],
          "isLiveChatActive": false,
          "hasOrdered": { "status": false, "lastAt": "" },
          "page": 1,
          "isExport": "none",
          "isContact": false
        });
        assert_eq!(body, documented);
    }

    #[test]
    fn filters_use_wire_spellings() {
        let query = Query {
            status: vec![Status::InProgress, Status::Dependancy],
            last_message_by: vec![Sender::Agent],
            ..Query::default()
        };
        let body = serde_json::to_value(query.page(3)).expect("serializes");
        assert_eq!(
            body["status"],
            serde_json::json!(["INPROGRESS", "DEPENDANCY"])
        );
        assert_eq!(body["lastMessageBy"], serde_json::json!(["agent"]));
        assert_eq!(body["page"], 3);
        assert_eq!(query.active_filter_count(), 2);
    }

    #[test]
    fn statuses_parse_case_insensitively_with_the_usual_spelling_and_unknown_values_kept() {
        assert_eq!(Status::parse("onhold"), Status::OnHold);
        assert_eq!(Status::parse("Dependency"), Status::Dependancy);
        assert_eq!(Status::parse("deleted"), Status::Deleted);
        assert_eq!(
            Status::parse(" ARCHIVED "),
            Status::Other("ARCHIVED".into())
        );
        assert!(!Status::parse("ARCHIVED").is_known());
        assert_eq!(Sender::parse("Agent"), Sender::Agent);
        assert_eq!(Sender::parse("system"), Sender::Other("system".into()));
    }

    #[test]
    fn booleans_that_are_on_are_named_in_applicable_filters() {
        let query = Query {
            is_online: true,
            has_ordered: HasOrdered {
                status: true,
                last_at: String::new(),
            },
            is_contact: true,
            applicable_filters: vec!["custom".into(), "isOnline".into()],
            ..Query::default()
        };
        let body = serde_json::to_value(query.page(1)).expect("serializes");
        assert_eq!(
            body["applicableFilters"],
            json!(["isOnline", "hasOrdered", "custom"])
        );
        let body = serde_json::to_value(
            Query {
                user_interacted: true,
                is_live_chat_active: true,
                ..Query::default()
            }
            .page(1),
        )
        .expect("serializes");
        assert_eq!(
            body["applicableFilters"],
            json!(["userInteracted", "isLiveChatActive"])
        );
    }

    #[test]
    fn raw_fields_are_sent_as_given_over_the_documented_ones() {
        let mut query = Query::default();
        query.raw_fields.insert("tagsV2".into(), json!(["vip"]));
        query.raw_fields.insert("isOnline".into(), json!("yes"));
        let body = serde_json::to_value(query.page(2)).expect("serializes");
        assert_eq!(body["tagsV2"], json!(["vip"]));
        assert_eq!(body["isOnline"], json!("yes"));
        assert_eq!(body["page"], 2);
        let text = serde_json::to_string(&query.page(2)).expect("serializes");
        assert_eq!(text.matches("\"isOnline\"").count(), 1, "{text}");
    }
}
