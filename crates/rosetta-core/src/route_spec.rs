//! Route specs: every route a dialect serves, with the permission it needs, as data.
//!
//! Each dialect lists its routes next to its route table ([`crate::Dialect::route_specs`]); the isolation
//! matrix in the integration tests sends every spec as every kind of user. [`table`] reads a `match`-based
//! route table from its source so a dialect's unit test can prove the list and the table agree.

use rosetta_model::{Permission, PermissionSet};

/// What a route requires of the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requirement {
    /// Nobody needs to log in.
    Public,
    /// Any logged-in user.
    Authenticated,
    /// Any one of these permissions.
    AnyOf(Vec<Permission>),
    /// All of these permissions.
    AllOf(Vec<Permission>),
    /// Any one of these OpenNMS roles (as [`PermissionSet::opennms_roles`] derives them).
    AnyRole(Vec<&'static str>),
}

impl Requirement {
    /// True when a logged-in user with `permissions` meets the requirement.
    pub fn granted(&self, permissions: &PermissionSet) -> bool {
        match self {
            Requirement::Public | Requirement::Authenticated => true,
            Requirement::AnyOf(wanted) => permissions.has_any(wanted),
            Requirement::AllOf(wanted) => wanted.iter().all(|permission| permissions.has(*permission)),
            Requirement::AnyRole(wanted) => {
                let roles = permissions.opennms_roles();
                wanted.iter().any(|role| roles.contains(role))
            }
        }
    }
}

/// One route: a concrete example request and its requirement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteSpec {
    /// The HTTP method (`GET`).
    pub method: &'static str,
    /// The full request path with query, at the dialect's fixed mount. Placeholders in braces name
    /// fixture objects the caller fills in: `{host}` (id), `{host_name}`, `{service}` (id),
    /// `{service_name}`, `{hostgroup}` (id), `{hostgroup_name}`, `{tenant}` (id), `{tenant_name}`,
    /// `{alarm}`, `{event}`, `{outage}`, `{downtime}`, `{acknowledgement}` (ids of the host's records).
    pub path: String,
    /// What the caller must hold.
    pub need: Requirement,
}

impl RouteSpec {
    /// A spec.
    pub fn new(method: &'static str, path: impl Into<String>, need: Requirement) -> RouteSpec {
        RouteSpec { method, path: path.into(), need }
    }

    /// A spec whose caller needs any one of `permissions`.
    pub fn any(method: &'static str, path: impl Into<String>, permissions: &[Permission]) -> RouteSpec {
        RouteSpec::new(method, path, Requirement::AnyOf(permissions.to_vec()))
    }

    /// A spec whose caller needs all of `permissions`.
    pub fn all(method: &'static str, path: impl Into<String>, permissions: &[Permission]) -> RouteSpec {
        RouteSpec::new(method, path, Requirement::AllOf(permissions.to_vec()))
    }

    /// The path's segments before the query, without empty ones.
    pub fn segments(&self) -> Vec<&str> {
        let path = self.path.split('?').next().unwrap_or_default();
        path.split('/').filter(|segment| !segment.is_empty()).collect()
    }
}

pub mod table {
    //! Reads the arms of a `match` route table from the table's own source, so a unit test can check
    //! every arm against the dialect's [`RouteSpec`](super::RouteSpec) list without the router
    //! changing shape. The patterns understood are the ones route tables use: tuples, slices, string
    //! literals, `_`, `..`, bindings (`id`, `name @ (..)`), constants (`V1`, `Get`) and `|`.

    /// A parsed pattern.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum Pat {
        /// `_`.
        Wild,
        /// `..` inside a slice.
        Rest,
        /// A string literal.
        Lit(String),
        /// A capitalised path (`V1`, `Get`): compared with the value case-insensitively.
        Const(String),
        /// A lower-case binding, optionally `name @ pattern`.
        Bind(String, Option<Box<Pat>>),
        /// `a | b`.
        Alt(Vec<Pat>),
        /// `[a, b, ..]`.
        Slice(Vec<Pat>),
        /// `(a, b)`.
        Tuple(Vec<Pat>),
    }

    /// One arm: its pattern, its guard and its source text.
    #[derive(Debug, Clone)]
    pub struct Arm {
        /// The text before `=>`, whitespace collapsed.
        pub text: String,
        /// The pattern.
        pub pattern: Pat,
        /// The guard's text after `if`, if any.
        pub guard: Option<String>,
    }

    /// Bindings a match produced: (name, segment).
    pub type Bindings = Vec<(String, String)>;

    impl Arm {
        /// Matches `scalars` (the tuple's leading elements) followed by the path `segments`; the
        /// guard is not evaluated.
        pub fn matches(&self, scalars: &[&str], segments: &[&str]) -> Option<Bindings> {
            let mut bindings = Vec::new();
            match &self.pattern {
                Pat::Tuple(items) if items.len() == scalars.len() + 1 => {
                    for (pat, value) in items.iter().zip(scalars) {
                        if !scalar(pat, value, &mut bindings) {
                            return None;
                        }
                    }
                    path(&items[scalars.len()], segments, &mut bindings).then_some(bindings)
                }
                pat => scalar(pat, "", &mut bindings).then_some(bindings),
            }
        }
    }

    fn scalar(pat: &Pat, value: &str, bindings: &mut Bindings) -> bool {
        match pat {
            Pat::Wild => true,
            Pat::Lit(text) => text == value,
            Pat::Const(name) => name.eq_ignore_ascii_case(value),
            Pat::Bind(name, inner) => {
                let ok = inner.as_ref().is_none_or(|inner| scalar(inner, value, bindings));
                if ok {
                    bindings.push((name.clone(), value.to_owned()));
                }
                ok
            }
            Pat::Alt(alternatives) => alternatives.iter().any(|alternative| scalar(alternative, value, bindings)),
            Pat::Rest | Pat::Slice(_) | Pat::Tuple(_) => false,
        }
    }

    fn path(pat: &Pat, segments: &[&str], bindings: &mut Bindings) -> bool {
        match pat {
            Pat::Wild | Pat::Bind(_, None) => true,
            Pat::Alt(alternatives) => alternatives.iter().any(|alternative| path(alternative, segments, bindings)),
            Pat::Slice(items) => {
                let is_rest = |item: &Pat| match item {
                    Pat::Rest => true,
                    Pat::Bind(_, Some(inner)) => **inner == Pat::Rest,
                    _ => false,
                };
                let (prefix, suffix) = match items.iter().position(is_rest) {
                    Some(at) => (&items[..at], Some(&items[at + 1..])),
                    None => (&items[..], None),
                };
                let fits = match suffix {
                    Some(suffix) => segments.len() >= prefix.len() + suffix.len(),
                    None => segments.len() == prefix.len(),
                };
                if !fits {
                    return false;
                }
                let tail = suffix.unwrap_or_default();
                let tail_values = &segments[segments.len() - tail.len()..];
                prefix.iter().zip(segments).chain(tail.iter().zip(tail_values)).all(|(pat, value)| scalar(pat, value, bindings))
            }
            _ => false,
        }
    }

    /// The arms of the first `match` after `anchor` (e.g. `"pub async fn route"`) in `source`.
    /// Panics on source it cannot read, so a table the reader does not understand fails its test.
    pub fn arms(source: &str, anchor: &str) -> Vec<Arm> {
        let start = source.find(anchor).unwrap_or_else(|| panic!("no `{anchor}` in the source"));
        let body = &source[start..];
        let at_match = body.find("match ").expect("a match");
        let chars: Vec<char> = body[at_match..].chars().collect();
        let mut i = skip_to_block(&chars, 0) + 1;
        let mut arms = Vec::new();
        loop {
            i = skip_space(&chars, i);
            if i >= chars.len() || chars[i] == '}' {
                break;
            }
            let (head, next) = until_arrow(&chars, i);
            i = skip_space(&chars, next + 2);
            i = if chars[i] == '{' { skip_balanced(&chars, i) } else { skip_expression(&chars, i) };
            i = skip_space(&chars, i);
            if chars.get(i) == Some(&',') {
                i += 1;
            }
            arms.push(parse_arm(&head));
        }
        arms
    }

    fn skip_space(chars: &[char], mut i: usize) -> usize {
        loop {
            while i < chars.len() && chars[i].is_whitespace() {
                i += 1;
            }
            if chars.get(i) == Some(&'/') && chars.get(i + 1) == Some(&'/') {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            } else {
                return i;
            }
        }
    }

    fn skip_string(chars: &[char], mut i: usize) -> usize {
        i += 1;
        while i < chars.len() && chars[i] != '"' {
            i += if chars[i] == '\\' { 2 } else { 1 };
        }
        i + 1
    }

    fn skip_to_block(chars: &[char], mut i: usize) -> usize {
        while i < chars.len() {
            match chars[i] {
                '"' => i = skip_string(chars, i),
                '(' | '[' => i = skip_balanced(chars, i),
                '{' => return i,
                _ => i += 1,
            }
        }
        panic!("no block")
    }

    /// Index just past the bracket group opening at `i`.
    fn skip_balanced(chars: &[char], mut i: usize) -> usize {
        let mut depth = 0i32;
        while i < chars.len() {
            match chars[i] {
                '"' => {
                    i = skip_string(chars, i);
                    continue;
                }
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' => {
                    depth -= 1;
                    if depth == 0 {
                        return i + 1;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        panic!("unbalanced brackets")
    }

    /// Index of the `,` (or closing `}` of the match) that ends the expression starting at `i`.
    fn skip_expression(chars: &[char], mut i: usize) -> usize {
        while i < chars.len() {
            match chars[i] {
                '"' => i = skip_string(chars, i),
                '(' | '[' | '{' => i = skip_balanced(chars, i),
                ',' | '}' => return i,
                _ => i += 1,
            }
        }
        i
    }

    fn until_arrow(chars: &[char], mut i: usize) -> (String, usize) {
        let start = i;
        while i + 1 < chars.len() {
            match chars[i] {
                '"' => i = skip_string(chars, i),
                '(' | '[' | '{' => i = skip_balanced(chars, i),
                '=' if chars[i + 1] == '>' => return (chars[start..i].iter().collect(), i),
                _ => i += 1,
            }
        }
        panic!("an arm without `=>`")
    }

    fn parse_arm(head: &str) -> Arm {
        let text = head.split_whitespace().collect::<Vec<_>>().join(" ");
        let tokens = tokenize(&text);
        let guard_at = tokens.iter().position(|token| token == "if");
        let (pattern_tokens, guard) = match guard_at {
            Some(at) => (&tokens[..at], Some(tokens[at + 1..].join(""))),
            None => (&tokens[..], None),
        };
        let mut parser = Parser { tokens: pattern_tokens, at: 0 };
        let pattern = parser.alt();
        assert_eq!(parser.at, pattern_tokens.len(), "cannot read the route pattern `{text}`");
        Arm { text, pattern, guard }
    }

    fn tokenize(text: &str) -> Vec<String> {
        let chars: Vec<char> = text.chars().collect();
        let mut tokens = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            let ch = chars[i];
            if ch.is_whitespace() {
                i += 1;
            } else if ch == '"' {
                let end = skip_string(&chars, i);
                tokens.push(chars[i..end].iter().collect());
                i = end;
            } else if ch == '.' && chars.get(i + 1) == Some(&'.') {
                tokens.push("..".to_owned());
                i += 2;
            } else if ch.is_alphanumeric() || ch == '_' || ch == ':' {
                let start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == ':') {
                    i += 1;
                }
                tokens.push(chars[start..i].iter().collect());
            } else {
                tokens.push(ch.to_string());
                i += 1;
            }
        }
        tokens
    }

    struct Parser<'a> {
        tokens: &'a [String],
        at: usize,
    }

    impl Parser<'_> {
        fn peek(&self) -> Option<&str> {
            self.tokens.get(self.at).map(String::as_str)
        }

        fn next(&mut self) -> String {
            let token = self.tokens.get(self.at).cloned().unwrap_or_else(|| panic!("pattern ends early: {:?}", self.tokens));
            self.at += 1;
            token
        }

        fn alt(&mut self) -> Pat {
            let mut alternatives = vec![self.single()];
            while self.peek() == Some("|") {
                self.at += 1;
                alternatives.push(self.single());
            }
            if alternatives.len() == 1 {
                alternatives.remove(0)
            } else {
                Pat::Alt(alternatives)
            }
        }

        fn list(&mut self, close: &str) -> Vec<Pat> {
            let mut items = Vec::new();
            while self.peek() != Some(close) {
                items.push(self.alt());
                if self.peek() == Some(",") {
                    self.at += 1;
                }
            }
            self.at += 1;
            items
        }

        fn single(&mut self) -> Pat {
            let token = self.next();
            match token.as_str() {
                "_" => Pat::Wild,
                ".." => Pat::Rest,
                "[" => Pat::Slice(self.list("]")),
                "(" => {
                    let mut items = self.list(")");
                    if items.len() == 1 {
                        items.remove(0)
                    } else {
                        Pat::Tuple(items)
                    }
                }
                literal if literal.starts_with('"') => Pat::Lit(literal.trim_matches('"').to_owned()),
                name if name.starts_with(|ch: char| ch.is_ascii_uppercase()) => Pat::Const(name.to_owned()),
                name if name.starts_with(|ch: char| ch.is_ascii_lowercase() || ch == '_') => {
                    if self.peek() == Some("@") {
                        self.at += 1;
                        Pat::Bind(name.to_owned(), Some(Box::new(self.single())))
                    } else {
                        Pat::Bind(name.to_owned(), None)
                    }
                }
                other => panic!("unexpected `{other}` in a route pattern: {:?}", self.tokens),
            }
        }
    }

    /// Checks the `match` after `anchor` in `source` against `specs` and panics with every problem: a
    /// spec no route arm answers, and a route arm no spec reaches. `key` turns a spec into the table's
    /// scalars and path segments (`None` when the spec is not this table's); `guard` evaluates an arm's
    /// guard given its bindings; `fallbacks` are the texts of arms that are not routes (405 and 404).
    pub fn assert_complete<'s>(
        source: &str,
        anchor: &str,
        specs: &'s [super::RouteSpec],
        key: impl Fn(&'s super::RouteSpec) -> Option<(Vec<&'s str>, Vec<&'s str>)>,
        guard: impl Fn(&str, &Bindings) -> bool,
        fallbacks: &[&str],
    ) {
        let arms = arms(source, anchor);
        let mut problems = Vec::new();
        let mut reached = vec![false; arms.len()];
        for spec in specs {
            let Some((scalars, segments)) = key(spec) else {
                problems.push(format!("spec {} {} is not below this table's mount", spec.method, spec.path));
                continue;
            };
            let first = arms.iter().position(|arm| {
                arm.matches(&scalars, &segments)
                    .is_some_and(|bindings| arm.guard.as_deref().is_none_or(|text| guard(text, &bindings)))
            });
            match first {
                Some(at) if !fallbacks.contains(&arms[at].text.as_str()) => reached[at] = true,
                Some(at) => problems.push(format!("spec {} {} reaches the fallback `{}`", spec.method, spec.path, arms[at].text)),
                None => problems.push(format!("spec {} {} matches no arm", spec.method, spec.path)),
            }
        }
        for (arm, reached) in arms.iter().zip(reached) {
            if !reached && !fallbacks.contains(&arm.text.as_str()) {
                problems.push(format!("route `{}` has no spec", arm.text));
            }
        }
        assert!(problems.is_empty(), "the route table and its specs disagree:\n{}", problems.join("\n"));
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        const TABLE: &str = r#"
            fn other() { match x { _ => {} } }
            pub async fn route(call: &Call) -> Result<Response, GatewayError> {
                match (call.api, call.verb, segments.as_slice()) {
                    (_, Options, _) => Ok(options()),
                    (V1, Get, ["info"]) => Ok(system::info(call)),
                    (V1, Get, ["categories", name]) if name != "x" => system::category(call, name),
                    // a comment with => in it
                    (V2, Get, ["nodes", id, "metadata", ..] | ["a", "b" | "c"]) => {
                        nodes::metadata(call, id, "}")
                    }
                    (V2, Get, [collection @ ("ipinterfaces" | "ifservices"), "properties", id]) => x(format!("{}", 1)),
                    _ => Err(GatewayError::not_found("")),
                }
            }
        "#;

        #[test]
        fn reads_a_match_table() {
            let arms = arms(TABLE, "pub async fn route");
            let texts: Vec<&str> = arms.iter().map(|arm| arm.text.as_str()).collect();
            assert_eq!(texts.len(), 6, "{texts:?}");
            assert_eq!(texts[5], "_");
            assert_eq!(arms[2].guard.as_deref(), Some("name!=\"x\""));
            assert!(arms[1].matches(&["V1", "GET"], &["info"]).is_some());
            assert!(arms[1].matches(&["V2", "GET"], &["info"]).is_none());
            assert!(arms[0].matches(&["V2", "OPTIONS"], &["anything", "at", "all"]).is_some());
            assert!(arms[3].matches(&["V2", "GET"], &["nodes", "5", "metadata", "a", "b"]).is_some());
            assert!(arms[3].matches(&["V2", "GET"], &["a", "c"]).is_some());
            assert!(arms[3].matches(&["V2", "GET"], &["a", "d"]).is_none());
            let bindings = arms[4].matches(&["V2", "GET"], &["ifservices", "properties", "7"]).expect("match");
            assert_eq!(bindings, vec![("collection".to_owned(), "ifservices".to_owned()), ("id".to_owned(), "7".to_owned())]);
            assert!(arms[4].matches(&["V2", "GET"], &["nodes", "properties", "7"]).is_none());
        }
    }
}
