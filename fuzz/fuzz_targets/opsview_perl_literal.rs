//! Fuzz target `opsview_perl_literal`: see `rosetta_fuzzing::run`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| rosetta_fuzzing::run("opsview_perl_literal", data));
