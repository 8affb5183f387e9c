//! Lenient parsing of an event posted to `/rest/events` or `/api/v2/events` (spec §4.4).
//!
//! XML (`<event>` with or without `xmlns="http://xmlns.opennms.org/xsd/event"`, any prefix) and
//! JSON (keys in any case, `nodeid`/`nodeId`, `parms` values as strings or
//! `{"value","type","encoding"}` objects, an optional `{"event": {…}}` wrapper) are accepted.
//! The format is sniffed from the first non-blank byte, so a wrong `Content-Type` is harmless.
//! Text fields are trimmed and blank ones become `None`; parm values are kept verbatim
//! (including any base64 encoding, which is not decoded). Defaults (`source` = `ReST`,
//! `time` = now) are the caller's business.

use serde_json::{Map, Value};
use thiserror::Error;

use crate::datetime::parse_datetime;
use crate::severity::severity_label;
use crate::xml::{parse_xml_with_limits, XmlError, XmlLimits, XmlNode};

/// Largest accepted event body, in bytes.
pub const MAX_EVENT_BYTES: usize = 1024 * 1024;

/// An event as posted by a client, before defaults are applied.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PostedEvent {
    /// Event UEI (required).
    pub uei: String,
    /// Sending component (`source`).
    pub source: Option<String>,
    /// Event time in epoch milliseconds.
    pub time: Option<i64>,
    /// Originating host.
    pub host: Option<String>,
    /// Node id (`nodeid` / `nodeId`).
    pub node_id: Option<i64>,
    /// Interface IP address.
    pub interface: Option<String>,
    /// Service name.
    pub service: Option<String>,
    /// SNMP interface index.
    pub if_index: Option<i64>,
    /// Description.
    pub descr: Option<String>,
    /// Log message.
    pub logmsg: Option<String>,
    /// Operator instructions.
    pub operinstruct: Option<String>,
    /// Severity as sent (`Major`, `MAJOR`; numeric ids are turned into labels).
    pub severity: Option<String>,
    /// Parameters as `(parmName, value)` in order.
    pub parms: Vec<(String, String)>,
}

/// Why an event body was rejected (maps to HTTP 400).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EventBodyError {
    /// The body is empty or blank.
    #[error("Event body is empty")]
    Empty,
    /// The body exceeds [`MAX_EVENT_BYTES`].
    #[error("Event body larger than {MAX_EVENT_BYTES} bytes")]
    TooLarge,
    /// The body starts with neither `<` nor `{`.
    #[error("Event body is neither XML nor JSON")]
    UnknownFormat,
    /// Malformed JSON.
    #[error("Invalid event JSON: {0}")]
    Json(String),
    /// Malformed XML.
    #[error("Invalid event XML: {0}")]
    Xml(#[from] XmlError),
    /// Well-formed but not an event (wrong root element or JSON type).
    #[error("Not an event: {0}")]
    NotAnEvent(String),
    /// No (or a blank) `uei`.
    #[error("Event has no uei")]
    MissingUei,
    /// A field whose value cannot be understood.
    #[error("Invalid value {value:?} for event field {field:?}")]
    InvalidField {
        /// Field name.
        field: &'static str,
        /// Offending value as text.
        value: String,
    },
}

/// Parses an event body, sniffing XML or JSON from its first non-blank byte.
pub fn parse_event(body: &[u8]) -> Result<PostedEvent, EventBodyError> {
    if body.len() > MAX_EVENT_BYTES {
        return Err(EventBodyError::TooLarge);
    }
    let trimmed = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    match trimmed.iter().find(|b| !b.is_ascii_whitespace()) {
        None => Err(EventBodyError::Empty),
        Some(b'<') => parse_event_xml(body),
        Some(b'{') => parse_event_json(trimmed),
        Some(_) => Err(EventBodyError::UnknownFormat),
    }
}

/// Parses an XML event body.
pub fn parse_event_xml(body: &[u8]) -> Result<PostedEvent, EventBodyError> {
    let limits = XmlLimits {
        max_bytes: MAX_EVENT_BYTES,
        ..XmlLimits::default()
    };
    let root = parse_xml_with_limits(body, &limits)?;
    if !root.name.eq_ignore_ascii_case("event") {
        return Err(EventBodyError::NotAnEvent(format!(
            "root element is <{}>, expected <event>",
            root.name
        )));
    }
    let text = |name: &str| {
        root.child_text(name)
            .filter(|value| !value.is_empty())
            .map(str::to_owned)
    };
    let uei = text("uei").ok_or(EventBodyError::MissingUei)?;
    let parms = root
        .children_ignore_case("parms")
        .flat_map(|parms| parms.children_ignore_case("parm"))
        .filter_map(xml_parm)
        .collect();
    Ok(PostedEvent {
        uei,
        source: text("source"),
        time: text("time").map(|t| time_field(&t)).transpose()?,
        host: text("host"),
        node_id: text("nodeid")
            .map(|v| integer_field("nodeid", &v))
            .transpose()?,
        interface: text("interface"),
        service: text("service"),
        if_index: text("ifIndex")
            .map(|v| integer_field("ifIndex", &v))
            .transpose()?,
        descr: text("descr"),
        logmsg: text("logmsg"),
        operinstruct: text("operinstruct"),
        severity: text("severity").map(|s| normalise_severity(&s)),
        parms,
    })
}

fn xml_parm(parm: &XmlNode) -> Option<(String, String)> {
    let name = parm
        .child_text("parmName")
        .filter(|name| !name.is_empty())?;
    let value = parm
        .child_ignore_case("value")
        .map(|value| value.text.clone())
        .unwrap_or_default();
    Some((name.to_owned(), value))
}

/// Parses a JSON event body.
pub fn parse_event_json(body: &[u8]) -> Result<PostedEvent, EventBodyError> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| EventBodyError::Json(e.to_string()))?;
    let Value::Object(mut object) = value else {
        return Err(EventBodyError::NotAnEvent(
            "JSON body is not an object".to_owned(),
        ));
    };
    if object.len() == 1 {
        if let Some(Value::Object(inner)) = get_mut(&mut object, "event").map(Value::take) {
            object = inner;
        }
    }
    let text = |field: &'static str| json_text(&object, field);
    let uei = text("uei")?.ok_or(EventBodyError::MissingUei)?;
    Ok(PostedEvent {
        uei,
        source: text("source")?,
        time: json_time(&object)?,
        host: text("host")?,
        node_id: json_integer(&object, "nodeid")?,
        interface: text("interface")?,
        service: text("service")?,
        if_index: json_integer(&object, "ifIndex")?,
        descr: text("descr")?,
        logmsg: text("logmsg")?,
        operinstruct: text("operinstruct")?,
        severity: text("severity")?.map(|s| normalise_severity(&s)),
        parms: json_parms(get(&object, "parms"))?,
    })
}

/// Case-insensitive key lookup; JSON `null` counts as absent.
fn get<'a>(object: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    object
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value)
        .filter(|value| !value.is_null())
}

fn get_mut<'a>(object: &'a mut Map<String, Value>, name: &str) -> Option<&'a mut Value> {
    object
        .iter_mut()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value)
}

/// A scalar as text: strings trimmed, numbers and booleans printed, `{"content"|"value": …}`
/// unwrapped (Jackson renders `logmsg` as `{"dest":…,"content":…}`).
fn scalar_text(value: &Value, depth: usize) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Object(inner) if depth < 4 => ["content", "value"]
            .iter()
            .find_map(|key| get(inner, key))
            .and_then(|nested| scalar_text(nested, depth + 1)),
        _ => None,
    }
}

fn json_text(
    object: &Map<String, Value>,
    field: &'static str,
) -> Result<Option<String>, EventBodyError> {
    let Some(value) = get(object, field) else {
        return Ok(None);
    };
    let text = scalar_text(value, 0).ok_or_else(|| EventBodyError::InvalidField {
        field,
        value: value.to_string(),
    })?;
    let text = text.trim();
    Ok((!text.is_empty()).then(|| text.to_owned()))
}

fn json_integer(
    object: &Map<String, Value>,
    field: &'static str,
) -> Result<Option<i64>, EventBodyError> {
    match get(object, field) {
        None => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .or_else(|| {
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                    .map(|f| f as i64)
            })
            .map(Some)
            .ok_or_else(|| EventBodyError::InvalidField {
                field,
                value: n.to_string(),
            }),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => integer_field(field, s).map(Some),
        Some(other) => Err(EventBodyError::InvalidField {
            field,
            value: other.to_string(),
        }),
    }
}

fn json_time(object: &Map<String, Value>) -> Result<Option<i64>, EventBodyError> {
    match get(object, "time") {
        None => Ok(None),
        Some(Value::Number(_)) => json_integer(object, "time"),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => time_field(s).map(Some),
        Some(other) => Err(EventBodyError::InvalidField {
            field: "time",
            value: other.to_string(),
        }),
    }
}

fn json_parms(parms: Option<&Value>) -> Result<Vec<(String, String)>, EventBodyError> {
    let items: Vec<&Value> = match parms {
        None => Vec::new(),
        Some(Value::Array(items)) => items.iter().collect(),
        Some(whole @ Value::Object(wrapper)) => match get(wrapper, "parm") {
            Some(Value::Array(items)) => items.iter().collect(),
            Some(single) => vec![single],
            None => vec![whole],
        },
        Some(other) => {
            return Err(EventBodyError::InvalidField {
                field: "parms",
                value: other.to_string(),
            })
        }
    };
    let mut result = Vec::with_capacity(items.len());
    for item in items {
        let Value::Object(parm) = item else {
            return Err(EventBodyError::InvalidField {
                field: "parms",
                value: item.to_string(),
            });
        };
        let name = get(parm, "parmName")
            .or_else(|| get(parm, "name"))
            .and_then(|name| scalar_text(name, 0))
            .map(|name| name.trim().to_owned())
            .filter(|name| !name.is_empty());
        let Some(name) = name else {
            continue;
        };
        let value = match get(parm, "value") {
            None => String::new(),
            Some(value) => scalar_text(value, 0).unwrap_or_default(),
        };
        result.push((name, value));
    }
    Ok(result)
}

fn integer_field(field: &'static str, text: &str) -> Result<i64, EventBodyError> {
    text.trim()
        .parse::<i64>()
        .map_err(|_| EventBodyError::InvalidField {
            field,
            value: text.to_owned(),
        })
}

fn time_field(text: &str) -> Result<i64, EventBodyError> {
    parse_datetime(text).ok_or_else(|| EventBodyError::InvalidField {
        field: "time",
        value: text.to_owned(),
    })
}

/// Numeric severities become labels; labels are kept as sent.
fn normalise_severity(text: &str) -> String {
    text.parse::<u8>()
        .ok()
        .and_then(severity_label)
        .map_or_else(|| text.to_owned(), str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MARCH_7: i64 = 1_709_805_600_000; // 2024-03-07T10:00:00Z

    #[test]
    fn xml_event_with_namespace() {
        let body = br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<event xmlns="http://xmlns.opennms.org/xsd/event">
  <uei>uei.opennms.org/internal/reloadDaemonConfig</uei>
  <source>perl_send_event</source>
  <time>Thursday, March 7, 2024 10:00:00 AM GMT</time>
  <host>gateway</host>
  <nodeid>12</nodeid>
  <interface>10.0.0.1</interface>
  <service>ICMP</service>
  <ifIndex>3</ifIndex>
  <parms>
    <parm><parmName>daemonName</parmName><value type="string" encoding="text">Eventd</value></parm>
    <parm><parmName><![CDATA[cfg]]></parmName><value type="string" encoding="text"> a &amp; b </value></parm>
    <parm><parmName>empty</parmName></parm>
    <parm><value>orphan</value></parm>
  </parms>
  <descr>Reload</descr>
  <logmsg dest="logndisplay">Reloading</logmsg>
  <operinstruct>none</operinstruct>
  <severity>Major</severity>
</event>"#;
        let event = parse_event(body).expect("parses");
        assert_eq!(
            event,
            PostedEvent {
                uei: "uei.opennms.org/internal/reloadDaemonConfig".into(),
                source: Some("perl_send_event".into()),
                time: Some(MARCH_7),
                host: Some("gateway".into()),
                node_id: Some(12),
                interface: Some("10.0.0.1".into()),
                service: Some("ICMP".into()),
                if_index: Some(3),
                descr: Some("Reload".into()),
                logmsg: Some("Reloading".into()),
                operinstruct: Some("none".into()),
                severity: Some("Major".into()),
                parms: vec![
                    ("daemonName".into(), "Eventd".into()),
                    ("cfg".into(), " a & b ".into()),
                    ("empty".into(), String::new()),
                ],
            }
        );
    }

    #[test]
    fn xml_event_without_namespace_or_with_prefix() {
        let plain =
            b"<event><uei>uei.x</uei><time>2024-03-07T10:00:00.000+0000</time><nodeid/></event>";
        let event = parse_event(plain).expect("parses");
        assert_eq!(event.uei, "uei.x");
        assert_eq!(event.time, Some(MARCH_7));
        assert_eq!(event.node_id, None);
        let prefixed = br#"<e:event xmlns:e="http://xmlns.opennms.org/xsd/event"><e:uei>uei.y</e:uei><e:severity>6</e:severity></e:event>"#;
        let event = parse_event(prefixed).expect("parses");
        assert_eq!(event.uei, "uei.y");
        assert_eq!(event.severity.as_deref(), Some("MAJOR"));
    }

    #[test]
    fn pyonms_json_event() {
        let body = br#"{"uei": "uei.opennms.org/generic/traps/SNMP_Cold_Start",
            "source": "pyonms", "severity": "MAJOR", "nodeid": 5, "interface": "10.0.0.5",
            "descr": "d", "operinstruct": "o",
            "parms": [{"parmName": "k", "value": "v"}, {"parmName": "n", "value": 3}]}"#;
        let event = parse_event(body).expect("parses");
        assert_eq!(event.uei, "uei.opennms.org/generic/traps/SNMP_Cold_Start");
        assert_eq!(event.source.as_deref(), Some("pyonms"));
        assert_eq!(event.severity.as_deref(), Some("MAJOR"));
        assert_eq!(event.node_id, Some(5));
        assert_eq!(event.interface.as_deref(), Some("10.0.0.5"));
        assert_eq!(event.operinstruct.as_deref(), Some("o"));
        assert_eq!(
            event.parms,
            vec![("k".into(), "v".into()), ("n".into(), "3".into())]
        );
    }

    #[test]
    fn json_variants() {
        let body = br#"{"event": {"UEI": "uei.z", "nodeId": "7", "ifindex": 2, "time": 1709805600000,
            "logmsg": {"dest": "logndisplay", "content": "hello"}, "severity": "Major",
            "parms": {"parm": [{"parmName": "a", "value": {"value": "1", "type": "string", "encoding": "text"}},
                               {"name": "b", "value": {"content": "2"}}, {"parmName": " ", "value": "x"}]},
            "source": null, "host": "  "}}"#;
        let event = parse_event(body).expect("parses");
        assert_eq!(event.uei, "uei.z");
        assert_eq!(event.node_id, Some(7));
        assert_eq!(event.if_index, Some(2));
        assert_eq!(event.time, Some(MARCH_7));
        assert_eq!(event.logmsg.as_deref(), Some("hello"));
        assert_eq!(event.severity.as_deref(), Some("Major"));
        assert_eq!(event.source, None);
        assert_eq!(event.host, None);
        assert_eq!(
            event.parms,
            vec![("a".into(), "1".into()), ("b".into(), "2".into())]
        );

        for time in [
            r#""2024-03-07T10:00:00.000Z""#,
            r#""2024-03-07T10:00:00+00:00""#,
            r#""Thursday, March 7, 2024 10:00:00 AM GMT""#,
            r#""1709805600000""#,
            "1709805600000.0",
        ] {
            let body = format!(r#"{{"uei":"u","time":{time}}}"#);
            assert_eq!(
                parse_event(body.as_bytes()).map(|e| e.time),
                Ok(Some(MARCH_7)),
                "{time}"
            );
        }
        let single = br#"{"uei":"u","parms":{"parm":{"parmName":"k","value":"v"}}}"#;
        assert_eq!(
            parse_event(single).map(|e| e.parms),
            Ok(vec![("k".into(), "v".into())])
        );
    }

    #[test]
    fn errors_are_typed() {
        assert_eq!(parse_event(b""), Err(EventBodyError::Empty));
        assert_eq!(parse_event(b" \n "), Err(EventBodyError::Empty));
        assert_eq!(parse_event(b"uei=x"), Err(EventBodyError::UnknownFormat));
        assert_eq!(parse_event(b"{}"), Err(EventBodyError::MissingUei));
        assert_eq!(
            parse_event(br#"{"uei":"  "}"#),
            Err(EventBodyError::MissingUei)
        );
        assert_eq!(parse_event(b"<event/>"), Err(EventBodyError::MissingUei));
        assert_eq!(
            parse_event(b"<event><uei> </uei></event>"),
            Err(EventBodyError::MissingUei)
        );
        assert!(matches!(
            parse_event(b"{\"uei\":"),
            Err(EventBodyError::Json(_))
        ));
        assert!(matches!(
            parse_event(b"[1]"),
            Err(EventBodyError::UnknownFormat)
        ));
        assert!(matches!(
            parse_event_json(b"[1]"),
            Err(EventBodyError::NotAnEvent(_))
        ));
        assert!(matches!(
            parse_event(b"<event><uei>x</event>"),
            Err(EventBodyError::Xml(_))
        ));
        assert!(matches!(
            parse_event(b"<node><uei>x</uei></node>"),
            Err(EventBodyError::NotAnEvent(_))
        ));
        for body in [
            r#"{"uei":"u","nodeid":"abc"}"#,
            r#"{"uei":"u","nodeid":1.5}"#,
            r#"{"uei":"u","nodeid":[1]}"#,
            r#"{"uei":"u","time":"yesterday"}"#,
            r#"{"uei":"u","time":true}"#,
            r#"{"uei":"u","source":["a"]}"#,
            r#"{"uei":"u","parms":"k=v"}"#,
            r#"{"uei":"u","parms":[1]}"#,
            r#"{"uei":"u","ifIndex":1e300}"#,
        ] {
            assert!(
                matches!(
                    parse_event(body.as_bytes()),
                    Err(EventBodyError::InvalidField { .. })
                ),
                "{body}"
            );
        }
        assert!(matches!(
            parse_event(b"<event><uei>u</uei><nodeid>x</nodeid></event>"),
            Err(EventBodyError::InvalidField {
                field: "nodeid",
                ..
            })
        ));
        let huge = vec![b' '; MAX_EVENT_BYTES + 1];
        assert_eq!(parse_event(&huge), Err(EventBodyError::TooLarge));
    }

    #[test]
    fn deep_json_does_not_overflow() {
        let deep = format!(
            "{{\"uei\":\"u\",\"x\":{}{}}}",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        assert!(matches!(
            parse_event(deep.as_bytes()),
            Err(EventBodyError::Json(_))
        ));
        let nested = format!(
            "{{\"uei\":\"u\",\"descr\":{}\"x\"{}}}",
            "{\"value\":".repeat(10),
            "}".repeat(10)
        );
        assert!(parse_event(nested.as_bytes()).is_err());
    }
}
