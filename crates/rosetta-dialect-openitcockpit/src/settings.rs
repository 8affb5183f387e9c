//! openITCOCKPIT's inheritable object fields and the inheritance rule (spec §3.3 step 3, §9 item 16).
//!
//! Hosts inherit from their host template and services from their service template: a field that is
//! absent, `null`, or loosely equal (PHP `==`) to the template's value is stored as "inherit" and
//! reported with the template's value. The neutral model keeps the settings it knows in
//! [`CheckSettings`] (`None` = inherit); the product-only fields live in `native` under
//! `openitcockpit.<field>` (absent = inherit).

use rosetta_model::{CheckSettings, Native};
use serde_json::{Map, Value};

use crate::validation::{Rule, ValidationErrors};

/// Which object family a settings map belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Hosts and host templates.
    Host,
    /// Services and service templates.
    Service,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ty {
    Int,
    Bool,
    Text,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Command,
    CheckInterval,
    RetryInterval,
    MaxAttempts,
    NotificationInterval,
    CheckPeriod,
    NotifyPeriod,
    Active,
    Passive,
    Notifications,
    Flap,
    Priority,
    Notes,
    Notify(char),
    Description,
    Tags,
    Native,
}

const COMMON: &[(&str, Ty, Slot)] = &[
    ("description", Ty::Text, Slot::Description),
    ("command_id", Ty::Int, Slot::Command),
    ("eventhandler_command_id", Ty::Int, Slot::Native),
    ("check_interval", Ty::Int, Slot::CheckInterval),
    ("retry_interval", Ty::Int, Slot::RetryInterval),
    ("max_check_attempts", Ty::Int, Slot::MaxAttempts),
    ("first_notification_delay", Ty::Int, Slot::Native),
    ("notification_interval", Ty::Int, Slot::NotificationInterval),
    ("flap_detection_enabled", Ty::Bool, Slot::Flap),
    ("low_flap_threshold", Ty::Int, Slot::Native),
    ("high_flap_threshold", Ty::Int, Slot::Native),
    ("process_performance_data", Ty::Bool, Slot::Native),
    ("freshness_checks_enabled", Ty::Bool, Slot::Native),
    ("freshness_threshold", Ty::Int, Slot::Native),
    ("passive_checks_enabled", Ty::Bool, Slot::Passive),
    ("event_handler_enabled", Ty::Bool, Slot::Native),
    ("active_checks_enabled", Ty::Bool, Slot::Active),
    ("notifications_enabled", Ty::Bool, Slot::Notifications),
    ("notes", Ty::Text, Slot::Notes),
    ("priority", Ty::Int, Slot::Priority),
    ("check_period_id", Ty::Int, Slot::CheckPeriod),
    ("notify_period_id", Ty::Int, Slot::NotifyPeriod),
    ("tags", Ty::Text, Slot::Tags),
];

const HOST: &[(&str, Ty, Slot)] = &[
    ("notify_on_down", Ty::Bool, Slot::Notify('d')),
    ("notify_on_unreachable", Ty::Bool, Slot::Notify('u')),
    ("notify_on_recovery", Ty::Bool, Slot::Notify('r')),
    ("notify_on_flapping", Ty::Bool, Slot::Notify('f')),
    ("notify_on_downtime", Ty::Bool, Slot::Notify('s')),
    ("flap_detection_on_up", Ty::Bool, Slot::Native),
    ("flap_detection_on_down", Ty::Bool, Slot::Native),
    ("flap_detection_on_unreachable", Ty::Bool, Slot::Native),
    ("host_url", Ty::Text, Slot::Native),
];

const SERVICE: &[(&str, Ty, Slot)] = &[
    ("notify_on_warning", Ty::Bool, Slot::Notify('w')),
    ("notify_on_unknown", Ty::Bool, Slot::Notify('u')),
    ("notify_on_critical", Ty::Bool, Slot::Notify('c')),
    ("notify_on_recovery", Ty::Bool, Slot::Notify('r')),
    ("notify_on_flapping", Ty::Bool, Slot::Notify('f')),
    ("notify_on_downtime", Ty::Bool, Slot::Notify('s')),
    ("flap_detection_on_ok", Ty::Bool, Slot::Native),
    ("flap_detection_on_warning", Ty::Bool, Slot::Native),
    ("flap_detection_on_critical", Ty::Bool, Slot::Native),
    ("flap_detection_on_unknown", Ty::Bool, Slot::Native),
    ("is_volatile", Ty::Bool, Slot::Native),
    ("service_url", Ty::Text, Slot::Native),
];

fn fields(family: Family) -> impl Iterator<Item = &'static (&'static str, Ty, Slot)> {
    COMMON.iter().chain(match family {
        Family::Host => HOST.iter(),
        Family::Service => SERVICE.iter(),
    })
}

/// The key under which a product-only field is kept in `native`.
pub fn native_key(field: &str) -> String {
    format!("openitcockpit.{field}")
}

/// The inheritable part of an object: `None`/absent means "inherit".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Own {
    /// Settings the neutral model knows.
    pub check: CheckSettings,
    /// Description.
    pub description: Option<String>,
    /// Tags.
    pub tags: Option<Vec<String>>,
    /// Product-only fields (`openitcockpit.<field>`), only those set.
    pub native: Native,
}

fn int(value: Option<impl Into<i64>>) -> Value {
    value.map_or(Value::Null, |value| Value::from(value.into()))
}

fn boolean(value: Option<bool>) -> Value {
    value.map_or(Value::Null, |value| Value::from(i64::from(value)))
}

/// Splits a comma-separated tag string.
pub fn split_tags(text: &str) -> Vec<String> {
    text.split(',').map(str::trim).filter(|tag| !tag.is_empty()).map(str::to_owned).collect()
}

/// The wire map of every inheritable field (`null` where inherited).
pub fn to_map(family: Family, own: &Own) -> Map<String, Value> {
    let check = &own.check;
    let mut map = Map::new();
    for (name, _, slot) in fields(family) {
        let value = match slot {
            Slot::Command => int(check.command),
            Slot::CheckInterval => int(check.check_interval),
            Slot::RetryInterval => int(check.retry_interval),
            Slot::MaxAttempts => int(check.max_check_attempts),
            Slot::NotificationInterval => int(check.notification_interval),
            Slot::CheckPeriod => int(check.check_period),
            Slot::NotifyPeriod => int(check.notification_period),
            Slot::Active => boolean(check.active_checks_enabled),
            Slot::Passive => boolean(check.passive_checks_enabled),
            Slot::Notifications => boolean(check.notifications_enabled),
            Slot::Flap => boolean(check.flap_detection_enabled),
            Slot::Priority => int(check.priority),
            Slot::Notes => check.notes.clone().map_or(Value::Null, Value::from),
            Slot::Notify(letter) => boolean(check.notification_options.as_ref().map(|options| options.contains(*letter))),
            Slot::Description => own.description.clone().map_or(Value::Null, Value::from),
            Slot::Tags => own.tags.as_ref().map_or(Value::Null, |tags| Value::from(tags.join(","))),
            Slot::Native => own.native.get(&native_key(name)).cloned().unwrap_or(Value::Null),
        };
        map.insert((*name).to_owned(), value);
    }
    map
}

/// A template's complete settings (its own values over the built-in defaults).
pub fn complete(family: Family, own: &Own) -> Own {
    let mut complete = Own {
        check: own.check.over(&CheckSettings::defaults()),
        description: Some(own.description.clone().unwrap_or_default()),
        tags: Some(own.tags.clone().unwrap_or_default()),
        native: own.native.clone(),
    };
    if complete.check.notification_options.is_none() {
        complete.check.notification_options = Some(String::new());
    }
    for (name, ty, slot) in fields(family) {
        if *slot == Slot::Native {
            let default = if *ty == Ty::Text { Value::from("") } else { Value::from(0) };
            complete.native.entry(native_key(name)).or_insert(default);
        }
    }
    complete
}

/// PHP-ish scalar text of a value for loose comparison (`1 == "1" == true`).
pub fn loose_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::Bool(flag) => Some(if *flag { "1" } else { "0" }.to_owned()),
        Value::Number(number) => Some(match number.as_f64() {
            Some(float) if float.fract() == 0.0 && float.abs() < 1e15 => format!("{}", float as i64),
            _ => number.to_string(),
        }),
        Value::String(text) => Some(text.trim().to_owned()),
        other => Some(other.to_string()),
    }
}

/// Applies the inheritance rule: `input` (the client's fields) over `template` (complete); every
/// field equal to the template's is `null`. The notification flags are one unit: if any differs,
/// all are kept.
pub fn inherit(family: Family, input: &Map<String, Value>, template: &Map<String, Value>) -> Map<String, Value> {
    let mut merged = Map::new();
    let mut notify_differs = false;
    for (name, _, slot) in fields(family) {
        let base = template.get(*name).cloned().unwrap_or(Value::Null);
        let given = input.get(*name).filter(|value| !value.is_null()).cloned();
        let value = given.unwrap_or_else(|| base.clone());
        let same = loose_text(&value) == loose_text(&base);
        if matches!(slot, Slot::Notify(_)) && !same {
            notify_differs = true;
        }
        merged.insert((*name).to_owned(), if same { Value::Null } else { value });
    }
    if notify_differs {
        for (name, _, slot) in fields(family) {
            if matches!(slot, Slot::Notify(_)) && merged.get(*name).is_some_and(Value::is_null) {
                merged.insert((*name).to_owned(), template.get(*name).cloned().unwrap_or(Value::from(0)));
            }
        }
    }
    merged
}

fn parse_int(value: &Value) -> Option<i64> {
    match value {
        Value::Number(number) => number.as_i64().or_else(|| number.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64)),
        Value::String(text) => crate::php::strict_int(text),
        Value::Bool(flag) => Some(i64::from(*flag)),
        _ => None,
    }
}

fn parse_bool(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(flag) => Some(*flag),
        other => parse_int(other).filter(|n| *n == 0 || *n == 1).map(|n| n == 1),
    }
}

fn parse_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// Parses a wire map (`null` = inherit) into [`Own`], collecting validation errors.
pub fn from_map(family: Family, map: &Map<String, Value>, errors: &mut ValidationErrors) -> Own {
    let mut own = Own::default();
    let mut letters: Option<String> = None;
    for (name, ty, slot) in fields(family) {
        let Some(value) = map.get(*name).filter(|value| !value.is_null()) else {
            continue;
        };
        let parsed = match ty {
            Ty::Int => parse_int(value).map(Value::from),
            Ty::Bool => parse_bool(value).map(|flag| Value::from(i64::from(flag))),
            Ty::Text => parse_text(value).map(Value::from),
        };
        let Some(parsed) = parsed else {
            let rule = match ty {
                Ty::Int => Rule::Integer,
                Ty::Bool => Rule::Boolean,
                Ty::Text => Rule::Other("scalar".to_owned()),
            };
            errors.add(name, rule);
            continue;
        };
        if *ty == Ty::Text && parsed.as_str().is_some_and(|text| text.chars().count() > 255) && *slot != Slot::Notes {
            errors.add(name, Rule::MaxLength);
        }
        let number = parsed.as_i64().unwrap_or_default();
        let check_range = |errors: &mut ValidationErrors, min: i64, max: Option<i64>| -> bool {
            let ok = number >= min && max.is_none_or(|max| number <= max);
            if !ok {
                match max {
                    Some(max) => errors.add(name, Rule::Range { min, max }),
                    None => errors.add(name, Rule::GreaterThanOrEqual),
                };
            }
            ok
        };
        let as_u32 = |n: i64| u32::try_from(n).ok();
        match slot {
            Slot::Command if check_range(errors, 1, None) => own.check.command = Some(number),
            Slot::CheckInterval if check_range(errors, 1, Some(i64::from(u32::MAX))) => {
                own.check.check_interval = as_u32(number)
            }
            Slot::RetryInterval if check_range(errors, 1, Some(i64::from(u32::MAX))) => {
                own.check.retry_interval = as_u32(number)
            }
            Slot::MaxAttempts if check_range(errors, 1, Some(i64::from(u32::MAX))) => {
                own.check.max_check_attempts = as_u32(number)
            }
            Slot::NotificationInterval if check_range(errors, 0, Some(i64::from(u32::MAX))) => {
                own.check.notification_interval = as_u32(number)
            }
            Slot::CheckPeriod if check_range(errors, 1, None) => own.check.check_period = Some(number),
            Slot::NotifyPeriod if check_range(errors, 1, None) => own.check.notification_period = Some(number),
            Slot::Priority if check_range(errors, 1, Some(5)) => own.check.priority = u8::try_from(number).ok(),
            Slot::Active => own.check.active_checks_enabled = Some(number == 1),
            Slot::Passive => own.check.passive_checks_enabled = Some(number == 1),
            Slot::Notifications => own.check.notifications_enabled = Some(number == 1),
            Slot::Flap => own.check.flap_detection_enabled = Some(number == 1),
            Slot::Notes => own.check.notes = parsed.as_str().map(str::to_owned),
            Slot::Notify(letter) => {
                let letters = letters.get_or_insert_with(String::new);
                if number == 1 {
                    letters.push(*letter);
                }
            }
            Slot::Description => own.description = parsed.as_str().map(str::to_owned),
            Slot::Tags => own.tags = parsed.as_str().map(split_tags),
            Slot::Native => {
                own.native.insert(native_key(name), parsed);
            }
            _ => {}
        }
    }
    own.check.notification_options = letters;
    own
}

/// The effective values: `own` over the complete template settings.
pub fn effective(family: Family, own: &Own, template: &Own) -> Map<String, Value> {
    let template_map = to_map(family, template);
    let mut map = to_map(family, own);
    for (key, value) in map.iter_mut() {
        if value.is_null() {
            *value = template_map.get(key).cloned().unwrap_or(Value::Null);
        }
    }
    if own.check.notification_options.is_none() {
        for (name, _, slot) in fields(family) {
            if matches!(slot, Slot::Notify(_)) {
                map.insert((*name).to_owned(), template_map.get(*name).cloned().unwrap_or(Value::from(0)));
            }
        }
    }
    map
}

/// Extracts the product-only native fields of an object (those this module manages).
pub fn own_native(family: Family, native: &Native) -> Native {
    fields(family)
        .filter(|(_, _, slot)| *slot == Slot::Native)
        .filter_map(|(name, _, _)| {
            let key = native_key(name);
            native.get(&key).map(|value| (key, value.clone()))
        })
        .collect()
}

/// Replaces the managed native fields of `native` with those of `own`.
pub fn store_native(family: Family, native: &mut Native, own: &Native) {
    for (name, _, slot) in fields(family) {
        if *slot == Slot::Native {
            native.remove(&native_key(name));
        }
    }
    native.extend(own.iter().map(|(key, value)| (key.clone(), value.clone())));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn template() -> Own {
        let mut own = Own::default();
        own.check.check_interval = Some(7200);
        own.check.priority = Some(1);
        own.check.notification_options = Some("dur".to_owned());
        complete(Family::Host, &own)
    }

    #[test]
    fn equal_or_missing_fields_inherit() {
        let template_map = to_map(Family::Host, &template());
        let input = json!({"check_interval": "7200", "priority": 3, "notify_on_down": 1, "notification_interval": null});
        let merged = inherit(Family::Host, input.as_object().expect("object"), &template_map);
        let mut errors = ValidationErrors::new();
        let own = from_map(Family::Host, &merged, &mut errors);
        assert!(errors.is_empty());
        assert_eq!(own.check.check_interval, None);
        assert_eq!(own.check.priority, Some(3));
        assert_eq!(own.check.notification_options, None);
        let shown = effective(Family::Host, &own, &template());
        assert_eq!(shown["check_interval"], json!(7200));
        assert_eq!(shown["priority"], json!(3));
        assert_eq!(shown["notify_on_unreachable"], json!(1));
    }

    #[test]
    fn one_changed_notify_flag_keeps_the_others() {
        let template_map = to_map(Family::Host, &template());
        let input = json!({"notify_on_down": 0});
        let merged = inherit(Family::Host, input.as_object().expect("object"), &template_map);
        let own = from_map(Family::Host, &merged, &mut ValidationErrors::new());
        assert_eq!(own.check.notification_options.as_deref(), Some("ur"));
    }

    #[test]
    fn bad_values_are_validation_errors() {
        let input = json!({"priority": 9, "check_interval": "abc", "active_checks_enabled": "yes"});
        let mut errors = ValidationErrors::new();
        from_map(Family::Host, input.as_object().expect("object"), &mut errors);
        assert_eq!(
            errors.to_value(),
            json!({"priority": {"range": "This value must be between 1 and 5"},
                   "check_interval": {"integer": "The provided value is invalid"},
                   "active_checks_enabled": {"boolean": "The provided value is invalid"}})
        );
    }
}
