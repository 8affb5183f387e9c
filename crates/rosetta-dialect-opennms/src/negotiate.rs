//! Response format negotiation from the `Accept` header (spec §2.1).
//!
//! Each format's quality is taken from the most specific media range matching it
//! (`application/json` beats `application/*` beats `*/*`). The higher quality wins; on a tie
//! the more specific match wins, then JSON when it was named explicitly (or via
//! `application/*`). Only a wildcard `*/*`, a missing header or a header accepting neither
//! format (e.g. `text/plain`) yields the API default: XML on v1, JSON on v2. Never 406.

/// A response body format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// `application/xml` (JAXB).
    Xml,
    /// `application/json` (Jackson).
    Json,
}

impl Format {
    /// The `Content-Type` to send; JSON must be exactly `application/json` for opennms-js.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Xml => "application/xml",
            Format::Json => "application/json",
        }
    }
}

/// The REST API generation a request targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApiVersion {
    /// `/opennms/rest/…` (XML by default).
    V1,
    /// `/opennms/api/v2/…` (JSON by default).
    V2,
}

impl ApiVersion {
    /// The format used when the client expresses no usable preference.
    pub fn default_format(self) -> Format {
        match self {
            ApiVersion::V1 => Format::Xml,
            ApiVersion::V2 => Format::Json,
        }
    }
}

/// Chooses the response format for an `Accept` header (see the module docs for the rules).
pub fn negotiate(accept: Option<&str>, version: ApiVersion) -> Format {
    let default = version.default_format();
    let Some(accept) = accept.filter(|value| !value.trim().is_empty()) else {
        return default;
    };
    let ranges: Vec<MediaRange> = accept.split(',').filter_map(MediaRange::parse).collect();
    let json = best_match(&ranges, &[("application", "json")]);
    let xml = best_match(&ranges, &[("application", "xml"), ("text", "xml")]);
    match (json, xml) {
        (None, None) => default,
        (Some(_), None) => Format::Json,
        (None, Some(_)) => Format::Xml,
        (Some(json), Some(xml)) => {
            if json.quality > xml.quality {
                Format::Json
            } else if xml.quality > json.quality {
                Format::Xml
            } else if json.specificity > xml.specificity {
                Format::Json
            } else if xml.specificity > json.specificity {
                Format::Xml
            } else if json.specificity > Specificity::Any {
                Format::Json
            } else {
                default
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Specificity {
    Any,
    Type,
    Exact,
}

#[derive(Debug, Clone, Copy)]
struct Match {
    /// Quality in thousandths (0–1000).
    quality: u16,
    specificity: Specificity,
}

struct MediaRange {
    kind: String,
    subtype: String,
    quality: u16,
}

impl MediaRange {
    fn parse(item: &str) -> Option<Self> {
        let mut pieces = item.split(';');
        let range = pieces.next()?.trim().to_ascii_lowercase();
        let (kind, subtype) = match range.split_once('/') {
            Some((kind, subtype)) => (kind.trim().to_owned(), subtype.trim().to_owned()),
            None if range == "*" => ("*".to_owned(), "*".to_owned()),
            None => return None,
        };
        if kind.is_empty() || subtype.is_empty() || (kind == "*" && subtype != "*") {
            return None;
        }
        let quality = pieces
            .filter_map(|param| param.split_once('='))
            .find(|(key, _)| key.trim().eq_ignore_ascii_case("q"))
            .map_or(1000, |(_, value)| parse_quality(value.trim()));
        Some(Self {
            kind,
            subtype,
            quality,
        })
    }

    fn specificity_for(&self, kind: &str, subtype: &str) -> Option<Specificity> {
        if self.kind == "*" {
            Some(Specificity::Any)
        } else if self.kind != kind {
            None
        } else if self.subtype == "*" {
            Some(Specificity::Type)
        } else if self.subtype == subtype {
            Some(Specificity::Exact)
        } else {
            None
        }
    }
}

/// Parses a q-value into thousandths; malformed values count as 1 (lenient).
fn parse_quality(value: &str) -> u16 {
    match value.parse::<f32>() {
        Ok(q) if q.is_finite() => (q.clamp(0.0, 1.0) * 1000.0).round() as u16,
        _ => 1000,
    }
}

/// The quality of the most specific range matching any of `targets`, `None` if unacceptable.
fn best_match(ranges: &[MediaRange], targets: &[(&str, &str)]) -> Option<Match> {
    let mut best: Option<Match> = None;
    for (kind, subtype) in targets {
        for range in ranges {
            let Some(specificity) = range.specificity_for(kind, subtype) else {
                continue;
            };
            let candidate = Match {
                quality: range.quality,
                specificity,
            };
            best = match best {
                Some(current)
                    if current.specificity > specificity
                        || (current.specificity == specificity
                            && current.quality >= candidate.quality) =>
                {
                    Some(current)
                }
                _ => Some(candidate),
            };
        }
    }
    best.filter(|found| found.quality > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    use ApiVersion::{V1, V2};
    use Format::{Json, Xml};

    #[test]
    fn missing_or_wildcard_uses_the_version_default() {
        for accept in [
            None,
            Some(""),
            Some("  "),
            Some("*/*"),
            Some("*"),
            Some("text/plain"),
        ] {
            assert_eq!(negotiate(accept, V1), Xml, "{accept:?}");
            assert_eq!(negotiate(accept, V2), Json, "{accept:?}");
        }
    }

    #[test]
    fn real_client_headers() {
        assert_eq!(negotiate(Some("application/json"), V1), Json);
        assert_eq!(
            negotiate(Some("application/json, text/plain;q=0.9"), V1),
            Json
        );
        assert_eq!(
            negotiate(Some("application/json, text/plain, */*"), V1),
            Json
        );
        assert_eq!(negotiate(Some("application/xml"), V2), Xml);
        assert_eq!(negotiate(Some("text/xml"), V2), Xml);
    }

    #[test]
    fn honours_q_values() {
        assert_eq!(
            negotiate(Some("application/json;q=0.5, application/xml"), V2),
            Xml
        );
        assert_eq!(
            negotiate(Some("application/xml;q=0.5, application/json"), V1),
            Json
        );
        assert_eq!(negotiate(Some("application/xml, */*;q=0.1"), V2), Xml);
        assert_eq!(negotiate(Some("application/json;q=0, */*"), V2), Xml);
        assert_eq!(negotiate(Some("application/json;q=0"), V2), Json);
        assert_eq!(negotiate(Some("*/*;q=0"), V1), Xml);
        assert_eq!(
            negotiate(Some("application/json; Q=0.2, application/xml;q=0.1"), V1),
            Json
        );
    }

    #[test]
    fn ties_prefer_specific_then_json() {
        assert_eq!(
            negotiate(Some("application/xml, application/json"), V1),
            Json
        );
        assert_eq!(negotiate(Some("application/*"), V1), Json);
        assert_eq!(negotiate(Some("application/xml, */*"), V2), Xml);
        assert_eq!(negotiate(Some("text/*"), V2), Xml);
    }

    #[test]
    fn malformed_headers_never_panic() {
        for accept in [
            ",,,",
            ";",
            "/",
            "*/json",
            "application",
            "application/json;q=abc",
            "application/json;q=",
            "application/json;q=NaN",
            "application/json;q=-1",
            "application/json;q=7",
            "é/ü;q=ä",
            "APPLICATION/JSON",
        ] {
            let _ = negotiate(Some(accept), V1);
        }
        assert_eq!(negotiate(Some("APPLICATION/JSON"), V1), Json);
        assert_eq!(negotiate(Some("application/json;q=abc"), V1), Json);
        assert_eq!(negotiate(Some("application/json;q=-1"), V1), Xml);
    }

    #[test]
    fn content_types() {
        assert_eq!(Json.content_type(), "application/json");
        assert_eq!(Xml.content_type(), "application/xml");
    }
}
