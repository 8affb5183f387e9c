//! Fuzz target `oitc_filter`: see `rosetta_fuzzing::run`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| rosetta_fuzzing::run("oitc_filter", data));
