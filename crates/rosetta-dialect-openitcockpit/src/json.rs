//! PHP-style JSON encoding, as the product's `JsonView` emits it (spec §2.2).
//!
//! CakePHP encodes with `JSON_HEX_TAG | JSON_HEX_APOS | JSON_HEX_AMP | JSON_HEX_QUOT` and no
//! `JSON_UNESCAPED_SLASHES`/`JSON_UNESCAPED_UNICODE`/`JSON_PRESERVE_ZERO_FRACTION`, so:
//!
//! - `<` `>` `&` `'` `"` inside strings become `\u003C` `\u003E` `\u0026` `\u0027` `\u0022`;
//! - `/` becomes `\/`, `\` becomes `\\`, `\b \f \n \r \t` keep their short escapes and other
//!   control characters become `\u00xx` (lower-case hex);
//! - every non-ASCII character becomes `\uxxxx` (lower-case hex, surrogate pairs above U+FFFF);
//! - floats use the shortest round-trip digits; a zero fraction prints as an integer (`10.0` → `10`)
//!   and exponents follow PHP (`1.0e+25`, `1.5e-7`);
//! - object keys keep their insertion order; output is compact (no whitespace).

mod serializer;

use rosetta_core::escape::{clean_run, json_escapes, ByteSet};
use serde_json::Value;

use serializer::Serializer;

/// Options for [`encode_with`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EncodeOptions {
    /// Render empty objects as `[]`, as PHP does for empty associative arrays.
    pub empty_object_as_array: bool,
}

/// Encodes `value` the way PHP's `json_encode` does with the product's flags.
pub fn encode(value: &Value) -> String {
    encode_with(value, EncodeOptions::default())
}

/// Encodes `value` with explicit [`EncodeOptions`].
pub fn encode_with(value: &Value, options: EncodeOptions) -> String {
    let mut out = String::new();
    encode_into(&mut out, value, options);
    out
}

/// Appends the encoding of `value` to `out`.
pub fn encode_into(out: &mut String, value: &Value, options: EncodeOptions) {
    let mut bytes = std::mem::take(out).into_bytes();
    write_with(&mut bytes, value, options);
    // Every non-ASCII character is escaped, so the output is ASCII.
    *out = String::from_utf8(bytes).unwrap_or_else(|err| String::from_utf8_lossy(err.as_bytes()).into_owned());
}

/// Formats a float like PHP's `json_encode` (and `var_export`) with `serialize_precision = -1`:
/// shortest round-trip digits, no `.0` on integral values, exponent form (`1.0e+25`) when the
/// decimal exponent is below -4 or above 17. Non-finite values (never present in a JSON value)
/// format as `0`, which is what PHP emits after its "Inf and NaN cannot be JSON encoded" error.
pub fn format_float(f: f64) -> String {
    if !f.is_finite() {
        return "0".to_string();
    }
    // Rust's `{:e}` yields the shortest round-trip digits as `d[.ddd]e[-]x`.
    let sci = format!("{:e}", f.abs());
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let decpt = exponent.saturating_add(1);
    let mut out = String::new();
    if f.is_sign_negative() {
        out.push('-');
    }
    if digits.is_empty() || digits.bytes().all(|b| b == b'0') {
        out.push('0');
        return out;
    }
    if !(-3..=17).contains(&decpt) {
        let (first, rest) = digits.split_at(1);
        out.push_str(first);
        out.push('.');
        out.push_str(if rest.is_empty() { "0" } else { rest });
        out.push('e');
        let e = decpt - 1;
        out.push(if e < 0 { '-' } else { '+' });
        out.push_str(&e.unsigned_abs().to_string());
    } else if decpt <= 0 {
        out.push_str("0.");
        for _ in decpt..0 {
            out.push('0');
        }
        out.push_str(&digits);
    } else {
        let split = usize::try_from(decpt).unwrap_or(0);
        if digits.len() <= split {
            out.push_str(&digits);
            for _ in digits.len()..split {
                out.push('0');
            }
        } else {
            let (int_part, frac_part) = digits.split_at(split);
            out.push_str(int_part);
            out.push('.');
            out.push_str(frac_part);
        }
    }
    out
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// True for the bytes that do not stand for themselves in a PHP-encoded string: controls, `"`, `&`,
/// `'`, `/`, `<`, `>`, `\\` and every byte of a non-ASCII character.
const ESCAPED: ByteSet = json_escapes(b"&'/<>", true);

/// Calls `emit` with the escaped text of `s` (quotes excluded), piece by piece: runs of characters that
/// stand for themselves as slices of `s`, escapes as short strings.
fn escape_pieces(s: &str, mut emit: impl FnMut(&str)) {
    let bytes = s.as_bytes();
    let (mut run, mut at) = (0, 0);
    loop {
        at += clean_run(&bytes[at..], &ESCAPED);
        let Some(&byte) = bytes.get(at) else { break };
        if run < at {
            emit(&s[run..at]);
        }
        let escape: &str = match byte {
            b'"' => "\\u0022",
            b'\\' => "\\\\",
            b'/' => "\\/",
            0x08 => "\\b",
            0x0c => "\\f",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            b'<' => "\\u003C",
            b'>' => "\\u003E",
            b'&' => "\\u0026",
            b'\'' => "\\u0027",
            _ => "",
        };
        if escape.is_empty() {
            let c = s[at..].chars().next().unwrap_or_default();
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                let mut escaped = *b"\\u0000";
                for (slot, shift) in escaped[2..].iter_mut().zip([12u16, 8, 4, 0]) {
                    *slot = HEX[usize::from((*unit >> shift) & 0xf)];
                }
                emit(std::str::from_utf8(&escaped).unwrap_or_default());
            }
            at += c.len_utf8().max(1);
        } else {
            emit(escape);
            at += 1;
        }
        run = at;
    }
    if run < bytes.len() {
        emit(&s[run..]);
    }
}

/// Appends `s` as a PHP-escaped JSON string literal, quotes included.
pub fn push_string(out: &mut String, s: &str) {
    out.push('"');
    escape_pieces(s, |piece| out.push_str(piece));
    out.push('"');
}

/// Appends `value` to `out` encoded the PHP way: typed rows `#[derive(Serialize)]` go straight into a
/// response buffer with the bytes [`encode`] gives for the same JSON value (a non-finite float, which no JSON
/// value holds, is `null`).
pub fn write<T: serde::Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) {
    write_with(out, value, EncodeOptions::default());
}

fn write_with<T: serde::Serialize + ?Sized>(out: &mut Vec<u8>, value: &T, options: EncodeOptions) {
    let start = out.len();
    if value.serialize(&mut Serializer::new(out, options)).is_err() {
        // Only a map whose keys are not strings or numbers fails (the crate's types have none): `null`
        // rather than half a value.
        out.truncate(start);
        out.extend_from_slice(b"null");
    }
}

/// `value` encoded the PHP way (see [`write`]).
pub fn to_vec<T: serde::Serialize + ?Sized>(value: &T) -> Vec<u8> {
    let mut out = Vec::new();
    write(&mut out, value);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_escape_anywhere_in_a_long_run_is_found() {
        let clean = "abcdefghijklmnopqrstuvwxyz0123456789 .:-_ABC";
        assert_eq!(clean_run(clean.as_bytes(), &ESCAPED), clean.len());
        let specials = [("/", r"\/"), ("\"", r"\u0022"), ("\n", r"\n"), ("é", r"\u00e9"), ("&", r"\u0026"), ("<", r"\u003C")];
        for at in 0..=clean.len() {
            for (special, escaped) in specials {
                let text = format!("{}{special}{}", &clean[..at], &clean[at..]);
                assert_eq!(clean_run(text.as_bytes(), &ESCAPED), at, "{special:?} at {at}");
                let mut written = String::new();
                push_string(&mut written, &text);
                assert_eq!(written, format!("\"{}{escaped}{}\"", &clean[..at], &clean[at..]));
            }
        }
    }

    #[test]
    fn escapes_hex_flags_slash_and_unicode() {
        let v = json!("<a href='x'>\"b\" & c/d</a>");
        assert_eq!(
            encode(&v),
            r#""\u003Ca href=\u0027x\u0027\u003E\u0022b\u0022 \u0026 c\/d\u003C\/a\u003E""#
        );
        assert_eq!(encode(&json!("é€")), r#""\u00e9\u20ac""#);
        assert_eq!(encode(&json!("😀")), r#""\ud83d\ude00""#);
        assert_eq!(encode(&json!("a\\b")), r#""a\\b""#);
        assert_eq!(
            encode(&json!("\u{8}\u{c}\n\r\t\u{1}\u{1f}\u{7f}")),
            "\"\\b\\f\\n\\r\\t\\u0001\\u001f\u{7f}\""
        );
    }

    #[test]
    fn keys_are_escaped_and_order_preserved() {
        let v = json!({"z": 1, "a/b": 2, "<k>": 3, "m": 4});
        assert_eq!(encode(&v), r#"{"z":1,"a\/b":2,"\u003Ck\u003E":3,"m":4}"#);
    }

    #[test]
    fn scalars_and_containers() {
        assert_eq!(encode(&json!(null)), "null");
        assert_eq!(encode(&json!(true)), "true");
        assert_eq!(encode(&json!(false)), "false");
        assert_eq!(encode(&json!(-42)), "-42");
        assert_eq!(encode(&json!(u64::MAX)), "18446744073709551615");
        assert_eq!(encode(&json!([])), "[]");
        assert_eq!(encode(&json!({})), "{}");
        assert_eq!(
            encode(&json!([1, [2, {}], {"a": []}])),
            r#"[1,[2,{}],{"a":[]}]"#
        );
    }

    #[test]
    fn empty_objects_as_arrays_when_asked() {
        let opts = EncodeOptions {
            empty_object_as_array: true,
        };
        let v = json!({"Downtime": {}, "options": [], "x": {"y": {}}});
        assert_eq!(
            encode_with(&v, opts),
            r#"{"Downtime":[],"options":[],"x":{"y":[]}}"#
        );
        assert_eq!(encode_with(&json!({}), opts), "[]");
    }

    #[test]
    fn floats_follow_php() {
        assert_eq!(format_float(10.0), "10");
        assert_eq!(format_float(-3.0), "-3");
        assert_eq!(format_float(0.0), "0");
        assert_eq!(format_float(-0.0), "-0");
        assert_eq!(format_float(0.1), "0.1");
        assert_eq!(format_float(1.5), "1.5");
        assert_eq!(format_float(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(format_float(0.0001), "0.0001");
        assert_eq!(format_float(0.00001), "1.0e-5");
        assert_eq!(format_float(1.5e-7), "1.5e-7");
        assert_eq!(format_float(1e16), "10000000000000000");
        assert_eq!(format_float(1e17), "1.0e+17");
        assert_eq!(format_float(1e25), "1.0e+25");
        assert_eq!(format_float(1.25e100), "1.25e+100");
        assert_eq!(format_float(-2.5e-300), "-2.5e-300");
        assert_eq!(format_float(123456.789), "123456.789");
        assert_eq!(format_float(f64::NAN), "0");
        assert_eq!(format_float(f64::INFINITY), "0");
        assert_eq!(encode(&json!(2.0)), "2");
        assert_eq!(encode(&json!(0.25)), "0.25");
    }

    #[test]
    fn output_parses_back_to_the_same_value() {
        let v = json!({
            "all_hosts": [{"Host": {"id": 14, "name": "sw-5-1 <&> 'q' \"dq\"", "path": "/a/b",
                                     "unicode": "Grüße 😀 \u{0}\u{1f}", "neg": -1, "big": u64::MAX}}],
            "floats": [0.5, 1.5e-7, 2.5e-5, -2.25, 0.30000000000000004],
            "nested": {"empty": {}, "list": [], "null": null, "t": true},
            "_csrfToken": null
        });
        let text = encode(&v);
        let back: Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(back, v);
        assert!(text.is_ascii());
        assert!(!text.contains('<') && !text.contains('\''));
    }

    #[test]
    fn typed_values_write_what_their_json_values_write() {
        #[derive(serde::Serialize)]
        enum Kind {
            Plain,
            Wrapped(u8),
            Pair(i8, &'static str),
            Block { x: &'static str },
        }
        #[derive(serde::Serialize)]
        struct Row<'a> {
            #[serde(rename = "a/b")]
            numbers: (i32, i64, u64, f64, f64, f64, f64),
            text: &'a str,
            #[serde(serialize_with = "shown")]
            shown: &'a str,
            none: Option<u8>,
            empty: [(); 0],
            kinds: [Kind; 4],
            keyed: std::collections::BTreeMap<i32, bool>,
            #[serde(rename = "<nested>")]
            nested: Option<Box<Row<'a>>>,
        }
        fn shown<S: serde::Serializer>(text: &&str, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.collect_str(&format_args!("{text} \u{2028}"))
        }
        let strings = [
            "plain", "", "<a href='x'>\"b\" & c/d</a>", "a\\b", "\u{8}\u{c}\n\r\t\u{0}\u{1}\u{1f}\u{7f}", "é€😀",
            "Grüße \"quoted\" </script>", "\\u0022 literal", "mixed 😀<>&'/\\\"\n end",
        ];
        for text in strings {
            let row = |nested| Row {
                numbers: (-7, i64::MIN, u64::MAX, 0.5, 1.5e-7, 3.0, 1e25),
                text,
                shown: text,
                none: None,
                empty: [],
                kinds: [Kind::Plain, Kind::Wrapped(9), Kind::Pair(-1, text), Kind::Block { x: text }],
                keyed: [(-3, true), (12, false)].into_iter().collect(),
                nested,
            };
            let row = row(Some(Box::new(row(None))));
            let value = serde_json::to_value(&row).expect("a JSON value");
            assert_eq!(String::from_utf8(to_vec(&row)).ok(), Some(encode(&value)), "{text:?}");
            assert_eq!(String::from_utf8(to_vec(text)).ok(), Some(encode(&json!(text))), "{text:?}");
        }
    }

    #[test]
    fn what_json_cannot_hold_is_null() {
        assert_eq!(to_vec(&f64::NAN), b"null");
        assert_eq!(to_vec(&[f64::INFINITY, 1.5]), b"[null,1.5]");
        let unit_keyed: std::collections::BTreeMap<(), u8> = [((), 1)].into_iter().collect();
        assert_eq!(to_vec(&unit_keyed), b"null");
    }

    #[test]
    fn integral_floats_round_trip_numerically() {
        let text = encode(&json!({"a": 3.0, "b": 1e16, "c": 1e25}));
        assert_eq!(text, r#"{"a":3,"b":10000000000000000,"c":1.0e+25}"#);
        let back: Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(back["a"].as_f64(), Some(3.0));
        assert_eq!(back["b"].as_f64(), Some(1e16));
        let c = back["c"].as_f64().unwrap_or_default();
        assert!((c / 1e25 - 1.0).abs() < 1e-12);
    }
}
