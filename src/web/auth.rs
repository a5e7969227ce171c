//! Who is asking: the `Authed` extractor resolves a bearer token to a [`Viewer`].

use super::error::ApiError;
use super::AppState;
use crate::domain::access::Viewer;
use crate::error::ErrorCode;
use crate::services;
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use std::future::Future;
use std::pin::Pin;

/// The signed-in person. Handlers that take it answer 401 to anyone else.
pub struct Authed(pub Viewer);

fn unauthenticated() -> ApiError {
    ApiError::new(ErrorCode::Unauthenticated)
}

impl FromRequest for Authed {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = req
            .headers()
            .get("authorization")
            .and_then(|h| h.to_str().ok())
            .and_then(|h| h.strip_prefix("Bearer ").or_else(|| h.strip_prefix("bearer ")))
            .map(|t| t.trim().to_string());
        Box::pin(async move {
            let (Some(state), Some(token)) = (state, token) else { return Err(unauthenticated()) };
            let now = state.clock.now();
            let viewer = super::blocking(move || services::auth::token_viewer(&state.pool, &token, now)).await?;
            viewer.map(Authed).ok_or_else(unauthenticated)
        })
    }
}
