//! Fuzz target `opennms_fiql`: see `rosetta_fuzzing::run`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| rosetta_fuzzing::run("opennms_fiql", data));
