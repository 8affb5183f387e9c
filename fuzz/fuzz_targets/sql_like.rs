//! Fuzz target `sql_like`: see `rosetta_fuzzing::run`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| rosetta_fuzzing::run("sql_like", data));
