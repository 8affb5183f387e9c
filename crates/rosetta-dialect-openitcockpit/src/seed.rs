//! The objects of a fresh openITCOCKPIT install (fresh-install spec §3, essentials of §4.3) with the
//! product's ids, inserted with `insert_preferred` after looking each up by name (the three products
//! share the tables; Opsview and OpenNMS seed first).

use rosetta_core::seed::insert_preferred;
use rosetta_model::*;
use rosetta_store::{StoreError, Tx};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::settings::native_key;

fn uuid(text: &str) -> Uuid {
    Uuid::parse_str(text).unwrap_or_else(|_| rosetta_model::random_uuid())
}

fn meta(uuid_text: Option<&str>) -> Meta {
    match uuid_text {
        Some(text) => Meta::with_uuid(0, uuid(text)),
        None => Meta::new(0),
    }
}

/// Seeds the essentials; returns nothing but the store errors.
pub fn seed(tx: &mut Tx<'_>) -> Result<(), StoreError> {
    let period = seed_time_period(tx);
    let commands = seed_commands(tx);
    let contact = seed_contact(tx, period, &commands);
    seed_host_template(tx, period, &commands, contact);
    seed_service_templates(tx, period, &commands);
    Ok(())
}

fn seed_time_period(tx: &mut Tx<'_>) -> Id {
    if let Some(existing) = tx.find_by_name::<TimePeriod>("24x7") {
        return existing.meta.id;
    }
    let ranges = (1..=7).map(|day| TimeRange { day, start: "00:00".to_owned(), end: "24:00".to_owned() }).collect();
    let period = TimePeriod {
        meta: meta(Some("41012866-6114-4853-9caf-6ffd19954e50")),
        name: "24x7".to_owned(),
        alias: "24x7".to_owned(),
        tenant: ROOT_TENANT,
        ranges,
        native: Native::new(),
    };
    insert_preferred(tx, period, 1).meta.id
}

struct SeedCommand {
    id: Id,
    name: &'static str,
    line: &'static str,
    kind: CommandKind,
    args: &'static [(Id, &'static str, &'static str)],
    uuid: &'static str,
}

const COMMANDS: &[SeedCommand] = &[
    SeedCommand {
        id: 1,
        name: "host-notify-by-email",
        line: "/usr/share/openitcockpit/app/bin/cake nagios_notification --type Host --notificationtype $NOTIFICATIONTYPE$ --hostuuid \"$HOSTNAME$\" --hoststate \"$HOSTSTATE$\" --hostoutput \"$HOSTOUTPUT$\" --hostackauthor \"$NOTIFICATIONAUTHOR$\" --hostackcomment \"$NOTIFICATIONCOMMENT$\" --contactmail \"$CONTACTEMAIL$\" --contactalias \"$CONTACTALIAS$\"",
        kind: CommandKind::Notification,
        args: &[],
        uuid: "a13ff7f4-0642-4a11-be05-9931ca5da1d4",
    },
    SeedCommand {
        id: 2,
        name: "service-notify-by-email",
        line: "/usr/share/openitcockpit/app/bin/cake nagios_notification --type Service --notificationtype $NOTIFICATIONTYPE$ --hostuuid \"$HOSTNAME$\" --serviceuuid \"$SERVICEDESC$\" --servicestate \"$SERVICESTATE$\" --serviceoutput \"$SERVICEOUTPUT$\" --serviceackauthor \"$NOTIFICATIONAUTHOR$\" --serviceackcomment \"$NOTIFICATIONCOMMENT$\" --contactmail \"$CONTACTEMAIL$\" --contactalias \"$CONTACTALIAS$\"",
        kind: CommandKind::Notification,
        args: &[],
        uuid: "a517bbb6-f299-4b57-9865-a4e0b70597e4",
    },
    SeedCommand {
        id: 3,
        name: "check_ping",
        line: "$USER1$/check_ping -H $HOSTADDRESS$ -w $ARG1$ -c $ARG2$ -p 5",
        kind: CommandKind::Check,
        args: &[(1, "$ARG1$", "Warning"), (2, "$ARG2$", "Critical")],
        uuid: "cdd9ba25-a4d7-4894-a2e5-33a4b31e7e75",
    },
    SeedCommand {
        id: 4,
        name: "check-host-alive",
        line: "$USER1$/check_icmp -H $HOSTADDRESS$ -w $ARG1$ -c $ARG2$ -p 1",
        kind: CommandKind::HostCheck,
        args: &[(3, "$ARG1$", "Warning"), (4, "$ARG2$", "Critical")],
        uuid: "d9e7a2bb-1a3f-4d6b-8c3f-3ee2b5e3c0a4",
    },
];

/// Seed id → stored id of the seeded commands.
fn seed_commands(tx: &mut Tx<'_>) -> Vec<(Id, Id)> {
    let mut ids = Vec::new();
    for seed in COMMANDS {
        let stored = match tx.find_by_name::<Command>(seed.name) {
            Some(existing) => existing.meta.id,
            None => {
                let command = Command {
                    meta: meta(Some(seed.uuid)),
                    name: seed.name.to_owned(),
                    line: seed.line.to_owned(),
                    kind: seed.kind,
                    args: seed
                        .args
                        .iter()
                        .map(|(id, name, human)| CommandArg { id: *id, name: (*name).to_owned(), human_name: (*human).to_owned() })
                        .collect(),
                    description: String::new(),
                    plugin: String::new(),
                    native: Native::new(),
                };
                insert_preferred(tx, command, seed.id).meta.id
            }
        };
        ids.push((seed.id, stored));
    }
    ids
}

fn command(ids: &[(Id, Id)], seed_id: Id) -> Id {
    ids.iter().find(|(seed, _)| *seed == seed_id).map_or(seed_id, |(_, stored)| *stored)
}

fn seed_contact(tx: &mut Tx<'_>, period: Id, commands: &[(Id, Id)]) -> Id {
    if let Some(existing) = tx.find_by_name::<Contact>("info") {
        return existing.meta.id;
    }
    let mut native = Native::new();
    let flags = [
        ("host_timeperiod_id", json!(period)),
        ("service_timeperiod_id", json!(period)),
        ("host_commands", json!([command(commands, 1)])),
        ("service_commands", json!([command(commands, 2)])),
        ("host_notifications_enabled", json!(1)),
        ("service_notifications_enabled", json!(1)),
        ("notify_service_recovery", json!(1)),
        ("notify_service_warning", json!(1)),
        ("notify_service_unknown", json!(1)),
        ("notify_service_critical", json!(1)),
        ("notify_service_flapping", json!(0)),
        ("notify_service_downtime", json!(0)),
        ("notify_host_recovery", json!(1)),
        ("notify_host_down", json!(1)),
        ("notify_host_unreachable", json!(1)),
        ("notify_host_flapping", json!(0)),
        ("notify_host_downtime", json!(0)),
        ("host_push_notifications_enabled", json!(0)),
        ("service_push_notifications_enabled", json!(0)),
    ];
    for (key, value) in flags {
        native.insert(native_key(key), value);
    }
    let contact = Contact {
        meta: meta(Some("152aecaf-e981-4b0b-8e05-86972868547d")),
        name: "info".to_owned(),
        description: "info contact".to_owned(),
        email: "openitcockpit@localhost.local".to_owned(),
        phone: String::new(),
        tenants: vec![ROOT_TENANT],
        user: None,
        native,
    };
    insert_preferred(tx, contact, 1).meta.id
}

fn zeros(fields: &[&str]) -> Vec<(String, Value)> {
    fields.iter().map(|field| (native_key(field), json!(0))).collect()
}

fn seed_host_template(tx: &mut Tx<'_>, period: Id, commands: &[(Id, Id)], contact: Id) {
    if tx.find_by_name::<HostTemplate>("default host").is_some() {
        return;
    }
    let mut native: Native = zeros(&[
        "eventhandler_command_id",
        "first_notification_delay",
        "low_flap_threshold",
        "high_flap_threshold",
        "process_performance_data",
        "freshness_checks_enabled",
        "freshness_threshold",
        "event_handler_enabled",
        "flap_detection_on_up",
        "flap_detection_on_down",
        "flap_detection_on_unreachable",
        "timeperiod_id",
        "retain_status_information",
        "retain_nonstatus_information",
    ])
    .into_iter()
    .collect();
    native.insert(native_key("host_url"), json!(""));
    native.insert(native_key("hosttemplatetype_id"), json!(1));
    native.insert(native_key("check_command_args"), json!(""));
    let template = HostTemplate {
        meta: meta(Some("efbee68c-cf48-4b78-83f5-c856c56177f0")),
        name: "default host".to_owned(),
        description: "default host".to_owned(),
        tenant: ROOT_TENANT,
        check: CheckSettings {
            command: Some(command(commands, 4)),
            command_args: Some(vec!["3000.0,80%".to_owned(), "5000.0,100%".to_owned()]),
            check_interval: Some(7200),
            retry_interval: Some(60),
            max_check_attempts: Some(3),
            notification_interval: Some(7200),
            check_period: Some(period),
            notification_period: Some(period),
            active_checks_enabled: Some(true),
            passive_checks_enabled: Some(false),
            notifications_enabled: Some(true),
            flap_detection_enabled: Some(false),
            notification_options: Some("dur".to_owned()),
            event_handler: None,
            priority: Some(1),
            notes: Some(String::new()),
        },
        service_templates: vec![],
        contacts: vec![contact],
        hostgroups: vec![],
        vars: vec![],
        tags: vec![],
        native,
    };
    insert_preferred(tx, template, 1);
}

struct SeedServiceTemplate {
    id: Id,
    template_name: &'static str,
    name: &'static str,
    description: &'static str,
    command: Id,
    args: &'static [&'static str],
    interval: u32,
}

const SERVICE_TEMPLATES: &[SeedServiceTemplate] = &[
    SeedServiceTemplate { id: 1, template_name: "CHECK_PING", name: "Ping", description: "Lan-Ping", command: 3, args: &["100.0,20%", "500.0,60%"], interval: 300 },
    SeedServiceTemplate { id: 2, template_name: "CHECK_SSH", name: "SSH Connection", description: "", command: 11, args: &[], interval: 300 },
    SeedServiceTemplate { id: 3, template_name: "CHECK_BY_SSH", name: "CHECK_BY_SSH", description: "", command: 23, args: &[], interval: 900 },
    SeedServiceTemplate { id: 4, template_name: "DHCP", name: "DHCP", description: "", command: 5, args: &[], interval: 300 },
    SeedServiceTemplate { id: 5, template_name: "FTP Connection", name: "FTP Connection", description: "", command: 6, args: &[], interval: 300 },
    SeedServiceTemplate { id: 6, template_name: "HTTP", name: "HTTP", description: "", command: 7, args: &[], interval: 300 },
    SeedServiceTemplate { id: 7, template_name: "HTTPS", name: "HTTPS", description: "", command: 8, args: &[], interval: 300 },
    SeedServiceTemplate { id: 8, template_name: "Disk usage /", name: "Disk usage /", description: "", command: 17, args: &[], interval: 1800 },
    SeedServiceTemplate { id: 9, template_name: "LinuxLoad", name: "LinuxLoad", description: "", command: 19, args: &[], interval: 300 },
    SeedServiceTemplate { id: 10, template_name: "MailQ", name: "MailQ", description: "", command: 20, args: &[], interval: 900 },
    SeedServiceTemplate { id: 11, template_name: "Process", name: "Process", description: "", command: 21, args: &[], interval: 300 },
    SeedServiceTemplate { id: 12, template_name: "Process Total", name: "Process Total", description: "", command: 22, args: &[], interval: 300 },
    SeedServiceTemplate { id: 13, template_name: "Users loggedin", name: "Users loggedin", description: "", command: 18, args: &[], interval: 300 },
    SeedServiceTemplate { id: 14, template_name: "TCP Connection", name: "TCP Connection", description: "", command: 10, args: &[], interval: 300 },
    SeedServiceTemplate { id: 15, template_name: "Telnet Connection", name: "Telnet Connection", description: "", command: 9, args: &[], interval: 300 },
    SeedServiceTemplate { id: 16, template_name: "SMTP Connection", name: "SMTP Connection", description: "", command: 12, args: &[], interval: 300 },
    SeedServiceTemplate { id: 17, template_name: "NTP", name: "NTP", description: "", command: 15, args: &[], interval: 300 },
    SeedServiceTemplate { id: 18, template_name: "NTP Time", name: "NTP Time", description: "", command: 14, args: &[], interval: 300 },
    SeedServiceTemplate { id: 49, template_name: "CHECK_STATUSENGINE_WORKER_PERFORMANCE", name: "Statusengine Worker Performance", description: "", command: 29, args: &[], interval: 60 },
];

fn seed_service_templates(tx: &mut Tx<'_>, period: Id, commands: &[(Id, Id)]) {
    for seed in SERVICE_TEMPLATES {
        if tx.find_by_name::<ServiceTemplate>(seed.name).is_some() {
            continue;
        }
        // Only the commands of the essential seed exist; the others stay unset (no check command).
        let command_id = commands.iter().find(|(id, _)| *id == seed.command).map(|(_, stored)| *stored);
        let mut native: Native = zeros(&[
            "eventhandler_command_id",
            "first_notification_delay",
            "low_flap_threshold",
            "high_flap_threshold",
            "freshness_checks_enabled",
            "freshness_threshold",
            "event_handler_enabled",
            "flap_detection_on_ok",
            "flap_detection_on_warning",
            "flap_detection_on_critical",
            "flap_detection_on_unknown",
            "is_volatile",
        ])
        .into_iter()
        .collect();
        native.insert(native_key("process_performance_data"), json!(1));
        native.insert(native_key("service_url"), json!(""));
        native.insert(native_key("servicetemplatetype_id"), json!(1));
        let template = ServiceTemplate {
            meta: meta(None),
            name: seed.name.to_owned(),
            template_name: seed.template_name.to_owned(),
            description: seed.description.to_owned(),
            tenant: ROOT_TENANT,
            check: CheckSettings {
                command: command_id,
                command_args: Some(seed.args.iter().map(|arg| (*arg).to_owned()).collect()),
                check_interval: Some(seed.interval),
                retry_interval: Some(60),
                max_check_attempts: Some(3),
                notification_interval: Some(7200),
                check_period: Some(period),
                notification_period: Some(period),
                active_checks_enabled: Some(true),
                passive_checks_enabled: Some(false),
                notifications_enabled: Some(true),
                flap_detection_enabled: Some(false),
                notification_options: Some("cr".to_owned()),
                event_handler: None,
                priority: Some(1),
                notes: Some(String::new()),
            },
            servicegroups: vec![],
            tags: vec![],
            native,
        };
        insert_preferred(tx, template, seed.id);
    }
}
