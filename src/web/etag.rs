//! `ETag` and `If-None-Match`: a list that has not changed since the caller last
//! read it is answered `304 Not Modified` with no body, so a phone polling its list
//! costs a query and a hash, not a transfer.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse};
use std::hash::Hasher;

/// The entity tag of a body: its length and a 64-bit hash of its bytes (unkeyed, so
/// the same in every instance of a version: a caller balanced across instances
/// still gets its 304s).
pub fn tag_of(body: &[u8]) -> String {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    h.write(body);
    format!("\"{:x}-{:016x}\"", body.len(), h.finish())
}

/// Whether `If-None-Match` names `tag` (or `*`), by the weak comparison RFC 9110
/// asks for there.
pub fn matches(req: &HttpRequest, tag: &str) -> bool {
    let strip = |t: &str| t.trim().trim_start_matches("W/").to_string();
    req.headers()
        .get_all(header::IF_NONE_MATCH)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim() == "*" || strip(t) == strip(tag))
}

/// A 200 with `body` and its `ETag`, or a 304 when the request already has it.
pub fn respond(req: &HttpRequest, content_type: &'static str, body: Vec<u8>) -> HttpResponse {
    let tag = tag_of(&body);
    answer(req, &tag, || HttpResponse::Ok().content_type(content_type).body(body))
}

/// [`respond`] for a body whose tag is known (a list kept, see
/// `services::list_cache`), gzipped or not. A gzipped body is another
/// representation: its tag ends in `-gz`, and either tag in `If-None-Match` is
/// answered 304 (the list is the same).
pub fn respond_tagged(
    req: &HttpRequest,
    content_type: &'static str,
    body: Vec<u8>,
    tag: &str,
    gzipped: bool,
) -> HttpResponse {
    let gz_tag = format!("{}-gz\"", tag.trim_end_matches('"'));
    let mut res = match gzipped {
        true if matches(req, tag) => answer(req, &gz_tag, || HttpResponse::NotModified().finish()),
        true => answer(req, &gz_tag, || {
            let mut ok = HttpResponse::Ok();
            ok.content_type(content_type).insert_header((header::CONTENT_ENCODING, "gzip"));
            ok.body(body)
        }),
        false if matches(req, &gz_tag) => answer(req, tag, || HttpResponse::NotModified().finish()),
        false => answer(req, tag, || HttpResponse::Ok().content_type(content_type).body(body)),
    };
    res.headers_mut().insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    res
}

/// Whether the request takes a gzipped body: `Accept-Encoding` names gzip with a
/// quality above 0, or names it not at all and takes `*`.
pub fn takes_gzip(req: &HttpRequest) -> bool {
    let codings =
        req.headers().get_all(header::ACCEPT_ENCODING).filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).map(
            |c| {
                let mut parts = c.split(';');
                let name = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
                let q = parts.find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.trim().parse::<f32>().ok()));
                (name, q.is_none_or(|q| q > 0.0))
            },
        );
    let (mut gzip, mut any) = (None, false);
    for (name, taken) in codings {
        match name.as_str() {
            "gzip" | "x-gzip" => gzip = Some(gzip.unwrap_or(false) || taken),
            "*" => any = taken,
            _ => {}
        }
    }
    gzip.unwrap_or(any)
}

fn answer(req: &HttpRequest, tag: &str, ok: impl FnOnce() -> HttpResponse) -> HttpResponse {
    let value = HeaderValue::from_str(tag).ok();
    let mut res = match matches(req, tag) {
        true => HttpResponse::NotModified().finish(),
        false => ok(),
    };
    if let Some(v) = value {
        res.headers_mut().insert(header::ETAG, v);
    }
    res
}
