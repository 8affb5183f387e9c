//! Wire formats of the Opsview API (spec §3): one module per format and direction.

pub mod dumper;
pub mod perl_literal;
pub mod relaxed_json;
pub mod xml;
pub mod yaml;
