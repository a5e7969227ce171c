//! What every response and request goes through, whatever its route: security
//! headers, a deadline for reading a request's body, and session cookies made under
//! an older key read again under the newest one.

use actix_web::body::MessageBody;
use actix_web::cookie::{Cookie, CookieJar, Key, SameSite};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{web, Error, HttpMessage};
use futures_util::StreamExt;
use std::time::Duration;

/// The pages' policy: nothing from elsewhere, no script at all, no framing.
const PAGE_CSP: &str = "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' data:; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";
/// Swagger UI's: its own scripts and the inline styles it sets, still nothing from
/// elsewhere.
const DOCS_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; \
     object-src 'none'";

/// Adds, unless a handler set them: `Referrer-Policy`, `X-Content-Type-Options`,
/// `Cache-Control: no-store` (every answer is someone's own work; only the
/// stylesheet says otherwise), a content security policy on every HTML answer, and
/// HSTS when the service is reached over HTTPS.
pub async fn headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let docs = req.path().starts_with("/api/docs");
    let state = req.app_data::<web::Data<crate::services::AppState>>().cloned();
    let https = state.as_ref().is_some_and(|s| s.settings.base_url.starts_with("https://"));
    let mut res = next.call(req).await?;
    // Shutting down: the client learns with this answer not to send another on this
    // connection, so no request races the connection's closing.
    if state.is_some_and(|s| s.draining.load(std::sync::atomic::Ordering::Relaxed)) {
        res.response_mut().head_mut().set_connection_type(actix_web::http::ConnectionType::Close);
    }
    let html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let h = res.headers_mut();
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if html {
        let csp = if docs { DOCS_CSP } else { PAGE_CSP };
        h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(csp));
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    if https {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000"));
    }
    Ok(res)
}

/// Gives a request `limit` to deliver its whole body; a client that drips it gets
/// an error when the time is up and its connection closes, instead of holding a
/// worker's connection open.
pub async fn body_deadline(
    limit: Duration,
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let has_body =
        req.headers().contains_key(header::CONTENT_LENGTH) || req.headers().contains_key(header::TRANSFER_ENCODING);
    if has_body {
        let deadline = tokio::time::Instant::now() + limit;
        let stream = futures_util::stream::unfold(Some(req.take_payload()), move |payload| async move {
            let mut payload = payload?;
            match tokio::time::timeout_at(deadline, payload.next()).await {
                Ok(Some(chunk)) => Some((chunk, Some(payload))),
                Ok(None) => None,
                Err(_) => {
                    let late = std::io::Error::new(std::io::ErrorKind::TimedOut, "the request body came too slowly");
                    Some((Err(actix_web::error::PayloadError::Io(late)), None))
                }
            }
        });
        // Fused: some readers (multipart) poll again after the end.
        req.set_payload(Payload::from(stream.fuse().boxed_local()));
    }
    next.call(req).await
}

/// The session keys, newest first, and how the cookie is made.
pub struct SessionKeys {
    pub keys: Vec<Key>,
    pub secure: bool,
}

/// The session cookie's name.
pub const COOKIE: &str = "dutyday";

/// A session cookie made under an older key is read under the newest one (the
/// request's cookie is re-encrypted before the session middleware sees it) and
/// handed back re-encrypted, so rotating `DUTYDAY_SECRET_KEY` signs nobody out.
pub async fn rekey(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    // With one key there is nothing older to read: no work per request.
    let keys = req.app_data::<web::Data<SessionKeys>>().filter(|k| k.keys.len() > 1);
    let renewed = keys.and_then(|k| renew(&req, k).map(|c| (c, k.secure)));
    let Some((fresh, secure)) = renewed else { return next.call(req).await };
    let header = cookie_header(&req, &fresh);
    if let Ok(v) = HeaderValue::from_str(&header) {
        req.headers_mut().insert(header::COOKIE, v);
    }
    let mut res = next.call(req).await?;
    let set_by_session = res.response().cookies().any(|c| c.name() == COOKIE);
    if !set_by_session {
        let mut c = Cookie::new(COOKIE, fresh.value().to_string());
        c.set_path("/");
        c.set_http_only(true);
        c.set_same_site(SameSite::Lax);
        c.set_secure(secure);
        c.set_max_age(actix_web::cookie::time::Duration::hours(12));
        res.response_mut().add_cookie(&c)?;
    }
    Ok(res)
}

/// The request's session cookie re-encrypted under the newest key, when it was made
/// under an older one.
fn renew(req: &ServiceRequest, keys: &SessionKeys) -> Option<Cookie<'static>> {
    let (newest, older) = keys.keys.split_first()?;
    let sent = request_cookies(req).into_iter().find(|c| c.name() == COOKIE)?;
    let mut jar = CookieJar::new();
    jar.add_original(sent);
    if jar.private(newest).get(COOKIE).is_some() {
        return None;
    }
    let plain = older.iter().find_map(|k| jar.private(k).get(COOKIE))?;
    let mut out = CookieJar::new();
    out.private_mut(newest).add(plain);
    out.get(COOKIE).cloned()
}

/// The cookies of the request's `Cookie` headers, parsed without touching the
/// request's own cache of them (which the session middleware reads later).
fn request_cookies(req: &ServiceRequest) -> Vec<Cookie<'static>> {
    req.headers()
        .get_all(header::COOKIE)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| Cookie::parse_encoded(c.trim().to_string()).ok())
        .collect()
}

/// The request's cookies as one header, with `fresh` in place of the session's.
fn cookie_header(req: &ServiceRequest, fresh: &Cookie<'_>) -> String {
    request_cookies(req)
        .iter()
        .map(|c| {
            if c.name() == COOKIE {
                fresh.stripped().encoded().to_string()
            } else {
                c.stripped().encoded().to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}
