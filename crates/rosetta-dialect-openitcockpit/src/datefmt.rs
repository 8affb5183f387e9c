//! User-facing date handling (spec §2.2, §6.3): PHP `date()` formatting in a user's UTC offset,
//! the product's duration and relative-time words, and parsing of date inputs.
//!
//! Time zones are fixed UTC offsets in seconds (east positive); offsets of a day or more are
//! treated as 0. Timestamps outside chrono's range format as the epoch.

use chrono::{DateTime, Datelike, Months, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use thiserror::Error;

use crate::php;

/// The product's default user date format.
pub const DEFAULT_FORMAT: &str = "H:i:s - d.m.Y";

const DAY: i64 = 86_400;

/// Why a date input was rejected.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DateParseError {
    /// The text is not in a supported form.
    #[error("unrecognised date/time {0:?}")]
    Unrecognised(String),
    /// The text has the right shape but names an impossible date or time.
    #[error("date/time out of range {0:?}")]
    OutOfRange(String),
}

fn clamp_offset(utc_offset: i32) -> i64 {
    if i64::from(utc_offset).abs() < DAY {
        i64::from(utc_offset)
    } else {
        0
    }
}

fn local_datetime(epoch: i64, offset: i64) -> NaiveDateTime {
    DateTime::from_timestamp(epoch.saturating_add(offset), 0)
        .or_else(|| DateTime::from_timestamp(offset, 0))
        .unwrap_or_default()
        .naive_utc()
}

fn offset_string(offset: i64, colon: bool) -> String {
    let sign = if offset < 0 { '-' } else { '+' };
    let abs = offset.abs();
    let (h, m) = (abs / 3600, (abs % 3600) / 60);
    if colon {
        format!("{sign}{h:02}:{m:02}")
    } else {
        format!("{sign}{h:02}{m:02}")
    }
}

const DAY_NAMES: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn short(name: &str) -> &str {
    name.get(..3).unwrap_or(name)
}

fn days_in_month(year: i32, month: u32) -> u32 {
    let first = NaiveDate::from_ymd_opt(year, month, 1);
    let next = first.and_then(|d| d.checked_add_months(Months::new(1)));
    match (first, next) {
        (Some(a), Some(b)) => u32::try_from((b - a).num_days()).unwrap_or(30),
        _ => 30,
    }
}

fn english_suffix(day: u32) -> &'static str {
    match (day % 10, day % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    }
}

/// Formats `epoch` (seconds; `None` is treated as 0, like the product's null timestamps) with a
/// PHP `date()` format string in the zone `utc_offset` seconds east of UTC.
///
/// Supported characters: `d D j l N S w z W F m M n t L o Y y a A g G h H i s u v e I O P p T Z c
/// r U`; `e` and `T` render the offset as `+01:00` (only the offset is known), `I` is always 0.
/// `\` escapes the next character; every other character is copied.
pub fn format(format: &str, epoch: Option<i64>, utc_offset: i32) -> String {
    let epoch = epoch.unwrap_or(0);
    let offset = clamp_offset(utc_offset);
    let dt = local_datetime(epoch, offset);
    let mut out = String::new();
    let mut chars = format.chars();
    while let Some(c) = chars.next() {
        let weekday = dt.weekday().num_days_from_monday() as usize;
        let month_index = dt.month0() as usize;
        let hour12 = match dt.hour() % 12 {
            0 => 12,
            h => h,
        };
        let piece = match c {
            'd' => format!("{:02}", dt.day()),
            'D' => short(DAY_NAMES.get(weekday).copied().unwrap_or("")).to_string(),
            'j' => dt.day().to_string(),
            'l' => DAY_NAMES.get(weekday).copied().unwrap_or("").to_string(),
            'N' => (weekday + 1).to_string(),
            'S' => english_suffix(dt.day()).to_string(),
            'w' => dt.weekday().num_days_from_sunday().to_string(),
            'z' => dt.ordinal0().to_string(),
            'W' => format!("{:02}", dt.iso_week().week()),
            'F' => MONTH_NAMES
                .get(month_index)
                .copied()
                .unwrap_or("")
                .to_string(),
            'm' => format!("{:02}", dt.month()),
            'M' => short(MONTH_NAMES.get(month_index).copied().unwrap_or("")).to_string(),
            'n' => dt.month().to_string(),
            't' => days_in_month(dt.year(), dt.month()).to_string(),
            'L' => u8::from(NaiveDate::from_ymd_opt(dt.year(), 2, 29).is_some()).to_string(),
            'o' => dt.iso_week().year().to_string(),
            'Y' => {
                if dt.year() < 0 {
                    format!("-{:04}", dt.year().unsigned_abs())
                } else {
                    format!("{:04}", dt.year())
                }
            }
            'y' => format!("{:02}", dt.year().rem_euclid(100)),
            'a' => if dt.hour() < 12 { "am" } else { "pm" }.to_string(),
            'A' => if dt.hour() < 12 { "AM" } else { "PM" }.to_string(),
            'g' => hour12.to_string(),
            'G' => dt.hour().to_string(),
            'h' => format!("{hour12:02}"),
            'H' => format!("{:02}", dt.hour()),
            'i' => format!("{:02}", dt.minute()),
            's' => format!("{:02}", dt.second()),
            'u' => "000000".to_string(),
            'v' => "000".to_string(),
            'e' | 'T' | 'P' => offset_string(offset, true),
            'p' if offset == 0 => "Z".to_string(),
            'p' => offset_string(offset, true),
            'O' => offset_string(offset, false),
            'I' => "0".to_string(),
            'Z' => offset.to_string(),
            'U' => epoch.to_string(),
            'c' => format!(
                "{}T{}{}",
                dt.format("%Y-%m-%d"),
                dt.format("%H:%M:%S"),
                offset_string(offset, true)
            ),
            'r' => format!(
                "{}, {:02} {} {:04} {} {}",
                short(DAY_NAMES.get(weekday).copied().unwrap_or("")),
                dt.day(),
                short(MONTH_NAMES.get(month_index).copied().unwrap_or("")),
                dt.year(),
                dt.format("%H:%M:%S"),
                offset_string(offset, false)
            ),
            '\\' => chars.next().map(String::from).unwrap_or_default(),
            other => other.to_string(),
        };
        out.push_str(&piece);
    }
    out
}

/// `format(DEFAULT_FORMAT, Some(epoch), utc_offset)` as a [`std::fmt::Display`], written without
/// intermediate strings: list rows carry several dates each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DefaultDate {
    /// Seconds since the epoch.
    pub epoch: i64,
    /// The zone, seconds east of UTC.
    pub utc_offset: i32,
}

impl DefaultDate {
    /// The text when the year has four digits (years 0 to 9999), else `None`.
    fn four_digit_year_text(&self) -> Option<[u8; 21]> {
        let dt = local_datetime(self.epoch, clamp_offset(self.utc_offset));
        let year = u32::try_from(dt.year()).ok().filter(|year| *year < 10_000)?;
        let mut text = *b"00:00:00 - 00.00.0000";
        for (at, value) in [(0, dt.hour()), (3, dt.minute()), (6, dt.second()), (11, dt.day()), (14, dt.month())] {
            text[at] = b'0' + (value / 10 % 10) as u8;
            text[at + 1] = b'0' + (value % 10) as u8;
        }
        for (at, divisor) in [(17, 1000), (18, 100), (19, 10), (20, 1)] {
            text[at] = b'0' + (year / divisor % 10) as u8;
        }
        Some(text)
    }
}

impl std::fmt::Display for DefaultDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(text) = self.four_digit_year_text() {
            return f.write_str(std::str::from_utf8(&text).unwrap_or_default());
        }
        let dt = local_datetime(self.epoch, clamp_offset(self.utc_offset));
        write!(f, "{:02}:{:02}:{:02} - {:02}.{:02}.", dt.hour(), dt.minute(), dt.second(), dt.day(), dt.month())?;
        if dt.year() < 0 {
            write!(f, "-{:04}", dt.year().unsigned_abs())
        } else {
            write!(f, "{:04}", dt.year())
        }
    }
}

impl serde::Serialize for DefaultDate {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.four_digit_year_text() {
            Some(text) => serializer.serialize_str(std::str::from_utf8(&text).unwrap_or_default()),
            None => serializer.collect_str(self),
        }
    }
}

/// The product's short duration form (`UserTime::secondsInHumanShort`): `37s`, `1m 5s`,
/// `4h 42m 8s`, `2d 3h 1m 5s` — every unit below the largest non-zero one is printed, zeros
/// included (`1h 0m 5s`); days are not folded into months or years. Negative durations print
/// their magnitude.
pub fn duration_short(seconds: i64) -> String {
    ShortDuration(seconds).to_string()
}

/// [`duration_short`] as a [`std::fmt::Display`], for rows that write it straight into the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShortDuration(pub i64);

impl std::fmt::Display for ShortDuration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let total = self.0.unsigned_abs();
        let (d, h, m, s) = (
            total / 86_400,
            (total % 86_400) / 3_600,
            (total % 3_600) / 60,
            total % 60,
        );
        if total >= 86_400 {
            write!(f, "{d}d {h}h {m}m {s}s")
        } else if total >= 3_600 {
            write!(f, "{h}h {m}m {s}s")
        } else if total >= 60 {
            write!(f, "{m}m {s}s")
        } else {
            write!(f, "{s}s")
        }
    }
}

impl serde::Serialize for ShortDuration {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// CakePHP's `timeAgoInWords()` with default options, as used for `lastCheckInWords` and
/// `nextCheckInWords`.
///
/// - equal times: `just now`;
/// - past: `<words> ago`, future: `<words>` (Cake adds no "in");
/// - words name the largest unit and then finer units down to its accuracy, skipping zeros,
///   joined by `, `: seconds → `37 seconds`; minutes → `4 minutes`; hours → `4 hours, 42 minutes`;
///   days → `2 days, 3 hours`; weeks → `1 week, 2 days` (weeks and days are computed as 7·86400
///   and 86400 seconds, where Cake uses calendar differences — identical within the one-month
///   window);
/// - more than one calendar month away (Cake's `end`): `on n/j/y` in the given zone (the en_US
///   short date, e.g. `on 6/1/25`).
pub fn time_ago_in_words(timestamp: i64, now: i64, utc_offset: i32) -> String {
    RelativeWords::new(now, utc_offset).of(timestamp)
}

/// [`time_ago_in_words`] against one `now`, with what depends only on `now` worked out once (a page of
/// rows asks for many timestamps).
#[derive(Debug, Clone, Copy)]
pub struct RelativeWords {
    now: i64,
    utc_offset: i32,
    month_later: u64,
}

impl RelativeWords {
    /// The words relative to `now` in the zone `utc_offset`.
    pub fn new(now: i64, utc_offset: i32) -> RelativeWords {
        let now_local = local_datetime(now, clamp_offset(utc_offset));
        let month_later = now_local
            .checked_add_months(Months::new(1))
            .map_or(31 * DAY, |later| (later - now_local).num_seconds());
        RelativeWords { now, utc_offset, month_later: month_later.unsigned_abs() }
    }

    /// `timestamp` in words (see [`time_ago_in_words`]).
    pub fn of(&self, timestamp: i64) -> String {
        self.words(timestamp).to_string()
    }

    /// `timestamp` in words as a [`std::fmt::Display`], for rows that write it straight into the answer.
    pub fn words(&self, timestamp: i64) -> InWords {
        InWords { base: *self, timestamp }
    }
}

/// One timestamp in words (see [`RelativeWords::words`]).
#[derive(Debug, Clone, Copy)]
pub struct InWords {
    base: RelativeWords,
    timestamp: i64,
}

impl std::fmt::Display for InWords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (now, timestamp) = (self.base.now, self.timestamp);
        if timestamp == now {
            return f.write_str("just now");
        }
        let backwards = timestamp > now;
        let diff = timestamp.abs_diff(now);
        if diff > self.base.month_later {
            // `format("n/j/y", ...)`, the en_US short date.
            let dt = local_datetime(timestamp, clamp_offset(self.base.utc_offset));
            return write!(f, "on {}/{}/{:02}", dt.month(), dt.day(), dt.year().rem_euclid(100));
        }
        let weeks = diff / 604_800;
        let days = (diff % 604_800) / 86_400;
        let hours = (diff % 86_400) / 3_600;
        let minutes = (diff % 3_600) / 60;
        let seconds = diff % 60;
        let parts: [(u64, &str); 2] = if weeks > 0 {
            [(weeks, "week"), (days, "day")]
        } else if days > 0 {
            [(days, "day"), (hours, "hour")]
        } else if hours > 0 {
            [(hours, "hour"), (minutes, "minute")]
        } else if minutes > 0 {
            [(minutes, "minute"), (0, "")]
        } else {
            [(seconds, "second"), (0, "")]
        };
        let mut first = true;
        for (n, unit) in parts.into_iter().filter(|(n, _)| *n > 0) {
            if !first {
                f.write_str(", ")?;
            }
            first = false;
            write!(f, "{n} {unit}{}", if n == 1 { "" } else { "s" })?;
        }
        if !backwards {
            f.write_str(" ago")?;
        }
        Ok(())
    }
}

impl serde::Serialize for InWords {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

fn number(s: &str, min_len: usize, max_len: usize) -> Option<u32> {
    (s.len() >= min_len && s.len() <= max_len && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

fn year(s: &str) -> Option<i32> {
    number(s, 4, 4).and_then(|y| i32::try_from(y).ok())
}

/// Parses `H:i` or `H:i:s` (1–2 digit hour, 2-digit minute/second).
fn parse_time(s: &str) -> Option<Result<NaiveTime, ()>> {
    let mut parts = s.split(':');
    let h = number(parts.next()?, 1, 2)?;
    let m = number(parts.next()?, 2, 2)?;
    let sec = match parts.next() {
        Some(p) => number(p, 2, 2)?,
        None => 0,
    };
    if parts.next().is_some() {
        return None;
    }
    Some(NaiveTime::from_hms_opt(h, m, sec).ok_or(()))
}

/// Parses `d.m.Y`, `Y-m-d`, `d-m-Y` or `m/d/Y` (1–2 digit day/month, 4-digit year).
fn parse_date(s: &str) -> Option<Result<NaiveDate, ()>> {
    let (y, m, d) = if let Some((a, rest)) = s.split_once('.') {
        let (b, c) = rest.split_once('.')?;
        (year(c)?, number(b, 1, 2)?, number(a, 1, 2)?)
    } else if let Some((a, rest)) = s.split_once('-') {
        let (b, c) = rest.split_once('-')?;
        if a.len() == 4 {
            (year(a)?, number(b, 1, 2)?, number(c, 1, 2)?)
        } else {
            (year(c)?, number(b, 1, 2)?, number(a, 1, 2)?)
        }
    } else {
        let (a, rest) = s.split_once('/')?;
        let (b, c) = rest.split_once('/')?;
        (year(c)?, number(a, 1, 2)?, number(b, 1, 2)?)
    };
    Some(NaiveDate::from_ymd_opt(y, m, d).ok_or(()))
}

fn to_epoch(local: NaiveDateTime, offset: i64) -> i64 {
    local.and_utc().timestamp().saturating_sub(offset)
}

/// Converts the systemdowntime form inputs (`from_date` `01.06.2025`, `from_time` `10:00`) in a
/// zone `utc_offset` seconds east of UTC into epoch seconds. The date must be `d.m.Y` (1–2 digit
/// day and month, 4-digit year), the time `H:i` with optional `:s`; impossible dates such as
/// `31.02.2025` are rejected rather than rolled over.
pub fn parse_date_and_time(date: &str, time: &str, utc_offset: i32) -> Result<i64, DateParseError> {
    let date_text = php::trim(date);
    let time_text = php::trim(time);
    let joined = format!("{date_text} {time_text}");
    let unrecognised = || DateParseError::Unrecognised(joined.clone());
    let out_of_range = || DateParseError::OutOfRange(joined.clone());
    if date_text.split('.').count() != 3 {
        return Err(unrecognised());
    }
    let d = parse_date(date_text)
        .ok_or_else(unrecognised)?
        .map_err(|()| out_of_range())?;
    let t = parse_time(time_text)
        .ok_or_else(unrecognised)?
        .map_err(|()| out_of_range())?;
    Ok(to_epoch(d.and_time(t), clamp_offset(utc_offset)))
}

fn relative_seconds(s: &str) -> Option<i64> {
    let lower = s.to_ascii_lowercase();
    let (body, ago) = match lower.strip_suffix(" ago") {
        Some(body) => (body.trim().to_string(), true),
        None => (lower, false),
    };
    let (amount, unit) = body
        .split_once(char::is_whitespace)
        .map(|(a, u)| (a.trim(), u.trim()))
        .or_else(|| {
            let split = body.find(|c: char| c.is_ascii_alphabetic())?;
            Some((body.get(..split)?.trim(), body.get(split..)?.trim()))
        })?;
    let digits = amount.strip_prefix(['+', '-']).unwrap_or(amount);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut n: i64 = amount.strip_prefix('+').unwrap_or(amount).parse().ok()?;
    let unit_seconds = match unit.strip_suffix('s').unwrap_or(unit) {
        "sec" | "second" => 1,
        "min" | "minute" => 60,
        "hour" => 3_600,
        "day" => DAY,
        "week" => 7 * DAY,
        _ => return None,
    };
    if ago {
        n = n.checked_neg()?;
    }
    n.checked_mul(unit_seconds)
}

/// A `strtotime()`-like parser for list filters such as `filter[from]`.
///
/// Supported inputs (case-insensitive, surrounding whitespace ignored), interpreted in the zone
/// `utc_offset` seconds east of UTC:
/// - `@<epoch seconds>`;
/// - `now`, `today`/`midnight`, `tomorrow`, `yesterday`;
/// - a date `d.m.Y`, `Y-m-d`, `d-m-Y` or `m/d/Y`, optionally followed by a space or `T` and a
///   time `H:i[:s]` (midnight when absent);
/// - a time `H:i[:s]` alone (today);
/// - one relative term: `+1 day`, `-2 hours`, `30 minutes`, `3 weeks ago` (units sec, second,
///   min, minute, hour, day, week, optionally plural).
pub fn parse_datetime(input: &str, now: i64, utc_offset: i32) -> Result<i64, DateParseError> {
    let text = php::trim(input);
    let unrecognised = || DateParseError::Unrecognised(text.to_string());
    let out_of_range = || DateParseError::OutOfRange(text.to_string());
    let offset = clamp_offset(utc_offset);
    if let Some(epoch) = text.strip_prefix('@') {
        return php::strict_int(epoch).ok_or_else(unrecognised);
    }
    let now_local = local_datetime(now, offset);
    let midnight = to_epoch(now_local.date().and_time(NaiveTime::MIN), offset);
    match text.to_ascii_lowercase().as_str() {
        "now" => return Ok(now),
        "today" | "midnight" => return Ok(midnight),
        "tomorrow" => return Ok(midnight.saturating_add(DAY)),
        "yesterday" => return Ok(midnight.saturating_sub(DAY)),
        _ => {}
    }
    if let Some(seconds) = relative_seconds(text) {
        return Ok(now.saturating_add(seconds));
    }
    if let Some(time) = parse_time(text) {
        let time = time.map_err(|()| out_of_range())?;
        return Ok(to_epoch(now_local.date().and_time(time), offset));
    }
    let (date_part, time_part) = match text.split_once([' ', 'T', 't']) {
        Some((d, t)) => (d, Some(php::trim(t))),
        None => (text, None),
    };
    let date = parse_date(date_part)
        .ok_or_else(unrecognised)?
        .map_err(|()| out_of_range())?;
    let time = match time_part {
        Some(t) => parse_time(t)
            .ok_or_else(unrecognised)?
            .map_err(|()| out_of_range())?,
        None => NaiveTime::MIN,
    };
    Ok(to_epoch(date.and_time(time), offset))
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2025-06-01 10:00:00 UTC, a Sunday.
    const T: i64 = 1_748_772_000;

    #[test]
    fn default_format_and_epoch_fallback() {
        assert_eq!(format(DEFAULT_FORMAT, None, 3600), "01:00:00 - 01.01.1970");
        assert_eq!(
            format(DEFAULT_FORMAT, Some(0), 3600),
            "01:00:00 - 01.01.1970"
        );
        assert_eq!(format(DEFAULT_FORMAT, Some(0), 0), "00:00:00 - 01.01.1970");
        assert_eq!(
            format(DEFAULT_FORMAT, Some(T), 7200),
            "12:00:00 - 01.06.2025"
        );
        assert_eq!(
            format(DEFAULT_FORMAT, Some(T), -36_000),
            "00:00:00 - 01.06.2025"
        );
        assert_eq!(
            format(DEFAULT_FORMAT, Some(T), -36_001),
            "23:59:59 - 31.05.2025"
        );
    }

    #[test]
    fn format_characters() {
        assert_eq!(format("D, d M Y", Some(T), 0), "Sun, 01 Jun 2025");
        assert_eq!(format("l jS F y", Some(T), 0), "Sunday 1st June 25");
        assert_eq!(format("N w z t L W o", Some(T), 0), "7 0 151 30 0 22 2025");
        assert_eq!(
            format("n/j/y g:i a A h G", Some(T + 3 * 3600), 0),
            "6/1/25 1:00 pm PM 01 13"
        );
        assert_eq!(format("g a", Some(T - 10 * 3600), 0), "12 am");
        assert_eq!(
            format("O P p e T Z I", Some(T), 5400),
            "+0130 +01:30 +01:30 +01:30 +01:30 5400 0"
        );
        assert_eq!(format("O P p", Some(T), -3600), "-0100 -01:00 -01:00");
        assert_eq!(format("p", Some(T), 0), "Z");
        assert_eq!(format("U u v", Some(T), 3600), "1748772000 000000 000");
        assert_eq!(format("c", Some(T), 3600), "2025-06-01T11:00:00+01:00");
        assert_eq!(format("r", Some(T), 0), "Sun, 01 Jun 2025 10:00:00 +0000");
        assert_eq!(format("\\Y\\-m \\\\ H\\", Some(T), 0), "Y-06 \\ 10");
        assert_eq!(format("Hä😀x", Some(T), 0), "10ä😀x");
        assert_eq!(format("", Some(T), 0), "");
        assert_eq!(format("jS", Some(T + 10 * DAY), 0), "11th");
        assert_eq!(format("jS", Some(T + 21 * DAY), 0), "22nd");
        assert_eq!(format("t L", Some(951_782_400), 0), "29 1");
    }

    #[test]
    fn format_never_panics_on_extremes() {
        for epoch in [i64::MIN, i64::MAX, -62_135_596_800, 253_402_300_799] {
            for offset in [i32::MIN, -86_400, -1, 0, 1, 86_399, 86_400, i32::MAX] {
                let _ = format(
                    "d D j l N S w z W F m M n t L o Y y a A g G h H i s u v e I O P p T Z c r U",
                    Some(epoch),
                    offset,
                );
            }
        }
        assert_eq!(
            format(DEFAULT_FORMAT, Some(i64::MAX), 0),
            "00:00:00 - 01.01.1970"
        );
        assert_eq!(format("Z", Some(0), 90_000), "0");
        assert_eq!(format("Y", Some(-62_198_755_200), 0), "-0001");
    }

    #[test]
    fn default_date_displays_what_format_gives() {
        let epochs = [
            0, 1, -1, 59, 86_399, 951_782_400, 1_700_000_000, 1_700_003_599, 4_102_444_800, 253_402_300_799,
            253_402_300_800, -62_167_219_200, -62_167_219_201, i64::MAX, i64::MIN, i64::MAX / 1000, i64::MIN / 1000,
        ];
        for epoch in epochs {
            for utc_offset in [0, 3600, -3600, 7200, 19_800, -34_200, 86_399, 86_400, -90_000, i32::MAX, i32::MIN] {
                let date = DefaultDate { epoch, utc_offset };
                assert_eq!(date.to_string(), format(DEFAULT_FORMAT, Some(epoch), utc_offset), "{epoch} {utc_offset}");
            }
        }
    }

    #[test]
    fn short_durations() {
        assert_eq!(duration_short(0), "0s");
        assert_eq!(duration_short(37), "37s");
        assert_eq!(duration_short(65), "1m 5s");
        assert_eq!(duration_short(3605), "1h 0m 5s");
        assert_eq!(duration_short(4 * 3600 + 42 * 60 + 8), "4h 42m 8s");
        assert_eq!(duration_short(2 * DAY + 3 * 3600 + 65), "2d 3h 1m 5s");
        assert_eq!(duration_short(400 * DAY), "400d 0h 0m 0s");
        assert_eq!(duration_short(-65), "1m 5s");
        assert_eq!(duration_short(i64::MIN), "106751991167300d 15h 30m 8s");
    }

    #[test]
    fn relative_words() {
        assert_eq!(time_ago_in_words(T, T, 0), "just now");
        assert_eq!(time_ago_in_words(T - 37, T, 0), "37 seconds ago");
        assert_eq!(time_ago_in_words(T - 1, T, 0), "1 second ago");
        assert_eq!(time_ago_in_words(T + 37, T, 0), "37 seconds");
        assert_eq!(time_ago_in_words(T - 4 * 60 - 12, T, 0), "4 minutes ago");
        assert_eq!(time_ago_in_words(T - 60, T, 0), "1 minute ago");
        assert_eq!(
            time_ago_in_words(T - (4 * 3600 + 42 * 60 + 8), T, 0),
            "4 hours, 42 minutes ago"
        );
        assert_eq!(time_ago_in_words(T - 3600 - 5, T, 0), "1 hour ago");
        assert_eq!(
            time_ago_in_words(T - (2 * DAY + 3 * 3600 + 60), T, 0),
            "2 days, 3 hours ago"
        );
        assert_eq!(time_ago_in_words(T + 9 * DAY, T, 0), "1 week, 2 days");
        assert_eq!(time_ago_in_words(T - 14 * DAY, T, 0), "2 weeks ago");
        assert_eq!(time_ago_in_words(T - 30 * DAY, T, 0), "4 weeks, 2 days ago");
        assert_eq!(time_ago_in_words(T - 40 * DAY, T, 0), "on 4/22/25");
        assert_eq!(time_ago_in_words(0, T, 3600), "on 1/1/70");
        let _ = time_ago_in_words(i64::MIN, i64::MAX, i32::MIN);
        let _ = time_ago_in_words(i64::MAX, i64::MIN, i32::MAX);
    }

    #[test]
    fn systemdowntime_inputs() {
        assert_eq!(parse_date_and_time("01.06.2025", "10:00", 0), Ok(T));
        assert_eq!(parse_date_and_time("01.06.2025", "12:00", 7200), Ok(T));
        assert_eq!(parse_date_and_time(" 1.6.2025 ", "9:00", -3600), Ok(T));
        assert_eq!(parse_date_and_time("01.06.2025", "10:00:30", 0), Ok(T + 30));
        assert!(matches!(
            parse_date_and_time("31.02.2025", "10:00", 0),
            Err(DateParseError::OutOfRange(_))
        ));
        assert!(matches!(
            parse_date_and_time("01.06.2025", "24:00", 0),
            Err(DateParseError::OutOfRange(_))
        ));
        for (d, t) in [
            ("2025-06-01", "10:00"),
            ("01.06.25", "10:00"),
            ("01.06.2025", "10"),
            ("01.06.2025", "10:0"),
            ("", ""),
            ("a.b.c", "x:y"),
            ("01.06.2025.1", "10:00"),
            ("０１.06.2025", "10:00"),
            ("01.06.2025", "10:00:00:00"),
            ("-1.06.2025", "10:00"),
        ] {
            assert!(parse_date_and_time(d, t, 0).is_err(), "{d:?} {t:?}");
        }
    }

    #[test]
    fn strtotime_like() {
        let now = T + 1234;
        assert_eq!(parse_datetime("01.06.2025 10:00", now, 0), Ok(T));
        assert_eq!(parse_datetime("2025-06-01 10:00:00", now, 0), Ok(T));
        assert_eq!(parse_datetime("2025-06-01T12:00:00", now, 7200), Ok(T));
        assert_eq!(parse_datetime("06/01/2025 10:00", now, 0), Ok(T));
        assert_eq!(parse_datetime("01-06-2025 10:00", now, 0), Ok(T));
        assert_eq!(parse_datetime("2025-06-01", now, 0), Ok(T - 10 * 3600));
        assert_eq!(parse_datetime("10:00", now, 0), Ok(T));
        assert_eq!(parse_datetime("@1748772000", now, 0), Ok(T));
        assert_eq!(parse_datetime(" NOW ", now, 0), Ok(now));
        assert_eq!(parse_datetime("today", now, 0), Ok(T - 10 * 3600));
        assert_eq!(parse_datetime("today", now, 3600), Ok(T - 11 * 3600));
        assert_eq!(parse_datetime("tomorrow", now, 0), Ok(T + 14 * 3600));
        assert_eq!(parse_datetime("yesterday", now, 0), Ok(T - 34 * 3600));
        assert_eq!(parse_datetime("+1 day", now, 0), Ok(now + DAY));
        assert_eq!(parse_datetime("-2 hours", now, 0), Ok(now - 7200));
        assert_eq!(parse_datetime("30 minutes ago", now, 0), Ok(now - 1800));
        assert_eq!(parse_datetime("+1week", now, 0), Ok(now + 7 * DAY));
        assert!(matches!(
            parse_datetime("2025-02-30", now, 0),
            Err(DateParseError::OutOfRange(_))
        ));
        for bad in [
            "",
            "garbage",
            "@",
            "@abc",
            "1 fortnight",
            "+ day",
            "2025-06-01 25:00:00x",
            "2025-06-01 10",
            "99999999999999999999 days",
            "2025/06/01",
            "😀",
            "ä.ö.ü",
            "1.2",
            "T",
            "01.06.2025 ",
        ] {
            let result = parse_datetime(bad, now, 0);
            if bad == "01.06.2025 " {
                assert!(result.is_ok());
            } else {
                assert!(result.is_err(), "{bad:?} -> {result:?}");
            }
        }
        let _ = parse_datetime("-9223372036854775808 weeks ago", i64::MIN, i32::MIN);
        let _ = parse_datetime("+9223372036854775807 seconds", i64::MAX, 0);
    }
}
