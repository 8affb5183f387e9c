//! PHP scalar conversions the product applies to request input (`(int)` casts, truthiness, `trim`).

/// Characters PHP's `trim()` strips by default: space, `\t`, `\n`, `\r`, `\0` and `\x0B`.
const TRIM_CHARS: [char; 6] = [' ', '\t', '\n', '\r', '\0', '\u{0B}'];

/// Whitespace PHP skips before a numeric string: space, `\t`, `\n`, `\r`, `\x0B` and `\x0C`.
const NUMERIC_LEADING_WS: [char; 6] = [' ', '\t', '\n', '\r', '\u{0B}', '\u{0C}'];

/// PHP `trim($s)` with the default character list.
pub fn trim(s: &str) -> &str {
    s.trim_matches(|c| TRIM_CHARS.contains(&c))
}

/// PHP truthiness of a string: everything except `""` and `"0"` is true.
pub fn is_truthy(s: &str) -> bool {
    !(s.is_empty() || s == "0")
}

/// PHP `(int)$s` for a string (PHP 8 semantics).
///
/// Leading whitespace is skipped and the longest numeric prefix is used (`"12abc"` → 12,
/// `"1e3"` → 1000, `"1.9"` → 1, `"abc"` → 0). Out-of-range values saturate at `i64::MIN`/`i64::MAX`;
/// a non-finite float prefix (`"1e999"`) gives 0.
pub fn int_value(s: &str) -> i64 {
    let s = s.trim_start_matches(|c| NUMERIC_LEADING_WS.contains(&c));
    let bytes = s.as_bytes();
    let mut end = 0;
    if matches!(bytes.first(), Some(b'+') | Some(b'-')) {
        end = 1;
    }
    let int_start = end;
    while bytes.get(end).is_some_and(u8::is_ascii_digit) {
        end += 1;
    }
    let int_digits = end - int_start;
    let mut is_float = false;
    let mut frac_digits = 0;
    if bytes.get(end) == Some(&b'.') {
        let mut probe = end + 1;
        while bytes.get(probe).is_some_and(u8::is_ascii_digit) {
            probe += 1;
        }
        frac_digits = probe - end - 1;
        if int_digits + frac_digits > 0 {
            is_float = true;
            end = probe;
        }
    }
    if int_digits + frac_digits == 0 {
        return 0;
    }
    if matches!(bytes.get(end), Some(b'e') | Some(b'E')) {
        let mut probe = end + 1;
        if matches!(bytes.get(probe), Some(b'+') | Some(b'-')) {
            probe += 1;
        }
        let exp_start = probe;
        while bytes.get(probe).is_some_and(u8::is_ascii_digit) {
            probe += 1;
        }
        if probe > exp_start {
            is_float = true;
            end = probe;
        }
    }
    // `end` only ever advanced over ASCII bytes, so it is a char boundary.
    let number = s.get(..end).unwrap_or("");
    if !is_float {
        return match number.parse::<i64>() {
            Ok(v) => v,
            Err(_) if number.starts_with('-') => i64::MIN,
            Err(_) => i64::MAX,
        };
    }
    match number.parse::<f64>() {
        // `as` saturates and truncates toward zero, like `zend_dval_to_lval_cap`.
        Ok(f) if f.is_finite() => f as i64,
        _ => 0,
    }
}

/// Parses a strictly numeric integer string (optional sign, ASCII digits, surrounding PHP
/// whitespace allowed); `None` for anything else or on overflow.
pub fn strict_int(s: &str) -> Option<i64> {
    let t = trim(s);
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.strip_prefix('+').unwrap_or(t).parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int_value_mimics_php_casts() {
        assert_eq!(int_value("42"), 42);
        assert_eq!(int_value("  42"), 42);
        assert_eq!(int_value("\n\t-7"), -7);
        assert_eq!(int_value("+5"), 5);
        assert_eq!(int_value("12abc"), 12);
        assert_eq!(int_value("1e3"), 1000);
        assert_eq!(int_value("1.9"), 1);
        assert_eq!(int_value("-1.9"), -1);
        assert_eq!(int_value(".5"), 0);
        assert_eq!(int_value("5."), 5);
        assert_eq!(int_value("abc"), 0);
        assert_eq!(int_value(""), 0);
        assert_eq!(int_value("-"), 0);
        assert_eq!(int_value("."), 0);
        assert_eq!(int_value("0x1A"), 0);
        assert_eq!(int_value("1e"), 1);
        assert_eq!(int_value("1e+"), 1);
        assert_eq!(int_value("99999999999999999999999"), i64::MAX);
        assert_eq!(int_value("-99999999999999999999999"), i64::MIN);
        assert_eq!(int_value("1e999"), 0);
        assert_eq!(int_value("1e30"), i64::MAX);
        assert_eq!(int_value("ä12"), 0);
        assert_eq!(int_value("12ä"), 12);
    }

    #[test]
    fn truthiness_and_trim() {
        assert!(!is_truthy(""));
        assert!(!is_truthy("0"));
        assert!(is_truthy("00"));
        assert!(is_truthy("false"));
        assert!(is_truthy(" "));
        assert_eq!(trim(" \t\0abc\u{0B}\r\n"), "abc");
        assert_eq!(trim("\u{A0}x\u{A0}"), "\u{A0}x\u{A0}");
    }

    #[test]
    fn strict_int_accepts_only_integers() {
        assert_eq!(strict_int("15"), Some(15));
        assert_eq!(strict_int(" -3 "), Some(-3));
        assert_eq!(strict_int("+3"), Some(3));
        assert_eq!(strict_int("3a"), None);
        assert_eq!(strict_int("1.0"), None);
        assert_eq!(strict_int(""), None);
        assert_eq!(strict_int("-"), None);
        assert_eq!(strict_int("+-3"), None);
        assert_eq!(strict_int("99999999999999999999"), None);
    }
}
