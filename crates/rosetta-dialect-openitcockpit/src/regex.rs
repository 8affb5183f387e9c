//! A small, linear-time regular expression engine standing in for MySQL's `RLIKE`.
//!
//! The product sends user input straight into `RLIKE` (MySQL 8 uses ICU): `.*(a|b).*` for tag
//! keywords and `_regex` name filters. This module supports the subset real filters use and
//! rejects everything else with a [`RegexError`] (the filter layer then drops the filter, as the
//! product does for an invalid expression).
//!
//! Supported syntax:
//! - literals; `\` + any non-alphanumeric character is that character literally;
//! - `.` (any character except `\n`), `^` and `$` (start/end of the whole text), `\A`, `\z`, `\Z`;
//! - classes `[abc]`, `[^a-z0-9_]`, with `\d \w \s` inside and the POSIX names
//!   `[:alpha:] [:digit:] [:alnum:] [:space:] [:upper:] [:lower:] [:punct:] [:xdigit:]`;
//! - `\d \D \w \W \s \S`, `\t \n \r \f \v`, word boundaries `\b \B`;
//! - groups `( )` and `(?: )`, alternation `|`, empty branches;
//! - quantifiers `* + ?`, `{n}`, `{n,}`, `{n,m}` (bounds ≤ 1000), with an optional lazy `?`.
//!
//! Not supported (error): back-references, look-around and other `(?…)` groups, possessive
//! quantifiers, `\x`/`\u`/`\p` escapes, nested set operations.
//!
//! Matching is always an unanchored search (what `RLIKE` does) and case-insensitive (MySQL's
//! default `_ci` collations), by simple one-to-one case mapping. Matching runs a Pike VM, so the
//! cost is bounded by `text length × program size`; pattern length and program size are capped.

use thiserror::Error;

/// Escapes every ASCII punctuation character so `text` matches literally (PHP `preg_quote`).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_punctuation() {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Longest accepted pattern, in characters.
pub const MAX_PATTERN_CHARS: usize = 1_000;
/// Largest compiled program, in instructions.
pub const MAX_PROGRAM: usize = 4_000;
const MAX_REPEAT: u32 = 1_000;
const MAX_DEPTH: usize = 64;

/// Why a pattern was rejected.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RegexError {
    /// The pattern is longer than [`MAX_PATTERN_CHARS`].
    #[error("pattern too long")]
    TooLong,
    /// The compiled program would exceed [`MAX_PROGRAM`] or groups nest too deeply.
    #[error("pattern too complex")]
    TooComplex,
    /// A `(` without `)` or a `)` without `(`.
    #[error("unbalanced parenthesis")]
    UnbalancedParen,
    /// A `[` without its closing `]`.
    #[error("unterminated character class")]
    UnterminatedClass,
    /// A class range whose start is after its end, or an unknown POSIX class name.
    #[error("invalid character class")]
    InvalidClass,
    /// A quantifier with nothing before it, or two quantifiers in a row.
    #[error("nothing to repeat")]
    NothingToRepeat,
    /// A malformed `{n,m}` interval.
    #[error("invalid repetition interval")]
    InvalidInterval,
    /// A `\` at the end of the pattern.
    #[error("trailing backslash")]
    TrailingBackslash,
    /// Valid ICU syntax this engine does not implement.
    #[error("unsupported regular expression feature: {0}")]
    Unsupported(&'static str),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Perl {
    Digit,
    Word,
    Space,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Posix {
    Alpha,
    Digit,
    Alnum,
    Space,
    Upper,
    Lower,
    Punct,
    Xdigit,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum ClassItem {
    Range(char, char),
    Perl(Perl, bool),
    Posix(Posix),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Class {
    negated: bool,
    items: Vec<ClassItem>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Assertion {
    Start,
    End,
    WordBoundary,
    NotWordBoundary,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Node {
    Empty,
    Char(char),
    Any,
    Class(Class),
    Assert(Assertion),
    Concat(Vec<Node>),
    Alt(Vec<Node>),
    Repeat {
        node: Box<Node>,
        min: u32,
        max: Option<u32>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Inst {
    Char(char),
    Any,
    Class(usize),
    Assert(Assertion),
    Split(usize, usize),
    Jmp(usize),
    Match,
}

/// A compiled pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Regex {
    prog: Vec<Inst>,
    classes: Vec<Class>,
}

impl Regex {
    /// Compiles `pattern`.
    pub fn new(pattern: &str) -> Result<Self, RegexError> {
        let chars: Vec<char> = pattern.chars().collect();
        if chars.len() > MAX_PATTERN_CHARS {
            return Err(RegexError::TooLong);
        }
        let mut parser = Parser { chars, pos: 0 };
        let ast = parser.parse_alt(0)?;
        if parser.pos < parser.chars.len() {
            return Err(RegexError::UnbalancedParen);
        }
        let mut compiler = Compiler {
            prog: Vec::new(),
            classes: Vec::new(),
        };
        compiler.emit_node(&ast)?;
        compiler.push(Inst::Match)?;
        Ok(Regex {
            prog: compiler.prog,
            classes: compiler.classes,
        })
    }

    /// Compiles `(a|b|…)` from alternatives that are themselves patterns, as the product builds
    /// `RLIKE '.*(a|b).*'`.
    pub fn any_of<S: AsRef<str>>(alternatives: &[S]) -> Result<Self, RegexError> {
        let joined: Vec<&str> = alternatives.iter().map(AsRef::as_ref).collect();
        Self::new(&format!("({})", joined.join("|")))
    }

    /// True when the pattern matches anywhere in `text` (case-insensitively).
    pub fn is_match(&self, text: &str) -> bool {
        let text: Vec<char> = text.chars().collect();
        let n = self.prog.len();
        let mut current = ThreadList::new(n);
        let mut next = ThreadList::new(n);
        let mut stack = Vec::new();
        for pos in 0..=text.len() {
            self.add_thread(&mut current, &mut stack, 0, &text, pos);
            let c = text.get(pos).copied();
            for i in 0..current.dense.len() {
                let pc = current.dense[i];
                let advance = match (self.prog.get(pc), c) {
                    (Some(Inst::Match), _) => return true,
                    (Some(Inst::Char(want)), Some(c)) => fold(c) == *want,
                    (Some(Inst::Any), Some(c)) => c != '\n',
                    (Some(Inst::Class(idx)), Some(c)) => {
                        self.classes.get(*idx).is_some_and(|class| class.matches(c))
                    }
                    _ => false,
                };
                if advance {
                    self.add_thread(&mut next, &mut stack, pc + 1, &text, pos + 1);
                }
            }
            std::mem::swap(&mut current, &mut next);
            next.clear();
        }
        false
    }

    fn add_thread(
        &self,
        list: &mut ThreadList,
        stack: &mut Vec<usize>,
        start: usize,
        text: &[char],
        pos: usize,
    ) {
        stack.clear();
        stack.push(start);
        while let Some(pc) = stack.pop() {
            if !list.insert(pc) {
                continue;
            }
            match self.prog.get(pc) {
                Some(Inst::Jmp(target)) => stack.push(*target),
                Some(Inst::Split(a, b)) => {
                    stack.push(*b);
                    stack.push(*a);
                }
                Some(Inst::Assert(assertion)) if assertion_holds(*assertion, text, pos) => {
                    stack.push(pc + 1);
                }
                _ => {}
            }
        }
    }
}

struct ThreadList {
    dense: Vec<usize>,
    seen: Vec<bool>,
}

impl ThreadList {
    fn new(size: usize) -> Self {
        ThreadList {
            dense: Vec::with_capacity(size),
            seen: vec![false; size],
        }
    }

    fn insert(&mut self, pc: usize) -> bool {
        match self.seen.get_mut(pc) {
            Some(seen) if !*seen => {
                *seen = true;
                self.dense.push(pc);
                true
            }
            _ => false,
        }
    }

    fn clear(&mut self) {
        for pc in self.dense.drain(..) {
            if let Some(seen) = self.seen.get_mut(pc) {
                *seen = false;
            }
        }
    }
}

fn fold(c: char) -> char {
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

fn upper(c: char) -> char {
    let mut up = c.to_uppercase();
    match (up.next(), up.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn assertion_holds(assertion: Assertion, text: &[char], pos: usize) -> bool {
    let before = pos
        .checked_sub(1)
        .and_then(|p| text.get(p))
        .is_some_and(|c| is_word(*c));
    let after = text.get(pos).is_some_and(|c| is_word(*c));
    match assertion {
        Assertion::Start => pos == 0,
        Assertion::End => pos == text.len(),
        Assertion::WordBoundary => before != after,
        Assertion::NotWordBoundary => before == after,
    }
}

impl Perl {
    fn matches(self, c: char) -> bool {
        match self {
            Perl::Digit => c.is_numeric(),
            Perl::Word => is_word(c),
            Perl::Space => c.is_whitespace(),
        }
    }
}

impl Posix {
    fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "alpha" => Posix::Alpha,
            "digit" => Posix::Digit,
            "alnum" => Posix::Alnum,
            "space" => Posix::Space,
            "upper" => Posix::Upper,
            "lower" => Posix::Lower,
            "punct" => Posix::Punct,
            "xdigit" => Posix::Xdigit,
            _ => return None,
        })
    }

    fn matches(self, c: char) -> bool {
        match self {
            Posix::Alpha => c.is_alphabetic(),
            Posix::Digit => c.is_ascii_digit(),
            Posix::Alnum => c.is_alphanumeric(),
            Posix::Space => c.is_whitespace(),
            // Case-insensitive matching makes upper/lower match any cased letter, as in ICU.
            Posix::Upper | Posix::Lower => c.is_uppercase() || c.is_lowercase(),
            Posix::Punct => c.is_ascii_punctuation(),
            Posix::Xdigit => c.is_ascii_hexdigit(),
        }
    }
}

impl Class {
    fn contains(&self, c: char) -> bool {
        self.items.iter().any(|item| match *item {
            ClassItem::Range(lo, hi) => lo <= c && c <= hi,
            ClassItem::Perl(kind, negated) => kind.matches(c) != negated,
            ClassItem::Posix(kind) => kind.matches(c),
        })
    }

    fn matches(&self, c: char) -> bool {
        let hit = self.contains(c) || self.contains(fold(c)) || self.contains(upper(c));
        hit != self.negated
    }
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek();
        if c.is_some() {
            self.pos += 1;
        }
        c
    }

    fn eat(&mut self, want: char) -> bool {
        if self.peek() == Some(want) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn parse_alt(&mut self, depth: usize) -> Result<Node, RegexError> {
        if depth > MAX_DEPTH {
            return Err(RegexError::TooComplex);
        }
        let mut branches = vec![self.parse_concat(depth)?];
        while self.eat('|') {
            branches.push(self.parse_concat(depth)?);
        }
        Ok(if branches.len() == 1 {
            branches.pop().unwrap_or(Node::Empty)
        } else {
            Node::Alt(branches)
        })
    }

    fn parse_concat(&mut self, depth: usize) -> Result<Node, RegexError> {
        let mut items = Vec::new();
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            items.push(self.parse_repeat(depth)?);
        }
        Ok(match items.len() {
            0 => Node::Empty,
            1 => items.pop().unwrap_or(Node::Empty),
            _ => Node::Concat(items),
        })
    }

    fn parse_repeat(&mut self, depth: usize) -> Result<Node, RegexError> {
        let atom = self.parse_atom(depth)?;
        let (min, max) = match self.peek() {
            Some('*') => (0, None),
            Some('+') => (1, None),
            Some('?') => (0, Some(1)),
            Some('{') => {
                self.pos += 1;
                self.parse_interval()?
            }
            _ => return Ok(atom),
        };
        self.pos += 1;
        self.eat('?');
        match self.peek() {
            Some('+') => return Err(RegexError::Unsupported("possessive quantifier")),
            Some('*') | Some('?') | Some('{') => return Err(RegexError::NothingToRepeat),
            _ => {}
        }
        Ok(Node::Repeat {
            node: Box::new(atom),
            min,
            max,
        })
    }

    /// Parses `n}`, `n,}` or `n,m}` after a `{`; leaves `pos` on the closing `}`.
    fn parse_interval(&mut self) -> Result<(u32, Option<u32>), RegexError> {
        let min = self.parse_number().ok_or(RegexError::InvalidInterval)?;
        let max = if self.eat(',') {
            if self.peek() == Some('}') {
                None
            } else {
                Some(self.parse_number().ok_or(RegexError::InvalidInterval)?)
            }
        } else {
            Some(min)
        };
        if self.peek() != Some('}') || max.is_some_and(|m| m < min) {
            return Err(RegexError::InvalidInterval);
        }
        if min > MAX_REPEAT || max.is_some_and(|m| m > MAX_REPEAT) {
            return Err(RegexError::TooComplex);
        }
        Ok((min, max))
    }

    fn parse_number(&mut self) -> Option<u32> {
        let start = self.pos;
        let mut value: u32 = 0;
        while let Some(d) = self.peek().and_then(|c| c.to_digit(10)) {
            value = value.saturating_mul(10).saturating_add(d);
            self.pos += 1;
        }
        (self.pos > start).then_some(value)
    }

    fn parse_atom(&mut self, depth: usize) -> Result<Node, RegexError> {
        let Some(c) = self.bump() else {
            return Ok(Node::Empty);
        };
        match c {
            '(' => {
                if self.eat('?') && !self.eat(':') {
                    return Err(RegexError::Unsupported("(?...) group"));
                }
                let inner = self.parse_alt(depth + 1)?;
                if !self.eat(')') {
                    return Err(RegexError::UnbalancedParen);
                }
                Ok(inner)
            }
            ')' => Err(RegexError::UnbalancedParen),
            '[' => self.parse_class().map(Node::Class),
            '.' => Ok(Node::Any),
            '^' => Ok(Node::Assert(Assertion::Start)),
            '$' => Ok(Node::Assert(Assertion::End)),
            '*' | '+' | '?' | '{' => Err(RegexError::NothingToRepeat),
            '\\' => self.parse_escape(),
            c => Ok(Node::Char(fold(c))),
        }
    }

    fn parse_escape(&mut self) -> Result<Node, RegexError> {
        let c = self.bump().ok_or(RegexError::TrailingBackslash)?;
        let perl = |kind, negated| {
            Node::Class(Class {
                negated: false,
                items: vec![ClassItem::Perl(kind, negated)],
            })
        };
        Ok(match c {
            'd' => perl(Perl::Digit, false),
            'D' => perl(Perl::Digit, true),
            'w' => perl(Perl::Word, false),
            'W' => perl(Perl::Word, true),
            's' => perl(Perl::Space, false),
            'S' => perl(Perl::Space, true),
            'b' => Node::Assert(Assertion::WordBoundary),
            'B' => Node::Assert(Assertion::NotWordBoundary),
            'A' => Node::Assert(Assertion::Start),
            'z' | 'Z' => Node::Assert(Assertion::End),
            c => Node::Char(fold(escaped_literal(c)?)),
        })
    }

    fn parse_class(&mut self) -> Result<Class, RegexError> {
        let negated = self.eat('^');
        let mut items = Vec::new();
        let mut first = true;
        loop {
            let c = self.bump().ok_or(RegexError::UnterminatedClass)?;
            if c == ']' && !first {
                break;
            }
            first = false;
            let start = match c {
                '[' if self.peek() == Some(':') => {
                    self.pos += 1;
                    let name_start = self.pos;
                    while self.peek().is_some_and(|c| c.is_ascii_alphabetic()) {
                        self.pos += 1;
                    }
                    let name: String = self
                        .chars
                        .get(name_start..self.pos)
                        .unwrap_or(&[])
                        .iter()
                        .collect();
                    if !(self.eat(':') && self.eat(']')) {
                        return Err(RegexError::InvalidClass);
                    }
                    items.push(ClassItem::Posix(
                        Posix::from_name(&name).ok_or(RegexError::InvalidClass)?,
                    ));
                    continue;
                }
                '[' => return Err(RegexError::Unsupported("nested character class")),
                '\\' => {
                    let e = self.bump().ok_or(RegexError::UnterminatedClass)?;
                    let kind = match e {
                        'd' => Some((Perl::Digit, false)),
                        'D' => Some((Perl::Digit, true)),
                        'w' => Some((Perl::Word, false)),
                        'W' => Some((Perl::Word, true)),
                        's' => Some((Perl::Space, false)),
                        'S' => Some((Perl::Space, true)),
                        _ => None,
                    };
                    if let Some((kind, neg)) = kind {
                        items.push(ClassItem::Perl(kind, neg));
                        continue;
                    }
                    escaped_literal(e)?
                }
                c => c,
            };
            let is_range =
                self.peek() == Some('-') && self.chars.get(self.pos + 1).is_some_and(|c| *c != ']');
            if !is_range {
                items.push(ClassItem::Range(start, start));
                continue;
            }
            self.pos += 1;
            let end = match self.bump().ok_or(RegexError::UnterminatedClass)? {
                '\\' => escaped_literal(self.bump().ok_or(RegexError::UnterminatedClass)?)?,
                '[' => return Err(RegexError::InvalidClass),
                c => c,
            };
            if start > end {
                return Err(RegexError::InvalidClass);
            }
            items.push(ClassItem::Range(start, end));
        }
        Ok(Class { negated, items })
    }
}

fn escaped_literal(c: char) -> Result<char, RegexError> {
    match c {
        't' => Ok('\t'),
        'n' => Ok('\n'),
        'r' => Ok('\r'),
        'f' => Ok('\u{0C}'),
        'v' => Ok('\u{0B}'),
        '0'..='9' => Err(RegexError::Unsupported("back-reference or octal escape")),
        c if c.is_alphanumeric() => Err(RegexError::Unsupported("escape sequence")),
        c => Ok(c),
    }
}

struct Compiler {
    prog: Vec<Inst>,
    classes: Vec<Class>,
}

impl Compiler {
    fn push(&mut self, inst: Inst) -> Result<usize, RegexError> {
        if self.prog.len() >= MAX_PROGRAM {
            return Err(RegexError::TooComplex);
        }
        self.prog.push(inst);
        Ok(self.prog.len() - 1)
    }

    fn patch(&mut self, at: usize, inst: Inst) {
        if let Some(slot) = self.prog.get_mut(at) {
            *slot = inst;
        }
    }

    fn emit_node(&mut self, node: &Node) -> Result<(), RegexError> {
        match node {
            Node::Empty => {}
            Node::Char(c) => {
                self.push(Inst::Char(*c))?;
            }
            Node::Any => {
                self.push(Inst::Any)?;
            }
            Node::Class(class) => {
                let idx = self.classes.len();
                self.classes.push(class.clone());
                self.push(Inst::Class(idx))?;
            }
            Node::Assert(a) => {
                self.push(Inst::Assert(*a))?;
            }
            Node::Concat(items) => {
                for item in items {
                    self.emit_node(item)?;
                }
            }
            Node::Alt(branches) => {
                let mut jumps = Vec::new();
                let last = branches.len().saturating_sub(1);
                for (i, branch) in branches.iter().enumerate() {
                    if i < last {
                        let split = self.push(Inst::Split(0, 0))?;
                        self.emit_node(branch)?;
                        jumps.push(self.push(Inst::Jmp(0))?);
                        let next = self.prog.len();
                        self.patch(split, Inst::Split(split + 1, next));
                    } else {
                        self.emit_node(branch)?;
                    }
                }
                let end = self.prog.len();
                for j in jumps {
                    self.patch(j, Inst::Jmp(end));
                }
            }
            Node::Repeat { node, min, max } => {
                for _ in 0..*min {
                    self.emit_node(node)?;
                }
                match max {
                    None => {
                        let split = self.push(Inst::Split(0, 0))?;
                        self.emit_node(node)?;
                        self.push(Inst::Jmp(split))?;
                        let end = self.prog.len();
                        self.patch(split, Inst::Split(split + 1, end));
                    }
                    Some(max) => {
                        for _ in *min..*max {
                            let split = self.push(Inst::Split(0, 0))?;
                            self.emit_node(node)?;
                            let end = self.prog.len();
                            self.patch(split, Inst::Split(split + 1, end));
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, text: &str) -> bool {
        Regex::new(pattern).expect("valid pattern").is_match(text)
    }

    #[test]
    fn literals_search_anywhere_case_insensitively() {
        assert!(m("web", "my-WEB01"));
        assert!(m("WEB", "web"));
        assert!(!m("web", "we b"));
        assert!(m("", "anything"));
        assert!(m("", ""));
        assert!(m("Grüße", "GRÜSSE grüße"));
        assert!(m("a\\.b", "xa.b"));
        assert!(!m("a\\.b", "axb"));
        assert!(m("a.b", "axb"));
        assert!(!m("a.b", "a\nb"));
    }

    #[test]
    fn anchors_and_boundaries() {
        assert!(m("^web", "web01"));
        assert!(!m("^web", "myweb"));
        assert!(m("01$", "web01"));
        assert!(!m("01$", "web01x"));
        assert!(m("^$", ""));
        assert!(m("\\bdb\\b", "srv db main"));
        assert!(!m("\\bdb\\b", "srvdbmain"));
        assert!(m("\\Bdb", "srvdb"));
        assert!(m("\\Aab\\z", "AB"));
    }

    #[test]
    fn alternation_groups_and_quantifiers() {
        assert!(m("(linux|windows)", "Windows Server"));
        assert!(!m("(linux|windows)", "bsd"));
        assert!(m("(?:ab)+c", "xababc"));
        assert!(m("^a*$", ""));
        assert!(m("^a+$", "aaa"));
        assert!(!m("^a+$", ""));
        assert!(m("^colou?r$", "color"));
        assert!(m("^colou?r$", "colour"));
        assert!(m("^a{3}$", "aaa"));
        assert!(!m("^a{3}$", "aa"));
        assert!(m("^a{2,}$", "aaaa"));
        assert!(m("^a{1,2}$", "aa"));
        assert!(!m("^a{1,2}$", "aaa"));
        assert!(m("^a+?b*?$", "aab"));
        assert!(m("(a|)", "zzz"));
        assert!(m("^()$", ""));
        assert!(m("^(a*)*$", "aaaa"));
        assert!(m("^(a|b)*c$", "ababbc"));
    }

    #[test]
    fn classes() {
        assert!(m("^[a-z0-9_-]+$", "Web-01_x"));
        assert!(!m("^[a-z]+$", "web01"));
        assert!(m("^[^0-9]+$", "web"));
        assert!(!m("^[^0-9]+$", "web1"));
        assert!(m("[]]", "a]"));
        assert!(m("^[^]]$", "x"));
        assert!(m("^[\\d\\s]+$", "1 2"));
        assert!(m("^\\w+\\W\\w+$", "a-b"));
        assert!(m("^\\S+$", "abc"));
        assert!(!m("^\\D$", "5"));
        assert!(m("^[[:digit:]]+$", "123"));
        assert!(m("^[[:alpha:][:space:]]+$", "ab cd"));
        assert!(m("^[[:xdigit:]]+$", "deadBEEF"));
        assert!(m("^[[:upper:]]+$", "abc"));
        assert!(m("[[:punct:]]", "a!"));
        assert!(m("^[a\\-z]+$", "a-z"));
        assert!(m("^[\\]]$", "]"));
        assert!(m("^[a-]$", "-"));
        assert!(m("^[\\t]$", "\t"));
    }

    #[test]
    fn any_of_builds_alternation() {
        let r = Regex::any_of(&["linux", "db"]).expect("valid");
        assert!(r.is_match("prod,DB,eu"));
        assert!(!r.is_match("prod,web"));
        let empty: [&str; 0] = [];
        assert!(Regex::any_of(&empty).expect("valid").is_match("x"));
        assert!(Regex::any_of(&["(a"]).is_err());
    }

    #[test]
    fn escape_makes_text_literal() {
        for text in ["c++", "a.b", "(x|y)", "[a-z]", "^$\\", "ü-ö", "{1}", "a b"] {
            let r = Regex::new(&escape(text)).expect("escaped text is valid");
            assert!(r.is_match(&format!("pre {text} post")), "{text:?}");
        }
        assert!(!Regex::new(&escape("a.b")).expect("valid").is_match("axb"));
        assert_eq!(escape("c++"), "c\\+\\+");
    }

    #[test]
    fn invalid_patterns_are_errors() {
        for p in [
            "(",
            ")",
            "a)",
            "(a",
            "[a",
            "[",
            "[z-a]",
            "*a",
            "a**",
            "+",
            "?",
            "{2}",
            "a{2",
            "a{,2}",
            "a{3,2}",
            "a{x}",
            "\\",
            "(?=a)",
            "(?i)a",
            "\\1",
            "\\x41",
            "\\p{L}",
            "a*+",
            "[[:nope:]]",
            "[[:alpha]",
            "[[a]]",
            "a{1001}",
            "[a-\\",
            "\\q",
        ] {
            assert!(Regex::new(p).is_err(), "{p:?} should be rejected");
        }
        assert_eq!(
            Regex::new(&"a".repeat(MAX_PATTERN_CHARS + 1)),
            Err(RegexError::TooLong)
        );
        assert_eq!(
            Regex::new("((a{1000}){1000}){1000}"),
            Err(RegexError::TooComplex)
        );
        let deep = format!("{}a{}", "(".repeat(200), ")".repeat(200));
        assert_eq!(Regex::new(&deep), Err(RegexError::TooComplex));
    }

    #[test]
    fn pathological_patterns_stay_fast() {
        let r = Regex::new("^(a+)+$").expect("valid");
        let text = format!("{}b", "a".repeat(5_000));
        assert!(!r.is_match(&text));
        let r = Regex::new("(x+x+)+y").expect("valid");
        assert!(!r.is_match(&"x".repeat(5_000)));
    }

    #[test]
    fn non_ascii_text_is_safe() {
        assert!(m("ü", "ÜBER"));
        assert!(m("^.$", "😀"));
        assert!(m("^[😀-😂]$", "😁"));
        assert!(m("İ", "İ"));
    }
}
