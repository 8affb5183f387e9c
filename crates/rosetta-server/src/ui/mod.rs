//! The status page at `/ui/`: static assets embedded in the binary.

use http::StatusCode;
use rosetta_core::request::respond;
use rosetta_core::Response;

/// The asset for a path under `/ui`, or `None` when there is none.
pub fn serve(path: &str) -> Option<Response> {
    match path {
        "/ui" | "/ui/" | "/ui/index.html" => Some(respond(StatusCode::OK, "text/html; charset=utf-8", INDEX)),
        _ => None,
    }
}

const INDEX: &str = "<!doctype html><title>Rosetta</title><p>The status page is being built.</p>";
