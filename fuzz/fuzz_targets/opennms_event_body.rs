//! Fuzz target `opennms_event_body`: see `rosetta_fuzzing::run`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| rosetta_fuzzing::run("opennms_event_body", data));
