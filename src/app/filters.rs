//! The filter panel's model: which items it offers, which are on, and what toggling one does to
//! the query. The panel's drawing lives in `ui::filters`; the request body in `api::request`.

use std::collections::{BTreeSet, HashMap};

pub use crate::api::Channel;
use crate::api::{Agent, Contact, Query, Segment, Sender, Status, WhatsappBot};

/// The on/off filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Switch {
    Online,
    LiveChat,
    Interacted,
    Ordered,
    ContactsOnly,
}

impl Switch {
    pub const ALL: [Switch; 5] = [
        Switch::Online,
        Switch::LiveChat,
        Switch::Interacted,
        Switch::Ordered,
        Switch::ContactsOnly,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Switch::Online => "online now",
            Switch::LiveChat => "live chat active",
            Switch::Interacted => "interacted",
            Switch::Ordered => "ordered",
            Switch::ContactsOnly => "contacts only",
        }
    }

    /// Whether the switch is on in `query`.
    pub fn is_on(self, query: &Query) -> bool {
        match self {
            Switch::Online => query.is_online,
            Switch::LiveChat => query.is_live_chat_active,
            Switch::Interacted => query.user_interacted,
            Switch::Ordered => query.has_ordered.status,
            Switch::ContactsOnly => query.is_contact,
        }
    }

    /// Whether the switch is on for `contact`; `None` when the contact does not say.
    pub fn of_contact(self, contact: &Contact) -> Option<bool> {
        match self {
            Switch::Online => contact.flag_known("isOnline"),
            Switch::LiveChat => contact.flag_known("isLiveChatActive"),
            Switch::Interacted => contact.flag_known("userInteracted"),
            Switch::Ordered => contact.flag_known("hasOrdered/status"),
            Switch::ContactsOnly => contact.flag_known("isContact"),
        }
    }

    fn flag_mut(self, query: &mut Query) -> &mut bool {
        match self {
            Switch::Online => &mut query.is_online,
            Switch::LiveChat => &mut query.is_live_chat_active,
            Switch::Interacted => &mut query.user_interacted,
            Switch::Ordered => &mut query.has_ordered.status,
            Switch::ContactsOnly => &mut query.is_contact,
        }
    }
}

/// The typed-in date bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DateField {
    CreatedAfter,
    CreatedBefore,
    LastSeenAfter,
    LastSeenBefore,
}

impl DateField {
    pub const ALL: [DateField; 4] = [
        DateField::CreatedAfter,
        DateField::CreatedBefore,
        DateField::LastSeenAfter,
        DateField::LastSeenBefore,
    ];

    pub fn label(self) -> &'static str {
        match self {
            DateField::CreatedAfter => "created after",
            DateField::CreatedBefore => "created before",
            DateField::LastSeenAfter => "seen after",
            DateField::LastSeenBefore => "seen before",
        }
    }

    pub fn index(self) -> usize {
        match self {
            DateField::CreatedAfter => 0,
            DateField::CreatedBefore => 1,
            DateField::LastSeenAfter => 2,
            DateField::LastSeenBefore => 3,
        }
    }

    /// Whether a bare date stands for the start or the end of its day.
    pub fn range_end(self) -> crate::dates::RangeEnd {
        match self {
            DateField::CreatedAfter | DateField::LastSeenAfter => crate::dates::RangeEnd::Start,
            DateField::CreatedBefore | DateField::LastSeenBefore => crate::dates::RangeEnd::End,
        }
    }

    /// The bound as sent, `""` when open.
    pub fn bound(self, query: &Query) -> &str {
        match self {
            DateField::CreatedAfter => &query.created_at.start_at,
            DateField::CreatedBefore => &query.created_at.ends_at,
            DateField::LastSeenAfter => &query.last_seen_at.start_at,
            DateField::LastSeenBefore => &query.last_seen_at.ends_at,
        }
    }

    /// The request field this bound sets.
    pub fn bound_mut(self, query: &mut Query) -> &mut String {
        match self {
            DateField::CreatedAfter => &mut query.created_at.start_at,
            DateField::CreatedBefore => &mut query.created_at.ends_at,
            DateField::LastSeenAfter => &mut query.last_seen_at.start_at,
            DateField::LastSeenBefore => &mut query.last_seen_at.ends_at,
        }
    }
}

/// One line of the panel that the cursor can stop on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FilterItem {
    Search,
    Status(Status),
    /// The text field where any tag is typed, seen on a page or not.
    NewTag,
    Tag(String),
    Bot(Channel, String),
    Agent(String),
    Segment(String),
    Switch(Switch),
    LastMessageBy(Sender),
    Date(DateField),
}

/// The values the panel can offer: pick-lists from the API, plus tags and bot ids seen in the
/// contacts fetched so far (no endpoint lists those).
#[derive(Debug, Clone, Default)]
pub struct Choices {
    pub agents: Vec<Agent>,
    pub segments: Vec<Segment>,
    pub whatsapp_bots: Vec<WhatsappBot>,
    pub seen_tags: BTreeSet<String>,
    /// Per channel with a bot filter, in [`Channel::FILTERED`] order.
    pub seen_bots: [BTreeSet<String>; Channel::FILTERED.len()],
    pub names: FriendlyNames,
}

/// Names the user gave ids and tags in the config (`[names.bots]`, `[names.tags]`,
/// `[names.segments]`: `id = "Friendly name"`); they win over what the API says.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(
    default,
    deny_unknown_fields,
    expecting = "[names.bots], [names.tags] or [names.segments]"
)]
pub struct FriendlyNames {
    pub bots: HashMap<String, String>,
    pub tags: HashMap<String, String>,
    pub segments: HashMap<String, String>,
}

impl Choices {
    /// Remembers the tags and bots of freshly fetched contacts, so they become choices.
    pub fn learn_from(&mut self, contacts: &[Contact]) {
        for contact in contacts {
            self.seen_tags
                .extend(contact.tags().into_iter().map(str::to_owned));
            if let (Some(channel), Some(bot)) = (
                contact.channel().and_then(Channel::of_platform),
                contact.bot_id(),
            ) && let Some(seen) = self.seen_bots.get_mut(channel as usize)
            {
                seen.insert(bot.to_owned());
            }
        }
    }

    /// A bot's name where the API gave one, else its id shortened for the panel.
    pub fn bot_label(&self, channel: Channel, id: &str) -> String {
        if let Some(name) = self.names.bots.get(id) {
            return name.clone();
        }
        let named = (channel == Channel::Whatsapp)
            .then(|| self.whatsapp_bots.iter().find(|bot| bot.id == id))
            .flatten()
            .filter(|bot| !bot.name.is_empty());
        named.map_or_else(|| short_id(id), |bot| bot.name.clone())
    }

    pub fn agent_name(&self, id: &str) -> Option<&str> {
        self.agents
            .iter()
            .find(|agent| agent.id == id)
            .map(|agent| agent.name.as_str())
            .filter(|name| !name.is_empty())
    }

    /// A tag as the user named it in the config, else the tag itself.
    pub fn tag_label<'a>(&'a self, tag: &'a str) -> &'a str {
        self.names.tags.get(tag).map_or(tag, String::as_str)
    }

    pub fn segment_name(&self, id: &str) -> Option<&str> {
        if let Some(name) = self.names.segments.get(id) {
            return Some(name);
        }
        self.segments
            .iter()
            .find(|segment| segment.id == id)
            .map(|segment| segment.name.as_str())
            .filter(|name| !name.is_empty())
    }
}

/// `65a0…00b1`: enough of a 24-hex id to tell bots apart in a narrow panel.
pub fn short_id(id: &str) -> String {
    match (id.get(..4), id.get(id.len().saturating_sub(4)..)) {
        (Some(head), Some(tail)) if id.len() > 10 => format!("{head}…{tail}"),
        _ => id.to_owned(),
    }
}

/// A titled group of items, as the panel shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub title: &'static str,
    pub items: Vec<FilterItem>,
}

/// The panel's sections, in display order. Values chosen in the query stay listed even when no
/// longer seen, so they can always be switched off.
pub fn sections(query: &Query, choices: &Choices) -> Vec<Section> {
    let mut tags = choices.seen_tags.clone();
    tags.extend(query.tags.iter().cloned());
    tags.extend(choices.names.tags.keys().cloned());
    let mut sections = vec![
        Section {
            title: "Search",
            items: vec![FilterItem::Search],
        },
        Section {
            title: "Status",
            items: Status::ALL.into_iter().map(FilterItem::Status).collect(),
        },
        Section {
            title: "Tags",
            items: std::iter::once(FilterItem::NewTag)
                .chain(tags.into_iter().map(FilterItem::Tag))
                .collect(),
        },
    ];
    for channel in Channel::FILTERED {
        let mut bots: BTreeSet<String> = choices.seen_bots[channel as usize].clone();
        if channel == Channel::Whatsapp {
            bots.extend(choices.whatsapp_bots.iter().map(|bot| bot.id.clone()));
        }
        bots.extend(query.bots(channel).iter().cloned());
        sections.push(Section {
            title: channel.title(),
            items: bots
                .into_iter()
                .map(|id| FilterItem::Bot(channel, id))
                .collect(),
        });
    }
    let mut agents: Vec<String> = choices
        .agents
        .iter()
        .map(|agent| agent.id.clone())
        .collect();
    agents.extend(
        query
            .agent_assigned
            .iter()
            .filter(|id| !agents.contains(id))
            .cloned()
            .collect::<Vec<_>>(),
    );
    let mut segments: Vec<String> = choices
        .segments
        .iter()
        .map(|segment| segment.id.clone())
        .collect();
    segments.extend(
        query
            .segments
            .iter()
            .filter(|id| !segments.contains(id))
            .cloned()
            .collect::<Vec<_>>(),
    );
    sections.extend([
        Section {
            title: "Agents",
            items: agents.into_iter().map(FilterItem::Agent).collect(),
        },
        Section {
            title: "Segments",
            items: segments.into_iter().map(FilterItem::Segment).collect(),
        },
        Section {
            title: "Only",
            items: Switch::ALL.into_iter().map(FilterItem::Switch).collect(),
        },
        Section {
            title: "Last message by",
            items: Sender::ALL
                .into_iter()
                .map(FilterItem::LastMessageBy)
                .collect(),
        },
        Section {
            title: "Dates",
            items: DateField::ALL.into_iter().map(FilterItem::Date).collect(),
        },
    ]);
    sections.retain(|section| !section.items.is_empty());
    sections
}

/// Every selectable item, in display order.
pub fn items(query: &Query, choices: &Choices) -> Vec<FilterItem> {
    sections(query, choices)
        .into_iter()
        .flat_map(|section| section.items)
        .collect()
}

/// Whether the item is switched on in `query`.
pub fn is_active(query: &Query, item: &FilterItem) -> bool {
    match item {
        FilterItem::Search => !query.search_text.is_empty(),
        // The field only adds tags; each is then a toggle of its own.
        FilterItem::NewTag => false,
        FilterItem::Status(status) => query.status.contains(status),
        FilterItem::Tag(tag) => query.tags.contains(tag),
        FilterItem::Bot(channel, id) => query.bots(*channel).contains(id),
        FilterItem::Agent(id) => query.agent_assigned.contains(id),
        FilterItem::Segment(id) => query.segments.contains(id),
        FilterItem::Switch(switch) => switch.is_on(query),
        FilterItem::LastMessageBy(sender) => query.last_message_by.contains(sender),
        FilterItem::Date(field) => !field.bound(query).is_empty(),
    }
}

/// For an item that is off in a group of any-of choices with some on (INPROGRESS while OPEN is
/// on), the query with that group cleared: what the item's would-add count is read from, as
/// faceted search does. `None` for items that narrow (switches), are on, or whose group is off.
pub fn without_group(query: &Query, item: &FilterItem) -> Option<Query> {
    let mut base = query.clone();
    let cleared = match item {
        FilterItem::Status(_) => std::mem::take(&mut base.status).len(),
        FilterItem::Tag(_) => std::mem::take(&mut base.tags).len(),
        FilterItem::Bot(channel, _) => base
            .bots_mut(*channel)
            .map_or(0, |bots| std::mem::take(bots).len()),
        FilterItem::Agent(_) => std::mem::take(&mut base.agent_assigned).len(),
        FilterItem::Segment(_) => std::mem::take(&mut base.segments).len(),
        FilterItem::LastMessageBy(_) => std::mem::take(&mut base.last_message_by).len(),
        FilterItem::Search | FilterItem::NewTag | FilterItem::Switch(_) | FilterItem::Date(_) => 0,
    };
    (cleared > 0 && !is_active(query, item)).then_some(base)
}

/// Whether a contact has at most one value of the item's group (one status, bot, agent, last
/// sender), so that the group's counts add up; tags and segments do not.
pub fn single_valued(item: &FilterItem) -> bool {
    !matches!(item, FilterItem::Tag(_) | FilterItem::Segment(_))
}

/// Flips a toggleable item in `query`. Text items (search, a new tag, dates) are edited, not
/// toggled, and return `false`, as does a bot of a channel the request has no bot filter for.
pub fn toggle(query: &mut Query, item: &FilterItem) -> bool {
    fn flip<T: PartialEq + Clone>(list: &mut Vec<T>, value: &T) {
        if let Some(position) = list.iter().position(|item| item == value) {
            list.remove(position);
        } else {
            list.push(value.clone());
        }
    }
    match item {
        FilterItem::Search | FilterItem::NewTag | FilterItem::Date(_) => return false,
        FilterItem::Status(status) => flip(&mut query.status, status),
        FilterItem::Tag(tag) => flip(&mut query.tags, tag),
        FilterItem::Bot(channel, id) => match query.bots_mut(*channel) {
            Some(bots) => flip(bots, id),
            None => return false,
        },
        FilterItem::Agent(id) => flip(&mut query.agent_assigned, id),
        FilterItem::Segment(id) => flip(&mut query.segments, id),
        FilterItem::Switch(switch) => {
            let flag = switch.flag_mut(query);
            *flag = !*flag;
        }
        FilterItem::LastMessageBy(sender) => flip(&mut query.last_message_by, sender),
    }
    true
}

/// One item in a few words, for notices: `status OPEN`, `tag vip`, `online now`.
pub fn describe_item(item: &FilterItem, choices: &Choices) -> String {
    match item {
        FilterItem::Search => "the search".to_owned(),
        FilterItem::NewTag => "the new tag".to_owned(),
        FilterItem::Status(status) => format!("status {}", status.as_str()),
        FilterItem::Tag(tag) => format!("tag {}", choices.tag_label(tag)),
        FilterItem::Bot(channel, id) => format!(
            "{} {}",
            channel.title().to_lowercase().trim_end_matches('s'),
            choices.bot_label(*channel, id)
        ),
        FilterItem::Agent(id) => format!("agent {}", choices.agent_name(id).unwrap_or(id)),
        FilterItem::Segment(id) => format!("segment {}", choices.segment_name(id).unwrap_or(id)),
        FilterItem::Switch(switch) => switch.label().to_owned(),
        FilterItem::LastMessageBy(sender) => format!("last by {}", sender.as_str()),
        FilterItem::Date(field) => field.label().to_owned(),
    }
}

/// What "select every matching contact" of `query` selects, in a few words, for the status bar
/// and its notices: `all matching status OPEN, tag vip`, or `all contacts` without filters.
pub fn describe_matching(query: &Query, choices: &Choices) -> String {
    let summary = summary(query, choices);
    if summary.is_empty() {
        "all contacts".to_owned()
    } else {
        format!("all matching {summary}")
    }
}

/// A one-line summary of the active filters for the status bar: "status OPEN, tag vip, online".
pub fn summary(query: &Query, choices: &Choices) -> String {
    let mut parts = Vec::new();
    if !query.search_text.is_empty() {
        parts.push(format!("search {:?}", query.search_text));
    }
    if !query.status.is_empty() {
        let statuses: Vec<&str> = query.status.iter().map(|status| status.as_str()).collect();
        parts.push(format!("status {}", statuses.join("|")));
    }
    if !query.tags.is_empty() {
        let tags: Vec<&str> = query
            .tags
            .iter()
            .map(|tag| choices.tag_label(tag))
            .collect();
        parts.push(format!("tag {}", tags.join("|")));
    }
    for channel in Channel::FILTERED {
        let bots = query.bots(channel);
        if !bots.is_empty() {
            let names: Vec<String> = bots
                .iter()
                .map(|id| choices.bot_label(channel, id))
                .collect();
            parts.push(format!(
                "{} {}",
                channel.title().to_lowercase(),
                names.join("|")
            ));
        }
    }
    if !query.agent_assigned.is_empty() {
        let names: Vec<&str> = query
            .agent_assigned
            .iter()
            .map(|id| choices.agent_name(id).unwrap_or(id))
            .collect();
        parts.push(format!("agent {}", names.join("|")));
    }
    if !query.segments.is_empty() {
        let names: Vec<&str> = query
            .segments
            .iter()
            .map(|id| choices.segment_name(id).unwrap_or(id))
            .collect();
        parts.push(format!("segment {}", names.join("|")));
    }
    for switch in Switch::ALL {
        if switch.is_on(query) {
            parts.push(switch.label().to_owned());
        }
    }
    if !query.last_message_by.is_empty() {
        let senders: Vec<&str> = query
            .last_message_by
            .iter()
            .map(|sender| sender.as_str())
            .collect();
        parts.push(format!("last by {}", senders.join("|")));
    }
    for field in DateField::ALL {
        let bound = field.bound(query);
        if !bound.is_empty() {
            parts.push(format!(
                "{} {}",
                field.label(),
                bound.get(..10).unwrap_or(bound)
            ));
        }
    }
    parts.join(", ")
}
