//! XML helpers: a JAXB-style element builder/writer for responses and a lenient, bounded
//! reader that turns a request body into a namespace-free tree.

use std::collections::BTreeMap;
use std::fmt::{Display, Write as _};

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use thiserror::Error;

/// The declaration JAXB writes before every document.
pub const XML_HEADER: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#;

/// An element under construction: attributes in insertion order, then mixed content.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct XmlElement {
    name: String,
    attributes: Vec<(String, String)>,
    content: Vec<Content>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Content {
    Element(XmlElement),
    Text(String),
}

impl XmlElement {
    /// A new empty element named `name` (names are trusted, not validated).
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            attributes: Vec::new(),
            content: Vec::new(),
        }
    }

    /// Adds a default namespace declaration (`xmlns="…"`).
    pub fn xmlns(self, uri: impl Display) -> Self {
        self.attr("xmlns", uri)
    }

    /// Adds an attribute.
    pub fn attr(mut self, name: impl Into<String>, value: impl Display) -> Self {
        self.push_attr(name, value);
        self
    }

    /// Adds an attribute only when `value` is `Some` (JAXB omits null properties).
    pub fn attr_opt<T: Display>(mut self, name: impl Into<String>, value: Option<T>) -> Self {
        if let Some(value) = value {
            self.push_attr(name, value);
        }
        self
    }

    /// Appends a child element.
    pub fn child(mut self, child: XmlElement) -> Self {
        self.push_child(child);
        self
    }

    /// Appends a child element when `Some`.
    pub fn child_opt(mut self, child: Option<XmlElement>) -> Self {
        if let Some(child) = child {
            self.push_child(child);
        }
        self
    }

    /// Appends every element of `children`.
    pub fn children(mut self, children: impl IntoIterator<Item = XmlElement>) -> Self {
        self.content
            .extend(children.into_iter().map(Content::Element));
        self
    }

    /// Appends text content.
    pub fn text(mut self, text: impl Display) -> Self {
        self.push_text(text);
        self
    }

    /// Appends `<name>value</name>`.
    pub fn text_element(self, name: impl Into<String>, value: impl Display) -> Self {
        self.child(XmlElement::new(name).text(value))
    }

    /// Appends `<name>value</name>` only when `value` is `Some`.
    pub fn text_element_opt<T: Display>(self, name: impl Into<String>, value: Option<T>) -> Self {
        match value {
            Some(value) => self.text_element(name, value),
            None => self,
        }
    }

    /// Adds an attribute in place.
    pub fn push_attr(&mut self, name: impl Into<String>, value: impl Display) {
        self.attributes.push((name.into(), value.to_string()));
    }

    /// Appends a child element in place.
    pub fn push_child(&mut self, child: XmlElement) {
        self.content.push(Content::Element(child));
    }

    /// Appends text content in place.
    pub fn push_text(&mut self, text: impl Display) {
        self.content.push(Content::Text(text.to_string()));
    }

    /// The element name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Serialises the element (no declaration) onto `out`.
    pub fn write(&self, out: &mut String) {
        out.push('<');
        out.push_str(&self.name);
        for (name, value) in &self.attributes {
            out.push(' ');
            out.push_str(name);
            out.push_str("=\"");
            escape_into(out, value, true);
            out.push('"');
        }
        if self.content.is_empty() {
            out.push_str("/>");
            return;
        }
        out.push('>');
        for item in &self.content {
            match item {
                Content::Element(child) => child.write(out),
                Content::Text(text) => escape_into(out, text, false),
            }
        }
        out.push_str("</");
        out.push_str(&self.name);
        out.push('>');
    }

    /// The element as an XML fragment.
    pub fn to_xml(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    /// The element as a document preceded by [`XML_HEADER`].
    pub fn to_document(&self) -> String {
        let mut out = String::from(XML_HEADER);
        self.write(&mut out);
        out
    }
}

/// Whether `c` may appear in an XML 1.0 document.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\u{9}' | '\u{A}' | '\u{D}' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Escapes markup characters; characters XML 1.0 forbids become U+FFFD. In attributes,
/// whitespace controls are written as character references so they survive normalisation.
pub(crate) fn escape_into(out: &mut String, text: &str, attribute: bool) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\r' => out.push_str("&#13;"),
            '\n' | '\t' if attribute => {
                let _ = write!(out, "&#{};", u32::from(c));
            }
            c if is_xml_char(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
}

/// Escapes text for use as XML character data.
pub fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(&mut out, text, false);
    out
}

/// Escapes text for use inside a double-quoted attribute value.
pub fn escape_attribute(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(&mut out, text, true);
    out
}

/// A parsed element: local name (prefix stripped), attributes by local name (namespace
/// declarations dropped), child elements, and the concatenated text and CDATA it contains.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct XmlNode {
    /// Local name.
    pub name: String,
    /// Attributes by local name; on a clash after stripping prefixes the first wins.
    pub attributes: BTreeMap<String, String>,
    /// Child elements in document order.
    pub children: Vec<XmlNode>,
    /// All direct text (entities resolved), untrimmed.
    pub text: String,
}

impl XmlNode {
    /// An attribute by exact local name.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.get(name).map(String::as_str)
    }

    /// An attribute by local name, ignoring ASCII case.
    pub fn attribute_ignore_case(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// The first child with exactly this local name.
    pub fn child(&self, name: &str) -> Option<&XmlNode> {
        self.children.iter().find(|child| child.name == name)
    }

    /// The first child with this local name, ignoring ASCII case.
    pub fn child_ignore_case(&self, name: &str) -> Option<&XmlNode> {
        self.children
            .iter()
            .find(|child| child.name.eq_ignore_ascii_case(name))
    }

    /// Every child with this local name, ignoring ASCII case.
    pub fn children_ignore_case<'a>(
        &'a self,
        name: &'a str,
    ) -> impl Iterator<Item = &'a XmlNode> + 'a {
        self.children
            .iter()
            .filter(move |child| child.name.eq_ignore_ascii_case(name))
    }

    /// The trimmed text of the first child with this local name (ASCII case ignored).
    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.child_ignore_case(name).map(|child| child.text.trim())
    }
}

/// Bounds applied while reading untrusted XML.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct XmlLimits {
    /// Largest accepted body, in bytes.
    pub max_bytes: usize,
    /// Deepest accepted element nesting (the root is depth 1).
    pub max_depth: usize,
    /// Most elements accepted in one document.
    pub max_elements: usize,
}

impl Default for XmlLimits {
    fn default() -> Self {
        Self {
            max_bytes: 4 * 1024 * 1024,
            max_depth: 64,
            max_elements: 100_000,
        }
    }
}

/// Why a body could not be read as XML (maps to HTTP 400).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum XmlError {
    /// Larger than [`XmlLimits::max_bytes`].
    #[error("XML body larger than {0} bytes")]
    TooLarge(usize),
    /// Nested deeper than [`XmlLimits::max_depth`].
    #[error("XML nested deeper than {0} elements")]
    TooDeep(usize),
    /// More elements than [`XmlLimits::max_elements`].
    #[error("XML has more than {0} elements")]
    TooManyElements(usize),
    /// The body is not UTF-8.
    #[error("XML body is not valid UTF-8")]
    InvalidUtf8,
    /// No root element.
    #[error("XML body has no root element")]
    NoRoot,
    /// Content after the root element closed, or text outside it.
    #[error("XML body has content outside the root element")]
    OutsideRoot,
    /// Malformed XML.
    #[error("Malformed XML: {0}")]
    Syntax(String),
}

/// Reads `body` into a tree with the default [`XmlLimits`].
pub fn parse_xml(body: &[u8]) -> Result<XmlNode, XmlError> {
    parse_xml_with_limits(body, &XmlLimits::default())
}

/// Reads `body` into a tree, enforcing `limits`. Namespaces are ignored: prefixes are
/// stripped from element and attribute names and `xmlns` declarations are dropped.
pub fn parse_xml_with_limits(body: &[u8], limits: &XmlLimits) -> Result<XmlNode, XmlError> {
    if body.len() > limits.max_bytes {
        return Err(XmlError::TooLarge(limits.max_bytes));
    }
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let text = std::str::from_utf8(body).map_err(|_| XmlError::InvalidUtf8)?;
    let mut reader = Reader::from_str(text);
    let syntax = |error: &dyn Display| XmlError::Syntax(error.to_string());

    let mut stack: Vec<XmlNode> = Vec::new();
    let mut root: Option<XmlNode> = None;
    let mut elements = 0usize;
    loop {
        let event = reader.read_event().map_err(|e| syntax(&e))?;
        match event {
            Event::Start(_) | Event::Empty(_) if root.is_some() => {
                return Err(XmlError::OutsideRoot);
            }
            Event::Start(start) => {
                elements += 1;
                if elements > limits.max_elements {
                    return Err(XmlError::TooManyElements(limits.max_elements));
                }
                if stack.len() >= limits.max_depth {
                    return Err(XmlError::TooDeep(limits.max_depth));
                }
                stack.push(node_from_start(&start)?);
            }
            Event::Empty(start) => {
                elements += 1;
                if elements > limits.max_elements {
                    return Err(XmlError::TooManyElements(limits.max_elements));
                }
                if stack.len() >= limits.max_depth {
                    return Err(XmlError::TooDeep(limits.max_depth));
                }
                let node = node_from_start(&start)?;
                attach(&mut stack, &mut root, node);
            }
            Event::End(_) => {
                let node = stack
                    .pop()
                    .ok_or_else(|| XmlError::Syntax("unexpected closing tag".to_owned()))?;
                attach(&mut stack, &mut root, node);
            }
            Event::Text(content) => {
                let unescaped = content.unescape().map_err(|e| syntax(&e))?;
                match stack.last_mut() {
                    Some(parent) => parent.text.push_str(&unescaped),
                    None if unescaped.trim().is_empty() => {}
                    None => return Err(XmlError::OutsideRoot),
                }
            }
            Event::CData(content) => {
                let raw =
                    std::str::from_utf8(content.as_ref()).map_err(|_| XmlError::InvalidUtf8)?;
                match stack.last_mut() {
                    Some(parent) => parent.text.push_str(raw),
                    None => return Err(XmlError::OutsideRoot),
                }
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if !stack.is_empty() {
        return Err(XmlError::Syntax(
            "unclosed element at end of input".to_owned(),
        ));
    }
    root.ok_or(XmlError::NoRoot)
}

fn attach(stack: &mut [XmlNode], root: &mut Option<XmlNode>, node: XmlNode) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(node),
        None => *root = Some(node),
    }
}

fn node_from_start(start: &BytesStart<'_>) -> Result<XmlNode, XmlError> {
    let name = utf8(start.local_name().as_ref())?.to_owned();
    let mut attributes = BTreeMap::new();
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|e| XmlError::Syntax(e.to_string()))?;
        if attribute.key.as_namespace_binding().is_some() {
            continue;
        }
        let key = utf8(attribute.key.local_name().as_ref())?.to_owned();
        let value = attribute
            .unescape_value()
            .map_err(|e| XmlError::Syntax(e.to_string()))?
            .into_owned();
        attributes.entry(key).or_insert(value);
    }
    Ok(XmlNode {
        name,
        attributes,
        children: Vec::new(),
        text: String::new(),
    })
}

fn utf8(bytes: &[u8]) -> Result<&str, XmlError> {
    std::str::from_utf8(bytes).map_err(|_| XmlError::InvalidUtf8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_jaxb_style_documents() {
        let doc = XmlElement::new("nodes")
            .attr("count", 1)
            .attr("totalCount", 1)
            .attr("offset", 0)
            .child(
                XmlElement::new("node")
                    .attr("type", "A")
                    .attr("id", "1")
                    .attr_opt("foreignSource", None::<&str>)
                    .attr_opt("label", Some("web01"))
                    .child(
                        XmlElement::new("categories")
                            .attr("id", 2)
                            .attr("name", "Servers"),
                    )
                    .text_element("location", "Default")
                    .text_element_opt("sysContact", None::<String>),
            )
            .to_document();
        assert_eq!(
            doc,
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
             <nodes count=\"1\" totalCount=\"1\" offset=\"0\">\
             <node type=\"A\" id=\"1\" label=\"web01\">\
             <categories id=\"2\" name=\"Servers\"/>\
             <location>Default</location></node></nodes>"
        );
    }

    #[test]
    fn writes_namespace_children_and_in_place_pushes() {
        let mut root = XmlElement::new("model-import")
            .xmlns("http://xmlns.opennms.org/xsd/config/model-import")
            .children((0..2).map(|i| XmlElement::new("node").attr("foreign-id", i)));
        root.push_attr("foreign-source", "Servers");
        root.push_child(XmlElement::new("empty"));
        assert_eq!(root.name(), "model-import");
        assert_eq!(
            root.to_xml(),
            "<model-import xmlns=\"http://xmlns.opennms.org/xsd/config/model-import\" \
             foreign-source=\"Servers\"><node foreign-id=\"0\"/><node foreign-id=\"1\"/>\
             <empty/></model-import>"
        );
    }

    #[test]
    fn escapes_text_and_attributes() {
        let xml = XmlElement::new("a")
            .attr("v", "x\"<&>'\n\t\r")
            .text("1 < 2 && \"q\" > 'p'\u{0}\u{1F}\r\n")
            .to_xml();
        assert_eq!(
            xml,
            "<a v=\"x&quot;&lt;&amp;&gt;'&#10;&#9;&#13;\">1 &lt; 2 &amp;&amp; \"q\" &gt; 'p'\u{FFFD}\u{FFFD}&#13;\n</a>"
        );
        assert_eq!(escape_text("ü€😀"), "ü€😀");
        assert_eq!(escape_attribute("\u{FFFF}"), "\u{FFFD}");
        let parsed = parse_xml(xml.as_bytes()).expect("round trip");
        assert_eq!(parsed.attribute("v"), Some("x\"<&>'\n\t\r"));
        assert_eq!(parsed.text, "1 < 2 && \"q\" > 'p'\u{FFFD}\u{FFFD}\r\n");
    }

    #[test]
    fn reads_with_and_without_namespaces() {
        let with_ns = br#"<?xml version="1.0" encoding="UTF-8"?>
            <e:event xmlns:e="http://xmlns.opennms.org/xsd/event" xmlns:x="urn:x" x:id="7">
              <e:uei>uei.opennms.org/test</e:uei>
              <e:parms><e:parm><e:parmName>k</e:parmName><e:value type="string">v &amp; w</e:value></e:parm></e:parms>
            </e:event>"#;
        let plain = br#"<event xmlns="http://xmlns.opennms.org/xsd/event" id="7"><uei>uei.opennms.org/test</uei><parms><parm><parmName>k</parmName><value type="string">v &amp; w</value></parm></parms></event>"#;
        for body in [&with_ns[..], &plain[..]] {
            let root = parse_xml(body).expect("parses");
            assert_eq!(root.name, "event");
            assert_eq!(root.attribute("id"), Some("7"));
            assert_eq!(root.attributes.len(), 1);
            assert_eq!(root.child_text("UEI"), Some("uei.opennms.org/test"));
            let parm = root
                .child("parms")
                .and_then(|parms| parms.children_ignore_case("parm").next())
                .expect("parm");
            let value = parm.child("value").expect("value");
            assert_eq!(value.text, "v & w");
            assert_eq!(value.attribute_ignore_case("TYPE"), Some("string"));
        }
    }

    #[test]
    fn reads_cdata_comments_bom_and_char_refs() {
        let body = "\u{FEFF}<!-- c --><a><![CDATA[<raw>&]]>&#65;&#x42;<!-- inner --></a>";
        let root = parse_xml(body.as_bytes()).expect("parses");
        assert_eq!(root.text, "<raw>&AB");
    }

    #[test]
    fn rejects_malformed_documents() {
        type Check = fn(&XmlError) -> bool;
        let cases: [(&[u8], Check); 12] = [
            (b"", |e| *e == XmlError::NoRoot),
            (b"   ", |e| *e == XmlError::NoRoot),
            (b"<a>", |e| matches!(e, XmlError::Syntax(_))),
            (b"<a></b>", |e| matches!(e, XmlError::Syntax(_))),
            (b"</a>", |e| matches!(e, XmlError::Syntax(_))),
            (b"<a/><b/>", |e| *e == XmlError::OutsideRoot),
            (b"text<a/>", |e| *e == XmlError::OutsideRoot),
            (b"<a/>text", |e| *e == XmlError::OutsideRoot),
            (b"<a>&nbsp;</a>", |e| matches!(e, XmlError::Syntax(_))),
            (b"<a x=\"1\" x=\"2\"/>", |e| {
                matches!(e, XmlError::Syntax(_))
            }),
            (b"<a>\xff</a>", |e| *e == XmlError::InvalidUtf8),
            (b"<a x=1/>", |e| matches!(e, XmlError::Syntax(_))),
        ];
        for (body, check) in cases {
            let result = parse_xml(body);
            let error = result.expect_err(&String::from_utf8_lossy(body));
            assert!(
                check(&error),
                "{:?} gave {error:?}",
                String::from_utf8_lossy(body)
            );
        }
    }

    #[test]
    fn enforces_limits() {
        let limits = XmlLimits {
            max_bytes: 1000,
            max_depth: 3,
            max_elements: 5,
        };
        assert_eq!(
            parse_xml_with_limits(b"<a><b><c/></b></a>", &limits).map(|n| n.name),
            Ok("a".to_owned())
        );
        assert_eq!(
            parse_xml_with_limits(b"<a><b><c><d/></c></b></a>", &limits),
            Err(XmlError::TooDeep(3))
        );
        assert_eq!(
            parse_xml_with_limits(b"<a><b/><b/><b/><b/><b/></a>", &limits),
            Err(XmlError::TooManyElements(5))
        );
        assert_eq!(
            parse_xml_with_limits(&[b' '; 1001], &limits),
            Err(XmlError::TooLarge(1000))
        );
        let deep = "<a>".repeat(100_000);
        assert!(matches!(
            parse_xml(deep.as_bytes()),
            Err(XmlError::TooDeep(64))
        ));
    }

    #[test]
    fn never_panics_on_fragments() {
        let pieces = [
            "<",
            ">",
            "/",
            "a",
            "=",
            "\"",
            "&",
            ";",
            "<!--",
            "-->",
            "<![CDATA[",
            "]]>",
            "é",
            "<?",
            "?>",
            " ",
            "x:",
        ];
        let mut seed: u32 = 42;
        for _ in 0..5000 {
            let mut text = String::new();
            for _ in 0..(seed % 16) {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                text.push_str(pieces[(seed >> 16) as usize % pieces.len()]);
            }
            let _ = parse_xml(text.as_bytes());
        }
    }
}
