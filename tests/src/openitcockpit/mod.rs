//! openitcockpit dialect tests against a live gateway.
