//! The word lists the demo data set is drawn from.
//!
//! They live in `assets/demo-vocabulary.json` so the messy names, tags and pick-list entries can be
//! edited without touching the generator; the file is embedded at compile time so the demo server
//! needs nothing on disk.

use std::sync::LazyLock;

use serde::Deserialize;
use serde_json::Value;

const SOURCE: &str = include_str!("../../assets/demo-vocabulary.json");

/// Most segments a contact record can reference (its segment set is a `u8` bitmask).
pub(crate) const MAX_SEGMENTS: usize = 8;
/// Most tags a contact record can reference (its tag set is a `u16` bitmask).
pub(crate) const MAX_TAGS: usize = 16;
/// Most agents and bots that filter masks (`u64`) can address.
pub(crate) const MAX_AGENTS: usize = 64;
/// Bots are flattened over all channels into one `u64` mask space.
pub(crate) const MAX_BOTS: usize = 64;

static VOCABULARY: LazyLock<Vocabulary> = LazyLock::new(|| {
    Vocabulary::parse(SOURCE).expect("embedded assets/demo-vocabulary.json must be valid")
});

/// The parsed vocabulary, plus lower-cased names precomputed so searching a million contacts
/// never lower-cases a name twice.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Vocabulary {
    pub names: Vec<String>,
    #[serde(skip)]
    pub names_lower: Vec<String>,
    pub email_locals: Vec<String>,
    pub email_domains: Vec<String>,
    pub tags: Vec<String>,
    pub segments: Vec<Segment>,
    pub agents: Vec<Agent>,
    /// Pick-list entries without an `_id` (a deleted agent, a legacy segment), served among the
    /// real ones the way a live account may: a client that decodes a pick-list all-or-nothing
    /// loses every name. Never assigned to contacts, so kept as raw JSON.
    pub agents_without_id: Vec<Value>,
    pub segments_without_id: Vec<Value>,
    pub bots: BotsByChannel,
    pub messages: Messages,
    pub locations: Vec<Location>,
    pub attributes: Vec<AttributeDef>,
    pub devices: Vec<Device>,
    pub urls: Vec<String>,
    pub tracking: Tracking,
    pub chat_bot_types: Vec<String>,
    pub currencies: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Segment {
    #[serde(rename = "_id")]
    pub id: String,
    pub segment_name: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Agent {
    #[serde(rename = "_id")]
    pub id: String,
    pub name: String,
    pub email: String,
    pub live_availability: String,
    pub status: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Bot {
    #[serde(rename = "_id")]
    pub id: String,
    pub name: String,
}

/// Bots per channel; the field order is the channel order used everywhere else.
#[derive(Debug, Deserialize)]
pub(crate) struct BotsByChannel {
    pub website: Vec<Bot>,
    pub whatsapp: Vec<Bot>,
    pub telegram: Vec<Bot>,
    pub facebook: Vec<Bot>,
    pub instagram: Vec<Bot>,
    pub sms: Vec<Bot>,
}

impl BotsByChannel {
    /// Every channel's list, in channel order.
    fn lists(&self) -> [&Vec<Bot>; 6] {
        [
            &self.website,
            &self.whatsapp,
            &self.telegram,
            &self.facebook,
            &self.instagram,
            &self.sms,
        ]
    }

    /// All bots of all channels, each with its channel position (0 = website … 5 = sms).
    pub fn flattened(&self) -> impl Iterator<Item = (usize, &Bot)> {
        self.lists()
            .into_iter()
            .enumerate()
            .flat_map(|(channel, bots)| bots.iter().map(move |bot| (channel, bot)))
    }
}

/// Last-message texts, by who sent them.
#[derive(Debug, Deserialize)]
pub(crate) struct Messages {
    pub user: Vec<String>,
    pub bot: Vec<String>,
    pub agent: Vec<String>,
}

/// A place a contact lives, with the dialling code and national number length used for phones.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Location {
    pub city: String,
    pub country: String,
    pub dial_code: String,
    pub digits: u32,
}

#[derive(Debug, Deserialize)]
pub(crate) struct AttributeDef {
    pub key: String,
    pub values: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Device {
    pub device: String,
    pub browser: String,
    pub operating_system: String,
}

/// What the tracking parameters of visited URLs are drawn from: real visits carry utm tags and a
/// long session or click token, which is most of a real contact's weight.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Tracking {
    pub sources: Vec<String>,
    pub mediums: Vec<String>,
    pub campaigns: Vec<String>,
    /// Names of the query parameter that carries the token.
    pub token_params: Vec<String>,
}

impl Vocabulary {
    /// The embedded vocabulary, parsed once per process.
    pub fn get() -> &'static Vocabulary {
        &VOCABULARY
    }

    /// Parses and checks the limits the compact contact records rely on.
    fn parse(source: &str) -> Result<Vocabulary, String> {
        let mut vocabulary: Vocabulary =
            serde_json::from_str(source).map_err(|err| err.to_string())?;
        vocabulary.names_lower = vocabulary.names.iter().map(|n| n.to_lowercase()).collect();
        vocabulary.check()?;
        Ok(vocabulary)
    }

    fn check(&self) -> Result<(), String> {
        let limits = [
            ("names", self.names.len(), usize::from(u16::MAX)),
            (
                "emailLocals",
                self.email_locals.len(),
                usize::from(u16::MAX),
            ),
            (
                "emailDomains",
                self.email_domains.len(),
                usize::from(u8::MAX),
            ),
            ("tags", self.tags.len(), MAX_TAGS),
            ("segments", self.segments.len(), MAX_SEGMENTS),
            ("agents", self.agents.len(), MAX_AGENTS),
            ("bots", self.bots.flattened().count(), MAX_BOTS),
            ("locations", self.locations.len(), usize::from(u8::MAX)),
        ];
        for (what, len, max) in limits {
            if len == 0 || len > max {
                return Err(format!("{what}: {len} entries, expected 1..={max}"));
            }
        }
        let bot_lists = self.bots.lists();
        let message_lists = [
            &self.messages.user,
            &self.messages.bot,
            &self.messages.agent,
        ];
        let other_lists = [
            &self.urls,
            &self.chat_bot_types,
            &self.currencies,
            &self.tracking.sources,
            &self.tracking.mediums,
            &self.tracking.campaigns,
            &self.tracking.token_params,
        ];
        if bot_lists.iter().any(|l| l.is_empty())
            || message_lists.iter().any(|l| l.is_empty())
            || other_lists.iter().any(|l| l.is_empty())
            || self.devices.is_empty()
            || self.attributes.iter().any(|a| a.values.is_empty())
        {
            return Err("every list must have at least one entry".to_owned());
        }
        if let Some(bad) = self
            .agents_without_id
            .iter()
            .chain(&self.segments_without_id)
            .find(|entry| !entry.is_object() || entry.get("_id").is_some())
        {
            return Err(format!("an entry meant to lack its _id has one: {bad}"));
        }
        if let Some(bad) = self
            .email_locals
            .iter()
            .chain(&self.email_domains)
            .find(|s| s.is_empty() || s.bytes().any(|b| b.is_ascii_uppercase() || !b.is_ascii()))
        {
            return Err(format!(
                "email parts must be non-empty lower-case ASCII: {bad:?}"
            ));
        }
        if let Some(bad) = self.locations.iter().find(|l| {
            !(6..=12).contains(&l.digits) || l.dial_code.bytes().any(|b| !b.is_ascii_digit())
        }) {
            return Err(format!("bad phone plan for location {:?}", bad.city));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_vocabulary_parses_and_fits_the_record_limits() {
        let vocabulary = Vocabulary::parse(SOURCE).expect("vocabulary parses");
        assert_eq!(vocabulary.names.len(), vocabulary.names_lower.len());
        assert_eq!(vocabulary.tags.len(), 12);
        assert_eq!(vocabulary.segments.len(), 6);
        assert_eq!(vocabulary.agents.len(), 14);
        assert_eq!(vocabulary.agents_without_id.len(), 1);
        assert_eq!(vocabulary.segments_without_id.len(), 1);
        assert_eq!(vocabulary.bots.whatsapp.len(), 3);
        assert_eq!(vocabulary.bots.flattened().count(), 15);
    }

    #[test]
    fn names_include_the_messy_cases_clients_must_survive() {
        let names = &Vocabulary::get().names;
        for wanted in [
            "Zoë 🌸",
            "王小明",
            "محمد العلي",
            "O'Brien",
            "Smith, Jr.",
            "Anna \"Annie\" Lee",
        ] {
            assert!(names.iter().any(|n| n == wanted), "missing {wanted}");
        }
    }
}
