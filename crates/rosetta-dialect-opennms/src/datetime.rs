//! `xsd:dateTime` formatting and lenient parsing of the date forms OpenNMS clients send.
//!
//! Everything works on epoch milliseconds (`i64`). Parsers return `None` on anything they do not
//! understand and never panic; callers turn `None` into their own typed error.

use std::fmt::Write as _;

use chrono::{DateTime, FixedOffset, NaiveDate, Offset, Utc};

/// Formats epoch milliseconds as `xsd:dateTime` with millis and a numeric offset, as JAXB does:
/// `2024-05-01T10:00:00.123-04:00`. UTC is written `+00:00`, never `Z`.
///
/// An offset outside ±23:59:59 is replaced by UTC; instants outside chrono's range are clamped.
pub fn format_xsd_datetime(epoch_ms: i64, offset_seconds: i32) -> String {
    let mut out = String::with_capacity(29);
    write_xsd_datetime(&mut out, epoch_ms, offset_seconds);
    out
}

/// Appends [`format_xsd_datetime`]'s text to `out`.
pub fn write_xsd_datetime(out: &mut String, epoch_ms: i64, offset_seconds: i32) {
    let offset = FixedOffset::east_opt(offset_seconds).unwrap_or_else(|| Utc.fix());
    let instant = DateTime::<Utc>::from_timestamp_millis(epoch_ms).unwrap_or(if epoch_ms < 0 {
        DateTime::<Utc>::MIN_UTC
    } else {
        DateTime::<Utc>::MAX_UTC
    });
    let _ = write!(out, "{}", instant.with_timezone(&offset).format("%Y-%m-%dT%H:%M:%S%.3f%:z"));
}

/// Parses any date form a client may send: epoch milliseconds, ISO-8601 (see
/// [`parse_iso8601`]) or the legacy OpenNMS event time (see [`parse_legacy_event_time`]).
pub fn parse_datetime(text: &str) -> Option<i64> {
    let text = text.trim();
    parse_epoch_millis(text)
        .or_else(|| parse_iso8601(text))
        .or_else(|| parse_legacy_event_time(text))
}

/// Parses an optionally signed decimal integer of epoch milliseconds (`1714572000123`).
pub fn parse_epoch_millis(text: &str) -> Option<i64> {
    let text = text.trim();
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse::<i64>().ok()
}

/// Parses ISO-8601 date-times as sent by OpenNMS clients, returning epoch milliseconds.
///
/// Accepted: `YYYY-MM-DD`, then optionally `T` (or `t` / a space) and `HH:mm`, `:ss`, and a
/// fraction of any length (`.` or `,`; truncated to millis), then an optional zone: `Z`,
/// `±HH`, `±HHmm`, `±HH:mm`. A space in place of `+` (a `+` decoded once too often) is accepted.
/// Without a zone the time is taken as UTC.
pub fn parse_iso8601(text: &str) -> Option<i64> {
    let mut cursor = Cursor::new(text.trim().as_bytes());
    let year = cursor.number(4, 4)?;
    cursor.require(b'-')?;
    let month = cursor.number(2, 2)?;
    cursor.require(b'-')?;
    let day = cursor.number(2, 2)?;
    let date = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?;

    let (mut hour, mut minute, mut second, mut millis) = (0, 0, 0, 0);
    if matches!(cursor.peek(), Some(b'T' | b't'))
        || (cursor.peek() == Some(b' ')
            && cursor.peek_at(1).is_some_and(|b| b.is_ascii_digit())
            && cursor.peek_at(3) == Some(b':'))
    {
        cursor.advance();
        hour = cursor.number(2, 2)?;
        cursor.require(b':')?;
        minute = cursor.number(2, 2)?;
        if cursor.eat(b':') {
            second = cursor.number(2, 2)?;
            if matches!(cursor.peek(), Some(b'.' | b',')) {
                cursor.advance();
                millis = cursor.fraction_millis()?;
            }
        }
    }
    let offset_seconds = cursor.zone()?;
    if !cursor.at_end() {
        return None;
    }
    let local = date
        .and_hms_milli_opt(hour, minute, second, millis)?
        .and_utc()
        .timestamp_millis();
    local.checked_sub(i64::from(offset_seconds).checked_mul(1000)?)
}

/// Parses the legacy OpenNMS event `time` (Java `DateFormat.FULL`), e.g.
/// `Thursday, March 7, 2024 10:00:00 AM GMT`. The weekday, seconds, `AM`/`PM` and the zone are
/// optional; zones understood are `GMT`/`UTC`/`Z`, `GMT±HH:mm`, `±HHmm` and the US abbreviations
/// (`EST`, `EDT`, `CST`, `CDT`, `MST`, `MDT`, `PST`, `PDT`). Unknown zones are rejected.
pub fn parse_legacy_event_time(text: &str) -> Option<i64> {
    let mut tokens = text
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|token| !token.is_empty())
        .peekable();
    if tokens.peek().is_some_and(|token| is_weekday(token)) {
        tokens.next();
    }
    let month = month_number(tokens.next()?)?;
    let day = tokens.next()?.parse::<u32>().ok()?;
    let year = tokens.next()?.parse::<i32>().ok()?;
    if tokens
        .peek()
        .is_some_and(|token| token.eq_ignore_ascii_case("at"))
    {
        tokens.next();
    }
    let mut clock = tokens.next()?.split(':');
    let mut hour = clock.next()?.parse::<u32>().ok()?;
    let minute = clock.next()?.parse::<u32>().ok()?;
    let second = match clock.next() {
        Some(part) => part.parse::<u32>().ok()?,
        None => 0,
    };
    if clock.next().is_some() {
        return None;
    }
    let mut next = tokens.next();
    if let Some(meridiem) = next {
        let is_am = meridiem.eq_ignore_ascii_case("AM");
        let is_pm = meridiem.eq_ignore_ascii_case("PM");
        if is_am || is_pm {
            if !(1..=12).contains(&hour) {
                return None;
            }
            hour = match (is_pm, hour) {
                (false, 12) => 0,
                (true, 12) => 12,
                (true, h) => h + 12,
                (false, h) => h,
            };
            next = tokens.next();
        }
    }
    let offset_seconds = match next {
        None => 0,
        Some(zone) => legacy_zone_offset(zone)?,
    };
    if tokens.next().is_some() {
        return None;
    }
    let local = NaiveDate::from_ymd_opt(year, month, day)?
        .and_hms_opt(hour, minute, second)?
        .and_utc()
        .timestamp_millis();
    local.checked_sub(i64::from(offset_seconds).checked_mul(1000)?)
}

fn is_weekday(token: &str) -> bool {
    const DAYS: [&str; 7] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    DAYS.iter().any(|day| {
        day.eq_ignore_ascii_case(token)
            || (token.len() == 3
                && day
                    .get(..3)
                    .is_some_and(|abbr| abbr.eq_ignore_ascii_case(token)))
    })
}

fn month_number(token: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let index = MONTHS.iter().position(|month| {
        month.eq_ignore_ascii_case(token)
            || (token.len() == 3
                && month
                    .get(..3)
                    .is_some_and(|abbr| abbr.eq_ignore_ascii_case(token)))
    })?;
    u32::try_from(index + 1).ok()
}

fn legacy_zone_offset(zone: &str) -> Option<i32> {
    const NAMED: [(&str, i32); 11] = [
        ("GMT", 0),
        ("UTC", 0),
        ("Z", 0),
        ("EST", -5),
        ("EDT", -4),
        ("CST", -6),
        ("CDT", -5),
        ("MST", -7),
        ("MDT", -6),
        ("PST", -8),
        ("PDT", -7),
    ];
    if let Some((_, hours)) = NAMED
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(zone))
    {
        return Some(hours * 3600);
    }
    let numeric = ["GMT", "UTC"]
        .iter()
        .find_map(|prefix| {
            zone.get(..prefix.len())
                .filter(|head| head.eq_ignore_ascii_case(prefix))
                .and_then(|_| zone.get(prefix.len()..))
        })
        .unwrap_or(zone);
    let mut cursor = Cursor::new(numeric.as_bytes());
    let offset = cursor.zone()?;
    cursor.at_end().then_some(offset)
}

/// Byte cursor over ASCII date text; every access is bounds-checked.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, pos: 0 }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn peek_at(&self, ahead: usize) -> Option<u8> {
        self.bytes.get(self.pos.checked_add(ahead)?).copied()
    }

    fn advance(&mut self) {
        self.pos = self.pos.saturating_add(1);
    }

    fn at_end(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    fn eat(&mut self, byte: u8) -> bool {
        if self.peek() == Some(byte) {
            self.advance();
            true
        } else {
            false
        }
    }

    fn require(&mut self, byte: u8) -> Option<()> {
        self.eat(byte).then_some(())
    }

    /// Reads between `min` and `max` ASCII digits as a number.
    fn number(&mut self, min: usize, max: usize) -> Option<u32> {
        let mut value: u32 = 0;
        let mut count = 0;
        while count < max {
            match self.peek() {
                Some(b) if b.is_ascii_digit() => {
                    value = value.checked_mul(10)?.checked_add(u32::from(b - b'0'))?;
                    self.advance();
                    count += 1;
                }
                _ => break,
            }
        }
        (count >= min).then_some(value)
    }

    /// Reads a fraction of one or more digits, truncated to milliseconds.
    fn fraction_millis(&mut self) -> Option<u32> {
        let mut millis = 0;
        let mut count = 0;
        while let Some(b) = self.peek().filter(u8::is_ascii_digit) {
            if count < 3 {
                millis = millis * 10 + u32::from(b - b'0');
            }
            count += 1;
            self.advance();
        }
        if count == 0 {
            return None;
        }
        for _ in count..3 {
            millis *= 10;
        }
        Some(millis)
    }

    /// Reads an optional zone designator, returning its offset east of UTC in seconds.
    fn zone(&mut self) -> Option<i32> {
        if self.at_end() {
            return Some(0);
        }
        if self.peek() == Some(b' ') && matches!(self.peek_at(1), Some(b'+' | b'-' | b'Z' | b'z')) {
            self.advance();
        }
        let sign = match self.peek()? {
            b'Z' | b'z' => {
                self.advance();
                return Some(0);
            }
            b'+' | b' ' => 1,
            b'-' => -1,
            _ => return None,
        };
        self.advance();
        let hours = self.number(2, 2)?;
        let colon = self.eat(b':');
        let minutes = if colon || self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.number(2, 2)?
        } else {
            0
        };
        if hours > 23 || minutes > 59 {
            return None;
        }
        let seconds = i32::try_from(hours * 3600 + minutes * 60).ok()?;
        Some(sign * seconds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: i64 = 1_714_557_600_123; // 2024-05-01T10:00:00.123Z

    #[test]
    fn formats_with_offset_and_millis() {
        assert_eq!(format_xsd_datetime(T, 0), "2024-05-01T10:00:00.123+00:00");
        assert_eq!(
            format_xsd_datetime(T + 4 * 3_600_000, -4 * 3600),
            "2024-05-01T10:00:00.123-04:00"
        );
        assert_eq!(
            format_xsd_datetime(0, 3600),
            "1970-01-01T01:00:00.000+01:00"
        );
        assert_eq!(format_xsd_datetime(-1, 0), "1969-12-31T23:59:59.999+00:00");
    }

    #[test]
    fn format_never_panics_on_extremes() {
        assert!(!format_xsd_datetime(i64::MAX, 0).is_empty());
        assert!(!format_xsd_datetime(i64::MIN, 0).is_empty());
        assert_eq!(format_xsd_datetime(T, 86_400), format_xsd_datetime(T, 0));
        assert_eq!(format_xsd_datetime(T, i32::MIN), format_xsd_datetime(T, 0));
    }

    #[test]
    fn parses_iso_variants() {
        for text in [
            "2024-05-01T10:00:00.123+0000",
            "2024-05-01T10:00:00.123Z",
            "2024-05-01T10:00:00.123+00:00",
            "2024-05-01T10:00:00.123+00",
            "2024-05-01T10:00:00.123 0000",
            "2024-05-01T10:00:00.123456789Z",
            "2024-05-01 10:00:00.123Z",
            "2024-05-01T06:00:00.123-04:00",
            "2024-05-01T06:00:00,123-0400",
            "  2024-05-01T10:00:00.123Z  ",
        ] {
            assert_eq!(parse_iso8601(text), Some(T), "{text}");
            assert_eq!(parse_datetime(text), Some(T), "{text}");
        }
        assert_eq!(parse_iso8601("2024-05-01T10:00:00Z"), Some(T - 123));
        assert_eq!(parse_iso8601("2024-05-01T10:00Z"), Some(T - 123));
        assert_eq!(parse_iso8601("2024-05-01T10:00:00.1Z"), Some(T - 23));
        assert_eq!(parse_iso8601("2024-05-01T10:00:00"), Some(T - 123));
        assert_eq!(parse_iso8601("2024-05-01"), Some(T - 123 - 10 * 3_600_000));
        assert_eq!(
            parse_iso8601("2008-07-28T04:41:30.530+12:00"),
            Some(1_217_176_890_530)
        );
        assert_eq!(parse_iso8601("1970-01-01T00:00:00.000+0000"), Some(0));
    }

    #[test]
    fn rejects_malformed_iso() {
        for text in [
            "",
            "2024",
            "2024-13-01",
            "2024-02-30",
            "2024-05-01T25:00:00Z",
            "2024-05-01T10:61Z",
            "2024-05-01T10:00:00.Z",
            "2024-05-01T10:00:00+24:00",
            "2024-05-01T10:00:00Zjunk",
            "2024-05-01T10:00:00+0",
            "2024-05-01T10",
            "２０２４-05-01",
            "2024-05-01T10:00:00é",
            "T10:00:00",
        ] {
            assert_eq!(parse_iso8601(text), None, "{text}");
        }
    }

    #[test]
    fn parses_epoch_millis() {
        assert_eq!(parse_datetime("1714557600123"), Some(T));
        assert_eq!(parse_datetime("-5"), Some(-5));
        assert_eq!(parse_epoch_millis("+5"), None);
        assert_eq!(parse_epoch_millis("99999999999999999999"), None);
        assert_eq!(parse_epoch_millis("-"), None);
    }

    #[test]
    fn parses_legacy_event_time() {
        let expected = parse_iso8601("2024-03-07T10:00:00Z");
        assert!(expected.is_some());
        for text in [
            "Thursday, March 7, 2024 10:00:00 AM GMT",
            "Thursday, March 7, 2024 10:00:00 AM UTC",
            "March 7, 2024 10:00:00 AM GMT",
            "Thu, Mar 7, 2024 10:00:00 AM GMT",
            "Thursday, March 7, 2024 at 10:00:00 AM GMT",
            "Thursday, March 7, 2024 10:00:00 AM",
            "Thursday, March 7, 2024 10:00 AM GMT",
            "Thursday, March 7, 2024 10:00:00",
            "Thursday, March 7, 2024 5:00:00 AM EST",
            "Thursday, March 7, 2024 6:00:00 AM GMT-04:00",
            "Thursday, March 7, 2024 11:00:00 AM +0100",
        ] {
            assert_eq!(parse_legacy_event_time(text), expected, "{text}");
            assert_eq!(parse_datetime(text), expected, "{text}");
        }
        assert_eq!(
            parse_legacy_event_time("Thursday, March 7, 2024 12:30:00 AM GMT"),
            parse_iso8601("2024-03-07T00:30:00Z")
        );
        assert_eq!(
            parse_legacy_event_time("Thursday, March 7, 2024 12:30:00 PM GMT"),
            parse_iso8601("2024-03-07T12:30:00Z")
        );
        assert_eq!(
            parse_legacy_event_time("Thursday, March 7, 2024 1:30:00 PM GMT"),
            parse_iso8601("2024-03-07T13:30:00Z")
        );
    }

    #[test]
    fn never_panics_on_random_text() {
        let alphabet: Vec<char> = "0123456789-:T.Z+ ,APMGé".chars().collect();
        let mut seed: u32 = 7;
        for _ in 0..5000 {
            let mut text = String::new();
            for _ in 0..(seed % 32) {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                text.push(alphabet[(seed >> 16) as usize % alphabet.len()]);
            }
            let _ = parse_datetime(&text);
        }
    }

    #[test]
    fn rejects_malformed_legacy() {
        for text in [
            "",
            "Thursday",
            "Thursday, Foo 7, 2024 10:00:00 AM GMT",
            "Thursday, March 32, 2024 10:00:00 AM GMT",
            "Thursday, March 7, 2024 13:00:00 PM GMT",
            "Thursday, March 7, 2024 10:00:00 AM Mars/Olympus",
            "Thursday, March 7, 2024 10:00:00 AM GMT extra",
            "Thursday, March 7, 2024 10:00:00:00 AM GMT",
            "Thursday, März 7, 2024 10:00:00 AM GMT",
        ] {
            assert_eq!(parse_legacy_event_time(text), None, "{text}");
        }
    }
}
