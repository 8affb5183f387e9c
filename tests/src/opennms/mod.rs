//! opennms dialect tests against a live gateway.
