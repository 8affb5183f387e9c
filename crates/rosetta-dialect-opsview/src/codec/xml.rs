//! `XML::Simple`-style XML (spec §3.6), for `text/xml` responses and request bodies.
//!
//! Output ([`to_xml`]): the root element is `<opt>`; scalar hash members become attributes
//! (`null` as an empty attribute); nested hashes become a child element named after the key;
//! arrays become one child element per item, repeated under the key's name; an array item that is
//! itself an array is wrapped in `<anon>` elements, as `XML::Simple` does. An empty array produces
//! no elements. Keys are sorted by byte order and children indented by two spaces. Keys that are
//! not valid XML names are made valid by replacing the offending characters with `_`.
//!
//! Input ([`from_xml`]): the inverse mapping, like `XMLin` without key folding. The root element's
//! name is ignored; attributes become string members; child elements become members named after
//! the element, turned into an array when the name repeats; an element without attributes or
//! children becomes its text; text mixed with attributes or children is kept under `content`;
//! `<anon>` children form an array. Only the predefined entities and character references are
//! expanded (no DTD processing), and nesting is limited to [`MAX_DEPTH`].

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// Deepest element nesting accepted by [`from_xml`].
pub const MAX_DEPTH: usize = 128;

/// The element name `XML::Simple` uses for the items of a nested (anonymous) array.
const ANON: &str = "anon";

/// Key under which text mixed with attributes or child elements is stored.
const CONTENT: &str = "content";

/// Renders `value` as an `XML::Simple`-style document rooted at `<opt>`.
pub fn to_xml(value: &Value) -> String {
    let mut out = String::new();
    write_element(&mut out, "opt", value, 0);
    out
}

fn write_element(out: &mut String, name: &str, value: &Value, level: usize) {
    indent(out, level);
    match value {
        Value::Null => {
            out.push('<');
            out.push_str(name);
            out.push_str(" />\n");
        }
        Value::Bool(_) | Value::Number(_) | Value::String(_) => {
            out.push('<');
            out.push_str(name);
            out.push('>');
            escape_into(out, &scalar_text(value), false);
            out.push_str("</");
            out.push_str(name);
            out.push_str(">\n");
        }
        Value::Array(items) => {
            out.push('<');
            out.push_str(name);
            if items.is_empty() {
                out.push_str(" />\n");
                return;
            }
            out.push_str(">\n");
            for item in items {
                write_element(out, ANON, item, level + 1);
            }
            indent(out, level);
            out.push_str("</");
            out.push_str(name);
            out.push_str(">\n");
        }
        Value::Object(map) => write_hash(out, name, map, level),
    }
}

fn write_hash(out: &mut String, name: &str, map: &Map<String, Value>, level: usize) {
    let mut entries: Vec<(&String, &Value)> = map.iter().collect();
    entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    out.push('<');
    out.push_str(name);
    let mut used_attrs: Vec<String> = Vec::new();
    let mut children = Vec::new();
    for (key, item) in entries {
        match item {
            Value::Array(_) | Value::Object(_) => children.push((xml_name(key), item)),
            scalar => {
                let mut attr = xml_name(key);
                while used_attrs.contains(&attr) {
                    attr.push('_');
                }
                out.push(' ');
                out.push_str(&attr);
                out.push_str("=\"");
                escape_into(out, &scalar_text(scalar), true);
                out.push('"');
                used_attrs.push(attr);
            }
        }
    }
    let has_child_elements = children.iter().any(|(_, item)| match item {
        Value::Array(items) => !items.is_empty(),
        _ => true,
    });
    if !has_child_elements {
        out.push_str(" />\n");
        return;
    }
    out.push_str(">\n");
    for (child_name, item) in children {
        match item {
            Value::Array(items) => {
                for element in items {
                    write_element(out, &child_name, element, level + 1);
                }
            }
            other => write_element(out, &child_name, other, level + 1),
        }
    }
    indent(out, level);
    out.push_str("</");
    out.push_str(name);
    out.push_str(">\n");
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::Bool(b) => if *b { "1" } else { "0" }.to_owned(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        Value::Array(_) | Value::Object(_) => String::new(),
    }
}

fn indent(out: &mut String, level: usize) {
    for _ in 0..level {
        out.push_str("  ");
    }
}

/// Characters XML 1.0 does not allow in a document, even as character references.
fn is_forbidden_in_xml(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}')
}

fn escape_into(out: &mut String, text: &str, attribute: bool) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\r' => out.push_str("&#13;"),
            c if is_forbidden_in_xml(c) => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
}

/// Turns a hash key into a valid XML name.
fn xml_name(key: &str) -> String {
    let mut name = String::with_capacity(key.len() + 1);
    for (i, c) in key.chars().enumerate() {
        let valid_start = c.is_alphabetic() || c == '_';
        let valid = valid_start || c.is_numeric() || c == '-' || c == '.';
        if i == 0 && !valid_start {
            name.push('_');
            if valid {
                name.push(c);
                continue;
            }
        }
        name.push(if valid { c } else { '_' });
    }
    if name.is_empty() {
        name.push('_');
    }
    name
}

/// Why an XML body could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XmlErrorKind {
    /// The document is not well-formed.
    #[error("malformed XML: {0}")]
    Syntax(String),
    /// The document ended inside an element.
    #[error("unexpected end of input")]
    UnexpectedEnd,
    /// Elements nested deeper than [`MAX_DEPTH`].
    #[error("nesting deeper than {} levels", MAX_DEPTH)]
    TooDeep,
    /// A second element at the top level.
    #[error("more than one root element")]
    MultipleRoots,
    /// Non-blank text outside the root element.
    #[error("text outside the root element")]
    TextOutsideRoot,
    /// The body is not valid UTF-8.
    #[error("input is not valid UTF-8")]
    InvalidUtf8,
}

/// An XML parse failure with the byte offset where it was detected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} at byte {position}")]
pub struct XmlError {
    /// What went wrong.
    pub kind: XmlErrorKind,
    /// Byte offset into the body.
    pub position: usize,
}

/// An element being built: its members grouped by name, in first-seen order.
#[derive(Default)]
struct Frame {
    names: HashMap<String, usize>,
    members: Vec<(String, Vec<Value>)>,
    anon: Vec<Value>,
    text: String,
}

impl Frame {
    fn add(&mut self, name: String, value: Value) {
        if name == ANON {
            self.anon.push(value);
            return;
        }
        match self.names.get(&name) {
            Some(&index) => {
                if let Some((_, values)) = self.members.get_mut(index) {
                    values.push(value);
                }
            }
            None => {
                self.names.insert(name.clone(), self.members.len());
                self.members.push((name, vec![value]));
            }
        }
    }

    fn finish(self, is_root: bool) -> Value {
        let text = self.text;
        if self.members.is_empty() && self.anon.is_empty() {
            return if is_root && text.is_empty() {
                Value::Object(Map::new())
            } else {
                Value::String(text)
            };
        }
        if self.members.is_empty() && text.is_empty() {
            return Value::Array(self.anon);
        }
        let mut map = Map::new();
        for (name, mut values) in self.members {
            let value = if values.len() == 1 {
                values.pop().unwrap_or(Value::Null)
            } else {
                Value::Array(values)
            };
            map.insert(name, value);
        }
        if !self.anon.is_empty() {
            map.insert(ANON.to_owned(), Value::Array(self.anon));
        }
        if !text.is_empty() {
            map.insert(CONTENT.to_owned(), Value::String(text));
        }
        Value::Object(map)
    }
}

/// Parses an `XML::Simple`-style request body. `Ok(None)` means there is no root element (an
/// empty body, or only a declaration and comments).
pub fn from_xml(body: &[u8]) -> Result<Option<Value>, XmlError> {
    let text = std::str::from_utf8(body).map_err(|e| XmlError {
        kind: XmlErrorKind::InvalidUtf8,
        position: e.valid_up_to(),
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = Reader::from_str(text);
    reader.config_mut().trim_text(true);
    let mut stack: Vec<(String, Frame)> = Vec::new();
    let mut root: Option<Value> = None;
    let position =
        |reader: &Reader<&[u8]>| usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
    let fail = |kind: XmlErrorKind, at: usize| Err(XmlError { kind, position: at });
    loop {
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(e) => {
                let at = usize::try_from(reader.error_position()).unwrap_or(usize::MAX);
                return fail(XmlErrorKind::Syntax(e.to_string()), at);
            }
        };
        match event {
            Event::Start(_) | Event::Empty(_) if root.is_some() => {
                return fail(XmlErrorKind::MultipleRoots, position(&reader));
            }
            Event::Start(start) => {
                if stack.len() >= MAX_DEPTH {
                    return fail(XmlErrorKind::TooDeep, position(&reader));
                }
                let element = open_element(&start).map_err(|kind| XmlError {
                    kind,
                    position: position(&reader),
                })?;
                stack.push(element);
            }
            Event::Empty(start) => {
                let (name, frame) = open_element(&start).map_err(|kind| XmlError {
                    kind,
                    position: position(&reader),
                })?;
                let value = frame.finish(stack.is_empty());
                attach(&mut stack, &mut root, name, value);
            }
            Event::End(_) => {
                let Some((name, frame)) = stack.pop() else {
                    return fail(
                        XmlErrorKind::Syntax("unmatched end tag".into()),
                        position(&reader),
                    );
                };
                let value = frame.finish(stack.is_empty());
                attach(&mut stack, &mut root, name, value);
            }
            Event::Text(t) => {
                let unescaped = t.unescape().map_err(|e| XmlError {
                    kind: XmlErrorKind::Syntax(e.to_string()),
                    position: position(&reader),
                })?;
                match stack.last_mut() {
                    Some((_, frame)) => frame.text.push_str(&unescaped),
                    None if unescaped.trim().is_empty() => {}
                    None => return fail(XmlErrorKind::TextOutsideRoot, position(&reader)),
                }
            }
            Event::CData(data) => {
                let decoded = data.decode().map_err(|e| XmlError {
                    kind: XmlErrorKind::Syntax(e.to_string()),
                    position: position(&reader),
                })?;
                match stack.last_mut() {
                    Some((_, frame)) => frame.text.push_str(&decoded),
                    None => return fail(XmlErrorKind::TextOutsideRoot, position(&reader)),
                }
            }
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
            Event::Eof => {
                if !stack.is_empty() {
                    return fail(XmlErrorKind::UnexpectedEnd, position(&reader));
                }
                return Ok(root);
            }
        }
    }
}

fn attach(stack: &mut [(String, Frame)], root: &mut Option<Value>, name: String, value: Value) {
    match stack.last_mut() {
        Some((_, parent)) => parent.add(name, value),
        None => *root = Some(value),
    }
}

fn open_element(start: &BytesStart<'_>) -> Result<(String, Frame), XmlErrorKind> {
    let name = std::str::from_utf8(start.name().as_ref())
        .map_err(|_| XmlErrorKind::InvalidUtf8)?
        .to_owned();
    let mut frame = Frame::default();
    for attr in start.attributes() {
        let attr = attr.map_err(|e| XmlErrorKind::Syntax(e.to_string()))?;
        let key = std::str::from_utf8(attr.key.as_ref())
            .map_err(|_| XmlErrorKind::InvalidUtf8)?
            .to_owned();
        if key == "xmlns" || key.starts_with("xmlns:") {
            continue;
        }
        let value = attr
            .unescape_value()
            .map_err(|e| XmlErrorKind::Syntax(e.to_string()))?;
        frame.add(key, Value::String(value.into_owned()));
    }
    Ok((name, frame))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(s: &str) -> Value {
        match from_xml(s.as_bytes()) {
            Ok(Some(v)) => v,
            other => panic!("{s:?} gave {other:?}"),
        }
    }

    fn read_err(s: &str) -> XmlErrorKind {
        match from_xml(s.as_bytes()) {
            Err(e) => e.kind,
            other => panic!("{s:?} unexpectedly gave {other:?}"),
        }
    }

    #[test]
    fn writes_xml_simple_shape() {
        let v = json!({
            "summary": {"rows": "2", "page": "1"},
            "list": [
                {"name": "web1", "id": "1", "hosttemplates": [{"name": "Base", "ref": "/rest/config/hosttemplate/1"}]},
                {"name": "db \"1\" & <2>", "id": "2", "hosttemplates": []}
            ],
            "token": "abc",
            "flag": true,
            "missing": null
        });
        let expected = concat!(
            "<opt flag=\"1\" missing=\"\" token=\"abc\">\n",
            "  <list id=\"1\" name=\"web1\">\n",
            "    <hosttemplates name=\"Base\" ref=\"/rest/config/hosttemplate/1\" />\n",
            "  </list>\n",
            "  <list id=\"2\" name=\"db &quot;1&quot; &amp; &lt;2&gt;\" />\n",
            "  <summary page=\"1\" rows=\"2\" />\n",
            "</opt>\n"
        );
        assert_eq!(to_xml(&v), expected);
    }

    #[test]
    fn writes_scalar_arrays_and_anon() {
        let v = json!({"messages": ["one", "two & three", ""], "matrix": [[1, 2], []], "list": []});
        let expected = concat!(
            "<opt>\n",
            "  <matrix>\n",
            "    <anon>1</anon>\n",
            "    <anon>2</anon>\n",
            "  </matrix>\n",
            "  <matrix />\n",
            "  <messages>one</messages>\n",
            "  <messages>two &amp; three</messages>\n",
            "  <messages></messages>\n",
            "</opt>\n"
        );
        assert_eq!(to_xml(&v), expected);
        assert_eq!(to_xml(&json!({})), "<opt />\n");
        assert_eq!(to_xml(&Value::Null), "<opt />\n");
        assert_eq!(to_xml(&json!("x<y")), "<opt>x&lt;y</opt>\n");
        assert_eq!(to_xml(&json!(["a"])), "<opt>\n  <anon>a</anon>\n</opt>\n");
    }

    #[test]
    fn invalid_names_and_characters_are_sanitised() {
        let v = json!({"a b": "1", "a_b": "2", "": "3", "1st": "4", "-or": {"x": "y"}, "ctl": "a\u{1}\tb\nc\r"});
        let xml = to_xml(&v);
        assert_eq!(
            xml,
            "<opt _=\"3\" _1st=\"4\" a_b=\"1\" a_b_=\"2\" ctl=\"a\u{fffd}&#9;b&#10;c&#13;\">\n  <_-or x=\"y\" />\n</opt>\n"
        );
        assert!(from_xml(xml.as_bytes()).is_ok());
    }

    #[test]
    fn reads_request_bodies() {
        let body = r#"<?xml version="1.0" encoding="UTF-8"?>
            <!-- a host -->
            <opt name="web1" ip="10.0.0.5">
              <hostgroup name="Production" />
              <hosttemplates name="Base" />
              <hosttemplates name="Linux &amp; Co" />
              <alias>Web &lt;one&gt;</alias>
              <empty></empty>
              <note><![CDATA[raw <text> & more]]></note>
            </opt>"#;
        assert_eq!(
            read(body),
            json!({
                "name": "web1", "ip": "10.0.0.5",
                "hostgroup": {"name": "Production"},
                "hosttemplates": [{"name": "Base"}, {"name": "Linux & Co"}],
                "alias": "Web <one>", "empty": "", "note": "raw <text> & more"
            })
        );
    }

    #[test]
    fn reads_anon_mixed_content_and_empty_root() {
        assert_eq!(
            read("<opt><ids><anon>1</anon><anon>2</anon></ids></opt>"),
            json!({"ids": ["1", "2"]})
        );
        assert_eq!(read("<opt><anon>a</anon></opt>"), json!(["a"]));
        assert_eq!(
            read("<x a=\"1\">hello</x>"),
            json!({"a": "1", "content": "hello"})
        );
        assert_eq!(read("<opt/>"), json!({}));
        assert_eq!(read("<opt>just text</opt>"), json!("just text"));
        assert_eq!(
            read("<opt a=\"1\"><a>2</a></opt>"),
            json!({"a": ["1", "2"]})
        );
        assert_eq!(
            read("<opt xmlns=\"urn:x\" v=\"&#x263A;&#65;\"/>"),
            json!({"v": "\u{263a}A"})
        );
    }

    #[test]
    fn round_trips_its_own_output() {
        let v = json!({
            "object": {"name": "web1", "ip": "10.0.0.5", "hostgroup": {"name": "Prod", "ref": "/rest/config/hostgroup/2"},
                        "keywords": [{"name": "a"}, {"name": "b"}], "alias": "multi\nline \"quoted\" \u{e9}\t"},
            "messages": ["x", "y"]
        });
        assert_eq!(read(&to_xml(&v)), v);
    }

    #[test]
    fn empty_bodies_are_no_body() {
        assert_eq!(from_xml(b""), Ok(None));
        assert_eq!(from_xml(b"   \n"), Ok(None));
        assert_eq!(
            from_xml(b"<?xml version=\"1.0\"?><!-- nothing -->"),
            Ok(None)
        );
    }

    #[test]
    fn malformed_inputs() {
        assert!(matches!(read_err("<opt>"), XmlErrorKind::UnexpectedEnd));
        assert!(matches!(read_err("<opt></other>"), XmlErrorKind::Syntax(_)));
        assert!(matches!(
            read_err("<opt a=\"1\" a=\"2\"/>"),
            XmlErrorKind::Syntax(_)
        ));
        assert!(matches!(
            read_err("<opt a=\"&bogus;\"/>"),
            XmlErrorKind::Syntax(_)
        ));
        assert!(matches!(
            read_err("<opt>&bogus;</opt>"),
            XmlErrorKind::Syntax(_)
        ));
        assert!(matches!(read_err("<a/><b/>"), XmlErrorKind::MultipleRoots));
        assert!(matches!(
            read_err("junk<opt/>"),
            XmlErrorKind::TextOutsideRoot
        ));
        assert!(matches!(
            read_err("<opt/>junk"),
            XmlErrorKind::TextOutsideRoot
        ));
        assert!(matches!(read_err("</opt>"), XmlErrorKind::Syntax(_)));
        assert!(matches!(read_err("<opt a=1/>"), XmlErrorKind::Syntax(_)));
        assert_eq!(
            from_xml(b"<opt a=\"\xff\"/>").err(),
            Some(XmlError {
                kind: XmlErrorKind::InvalidUtf8,
                position: 8
            })
        );
    }

    #[test]
    fn entity_expansion_attacks_are_refused() {
        let bomb = r#"<?xml version="1.0"?>
            <!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>
            <opt a="&lol2;"/>"#;
        assert!(matches!(read_err(bomb), XmlErrorKind::Syntax(_)));
    }

    #[test]
    fn depth_is_bounded() {
        let ok_doc = format!("{}{}", "<a>".repeat(MAX_DEPTH), "</a>".repeat(MAX_DEPTH));
        assert!(from_xml(ok_doc.as_bytes()).is_ok());
        let deep = "<a>".repeat(100_000);
        assert!(matches!(read_err(&deep), XmlErrorKind::TooDeep));
    }

    #[test]
    fn never_panics_on_noise() {
        let alphabet: Vec<char> = "<>/=\"'&;#x!-[]?opt a b CDATA\u{e9}\n".chars().collect();
        let mut seed: u32 = 99;
        for _ in 0..5000 {
            let len = (seed % 40) as usize;
            let s: String = (0..len)
                .map(|_| {
                    seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
                    alphabet[(seed >> 16) as usize % alphabet.len()]
                })
                .collect();
            let _ = from_xml(s.as_bytes());
        }
    }
}
