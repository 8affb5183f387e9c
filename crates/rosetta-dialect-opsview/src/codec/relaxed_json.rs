//! Relaxed JSON input (spec §3.4), matching Perl `JSON::XS`'s `relaxed` mode that Opsview enables:
//! a trailing comma before `]` or `}` is allowed, `#` starts a comment that runs to the end of the
//! line, and a literal TAB may appear inside a string. Everything else is strict JSON.
//!
//! The relaxations are applied by a single pass that knows where strings are (so commas, `#` and
//! tabs inside strings are never touched), after which `serde_json` parses the result with its
//! 128-level nesting limit. An empty or whitespace-only body is "no body", not an error.

use serde_json::Value;

/// The broad class of a JSON parse failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonErrorKind {
    /// Malformed JSON.
    Syntax,
    /// The input ended in the middle of a value.
    UnexpectedEnd,
    /// Nesting deeper than `serde_json`'s limit of 128 levels.
    TooDeep,
}

/// A JSON parse failure with its 1-based position in the body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} at line {line} column {column}")]
pub struct RelaxedJsonError {
    /// The class of failure.
    pub kind: JsonErrorKind,
    /// The parser's description, without the position.
    pub message: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column within the line (approximate on a line holding a literal TAB in a string).
    pub column: usize,
}

/// Parses a request body. `Ok(None)` means the body is empty or holds only whitespace and
/// comments. The JSON literal `null` is returned as `Some(Value::Null)`.
pub fn parse(body: &[u8]) -> Result<Option<Value>, RelaxedJsonError> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let cleaned = relax(body);
    if cleaned.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    serde_json::from_slice(&cleaned).map(Some).map_err(|e| {
        let full = e.to_string();
        let suffix = format!(" at line {} column {}", e.line(), e.column());
        let message = full.strip_suffix(&suffix).unwrap_or(&full).to_owned();
        let kind = if e.is_eof() {
            JsonErrorKind::UnexpectedEnd
        } else if message.contains("recursion limit") {
            JsonErrorKind::TooDeep
        } else {
            JsonErrorKind::Syntax
        };
        RelaxedJsonError {
            kind,
            message,
            line: e.line(),
            column: e.column(),
        }
    })
}

/// Rewrites the relaxed constructs into strict JSON: trailing commas and comments become spaces
/// (so positions stay put) and a TAB inside a string becomes `\t`.
fn relax(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut in_string = false;
    let mut escaped = false;
    // The last significant byte outside strings ('"' for a string that just ended).
    let mut last: Option<u8> = None;
    let mut i = 0;
    while let Some(&b) = input.get(i) {
        if in_string {
            if escaped {
                escaped = false;
                out.push(b);
            } else if b == b'\\' {
                escaped = true;
                out.push(b);
            } else if b == b'"' {
                in_string = false;
                out.push(b);
            } else if b == b'\t' {
                out.extend_from_slice(b"\\t");
            } else {
                out.push(b);
            }
            i += 1;
            continue;
        }
        match b {
            b'"' => {
                in_string = true;
                last = Some(b'"');
                out.push(b);
            }
            b'#' => {
                let end = comment_end(input, i);
                out.resize(out.len() + (end - i), b' ');
                i = end;
                continue;
            }
            b',' => {
                let closes = matches!(input.get(skip_blank(input, i + 1)), Some(b']' | b'}'));
                let after_value = !matches!(last, None | Some(b'[' | b'{' | b',' | b':'));
                if closes && after_value {
                    out.push(b' ');
                } else {
                    out.push(b',');
                    last = Some(b',');
                }
            }
            b' ' | b'\t' | b'\n' | b'\r' => out.push(b),
            _ => {
                last = Some(b);
                out.push(b);
            }
        }
        i += 1;
    }
    out
}

/// Index of the newline ending the comment that starts at `start` (or the input length).
fn comment_end(input: &[u8], start: usize) -> usize {
    input
        .get(start..)
        .and_then(|rest| rest.iter().position(|&b| b == b'\n'))
        .map_or(input.len(), |p| start + p)
}

/// Index of the first byte at or after `i` that is neither whitespace nor inside a comment.
fn skip_blank(input: &[u8], mut i: usize) -> usize {
    while let Some(&b) = input.get(i) {
        match b {
            b' ' | b'\t' | b'\n' | b'\r' => i += 1,
            b'#' => i = comment_end(input, i),
            _ => break,
        }
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ok(s: &str) -> Value {
        match parse(s.as_bytes()) {
            Ok(Some(v)) => v,
            other => panic!("{s:?} gave {other:?}"),
        }
    }

    fn err(s: &str) -> RelaxedJsonError {
        match parse(s.as_bytes()) {
            Err(e) => e,
            other => panic!("{s:?} unexpectedly gave {other:?}"),
        }
    }

    #[test]
    fn strict_json_still_works() {
        assert_eq!(
            ok(r#"{"username":"admin","password":"initial"}"#),
            json!({"username": "admin", "password": "initial"})
        );
        assert_eq!(ok("null"), Value::Null);
        assert_eq!(ok("{}"), json!({}));
        assert_eq!(ok(" [1, 2.5, true, \"x\"] "), json!([1, 2.5, true, "x"]));
    }

    #[test]
    fn trailing_commas_are_accepted() {
        let doc = "{\n  \"name\": \"web1\",\n  \"hosttemplates\": [ {\"name\": \"Base\"}, ],\n  \"keywords\": [\"a\",\n  ],\n}\n";
        assert_eq!(
            ok(doc),
            json!({"name": "web1", "hosttemplates": [{"name": "Base"}], "keywords": ["a"]})
        );
        assert_eq!(ok("[[1,],{\"a\":[],},]"), json!([[1], {"a": []}]));
    }

    #[test]
    fn commas_inside_strings_are_untouched() {
        assert_eq!(ok(r#"{"a":",]","b":",}",}"#), json!({"a": ",]", "b": ",}"}));
        assert_eq!(ok(r#"["x\",]",]"#), json!(["x\",]"]));
        assert_eq!(ok(r#"["back\\",]"#), json!(["back\\"]));
        assert_eq!(ok(r##"["# not a comment",]"##), json!(["# not a comment"]));
    }

    #[test]
    fn comments_and_tabs() {
        assert_eq!(
            ok("# header\n{\"a\": 1, # one\n \"b\": 2, # two\n}"),
            json!({"a": 1, "b": 2})
        );
        assert_eq!(ok("[1, # trailing comment then close\n]"), json!([1]));
        assert_eq!(ok("[\"a\tb\"]"), json!(["a\tb"]));
    }

    #[test]
    fn empty_bodies_are_no_body() {
        assert_eq!(parse(b""), Ok(None));
        assert_eq!(parse(b" \r\n\t"), Ok(None));
        assert_eq!(parse(b"# just a comment"), Ok(None));
        assert_eq!(parse(b"\xEF\xBB\xBF"), Ok(None));
        assert_eq!(parse(b"\xEF\xBB\xBF{\"a\":1}"), Ok(Some(json!({"a": 1}))));
    }

    #[test]
    fn misplaced_commas_are_still_errors() {
        for bad in [
            "[,]",
            "{,}",
            "[1,,]",
            "[1,,2]",
            "{\"a\":,}",
            "{\"a\" 1}",
            ",",
            "[1,",
        ] {
            let e = err(bad);
            assert_ne!(e.kind, JsonErrorKind::TooDeep, "{bad}");
        }
    }

    #[test]
    fn malformed_inputs() {
        let e = err("{\"a\": tru}");
        assert_eq!((e.kind, e.line), (JsonErrorKind::Syntax, 1));
        assert!(!e.message.contains("at line"), "{}", e.message);
        assert_eq!(err("{\"a\": [1, 2").kind, JsonErrorKind::UnexpectedEnd);
        assert_eq!(err("\"unterminated").kind, JsonErrorKind::UnexpectedEnd);
        assert_eq!(err("{'single': 1}").kind, JsonErrorKind::Syntax);
        assert_eq!(err("[1] [2]").kind, JsonErrorKind::Syntax);
        assert_eq!(err("[\"\u{1}\"]").kind, JsonErrorKind::Syntax);
        assert!(parse(b"[\"\xff\"]").is_err());
        let e = err("{\n\"a\": 1,\n\"b\": x}");
        assert_eq!((e.line, e.column), (3, 6));
        assert_eq!(e.to_string(), format!("{} at line 3 column 6", e.message));
    }

    #[test]
    fn depth_is_bounded() {
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert_eq!(err(&deep).kind, JsonErrorKind::TooDeep);
        let fine = format!("{}{}", "[".repeat(100), "]".repeat(100));
        assert!(parse(fine.as_bytes()).is_ok());
    }

    #[test]
    fn never_panics_on_noise() {
        let alphabet = b"{}[],:\"\\#\t\n 1a-e.nulltrue\xff";
        let mut seed: u32 = 7;
        for _ in 0..5000 {
            let len = (seed % 30) as usize;
            let s: Vec<u8> = (0..len)
                .map(|_| {
                    seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
                    alphabet[(seed >> 16) as usize % alphabet.len()]
                })
                .collect();
            let _ = parse(&s);
        }
    }
}
