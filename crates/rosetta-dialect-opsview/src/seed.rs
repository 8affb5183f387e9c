//! The objects a fresh Opsview 6.x install has (fresh-install spec §1 and §4.1, the essential rows):
//! host groups `Opsview` (1) and `Monitoring Servers` (2), monitoring cluster 1, the four time
//! periods, the host check commands, and the `Network - Base` (117) and `OS - Unix Base` (118) host
//! templates with their service checks (ids from 200) and service groups; plus optional rows that
//! scripts name (attributes, the `Email` notification method, the work-hours shared profile).
//! Everything is looked up by name first, because the three products share these tables.

use rosetta_core::seed::insert_preferred;
use rosetta_model::*;
use rosetta_store::{StoreError, Tx};
use serde_json::json;

use crate::config::simple::command_line;
use crate::config::{documents, ObjectType};

/// Creates the fresh-install objects that are missing.
pub fn seed(tx: &mut Tx<'_>) -> Result<(), StoreError> {
    let root = host_group(tx, 1, "Opsview", None);
    host_group(tx, 2, "Monitoring Servers", Some(root));
    monitoring_cluster(tx);
    for (id, name, alias, weekdays, weekend) in [
        (1, "24x7", "24 Hours A Day, 7 Days A Week", "00:00-24:00", "00:00-24:00"),
        (2, "workhours", "Normal Working Hours", "09:00-17:00", ""),
        (3, "nonworkhours", "Non-work Hours", "00:00-09:00,17:00-24:00", "00:00-24:00"),
        (4, "none", "None", "", ""),
    ] {
        time_period(tx, id, name, alias, weekdays, weekend);
    }
    for (id, name, plugin, args, priority) in host_check_commands() {
        host_check_command(tx, id, name, plugin, &args, priority);
    }
    let network = service_group(tx, "Network - Base");
    let unix = service_group(tx, "OS - Base Unix Agent");
    let lan = service_check(
        tx,
        200,
        "Connectivity - LAN",
        network,
        "check_icmp",
        "-H $HOSTADDRESS$ -w 100.0,20% -c 500.0,60%",
    );
    let unix_checks: Vec<Id> = [
        (201, "CPU statistics", "-H $HOSTADDRESS$ -c check_cpu -a '-w 98 -c 99'"),
        (202, "Disk", "-H $HOSTADDRESS$ -c check_disk -a '-w 5% -c 2% -p %DISK%'"),
        (203, "Read-only Partitions", "-H $HOSTADDRESS$ -c check_ro_mounts"),
        (204, "SMART HDD Status", "-H $HOSTADDRESS$ -c check_smart"),
        (205, "Unix Load Average", "-H $HOSTADDRESS$ -c check_load -a '-w 5,5,5 -c 9,9,9'"),
        (206, "Unix Memory", "-H $HOSTADDRESS$ -c check_memory -a '-w 90 -c 98'"),
        (207, "Unix Swap", "-H $HOSTADDRESS$ -c check_swap -a '-w 20% -c 10%'"),
    ]
    .into_iter()
    .map(|(id, name, args)| service_check(tx, id, name, unix, "check_nrpe", args))
    .collect();
    host_template(tx, 117, "Network - Base", "Basic network checks", vec![lan]);
    host_template(tx, 118, "OS - Unix Base", "Common Unix agent monitors", unix_checks);
    for (name, value) in [("URL", ""), ("PROCESSES", ""), ("NRPE_PORT", "5666"), ("DISK", "/")] {
        document(tx, ObjectType::Attribute, name, json!({"value": value}));
    }
    document(
        tx,
        ObjectType::NotificationMethod,
        "Email",
        json!({"namespace": "com.opsview.notificationmethods.email", "command": "notify_by_email",
               "active": "1", "contact_variables": "EMAIL"}),
    );
    let workhours = ObjectType::TimePeriod.find(tx, "workhours", None);
    let administrator = ObjectType::Role.find(tx, "Administrator", None);
    document(
        tx,
        ObjectType::SharedNotificationProfile,
        "Receive all alerts during work hours",
        json!({"notification_period": workhours, "role": administrator}),
    );
    // A fresh install is "up to date": nothing is pending until the first change.
    tx.mark_reload();
    let mut status = tx.config_status();
    status.last_reload = tx.now();
    tx.put(status);
    Ok(())
}

fn host_group(tx: &mut Tx<'_>, id: Id, name: &str, parent: Option<Id>) -> Id {
    if let Some(group) = tx.all::<HostGroup>().iter().find(|g| g.name == name && g.parent == parent) {
        return group.meta.id;
    }
    let group = HostGroup {
        meta: Meta::new(0),
        name: name.to_owned(),
        parent,
        tenant: ROOT_TENANT,
        description: String::new(),
        native: Native::new(),
    };
    insert_preferred(tx, group, id).meta.id
}

fn monitoring_cluster(tx: &mut Tx<'_>) {
    if ObjectType::MonitoringCluster.find(tx, "Master Monitoring Server", None).is_some() {
        return;
    }
    let mut body = documents::defaults(ObjectType::MonitoringCluster);
    body["collectors"] = json!([{"name": "opsview", "ref": "/rest/config/collector/1"}]);
    let doc = Document {
        meta: Meta::new(0),
        namespace: documents::namespace(ObjectType::MonitoringCluster),
        name: "Master Monitoring Server".to_owned(),
        tenant: ROOT_TENANT,
        body,
    };
    insert_preferred(tx, doc, 1);
}

fn document(tx: &mut Tx<'_>, ty: ObjectType, name: &str, values: serde_json::Value) {
    if ty.find(tx, name, None).is_some() {
        return;
    }
    let mut body = documents::defaults(ty);
    if let (Some(body), Some(values)) = (body.as_object_mut(), values.as_object()) {
        for (key, value) in values {
            body.insert(key.clone(), value.clone());
        }
    }
    tx.insert(Document {
        meta: Meta::new(0),
        namespace: documents::namespace(ty),
        name: name.to_owned(),
        tenant: ROOT_TENANT,
        body,
    });
}

fn time_period(tx: &mut Tx<'_>, id: Id, name: &str, alias: &str, weekdays: &str, weekend: &str) {
    if tx.find_by_name::<TimePeriod>(name).is_some() {
        return;
    }
    let mut ranges = Vec::new();
    for day in 1..=7u8 {
        let text = if day <= 5 { weekdays } else { weekend };
        for part in text.split(',').filter(|part| !part.is_empty()) {
            if let Some((start, end)) = part.split_once('-') {
                ranges.push(TimeRange { day, start: start.to_owned(), end: end.to_owned() });
            }
        }
    }
    let mut native = Native::new();
    if name == "24x7" {
        native.insert("opsview.object_locked".into(), json!("1"));
    }
    let period = TimePeriod {
        meta: Meta::new(0),
        name: name.to_owned(),
        alias: alias.to_owned(),
        tenant: ROOT_TENANT,
        ranges,
        native,
    };
    insert_preferred(tx, period, id);
}

fn host_check_commands() -> Vec<(Id, &'static str, &'static str, String, u32)> {
    let tcp = |port: u32| format!("-H $HOSTADDRESS$ -p {port} -w 9 -c 9 -t 15");
    vec![
        (15, "ping", "check_icmp", "-H $HOSTADDRESS$ -t 3 -w 500.0,80% -c 1000.0,100%".to_owned(), 2),
        (13, "tcp port 21 (FTP)", "check_tcp", tcp(21), 3),
        (3, "tcp port 22 (SSH)", "check_ssh", "-H $HOSTADDRESS$ -t 15".to_owned(), 4),
        (4, "tcp port 23 (Telnet)", "check_tcp", tcp(23), 5),
        (12, "tcp port 25 (SMTP)", "check_tcp", tcp(25), 6),
        (2, "tcp port 80 (HTTP)", "check_tcp", tcp(80), 7),
        (8, "tcp port 135 (MS RPC)", "check_tcp", tcp(135), 8),
        (5, "tcp port 443 (HTTP/SSL)", "check_tcp", tcp(443), 9),
        (10, "tcp port 5900 (VNC)", "check_tcp", tcp(5900), 10),
        (7, "NRPE (on port 5666)", "check_nrpe", "-H $HOSTADDRESS$".to_owned(), 11),
        (11, "NRPE (on port 5666 - non-SSL)", "check_nrpe", "-n -H $HOSTADDRESS$".to_owned(), 12),
        (14, "tcp port 161 (SNMP)", "check_tcp", tcp(161), 13),
        (1, "slow ping", "check_ping", "-H $HOSTADDRESS$ -w 3000.0,80% -c 5000.0,100% -p 1".to_owned(), 14),
        (16, "tolerant ping", "check_host", "-H $HOSTADDRESS$ -n 5 -i 5s".to_owned(), 15),
    ]
}

fn host_check_command(tx: &mut Tx<'_>, id: Id, name: &str, plugin: &str, args: &str, priority: u32) {
    if tx.find_by_name::<Command>(name).is_some() {
        return;
    }
    let mut native = Native::new();
    native.insert("opsview.args".into(), json!(args));
    native.insert("opsview.priority".into(), json!(priority.to_string()));
    let command = Command {
        meta: Meta::new(0),
        name: name.to_owned(),
        line: command_line(plugin, args),
        kind: CommandKind::HostCheck,
        args: vec![],
        description: String::new(),
        plugin: plugin.to_owned(),
        native,
    };
    insert_preferred(tx, command, id);
}

fn service_group(tx: &mut Tx<'_>, name: &str) -> Id {
    if let Some(group) = tx.find_by_name::<ServiceGroup>(name) {
        return group.meta.id;
    }
    tx.insert(ServiceGroup {
        meta: Meta::new(0),
        name: name.to_owned(),
        tenant: ROOT_TENANT,
        description: String::new(),
        native: Native::new(),
    })
    .meta
    .id
}

fn service_check(tx: &mut Tx<'_>, id: Id, name: &str, group: Id, plugin: &str, args: &str) -> Id {
    if let Some(check) = tx.find_by_name::<ServiceTemplate>(name) {
        return check.meta.id;
    }
    let mut native = Native::new();
    native.insert("opsview.plugin".into(), json!(plugin));
    native.insert("opsview.args".into(), json!(args));
    let check = ServiceTemplate {
        meta: Meta::new(0),
        name: name.to_owned(),
        template_name: String::new(),
        description: String::new(),
        tenant: ROOT_TENANT,
        check: CheckSettings {
            check_interval: Some(300),
            retry_interval: Some(60),
            max_check_attempts: Some(3),
            notification_options: Some("w,c,r".to_owned()),
            flap_detection_enabled: Some(true),
            ..CheckSettings::default()
        },
        servicegroups: vec![group],
        tags: vec![],
        native,
    };
    insert_preferred(tx, check, id).meta.id
}

fn host_template(tx: &mut Tx<'_>, id: Id, name: &str, description: &str, checks: Vec<Id>) {
    if tx.find_by_name::<HostTemplate>(name).is_some() {
        return;
    }
    let template = HostTemplate {
        meta: Meta::new(0),
        name: name.to_owned(),
        description: description.to_owned(),
        tenant: ROOT_TENANT,
        check: CheckSettings::default(),
        service_templates: checks,
        contacts: vec![],
        hostgroups: vec![],
        vars: vec![],
        tags: vec![],
        native: Native::new(),
    };
    insert_preferred(tx, template, id);
}
