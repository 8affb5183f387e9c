//! A safe parser for Perl data literals (spec §3.4), as sent by Opsview's own `opsview_rest` CLI
//! with `Content-Type: text/x-data-dumper`. Nothing is ever evaluated.
//!
//! Accepted: hashes `{ }` and arrays `[ ]` whose items are separated by `,` or `=>` (extra and
//! trailing separators allowed, as in Perl), barewords and `-barewords` before `=>`, single-quoted
//! strings (`\\` and `\'` escapes), double-quoted strings (`\\ \" \' \$ \@ \n \t \r \f \a \e`,
//! octal `\0`..`\377`, `\xHH`, `\x{HHHH}`, `\N{U+HHHH}`), numbers (decimal with `_` separators,
//! fractions, exponents, signs, `0x`, `0b` and leading-zero octal), `undef`, an optional leading
//! `$VAR1 =` (any scalar name) and trailing `;`, `#` comments and whitespace anywhere.
//!
//! Double-quoted strings are taken literally: `$name` and `@name` are **not** interpolated.
//! Numbers become JSON numbers; hash keys are always strings. Nesting is limited to
//! [`MAX_DEPTH`] levels.

use serde_json::{Map, Number, Value};

/// Deepest nesting of hashes and arrays accepted.
pub const MAX_DEPTH: usize = 128;

/// Why a Perl literal could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PerlErrorKind {
    /// The input holds nothing but whitespace and comments.
    #[error("empty input")]
    Empty,
    /// The input ended in the middle of a value.
    #[error("unexpected end of input")]
    UnexpectedEnd,
    /// A character that cannot start or continue the expected construct.
    #[error("unexpected character {0:?}")]
    UnexpectedChar(char),
    /// Two items without a `,` or `=>` between them.
    #[error("expected ',' or '=>' between items")]
    ExpectedSeparator,
    /// `$VAR1` not followed by `=`.
    #[error("expected '=' after the variable name")]
    ExpectedAssign,
    /// A string literal without its closing quote.
    #[error("unterminated string")]
    UnterminatedString,
    /// A backslash escape this parser does not support.
    #[error("unsupported escape sequence")]
    InvalidEscape,
    /// A malformed or out-of-range number.
    #[error("invalid number")]
    InvalidNumber,
    /// A bareword that is not `undef` and not followed by `=>`.
    #[error("bareword {0:?} not allowed here")]
    Bareword(String),
    /// A hash literal with an odd number of elements.
    #[error("odd number of elements in hash")]
    OddHash,
    /// A hash or array used as a hash key.
    #[error("a reference cannot be a hash key")]
    RefKey,
    /// Nesting deeper than [`MAX_DEPTH`].
    #[error("nesting deeper than {} levels", MAX_DEPTH)]
    TooDeep,
    /// Something other than whitespace, comments or `;` after the value.
    #[error("unexpected data after the value")]
    TrailingData,
    /// The body is not valid UTF-8.
    #[error("input is not valid UTF-8")]
    InvalidUtf8,
}

/// A parse failure with the byte offset where it was detected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} at byte {position}")]
pub struct PerlLiteralError {
    /// What went wrong.
    pub kind: PerlErrorKind,
    /// Byte offset into the input.
    pub position: usize,
}

/// Parses one Perl literal.
pub fn parse(input: &str) -> Result<Value, PerlLiteralError> {
    Parser { src: input, pos: 0 }.document()
}

/// Parses a request body: `Ok(None)` when it is empty or holds only whitespace and comments.
pub fn parse_body(body: &[u8]) -> Result<Option<Value>, PerlLiteralError> {
    let text = std::str::from_utf8(body).map_err(|e| PerlLiteralError {
        kind: PerlErrorKind::InvalidUtf8,
        position: e.valid_up_to(),
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    match parse(text) {
        Ok(v) => Ok(Some(v)),
        Err(PerlLiteralError {
            kind: PerlErrorKind::Empty,
            ..
        }) => Ok(None),
        Err(e) => Err(e),
    }
}

struct Parser<'a> {
    src: &'a str,
    pos: usize,
}

fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

impl<'a> Parser<'a> {
    fn rest(&self) -> &'a str {
        self.src.get(self.pos..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn peek_at(&self, n: usize) -> Option<char> {
        self.rest().chars().nth(n)
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn err<T>(&self, kind: PerlErrorKind) -> Result<T, PerlLiteralError> {
        Err(PerlLiteralError {
            kind,
            position: self.pos,
        })
    }

    fn unexpected<T>(&self) -> Result<T, PerlLiteralError> {
        match self.peek() {
            Some(c) => self.err(PerlErrorKind::UnexpectedChar(c)),
            None => self.err(PerlErrorKind::UnexpectedEnd),
        }
    }

    fn skip_ws(&mut self) {
        while let Some(c) = self.peek() {
            match c {
                ' ' | '\t' | '\n' | '\r' | '\u{c}' => self.pos += 1,
                '#' => {
                    let rest = self.rest();
                    self.pos += rest.find('\n').unwrap_or(rest.len());
                }
                _ => break,
            }
        }
    }

    fn fat_comma_follows(&self) -> bool {
        let mut probe = Parser {
            src: self.src,
            pos: self.pos,
        };
        probe.skip_ws();
        probe.rest().starts_with("=>")
    }

    fn ident(&mut self) -> &'a str {
        let start = self.pos;
        while self.peek().is_some_and(is_ident_char) {
            self.pos += 1;
        }
        self.src.get(start..self.pos).unwrap_or("")
    }

    fn document(mut self) -> Result<Value, PerlLiteralError> {
        self.skip_ws();
        if self.peek().is_none() {
            return self.err(PerlErrorKind::Empty);
        }
        if self.peek() == Some('$') {
            self.pos += 1;
            if !self.peek().is_some_and(is_ident_start) {
                return self.unexpected();
            }
            self.ident();
            self.skip_ws();
            if self.peek() != Some('=') || matches!(self.peek_at(1), Some('=' | '>' | '~')) {
                return self.err(PerlErrorKind::ExpectedAssign);
            }
            self.pos += 1;
            self.skip_ws();
        }
        let value = self.value(0)?;
        self.skip_ws();
        while self.peek() == Some(';') {
            self.pos += 1;
            self.skip_ws();
        }
        if self.peek().is_some() {
            return self.err(PerlErrorKind::TrailingData);
        }
        Ok(value)
    }

    fn value(&mut self, depth: usize) -> Result<Value, PerlLiteralError> {
        let Some(c) = self.peek() else {
            return self.err(PerlErrorKind::UnexpectedEnd);
        };
        match c {
            '{' => self.hash(depth + 1),
            '[' => self.array(depth + 1),
            '\'' => self.single_quoted().map(Value::String),
            '"' => self.double_quoted().map(Value::String),
            '0'..='9' => self.number(),
            '.' | '+' if self.peek_at(1).is_some_and(|c| c.is_ascii_digit()) => self.number(),
            '-' => match self.peek_at(1) {
                Some(d) if d.is_ascii_digit() || d == '.' => self.number(),
                Some(w) if is_ident_start(w) => {
                    self.pos += 1;
                    let word = format!("-{}", self.ident());
                    Ok(Value::String(word))
                }
                _ => self.unexpected(),
            },
            c if is_ident_start(c) => {
                let start = self.pos;
                let word = self.ident().to_owned();
                if self.fat_comma_follows() {
                    Ok(Value::String(word))
                } else if word == "undef" {
                    Ok(Value::Null)
                } else {
                    self.pos = start;
                    self.err(PerlErrorKind::Bareword(word))
                }
            }
            _ => self.unexpected(),
        }
    }

    /// Parses the items between an opening bracket (at `self.pos`) and `close`, each paired with
    /// its start offset.
    fn list(&mut self, close: char, depth: usize) -> Result<Vec<(usize, Value)>, PerlLiteralError> {
        if depth > MAX_DEPTH {
            return self.err(PerlErrorKind::TooDeep);
        }
        self.pos += 1;
        let mut items = Vec::new();
        let mut after_item = false;
        loop {
            self.skip_ws();
            match self.peek() {
                None => return self.err(PerlErrorKind::UnexpectedEnd),
                Some(c) if c == close => {
                    self.pos += 1;
                    return Ok(items);
                }
                Some(',') if !items.is_empty() => {
                    self.pos += 1;
                    after_item = false;
                }
                Some('=') if !items.is_empty() && self.peek_at(1) == Some('>') => {
                    self.pos += 2;
                    after_item = false;
                }
                Some(_) if after_item => return self.err(PerlErrorKind::ExpectedSeparator),
                Some(_) => {
                    let start = self.pos;
                    let item = self.value(depth)?;
                    items.push((start, item));
                    after_item = true;
                }
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value, PerlLiteralError> {
        let items = self.list(']', depth)?;
        Ok(Value::Array(items.into_iter().map(|(_, v)| v).collect()))
    }

    fn hash(&mut self, depth: usize) -> Result<Value, PerlLiteralError> {
        let open = self.pos;
        let items = self.list('}', depth)?;
        if items.len() % 2 != 0 {
            return Err(PerlLiteralError {
                kind: PerlErrorKind::OddHash,
                position: open,
            });
        }
        let mut map = Map::new();
        let mut iter = items.into_iter();
        while let (Some((key_pos, key)), Some((_, value))) = (iter.next(), iter.next()) {
            let key = match key {
                Value::String(s) => s,
                Value::Null => String::new(),
                Value::Number(n) => perl_number_string(&n),
                Value::Bool(b) => if b { "1" } else { "" }.to_owned(),
                Value::Array(_) | Value::Object(_) => {
                    return Err(PerlLiteralError {
                        kind: PerlErrorKind::RefKey,
                        position: key_pos,
                    })
                }
            };
            map.insert(key, value);
        }
        Ok(Value::Object(map))
    }

    fn single_quoted(&mut self) -> Result<String, PerlLiteralError> {
        let open = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            match self.bump() {
                None => {
                    return Err(PerlLiteralError {
                        kind: PerlErrorKind::UnterminatedString,
                        position: open,
                    })
                }
                Some('\'') => return Ok(out),
                Some('\\') => match self.peek() {
                    Some(c @ ('\\' | '\'')) => {
                        self.pos += 1;
                        out.push(c);
                    }
                    _ => out.push('\\'),
                },
                Some(c) => out.push(c),
            }
        }
    }

    fn double_quoted(&mut self) -> Result<String, PerlLiteralError> {
        let open = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            let Some(c) = self.bump() else {
                return Err(PerlLiteralError {
                    kind: PerlErrorKind::UnterminatedString,
                    position: open,
                });
            };
            match c {
                '"' => return Ok(out),
                '\\' => {
                    let escape_pos = self.pos - 1;
                    let c = self.escape().map_err(|kind| PerlLiteralError {
                        kind,
                        position: escape_pos,
                    })?;
                    out.push(c);
                }
                c => out.push(c),
            }
        }
    }

    /// Decodes the escape after a backslash in a double-quoted string.
    fn escape(&mut self) -> Result<char, PerlErrorKind> {
        let Some(c) = self.bump() else {
            return Err(PerlErrorKind::UnterminatedString);
        };
        Ok(match c {
            'n' => '\n',
            't' => '\t',
            'r' => '\r',
            'f' => '\u{c}',
            'a' => '\u{7}',
            'e' => '\u{1b}',
            '0'..='7' => {
                let mut code = c.to_digit(8).unwrap_or(0);
                for _ in 0..2 {
                    match self.peek().and_then(|d| d.to_digit(8)) {
                        Some(d) => {
                            code = code * 8 + d;
                            self.pos += 1;
                        }
                        None => break,
                    }
                }
                char::from_u32(code).ok_or(PerlErrorKind::InvalidEscape)?
            }
            'x' => {
                if self.peek() == Some('{') {
                    self.pos += 1;
                    let hex = self.take_until_brace()?;
                    hex_char(hex.trim())?
                } else {
                    let mut code = 0;
                    for _ in 0..2 {
                        match self.peek().and_then(|d| d.to_digit(16)) {
                            Some(d) => {
                                code = code * 16 + d;
                                self.pos += 1;
                            }
                            None => break,
                        }
                    }
                    char::from_u32(code).ok_or(PerlErrorKind::InvalidEscape)?
                }
            }
            'N' => {
                if self.peek() != Some('{') {
                    return Err(PerlErrorKind::InvalidEscape);
                }
                self.pos += 1;
                let name = self.take_until_brace()?;
                match name.strip_prefix("U+") {
                    Some(hex) => hex_char(hex)?,
                    None => return Err(PerlErrorKind::InvalidEscape),
                }
            }
            'u' | 'l' | 'U' | 'L' | 'Q' | 'E' | 'F' | 'c' => {
                return Err(PerlErrorKind::InvalidEscape)
            }
            other => other,
        })
    }

    fn take_until_brace(&mut self) -> Result<&'a str, PerlErrorKind> {
        let rest = self.rest();
        let end = rest.find('}').ok_or(PerlErrorKind::UnterminatedString)?;
        let inner = rest.get(..end).unwrap_or("");
        self.pos += end + 1;
        Ok(inner)
    }

    fn number(&mut self) -> Result<Value, PerlLiteralError> {
        let start = self.pos;
        let mut negative = false;
        if let Some(sign @ ('+' | '-')) = self.peek() {
            negative = sign == '-';
            self.pos += 1;
        }
        let body_start = self.pos;
        let mut prev = ' ';
        while let Some(c) = self.peek() {
            let exponent_sign = (c == '+' || c == '-') && (prev == 'e' || prev == 'E');
            if !(c.is_ascii_alphanumeric() || c == '_' || c == '.' || exponent_sign) {
                break;
            }
            // `1..5` is a range operator, not a number; stop before a second dot pair.
            if c == '.' && self.peek_at(1) == Some('.') {
                break;
            }
            prev = c;
            self.pos += 1;
        }
        let token: String = self
            .src
            .get(body_start..self.pos)
            .unwrap_or("")
            .chars()
            .filter(|&c| c != '_')
            .collect();
        interpret_number(&token, negative).ok_or(PerlLiteralError {
            kind: PerlErrorKind::InvalidNumber,
            position: start,
        })
    }
}

fn hex_char(hex: &str) -> Result<char, PerlErrorKind> {
    if hex.is_empty() || hex.len() > 8 {
        return Err(PerlErrorKind::InvalidEscape);
    }
    let code = u32::from_str_radix(hex, 16).map_err(|_| PerlErrorKind::InvalidEscape)?;
    char::from_u32(code).ok_or(PerlErrorKind::InvalidEscape)
}

fn interpret_number(token: &str, negative: bool) -> Option<Value> {
    let radix = if let Some(hex) = token
        .strip_prefix("0x")
        .or_else(|| token.strip_prefix("0X"))
    {
        Some((hex, 16))
    } else if let Some(bin) = token
        .strip_prefix("0b")
        .or_else(|| token.strip_prefix("0B"))
    {
        Some((bin, 2))
    } else if token.len() > 1 && token.starts_with('0') && token.bytes().all(|b| b.is_ascii_digit())
    {
        token.get(1..).map(|oct| (oct, 8))
    } else {
        None
    };
    if let Some((digits, radix)) = radix {
        if digits.is_empty() {
            return None;
        }
        let magnitude = i64::from_str_radix(digits, radix).ok()?;
        let n = if negative {
            magnitude.checked_neg()?
        } else {
            magnitude
        };
        return Some(Value::Number(n.into()));
    }
    if !token
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
    {
        return None;
    }
    if !token.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    let is_integer = token.bytes().all(|b| b.is_ascii_digit());
    if is_integer {
        let signed = if negative {
            format!("-{token}")
        } else {
            token.to_owned()
        };
        if let Ok(i) = signed.parse::<i64>() {
            return Some(Value::Number(i.into()));
        }
        if let Ok(u) = signed.parse::<u64>() {
            return Some(Value::Number(u.into()));
        }
    }
    let f: f64 = token.parse().ok()?;
    let f = if negative { -f } else { f };
    Number::from_f64(f).map(Value::Number)
}

/// Perl's stringification of a number, used when a number is a hash key.
fn perl_number_string(n: &Number) -> String {
    if let Some(f) = n.as_f64().filter(|_| n.is_f64()) {
        if f.fract() == 0.0 && f.abs() < 1e15 {
            // The value is integral and well inside i64, so the cast is exact.
            return format!("{}", f as i64);
        }
        return format!("{f}");
    }
    n.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ok(s: &str) -> Value {
        parse(s).unwrap_or_else(|e| panic!("{s:?} failed: {e}"))
    }

    fn err(s: &str) -> PerlLiteralError {
        match parse(s) {
            Ok(v) => panic!("{s:?} unexpectedly parsed as {v}"),
            Err(e) => e,
        }
    }

    #[test]
    fn login_body_from_the_cli() {
        assert_eq!(
            ok(r#"{ username => "admin", password => "initial" }"#),
            json!({"username": "admin", "password": "initial"})
        );
    }

    #[test]
    fn data_dumper_output() {
        let src = "$VAR1 = {\n  'api_version' => '6.008000',\n  'list' => [\n    { 'id' => '1', 'x' => undef },\n  ],\n};\n";
        assert_eq!(
            ok(src),
            json!({"api_version": "6.008000", "list": [{"id": "1", "x": null}]})
        );
        assert_eq!(ok("$d={}"), json!({}));
        assert_eq!(ok("$VAR1 = [];;"), json!([]));
    }

    #[test]
    fn scalars_and_numbers() {
        assert_eq!(ok("undef"), Value::Null);
        assert_eq!(ok("42"), json!(42));
        assert_eq!(ok("-42"), json!(-42));
        assert_eq!(ok("+7"), json!(7));
        assert_eq!(ok("1_000_000"), json!(1_000_000));
        assert_eq!(ok("3.25"), json!(3.25));
        assert_eq!(ok("-0.5"), json!(-0.5));
        assert_eq!(ok(".5"), json!(0.5));
        assert_eq!(ok("1e3"), json!(1000.0));
        assert_eq!(ok("2.5E-1"), json!(0.25));
        assert_eq!(ok("0x1F"), json!(31));
        assert_eq!(ok("0b101"), json!(5));
        assert_eq!(ok("0755"), json!(493));
        assert_eq!(ok("0"), json!(0));
        assert_eq!(
            ok("18446744073709551615"),
            json!(18_446_744_073_709_551_615_u64)
        );
        assert_eq!(ok("99999999999999999999999"), json!(1e23));
    }

    #[test]
    fn strings() {
        assert_eq!(ok(r"'it\'s \\ \n'"), json!("it's \\ \\n"));
        assert_eq!(ok(r#"'say "hi"'"#), json!("say \"hi\""));
        assert_eq!(
            ok(r#""a\tb\nc \"q\" \$x \@y \\ \'""#),
            json!("a\tb\nc \"q\" $x @y \\ '")
        );
        assert_eq!(
            ok(r#""\x41\x{263A}\101\0\N{U+E9}\e""#),
            json!("A\u{263a}A\u{0}\u{e9}\u{1b}")
        );
        assert_eq!(ok(r#""$not @interpolated""#), json!("$not @interpolated"));
        assert_eq!(ok("'caf\u{e9} \u{1f600}'"), json!("caf\u{e9} \u{1f600}"));
        assert_eq!(ok("\"multi\nline\""), json!("multi\nline"));
    }

    #[test]
    fn barewords_separators_and_comments() {
        let src = "# leading comment\n{\n  -or => [ name => 'x', ], # trailing\n  undef => 1,, 2 => undef,\n  1.0 => 'float key',\n}";
        assert_eq!(
            ok(src),
            json!({"-or": ["name", "x"], "undef": 1, "2": null, "1": "float key"})
        );
        assert_eq!(ok("[1 => 2, 3]"), json!([1, 2, 3]));
        assert_eq!(ok("{ a => 1, a => 2 }"), json!({"a": 2}));
        assert_eq!(ok("{ '' => undef }"), json!({"": null}));
    }

    #[test]
    fn empty_bodies() {
        assert_eq!(parse_body(b"").ok(), Some(None));
        assert_eq!(parse_body(b"  \n\t ").ok(), Some(None));
        assert_eq!(parse_body(b"# only a comment\n").ok(), Some(None));
        assert_eq!(
            parse_body("\u{feff}{a=>1}".as_bytes()).ok(),
            Some(Some(json!({"a": 1})))
        );
        assert_eq!(
            parse_body(b"{a=>'\xff'}")
                .err()
                .map(|e| (e.kind, e.position)),
            Some((PerlErrorKind::InvalidUtf8, 5))
        );
        assert_eq!(err("").kind, PerlErrorKind::Empty);
    }

    #[test]
    fn malformed_inputs() {
        let cases: &[(&str, PerlErrorKind, usize)] = &[
            ("{", PerlErrorKind::UnexpectedEnd, 1),
            ("[1 2]", PerlErrorKind::ExpectedSeparator, 3),
            ("{a => 1, b}", PerlErrorKind::Bareword("b".into()), 9),
            ("{a => 1, 'b'}", PerlErrorKind::OddHash, 0),
            ("{ [1] => 2 }", PerlErrorKind::RefKey, 2),
            ("'abc", PerlErrorKind::UnterminatedString, 0),
            ("\"abc\\", PerlErrorKind::UnterminatedString, 4),
            ("\"\\u0041\"", PerlErrorKind::InvalidEscape, 1),
            ("\"\\x{110000}\"", PerlErrorKind::InvalidEscape, 1),
            ("\"\\x{zz}\"", PerlErrorKind::InvalidEscape, 1),
            (
                "system('rm -rf /')",
                PerlErrorKind::Bareword("system".into()),
                0,
            ),
            ("{a => 1} extra", PerlErrorKind::TrailingData, 9),
            ("$VAR1 {}", PerlErrorKind::ExpectedAssign, 6),
            ("$VAR1 == {}", PerlErrorKind::ExpectedAssign, 6),
            ("$ = 1", PerlErrorKind::UnexpectedChar(' '), 1),
            ("1.2.3", PerlErrorKind::InvalidNumber, 0),
            ("0x", PerlErrorKind::InvalidNumber, 0),
            ("09", PerlErrorKind::InvalidNumber, 0),
            ("12abc", PerlErrorKind::InvalidNumber, 0),
            ("[,1]", PerlErrorKind::UnexpectedChar(','), 1),
            ("[=> 1]", PerlErrorKind::UnexpectedChar('='), 1),
            ("bless({}, 'X')", PerlErrorKind::Bareword("bless".into()), 0),
            ("\\'ref'", PerlErrorKind::UnexpectedChar('\\'), 0),
            ("- 1", PerlErrorKind::UnexpectedChar('-'), 0),
            ("[1..5]", PerlErrorKind::ExpectedSeparator, 2),
            ("é", PerlErrorKind::UnexpectedChar('é'), 0),
        ];
        for (src, kind, position) in cases {
            let e = err(src);
            assert_eq!(
                (&e.kind, e.position),
                (kind, *position),
                "input {src:?}: {e}"
            );
        }
    }

    #[test]
    fn error_message_is_readable() {
        assert_eq!(
            err("[1 2]").to_string(),
            "expected ',' or '=>' between items at byte 3"
        );
    }

    #[test]
    fn depth_is_bounded() {
        let ok_depth = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse(&ok_depth).is_ok());
        let too_deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        assert_eq!(err(&too_deep).kind, PerlErrorKind::TooDeep);
        let huge = "{a=>".repeat(100_000);
        assert_eq!(err(&huge).kind, PerlErrorKind::TooDeep);
    }

    #[test]
    fn never_panics_on_prefixes_and_noise() {
        let src =
            "$VAR1 = { 'k\\'' => \"v\\x{263a}\\n\", n => [-1.5e3, 0x1f, undef], # c\n -x => {} };";
        for end in 0..=src.len() {
            if let Some(prefix) = src.get(..end) {
                let _ = parse(prefix);
            }
        }
        assert!(parse(src).is_ok());
        let mut seed: u32 = 12345;
        let alphabet: Vec<char> = "{}[]'\"\\$=>,;#-+.0x9eE_a undef\n\u{e9}".chars().collect();
        for _ in 0..5000 {
            let len = (seed % 40) as usize;
            let s: String = (0..len)
                .map(|_| {
                    seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
                    alphabet[(seed >> 16) as usize % alphabet.len()]
                })
                .collect();
            let _ = parse(&s);
        }
    }

    #[test]
    fn dumper_output_round_trips() {
        let v = json!({"a": ["x'y", "back\\slash", null, {"n": "line\nbreak $x"}], "b": {}, "c": "\u{263a}"});
        let text = crate::codec::dumper::dump(&v, true);
        assert_eq!(ok(&text), v);
    }
}
