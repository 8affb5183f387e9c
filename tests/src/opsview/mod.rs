//! opsview dialect tests against a live gateway.
