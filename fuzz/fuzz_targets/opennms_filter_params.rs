//! Fuzz target `opennms_filter_params`: see `rosetta_fuzzing::run`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| rosetta_fuzzing::run("opennms_filter_params", data));
