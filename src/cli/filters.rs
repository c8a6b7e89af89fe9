//! The filter flags shared by `list` and `export`, and their translation into a `Query`.

use super::CliError;
use crate::api::{DateRange, HasOrdered, Query, Sender, Status};
use jiff::tz::TimeZone;

use crate::dates::{RangeEnd, format_timestamp, parse_when};

#[derive(Debug, Clone, Default, clap::Args)]
#[command(next_help_heading = "Filters")]
pub struct FilterArgs {
    /// Free text, sent as `searchText`; the platform decides what it matches (the demo: name,
    /// email, phone and uuid)
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,

    /// Contacts with any of these tags (repeatable)
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,

    /// Conversation status: open, inprogress, review, onhold, dependency (sent as the API's
    /// DEPENDANCY), closed, deleted; another value is sent as given, with a warning (repeatable)
    #[arg(long = "status", value_name = "STATUS", value_parser = parse_status)]
    pub statuses: Vec<Status>,

    /// Website bot id (repeatable)
    #[arg(long = "bot-website", value_name = "ID")]
    pub bot_website: Vec<String>,

    /// WhatsApp bot id (repeatable)
    #[arg(long = "bot-whatsapp", value_name = "ID")]
    pub bot_whatsapp: Vec<String>,

    /// Telegram bot id (repeatable)
    #[arg(long = "bot-telegram", value_name = "ID")]
    pub bot_telegram: Vec<String>,

    /// Facebook bot id (repeatable)
    #[arg(long = "bot-facebook", value_name = "ID")]
    pub bot_facebook: Vec<String>,

    /// Assigned agent id (repeatable)
    #[arg(long = "agent", value_name = "ID")]
    pub agents: Vec<String>,

    /// Segment id (repeatable)
    #[arg(long = "segment", value_name = "ID")]
    pub segments: Vec<String>,

    /// Who sent the last message: user, bot or agent; another value is sent as given, with a
    /// warning (repeatable)
    #[arg(long = "last-message-by", value_name = "WHO", value_parser = parse_sender)]
    pub last_message_by: Vec<Sender>,

    /// Only contacts online now: sends `isOnline: true`, named in `applicableFilters`; the
    /// platform decides what counts as online
    #[arg(long)]
    pub online: bool,

    /// Only contacts with live chat active: sends `isLiveChatActive: true`, named in
    /// `applicableFilters`
    #[arg(long)]
    pub live_chat: bool,

    /// Only contacts who interacted: sends `userInteracted: true`, named in `applicableFilters`
    #[arg(long)]
    pub interacted: bool,

    /// Only contacts who ordered: sends `hasOrdered.status: true`, named in `applicableFilters`
    #[arg(long)]
    pub ordered: bool,

    /// Only saved contacts: sends `isContact: true` (not named in `applicableFilters`, as the
    /// doc's sample). Off by default, so anonymous visitors are included
    #[arg(long)]
    pub contacts_only: bool,

    /// An extra name for `applicableFilters`, beyond the booleans that are on, which are
    /// always named (repeatable)
    #[arg(long = "applicable", value_name = "NAME")]
    pub applicable: Vec<String>,

    /// A body field sent as given, e.g. `--field isSubscriber=true` or
    /// `--field 'tagsV2=["vip"]'`; the value is JSON (quote strings: `'note="x"'`) and wins over
    /// a documented field of that name (repeatable)
    #[arg(long = "field", value_name = "KEY=JSON", value_parser = parse_field)]
    pub fields: Vec<(String, serde_json::Value)>,

    /// Created on or after this date or time
    #[arg(long, value_name = "WHEN")]
    pub created_after: Option<String>,

    /// Created on or before this date or time (a date includes the whole day)
    #[arg(long, value_name = "WHEN")]
    pub created_before: Option<String>,

    /// Last seen on or after this date or time
    #[arg(long, value_name = "WHEN")]
    pub last_seen_after: Option<String>,

    /// Last seen on or before this date or time (a date includes the whole day)
    #[arg(long, value_name = "WHEN")]
    pub last_seen_before: Option<String>,
}

fn parse_status(text: &str) -> Result<Status, String> {
    match text.trim() {
        "" => Err("is empty; use e.g. open or closed".into()),
        text => Ok(Status::parse(text)),
    }
}

fn parse_sender(text: &str) -> Result<Sender, String> {
    match text.trim() {
        "" => Err("is empty; use user, bot or agent".into()),
        text => Ok(Sender::parse(text)),
    }
}

/// `KEY=JSON`, split at the first `=`.
fn parse_field(text: &str) -> Result<(String, serde_json::Value), String> {
    let Some((key, json)) = text.split_once('=') else {
        return Err(format!(
            "{text:?} has no `=`; write KEY=JSON, e.g. isSubscriber=true"
        ));
    };
    let key = key.trim();
    if key.is_empty() {
        return Err("the key before `=` is empty; write KEY=JSON, e.g. isSubscriber=true".into());
    }
    if key == "page" {
        return Err("`page` is set for each request by inbox-tui and cannot be a field".into());
    }
    serde_json::from_str(json.trim())
        .map(|value| (key.to_owned(), value))
        .map_err(|error| {
            format!(
                "the value of {key} is not JSON ({error}); a string needs quotes, e.g. \
                 '{key}=\"text\"'"
            )
        })
}

impl FilterArgs {
    /// The request filters these flags describe, or which flag is wrong and why. Dates without
    /// an offset are read in `time_zone`. Values sent as given that inbox-tui does not know are
    /// warned about on stderr.
    pub fn to_query(&self, time_zone: &TimeZone) -> Result<Query, CliError> {
        let query = self.flags_to_query(time_zone)?;
        for warning in query.unknown_values() {
            super::warn(&warning);
        }
        Ok(query)
    }

    fn flags_to_query(&self, time_zone: &TimeZone) -> Result<Query, CliError> {
        Ok(Query {
            search_text: self.search.clone().unwrap_or_default().trim().to_owned(),
            tags: self.tags.clone(),
            status: self.statuses.clone(),
            is_online: self.online,
            bot_website: self.bot_website.clone(),
            bot_whatsapp: self.bot_whatsapp.clone(),
            bot_telegram: self.bot_telegram.clone(),
            bot_facebook: self.bot_facebook.clone(),
            agent_assigned: self.agents.clone(),
            segments: self.segments.clone(),
            applicable_filters: self.applicable.clone(),
            last_seen_at: date_range(
                ("--last-seen-after", &self.last_seen_after),
                ("--last-seen-before", &self.last_seen_before),
                time_zone,
            )?,
            created_at: date_range(
                ("--created-after", &self.created_after),
                ("--created-before", &self.created_before),
                time_zone,
            )?,
            user_interacted: self.interacted,
            last_message_by: self.last_message_by.clone(),
            is_live_chat_active: self.live_chat,
            has_ordered: HasOrdered {
                status: self.ordered,
                last_at: String::new(),
            },
            is_contact: self.contacts_only,
            raw_fields: self.fields.iter().cloned().collect(),
        })
    }
}

fn date_range(
    (start_flag, start): (&str, &Option<String>),
    (end_flag, end): (&str, &Option<String>),
    time_zone: &TimeZone,
) -> Result<DateRange, CliError> {
    let start_at = start
        .as_deref()
        .map(|text| parse_when(text, RangeEnd::Start, time_zone))
        .transpose()
        .map_err(|reason| CliError::Usage(format!("{start_flag} {reason}")))?;
    let ends_at = end
        .as_deref()
        .map(|text| parse_when(text, RangeEnd::End, time_zone))
        .transpose()
        .map_err(|reason| CliError::Usage(format!("{end_flag} {reason}")))?;
    if let (Some(start_at), Some(ends_at)) = (start_at, ends_at)
        && start_at > ends_at
    {
        return Err(CliError::Usage(format!(
            "{start_flag} is later than {end_flag}: the range would match nothing"
        )));
    }
    Ok(DateRange {
        start_at: start_at.map(format_timestamp).unwrap_or_default(),
        ends_at: ends_at.map(format_timestamp).unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(after: &str, before: &str) -> Result<DateRange, CliError> {
        date_range(
            ("--created-after", &Some(after.to_owned())),
            ("--created-before", &Some(before.to_owned())),
            &TimeZone::UTC,
        )
    }

    #[test]
    fn bare_dates_cover_whole_days() {
        let range = range("2025-01-01", "2025-01-31").expect("valid");
        assert_eq!(range.start_at, "2025-01-01T00:00:00.000Z");
        assert_eq!(range.ends_at, "2025-01-31T23:59:59.999Z");
    }

    #[test]
    fn times_and_offsets_become_utc() {
        let range = range("2025-01-01T10:30", "2025-01-02T10:00:00+05:30").expect("valid");
        assert_eq!(range.start_at, "2025-01-01T10:30:00.000Z");
        assert_eq!(range.ends_at, "2025-01-02T04:30:00.000Z");
    }

    #[test]
    fn dates_without_an_offset_are_read_in_the_chosen_zone() {
        let plus_five = TimeZone::fixed(jiff::tz::offset(5));
        let range = date_range(
            ("--created-after", &Some("2025-01-01".to_owned())),
            ("--created-before", &Some("2025-01-02T10:00Z".to_owned())),
            &plus_five,
        )
        .expect("valid");
        assert_eq!(range.start_at, "2024-12-31T19:00:00.000Z");
        assert_eq!(range.ends_at, "2025-01-02T10:00:00.000Z");
    }

    #[test]
    fn bad_dates_name_the_flag_and_the_forms() {
        let error = range("yesterday", "2025-01-01").expect_err("rejected");
        let text = error.to_string();
        assert!(text.contains("--created-after"), "{text}");
        assert!(text.contains("YYYY-MM-DD"), "{text}");
        assert!(range("2025-02-01", "2025-01-01").is_err());
    }
}
