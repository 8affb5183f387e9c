//! Entry points of the fuzz targets: one plain function per hand-written or lenient parser.
//!
//! cargo-fuzz targets in `fuzz/` call [`run`] with the target's name; the normal test suite replays every
//! saved input under `fuzz/regressions/<target>/` and `fuzz/seeds/<target>/` through the same function on
//! stable Rust, so a crash once found stays fixed. Each entry point must not panic on any input.

use rosetta_dialect_openitcockpit as oitc;
use rosetta_dialect_opennms as opennms;
use rosetta_dialect_opsview as opsview;

/// Every fuzz target.
pub const TARGETS: &[&str] = &[
    "opsview_perl_literal",
    "opsview_relaxed_json",
    "opsview_json_filter",
    "opsview_xml_body",
    "opsview_timespec",
    "opennms_fiql",
    "opennms_filter_params",
    "opennms_event_body",
    "opennms_xml",
    "oitc_filter",
    "oitc_sort",
    "oitc_regex",
    "credentials",
    "sql_like",
];

/// Feeds `data` to the parser behind `target`. Unknown targets do nothing.
pub fn run(target: &str, data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match target {
        "opsview_perl_literal" => {
            let _ = opsview::codec::perl_literal::parse_body(data);
        }
        "opsview_relaxed_json" => {
            let _ = opsview::codec::relaxed_json::parse(data);
        }
        "opsview_json_filter" => {
            if let Ok(filter) = opsview::json_filter::parse(&text) {
                let lookup = |column: &str| (column.len() % 3 != 0).then(|| column.to_owned());
                let _ = opsview::json_filter::matches(&filter, &lookup);
            }
        }
        "opsview_xml_body" => {
            if let Ok(Some(value)) = opsview::codec::xml::from_xml(data) {
                let _ = opsview::codec::xml::to_xml(&value);
                let _ = opsview::codec::dumper::dump(&value, true);
            }
        }
        "opsview_timespec" => {
            let _ = opsview::timespec::parse_time(&text, 1_700_000_000, 3600);
            let _ = opsview::timespec::parse_duration(&text);
        }
        "opennms_fiql" => {
            let _ = opennms::fiql::parse(&text);
        }
        "opennms_filter_params" => {
            let pairs = pairs(&text);
            let _ = opennms::filter_params::parse_v1_query(&pairs, &["ack"]);
        }
        "opennms_event_body" => {
            let _ = opennms::event_body::parse_event(data);
        }
        "opennms_xml" => {
            let _ = opennms::xml::parse_xml(data);
        }
        "oitc_filter" => {
            let filters = oitc::filter::Filters::from_query(&pairs(&text));
            let table = [
                ("Hosts.name", oitc::filter::FieldKind::LikeOrRlike),
                ("Hosts.keywords", oitc::filter::FieldKind::Rlike),
                ("Hoststatus.current_state", oitc::filter::FieldKind::State),
                ("Hosts.id", oitc::filter::FieldKind::Equals),
                ("Hoststatus.last_state_change", oitc::filter::FieldKind::IntervalOlder),
            ];
            let conditions = oitc::filter::compile(&table, &filters);
            let _ = oitc::filter::matches_all(&conditions, |field: &str| Some(field.to_owned()), 1_700_000_000);
            if let Ok(body) = serde_json::from_slice::<serde_json::Value>(data) {
                let _ = oitc::filter::Filters::from_body(&body);
            }
        }
        "oitc_sort" => {
            let _ = oitc::sort::parse(&pairs(&text), &[("Hosts.name", oitc::sort::Direction::Asc)]);
        }
        "oitc_regex" => {
            let (pattern, subject) = text.split_once('\n').unwrap_or((&text, "subject"));
            if let Ok(regex) = oitc::regex::Regex::new(pattern) {
                let _ = regex.is_match(subject);
            }
        }
        "credentials" => credentials(data, &text),
        "sql_like" => {
            let (pattern, subject) = text.split_once('\n').unwrap_or((&text, ""));
            let _ = rosetta_model::query::like(pattern, subject);
        }
        _ => {}
    }
}

/// Query-string style pairs from text (`a=1&b=2`).
fn pairs(text: &str) -> Vec<(String, String)> {
    text.split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, value)) => (key.to_owned(), value.to_owned()),
            None => (pair.to_owned(), String::new()),
        })
        .collect()
}

/// Every credential extractor on headers made from the input.
fn credentials(data: &[u8], text: &str) {
    let _ = rosetta_auth::parse_basic(data);
    let _ = oitc::apikey::from_authorization_header(text);
    let _ = oitc::apikey::from_cookie_header(text);
    let _ = oitc::apikey::extract(Some(text), Some(text), &pairs(text));
    let mut builder = http::Request::builder();
    for (name, value) in [("authorization", data), ("x-opsview-username", data), ("x-opsview-token", data), ("cookie", data)] {
        if let Ok(value) = http::HeaderValue::from_bytes(value) {
            builder = builder.header(name, value);
        }
    }
    if let Ok(request) = builder.body(()) {
        let (parts, ()) = request.into_parts();
        let _ = rosetta_core::credentials::any(&parts);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every saved input (seeds and regressions) runs without a panic.
    #[test]
    fn saved_inputs_replay_without_panics() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
        let mut replayed = 0;
        for kind in ["seeds", "regressions"] {
            for target in TARGETS {
                let dir = root.join(kind).join(target);
                let Ok(entries) = std::fs::read_dir(&dir) else { continue };
                for entry in entries.flatten() {
                    let data = std::fs::read(entry.path()).unwrap_or_default();
                    run(target, &data);
                    replayed += 1;
                }
            }
        }
        assert!(replayed >= TARGETS.len(), "every target has saved inputs ({replayed} replayed)");
    }

    /// Pathological inputs stay fast and panic-free.
    #[test]
    fn hostile_inputs_do_not_panic() {
        let deep_json = "[".repeat(100_000);
        let deep_perl = "{a=>".repeat(50_000);
        let deep_fiql = "(".repeat(50_000);
        let long_like = format!("{}\n{}", "%a".repeat(2_000), "a".repeat(4_000));
        for target in TARGETS {
            for input in [&b""[..], b"\xff\xfe\x00", deep_json.as_bytes(), deep_perl.as_bytes(), deep_fiql.as_bytes(), long_like.as_bytes()] {
                run(target, input);
            }
        }
    }
}
