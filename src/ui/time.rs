//! Timestamps as people read them: wall time labelled with its zone plus a short age ("3h ago").
//!
//! The clock and the zone are passed in, never read here, so snapshots and tests are stable.

use std::time::Instant;

use jiff::Timestamp;
use jiff::tz::TimeZone;

/// "Now", injected into drawing so a frame is a pure function of state and clock.
#[derive(Debug, Clone)]
pub struct Clock {
    pub now: Timestamp,
    /// The monotonic "now", for countdowns to `Instant` deadlines.
    pub instant: Instant,
}

impl Clock {
    /// The real clock, read once per frame by the running app.
    pub fn now() -> Clock {
        Clock {
            now: Timestamp::now(),
            instant: Instant::now(),
        }
    }
}

/// An API timestamp (`2025-01-02T10:05:00.000Z`), or `None` when it is not one.
pub fn parse(text: &str) -> Option<Timestamp> {
    text.trim().parse().ok()
}

/// How old an answer from the local snapshot is: "as of 12:03, 4m ago" (the date too when it
/// is not today's), or just "as of 12:03" without a clock (in a notice, which outlives it).
pub fn as_of(at: Timestamp, now: Option<Timestamp>, time_zone: &TimeZone) -> String {
    let zoned = at.to_zoned(time_zone.clone());
    let same_day = now.is_none_or(|now| now.to_zoned(time_zone.clone()).date() == zoned.date());
    let time = if same_day {
        zoned.strftime("%H:%M").to_string()
    } else {
        zoned.strftime("%Y-%m-%d %H:%M").to_string()
    };
    match now {
        Some(now) => format!("as of {time}, {}", relative(at, now)),
        None => format!("as of {time}"),
    }
}

/// "just now", "3m ago", "2h ago", "5d ago", "1y ago"; "in 2h" for the future.
pub fn relative(then: Timestamp, now: Timestamp) -> String {
    const MINUTE: u64 = 60;
    const HOUR: u64 = 60 * MINUTE;
    const DAY: u64 = 24 * HOUR;
    const YEAR: u64 = 365 * DAY;
    let seconds = now.duration_since(then).as_secs();
    let amount = match seconds.unsigned_abs() {
        s if s < MINUTE => return "just now".to_owned(),
        s if s < HOUR => format!("{}m", s / MINUTE),
        s if s < DAY => format!("{}h", s / HOUR),
        s if s < YEAR => format!("{}d", s / DAY),
        s => format!("{}y", s / YEAR),
    };
    if seconds > 0 {
        format!("{amount} ago")
    } else {
        format!("in {amount}")
    }
}

/// Just the age of an API timestamp, for narrow columns: `""` when absent, the raw text when it
/// does not parse (so a surprising value is visible rather than hidden).
pub fn age(text: Option<&str>, clock: &Clock) -> String {
    match text {
        None => String::new(),
        Some(text) => parse(text).map_or_else(
            || crate::text::single_line(text),
            |then| relative(then, clock.now),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().expect("test timestamp")
    }

    #[test]
    fn ages_read_naturally() {
        let now = at("2026-11-02T12:00:00Z");
        assert_eq!(relative(at("2026-11-02T11:59:30Z"), now), "just now");
        assert_eq!(relative(at("2026-11-02T11:57:00Z"), now), "3m ago");
        assert_eq!(relative(at("2026-11-02T10:00:00Z"), now), "2h ago");
        assert_eq!(relative(at("2026-10-28T12:00:00Z"), now), "5d ago");
        assert_eq!(relative(at("2024-11-02T12:00:00Z"), now), "2y ago");
        assert_eq!(relative(at("2026-11-02T14:00:00Z"), now), "in 2h");
    }

    #[test]
    fn local_time_uses_the_given_zone() {
        let then = at("2025-01-02T10:05:00Z");
        assert_eq!(
            crate::dates::format_in_zone(then, &TimeZone::UTC),
            "2025-01-02 10:05 UTC"
        );
        let plus_five = TimeZone::fixed(jiff::tz::offset(5));
        assert_eq!(
            crate::dates::format_in_zone(then, &plus_five),
            "2025-01-02 15:05 +05:00"
        );
    }

    #[test]
    fn unparsable_timestamps_are_shown_as_sent() {
        let clock = Clock {
            now: at("2026-11-02T12:00:00Z"),
            instant: Instant::now(),
        };
        assert_eq!(age(Some("yesterday\n"), &clock), "yesterday");
        assert_eq!(age(None, &clock), "");
    }
}
