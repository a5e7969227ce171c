//! HTTP: the JSON API now, pages later. Handlers call services and nothing else.

pub mod api;
pub mod auth;
pub mod error;
pub mod feed;
pub mod pages;

use crate::config::Settings;
use crate::db::DbPool;
use actix_web::http::StatusCode;
use actix_web::{web, ResponseError};
use error::ApiError;

/// What every handler can reach.
pub struct AppState {
    pub pool: DbPool,
    pub settings: Settings,
    /// Sends the outbox's messages (SMTP, files or webhooks).
    pub mailer: crate::services::remind::Mailer,
}

/// Largest request body accepted.
pub const MAX_BODY: usize = 64 * 1024;

/// Mounts every route, with JSON errors for bad bodies and unknown paths.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::JsonConfig::default().limit(MAX_BODY).error_handler(|err, _req| {
        let (status, code) = match &err {
            actix_web::error::JsonPayloadError::Overflow { .. }
            | actix_web::error::JsonPayloadError::OverflowKnownLength { .. } => {
                (StatusCode::PAYLOAD_TOO_LARGE, "too_large")
            }
            actix_web::error::JsonPayloadError::ContentType => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
            }
            _ => (StatusCode::BAD_REQUEST, "malformed"),
        };
        ApiError::new(status, code, err.to_string()).into()
    }))
    .configure(feed::configure)
    .configure(pages::configure)
    .configure(api::configure)
    .default_service(web::to(|| async {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such page or endpoint").error_response()
    }));
}

/// Runs a blocking service call off the async threads, mapping its error once.
pub async fn blocking<T, F>(f: F) -> Result<T, ApiError>
where
    F: FnOnce() -> Result<T, crate::services::ServiceError> + Send + 'static,
    T: Send + 'static,
{
    web::block(f)
        .await
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))?
        .map_err(ApiError::from)
}
