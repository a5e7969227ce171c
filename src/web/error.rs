//! The one map from [`AppError`] to HTTP: the JSON body `{"error": {"code",
//! "message", "field"}}` for the API, a page in the reader's language for pages.
//! Statuses come from [`ErrorCode::class`]. Every 5xx is logged once with its cause:
//! an API error by the request logger, a page error by [`page`].

use crate::error::{AppError, Class, ErrorCode};
use crate::i18n::Lang;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, StatusCode};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

/// An error on its way out of the API.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl ApiError {
    /// An error with no field.
    pub fn new(code: ErrorCode) -> Self {
        ApiError(AppError::new(code))
    }

    /// A bad value in `field`.
    pub fn invalid(field: &str, code: ErrorCode) -> Self {
        ApiError(AppError::invalid(field, code))
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

/// The body of every error answer.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// What went wrong: a stable code, a readable message, and the field at fault.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// A stable code such as `invalid_date`, `task_not_found`, `changed_meanwhile`,
    /// `unauthenticated`, `throttled`, `malformed`, `unavailable` or `internal`.
    pub code: String,
    /// In the language of `Accept-Language` (zh or en; English when it names neither).
    pub message: String,
    pub field: Option<String>,
}

/// The HTTP status of an error.
pub fn status(e: &AppError) -> StatusCode {
    StatusCode::from_u16(e.class().status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// Logs an error that is ours (5xx) with its cause; the caller's mistakes are not logged.
pub fn log(e: &AppError) {
    let cause = e.cause_chain().unwrap_or_default();
    match e.class() {
        Class::Internal => tracing::error!(code = e.code.as_str(), %cause, "request failed"),
        Class::Unavailable => tracing::warn!(code = e.code.as_str(), %cause, "request failed: not available"),
        _ => {}
    }
}

/// The JSON answer for `e` in `lang`.
fn json(e: &AppError, lang: Lang) -> HttpResponse {
    let mut res = HttpResponse::build(status(e));
    if let Some(secs) = e.retry_after {
        res.insert_header((header::RETRY_AFTER, secs.to_string()));
    }
    res.insert_header((header::CACHE_CONTROL, "no-store"));
    res.json(ErrorBody {
        error: ErrorDetail { code: e.code.as_str().to_string(), message: e.message(lang), field: e.field.clone() },
    })
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.0.code, self.0)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        status(&self.0)
    }

    /// Not logged here: the request logger (tracing-actix-web) logs every error
    /// answer once, under the request's id, with its `Debug`, which carries the cause.
    fn error_response(&self) -> HttpResponse {
        json(&self.0, Lang::En)
    }
}

/// Middleware: an API error is worded in the language the client asks for. The body
/// is written in English by [`ApiError::error_response`], which cannot see the request.
pub async fn localize(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let accept = req.headers().get(header::ACCEPT_LANGUAGE).and_then(|h| h.to_str().ok()).map(str::to_owned);
    let res = next.call(req).await?.map_into_boxed_body();
    let lang = Lang::from_accept(accept.as_deref(), Lang::En);
    if lang == Lang::En {
        return Ok(res);
    }
    let worded = res.response().error().and_then(|e| e.as_error::<ApiError>()).map(|e| json(&e.0, lang));
    Ok(match worded {
        Some(body) => res.into_response(body),
        None => res,
    })
}

/// An error as a page, in the reader's language: the layout `c` with the message.
/// A page that is not there or not allowed links back to the start, not to itself.
pub fn page(mut c: super::pages::Chrome, e: &AppError) -> HttpResponse {
    log(e);
    if matches!(e.class(), Class::NotFound | Class::Forbidden) && e.code != ErrorCode::CsrfExpired {
        c.back = if c.user.is_some() { "/today" } else { "/login" }.into();
    }
    let title = match e.class() {
        Class::NotFound => c.tr.t("not_found_title"),
        Class::Forbidden => c.tr.t("forbidden_title"),
        _ => c.tr.t("error"),
    };
    let message = e.message(c.tr.0);
    super::pages::message(status(e), c, title, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_come_from_the_class() {
        assert_eq!(status(&AppError::new(ErrorCode::TaskNotFound)), StatusCode::NOT_FOUND);
        assert_eq!(status(&AppError::new(ErrorCode::NotImported)), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(status(&AppError::invalid("to", ErrorCode::PeriodTooLong)), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(status(&AppError::internal("x")), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
