//! Fuzz target `opsview_json_filter`: see `rosetta_fuzzing::run`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| rosetta_fuzzing::run("opsview_json_filter", data));
