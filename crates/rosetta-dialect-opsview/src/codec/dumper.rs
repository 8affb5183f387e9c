//! Perl `Data::Dumper`-style output (spec §3.5): a terse, deterministic Perl expression that real
//! `perl` can `eval`.
//!
//! Every scalar is written as a quoted string, as Opsview does: numbers keep their JSON text,
//! `true` becomes `'1'` and `false` becomes `'0'`. `null` is `undef`. Hash keys are sorted by byte
//! order and each level is indented by two spaces.
//!
//! Strings are single-quoted (only `\\` and `\'` escaped) unless they contain a control character,
//! in which case a double-quoted string with `\n`, `\t`, `\x{..}` escapes is used so that the
//! output stays printable and safe to `eval`. Non-ASCII text is written as raw UTF-8.

use serde_json::Value;
use std::fmt::Write as _;

/// Renders `value` as a Perl expression.
///
/// With `assign_var1` the output is `$VAR1 = <expr>;` followed by a newline, like `Data::Dumper`;
/// otherwise it is the bare expression followed by a newline (like `$Data::Dumper::Terse = 1`; note
/// that Perl may read a bare leading `{` as a block, so prefer the `$VAR1` form for `eval`).
pub fn dump(value: &Value, assign_var1: bool) -> String {
    let mut out = String::new();
    if assign_var1 {
        out.push_str("$VAR1 = ");
    }
    write_value(&mut out, value, 0);
    if assign_var1 {
        out.push(';');
    }
    out.push('\n');
    out
}

/// Quotes `s` as a Perl string literal that evaluates back to exactly `s`.
pub fn quote_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    push_quoted(&mut out, s);
    out
}

fn write_value(out: &mut String, value: &Value, level: usize) {
    match value {
        Value::Null => out.push_str("undef"),
        Value::Bool(b) => out.push_str(if *b { "'1'" } else { "'0'" }),
        Value::Number(n) => push_quoted(out, &n.to_string()),
        Value::String(s) => push_quoted(out, s),
        Value::Array(items) => {
            if items.is_empty() {
                out.push_str("[]");
                return;
            }
            out.push_str("[\n");
            let last = items.len() - 1;
            for (i, item) in items.iter().enumerate() {
                indent(out, level + 1);
                write_value(out, item, level + 1);
                if i != last {
                    out.push(',');
                }
                out.push('\n');
            }
            indent(out, level);
            out.push(']');
        }
        Value::Object(map) => {
            if map.is_empty() {
                out.push_str("{}");
                return;
            }
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push_str("{\n");
            let last = entries.len() - 1;
            for (i, (key, item)) in entries.into_iter().enumerate() {
                indent(out, level + 1);
                push_quoted(out, key);
                out.push_str(" => ");
                write_value(out, item, level + 1);
                if i != last {
                    out.push(',');
                }
                out.push('\n');
            }
            indent(out, level);
            out.push('}');
        }
    }
}

fn indent(out: &mut String, level: usize) {
    for _ in 0..level {
        out.push_str("  ");
    }
}

fn push_quoted(out: &mut String, s: &str) {
    if s.chars().any(char::is_control) {
        push_double_quoted(out, s);
        return;
    }
    out.push('\'');
    for c in s.chars() {
        if c == '\\' || c == '\'' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('\'');
}

fn push_double_quoted(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '$' => out.push_str("\\$"),
            '@' => out.push_str("\\@"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                // Writing to a String cannot fail.
                let _ = write!(out, "\\x{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::io::Write;
    use std::process::{Command, Stdio};

    #[test]
    fn scalars() {
        assert_eq!(dump(&json!(null), false), "undef\n");
        assert_eq!(dump(&json!(true), false), "'1'\n");
        assert_eq!(dump(&json!(false), false), "'0'\n");
        assert_eq!(dump(&json!(42), false), "'42'\n");
        assert_eq!(dump(&json!(-1.5), false), "'-1.5'\n");
        assert_eq!(
            dump(&json!("it's a \\ test"), false),
            "'it\\'s a \\\\ test'\n"
        );
    }

    #[test]
    fn var1_wrapper() {
        assert_eq!(dump(&json!({}), true), "$VAR1 = {};\n");
        assert_eq!(dump(&json!([]), true), "$VAR1 = [];\n");
    }

    #[test]
    fn nested_layout_is_sorted_and_indented() {
        let v = json!({"token": "abc", "api": {"b": [1, "x"], "a": null}, "empty": []});
        let expected = "$VAR1 = {\n  'api' => {\n    'a' => undef,\n    'b' => [\n      '1',\n      'x'\n    ]\n  },\n  'empty' => [],\n  'token' => 'abc'\n};\n";
        assert_eq!(dump(&v, true), expected);
    }

    #[test]
    fn control_characters_use_double_quotes() {
        assert_eq!(quote_string("a\nb"), "\"a\\nb\"");
        assert_eq!(
            quote_string("$x@y\t\u{0}\"\\"),
            "\"\\$x\\@y\\t\\x{0}\\\"\\\\\""
        );
        assert_eq!(quote_string("\u{7f}"), "\"\\x{7f}\"");
        assert_eq!(quote_string("caf\u{e9} $x"), "'caf\u{e9} $x'");
    }

    /// Evaluates `perl_src` with real perl and returns its JSON::PP rendering, or `None` when
    /// perl is not installed.
    fn perl_eval_to_json(perl_src: &str) -> Option<Value> {
        let script = r#"
            use strict; use warnings; use JSON::PP;
            my $src = do { local $/; <STDIN> };
            my $VAR1;
            my $d = eval $src; die "eval failed: $@" if $@;
            binmode STDOUT;
            print JSON::PP->new->canonical(1)->allow_nonref(1)->encode($d);
        "#;
        let mut child = match Command::new("perl")
            .arg("-e")
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
        {
            Ok(child) => child,
            Err(_) => return None,
        };
        child
            .stdin
            .take()
            .expect("stdin is piped")
            .write_all(perl_src.as_bytes())
            .expect("write to perl");
        let output = child.wait_with_output().expect("perl runs");
        assert!(
            output.status.success(),
            "perl failed: {}\nsource:\n{perl_src}",
            String::from_utf8_lossy(&output.stderr)
        );
        Some(serde_json::from_slice(&output.stdout).expect("perl printed JSON"))
    }

    /// The value Perl should see: every scalar a string, booleans as "1"/"0".
    fn stringified(v: &Value) -> Value {
        match v {
            Value::Null => Value::Null,
            Value::Bool(b) => Value::String(if *b { "1" } else { "0" }.to_owned()),
            Value::Number(n) => Value::String(n.to_string()),
            Value::String(s) => Value::String(s.clone()),
            Value::Array(a) => Value::Array(a.iter().map(stringified).collect()),
            Value::Object(m) => {
                Value::Object(m.iter().map(|(k, v)| (k.clone(), stringified(v))).collect())
            }
        }
    }

    #[test]
    fn perl_round_trip() {
        let samples = [
            json!({"api_version": "6.008000", "api_min_version": "2.0", "easyxdm_version": "2.4.19"}),
            json!({
                "list": [{"id": 1, "name": "web'1", "ref": "/rest/config/host/1", "tags": []},
                         {"id": 2, "name": "back\\slash\\", "alias": null, "flag": true, "off": false}],
                "summary": {"page": "1", "rows": 2.5, "empty": {}},
                "unicode": "caf\u{e9} \u{263a} \u{1f600} \u{65e5}\u{672c}",
                "quotes": "'\"`$HOME @ARGV %ENV ${x} @{[ die ]}",
                "controls": "line1\nline2\ttab\r\u{0}nul\u{1b}esc\u{7f}",
                "weird key's \\": "k",
                "": "empty key",
                "nested": [[["deep", [null]]], {"a": {"b": {"c": "d"}}}]
            }),
            json!("just a string"),
            json!([]),
            json!(null),
        ];
        for sample in &samples {
            for var1 in [false, true] {
                let src = dump(sample, var1);
                // A bare `{` at statement start may be read as a block; `+` forces an expression.
                let eval_src = if var1 { src.clone() } else { format!("+{src}") };
                let Some(back) = perl_eval_to_json(&eval_src) else {
                    eprintln!("perl not available, skipping round trip");
                    return;
                };
                assert_eq!(back, stringified(sample), "source:\n{src}");
            }
        }
    }
}
