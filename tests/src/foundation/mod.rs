//! Foundation tests: store, auth, pipeline, CLI and process behaviour.
