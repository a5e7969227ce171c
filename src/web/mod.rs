//! HTTP: the JSON API, the pages and the calendar feed. Handlers call services and
//! nothing else; errors leave through the one map in [`error`].

pub mod api;
pub mod auth;
pub mod error;
pub mod etag;
pub mod feed;
pub mod guard;
pub mod metrics;
pub mod pages;

use crate::error::{AppError, AppResult, ErrorCode};
use actix_web::web;
use error::ApiError;

pub use crate::services::AppState;

/// Largest request body accepted.
pub const MAX_BODY: usize = 64 * 1024;

/// Mounts every route, with JSON errors for bad bodies and unknown paths.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::JsonConfig::default().limit(MAX_BODY).error_handler(|err, _req| {
        let code = match &err {
            actix_web::error::JsonPayloadError::Overflow { .. }
            | actix_web::error::JsonPayloadError::OverflowKnownLength { .. } => ErrorCode::TooLarge,
            actix_web::error::JsonPayloadError::ContentType => ErrorCode::UnsupportedMediaType,
            _ => ErrorCode::Malformed,
        };
        ApiError(AppError::new(code).arg("problem", &err)).into()
    }))
    .app_data(web::QueryConfig::default().error_handler(|err, req| {
        // An API caller gets the JSON error body; a page keeps actix's answer.
        match req.path().starts_with("/api/") {
            true => ApiError(AppError::new(ErrorCode::Malformed).arg("problem", &err)).into(),
            false => err.into(),
        }
    }))
    .app_data(web::PathConfig::default().error_handler(|err, req| {
        // A path that cannot name anything (an id that is not a number, or too large)
        // names nothing: 404.
        // A documented path asked with a method it does not take is 405, though a
        // route with a placeholder (`PUT /people/{id}` for `/people/import`) took it.
        match (req.path().starts_with("/api/"), wrong_method(req)) {
            (true, Some(res)) => actix_web::error::InternalError::from_response(err, res).into(),
            (true, None) => ApiError(AppError::new(ErrorCode::NoSuchPage).caused_by(err)).into(),
            (false, _) => {
                use actix_session::SessionExt;
                let accept = req.headers().get(actix_web::http::header::ACCEPT_LANGUAGE).and_then(|h| h.to_str().ok());
                let c =
                    pages::anonymous(&req.get_session(), pages::i18n::Lang::from_accept(accept, pages::i18n::Lang::Zh));
                let page = error::page(c, &AppError::new(ErrorCode::NoSuchPage));
                actix_web::error::InternalError::from_response(err, page).into()
            }
        }
    }))
    .configure(feed::configure)
    .configure(metrics::configure)
    .configure(pages::configure)
    .configure(api::configure)
    .default_service(web::to(unmatched));
}

/// No route took the request: a documented API path asked with another method is
/// 405 with `Allow` (the methods the API document lists for it); anything else 404.
async fn unmatched(req: actix_web::HttpRequest) -> Result<actix_web::HttpResponse, ApiError> {
    if let Some(res) = wrong_method(&req) {
        return Ok(res);
    }
    // A browser gets the not-found page; a program the JSON error.
    let browser = req
        .headers()
        .get(actix_web::http::header::ACCEPT)
        .and_then(|h| h.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    if browser && !req.path().starts_with("/api/") {
        return Ok(pages::not_found(&req).await);
    }
    Err(ApiError::new(ErrorCode::NoSuchPage))
}

/// The 405 answer, with `Allow`, when `req`'s path is documented without its method.
fn wrong_method(req: &actix_web::HttpRequest) -> Option<actix_web::HttpResponse> {
    let allowed = api::docs::methods_of(req.path());
    if allowed.is_empty() || allowed.iter().any(|m| m == req.method().as_str()) {
        return None;
    }
    let allow = allowed.join(", ");
    let e = AppError::new(ErrorCode::MethodNotAllowed).arg("path", req.path()).arg("allow", &allow);
    let mut res = actix_web::ResponseError::error_response(&ApiError(e));
    if let Ok(v) = actix_web::http::header::HeaderValue::from_str(&allow) {
        res.headers_mut().insert(actix_web::http::header::ALLOW, v);
    }
    Some(res)
}

/// Runs a blocking service call off the async threads: the one hop from a handler
/// to the services. A panic in it becomes an internal error, logged with its cause.
pub async fn blocking<T, F>(f: F) -> AppResult<T>
where
    F: FnOnce() -> AppResult<T> + Send + 'static,
    T: Send + 'static,
{
    web::block(f).await.map_err(|e| AppError::panicked("a blocking call", e))?
}
