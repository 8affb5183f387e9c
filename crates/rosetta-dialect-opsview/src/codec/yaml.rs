//! A small YAML emitter for `text/x-yaml` responses (spec §3.1).
//!
//! Block style, two-space indentation, keys sorted by byte order, and a leading `---` line as
//! Perl's `YAML` module writes. Strings stay strings for any YAML 1.1 or 1.2 loader: a string is
//! written plain only when it cannot be read back as a number, boolean or null, and otherwise
//! double-quoted with escapes. Numbers, booleans (`true`/`false`) and `null` (`~`) keep their JSON
//! types. There is no YAML input parser.

use serde_json::{Map, Value};
use std::fmt::Write as _;

/// Renders `value` as a YAML document.
pub fn to_yaml(value: &Value) -> String {
    let mut out = String::from("---");
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push('\n');
            write_map(&mut out, map, 0);
        }
        Value::Array(items) if !items.is_empty() => {
            out.push('\n');
            write_seq(&mut out, items, 0);
        }
        scalar => {
            out.push(' ');
            write_inline(&mut out, scalar);
            out.push('\n');
        }
    }
    out
}

fn pad(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

fn is_block(value: &Value) -> bool {
    match value {
        Value::Object(map) => !map.is_empty(),
        Value::Array(items) => !items.is_empty(),
        _ => false,
    }
}

fn write_map(out: &mut String, map: &Map<String, Value>, indent: usize) {
    let mut entries: Vec<(&String, &Value)> = map.iter().collect();
    entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    for (key, value) in entries {
        pad(out, indent);
        write_string(out, key);
        out.push(':');
        match value {
            Value::Object(inner) if !inner.is_empty() => {
                out.push('\n');
                write_map(out, inner, indent + 2);
            }
            Value::Array(items) if !items.is_empty() => {
                out.push('\n');
                write_seq(out, items, indent + 2);
            }
            scalar => {
                out.push(' ');
                write_inline(out, scalar);
                out.push('\n');
            }
        }
    }
}

fn write_seq(out: &mut String, items: &[Value], indent: usize) {
    for item in items {
        pad(out, indent);
        out.push('-');
        if is_block(item) {
            // Render the nested block one level deeper, then put its first line after the dash.
            let mut nested = String::new();
            match item {
                Value::Object(map) => write_map(&mut nested, map, indent + 2),
                Value::Array(inner) => write_seq(&mut nested, inner, indent + 2),
                _ => {}
            }
            out.push(' ');
            out.push_str(nested.get(indent + 2..).unwrap_or(&nested));
        } else {
            out.push(' ');
            write_inline(out, item);
            out.push('\n');
        }
    }
}

fn write_inline(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push('~'),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => write_string(out, s),
        Value::Array(_) => out.push_str("[]"),
        Value::Object(_) => out.push_str("{}"),
    }
}

/// Whether `s` reads back as the same string when written without quotes.
fn is_plain_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if !(first.is_ascii_alphabetic() || first == '_' || first == '/') || s.ends_with(' ') {
        return false;
    }
    if !s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '/' | '-' | ' '))
    {
        return false;
    }
    let reserved = ["y", "yes", "n", "no", "true", "false", "on", "off", "null"];
    !reserved.iter().any(|word| s.eq_ignore_ascii_case(word))
}

fn write_string(out: &mut String, s: &str) {
    if is_plain_safe(s) {
        out.push_str(s);
        return;
    }
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}') => {
                // Writing to a String cannot fail.
                let _ = write!(out, "\\u{:04x}", u32::from(c));
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
        assert_eq!(to_yaml(&json!(null)), "--- ~\n");
        assert_eq!(to_yaml(&json!({})), "--- {}\n");
        assert_eq!(to_yaml(&json!([])), "--- []\n");
        assert_eq!(to_yaml(&json!("text")), "--- text\n");
        assert_eq!(to_yaml(&json!(1.5)), "--- 1.5\n");
    }

    #[test]
    fn strings_that_would_change_type_are_quoted() {
        let mut out = String::new();
        for s in [
            "1",
            "0",
            "yes",
            "No",
            "null",
            "",
            " x",
            "x ",
            "-",
            "- x",
            "a: b",
            "#c",
            ".5",
            "1e3",
            "~",
            "caf\u{e9}",
            "a\"b\\c\n\u{1}\u{2028}",
        ] {
            out.clear();
            write_string(&mut out, s);
            assert!(out.starts_with('"'), "{s:?} written as {out}");
        }
        for s in [
            "web1",
            "LOGO - Opsview",
            "/rest/config/host/1",
            "_x",
            "a.b-c",
        ] {
            out.clear();
            write_string(&mut out, s);
            assert_eq!(out, s);
        }
        out.clear();
        write_string(&mut out, "a\"b\\c\n\u{1}\u{2028}");
        assert_eq!(out, "\"a\\\"b\\\\c\\n\\u0001\\u2028\"");
    }

    #[test]
    fn block_layout() {
        let v = json!({
            "summary": {"rows": "2"},
            "list": [{"name": "web1", "id": "1", "tags": ["a", "b"]}, [["x"]], "plain", []],
            "empty": {},
            "flag": true
        });
        let expected = concat!(
            "---\n",
            "empty: {}\n",
            "flag: true\n",
            "list:\n",
            "  - id: \"1\"\n",
            "    name: web1\n",
            "    tags:\n",
            "      - a\n",
            "      - b\n",
            "  - - - x\n",
            "  - plain\n",
            "  - []\n",
            "summary:\n",
            "  rows: \"2\"\n",
        );
        assert_eq!(to_yaml(&v), expected);
    }

    /// Loads `yaml` with PyYAML (if python3 and yaml are installed) and returns it as JSON.
    fn python_load(yaml: &str) -> Option<Value> {
        let script = "import sys, json, yaml; print(json.dumps(yaml.safe_load(sys.stdin.read())))";
        let mut child = Command::new("python3")
            .args(["-c", script])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        child.stdin.take()?.write_all(yaml.as_bytes()).ok()?;
        let output = child.wait_with_output().ok()?;
        if !output.status.success() {
            return None;
        }
        serde_json::from_slice(&output.stdout).ok()
    }

    #[test]
    fn loads_back_with_a_real_yaml_parser() {
        let v = json!({
            "list": [{"id": "1", "name": "yes", "alias": "", "n": null, "nested": [["a", {"k": "v"}], []]}],
            "odd": ["1.5", "0x1F", "on", "- dash", "key: value", "#hash", "quote\"s", "caf\u{e9} \u{263a}", "ctl\u{1}\u{7f}\u{85}"],
            "num": 3,
            "float": 2.5,
            "yes": false
        });
        match python_load(&to_yaml(&v)) {
            Some(back) => assert_eq!(back, v),
            None => eprintln!("python3 with PyYAML not available, skipping"),
        }
    }
}
