//! Streaming wire output. An entity describes its properties once, to an [`Emit`] target: a [`Writer`]
//! puts them straight into a JSON or XML response buffer (no tree, no per-field allocation), an
//! [`ObjBuilder`] collects them as a [`wire::Obj`](crate::wire::Obj) for the code that composes trees.
//! Both give the same bytes as the [`Obj`] rendering (the attributes of an object come before its
//! elements, as JAXB writes them).

use rosetta_core::escape::{clean_run, json_escapes, ByteSet};

use crate::datetime::write_xsd_datetime;
use crate::negotiate::Format;
use crate::wire::{Obj, Val};
use crate::xml::{escape_into, XML_HEADER};

/// A scalar property value, borrowed from the stored object.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scalar<'a> {
    /// Text.
    Str(&'a str),
    /// Integer.
    Int(i64),
    /// Epoch milliseconds: a number in JSON, `xsd:dateTime` in XML.
    Time(i64),
}

/// Where an entity writes its properties. In an object, attributes come before elements.
pub trait Emit: Sized {
    /// An XML attribute (a JSON property).
    fn attr(&mut self, key: &'static str, value: Scalar<'_>);

    /// An XML element with text (a JSON property).
    fn elem(&mut self, key: &'static str, value: Scalar<'_>);

    /// A nested object, described by `body`.
    fn object(&mut self, key: &'static str, body: impl FnOnce(&mut Self));

    /// A list of objects, each described by `item`: a JSON array; in XML one element per item named
    /// `key`, or with a `wrapper`, items named `wrapper` inside one element named `key`.
    fn list<T>(&mut self, key: &'static str, wrapper: Option<&'static str>, items: &[T], item: impl FnMut(&mut Self, &T));

    /// An element when `Some` (nulls are omitted).
    fn elem_opt<'v>(&mut self, key: &'static str, value: Option<impl Into<Scalar<'v>>>) {
        if let Some(value) = value {
            self.elem(key, value.into());
        }
    }

    /// A text element unless the text is empty.
    fn text_nonempty(&mut self, key: &'static str, text: &str) {
        if !text.is_empty() {
            self.elem(key, Scalar::Str(text));
        }
    }
}

impl<'a> From<&'a str> for Scalar<'a> {
    fn from(text: &'a str) -> Scalar<'a> {
        Scalar::Str(text)
    }
}

impl<'a> From<&'a String> for Scalar<'a> {
    fn from(text: &'a String) -> Scalar<'a> {
        Scalar::Str(text)
    }
}

impl From<i64> for Scalar<'_> {
    fn from(number: i64) -> Self {
        Scalar::Int(number)
    }
}

impl From<u32> for Scalar<'_> {
    fn from(number: u32) -> Self {
        Scalar::Int(i64::from(number))
    }
}

impl From<u8> for Scalar<'_> {
    fn from(number: u8) -> Self {
        Scalar::Int(i64::from(number))
    }
}

impl From<usize> for Scalar<'_> {
    fn from(number: usize) -> Self {
        Scalar::Int(i64::try_from(number).unwrap_or(i64::MAX))
    }
}

/// Writes a JSON or XML body into one buffer as an entity describes itself.
#[derive(Debug)]
pub struct Writer {
    out: String,
    format: Format,
    /// XML time offset.
    offset_secs: i32,
    /// One per open object: in JSON whether it has a property yet; in XML its name and whether its
    /// start tag is still open (no content yet).
    frames: Vec<Frame>,
}

#[derive(Debug)]
struct Frame {
    name: &'static str,
    /// JSON: no property written yet. XML: start tag not closed yet.
    fresh: bool,
}

impl Writer {
    /// A writer for `format` (XML starts with the declaration); XML times use `offset_secs`.
    pub fn new(format: Format, offset_secs: i32) -> Writer {
        let mut out = String::with_capacity(16 * 1024);
        if format == Format::Xml {
            out.push_str(XML_HEADER);
        }
        Writer { out, format, offset_secs, frames: Vec::new() }
    }

    /// The format written.
    pub fn format(&self) -> Format {
        self.format
    }

    /// Opens the top-level object (the XML root element `name`).
    pub fn begin(&mut self, name: &'static str) {
        self.open(name);
    }

    /// Closes the object opened last.
    pub fn end(&mut self) {
        self.close();
    }

    /// A JSON array property or a run of XML elements named `name` (no wrapper): each call of
    /// `item` describes one object.
    pub fn items<T>(&mut self, name: &'static str, items: &[T], item: impl FnMut(&mut Writer, &T)) {
        self.list(name, None, items, item);
    }

    /// The body written.
    pub fn finish(self) -> String {
        self.out
    }

    fn open(&mut self, name: &'static str) {
        match self.format {
            Format::Json => self.out.push('{'),
            Format::Xml => {
                self.out.push('<');
                self.out.push_str(name);
            }
        }
        self.frames.push(Frame { name, fresh: true });
    }

    fn close(&mut self) {
        let Some(frame) = self.frames.pop() else { return };
        match self.format {
            Format::Json => self.out.push('}'),
            Format::Xml if frame.fresh => self.out.push_str("/>"),
            Format::Xml => {
                self.out.push_str("</");
                self.out.push_str(frame.name);
                self.out.push('>');
            }
        }
    }

    /// JSON: the separator and the key of the next property.
    fn key(&mut self, key: &str) {
        if let Some(frame) = self.frames.last_mut() {
            if !std::mem::replace(&mut frame.fresh, false) {
                self.out.push(',');
            }
        }
        self.out.push('"');
        self.out.push_str(key);
        self.out.push_str("\":");
    }

    /// XML: ends the start tag of the current element before its first content.
    fn content(&mut self) {
        if let Some(frame) = self.frames.last_mut() {
            if std::mem::replace(&mut frame.fresh, false) {
                self.out.push('>');
            }
        }
    }

    fn json_scalar(&mut self, value: Scalar<'_>) {
        match value {
            Scalar::Str(text) => json_string(&mut self.out, text),
            Scalar::Int(number) | Scalar::Time(number) => self.out.push_str(itoa::Buffer::new().format(number)),
        }
    }

    fn xml_scalar(&mut self, value: Scalar<'_>, attribute: bool) {
        match value {
            Scalar::Str(text) => escape_into(&mut self.out, text, attribute),
            Scalar::Int(number) => self.out.push_str(itoa::Buffer::new().format(number)),
            Scalar::Time(millis) => write_xsd_datetime(&mut self.out, millis, self.offset_secs),
        }
    }
}

impl Emit for Writer {
    fn attr(&mut self, key: &'static str, value: Scalar<'_>) {
        match self.format {
            Format::Json => {
                self.key(key);
                self.json_scalar(value);
            }
            Format::Xml => {
                debug_assert!(self.frames.last().is_some_and(|frame| frame.fresh), "attribute {key} after content");
                self.out.push(' ');
                self.out.push_str(key);
                self.out.push_str("=\"");
                self.xml_scalar(value, true);
                self.out.push('"');
            }
        }
    }

    fn elem(&mut self, key: &'static str, value: Scalar<'_>) {
        match self.format {
            Format::Json => {
                self.key(key);
                self.json_scalar(value);
            }
            Format::Xml => {
                self.content();
                self.out.push('<');
                self.out.push_str(key);
                self.out.push('>');
                self.xml_scalar(value, false);
                self.out.push_str("</");
                self.out.push_str(key);
                self.out.push('>');
            }
        }
    }

    fn object(&mut self, key: &'static str, body: impl FnOnce(&mut Self)) {
        match self.format {
            Format::Json => self.key(key),
            Format::Xml => self.content(),
        }
        self.open(key);
        body(self);
        self.close();
    }

    fn list<T>(&mut self, key: &'static str, wrapper: Option<&'static str>, items: &[T], mut item: impl FnMut(&mut Self, &T)) {
        match (self.format, wrapper) {
            (Format::Json, _) => {
                self.key(key);
                self.out.push('[');
                for (index, value) in items.iter().enumerate() {
                    if index > 0 {
                        self.out.push(',');
                    }
                    self.open(key);
                    item(self, value);
                    self.close();
                }
                self.out.push(']');
            }
            (Format::Xml, Some(wrapper)) => {
                self.content();
                self.open(key);
                for value in items {
                    self.content();
                    self.open(wrapper);
                    item(self, value);
                    self.close();
                }
                self.close();
            }
            (Format::Xml, None) => {
                for value in items {
                    self.content();
                    self.open(key);
                    item(self, value);
                    self.close();
                }
            }
        }
    }
}

/// Writes `text` as a JSON string, escaped exactly as `serde_json` does (quote, backslash and control
/// characters; everything else as is).
fn json_string(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    /// Controls, `"` and `\\`: what JSON strings escape.
    const ESCAPED: ByteSet = json_escapes(b"", false);
    out.push('"');
    let bytes = text.as_bytes();
    let mut at = 0;
    loop {
        let run = clean_run(&bytes[at..], &ESCAPED);
        out.push_str(&text[at..at + run]);
        at += run;
        let Some(&byte) = bytes.get(at) else { break };
        match byte {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\x08' => out.push_str("\\b"),
            b'\x0c' => out.push_str("\\f"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            _ => {
                out.push_str("\\u00");
                out.push(char::from(HEX[usize::from(byte >> 4)]));
                out.push(char::from(HEX[usize::from(byte & 0xf)]));
            }
        }
        at += 1;
    }
    out.push('"');
}

/// Collects what an entity emits as a [`wire::Obj`](crate::wire::Obj).
#[derive(Debug, Default)]
pub struct ObjBuilder {
    obj: Obj,
}

impl ObjBuilder {
    /// The object `body` describes.
    pub fn build(body: impl FnOnce(&mut ObjBuilder)) -> Obj {
        let mut builder = ObjBuilder::default();
        body(&mut builder);
        builder.obj
    }
}

fn val(value: Scalar<'_>) -> Val {
    match value {
        Scalar::Str(text) => Val::Str(text.to_owned()),
        Scalar::Int(number) => Val::Int(number),
        Scalar::Time(millis) => Val::Time(millis),
    }
}

impl Emit for ObjBuilder {
    fn attr(&mut self, key: &'static str, value: Scalar<'_>) {
        self.obj = std::mem::take(&mut self.obj).attr(key, val(value));
    }

    fn elem(&mut self, key: &'static str, value: Scalar<'_>) {
        self.obj = std::mem::take(&mut self.obj).elem(key, val(value));
    }

    fn object(&mut self, key: &'static str, body: impl FnOnce(&mut Self)) {
        let nested = ObjBuilder::build(body);
        self.obj = std::mem::take(&mut self.obj).elem(key, nested);
    }

    fn list<T>(&mut self, key: &'static str, wrapper: Option<&'static str>, items: &[T], mut item: impl FnMut(&mut Self, &T)) {
        let values = items.iter().map(|value| Val::Obj(ObjBuilder::build(|builder| item(builder, value)))).collect();
        self.obj = std::mem::take(&mut self.obj).list(key, wrapper, values);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample<E: Emit>(emit: &mut E) {
        emit.attr("id", Scalar::Int(7));
        emit.attr("label", Scalar::Str("a \"b\" & <c>\n"));
        emit.elem("time", Scalar::Time(1_700_000_000_123));
        emit.elem("empty", Scalar::Str(""));
        emit.text_nonempty("skipped", "");
        emit.object("inner", |emit| {
            emit.attr("id", Scalar::Int(1));
            emit.elem("name", Scalar::Str("x\ty\u{1}z\u{7f}é"));
        });
        emit.object("bare", |_| {});
        emit.list("parameters", Some("parameter"), &["p", "q"], |emit, name| emit.attr("name", Scalar::Str(name)));
        emit.list("none", Some("item"), &[] as &[&str], |_, _| {});
        emit.list("each", None, &[1, 2], |emit, n| emit.attr("n", Scalar::Int(*n)));
    }

    #[test]
    fn the_writer_matches_the_tree_rendering_in_both_formats() {
        let obj = ObjBuilder::build(sample);
        let mut json = Writer::new(Format::Json, 0);
        json.begin("thing");
        sample(&mut json);
        json.end();
        assert_eq!(json.finish(), serde_json::to_string(&obj.to_json()).expect("json"));
        let mut xml = Writer::new(Format::Xml, 3600);
        xml.begin("thing");
        sample(&mut xml);
        xml.end();
        assert_eq!(xml.finish(), obj.to_xml("thing", 3600).to_document());
    }

    #[test]
    fn json_strings_escape_like_serde_json() {
        let text: String = (0u32..0x80).filter_map(char::from_u32).chain("é€😀\u{2028}".chars()).collect();
        let mut out = String::new();
        json_string(&mut out, &text);
        assert_eq!(out, serde_json::to_string(&text).expect("json"));
        let clean = "abcdefghijklmnopqrstuvwxyz0123456789 .:-_ABC";
        for at in 0..=clean.len() {
            for special in ["\"", "\\", "\n", "\u{1}", "é"] {
                let text = format!("{}{special}{}", &clean[..at], &clean[at..]);
                out.clear();
                json_string(&mut out, &text);
                assert_eq!(out, serde_json::to_string(&text).expect("json"), "{special:?} at {at}");
            }
        }
    }
}
