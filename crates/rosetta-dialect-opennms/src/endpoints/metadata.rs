//! Node, IP interface and monitored service metadata (v2 `…/metadata[/{context}[/{key}]]`).
//!
//! Entries are `{context, key, value}` triples kept as a JSON list in a `native` map: node entries
//! under the host's `opennms.metadata`, interface entries under the host's
//! `opennms.metadata.interface.<ip>`, service entries under the service's `opennms.metadata`.
//! Only contexts starting with `X-` may be written (403 otherwise, checked before anything else).

use http::StatusCode;
use rosetta_core::{ErrorKind, GatewayError, Response};
use rosetta_model::{Host, Id, Native, Service};
use serde_json::Value;

use super::nodes::{node, Missing};
use crate::call::{status, xml, Call, Verb};
use crate::entity::node::{InterfaceRow, ServiceRow};
use crate::negotiate::Format;
use crate::wire::Obj;
use crate::xml::{parse_xml, XmlElement};

/// The `native` key of node (and service) metadata.
pub const METADATA_KEY: &str = "opennms.metadata";

/// The host `native` key of an IP interface's metadata.
pub fn interface_key(ip: &str) -> String {
    format!("{METADATA_KEY}.interface.{ip}")
}

/// What the metadata belongs to.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    /// The node itself.
    Node,
    /// An IP interface of the node, by address.
    Interface(&'a str),
    /// A monitored service, by interface address and service name.
    Service(&'a str, &'a str),
}

/// One metadata entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The context (`X-…` for user-defined ones).
    pub context: String,
    /// The key within the context.
    pub key: String,
    /// The value.
    pub value: String,
}

impl Entry {
    fn from_json(value: &Value) -> Option<Entry> {
        let text = |name: &str| value.get(name).and_then(Value::as_str).map(str::to_owned);
        Some(Entry { context: text("context")?, key: text("key")?, value: text("value")? })
    }

    fn to_obj(&self) -> Obj {
        Obj::new().elem("context", self.context.as_str()).elem("key", self.key.as_str()).elem("value", self.value.as_str())
    }
}

/// The entries stored under `key` in a `native` map (none when absent or unreadable).
pub fn entries(native: &Native, key: &str) -> Vec<Entry> {
    let stored = native.get(key).and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    stored.iter().filter_map(Entry::from_json).collect()
}

/// A change to the entries of one scope.
#[derive(Debug, Clone)]
enum Change {
    Set(Entry),
    RemoveContext(String),
    RemoveKey(String, String),
}

impl Change {
    fn apply(&self, native: &mut Native, key: &str) {
        let mut list = entries(native, key);
        match self {
            Change::Set(entry) => match list.iter_mut().find(|e| e.context == entry.context && e.key == entry.key) {
                Some(existing) => existing.value.clone_from(&entry.value),
                None => list.push(entry.clone()),
            },
            Change::RemoveContext(context) => list.retain(|e| &e.context != context),
            Change::RemoveKey(context, name) => list.retain(|e| &e.context != context || &e.key != name),
        }
        if list.is_empty() {
            native.remove(key);
        } else {
            native.insert(key.to_owned(), list.iter().map(|entry| entry.to_obj().to_json()).collect());
        }
    }
}

/// Where a scope's entries are stored.
#[derive(Debug, Clone)]
enum Holder {
    Host(Id, String),
    Service(Id),
}

/// Answers `…/metadata` followed by `rest` for one scope of node `id`: GET (all, one context, one
/// key) → 200 list, even when empty; POST `{context,key,value}` (JSON or XML `<meta-data>`), PUT
/// `/{context}/{key}/{value}` → 204; DELETE `/{context}[/{key}]` → 204. A missing node, interface
/// or service is a 400 as in Horizon.
pub async fn handle(call: &Call, id: &str, scope: Scope<'_>, rest: &[&str]) -> Result<Response, GatewayError> {
    match (call.verb, rest) {
        (Verb::Get, [] | [_] | [_, _]) => {
            let (holder, native) = locate(call, id, scope, "getMetaData")?;
            let list = entries(&native, &holder_key(&holder));
            let selected = list
                .into_iter()
                .filter(|e| rest.first().is_none_or(|context| e.context == *context))
                .filter(|e| rest.get(1).is_none_or(|key| e.key == *key))
                .collect::<Vec<_>>();
            Ok(render(call, &selected))
        }
        (Verb::Post, []) => {
            let entry = parse_entry(&call.body)?;
            write(call, id, scope, "postMetaData", Change::Set(entry)).await
        }
        (Verb::Put, [context, key, value]) => {
            let entry = Entry { context: (*context).to_owned(), key: (*key).to_owned(), value: (*value).to_owned() };
            write(call, id, scope, "putMetaData", Change::Set(entry)).await
        }
        (Verb::Delete, [context]) => {
            write(call, id, scope, "deleteMetaData", Change::RemoveContext((*context).to_owned())).await
        }
        (Verb::Delete, [context, key]) => {
            let change = Change::RemoveKey((*context).to_owned(), (*key).to_owned());
            write(call, id, scope, "deleteMetaData", change).await
        }
        _ => Err(GatewayError::not_found("")),
    }
}

fn holder_key(holder: &Holder) -> String {
    match holder {
        Holder::Host(_, key) => key.clone(),
        Holder::Service(_) => METADATA_KEY.to_owned(),
    }
}

/// Finds the scope's holder and its current `native` map; `operation` names the Horizon method in
/// the 400 messages.
fn locate(call: &Call, id: &str, scope: Scope<'_>, operation: &str) -> Result<(Holder, Native), GatewayError> {
    let row = node(call, id, Missing::BadParent).map_err(|err| match err.kind {
        ErrorKind::BadRequest => GatewayError::bad_request(format!("{operation}: Can't find node {id}")),
        _ => err,
    })?;
    let host_id = row.host.meta.id;
    let interface = |ip: &str| {
        InterfaceRow::of_node(call.db(), &row)
            .into_iter()
            .find(|interface| interface.address == ip)
            .ok_or_else(|| GatewayError::bad_request(format!("{operation}: Can't find interface {ip}")))
    };
    match scope {
        Scope::Node => Ok((Holder::Host(host_id, METADATA_KEY.to_owned()), row.host.native.clone())),
        Scope::Interface(ip) => {
            interface(ip)?;
            Ok((Holder::Host(host_id, interface_key(ip)), row.host.native.clone()))
        }
        Scope::Service(ip, name) => {
            let on_primary = interface(ip)?.position == 0;
            let service = ServiceRow::of_node(call.db(), &row)
                .into_iter()
                .find(|service| on_primary && service.type_name == name)
                .ok_or_else(|| GatewayError::bad_request(format!("{operation}: Can't find service {name}")))?;
            Ok((Holder::Service(service.service.meta.id), service.service.native.clone()))
        }
    }
}

/// Applies one change in one transaction, after the `X-` context check → 204.
async fn write(
    call: &Call,
    id: &str,
    scope: Scope<'_>,
    operation: &str,
    change: Change,
) -> Result<Response, GatewayError> {
    let context = match &change {
        Change::Set(entry) => &entry.context,
        Change::RemoveContext(context) | Change::RemoveKey(context, _) => context,
    };
    if !context.starts_with("X-") {
        return Err(GatewayError::forbidden("Only metadata in contexts starting with 'X-' can be modified"));
    }
    let (holder, _) = locate(call, id, scope, operation)?;
    call.db()
        .write(call.ctx.actor("opennms"), |tx| {
            let gone = || GatewayError::bad_request(format!("{operation}: Can't find node {id}"));
            match &holder {
                Holder::Host(host_id, key) => {
                    let mut host = (*tx.get::<Host>(*host_id).ok_or_else(gone)?).clone();
                    change.apply(&mut host.native, key);
                    tx.update(host);
                }
                Holder::Service(service_id) => {
                    let mut service = (*tx.get::<Service>(*service_id).ok_or_else(gone)?).clone();
                    change.apply(&mut service.native, METADATA_KEY);
                    tx.update(service);
                }
            }
            Ok::<_, GatewayError>(())
        })
        .await?;
    Ok(status(StatusCode::NO_CONTENT))
}

/// A posted entry: JSON `{context,key,value}` or XML `<meta-data><context/><key/><value/></meta-data>`.
fn parse_entry(body: &[u8]) -> Result<Entry, GatewayError> {
    let first = body.iter().find(|byte| !byte.is_ascii_whitespace());
    let (context, key, value) = match first {
        Some(b'<') => {
            let root = parse_xml(body).map_err(|err| GatewayError::bad_request(err.to_string()))?;
            let text = |name: &str| root.child_text(name).map(|text| text.trim().to_owned());
            (text("context"), text("key"), text("value"))
        }
        Some(b'{') => {
            let json: Value = serde_json::from_slice(body)
                .map_err(|err| GatewayError::bad_request(format!("Invalid JSON: {err}")))?;
            let text = |name: &str| json.get(name).and_then(Value::as_str).map(str::to_owned);
            (text("context"), text("key"), text("value"))
        }
        _ => return Err(GatewayError::bad_request("Expected a JSON or XML meta-data body")),
    };
    match (context, key, value) {
        (Some(context), Some(key), Some(value)) if !context.is_empty() && !key.is_empty() => {
            Ok(Entry { context, key, value })
        }
        _ => Err(GatewayError::bad_request("A meta-data entry needs a context, a key and a value")),
    }
}

/// The `meta-data-list` envelope; `count` and `totalCount` are omitted when empty (null in Horizon).
fn render(call: &Call, list: &[Entry]) -> Response {
    let count = list.len();
    match call.format {
        Format::Json => {
            let mut body = serde_json::Map::new();
            if count > 0 {
                body.insert("count".into(), count.into());
                body.insert("totalCount".into(), count.into());
            }
            body.insert("offset".into(), 0.into());
            body.insert("metaData".into(), list.iter().map(|entry| entry.to_obj().to_json()).collect());
            rosetta_core::request::json(StatusCode::OK, &Value::Object(body))
        }
        Format::Xml => {
            let mut root = XmlElement::new("meta-data-list");
            if count > 0 {
                root.push_attr("count", count);
                root.push_attr("totalCount", count);
            }
            root.push_attr("offset", 0);
            for entry in list {
                root.push_child(entry.to_obj().to_xml("meta-data", call.offset()));
            }
            xml(StatusCode::OK, root.to_document())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(context: &str, key: &str, value: &str) -> Entry {
        Entry { context: context.into(), key: key.into(), value: value.into() }
    }

    #[test]
    fn changes_replace_add_and_remove_entries() {
        let mut native = Native::new();
        Change::Set(entry("X-A", "k", "1")).apply(&mut native, METADATA_KEY);
        Change::Set(entry("X-A", "j", "2")).apply(&mut native, METADATA_KEY);
        Change::Set(entry("X-A", "k", "3")).apply(&mut native, METADATA_KEY);
        Change::Set(entry("X-B", "k", "4")).apply(&mut native, METADATA_KEY);
        assert_eq!(
            entries(&native, METADATA_KEY),
            vec![entry("X-A", "k", "3"), entry("X-A", "j", "2"), entry("X-B", "k", "4")]
        );
        Change::RemoveKey("X-A".into(), "k".into()).apply(&mut native, METADATA_KEY);
        Change::RemoveContext("X-B".into()).apply(&mut native, METADATA_KEY);
        assert_eq!(entries(&native, METADATA_KEY), vec![entry("X-A", "j", "2")]);
        Change::RemoveContext("X-A".into()).apply(&mut native, METADATA_KEY);
        assert!(native.is_empty(), "an empty list removes the key");
    }

    #[test]
    fn posted_entries_parse_from_json_and_xml() {
        let json = parse_entry(br#"{"context":"X-Ops","key":"owner","value":"noc"}"#).expect("json");
        assert_eq!(json, entry("X-Ops", "owner", "noc"));
        let xml = parse_xml_entry();
        assert_eq!(xml, entry("X-Ops", "tier", "gold"));
        assert!(parse_entry(br#"{"context":"X-Ops","key":"owner"}"#).is_err());
        assert!(parse_entry(b"owner=noc").is_err());
        assert!(parse_entry(b"{broken").is_err());
    }

    fn parse_xml_entry() -> Entry {
        parse_entry(b"<meta-data><context>X-Ops</context><key>tier</key><value>gold</value></meta-data>").expect("xml")
    }

    #[test]
    fn interface_keys_carry_the_address() {
        assert_eq!(interface_key("10.0.0.1"), "opennms.metadata.interface.10.0.0.1");
    }
}
