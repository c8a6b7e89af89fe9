//! The date and time forms users type for the date-range filters, shared by the command line and
//! the browser's date fields so both accept exactly the same input.

use jiff::civil::{Date, DateTime, Time};
use jiff::{Timestamp, tz::TimeZone};

/// Accepted forms, quoted in every rejection.
pub const ACCEPTED_FORMS: &str = "YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS[.fff]] (UTC), \
    or the same with Z or an offset such as +05:30";

/// Which end of a range a bare date stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeEnd {
    Start,
    End,
}

/// Parses an ISO-8601 date or date-time. A bare date means the start or the end of that UTC day,
/// so "before 2025-01-31" includes the 31st. The error says which forms are accepted.
pub fn parse_when(text: &str, end: RangeEnd) -> Result<Timestamp, String> {
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
        .to_zoned(TimeZone::UTC)
        .map(|zoned| zoned.timestamp())
        .map_err(|_| reject())
}

/// The API's timestamp form: UTC, milliseconds, `Z`.
pub fn format_timestamp(timestamp: Timestamp) -> String {
    timestamp.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}
