//! The API's JSON body extractor. JSON has one kind of number: `5.0` is the same
//! number as `5`, and the schemas say `integer`, which both satisfy. serde's
//! integer types refuse `5.0`, so whole numbers written with a fraction are made
//! integers before the body is read into its type. Size, content type and syntax
//! are checked by actix's `Json` under the app's `JsonConfig`, with its errors.

use crate::error::{AppError, ErrorCode};
use crate::web::error::ApiError;
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use serde_json::{Number, Value};

/// A request body of type `T`, read from JSON.
pub struct Json<T>(pub T);

impl<T> Json<T> {
    /// The body.
    pub fn into_inner(self) -> T {
        self.0
    }
}

/// The field of the first string (or key) in `v` that holds a NUL character, which
/// no field may (PostgreSQL's text cannot store it).
fn nul_in(v: &Value, at: &str) -> Option<String> {
    match v {
        Value::String(s) if s.contains('\0') => Some(at.to_string()),
        Value::Array(items) => items.iter().find_map(|i| nul_in(i, at)),
        Value::Object(map) => map.iter().find_map(|(k, v)| match k.contains('\0') {
            true => Some(at.to_string()),
            false => nul_in(v, k),
        }),
        _ => None,
    }
}

/// Turns every whole number written with a fraction (`5.0`) into an integer.
fn whole_numbers(v: &mut Value) {
    match v {
        Value::Number(n) if n.is_f64() => {
            let f = n.as_f64().unwrap_or(f64::NAN);
            // Integers up to 2^53 are exact in an f64; beyond, leave the number be.
            if f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 {
                *n = Number::from(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_numbers),
        Value::Object(map) => map.values_mut().for_each(whole_numbers),
        _ => {}
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let value = web::Json::<Value>::from_request(req, payload);
        Box::pin(async move {
            let web::Json(mut v) = value.await?;
            if let Some(field) = nul_in(&v, "") {
                return Err(ApiError(AppError::invalid(field, ErrorCode::ControlCharacter)).into());
            }
            whole_numbers(&mut v);
            serde_json::from_value(v).map(Json).map_err(|e| {
                ApiError(AppError::new(ErrorCode::Malformed).arg("problem", format!("Json deserialize error: {e}")))
                    .into()
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_with_a_fraction_become_integers_and_others_stay() {
        let mut v = serde_json::json!({"a": 5.0, "b": [1.5, -2.0], "c": {"d": 1e300, "e": "7.0"}, "f": 3});
        whole_numbers(&mut v);
        assert_eq!(v, serde_json::json!({"a": 5, "b": [1.5, -2], "c": {"d": 1e300, "e": "7.0"}, "f": 3}));
        assert!(v["a"].is_i64());
    }

    #[test]
    fn a_nul_character_is_found_with_its_field() {
        assert_eq!(nul_in(&serde_json::json!({"a": "x", "b": ["y", "z\0"]}), ""), Some("b".into()));
        assert_eq!(nul_in(&serde_json::json!({"spec": {"id": "\0"}}), ""), Some("id".into()));
        assert_eq!(nul_in(&serde_json::json!({"a": "tab\tand\nline"}), ""), None);
    }
}
