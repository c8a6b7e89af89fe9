//! The seeded demo data set: compact contact records, generated once and rendered to JSON on
//! demand.
//!
//! A million contacts must fit in memory, so each contact is a small fixed-size [`Record`] of
//! vocabulary indices, bitmasks, millisecond timestamps and flags; JSON is built only for the 50
//! contacts of a page. Details that no filter looks at (device, attributes, orders, extra keys…)
//! are not stored at all but re-derived from the record's `seed`, so they cost nothing per record
//! and still come out the same on every request.

use std::cmp::Reverse;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Map, Value, json};

use super::vocabulary::{Bot, Vocabulary};
use crate::api::Channel;

/// Every timestamp is relative to this instant (2026-11-01T00:00:00Z), never the wall clock, so a
/// seed produces the same data on every machine and every day.
const BASE_MS: i64 = 1_793_491_200_000;
const MINUTE_MS: i64 = 60_000;
const DAY_MS: i64 = 86_400_000;
/// How far back contacts were created.
const HISTORY_MS: i64 = 365 * DAY_MS;
/// CSV imports create many contacts at one instant; these batches give the sort real ties.
const IMPORT_BATCHES: i64 = 6;
/// The last 16 hex digits of an `_id` are this constant plus the generation serial, which keeps
/// ids unique and Mongo-ObjectId-shaped (timestamp, then a per-process constant, then a counter).
const OID_TAIL: u64 = 0x5eed_0000_0000_0000;

const UUID_SALT_HI: u64 = 0x0bad_5eed_0000_0001;
const UUID_SALT_LO: u64 = 0x0bad_5eed_0000_0002;
const EMAIL_SALT: u64 = 0x0bad_5eed_0000_0003;
const DETAIL_SALT: u64 = 0x0bad_5eed_0000_0004;
const CUSTOMER_SALT: u64 = 0x0bad_5eed_0000_0005;
const MOVE_TEXT_SALT: u64 = 0x0bad_5eed_0000_0006;
const UNREAD_SALT: u64 = 0x0bad_5eed_0000_0007;
/// Seeds the second stream (see `Generator::add_oddities`), kept apart from the main one so that
/// the contacts it changes leave every other contact of a seed as it was.
const ODDITY_SALT: u64 = 0x0bad_5eed_0000_0008;

/// The JWT header that starts every tracking token (`{"alg":"HS256","typ":"JWT"}`).
const JWT_HEADER: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.";
const BASE64URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Contact statuses in bit order of [`Record::status`] masks; `DEPENDANCY` is spelled as the API
/// spells it. `DELETED` (the status-update doc sets it) comes from the second stream, not from
/// [`STATUS_WEIGHTS`].
pub(crate) const STATUSES: [&str; 7] = [
    "OPEN",
    "INPROGRESS",
    "REVIEW",
    "ONHOLD",
    "DEPENDANCY",
    "CLOSED",
    "DELETED",
];
/// Weights of the first six statuses, as the main stream draws them.
const STATUS_WEIGHTS: [u32; 6] = [30, 15, 8, 7, 5, 35];
const DELETED: u8 = 6;

/// Values of `lastMessage.by`, in bit order of [`Record::last_by`] masks.
pub(crate) const SENDERS: [&str; 3] = ["user", "bot", "agent"];
const SENDER_WEIGHTS: [u32; 3] = [45, 35, 20];

/// Weights of the four channels the main stream draws; Instagram and SMS come from the second.
const CHANNEL_WEIGHTS: [u32; 4] = [45, 30, 12, 13];
/// The main stream draws an assigned agent among the first eight, the team the demo started
/// with; the second stream hands [`NEWER_AGENT_PERCENT`] of assigned contacts to the agents after
/// them, who (joined later) carry fewer conversations each. Seeds keep their assignments.
const ESTABLISHED_AGENTS: usize = 8;
const NEWER_AGENT_PERCENT: u64 = 20;
/// Per mille of contacts from each of Instagram and SMS, of `DELETED` contacts, and of phones
/// written with their national trunk `0` after the country prefix.
const INSTAGRAM_PER_MILLE: u64 = 30;
const SMS_PER_MILLE: u64 = 30;
const DELETED_PER_MILLE: u64 = 10;
const TRUNK_ZERO_PER_MILLE: u64 = 20;
const TAG_COUNT_WEIGHTS: [u32; 4] = [35, 35, 20, 10];
const SEGMENT_COUNT_WEIGHTS: [u32; 3] = [50, 35, 15];
/// One to four visited URLs; about 2.3 on average keeps a contact near a real one's 3.2 KB.
const URL_COUNT_WEIGHTS: [u32; 4] = [20, 40, 30, 10];

/// Marks `Record::name` / `Record::provided_name` as absent.
const NO_NAME: u16 = u16::MAX;
/// Marks `Record::agent` as unassigned.
const NO_AGENT: u8 = u8::MAX;

/// Bits of [`Record::flags`].
pub(crate) mod flag {
    pub const ONLINE: u16 = 1 << 0;
    pub const CONTACT: u16 = 1 << 1;
    pub const SUBSCRIBER: u16 = 1 << 2;
    pub const LIVE_CHAT: u16 = 1 << 3;
    pub const INTERACTED: u16 = 1 << 4;
    pub const ORDERED: u16 = 1 << 5;
    pub const HAS_TEXT: u16 = 1 << 6;
    pub const HAS_EMAIL: u16 = 1 << 7;
    pub const HAS_PHONE: u16 = 1 << 8;
    /// The phone prefix is rendered `"+44"` rather than `"44"`.
    pub const PLUS_PREFIX: u16 = 1 << 9;
    /// The number keeps its national trunk `0` and a space, as people type it: `"07700 900123"`
    /// after the prefix `"+44"`. Its plan is the `TRUNK_ZERO_PLANS` entry of the
    /// location's dialling code.
    pub const TRUNK_ZERO: u16 = 1 << 10;
}

/// A national numbering plan whose numbers are written with a trunk `0`: the dialling code,
/// the numbers drawn (`first` plus up to `spread`), where the space goes, and whether the
/// prefix gets a `+`.
struct TrunkPlan {
    dial_code: &'static str,
    first: u64,
    spread: u64,
    /// Digits of the national number before the space.
    group: usize,
    plus: bool,
}

/// UK numbers from Ofcom's drama range (`07700 900000`–`900999`, never assigned), after `"+44"`,
/// four in five; German mobiles (`0151 …`) after `"49"`, the rest.
const TRUNK_ZERO_PLANS: [TrunkPlan; 2] = [
    TrunkPlan {
        dial_code: "44",
        first: 7_700_900_000,
        spread: 1000,
        group: 4,
        plus: true,
    },
    TrunkPlan {
        dial_code: "49",
        first: 15_100_000_000,
        spread: 100_000_000,
        group: 3,
        plus: false,
    },
];
const TRUNK_PLAN_WEIGHTS: [u32; 2] = [4, 1];

/// The lower-case spelling of a channel in `secondaryPlatform`.
fn secondary_platform(channel: Channel) -> &'static str {
    match channel {
        Channel::Website => "website",
        Channel::Whatsapp => "whatsapp",
        Channel::Telegram => "telegram",
        Channel::Facebook => "facebook",
        Channel::Instagram => "instagram",
        Channel::Sms => "sms",
    }
}

/// A bot with the channel it serves, flattened over all channels so a record needs one `u8`.
pub(crate) struct BotRef {
    pub channel: Channel,
    pub bot: &'static Bot,
}

/// One contact, compact: everything a filter looks at, as indices, masks and integers.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Record {
    pub created_at: i64,
    pub last_message_at: i64,
    pub last_seen_at: i64,
    /// `hasOrdered.lastAt`; meaningful only with [`flag::ORDERED`].
    pub ordered_at: i64,
    /// National phone number; meaningful only with [`flag::HAS_PHONE`].
    pub phone: u64,
    /// Source of the uuid, email suffix and every unfiltered detail.
    pub seed: u64,
    /// Generation order; unique, so it makes `_id` unique.
    pub serial: u32,
    pub name: u16,
    pub provided_name: u16,
    pub email_local: u16,
    /// Bit `i` = vocabulary tag `i`.
    pub tags: u16,
    pub flags: u16,
    pub location: u8,
    pub email_domain: u8,
    /// Bit `i` = vocabulary segment `i`.
    pub segments: u8,
    pub agent: u8,
    /// Index into [`Dataset::bots`].
    pub bot: u8,
    /// Index into [`STATUSES`].
    pub status: u8,
    /// Index into [`SENDERS`].
    pub last_by: u8,
}

impl Record {
    pub(crate) fn has(&self, bits: u16) -> bool {
        self.flags & bits == bits
    }

    pub(crate) fn agent(&self) -> Option<u8> {
        (self.agent != NO_AGENT).then_some(self.agent)
    }

    /// Imported from a CSV: only such contacts have a `userProvidedName` and no `name`.
    fn is_imported(&self) -> bool {
        self.name == NO_NAME && self.provided_name != NO_NAME
    }

    /// `(createdAt seconds, serial)`: compares exactly like the rendered `_id` string.
    fn id_key(&self) -> (u32, u32) {
        let seconds = u32::try_from(self.created_at.div_euclid(1000)).unwrap_or(u32::MAX);
        (seconds, self.serial)
    }
}

/// The data set, exposed so tests can filter it independently of the server.
pub struct Dataset {
    /// Sorted in served order: newest `lastMessage.at` first, ties by `_id`.
    records: Vec<Record>,
    vocabulary: &'static Vocabulary,
    bots: Vec<BotRef>,
    /// The account id every row carries as `_customer`: one data set is one account.
    customer: String,
}

impl Dataset {
    /// Generates `contacts` contacts (at most `u32::MAX`) from a ChaCha8 stream seeded with
    /// `seed`, so the same seed gives the same data on every machine.
    pub fn generate(contacts: usize, seed: u64) -> Dataset {
        let vocabulary = Vocabulary::get();
        let bots: Vec<BotRef> = vocabulary
            .bots
            .flattened()
            .map(|(channel, bot)| BotRef {
                channel: Channel::ALL[channel],
                bot,
            })
            .collect();
        let mut generator = Generator::new(vocabulary, &bots, seed);
        let mut records: Vec<Record> = (0..=u32::MAX)
            .take(contacts)
            .map(|serial| generator.record(serial))
            .collect();
        records.sort_unstable_by_key(|r| (Reverse(r.last_message_at), r.id_key()));
        Dataset {
            records,
            vocabulary,
            bots,
            customer: Mix(seed ^ CUSTOMER_SALT).hex24(),
        }
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Contact at `index` in served order (index 0 = newest lastMessage.at), as the exact JSON the
    /// server sends.
    ///
    /// # Panics
    /// If `index >= self.len()`.
    pub fn contact_json(&self, index: usize) -> serde_json::Value {
        self.render_json(index, None)
    }

    /// Like [`Dataset::contact_json`], for a contact that live mode moved to the top with a new
    /// message at `moved_at`: only `lastMessage`, `updatedAt` and the unread counts differ, so
    /// a move never changes which filters the contact matches.
    pub(crate) fn render_json(&self, index: usize, moved_at: Option<i64>) -> Value {
        Value::Object(self.render(&self.records[index], moved_at))
    }

    /// The newest `lastMessage.at` of the data set, where live mode's clock starts.
    pub(crate) fn newest_last_message_at(&self) -> Option<i64> {
        self.records.first().map(|r| r.last_message_at)
    }

    /// The agents contacts are assigned to, every one with an `_id`: what a client keeps of
    /// `GET /custom-user` after skipping its malformed entry (see [`Dataset::agent_pick_list`]).
    pub fn agents_json(&self) -> Vec<serde_json::Value> {
        self.vocabulary
            .agents
            .iter()
            .map(|agent| {
                json!({
                    "_id": agent.id,
                    "name": agent.name,
                    "contact": { "email": agent.email },
                    "liveAvailability": agent.live_availability,
                    "status": agent.status,
                })
            })
            .collect()
    }

    /// Every entry `GET /custom-user` lists, over all its pages: [`Dataset::agents_json`] with
    /// the vocabulary's entries without an `_id` after the third agent, so on page 1.
    pub fn agent_pick_list(&self) -> Vec<serde_json::Value> {
        with_entries_at(self.agents_json(), 3, &self.vocabulary.agents_without_id)
    }

    /// The segments contacts belong to, every one with an `_id`: what a client keeps of
    /// `GET /inbox/segments` after skipping its malformed entry (see
    /// [`Dataset::segment_pick_list`]).
    pub fn segments_json(&self) -> Vec<serde_json::Value> {
        self.vocabulary
            .segments
            .iter()
            .map(|segment| json!({ "_id": segment.id, "segmentName": segment.segment_name }))
            .collect()
    }

    /// Every entry `GET /inbox/segments` lists: [`Dataset::segments_json`] with the vocabulary's
    /// entries without an `_id` after the second segment.
    pub fn segment_pick_list(&self) -> Vec<serde_json::Value> {
        with_entries_at(
            self.segments_json(),
            2,
            &self.vocabulary.segments_without_id,
        )
    }

    /// The WhatsApp bots `GET /whatsapp-automation` lists.
    pub fn whatsapp_bots_json(&self) -> Vec<serde_json::Value> {
        self.vocabulary
            .bots
            .whatsapp
            .iter()
            .map(|bot| json!({ "_id": bot.id, "name": bot.name }))
            .collect()
    }

    /// The index of the contact with this `_id`, found from the records' ids alone, without
    /// rendering any contact.
    pub(crate) fn index_of_id(&self, id: &str) -> Option<usize> {
        self.records
            .iter()
            .position(|record| object_id(record) == id)
    }

    /// The `_id` of the contact at `index`.
    pub(crate) fn contact_id(&self, index: usize) -> String {
        object_id(&self.records[index])
    }

    pub(crate) fn records(&self) -> &[Record] {
        &self.records
    }

    pub(crate) fn vocabulary(&self) -> &'static Vocabulary {
        self.vocabulary
    }

    pub(crate) fn bots(&self) -> &[BotRef] {
        &self.bots
    }

    /// Appends the rendered email (empty when the contact has none).
    pub(crate) fn write_email(&self, record: &Record, out: &mut String) {
        if !record.has(flag::HAS_EMAIL) {
            return;
        }
        let local = &self.vocabulary.email_locals[usize::from(record.email_local)];
        let domain = &self.vocabulary.email_domains[usize::from(record.email_domain)];
        out.push_str(local);
        let suffix = splitmix(record.seed ^ EMAIL_SALT) % 1000;
        if suffix >= 400 {
            out.push_str(decimal(suffix, &mut [0; 20]));
        }
        out.push('@');
        out.push_str(domain);
    }

    /// Appends `phone.number` as rendered (nothing when the contact has none): the national
    /// digits, or with [`flag::TRUNK_ZERO`] a `0`, the first group, a space and the rest.
    pub(crate) fn write_phone_number(&self, record: &Record, out: &mut String) {
        if !record.has(flag::HAS_PHONE) {
            return;
        }
        let mut buffer = [0; 20];
        let digits = decimal(record.phone, &mut buffer);
        if !record.has(flag::TRUNK_ZERO) {
            out.push_str(digits);
            return;
        }
        let dial_code = &self.vocabulary.locations[usize::from(record.location)].dial_code;
        let group = TRUNK_ZERO_PLANS
            .iter()
            .find(|plan| plan.dial_code == dial_code)
            .map_or(0, |plan| plan.group);
        let (head, tail) = digits.split_at_checked(group).unwrap_or((digits, ""));
        out.push('0');
        out.push_str(head);
        if !head.is_empty() && !tail.is_empty() {
            out.push(' ');
        }
        out.push_str(tail);
    }

    /// Appends `phone.prefix` as rendered: `"+44"` on some contacts, `"91"` on others.
    pub(crate) fn write_phone_prefix(&self, record: &Record, out: &mut String) {
        if record.has(flag::PLUS_PREFIX) {
            out.push('+');
        }
        out.push_str(&self.vocabulary.locations[usize::from(record.location)].dial_code);
    }

    fn render(&self, r: &Record, moved_at: Option<i64>) -> Map<String, Value> {
        let v = self.vocabulary;
        let bot = &self.bots[usize::from(r.bot)];
        let mut mix = Mix(r.seed ^ DETAIL_SALT);
        let mut c = Map::new();
        let last_message_at = moved_at.unwrap_or(r.last_message_at);

        c.insert("_id".into(), json!(object_id(r)));
        let uuid = uuid_ascii(r);
        c.insert("uuid".into(), json!(String::from_utf8_lossy(&uuid)));
        c.insert("_customer".into(), json!(self.customer));
        let user = mix.hex24();
        if mix.chance(50) {
            c.insert("_user".into(), json!(user));
        }
        let website_user = if bot.channel == Channel::Website {
            user.as_str()
        } else {
            ""
        };
        c.insert("_userWebsite".into(), json!(website_user));
        c.insert(bot.channel.bot_field().into(), json!(bot.bot.id));
        if mix.chance(40) {
            c.insert("chatBotType".into(), json!(mix.pick(&v.chat_bot_types)));
        }
        c.insert("platform".into(), json!([bot.channel.platform()]));
        c.insert(
            "secondaryPlatform".into(),
            json!([secondary_platform(bot.channel)]),
        );
        c.insert("status".into(), json!(STATUSES[usize::from(r.status)]));
        c.insert("isOnline".into(), json!(r.has(flag::ONLINE)));
        c.insert("isContact".into(), json!(r.has(flag::CONTACT)));
        c.insert("isSubscriber".into(), json!(r.has(flag::SUBSCRIBER)));
        c.insert("isLiveChatActive".into(), json!(r.has(flag::LIVE_CHAT)));
        c.insert("userInteracted".into(), json!(r.has(flag::INTERACTED)));
        c.insert("isImported".into(), json!(r.is_imported()));
        c.insert("isMigrated".into(), json!(mix.chance(4)));
        c.insert("isPaid".into(), json!(mix.chance(35)));
        c.insert("isUserBlocked".into(), json!(mix.chance(2)));
        let integrations = if mix.chance(30) {
            json!({ "zoho": { "isTemplateSent": mix.chance(50) } })
        } else {
            json!({})
        };
        c.insert("integrations".into(), integrations);
        if bot.channel == Channel::Website && mix.chance(60) {
            c.insert("websiteVisits".into(), json!(1 + mix.below(40)));
        }
        if r.has(flag::ORDERED) {
            c.insert(
                "hasOrdered".into(),
                json!({ "status": true, "lastAt": iso(r.ordered_at) }),
            );
            c.insert("orders".into(), self.orders(r, &mut mix));
        } else {
            c.insert("hasOrdered".into(), json!({ "status": false }));
        }
        let segments: Vec<&str> = bits(u64::from(r.segments))
            .map(|i| v.segments[i].id.as_str())
            .collect();
        c.insert("segments".into(), json!(segments));
        if let Some(agent) = r.agent() {
            c.insert(
                "_agentAssigned".into(),
                json!(v.agents[usize::from(agent)].id),
            );
        }
        let by = usize::from(r.last_by);
        let mut last_message = Map::new();
        if r.has(flag::HAS_TEXT) {
            let texts = match by {
                0 => &v.messages.user,
                1 => &v.messages.bot,
                _ => &v.messages.agent,
            };
            let mut text = mix.pick(texts);
            if let Some(at) = moved_at {
                // A new message from the same sender: the text changes, who sent it does not.
                text = Mix(r.seed ^ MOVE_TEXT_SALT ^ at as u64).pick(texts);
            }
            last_message.insert("text".into(), json!(text));
        }
        last_message.insert("at".into(), json!(iso(last_message_at)));
        last_message.insert("by".into(), json!(SENDERS[by]));
        c.insert("lastMessage".into(), Value::Object(last_message));
        c.insert("lastSeenAt".into(), json!(iso(r.last_seen_at)));
        let mut unread = if by == 0 { mix.below(12) } else { 0 };
        if moved_at.is_some() && by == 0 {
            unread += 1;
        }
        c.insert("unreadMessages".into(), json!(unread));
        c.insert("unreadMessage".into(), self.unread_by_agent(r, unread));
        c.insert("profile".into(), self.profile(r, bot.channel, &mut mix));
        c.insert("createdAt".into(), json!(iso(r.created_at)));
        let settled = r.last_message_at.max(r.last_seen_at) + mix.below(5000) as i64;
        // A moved contact was just written to: its update is the new message.
        let updated_at = moved_at.unwrap_or(settled);
        c.insert("updatedAt".into(), json!(iso(updated_at)));
        if mix.chance(20) {
            c.insert(
                "experimentBucket".into(),
                json!(mix.pick(&["A", "B", "control"])),
            );
        }
        let version = if mix.chance(80) { 0 } else { mix.below(4) };
        c.insert("__v".into(), json!(version));
        c
    }

    /// `unreadMessage`: the unread count per agent, summing to `unreadMessages` (empty at 0).
    /// The assigned agent holds most of it; sometimes a second agent holds the rest. Its own
    /// stream, so a move that adds one unread message leaves every other detail as it was.
    fn unread_by_agent(&self, r: &Record, unread: usize) -> Value {
        if unread == 0 {
            return json!([]);
        }
        let mut mix = Mix(r.seed ^ UNREAD_SALT);
        let agents = &self.vocabulary.agents;
        let first = r
            .agent()
            .map_or_else(|| mix.below(agents.len()), usize::from);
        let split = if unread > 1 && mix.chance(30) {
            1 + mix.below(unread - 1)
        } else {
            unread
        };
        let mut entries = vec![json!({ "userId": agents[first].id, "count": split })];
        if split < unread {
            let second = (first + 1 + mix.below(agents.len().max(2) - 1)) % agents.len();
            entries.push(json!({ "userId": agents[second].id, "count": unread - split }));
        }
        Value::Array(entries)
    }

    /// The unmodelled `orders` key: 1–3 orders, the last one at `hasOrdered.lastAt`.
    fn orders(&self, r: &Record, mix: &mut Mix) -> Value {
        let count = 1 + mix.below(3);
        let span = (r.ordered_at - r.created_at).max(0) as u64;
        let orders: Vec<Value> = (0..count)
            .map(|i| {
                let at = if i + 1 == count {
                    r.ordered_at
                } else {
                    r.created_at + (mix.next() % (span + 1)) as i64
                };
                let cents = 199 + mix.next() % 49_800;
                json!({
                    "orderId": format!("ORD-{:06}", mix.next() % 1_000_000),
                    "amount": cents as f64 / 100.0,
                    "currency": mix.pick(&self.vocabulary.currencies),
                    "at": iso(at),
                })
            })
            .collect();
        Value::Array(orders)
    }

    fn profile(&self, r: &Record, channel: Channel, mix: &mut Mix) -> Value {
        let v = self.vocabulary;
        let location = &v.locations[usize::from(r.location)];
        let mut details = Map::new();
        let name = match r.name {
            NO_NAME => "",
            i => v.names[usize::from(i)].as_str(),
        };
        details.insert("name".into(), json!(name));
        if r.provided_name != NO_NAME {
            details.insert(
                "userProvidedName".into(),
                json!(v.names[usize::from(r.provided_name)]),
            );
        }
        details.insert("picture".into(), json!(""));
        let mut email = String::new();
        self.write_email(r, &mut email);
        let mut contact = Map::new();
        contact.insert("email".into(), json!(email));
        // Real rows carry `phone` even without a number, as two empty strings.
        let (mut number, mut prefix) = (String::new(), String::new());
        if r.has(flag::HAS_PHONE) {
            self.write_phone_number(r, &mut number);
            self.write_phone_prefix(r, &mut prefix);
        }
        contact.insert(
            "phone".into(),
            json!({ "number": number, "prefix": prefix }),
        );
        details.insert("contact".into(), Value::Object(contact));
        if channel == Channel::Whatsapp && r.has(flag::HAS_PHONE) {
            details.insert(
                "whatsAppNumber".into(),
                json!(format!("{}{}", location.dial_code, r.phone)),
            );
        }
        details.insert("city".into(), json!(location.city));
        details.insert("country".into(), json!(location.country));
        let tags: Vec<&str> = bits(u64::from(r.tags))
            .map(|i| v.tags[i].as_str())
            .collect();
        details.insert("tags".into(), json!(tags));
        let first_attribute = mix.below(v.attributes.len());
        let attributes: Vec<Value> = (0..mix.below(v.attributes.len() + 1))
            .map(|i| {
                let def = &v.attributes[(first_attribute + i) % v.attributes.len()];
                json!({ "key": def.key, "value": mix.pick(&def.values) })
            })
            .collect();
        details.insert("attributes".into(), json!(attributes));
        let device = mix.pick(&v.devices);
        let telegram_user_name = if channel == Channel::Telegram {
            let mut handle = mix.pick(&v.email_locals).replace(['.', '-'], "_");
            handle.push('_');
            handle.push_str(decimal(mix.next() % 10_000, &mut [0; 20]));
            handle
        } else {
            String::new()
        };
        details.insert("telegramUserName".into(), json!(telegram_user_name));
        let facebook_profile_id = if channel == Channel::Facebook {
            // Page-scoped ids are 16 digits.
            let id = 1_000_000_000_000_000 + mix.next() % 9_000_000_000_000_000;
            id.to_string()
        } else {
            String::new()
        };
        details.insert("facebookProfileId".into(), json!(facebook_profile_id));
        details.insert("gender".into(), json!(""));
        let ip = ip_address(mix);
        let urls: Vec<String> = (0..=mix.weighted(&URL_COUNT_WEIGHTS))
            .map(|_| self.visited_url(mix))
            .collect();
        json!({
            "userDetails": details,
            "device": {
                "device": device.device,
                "browser": device.browser,
                "ip": ip,
                "operatingSystem": device.operating_system,
            },
            "marketing": { "urlsVisited": urls },
            "notes": [],
        })
    }

    /// A signed tracking token, JWT-shaped like real ones: a JSON payload of a visitor id, the
    /// campaign, landing page, user agent and a fingerprint, base64url-encoded, then a signature.
    /// Several hundred characters, random where real ones are (ids, fingerprint, signature) and
    /// repetitive where real ones are (claim names, campaigns), so it compresses like real data.
    fn write_token(&self, mix: &mut Mix, out: &mut String) {
        let v = self.vocabulary;
        let tracking = &v.tracking;
        let device = mix.pick(&v.devices);
        let mut claims = String::with_capacity(512);
        claims.push_str(r#"{"sub":""#);
        write_hex(mix, 32, &mut claims);
        for (key, value) in [
            (r#"","src":""#, mix.pick(&tracking.sources)),
            (r#"","med":""#, mix.pick(&tracking.mediums)),
            (r#"","cid":""#, mix.pick(&tracking.campaigns)),
            (r#"","lp":""#, mix.pick(&v.urls)),
            (r#"","ua":""#, &device.browser),
            (r#"","os":""#, &device.operating_system),
        ] {
            claims.push_str(key);
            claims.push_str(value);
        }
        let issued = BASE_MS / 1000 - (mix.next() % 30_000_000) as i64;
        claims.push_str(r#"","iat":"#);
        claims.push_str(decimal(issued.unsigned_abs(), &mut [0; 20]));
        if mix.chance(50) {
            claims.push_str(r#","exp":"#);
            claims.push_str(decimal(issued.unsigned_abs() + 2_592_000, &mut [0; 20]));
        }
        claims.push_str(r#","scp":["view","click""#);
        if mix.chance(30) {
            claims.push_str(r#","convert""#);
        }
        claims.push_str(r#"],"fp":""#);
        write_hex(mix, 64, &mut claims);
        claims.push('"');
        if mix.chance(50) {
            claims.push_str(r#","ref":""#);
            claims.push_str(mix.pick(&v.urls).as_str());
            claims.push('"');
        }
        if mix.chance(40) {
            claims.push_str(r#","ab":{"exp":""#);
            claims.push_str(mix.pick(&tracking.campaigns).as_str());
            claims.push_str(r#"","arm":"#);
            claims.push_str(decimal(mix.next() % 4, &mut [0; 20]));
            claims.push('}');
        }
        claims.push('}');
        out.push_str(JWT_HEADER);
        write_base64url(claims.as_bytes(), out);
        out.push('.');
        let signature: Vec<u8> = (0..4).flat_map(|_| mix.next().to_le_bytes()).collect();
        write_base64url(&signature, out);
    }

    /// A landing page with utm tags and a tracking token of several hundred characters, the way
    /// ad clicks arrive; the token is drawn from `mix`, so it costs nothing to store.
    fn visited_url(&self, mix: &mut Mix) -> String {
        let tracking = &self.vocabulary.tracking;
        let page = mix.pick(&self.vocabulary.urls);
        let (base, fragment) = match page.split_once('#') {
            Some((base, fragment)) => (base, Some(fragment)),
            None => (page.as_str(), None),
        };
        let mut url = String::with_capacity(1024);
        url.push_str(base);
        url.push(if base.contains('?') { '&' } else { '?' });
        for (key, value) in [
            ("utm_source=", mix.pick(&tracking.sources)),
            ("&utm_medium=", mix.pick(&tracking.mediums)),
            ("&utm_campaign=", mix.pick(&tracking.campaigns)),
        ] {
            url.push_str(key);
            url.push_str(value);
        }
        url.push_str("&utm_content=ad_");
        url.push_str(decimal(mix.next() % 100_000, &mut [0; 20]));
        url.push('&');
        url.push_str(mix.pick(&tracking.token_params).as_str());
        url.push('=');
        self.write_token(mix, &mut url);
        if let Some(fragment) = fragment {
            url.push('#');
            url.push_str(fragment);
        }
        url
    }
}

/// The contact's v4-shaped UUID as lower-case ASCII, derived from its seed; built on the stack
/// because a search may need it for every one of a million records.
pub(crate) fn uuid_ascii(record: &Record) -> [u8; 36] {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let hi = (splitmix(record.seed ^ UUID_SALT_HI) & !0xf000) | 0x4000;
    let lo = (splitmix(record.seed ^ UUID_SALT_LO) & !(0b11 << 62)) | (0b10 << 62);
    let value = (u128::from(hi) << 64) | u128::from(lo);
    let mut out = [b'-'; 36];
    let mut shift = 128;
    for (i, byte) in out.iter_mut().enumerate() {
        if !matches!(i, 8 | 13 | 18 | 23) {
            shift -= 4;
            *byte = HEX[(value >> shift) as usize & 0xf];
        }
    }
    out
}

/// Formats `n` in decimal into `buf` without allocating.
pub(crate) fn decimal(mut n: u64, buf: &mut [u8; 20]) -> &str {
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    std::str::from_utf8(&buf[at..]).unwrap_or_default()
}

/// `bytes` in unpadded base64url, as JWTs encode their parts.
fn write_base64url(bytes: &[u8], out: &mut String) {
    for chunk in bytes.chunks(3) {
        let word = chunk
            .iter()
            .enumerate()
            .fold(0u32, |word, (i, &b)| word | u32::from(b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(BASE64URL[(word >> (18 - 6 * i)) as usize & 63]));
        }
    }
}

/// `digits` random lower-case hex digits.
fn write_hex(mix: &mut Mix, digits: usize, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut bits = 0;
    for i in 0..digits {
        if i % 16 == 0 {
            bits = mix.next();
        }
        out.push(char::from(HEX[(bits & 15) as usize]));
        bits >>= 4;
    }
}

/// A public-looking client address: mostly IPv4, sometimes IPv6 (documentation prefix).
fn ip_address(mix: &mut Mix) -> String {
    let n = mix.next();
    if n % 100 < 15 {
        let groups = mix.next();
        return format!(
            "2001:db8:{:x}:{:x}:{:x}:{:x}::{:x}",
            groups & 0xffff,
            (groups >> 16) & 0xffff,
            (groups >> 32) & 0xffff,
            groups >> 48,
            (n >> 8) & 0xffff
        );
    }
    // Skip the private and loopback first octets 10 and 127.
    let first = match 1 + (n >> 8) % 223 {
        10 => 11,
        127 => 128,
        other => other,
    };
    format!(
        "{first}.{}.{}.{}",
        (n >> 16) & 0xff,
        (n >> 24) & 0xff,
        1 + (n >> 32) % 254
    )
}

/// 24 lower-case hex digits: creation second, then a constant, then the serial.
fn object_id(r: &Record) -> String {
    let (seconds, serial) = r.id_key();
    format!("{seconds:08x}{:016x}", OID_TAIL | u64::from(serial))
}

/// ISO-8601 UTC with milliseconds and `Z`, the way the API renders every timestamp.
fn iso(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .expect("generated timestamps lie within a year of 2026")
        .strftime("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

/// Positions of the set bits, lowest first.
fn bits(mask: u64) -> impl Iterator<Item = usize> {
    (0..64).filter(move |i| mask & (1 << i) != 0)
}

/// SplitMix64 finaliser: a cheap, well-mixed hash of a `u64`.
fn splitmix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A tiny deterministic stream for render-time details, seeded per record.
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        splitmix(self.0)
    }

    /// Uniform-enough in `0..n`; `n` must be non-zero.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    /// Index drawn with the given relative weights (not all zero).
    fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|&w| u64::from(w)).sum();
        let mut roll = self.next() % total;
        for (i, &w) in weights.iter().enumerate() {
            if roll < u64::from(w) {
                return i;
            }
            roll -= u64::from(w);
        }
        weights.len() - 1
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn hex24(&mut self) -> String {
        format!("{:08x}{:016x}", self.next() >> 32, self.next())
    }
}

/// How a contact is named, mirroring the cases the display-name fallback must handle.
#[derive(Clone, Copy)]
enum NameStyle {
    NameOnly,
    NameAndProvided,
    /// Imported from a CSV: empty `name`, `userProvidedName` set.
    Imported,
    EmailOnly,
    PhoneOnly,
    /// Nothing at all: clients fall back to the uuid.
    Anonymous,
}

impl NameStyle {
    const ALL: [NameStyle; 6] = [
        NameStyle::NameOnly,
        NameStyle::NameAndProvided,
        NameStyle::Imported,
        NameStyle::EmailOnly,
        NameStyle::PhoneOnly,
        NameStyle::Anonymous,
    ];
    const WEIGHTS: [u32; 6] = [35, 20, 10, 10, 10, 15];

    /// Percent chances of having an email and a phone.
    fn contact_odds(self) -> (u32, u32) {
        match self {
            NameStyle::NameOnly => (50, 40),
            NameStyle::NameAndProvided => (70, 50),
            NameStyle::Imported => (60, 80),
            NameStyle::EmailOnly => (100, 0),
            NameStyle::PhoneOnly => (0, 100),
            NameStyle::Anonymous => (0, 0),
        }
    }
}

/// Draws records from the seeded ChaCha8 stream; the draw order is part of the data format.
struct Generator<'a> {
    rng: ChaCha8Rng,
    vocabulary: &'a Vocabulary,
    /// Flat bot indices per channel, in [`Channel::ALL`] order.
    channel_bots: [Vec<u8>; 6],
}

impl<'a> Generator<'a> {
    fn new(vocabulary: &'a Vocabulary, bots: &[BotRef], seed: u64) -> Self {
        let channel_bots = Channel::ALL.map(|channel| {
            (0..=u8::MAX)
                .zip(bots)
                .filter(|(_, b)| b.channel == channel)
                .map(|(i, _)| i)
                .collect()
        });
        Generator {
            rng: ChaCha8Rng::seed_from_u64(seed),
            vocabulary,
            channel_bots,
        }
    }

    fn record(&mut self, serial: u32) -> Record {
        let v = self.vocabulary;
        let rng = &mut self.rng;
        let seed = rng.random::<u64>();
        let channel = weighted(rng, &CHANNEL_WEIGHTS);
        let bots = &self.channel_bots[channel];
        let bot = bots[rng.random_range(0..bots.len())];
        let style = NameStyle::ALL[weighted(rng, &NameStyle::WEIGHTS)];

        let (created_at, last_message_at) = if matches!(style, NameStyle::Imported) {
            let batch = rng.random_range(0..IMPORT_BATCHES);
            let imported_at = BASE_MS - (batch * 53 + 11) * DAY_MS - 9 * 60 * MINUTE_MS;
            let since = BASE_MS - imported_at;
            let chatted = rng.random_bool(0.5);
            let last = if chatted {
                imported_at + rng.random_range(0..=since)
            } else {
                imported_at
            };
            (imported_at, last)
        } else {
            let created = BASE_MS - rng.random_range(0..HISTORY_MS);
            let span = BASE_MS - created;
            let ago = rng.random_range(0..=span).min(rng.random_range(0..=span));
            (created, BASE_MS - ago)
        };
        let last_seen_at = (last_message_at + rng.random_range(-5 * MINUTE_MS..=30 * MINUTE_MS))
            .clamp(created_at, BASE_MS);

        let mut flags = 0;
        for (bit, p) in [
            (flag::ONLINE, 0.08),
            (flag::CONTACT, 0.55),
            (flag::SUBSCRIBER, 0.7),
            (flag::LIVE_CHAT, 0.1),
            (flag::INTERACTED, 0.75),
            (flag::ORDERED, 0.25),
            (flag::HAS_TEXT, 0.92),
            (flag::PLUS_PREFIX, 0.5),
        ] {
            if rng.random_bool(p) {
                flags |= bit;
            }
        }
        let ordered_at = if flags & flag::ORDERED != 0 {
            rng.random_range(created_at..=BASE_MS)
        } else {
            0
        };

        let (name, provided_name) = match style {
            NameStyle::NameOnly => (pick_u16(rng, v.names.len()), NO_NAME),
            NameStyle::NameAndProvided => {
                (pick_u16(rng, v.names.len()), pick_u16(rng, v.names.len()))
            }
            NameStyle::Imported => (NO_NAME, pick_u16(rng, v.names.len())),
            NameStyle::EmailOnly | NameStyle::PhoneOnly | NameStyle::Anonymous => {
                (NO_NAME, NO_NAME)
            }
        };
        let (email_odds, phone_odds) = style.contact_odds();
        if rng.random_ratio(email_odds, 100) {
            flags |= flag::HAS_EMAIL;
        }
        // A WhatsApp contact always has a number: it is how it reached the bot.
        if Channel::ALL[channel] == Channel::Whatsapp || rng.random_ratio(phone_odds, 100) {
            flags |= flag::HAS_PHONE;
        }
        let email_local = pick_u16(rng, v.email_locals.len());
        let email_domain = pick_u8(rng, v.email_domains.len());
        let location = pick_u8(rng, v.locations.len());
        let digits = v.locations[usize::from(location)].digits;
        let phone = rng.random_range(6 * 10u64.pow(digits - 1)..10u64.pow(digits));

        let agent = if rng.random_bool(0.6) {
            pick_u8(rng, ESTABLISHED_AGENTS.min(v.agents.len()))
        } else {
            NO_AGENT
        };
        let tag_count = weighted(rng, &TAG_COUNT_WEIGHTS).min(v.tags.len());
        let tags = random_bits(rng, tag_count, v.tags.len()) as u16;
        let segment_count = weighted(rng, &SEGMENT_COUNT_WEIGHTS).min(v.segments.len());
        let segments = random_bits(rng, segment_count, v.segments.len()) as u8;

        let mut record = Record {
            created_at,
            last_message_at,
            last_seen_at,
            ordered_at,
            phone,
            seed,
            serial,
            name,
            provided_name,
            email_local,
            tags,
            flags,
            location,
            email_domain,
            segments,
            agent,
            bot,
            status: weighted(rng, &STATUS_WEIGHTS) as u8,
            last_by: weighted(rng, &SENDER_WEIGHTS) as u8,
        };
        self.add_oddities(&mut record);
        record
    }

    /// The second stream, a hash of the record's seed: Instagram and SMS contacts, `DELETED`
    /// ones, phones written with their trunk `0`, and the newer agents' share. Each changes only
    /// the contacts it picks and draws nothing from the main stream, so every other contact of
    /// a seed stays as it was before they existed.
    fn add_oddities(&self, r: &mut Record) {
        let v = self.vocabulary;
        let mut mix = Mix(r.seed ^ ODDITY_SALT);
        // Every roll is drawn whatever the others gave, so the oddities are independent.
        let newer_agent = mix.chance(NEWER_AGENT_PERCENT);
        let agent_pick = mix.next();
        let channel_roll = mix.next() % 1000;
        let deleted = mix.next() % 1000 < DELETED_PER_MILLE;
        let trunk_zero = mix.next() % 1000 < TRUNK_ZERO_PER_MILLE;
        let (bot_pick, location_pick) = (mix.next(), mix.next());
        let plan = &TRUNK_ZERO_PLANS[mix.weighted(&TRUNK_PLAN_WEIGHTS)];
        let number = plan.first + mix.next() % plan.spread;

        let channel = if channel_roll < INSTAGRAM_PER_MILLE {
            Some(Channel::Instagram)
        } else if channel_roll < INSTAGRAM_PER_MILLE + SMS_PER_MILLE {
            Some(Channel::Sms)
        } else {
            None
        };
        if let Some(channel) = channel {
            let bots = &self.channel_bots[channel as usize];
            r.bot = bots[(bot_pick % bots.len() as u64) as usize];
            if channel == Channel::Sms {
                // Like a WhatsApp contact, an SMS contact reached the bot from its number.
                r.flags |= flag::HAS_PHONE;
            }
        }
        if deleted {
            r.status = DELETED;
        }
        let newer = v.agents.len().saturating_sub(ESTABLISHED_AGENTS) as u64;
        if r.agent != NO_AGENT && newer_agent && newer > 0 {
            r.agent = (ESTABLISHED_AGENTS as u64 + agent_pick % newer) as u8;
        }
        if trunk_zero {
            let places: Vec<usize> = (0..v.locations.len())
                .filter(|&i| v.locations[i].dial_code == plan.dial_code)
                .collect();
            if !places.is_empty() {
                r.location = places[(location_pick % places.len() as u64) as usize] as u8;
                r.phone = number;
                r.flags |= flag::HAS_PHONE | flag::TRUNK_ZERO;
                if plan.plus {
                    r.flags |= flag::PLUS_PREFIX;
                } else {
                    r.flags &= !flag::PLUS_PREFIX;
                }
            }
        }
    }
}

/// `entries` inserted into `list` at `at` (at its end if shorter).
fn with_entries_at(mut list: Vec<Value>, at: usize, entries: &[Value]) -> Vec<Value> {
    let at = at.min(list.len());
    list.splice(at..at, entries.iter().cloned());
    list
}

/// Index drawn with the given relative weights.
fn weighted(rng: &mut ChaCha8Rng, weights: &[u32]) -> usize {
    let total: u32 = weights.iter().sum();
    let mut roll = rng.random_range(0..total);
    for (i, &w) in weights.iter().enumerate() {
        if roll < w {
            return i;
        }
        roll -= w;
    }
    weights.len() - 1
}

/// `count` distinct random bits below `width`.
fn random_bits(rng: &mut ChaCha8Rng, count: usize, width: usize) -> u64 {
    let mut mask = 0u64;
    while (mask.count_ones() as usize) < count {
        mask |= 1 << rng.random_range(0..width);
    }
    mask
}

/// The vocabulary check guarantees every list fits its index type.
fn pick_u16(rng: &mut ChaCha8Rng, len: usize) -> u16 {
    rng.random_range(0..len) as u16
}

fn pick_u8(rng: &mut ChaCha8Rng, len: usize) -> u8 {
    rng.random_range(0..len) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_matches_to_string() {
        for n in [0, 7, 10, 7_700_900_123, u64::MAX] {
            assert_eq!(decimal(n, &mut [0; 20]), n.to_string());
        }
    }

    #[test]
    fn base_instant_is_2026_11_01() {
        let base: jiff::Timestamp = "2026-11-01T00:00:00Z".parse().expect("valid");
        assert_eq!(base.as_millisecond(), BASE_MS);
    }

    #[test]
    fn record_is_small_enough_for_a_million_contacts() {
        assert!(std::mem::size_of::<Record>() <= 80);
    }

    #[test]
    fn same_seed_same_json_and_different_seed_different_json() {
        let a = Dataset::generate(300, 7);
        let b = Dataset::generate(300, 7);
        let c = Dataset::generate(300, 8);
        let all = |d: &Dataset| (0..d.len()).map(|i| d.contact_json(i)).collect::<Vec<_>>();
        assert_eq!(all(&a), all(&b));
        assert_ne!(all(&a), all(&c));
    }

    #[test]
    fn served_order_is_newest_last_message_first_then_id() {
        let d = Dataset::generate(2000, 42);
        let keys: Vec<(String, String)> = (0..d.len())
            .map(|i| {
                let c = d.contact_json(i);
                (
                    c["lastMessage"]["at"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                    c["_id"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect();
        for pair in keys.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            assert!(a.0 > b.0 || (a.0 == b.0 && a.1 < b.1), "{a:?} before {b:?}");
        }
        let ties = keys.windows(2).filter(|p| p[0].0 == p[1].0).count();
        assert!(
            ties > 0,
            "imports should produce equal lastMessage.at values"
        );
    }

    #[test]
    fn ids_are_unique_hex_and_timestamps_are_consistent() {
        let d = Dataset::generate(2000, 1);
        let mut ids = std::collections::HashSet::new();
        for i in 0..d.len() {
            let c = d.contact_json(i);
            let id = c["_id"].as_str().unwrap_or_default();
            assert_eq!(id.len(), 24);
            assert!(id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')));
            assert!(ids.insert(id.to_owned()));
            let uuid = c["uuid"].as_str().unwrap_or_default();
            assert_eq!(uuid.len(), 36);
            assert_eq!(&uuid[14..15], "4");
            let created = c["createdAt"].as_str().unwrap_or_default();
            let last = c["lastMessage"]["at"].as_str().unwrap_or_default();
            assert_eq!(created.len(), "2026-01-02T03:04:05.678Z".len());
            assert!(created <= last);
        }
    }

    #[test]
    fn the_second_stream_adds_each_oddity_to_its_share_of_contacts() {
        let d = Dataset::generate(20_000, 5);
        let share = |keep: &dyn Fn(&Record) -> bool| {
            d.records().iter().filter(|r| keep(r)).count() as f64 / d.len() as f64
        };
        let channel = |r: &Record| d.bots()[usize::from(r.bot)].channel;
        let near = |got: f64, want: f64| (got - want).abs() < want / 4.0;
        assert!(near(share(&|r| channel(r) == Channel::Instagram), 0.03));
        assert!(near(share(&|r| channel(r) == Channel::Sms), 0.03));
        assert!(near(share(&|r| r.status == DELETED), 0.01));
        assert!(near(share(&|r| r.has(flag::TRUNK_ZERO)), 0.02));
        let assigned = share(&|r| r.agent().is_some());
        let newer = share(&|r| {
            r.agent()
                .is_some_and(|a| usize::from(a) >= ESTABLISHED_AGENTS)
        });
        assert!(near(newer / assigned, NEWER_AGENT_PERCENT as f64 / 100.0));
        assert!(
            d.records()
                .iter()
                .filter(|r| channel(r) == Channel::Sms)
                .all(|r| r.has(flag::HAS_PHONE))
        );
    }

    #[test]
    fn trunk_zero_numbers_are_written_as_people_type_them() {
        let d = Dataset::generate(5000, 2);
        let mut seen = std::collections::HashSet::new();
        for r in d.records().iter().filter(|r| r.has(flag::TRUNK_ZERO)) {
            let (mut prefix, mut number) = (String::new(), String::new());
            d.write_phone_prefix(r, &mut prefix);
            d.write_phone_number(r, &mut number);
            let digits = r.phone.to_string();
            match prefix.as_str() {
                "+44" => assert_eq!(number, format!("0{} {}", &digits[..4], &digits[4..])),
                "49" => assert_eq!(number, format!("0{} {}", &digits[..3], &digits[3..])),
                other => panic!("a trunk 0 after {other:?}"),
            }
            seen.insert(prefix);
        }
        assert_eq!(seen.len(), 2, "both plans occur: {seen:?}");
    }

    #[test]
    fn every_contact_has_exactly_its_channel_bot_key() {
        let d = Dataset::generate(500, 3);
        for i in 0..d.len() {
            let c = d.contact_json(i);
            let present: Vec<&str> = Channel::ALL
                .iter()
                .map(|ch| ch.bot_field())
                .filter(|f| c.get(*f).is_some())
                .collect();
            assert_eq!(present.len(), 1);
            let platform = c["platform"][0].as_str().unwrap_or_default();
            assert_eq!(present[0].to_uppercase(), format!("_BOT{platform}"));
        }
    }
}
