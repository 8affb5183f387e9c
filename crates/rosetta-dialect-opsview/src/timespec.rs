//! Time values for `/rest/downtime` (spec §7.3) and the `format_datetime=1` output format (§3.7).
//!
//! Everything is in epoch seconds. Local wall-clock times are interpreted in the server time zone,
//! given as a fixed offset from UTC in seconds (east positive), so the caller decides how to
//! obtain it (for example the zone's current offset) and tests stay deterministic.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime};

/// Why a time or duration value was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeSpecError {
    /// The value is empty or blank.
    #[error("empty time value")]
    Empty,
    /// Not a recognised time.
    #[error("unrecognised time value {0:?}")]
    InvalidTime(String),
    /// Not a recognised duration.
    #[error("unrecognised duration {0:?}")]
    InvalidDuration(String),
    /// A recognised value whose result does not fit.
    #[error("time value {0:?} is out of range")]
    OutOfRange(String),
}

const DATETIME_FORMATS: &[&str] = &[
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%dT%H:%M",
];

const DATE_FORMATS: &[&str] = &["%Y-%m-%d", "%Y/%m/%d"];

/// Parses a `starttime` / `endtime` value into epoch seconds.
///
/// Accepted forms (case-insensitive, surrounding blanks ignored):
/// * epoch seconds, `1700000000` (a fractional part is truncated);
/// * `YYYY-MM-DD HH:MM:SS`, `YYYY/MM/DD HH:MM:SS`, the same without seconds, with a `T` instead
///   of the space, or a bare date (midnight), all in the server time zone;
/// * RFC 3339 with an explicit offset, `2024-01-02T03:04:05Z`;
/// * `now`, and relative times `+2h`, `-30m`, `+1h30m`, `now + 1d` (see [`parse_duration`]);
/// * `today`, `tomorrow`, `yesterday`, optionally followed by a time of day (`tomorrow 2pm`,
///   `today 14:30`); without one they mean the current time of day on that date;
/// * a time of day alone (`14:30`, `2pm`, `noon`, `midnight`), meaning today.
pub fn parse_time(input: &str, now: i64, utc_offset: i32) -> Result<i64, TimeSpecError> {
    let text = input.trim();
    if text.is_empty() {
        return Err(TimeSpecError::Empty);
    }
    let lower = text.to_ascii_lowercase();
    let invalid = || TimeSpecError::InvalidTime(text.to_owned());
    let out_of_range = || TimeSpecError::OutOfRange(text.to_owned());
    let offset = i64::from(utc_offset);

    let relative = lower
        .strip_prefix("now")
        .map(str::trim_start)
        .unwrap_or(&lower);
    if relative.is_empty() {
        return Ok(now);
    }
    if let Some((sign, rest)) = relative
        .strip_prefix('+')
        .map(|r| (1, r))
        .or_else(|| relative.strip_prefix('-').map(|r| (-1, r)))
    {
        let seconds = parse_duration(rest).map_err(|_| invalid())?;
        return now.checked_add(sign * seconds).ok_or_else(out_of_range);
    }
    if relative.len() != lower.len() {
        return Err(invalid());
    }

    if let Some(epoch) = parse_epoch(&lower) {
        return epoch.ok_or_else(out_of_range);
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(text) {
        return Ok(dt.timestamp());
    }
    let local = |naive: NaiveDateTime| {
        naive
            .and_utc()
            .timestamp()
            .checked_sub(offset)
            .ok_or_else(out_of_range)
    };
    for format in DATETIME_FORMATS {
        if let Ok(naive) = NaiveDateTime::parse_from_str(text, format) {
            return local(naive);
        }
    }
    for format in DATE_FORMATS {
        if let Ok(date) = NaiveDate::parse_from_str(text, format) {
            return local(date.and_time(NaiveTime::MIN));
        }
    }

    let local_now = now
        .checked_add(offset)
        .and_then(|t| DateTime::from_timestamp(t, 0))
        .ok_or_else(out_of_range)?
        .naive_utc();
    let (day_shift, clock) = match lower.split_once(char::is_whitespace) {
        Some((word, rest)) => (day_word(word), rest.trim()),
        None => (day_word(&lower), ""),
    };
    let (day_shift, clock) = match day_shift {
        Some(shift) => (shift, clock),
        None => (0, lower.as_str()),
    };
    let time = if clock.is_empty() {
        local_now.time()
    } else {
        parse_clock(clock).ok_or_else(invalid)?
    };
    let date = local_now
        .date()
        .checked_add_signed(Duration::days(day_shift))
        .ok_or_else(out_of_range)?;
    local(date.and_time(time))
}

fn day_word(word: &str) -> Option<i64> {
    match word {
        "today" => Some(0),
        "tomorrow" => Some(1),
        "yesterday" => Some(-1),
        _ => None,
    }
}

/// `Some(Ok)` for epoch seconds, `Some(None)` for digits that overflow, `None` otherwise.
fn parse_epoch(text: &str) -> Option<Option<i64>> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) {
        return None;
    }
    Some(whole.parse::<i64>().ok())
}

/// Parses a time of day: `14:30`, `14:30:15`, `2pm`, `2:30 pm`, `12am`, `noon`, `midnight`.
fn parse_clock(text: &str) -> Option<NaiveTime> {
    match text {
        "noon" => return NaiveTime::from_hms_opt(12, 0, 0),
        "midnight" => return Some(NaiveTime::MIN),
        _ => {}
    }
    let (digits, meridiem) = if let Some(rest) = text.strip_suffix("am") {
        (rest.trim_end(), Some(false))
    } else if let Some(rest) = text.strip_suffix("pm") {
        (rest.trim_end(), Some(true))
    } else {
        (text, None)
    };
    let mut parts = [0_u32; 3];
    let mut count = 0;
    for piece in digits.split(':') {
        if piece.is_empty() || piece.len() > 2 || !piece.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        *parts.get_mut(count)? = piece.parse().ok()?;
        count += 1;
    }
    let [mut hour, minute, second] = parts;
    if count == 1 && meridiem.is_none() {
        return None;
    }
    if let Some(pm) = meridiem {
        if !(1..=12).contains(&hour) {
            return None;
        }
        hour = match (hour, pm) {
            (12, false) => 0,
            (12, true) => 12,
            (h, true) => h + 12,
            (h, false) => h,
        };
    }
    NaiveTime::from_hms_opt(hour, minute, second)
}

/// Parses a duration into seconds: `90` (a bare number is **seconds**), `45s`, `30m`, `2h`,
/// `1d`, `1w`, combinations such as `1h30m` or `1d 2h`, long unit names (`2 hours`,
/// `30 mins`) and decimals (`1.5h`). Case-insensitive; never negative.
pub fn parse_duration(input: &str) -> Result<i64, TimeSpecError> {
    let text = input.trim();
    if text.is_empty() {
        return Err(TimeSpecError::Empty);
    }
    let lower = text.to_ascii_lowercase();
    let invalid = || TimeSpecError::InvalidDuration(text.to_owned());
    let bytes = lower.as_bytes();
    let mut i = 0;
    let mut total: i64 = 0;
    let mut components = 0;
    let mut unitless = false;
    while i < bytes.len() {
        while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        if i >= bytes.len() {
            break;
        }
        let number_start = i;
        while bytes
            .get(i)
            .is_some_and(|b| b.is_ascii_digit() || *b == b'.')
        {
            i += 1;
        }
        let number = lower.get(number_start..i).unwrap_or("");
        while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        let unit_start = i;
        while bytes.get(i).is_some_and(u8::is_ascii_alphabetic) {
            i += 1;
        }
        let unit = lower.get(unit_start..i).unwrap_or("");
        let scale = match unit {
            "" => {
                unitless = true;
                1
            }
            "s" | "sec" | "secs" | "second" | "seconds" => 1,
            "m" | "min" | "mins" | "minute" | "minutes" => 60,
            "h" | "hr" | "hrs" | "hour" | "hours" => 3_600,
            "d" | "day" | "days" => 86_400,
            "w" | "wk" | "wks" | "week" | "weeks" => 604_800,
            _ => return Err(invalid()),
        };
        let seconds = scaled(number, scale).ok_or_else(invalid)?;
        total = total
            .checked_add(seconds)
            .ok_or_else(|| TimeSpecError::OutOfRange(text.to_owned()))?;
        components += 1;
    }
    if components == 0 || (unitless && components > 1) {
        return Err(invalid());
    }
    Ok(total)
}

fn scaled(number: &str, scale: i64) -> Option<i64> {
    if number.is_empty() || number.starts_with('.') || number.ends_with('.') {
        return None;
    }
    if let Ok(n) = number.parse::<i64>() {
        return n.checked_mul(scale);
    }
    let value: f64 = number.parse().ok()?;
    let seconds = (value * scale as f64).round();
    // Beyond ±2^53 an f64 no longer holds whole seconds exactly; refuse rather than saturate.
    (seconds.is_finite() && seconds.abs() < 9_007_199_254_740_992.0).then_some(seconds as i64)
}

/// Formats epoch seconds as `YYYY-MM-DD HH:MM:SS` in the zone `utc_offset` seconds east of UTC.
/// A value outside chrono's range is returned as plain epoch digits.
pub fn format_datetime(epoch: i64, utc_offset: i32) -> String {
    epoch
        .checked_add(i64::from(utc_offset))
        .and_then(|t| DateTime::from_timestamp(t, 0))
        .map_or_else(
            || epoch.to_string(),
            |dt| dt.format("%Y-%m-%d %H:%M:%S").to_string(),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2023-11-14 22:13:20 UTC.
    const NOW: i64 = 1_700_000_000;
    const CET: i32 = 3_600;

    fn t(s: &str) -> i64 {
        parse_time(s, NOW, 0).unwrap_or_else(|e| panic!("{s:?}: {e}"))
    }

    #[test]
    fn epoch_and_now() {
        assert_eq!(t("1700000123"), 1_700_000_123);
        assert_eq!(t(" 1700000123.75 "), 1_700_000_123);
        assert_eq!(t("0"), 0);
        assert_eq!(t("now"), NOW);
        assert_eq!(t("NOW"), NOW);
        assert_eq!(
            parse_time("99999999999999999999", NOW, 0),
            Err(TimeSpecError::OutOfRange("99999999999999999999".into()))
        );
    }

    #[test]
    fn relative_times() {
        assert_eq!(t("+2h"), NOW + 7_200);
        assert_eq!(t("+30m"), NOW + 1_800);
        assert_eq!(t("+1d"), NOW + 86_400);
        assert_eq!(t("+45s"), NOW + 45);
        assert_eq!(t("+1h30m"), NOW + 5_400);
        assert_eq!(t("-1h"), NOW - 3_600);
        assert_eq!(t("now + 2 hours"), NOW + 7_200);
        assert_eq!(t("now-90"), NOW - 90);
        assert_eq!(t("+90"), NOW + 90);
    }

    #[test]
    fn absolute_datetimes_use_the_offset() {
        assert_eq!(t("2023-11-14 22:13:20"), NOW);
        assert_eq!(t("2023/11/14 22:13:20"), NOW);
        assert_eq!(t("2023-11-14T22:13:20"), NOW);
        assert_eq!(t("2023-11-14 22:13"), NOW - 20);
        assert_eq!(t("2023/11/14 22:13"), NOW - 20);
        assert_eq!(t("2023-11-14"), NOW - 80_000);
        assert_eq!(t("2023/1/5 3:04:05"), 1_672_887_845);
        assert_eq!(parse_time("2023-11-14 23:13:20", NOW, CET), Ok(NOW));
        assert_eq!(parse_time("2023-11-14 17:13:20", NOW, -5 * 3_600), Ok(NOW));
        assert_eq!(t("2023-11-14T23:13:20+01:00"), NOW);
        assert_eq!(t("2023-11-14T22:13:20Z"), NOW);
    }

    #[test]
    fn day_words_and_clock_times() {
        assert_eq!(t("tomorrow"), NOW + 86_400);
        assert_eq!(t("yesterday"), NOW - 86_400);
        assert_eq!(t("today"), NOW);
        assert_eq!(t("tomorrow 2pm"), t("2023-11-15 14:00:00"));
        assert_eq!(t("Tomorrow 2:30 PM"), t("2023-11-15 14:30:00"));
        assert_eq!(t("today 09:15"), t("2023-11-14 09:15:00"));
        assert_eq!(t("12am"), t("2023-11-14 00:00:00"));
        assert_eq!(t("12pm"), t("2023-11-14 12:00:00"));
        assert_eq!(t("noon"), t("2023-11-14 12:00:00"));
        assert_eq!(t("tomorrow midnight"), t("2023-11-15 00:00:00"));
        assert_eq!(t("23:59:59"), t("2023-11-14 23:59:59"));
        // In UTC+1 it is already 2023-11-14 23:13 locally, so "tomorrow" is the 15th there too.
        assert_eq!(
            parse_time("tomorrow 2pm", NOW, CET),
            Ok(t("2023-11-15 13:00:00"))
        );
        // In UTC+2 local time is 00:13 on the 15th, so "tomorrow" is the 16th.
        assert_eq!(
            parse_time("tomorrow 2pm", NOW, 7_200),
            Ok(t("2023-11-16 12:00:00"))
        );
    }

    #[test]
    fn invalid_times() {
        assert_eq!(parse_time("", NOW, 0), Err(TimeSpecError::Empty));
        assert_eq!(parse_time("   ", NOW, 0), Err(TimeSpecError::Empty));
        for bad in [
            "soon",
            "2023-13-01 00:00:00",
            "2023-02-30",
            "2023-11-14 25:00",
            "+",
            "+2x",
            "now 2h",
            "nowhere",
            "13pm",
            "0am",
            "1:2:3:4",
            "tomorrow 2xm",
            "-",
            "+-1h",
            "1e9",
            "12.5.5",
            "2023-11-14 22:13:20 extra",
            "\u{e9}\u{e9}",
            "+\u{661}h",
        ] {
            assert!(
                matches!(parse_time(bad, NOW, 0), Err(TimeSpecError::InvalidTime(_))),
                "{bad:?} gave {:?}",
                parse_time(bad, NOW, 0)
            );
        }
        assert!(matches!(
            parse_time("+100000000000000w", NOW, 0),
            Err(TimeSpecError::InvalidTime(_))
        ));
        assert!(matches!(
            parse_time("+9223372036854775807", NOW, 0),
            Err(TimeSpecError::OutOfRange(_))
        ));
        assert!(matches!(
            parse_time("tomorrow", i64::MAX, 0),
            Err(TimeSpecError::OutOfRange(_))
        ));
        assert!(parse_time("2023-11-14", NOW, i32::MIN).is_ok());
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("2h"), Ok(7_200));
        assert_eq!(parse_duration("1d"), Ok(86_400));
        assert_eq!(parse_duration("30m"), Ok(1_800));
        assert_eq!(parse_duration("90"), Ok(90));
        assert_eq!(parse_duration("1h30m"), Ok(5_400));
        assert_eq!(parse_duration("1d 2h 3m 4s"), Ok(93_784));
        assert_eq!(parse_duration("2 Hours"), Ok(7_200));
        assert_eq!(parse_duration("1w"), Ok(604_800));
        assert_eq!(parse_duration("1.5h"), Ok(5_400));
        assert_eq!(parse_duration("0"), Ok(0));
        for bad in [
            "", "h", "2y", "1h 30", "30 1h", "-1h", "1..5h", ".5h", "5.h", "1h-", "2h+", "1h,30m",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad:?}");
        }
        assert!(matches!(
            parse_duration("9223372036854775807w"),
            Err(TimeSpecError::InvalidDuration(_))
        ));
        assert!(matches!(
            parse_duration("9223372036854775807s 1s"),
            Err(TimeSpecError::OutOfRange(_))
        ));
        assert!(matches!(
            parse_duration("1e308h"),
            Err(TimeSpecError::InvalidDuration(_))
        ));
    }

    #[test]
    fn formatting() {
        assert_eq!(format_datetime(NOW, 0), "2023-11-14 22:13:20");
        assert_eq!(format_datetime(NOW, CET), "2023-11-14 23:13:20");
        assert_eq!(format_datetime(NOW, 7_200), "2023-11-15 00:13:20");
        assert_eq!(format_datetime(0, 0), "1970-01-01 00:00:00");
        assert_eq!(format_datetime(i64::MAX, 0), i64::MAX.to_string());
        assert_eq!(format_datetime(i64::MAX, 10), i64::MAX.to_string());
        assert_eq!(parse_time(&format_datetime(NOW, CET), NOW, CET), Ok(NOW));
    }
}
