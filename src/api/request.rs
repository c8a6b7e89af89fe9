//! The request body of `POST /inbox/users`, field for field as documented.

use serde::{Deserialize, Serialize};

/// Conversation status, spelled as the API spells it (`DEPENDANCY` included).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Status {
    Open,
    #[serde(rename = "INPROGRESS")]
    InProgress,
    Review,
    #[serde(rename = "ONHOLD")]
    OnHold,
    #[serde(rename = "DEPENDANCY")]
    Dependancy,
    Closed,
}

impl Status {
    /// Every status, in the order the panel offers them.
    pub const ALL: [Status; 6] = [
        Status::Open,
        Status::InProgress,
        Status::Review,
        Status::OnHold,
        Status::Dependancy,
        Status::Closed,
    ];

    /// The wire spelling, also what users type on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "OPEN",
            Status::InProgress => "INPROGRESS",
            Status::Review => "REVIEW",
            Status::OnHold => "ONHOLD",
            Status::Dependancy => "DEPENDANCY",
            Status::Closed => "CLOSED",
        }
    }

    /// Case-insensitive parse of the wire spelling.
    pub fn parse(text: &str) -> Option<Status> {
        Status::ALL
            .into_iter()
            .find(|status| status.as_str().eq_ignore_ascii_case(text.trim()))
    }
}

/// Who sent a contact's last message. Only these three values were ever seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sender {
    User,
    Bot,
    Agent,
}

impl Sender {
    /// Every sender, in the order the panel offers them.
    pub const ALL: [Sender; 3] = [Sender::User, Sender::Bot, Sender::Agent];

    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Sender::User => "user",
            Sender::Bot => "bot",
            Sender::Agent => "agent",
        }
    }

    /// Case-insensitive parse of the wire spelling.
    pub fn parse(text: &str) -> Option<Sender> {
        Sender::ALL
            .into_iter()
            .find(|sender| sender.as_str().eq_ignore_ascii_case(text.trim()))
    }
}

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
    /// Values unknown (the doc's sample sends `["userInteracted"]`); sent only as configured.
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
}

impl Query {
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

/// The exact JSON body of one page request: the query plus paging.
#[derive(Debug, Serialize)]
pub struct PageRequest<'a> {
    #[serde(flatten)]
    query: &'a Query,
    /// 1-based.
    page: u32,
    #[serde(rename = "isExport")]
    is_export: &'static str,
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
    fn status_parse_is_case_insensitive() {
        assert_eq!(Status::parse("onhold"), Some(Status::OnHold));
        assert_eq!(Status::parse("DEPENDENCY"), None);
    }
}
