//! Content negotiation (spec §3.1, §3.2): which serializer answers a request and how its body
//! should be read.
//!
//! The response rule is Catalyst::Action::REST's: candidates are the request `Content-Type`
//! (even on a GET without a body), then, on GET only, the `content-type` query parameter, then
//! the `Accept` entries by descending q-value (header order breaks ties; `q=0` entries are
//! dropped). The first candidate with a serializer wins; if none has one (no headers,
//! `application/x-www-form-urlencoded`, `text/html`, `*/*`, ...) the configured default is used.
//! YAML is produced by [`crate::codec::yaml`]; YAML request bodies have no parser in this crate.

/// A data format the Opsview API speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// `application/json` (also `text/x-json`).
    Json,
    /// `text/x-data-dumper`: a Perl data structure.
    Perl,
    /// `text/xml` (also `application/xml`), `XML::Simple` style.
    Xml,
    /// `text/x-yaml`.
    Yaml,
}

impl Format {
    /// The format served for a MIME type; parameters (`; charset=...`) and case are ignored.
    pub fn from_mime(mime: &str) -> Option<Format> {
        match media_type(mime).as_str() {
            "application/json" | "text/x-json" | "text/json" | "application/x-json" => {
                Some(Format::Json)
            }
            "text/x-data-dumper" => Some(Format::Perl),
            "text/xml" | "application/xml" => Some(Format::Xml),
            "text/x-yaml" | "application/x-yaml" | "application/yaml" | "text/yaml" => {
                Some(Format::Yaml)
            }
            _ => None,
        }
    }

    /// The format for a short name as used in configuration and by the official CLI's
    /// `--data-format`: `json`, `perl`, `xml`, `yaml` or `yml` (case-insensitive).
    pub fn from_name(name: &str) -> Option<Format> {
        match name.trim().to_ascii_lowercase().as_str() {
            "json" => Some(Format::Json),
            "perl" => Some(Format::Perl),
            "xml" => Some(Format::Xml),
            "yaml" | "yml" => Some(Format::Yaml),
            _ => None,
        }
    }

    /// The bare MIME type, e.g. `application/json`.
    pub fn mime_type(self) -> &'static str {
        match self {
            Format::Json => "application/json",
            Format::Perl => "text/x-data-dumper",
            Format::Xml => "text/xml",
            Format::Yaml => "text/x-yaml",
        }
    }

    /// The `Content-Type` header value for a response, e.g. `application/json; charset=utf-8`.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Json => "application/json; charset=utf-8",
            Format::Perl => "text/x-data-dumper; charset=utf-8",
            Format::Xml => "text/xml; charset=utf-8",
            Format::Yaml => "text/x-yaml; charset=utf-8",
        }
    }
}

/// How a request body should be decoded, judged from its `Content-Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// A serialized data structure in this format.
    Data(Format),
    /// `application/x-www-form-urlencoded`: parameters, merged like URL parameters.
    Form,
    /// `multipart/form-data` (plugin upload).
    Multipart,
    /// No `Content-Type` header, or an empty one.
    Unspecified,
    /// Some other type.
    Unsupported,
}

/// Classifies a request body by its `Content-Type` header.
pub fn body_kind(content_type: Option<&str>) -> BodyKind {
    let Some(raw) = content_type.filter(|ct| !ct.trim().is_empty()) else {
        return BodyKind::Unspecified;
    };
    if let Some(format) = Format::from_mime(raw) {
        return BodyKind::Data(format);
    }
    match media_type(raw).as_str() {
        "application/x-www-form-urlencoded" => BodyKind::Form,
        "multipart/form-data" => BodyKind::Multipart,
        _ => BodyKind::Unsupported,
    }
}

/// Chooses the response format.
///
/// * `content_type`: the request's `Content-Type` header;
/// * `is_get`: whether the method is GET (only then is `query_content_type` considered);
/// * `query_content_type`: the `content-type` URL parameter;
/// * `accept`: the `Accept` header;
/// * `default`: the configured fallback (JSON is recommended).
pub fn response_format(
    content_type: Option<&str>,
    is_get: bool,
    query_content_type: Option<&str>,
    accept: Option<&str>,
    default: Format,
) -> Format {
    if let Some(format) = content_type.and_then(Format::from_mime) {
        return format;
    }
    if is_get {
        if let Some(format) = query_content_type.and_then(Format::from_mime) {
            return format;
        }
    }
    accept
        .map(ranked_accept)
        .unwrap_or_default()
        .into_iter()
        .find_map(|mime| Format::from_mime(&mime))
        .unwrap_or(default)
}

/// The lower-cased media type without parameters.
fn media_type(mime: &str) -> String {
    mime.split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// The media types of an `Accept` header, best first; `q=0` entries are dropped.
fn ranked_accept(accept: &str) -> Vec<String> {
    let mut entries: Vec<(u16, String)> = Vec::new();
    for entry in accept.split(',') {
        let mut parts = entry.split(';');
        let mime = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        if mime.is_empty() {
            continue;
        }
        let mut quality = 1000;
        for param in parts {
            if let Some((name, value)) = param.split_once('=') {
                if name.trim().eq_ignore_ascii_case("q") {
                    quality = parse_qvalue(value.trim()).unwrap_or(0);
                }
            }
        }
        if quality > 0 {
            entries.push((quality, mime));
        }
    }
    // A stable sort keeps header order among equal q-values.
    entries.sort_by_key(|entry| std::cmp::Reverse(entry.0));
    entries.into_iter().map(|(_, mime)| mime).collect()
}

/// A q-value in thousandths (`1` → 1000, `0.5` → 500); `None` when malformed.
fn parse_qvalue(text: &str) -> Option<u16> {
    let value: f64 = text.parse().ok()?;
    if !(0.0..=1.0).contains(&value) {
        return None;
    }
    // `value` is within 0..=1, so the product fits in u16.
    Some((value * 1000.0).round() as u16)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choose(ct: Option<&str>, get: bool, q: Option<&str>, accept: Option<&str>) -> Format {
        response_format(ct, get, q, accept, Format::Json)
    }

    #[test]
    fn content_type_wins_even_on_get() {
        assert_eq!(
            choose(Some("application/json"), true, None, Some("text/xml")),
            Format::Json
        );
        assert_eq!(
            choose(
                Some("text/x-data-dumper"),
                true,
                Some("application/json"),
                Some("application/json")
            ),
            Format::Perl
        );
        assert_eq!(
            choose(Some("Application/JSON; charset=utf-8"), false, None, None),
            Format::Json
        );
        assert_eq!(
            choose(Some("text/x-json"), false, None, Some("text/xml")),
            Format::Json
        );
    }

    #[test]
    fn query_parameter_only_on_get() {
        assert_eq!(
            choose(None, true, Some("text/xml"), Some("application/json")),
            Format::Xml
        );
        assert_eq!(
            choose(None, false, Some("text/xml"), Some("text/x-yaml")),
            Format::Yaml
        );
        assert_eq!(choose(None, false, Some("text/xml"), None), Format::Json);
    }

    #[test]
    fn accept_by_q_value() {
        assert_eq!(
            choose(None, true, None, Some("text/xml;q=0.5, text/x-yaml")),
            Format::Yaml
        );
        assert_eq!(
            choose(
                None,
                true,
                None,
                Some("text/html, text/x-data-dumper;q=0.1")
            ),
            Format::Perl
        );
        assert_eq!(
            choose(None, true, None, Some("text/xml, application/json")),
            Format::Xml
        );
        assert_eq!(
            choose(None, true, None, Some("text/xml;q=0, text/x-yaml;q=0.2")),
            Format::Yaml
        );
        assert_eq!(
            choose(
                None,
                true,
                None,
                Some("application/xml; Q=0.9; level=1, text/x-yaml;q=0.8")
            ),
            Format::Xml
        );
        assert_eq!(
            choose(None, true, None, Some("text/xml;q=bogus")),
            Format::Json
        );
        assert_eq!(choose(None, true, None, Some("text/xml;q=2")), Format::Json);
    }

    #[test]
    fn fallbacks_use_the_default() {
        assert_eq!(
            response_format(None, false, None, None, Format::Perl),
            Format::Perl
        );
        assert_eq!(
            choose(Some("application/x-www-form-urlencoded"), false, None, None),
            Format::Json
        );
        assert_eq!(
            response_format(
                Some("application/x-www-form-urlencoded"),
                false,
                None,
                None,
                Format::Perl
            ),
            Format::Perl
        );
        assert_eq!(
            choose(Some("text/html"), true, None, Some("*/*")),
            Format::Json
        );
        assert_eq!(
            choose(Some(""), true, Some(""), Some(",,;q=,")),
            Format::Json
        );
        assert_eq!(
            choose(
                Some("application/x-www-form-urlencoded"),
                false,
                None,
                Some("text/x-data-dumper")
            ),
            Format::Perl
        );
    }

    #[test]
    fn mime_strings() {
        for format in [Format::Json, Format::Perl, Format::Xml, Format::Yaml] {
            assert_eq!(Format::from_mime(format.mime_type()), Some(format));
            assert_eq!(Format::from_mime(format.content_type()), Some(format));
        }
        assert_eq!(
            Format::Json.content_type(),
            "application/json; charset=utf-8"
        );
        assert_eq!(Format::from_name(" YML "), Some(Format::Yaml));
        assert_eq!(Format::from_name("perl"), Some(Format::Perl));
        assert_eq!(Format::from_name("csv"), None);
    }

    #[test]
    fn body_kinds() {
        assert_eq!(
            body_kind(Some("application/json; charset=utf-8")),
            BodyKind::Data(Format::Json)
        );
        assert_eq!(
            body_kind(Some("text/x-data-dumper")),
            BodyKind::Data(Format::Perl)
        );
        assert_eq!(
            body_kind(Some("application/x-www-form-urlencoded")),
            BodyKind::Form
        );
        assert_eq!(
            body_kind(Some("multipart/form-data; boundary=x")),
            BodyKind::Multipart
        );
        assert_eq!(body_kind(Some("text/plain")), BodyKind::Unsupported);
        assert_eq!(body_kind(Some("  ")), BodyKind::Unspecified);
        assert_eq!(body_kind(None), BodyKind::Unspecified);
    }
}
