//! The channels a contact can come through. The platform names each in a contact's `platform`
//! list and keys the contact's bot by it (`_botWebsite`, …); the request body filters by bot for
//! four of them only, so code that builds or reads filters walks [`Channel::FILTERED`].

/// A channel, in the order the request body lists its bot filters, then the unfiltered ones: so
/// `channel as usize` indexes an array per channel, or per filtered channel when it is below
/// `FILTERED.len()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Channel {
    Website,
    Whatsapp,
    Telegram,
    Facebook,
    Instagram,
    Sms,
}

impl Channel {
    pub const ALL: [Channel; 6] = [
        Channel::Website,
        Channel::Whatsapp,
        Channel::Telegram,
        Channel::Facebook,
        Channel::Instagram,
        Channel::Sms,
    ];

    /// The channels the request body has a bot filter for, in its order.
    pub const FILTERED: [Channel; 4] = [
        Channel::Website,
        Channel::Whatsapp,
        Channel::Telegram,
        Channel::Facebook,
    ];

    /// The heading of this channel's bot filter in the filter panel and the status line.
    pub fn title(self) -> &'static str {
        match self {
            Channel::Website => "Website bots",
            Channel::Whatsapp => "WhatsApp bots",
            Channel::Telegram => "Telegram bots",
            Channel::Facebook => "Facebook bots",
            Channel::Instagram => "Instagram bots",
            Channel::Sms => "SMS bots",
        }
    }

    /// The value of a contact's `platform` for this channel, as the platform writes it.
    pub fn platform(self) -> &'static str {
        match self {
            Channel::Website => "WEBSITE",
            Channel::Whatsapp => "WHATSAPP",
            Channel::Telegram => "TELEGRAM",
            Channel::Facebook => "FACEBOOK",
            Channel::Instagram => "INSTAGRAM",
            Channel::Sms => "SMS",
        }
    }

    /// The channel of a contact's `platform` value. Case is ignored: the platform spells the same
    /// values in lower case in `secondaryPlatform`.
    pub fn of_platform(platform: &str) -> Option<Channel> {
        Channel::ALL
            .into_iter()
            .find(|channel| platform.eq_ignore_ascii_case(channel.platform()))
    }

    /// The contact key holding this channel's bot id, which is also the request's filter field
    /// for the [`Channel::FILTERED`] ones. Guess: how Instagram and SMS contacts name their bot
    /// is undocumented, so theirs follow the pattern of the other four.
    pub fn bot_field(self) -> &'static str {
        match self {
            Channel::Website => "_botWebsite",
            Channel::Whatsapp => "_botWhatsapp",
            Channel::Telegram => "_botTelegram",
            Channel::Facebook => "_botFacebook",
            Channel::Instagram => "_botInstagram",
            Channel::Sms => "_botSms",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_values_read_back_in_any_case() {
        for channel in Channel::ALL {
            assert_eq!(Channel::of_platform(channel.platform()), Some(channel));
            let lower = channel.platform().to_ascii_lowercase();
            assert_eq!(Channel::of_platform(&lower), Some(channel));
        }
        assert_eq!(Channel::of_platform("CARRIER_PIGEON"), None);
    }

    #[test]
    fn ordered_channels_index_their_own_arrays() {
        for (index, channel) in Channel::ALL.into_iter().enumerate() {
            assert_eq!(channel as usize, index);
        }
        assert_eq!(Channel::FILTERED, Channel::ALL[..4]);
    }
}
