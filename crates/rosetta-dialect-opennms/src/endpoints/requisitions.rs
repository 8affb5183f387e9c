//! Requisitions and foreign sources (stored as `Document`s `opennms.requisition` and
//! `opennms.foreignSource`), `/rest/requisitionNames`, and `PUT /requisitions/{fs}/import`, which
//! creates, updates and removes hosts in one transaction.

use std::collections::BTreeSet;

use http::StatusCode;
use rosetta_core::{request, GatewayError, Response};
use rosetta_model::{Document, Host, Service, ROOT_TENANT};
use rosetta_store::{Read, Tx};
use serde_json::{json, Map, Value};

use crate::call::{plain, status, xml, Call};
use crate::datetime::parse_datetime;
use crate::documents::{document, documents, save};
use crate::negotiate::Format;
use crate::provision::{delete_host, delete_service, ensure_category, new_host, new_service, set_asset};
use crate::xml::{parse_xml, XmlElement, XmlNode};

/// Document namespace of requisitions.
pub const REQUISITION: &str = "opennms.requisition";
/// Document namespace of foreign sources.
pub const FOREIGN_SOURCE: &str = "opennms.foreignSource";
const REQUISITION_XMLNS: &str = "http://xmlns.opennms.org/xsd/config/model-import";
const FOREIGN_SOURCE_XMLNS: &str = "http://xmlns.opennms.org/xsd/config/foreign-source";
/// Attributes holding dates (epoch millis in JSON, `xsd:dateTime` in XML).
const DATE_KEYS: &[&str] = &["date-stamp", "last-import"];

// === requisitions ===

/// `GET /requisitions[/deployed]`.
pub fn list(call: &Call, deployed: bool) -> Result<Response, GatewayError> {
    let items: Vec<Value> = documents(call.db(), REQUISITION)
        .into_iter()
        .filter(|doc| !deployed || doc.body.get("last-import").is_some())
        .map(|doc| doc.body.clone())
        .collect();
    Ok(render_list(call, "requisitions", "model-import", REQUISITION_XMLNS, items))
}

/// `GET /requisitions[/deployed]/count`.
pub fn count(call: &Call, deployed: bool) -> Response {
    let n = documents(call.db(), REQUISITION)
        .iter()
        .filter(|doc| !deployed || doc.body.get("last-import").is_some())
        .count();
    plain(n.to_string())
}

/// `GET /requisitions/{fs}`.
pub fn get(call: &Call, name: &str) -> Result<Response, GatewayError> {
    let doc = document(call.db(), REQUISITION, name)
        .ok_or_else(|| GatewayError::not_found(format!("Requisition {name} was not found.")))?;
    Ok(render_one(call, "model-import", REQUISITION_XMLNS, &doc.body))
}

/// `GET /requisitions/{fs}/nodes[/{fid}]`.
pub fn nodes(call: &Call, name: &str, foreign_id: Option<&str>) -> Result<Response, GatewayError> {
    let doc = document(call.db(), REQUISITION, name)
        .ok_or_else(|| GatewayError::not_found(format!("Requisition {name} was not found.")))?;
    let nodes = node_list(&doc.body);
    match foreign_id {
        None => Ok(render_list(call, "nodes", "node", REQUISITION_XMLNS, nodes)),
        Some(fid) => {
            let node = nodes
                .into_iter()
                .find(|node| text(node, "foreign-id") == fid)
                .ok_or_else(|| GatewayError::not_found(format!("Node {fid} was not found in {name}.")))?;
            Ok(render_one(call, "node", REQUISITION_XMLNS, &node))
        }
    }
}

/// `GET /requisitionNames`.
pub fn names(call: &Call) -> Response {
    let names: Vec<String> = documents(call.db(), REQUISITION).into_iter().map(|doc| doc.name.clone()).collect();
    match call.format {
        Format::Json => request::json(StatusCode::OK, &json!({"count": names.len(), "foreign-source": names})),
        Format::Xml => {
            let mut root = XmlElement::new("foreign-source-names").attr("count", names.len());
            for name in names {
                root.push_child(XmlElement::new("foreign-source").text(name));
            }
            xml(StatusCode::OK, root.to_document())
        }
    }
}

/// `POST /requisitions` (XML or JSON) → 202: adds or replaces a requisition.
pub async fn post(call: &Call) -> Result<Response, GatewayError> {
    let body = read_body(&call.body, "model-import")?;
    let name = text(&body, "foreign-source");
    if name.is_empty() {
        return Err(GatewayError::bad_request("Requisition has no foreign-source"));
    }
    let mut body = body;
    body["date-stamp"] = json!(rosetta_model::Timestamp::now().millis());
    save(call, REQUISITION, &name, body).await?;
    Ok(status(StatusCode::ACCEPTED))
}

/// `POST /requisitions/{fs}/nodes` → 202: adds or replaces one node of a requisition.
pub async fn post_node(call: &Call, name: &str) -> Result<Response, GatewayError> {
    let node = read_body(&call.body, "node")?;
    let fid = text(&node, "foreign-id");
    if fid.is_empty() {
        return Err(GatewayError::bad_request("Node has no foreign-id"));
    }
    let mut body =
        document(call.db(), REQUISITION, name).map_or_else(|| json!({"foreign-source": name}), |doc| doc.body.clone());
    let mut nodes: Vec<Value> = node_list(&body).into_iter().filter(|other| text(other, "foreign-id") != fid).collect();
    nodes.push(node);
    body["node"] = Value::Array(nodes);
    save(call, REQUISITION, name, body).await?;
    Ok(status(StatusCode::ACCEPTED))
}

/// `DELETE /requisitions/{fs}/nodes/{fid}` → 202.
pub async fn delete_node(call: &Call, name: &str, fid: &str) -> Result<Response, GatewayError> {
    let doc = document(call.db(), REQUISITION, name)
        .ok_or_else(|| GatewayError::not_found(format!("Requisition {name} was not found.")))?;
    let mut body = doc.body.clone();
    let nodes: Vec<Value> = node_list(&body).into_iter().filter(|node| text(node, "foreign-id") != fid).collect();
    body["node"] = Value::Array(nodes);
    save(call, REQUISITION, name, body).await?;
    Ok(status(StatusCode::ACCEPTED))
}

/// `DELETE /requisitions[/deployed]/{fs}` and `DELETE /foreignSources[/deployed]/{name}` → 202.
pub async fn delete(call: &Call, namespace: &'static str, name: &str) -> Result<Response, GatewayError> {
    let name = name.to_owned();
    call.db()
        .write(call.ctx.actor("opennms"), |tx| {
            if let Some(doc) = document(tx, namespace, &name) {
                tx.delete::<Document>(doc.meta.id);
            }
            Ok::<_, GatewayError>(())
        })
        .await?;
    Ok(status(StatusCode::ACCEPTED))
}

/// The tenant a requisition's nodes belong to: the tenant named like the foreign source, else the root
/// (foreign sources are tenants, as in `POST /nodes`).
fn tenant_of(store: &impl Read, foreign_source: &str) -> rosetta_model::Id {
    store
        .all::<rosetta_model::Tenant>()
        .into_iter()
        .find(|tenant| tenant.name == foreign_source)
        .map_or(ROOT_TENANT, |tenant| tenant.meta.id)
}

/// `PUT /requisitions/{fs}/import` → 202: hosts follow the requisition, in one transaction, in the
/// foreign source's tenant.
pub async fn import(call: &Call, name: &str) -> Result<Response, GatewayError> {
    let principal = call.principal()?;
    if !principal.scope.can_write(tenant_of(call.db(), name)) {
        return Err(GatewayError::forbidden(format!("User '{}' may not import requisitions", principal.login())));
    }
    let name = name.to_owned();
    call.db().write(call.ctx.actor("opennms"), |tx| import_in(tx, &name)).await?;
    Ok(status(StatusCode::ACCEPTED))
}

fn import_in(tx: &mut Tx<'_>, name: &str) -> Result<(), GatewayError> {
    let doc = document(tx, REQUISITION, name)
        .ok_or_else(|| GatewayError::not_found(format!("Requisition {name} was not found.")))?;
    let nodes = node_list(&doc.body);
    let existing: Vec<std::sync::Arc<Host>> =
        tx.all::<Host>().into_iter().filter(|host| host.foreign_source.as_deref() == Some(name)).collect();
    let mut kept = BTreeSet::new();
    for node in &nodes {
        let fid = text(node, "foreign-id");
        let label = text(node, "node-label");
        if fid.is_empty() || label.is_empty() {
            return Err(GatewayError::bad_request("Every requisition node needs a foreign-id and a node-label"));
        }
        let mut host = existing
            .iter()
            .find(|host| host.foreign_id.as_deref() == Some(fid.as_str()))
            .map_or_else(|| Host { tenant: tenant_of(tx, name), ..new_host(&label) }, |host| (**host).clone());
        host.name = label;
        host.foreign_source = Some(name.to_owned());
        host.foreign_id = Some(fid);
        let interfaces = array(node, "interface");
        let mut ips: Vec<(bool, String)> =
            interfaces.iter().map(|i| (text(i, "snmp-primary") == "P", text(i, "ip-addr"))).collect();
        ips.sort_by_key(|(primary, _)| !primary);
        let mut ips = ips.into_iter().map(|(_, ip)| ip).filter(|ip| !ip.is_empty());
        host.address = ips.next().unwrap_or_default();
        host.other_addresses = ips.collect();
        host.hostgroups = array(node, "category").iter().map(|c| ensure_category(tx, &text(c, "name"))).collect();
        for asset in array(node, "asset") {
            set_asset(&mut host, &text(&asset, "name"), &text(&asset, "value"));
        }
        let location = text(node, "location");
        if !location.is_empty() {
            host.native.insert("opennms.location".to_owned(), Value::String(location));
        }
        let host = if host.meta.id == 0 { tx.insert(host) } else { tx.update(host) };
        kept.insert(host.meta.id);
        let wanted: BTreeSet<String> = interfaces
            .iter()
            .flat_map(|interface| array(interface, "monitored-service"))
            .map(|service| text(&service, "service-name"))
            .filter(|service| !service.is_empty())
            .collect();
        let services: Vec<std::sync::Arc<Service>> =
            tx.children::<Service>(host.meta.id);
        let mut present = BTreeSet::new();
        for service in services {
            let service_name = rosetta_core::monitoring::service_name(tx, &service);
            if wanted.contains(&service_name) {
                present.insert(service_name);
            } else {
                delete_service(tx, service.meta.id)?;
            }
        }
        for service_name in wanted.difference(&present) {
            let service = new_service(tx, host.meta.id, service_name);
            tx.insert(service);
        }
    }
    for host in existing.iter().filter(|host| !kept.contains(&host.meta.id)) {
        delete_host(tx, host.meta.id)?;
    }
    let mut updated = (*doc).clone();
    updated.body["last-import"] = json!(tx.now().millis());
    tx.update(updated);
    Ok(())
}

// === foreign sources ===

/// The `default` foreign source of a fresh Horizon 33 (spec fresh-install §2.4).
pub fn default_foreign_source() -> Value {
    let detector = |name: &str, class: &str, parameters: &[(&str, &str)]| {
        let parameters: Vec<Value> = parameters.iter().map(|(k, v)| json!({"key": k, "value": v})).collect();
        json!({"name": name, "class": format!("org.opennms.netmgt.provision.detector.{class}"), "parameter": parameters})
    };
    let jmx = |port: &str, url: &str| {
        vec![
            ("port", port.to_owned()),
            ("factory", "PASSWORD-CLEAR".to_owned()),
            ("username", "admin".to_owned()),
            ("password", "admin".to_owned()),
            ("protocol", "rmi".to_owned()),
            ("urlPath", url.to_owned()),
            ("timeout", "3000".to_owned()),
            ("retries", "2".to_owned()),
            ("type", "default".to_owned()),
            ("ipMatch", "127.0.0.1".to_owned()),
        ]
    };
    let jmx_detector = |name: &str, port: &str, url: &str| {
        let params = jmx(port, url);
        let borrowed: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
        detector(name, "jmx.Jsr160Detector", &borrowed)
    };
    json!({
        "name": "default",
        "date-stamp": 0,
        "scan-interval": "1d",
        "detectors": [
            detector("DNS", "datagram.DnsDetector", &[]),
            detector("FTP", "simple.FtpDetector", &[]),
            detector("HTTP", "simple.HttpDetector", &[]),
            detector("HTTPS", "simple.HttpsDetector", &[]),
            detector("ICMP", "icmp.IcmpDetector", &[]),
            detector("IMAP", "simple.ImapDetector", &[]),
            detector("LDAP", "simple.LdapDetector", &[]),
            detector("NRPE", "simple.NrpeDetector", &[]),
            detector("POP3", "simple.Pop3Detector", &[]),
            detector("SMTP", "simple.SmtpDetector", &[]),
            detector("SNMP", "snmp.SnmpDetector", &[]),
            detector("SSH", "ssh.SshDetector", &[]),
            detector("WS-Man", "wsman.WsManDetector", &[]),
            jmx_detector("OpenNMS-JVM", "18980", "/jmxrmi"),
            jmx_detector("JMX-Minion", "1299", "/karaf-minion"),
            jmx_detector("JMX-Cassandra", "7199", "/jmxrmi"),
            jmx_detector("JMX-Cassandra-Newts", "7199", "/jmxrmi"),
            detector("MS-RDP", "simple.TcpDetector", &[("port", "3389")]),
            detector("ActiveMQ", "jms.ActiveMQDetector", &[]),
        ],
        "policies": [],
    })
}

/// A stored foreign source document body (`default` falls back to the built-in one).
fn foreign_source(store: &impl Read, name: &str) -> Option<Value> {
    match document(store, FOREIGN_SOURCE, name) {
        Some(doc) => Some(doc.body.clone()),
        None if name == "default" => Some(default_foreign_source()),
        None => None,
    }
}

/// `GET /foreignSources[/deployed]`: every stored foreign source but `default`.
pub fn foreign_sources(call: &Call) -> Response {
    let items: Vec<Value> = documents(call.db(), FOREIGN_SOURCE)
        .into_iter()
        .filter(|doc| doc.name != "default")
        .map(|doc| doc.body.clone())
        .collect();
    match call.format {
        Format::Json => request::json(
            StatusCode::OK,
            &json!({"count": items.len(), "totalCount": items.len(), "offset": 0, "foreignSources": items}),
        ),
        Format::Xml => {
            let mut root = XmlElement::new("foreignSources").attr("count", items.len()).attr("totalCount", items.len());
            for item in &items {
                root.push_child(foreign_source_xml(item, call.offset()));
            }
            xml(StatusCode::OK, root.to_document())
        }
    }
}

/// `GET /foreignSources[/deployed]/count`.
pub fn foreign_source_count(call: &Call) -> Response {
    let n = documents(call.db(), FOREIGN_SOURCE).iter().filter(|doc| doc.name != "default").count();
    plain(n.to_string())
}

/// `GET /foreignSources/{name}`.
pub fn get_foreign_source(call: &Call, name: &str) -> Result<Response, GatewayError> {
    let body = foreign_source(call.db(), name)
        .ok_or_else(|| GatewayError::not_found(format!("Foreign source {name} was not found.")))?;
    Ok(match call.format {
        Format::Json => request::json(StatusCode::OK, &body),
        Format::Xml => xml(StatusCode::OK, foreign_source_xml(&body, call.offset()).to_document()),
    })
}

/// `POST /foreignSources` (XML or JSON) → 202.
pub async fn post_foreign_source(call: &Call) -> Result<Response, GatewayError> {
    let body = read_foreign_source(&call.body)?;
    let name = text(&body, "name");
    if name.is_empty() {
        return Err(GatewayError::bad_request("Foreign source has no name"));
    }
    save(call, FOREIGN_SOURCE, &name, body).await?;
    Ok(status(StatusCode::ACCEPTED))
}

/// `PUT /foreignSources/{name}` form (`scan-interval`) → 202.
pub async fn update_foreign_source(call: &Call, name: &str) -> Result<Response, GatewayError> {
    let mut body = foreign_source(call.db(), name)
        .ok_or_else(|| GatewayError::not_found(format!("Foreign source {name} was not found.")))?;
    if let Some(interval) = call.param("scan-interval").filter(|value| !value.is_empty()) {
        body["scan-interval"] = json!(interval);
    }
    body["date-stamp"] = json!(rosetta_model::Timestamp::now().millis());
    save(call, FOREIGN_SOURCE, name, body).await?;
    Ok(status(StatusCode::ACCEPTED))
}

fn foreign_source_xml(body: &Value, offset: i32) -> XmlElement {
    let mut root = XmlElement::new("foreign-source").xmlns(FOREIGN_SOURCE_XMLNS).attr("name", text(body, "name"));
    if let Some(stamp) = body.get("date-stamp").and_then(Value::as_i64) {
        root.push_attr("date-stamp", crate::datetime::format_xsd_datetime(stamp, offset));
    }
    root.push_child(XmlElement::new("scan-interval").text(text(body, "scan-interval")));
    for (wrapper, item) in [("detectors", "detector"), ("policies", "policy")] {
        let mut list = XmlElement::new(wrapper);
        for entry in array(body, wrapper) {
            let mut element =
                XmlElement::new(item).attr("name", text(&entry, "name")).attr("class", text(&entry, "class"));
            for parameter in array(&entry, "parameter") {
                element.push_child(
                    XmlElement::new("parameter")
                        .attr("key", text(&parameter, "key"))
                        .attr("value", text(&parameter, "value")),
                );
            }
            list.push_child(element);
        }
        root.push_child(list);
    }
    root
}

fn read_foreign_source(body: &[u8]) -> Result<Value, GatewayError> {
    if !starts_with_xml(body) {
        return parse_json(body);
    }
    let root = parse_xml(body).map_err(|err| GatewayError::bad_request(err.to_string()))?;
    let entries = |wrapper: &str, item: &str| -> Vec<Value> {
        root.children_ignore_case(wrapper)
            .flat_map(|list| list.children_ignore_case(item))
            .map(|entry| {
                let parameters: Vec<Value> = entry
                    .children_ignore_case("parameter")
                    .map(|p| json!({"key": p.attribute("key").unwrap_or_default(), "value": p.attribute("value").unwrap_or_default()}))
                    .collect();
                json!({"name": entry.attribute("name").unwrap_or_default(), "class": entry.attribute("class").unwrap_or_default(), "parameter": parameters})
            })
            .collect()
    };
    Ok(json!({
        "name": root.attribute("name").unwrap_or_default(),
        "date-stamp": rosetta_model::Timestamp::now().millis(),
        "scan-interval": root.child_text("scan-interval").unwrap_or("1d"),
        "detectors": entries("detectors", "detector"),
        "policies": entries("policies", "policy"),
    }))
}

// === shared helpers ===

fn starts_with_xml(body: &[u8]) -> bool {
    body.iter().find(|byte| !byte.is_ascii_whitespace()) == Some(&b'<')
}

fn parse_json(body: &[u8]) -> Result<Value, GatewayError> {
    let value: Value =
        serde_json::from_slice(body).map_err(|err| GatewayError::bad_request(format!("Invalid JSON: {err}")))?;
    if value.is_object() {
        Ok(value)
    } else {
        Err(GatewayError::bad_request("Expected a JSON object"))
    }
}

/// Reads a requisition-style body: JSON as is, XML with attributes as keys and children grouped
/// into arrays by element name (`model-import` → `node` → `interface` → `monitored-service`).
fn read_body(body: &[u8], root_name: &str) -> Result<Value, GatewayError> {
    if !starts_with_xml(body) {
        return parse_json(body);
    }
    let root = parse_xml(body).map_err(|err| GatewayError::bad_request(err.to_string()))?;
    if !root.name.eq_ignore_ascii_case(root_name) {
        return Err(GatewayError::bad_request(format!("Expected <{root_name}>, got <{}>", root.name)));
    }
    Ok(xml_to_json(&root))
}

fn xml_to_json(node: &XmlNode) -> Value {
    let mut map = Map::new();
    for (key, value) in &node.attributes {
        let converted = match DATE_KEYS.contains(&key.as_str()).then(|| parse_datetime(value)).flatten() {
            Some(millis) => json!(millis),
            None => Value::String(value.clone()),
        };
        map.insert(key.clone(), converted);
    }
    for child in &node.children {
        let entry = map.entry(child.name.clone()).or_insert_with(|| Value::Array(vec![]));
        if let Value::Array(items) = entry {
            items.push(xml_to_json(child));
        }
    }
    Value::Object(map)
}

fn json_to_xml(name: &str, value: &Value, offset: i32) -> XmlElement {
    let mut element = XmlElement::new(name);
    if let Value::Object(map) = value {
        for (key, field) in map {
            match field {
                Value::Array(items) => {
                    for item in items {
                        element.push_child(json_to_xml(key, item, offset));
                    }
                }
                Value::Object(_) => element.push_child(json_to_xml(key, field, offset)),
                Value::Null => {}
                Value::Number(number) if DATE_KEYS.contains(&key.as_str()) => {
                    let millis = number.as_i64().unwrap_or_default();
                    element.push_attr(key.clone(), crate::datetime::format_xsd_datetime(millis, offset));
                }
                Value::String(text) => element.push_attr(key.clone(), text),
                other => element.push_attr(key.clone(), other),
            }
        }
    }
    element
}

fn render_one(call: &Call, name: &str, xmlns: &str, body: &Value) -> Response {
    match call.format {
        Format::Json => request::json(StatusCode::OK, body),
        Format::Xml => xml(StatusCode::OK, json_to_xml(name, body, call.offset()).xmlns(xmlns).to_document()),
    }
}

fn render_list(call: &Call, plural: &str, singular: &str, xmlns: &str, items: Vec<Value>) -> Response {
    match call.format {
        Format::Json => request::json(
            StatusCode::OK,
            &json!({"count": items.len(), "totalCount": items.len(), "offset": 0, singular: items}),
        ),
        Format::Xml => {
            let mut root = XmlElement::new(plural).attr("count", items.len()).attr("totalCount", items.len());
            for item in &items {
                root.push_child(json_to_xml(singular, item, call.offset()).xmlns(xmlns));
            }
            xml(StatusCode::OK, root.to_document())
        }
    }
}

fn node_list(body: &Value) -> Vec<Value> {
    array(body, "node")
}

fn array(value: &Value, key: &str) -> Vec<Value> {
    match value.get(key) {
        Some(Value::Array(items)) => items.clone(),
        Some(object @ Value::Object(_)) => vec![object.clone()],
        _ => vec![],
    }
}

fn text(value: &Value, key: &str) -> String {
    match value.get(key) {
        Some(Value::String(text)) => text.trim().to_owned(),
        Some(Value::Number(number)) => number.to_string(),
        _ => String::new(),
    }
}
