//! The status page at `/ui/`: static assets embedded in the binary (no build step, no CDN).
//!
//! The page is plain HTML, CSS and JavaScript that talks to the native API with the browser session
//! cookie (`POST /api/v1/sessions`) and follows `/api/v1/stream` for live updates. Every asset goes out
//! with a strict same-origin Content-Security-Policy (no inline script or style), `nosniff` and
//! `Cache-Control: no-cache`, so a new gateway version is picked up on the next load.

use http::{HeaderValue, StatusCode};
use rosetta_core::request::{respond, text};
use rosetta_core::Response;

/// Only same-origin scripts, styles, images and connections; no inline code, no framing.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
     connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// An embedded file: its path under `/ui/`, content type and body.
struct Asset {
    path: &'static str,
    content_type: &'static str,
    body: &'static str,
}

const ASSETS: &[Asset] = &[
    Asset { path: "/ui/", content_type: "text/html; charset=utf-8", body: include_str!("index.html") },
    Asset { path: "/ui/index.html", content_type: "text/html; charset=utf-8", body: include_str!("index.html") },
    Asset { path: "/ui/app.js", content_type: "text/javascript; charset=utf-8", body: include_str!("app.js") },
    Asset { path: "/ui/app.css", content_type: "text/css; charset=utf-8", body: include_str!("app.css") },
    Asset { path: "/ui/icon.svg", content_type: "image/svg+xml", body: include_str!("icon.svg") },
];

/// The asset for a path under `/ui`, or `None` when there is none. `/ui` redirects to `/ui/` so the
/// page's relative links resolve the same way.
pub fn serve(path: &str) -> Option<Response> {
    if path == "/ui" {
        let mut response = text(StatusCode::FOUND, "See /ui/\n");
        response.headers_mut().insert(http::header::LOCATION, HeaderValue::from_static("/ui/"));
        return Some(secure(response));
    }
    let asset = ASSETS.iter().find(|asset| asset.path == path)?;
    Some(secure(respond(StatusCode::OK, asset.content_type, asset.body)))
}

/// Adds the security and caching headers every page response carries.
fn secure(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(http::header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    headers.insert(http::header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(http::header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(http::header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(http::header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header<'a>(response: &'a Response, name: &str) -> &'a str {
        response.headers().get(name).and_then(|value| value.to_str().ok()).unwrap_or_default()
    }

    #[test]
    fn every_asset_has_its_type_and_the_security_headers() {
        for (path, content_type) in [
            ("/ui/", "text/html; charset=utf-8"),
            ("/ui/index.html", "text/html; charset=utf-8"),
            ("/ui/app.js", "text/javascript; charset=utf-8"),
            ("/ui/app.css", "text/css; charset=utf-8"),
            ("/ui/icon.svg", "image/svg+xml"),
        ] {
            let response = serve(path).unwrap_or_else(|| panic!("{path} is not served"));
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            assert_eq!(header(&response, "content-type"), content_type, "{path}");
            assert_eq!(header(&response, "content-security-policy"), CONTENT_SECURITY_POLICY, "{path}");
            assert_eq!(header(&response, "x-content-type-options"), "nosniff", "{path}");
            assert_eq!(header(&response, "cache-control"), "no-cache", "{path}");
        }
    }

    #[test]
    fn ui_without_a_slash_redirects_and_unknown_paths_are_none() {
        let response = serve("/ui").expect("redirect");
        assert_eq!(response.status(), StatusCode::FOUND);
        assert_eq!(header(&response, "location"), "/ui/");
        assert!(serve("/ui/missing.js").is_none());
        assert!(serve("/ui/../Cargo.toml").is_none());
    }

    #[test]
    fn the_page_needs_nothing_the_policy_forbids() {
        let index = include_str!("index.html");
        assert!(!index.contains("<style"), "inline style");
        assert!(!index.contains("style=\""), "inline style attribute");
        assert!(!index.contains("http://") && !index.contains("https://"), "external resource");
        for script in index.split("<script").skip(1) {
            assert!(script.trim_start().starts_with("src=\"/ui/"), "inline or external script: {script}");
        }
        for reference in index.split("=\"/ui/").skip(1) {
            let path = format!("/ui/{}", reference.split('"').next().unwrap_or_default());
            assert!(serve(&path).is_some(), "{path} is referenced but not served");
        }
        let script = include_str!("app.js");
        for forbidden in ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("] {
            assert!(!script.contains(forbidden), "app.js uses {forbidden}");
        }
    }
}
