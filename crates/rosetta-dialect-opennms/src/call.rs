//! One parsed request (path segments, merged query and form parameters, negotiated format, body)
//! and the response builders every handler uses, so envelopes and formats are decided in one place.

use bytes::Bytes;
use http::{HeaderValue, StatusCode};
use rosetta_auth::Principal;
use rosetta_core::request::{self, Params};
use rosetta_core::{GatewayError, RequestContext, Response};
use rosetta_model::query::Page;
use rosetta_store::Db;

use crate::alarm_index::AlarmIndexCache;
use crate::emit::{Emit, Writer};
use crate::filter::Expr;
use crate::filter_params::{parse_paging, parse_v1_query, Paging};
use crate::fiql;
use crate::negotiate::{negotiate, ApiVersion, Format};
use crate::wire::Obj;

/// The HTTP method, reduced to what the route table distinguishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    /// GET or HEAD.
    Get,
    /// POST.
    Post,
    /// PUT.
    Put,
    /// DELETE.
    Delete,
    /// OPTIONS.
    Options,
    /// Anything else.
    Other,
}

impl Verb {
    /// The verb of a method.
    pub fn of(method: &http::Method) -> Verb {
        match *method {
            http::Method::GET | http::Method::HEAD => Verb::Get,
            http::Method::POST => Verb::Post,
            http::Method::PUT => Verb::Put,
            http::Method::DELETE => Verb::Delete,
            http::Method::OPTIONS => Verb::Options,
            _ => Verb::Other,
        }
    }
}

/// A request as the handlers see it.
pub struct Call {
    /// The request context.
    pub ctx: RequestContext,
    /// The method.
    pub verb: Verb,
    /// `v1` (`/opennms/rest`) or `v2` (`/opennms/api/v2`).
    pub api: ApiVersion,
    /// Percent-decoded path segments after the API base.
    pub segments: Vec<String>,
    /// Query string pairs followed by form body pairs (servlet parameter map).
    pub params: Params,
    /// Response format.
    pub format: Format,
    /// The raw body.
    pub body: Bytes,
    /// The request URI path, for `Location` headers.
    pub path: String,
    /// The dialect's alarm index.
    pub alarms: std::sync::Arc<AlarmIndexCache>,
}

impl Call {
    /// The store.
    pub fn db(&self) -> &Db {
        &self.ctx.app.db
    }

    /// The authenticated principal (the router has checked there is one).
    pub fn principal(&self) -> Result<&Principal, GatewayError> {
        self.ctx.principal()
    }

    /// The XML time offset of the server.
    pub fn offset(&self) -> i32 {
        self.ctx.app.settings.utc_offset_secs
    }

    /// A parameter (first value), trimmed.
    pub fn param(&self, key: &str) -> Option<&str> {
        self.params.get(key).map(str::trim)
    }

    /// A boolean parameter, case-insensitive; `None` when absent.
    pub fn flag(&self, key: &str) -> Option<bool> {
        self.param(key).map(|value| value.eq_ignore_ascii_case("true"))
    }

    /// Paging from the parameters (400 on a bad `limit`/`offset`).
    pub fn paging(&self) -> Result<Paging, GatewayError> {
        parse_paging(&self.params.0).map_err(|err| GatewayError::bad_request(err.to_string()))
    }

    /// The v2 `_s` FIQL filter and paging.
    pub fn v2_query(&self) -> Result<(Option<Expr>, Paging), GatewayError> {
        let paging = self.paging()?;
        let filter = match self.param("_s").filter(|value| !value.is_empty()) {
            Some(search) => Some(fiql::parse(search).map_err(|err| GatewayError::bad_request(err.to_string()))?),
            None => None,
        };
        Ok((filter, paging))
    }

    /// The v1 property filters (all parameters but `reserved` and paging) and paging.
    pub fn v1_query(&self, reserved: &[&str]) -> Result<(Option<Expr>, Paging), GatewayError> {
        let mut query =
            parse_v1_query(&self.params.0, reserved).map_err(|err| GatewayError::bad_request(err.to_string()))?;
        query.paging.order_by.truncate(1);
        Ok((query.filter, query.paging))
    }

    /// The filter and paging of a list request in this call's API generation.
    pub fn list_query(&self, reserved: &[&str]) -> Result<(Option<Expr>, Paging), GatewayError> {
        match self.api {
            ApiVersion::V1 => self.v1_query(reserved),
            ApiVersion::V2 => self.v2_query(),
        }
    }

    /// A single entity in the negotiated format.
    pub fn entity(&self, name: &str, obj: &Obj) -> Response {
        match self.format {
            Format::Json => request::json(StatusCode::OK, &obj.to_json()),
            Format::Xml => xml(StatusCode::OK, obj.to_xml(name, self.offset()).to_document()),
        }
    }

    /// A collection: v1 always 200 with the envelope (`count` omitted when empty), v2 204 when
    /// empty, else 200 with `Content-Range`.
    pub fn list(&self, plural: &str, singular: &str, page: Page<Obj>, offset: usize) -> Response {
        if self.api == ApiVersion::V2 && page.items.is_empty() {
            return request::no_content(StatusCode::NO_CONTENT);
        }
        let count = page.items.len();
        let mut response = match self.format {
            Format::Json => {
                let mut body = serde_json::Map::new();
                if count > 0 {
                    body.insert("count".into(), count.into());
                }
                body.insert("totalCount".into(), page.total.into());
                body.insert("offset".into(), offset.into());
                body.insert(singular.into(), page.items.iter().map(Obj::to_json).collect());
                request::json(StatusCode::OK, &serde_json::Value::Object(body))
            }
            Format::Xml => {
                let mut root = crate::xml::XmlElement::new(plural);
                if count > 0 {
                    root.push_attr("count", count);
                }
                root.push_attr("totalCount", page.total);
                root.push_attr("offset", offset);
                for item in &page.items {
                    root.push_child(item.to_xml(singular, self.offset()));
                }
                xml(StatusCode::OK, root.to_document())
            }
        };
        if self.api == ApiVersion::V2 && count > 0 {
            let range = format!("items {}-{}/{}", offset, offset + count - 1, page.total);
            if let Ok(value) = HeaderValue::from_str(&range) {
                response.headers_mut().insert(http::header::CONTENT_RANGE, value);
            }
        }
        response
    }

    /// A single entity in the negotiated format, written by `emit` straight into the body.
    pub fn stream_entity(&self, name: &'static str, emit: impl FnOnce(&mut Writer)) -> Response {
        let mut writer = Writer::new(self.format, self.offset());
        writer.begin(name);
        emit(&mut writer);
        writer.end();
        self.streamed(StatusCode::OK, writer)
    }

    /// A collection as [`Call::list`] renders it, each item written by `emit` straight into the body.
    pub fn stream_list<T>(
        &self,
        plural: &'static str,
        singular: &'static str,
        page: &Page<T>,
        offset: usize,
        emit: impl Fn(&mut Writer, &T),
    ) -> Response {
        if self.api == ApiVersion::V2 && page.items.is_empty() {
            return request::no_content(StatusCode::NO_CONTENT);
        }
        let count = page.items.len();
        let mut writer = Writer::new(self.format, self.offset());
        writer.begin(plural);
        if count > 0 {
            writer.attr("count", count.into());
        }
        writer.attr("totalCount", page.total.into());
        writer.attr("offset", offset.into());
        writer.items(singular, &page.items, emit);
        writer.end();
        let mut response = self.streamed(StatusCode::OK, writer);
        if self.api == ApiVersion::V2 && count > 0 {
            let range = format!("items {}-{}/{}", offset, offset + count - 1, page.total);
            if let Ok(value) = HeaderValue::from_str(&range) {
                response.headers_mut().insert(http::header::CONTENT_RANGE, value);
            }
        }
        response
    }

    fn streamed(&self, status: StatusCode, writer: Writer) -> Response {
        match writer.format() {
            Format::Json => request::respond(status, "application/json", writer.finish()),
            Format::Xml => xml(status, writer.finish()),
        }
    }

    /// `201 Created` with `Location` = this request's path + `/{id}`.
    pub fn created(&self, id: &str) -> Response {
        let mut response = request::no_content(StatusCode::CREATED);
        let location = format!("{}/{}", self.path.trim_end_matches('/'), id);
        if let Ok(value) = HeaderValue::from_str(&location) {
            response.headers_mut().insert(http::header::LOCATION, value);
        }
        response
    }
}

/// An XML response.
pub fn xml(status: StatusCode, body: String) -> Response {
    request::respond(status, "application/xml", body)
}

/// A `text/plain` response (counts, probes).
pub fn plain(body: impl Into<String>) -> Response {
    request::respond(StatusCode::OK, "text/plain", body.into())
}

/// An empty response with `status`.
pub fn status(status: StatusCode) -> Response {
    request::no_content(status)
}

/// Builds the [`Call`] for a request whose path starts with `/opennms`; `None` when the path is
/// not under `/opennms/rest` or `/opennms/api/v2`.
pub fn parse_path(path: &str) -> Option<(ApiVersion, Vec<String>)> {
    let segments: Vec<String> = request::segments(path).into_iter().map(request::decode_segment).collect();
    match segments.as_slice() {
        [context, rest, tail @ ..] if context == "opennms" && rest == "rest" => Some((ApiVersion::V1, tail.to_vec())),
        [context, api, v2, tail @ ..] if context == "opennms" && api == "api" && v2 == "v2" => {
            Some((ApiVersion::V2, tail.to_vec()))
        }
        _ => None,
    }
}

/// The format a request negotiates.
pub fn format_of(parts: &http::request::Parts, api: ApiVersion) -> Format {
    negotiate(request::header(parts, "accept"), api)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_split_into_api_and_decoded_segments() {
        let (api, segments) = parse_path("/opennms/rest//nodes/Lab%3Adb-1/").expect("v1");
        assert_eq!(api, ApiVersion::V1);
        assert_eq!(segments, vec!["nodes", "Lab:db-1"]);
        let (api, segments) = parse_path("/opennms/api/v2/alarms/properties").expect("v2");
        assert_eq!(api, ApiVersion::V2);
        assert_eq!(segments, vec!["alarms", "properties"]);
        assert_eq!(parse_path("/opennms/api/v3/alarms"), None);
        assert_eq!(parse_path("/opennms"), None);
    }

    #[test]
    fn verbs_fold_head_into_get() {
        assert_eq!(Verb::of(&http::Method::HEAD), Verb::Get);
        assert_eq!(Verb::of(&http::Method::PATCH), Verb::Other);
    }
}
