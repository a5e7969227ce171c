//! Who is asking: the `Authed` extractor resolves a bearer token to a [`Viewer`].

use super::error::ApiError;
use super::AppState;
use crate::domain::access::Viewer;
use crate::error::ErrorCode;
use crate::services;
use crate::services::askers::Secret;
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use std::future::Future;
use std::pin::Pin;

/// The signed-in person. Handlers that take it answer 401 to anyone else.
pub struct Authed(pub Viewer);

/// The bearer token a request carries, if any.
pub fn bearer(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get("authorization")
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer ").or_else(|| h.strip_prefix("bearer ")))
        .map(|t| t.trim().to_string())
}

pub(crate) fn unauthenticated() -> ApiError {
    ApiError::new(ErrorCode::Unauthenticated)
}

impl FromRequest for Authed {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer(req);
        Box::pin(async move {
            let (Some(state), Some(token)) = (state, token) else { return Err(unauthenticated()) };
            let (found, _) = services::asking::ask(&state, Secret::Token, &token).await?;
            found.map(|((viewer, _), _)| Authed(viewer)).ok_or_else(unauthenticated)
        })
    }
}

/// The address a request came from: the peer's, or, when the peer is a trusted
/// proxy (`DUTYDAY_TRUSTED_PROXIES`), the right-most `X-Forwarded-For` address that
/// is not itself a trusted proxy. Anyone else's `X-Forwarded-For` is ignored: a
/// client could write anything there.
pub fn client_addr(req: &HttpRequest, settings: &crate::config::Settings) -> Option<String> {
    let peer = req.peer_addr()?.ip();
    let proxies = settings.proxies().unwrap_or_default();
    let trusted = |ip: &std::net::IpAddr| proxies.iter().any(|p| p.contains(ip));
    if !trusted(&peer) {
        return Some(peer.to_string());
    }
    let forwarded: Vec<&str> =
        req.headers().get_all("x-forwarded-for").filter_map(|h| h.to_str().ok()).flat_map(|h| h.split(',')).collect();
    let mut client = peer;
    for entry in forwarded.into_iter().rev() {
        match entry.trim().parse::<std::net::IpAddr>() {
            Ok(ip) => {
                client = ip;
                if !trusted(&ip) {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    Some(client.to_string())
}
