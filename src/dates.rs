//! The date and time forms users type for the date-range filters, shared by the command line and
//! the browser's date fields so both accept exactly the same input.

use jiff::civil::{Date, DateTime, Time};
use jiff::{Timestamp, tz::TimeZone};
use std::time::Duration;

/// Accepted forms, quoted in every rejection.
pub const ACCEPTED_FORMS: &str = "YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS[.fff]] (in the time zone of \
    [ui] time_zone), or the same with Z or an offset such as +05:30";

/// The zone times are shown in and typed dates are read in: the config's `[ui] time_zone`.
/// One setting for both, so a time read off the screen can be typed back into a filter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ZoneSetting {
    /// The machine's zone, which is where the person reading lives.
    #[default]
    Local,
    Utc,
}

impl ZoneSetting {
    /// The values `[ui] time_zone` accepts, for the message that rejects another.
    pub const ACCEPTED: &str = r#""local" or "utc""#;

    pub fn parse(text: &str) -> Option<ZoneSetting> {
        match text.trim().to_ascii_lowercase().as_str() {
            "local" => Some(ZoneSetting::Local),
            "utc" => Some(ZoneSetting::Utc),
            _ => None,
        }
    }

    /// The zone itself; `Local` reads the system's once, here.
    pub fn time_zone(self) -> TimeZone {
        match self {
            ZoneSetting::Local => TimeZone::system(),
            ZoneSetting::Utc => TimeZone::UTC,
        }
    }
}

/// `2025-01-02 10:05 UTC`, or `2025-01-02 15:35 +05:30` outside UTC: every time shown says
/// its zone, since the same screen may be read by people in different ones.
pub fn format_in_zone(timestamp: Timestamp, time_zone: &TimeZone) -> String {
    let zoned = timestamp.to_zoned(time_zone.clone());
    format!(
        "{} {}",
        zoned.strftime("%Y-%m-%d %H:%M"),
        zone_label(timestamp, time_zone)
    )
}

/// `UTC`, or the zone's offset at `timestamp` (`+05:30`), which names it more surely than an
/// abbreviation such as `IST` would.
pub fn zone_label(timestamp: Timestamp, time_zone: &TimeZone) -> String {
    let is_utc = time_zone
        .iana_name()
        .is_some_and(|name| matches!(name, "UTC" | "Etc/UTC" | "Etc/Universal" | "Etc/Zulu"));
    if is_utc {
        "UTC".to_owned()
    } else {
        timestamp
            .to_zoned(time_zone.clone())
            .strftime("%:z")
            .to_string()
    }
}

/// Which end of a range a bare date stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeEnd {
    Start,
    End,
}

/// Parses an ISO-8601 date or date-time. One without an offset is read in `time_zone`, the zone
/// times are shown in; a bare date means the start or the end of that day, so "before
/// 2025-01-31" includes the 31st. The error says which forms are accepted.
pub fn parse_when(text: &str, end: RangeEnd, time_zone: &TimeZone) -> Result<Timestamp, String> {
    let text = text.trim();
    let reject = || format!("{text:?} is not a date or time; accepted forms: {ACCEPTED_FORMS}");
    if let Ok(timestamp) = text.parse::<Timestamp>() {
        return Ok(timestamp);
    }
    let datetime = match text.parse::<DateTime>() {
        Ok(datetime) if text.contains(['T', 't', ' ']) => datetime,
        _ => {
            let date: Date = text.parse().map_err(|_| reject())?;
            match end {
                RangeEnd::Start => date.to_datetime(Time::midnight()),
                RangeEnd::End => date.to_datetime(Time::MAX),
            }
        }
    };
    datetime
        .to_zoned(time_zone.clone())
        .map(|zoned| zoned.timestamp())
        .map_err(|_| reject())
}

/// The API's timestamp form: UTC, milliseconds, `Z`.
pub fn format_timestamp(timestamp: Timestamp) -> String {
    timestamp.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// `30m`, `8h`, `2d`, `1h30m`, `90s`: a length of time.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let span: jiff::Span = text
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a duration; write e.g. 30m, 8h, 2d or 1h30m"))?;
    let duration = span
        .to_duration(jiff::SpanRelativeTo::days_are_24_hours())
        .ok()
        .and_then(|duration| Duration::try_from(duration).ok())
        .filter(|duration| !duration.is_zero());
    duration.ok_or_else(|| format!("{text:?} must be a positive duration, e.g. 30m, 8h or 2d"))
}
