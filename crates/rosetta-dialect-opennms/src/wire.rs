//! The wire form of OpenNMS entities: one ordered tree that renders to JAXB-style XML (attributes
//! vs elements, `xsd:dateTime`) and to Jackson-style JSON (flat keys, epoch milliseconds), so every
//! entity is described once (spec §2.2–2.5).

use serde_json::{Map, Number, Value};

use crate::datetime::format_xsd_datetime;
use crate::xml::XmlElement;

/// A property value.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    /// Text.
    Str(String),
    /// Integer.
    Int(i64),
    /// Floating point.
    Float(f64),
    /// Boolean.
    Bool(bool),
    /// Epoch milliseconds: a number in JSON, `xsd:dateTime` in XML.
    Time(i64),
    /// A nested object.
    Obj(Obj),
    /// A list: JSON array; in XML every item is an element named after the key, or, with a
    /// wrapper name, items named `wrapper` inside one element named after the key.
    List {
        /// XML item name inside a wrapping element (`parameters` → `parameter`).
        wrapper: Option<&'static str>,
        /// The items.
        items: Vec<Val>,
    },
    /// A JSON string that is a number in JSON (JAXB `@XmlID` ids are strings in JSON).
    IdStr(i64),
}

/// One property of an object.
#[derive(Debug, Clone, PartialEq)]
struct Field {
    key: String,
    attribute: bool,
    value: Val,
}

/// An entity: ordered properties, each an XML attribute or element.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Obj {
    fields: Vec<Field>,
}

impl Obj {
    /// An empty object.
    pub fn new() -> Obj {
        Obj::default()
    }

    /// Adds an XML attribute.
    pub fn attr(mut self, key: &str, value: impl Into<Val>) -> Obj {
        self.fields.push(Field { key: key.to_owned(), attribute: true, value: value.into() });
        self
    }

    /// Adds an XML attribute when `Some` (nulls are omitted).
    pub fn attr_opt<V: Into<Val>>(self, key: &str, value: Option<V>) -> Obj {
        match value {
            Some(value) => self.attr(key, value),
            None => self,
        }
    }

    /// Adds an XML element.
    pub fn elem(mut self, key: &str, value: impl Into<Val>) -> Obj {
        self.fields.push(Field { key: key.to_owned(), attribute: false, value: value.into() });
        self
    }

    /// Adds an XML element when `Some`.
    pub fn elem_opt<V: Into<Val>>(self, key: &str, value: Option<V>) -> Obj {
        match value {
            Some(value) => self.elem(key, value),
            None => self,
        }
    }

    /// Adds a text element unless the text is empty.
    pub fn text_nonempty(self, key: &str, value: &str) -> Obj {
        if value.is_empty() {
            self
        } else {
            self.elem(key, value)
        }
    }

    /// Adds a list element.
    pub fn list(self, key: &str, wrapper: Option<&'static str>, items: Vec<Val>) -> Obj {
        self.elem(key, Val::List { wrapper, items })
    }

    /// The JSON form.
    pub fn to_json(&self) -> Value {
        let mut map = Map::new();
        for field in &self.fields {
            map.insert(field.key.clone(), field.value.to_json());
        }
        Value::Object(map)
    }

    /// The XML form as an element named `name`; times use `offset_secs`.
    pub fn to_xml(&self, name: &str, offset_secs: i32) -> XmlElement {
        let mut element = XmlElement::new(name);
        for field in self.fields.iter().filter(|field| field.attribute) {
            if let Some(text) = field.value.scalar_text(offset_secs) {
                element.push_attr(field.key.clone(), text);
            }
        }
        for field in self.fields.iter().filter(|field| !field.attribute) {
            field.value.push_xml(&field.key, &mut element, offset_secs);
        }
        element
    }
}

impl Val {
    fn to_json(&self) -> Value {
        match self {
            Val::Str(text) => Value::String(text.clone()),
            Val::Int(number) | Val::Time(number) => Value::Number((*number).into()),
            Val::Float(number) => Number::from_f64(*number).map_or(Value::Null, Value::Number),
            Val::Bool(flag) => Value::Bool(*flag),
            Val::Obj(obj) => obj.to_json(),
            Val::List { items, .. } => Value::Array(items.iter().map(Val::to_json).collect()),
            Val::IdStr(id) => Value::String(id.to_string()),
        }
    }

    fn scalar_text(&self, offset_secs: i32) -> Option<String> {
        Some(match self {
            Val::Str(text) => text.clone(),
            Val::Int(number) | Val::IdStr(number) => number.to_string(),
            Val::Float(number) => number.to_string(),
            Val::Bool(flag) => flag.to_string(),
            Val::Time(millis) => format_xsd_datetime(*millis, offset_secs),
            Val::Obj(_) | Val::List { .. } => return None,
        })
    }

    fn push_xml(&self, key: &str, parent: &mut XmlElement, offset_secs: i32) {
        match self {
            Val::Obj(obj) => parent.push_child(obj.to_xml(key, offset_secs)),
            Val::List { wrapper: Some(item), items } => {
                let mut wrapper = XmlElement::new(key);
                for value in items {
                    value.push_xml(item, &mut wrapper, offset_secs);
                }
                parent.push_child(wrapper);
            }
            Val::List { wrapper: None, items } => {
                for value in items {
                    value.push_xml(key, parent, offset_secs);
                }
            }
            scalar => {
                if let Some(text) = scalar.scalar_text(offset_secs) {
                    parent.push_child(XmlElement::new(key).text(text));
                }
            }
        }
    }
}

impl From<String> for Val {
    fn from(value: String) -> Val {
        Val::Str(value)
    }
}

impl From<&str> for Val {
    fn from(value: &str) -> Val {
        Val::Str(value.to_owned())
    }
}

impl From<&String> for Val {
    fn from(value: &String) -> Val {
        Val::Str(value.clone())
    }
}

impl From<i64> for Val {
    fn from(value: i64) -> Val {
        Val::Int(value)
    }
}

impl From<u32> for Val {
    fn from(value: u32) -> Val {
        Val::Int(i64::from(value))
    }
}

impl From<u8> for Val {
    fn from(value: u8) -> Val {
        Val::Int(i64::from(value))
    }
}

impl From<usize> for Val {
    fn from(value: usize) -> Val {
        Val::Int(i64::try_from(value).unwrap_or(i64::MAX))
    }
}

impl From<f64> for Val {
    fn from(value: f64) -> Val {
        Val::Float(value)
    }
}

impl From<bool> for Val {
    fn from(value: bool) -> Val {
        Val::Bool(value)
    }
}

impl From<Obj> for Val {
    fn from(value: Obj) -> Val {
        Val::Obj(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_and_elements_split_in_xml_and_merge_in_json() {
        let category = Obj::new().attr("id", 2i64).attr("name", "Servers").list("authorizedGroups", None, vec![]);
        let node = Obj::new().attr("id", Val::IdStr(1)).attr("label", "web01").elem("createTime", Val::Time(0)).list(
            "categories",
            None,
            vec![Val::Obj(category)],
        );
        let xml = node.to_xml("node", 0).to_xml();
        assert_eq!(
            xml,
            r#"<node id="1" label="web01"><createTime>1970-01-01T00:00:00.000+00:00</createTime><categories id="2" name="Servers"/></node>"#
        );
        let json = node.to_json();
        assert_eq!(json["id"], "1");
        assert_eq!(json["createTime"], 0);
        assert_eq!(json["categories"][0]["authorizedGroups"], serde_json::json!([]));
    }

    #[test]
    fn wrapped_lists_nest_in_xml() {
        let parameter = Obj::new().attr("name", "a").attr("value", "b");
        let alarm = Obj::new().list("parameters", Some("parameter"), vec![Val::Obj(parameter)]);
        assert_eq!(
            alarm.to_xml("alarm", 0).to_xml(),
            r#"<alarm><parameters><parameter name="a" value="b"/></parameters></alarm>"#
        );
    }
}
