//! A cookie-keeping HTTP client for page tests, and its small helpers.

use super::PASSWORD;
use reqwest::{redirect, Client, StatusCode};
use std::sync::Arc;

/// A client that keeps cookies (in a jar the test can read) and does not follow redirects.
pub fn browser() -> Client {
    browser_with_jar().0
}

/// The same, with its cookie jar.
pub fn browser_with_jar() -> (Client, Arc<reqwest::cookie::Jar>) {
    let jar = Arc::new(reqwest::cookie::Jar::default());
    let c = Client::builder().cookie_provider(jar.clone()).redirect(redirect::Policy::none()).build().unwrap();
    (c, jar)
}

/// The `Cookie` header the jar would send to `base`.
pub fn cookie_header(jar: &reqwest::cookie::Jar, base: &str) -> String {
    use reqwest::cookie::CookieStore;
    let url: reqwest::Url = base.parse().unwrap();
    jar.cookies(&url).map(|h| h.to_str().unwrap().to_string()).unwrap_or_default()
}

pub async fn get(c: &Client, url: &str) -> (StatusCode, String) {
    let res = c.get(url).send().await.unwrap();
    (res.status(), res.text().await.unwrap())
}

/// A form post: the status, the `Location` it points to, and the body.
pub async fn post(c: &Client, url: &str, form: &[(&str, &str)]) -> (StatusCode, String, String) {
    let res = c.post(url).form(form).send().await.unwrap();
    let location = res.headers().get("location").map(|l| l.to_str().unwrap().to_string()).unwrap_or_default();
    (res.status(), location, res.text().await.unwrap())
}

/// Signs in with `password` and expects to land on today's list.
pub async fn log_in_with(c: &Client, base: &str, email: &str, password: &str) {
    let (_, page) = get(c, &format!("{base}/login")).await;
    let csrf = super::csrf(&page);
    let form = [("csrf", csrf.as_str()), ("email", email), ("password", password)];
    let (s, to, body) = post(c, &format!("{base}/login"), &form).await;
    assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/today"), "{body}");
}

/// Signs in with the demo password.
pub async fn log_in(c: &Client, base: &str, email: &str) {
    log_in_with(c, base, email, PASSWORD).await;
}

/// An API token for `email` signed in with `password`.
pub async fn api_token_with(base: &str, email: &str, password: &str) -> String {
    let res = reqwest::Client::new()
        .post(format!("{base}/api/v1/auth/token"))
        .json(&serde_json::json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json::<serde_json::Value>().await.unwrap()["token"].as_str().unwrap().to_string()
}

/// An API token for `email` with the demo password.
pub async fn api_token(base: &str, email: &str) -> String {
    api_token_with(base, email, PASSWORD).await
}

/// One API call with a bearer token and an optional JSON body: the status and the
/// JSON answer (null when there is none).
pub async fn call(
    method: reqwest::Method,
    url: &str,
    token: &str,
    body: Option<serde_json::Value>,
) -> (StatusCode, serde_json::Value) {
    let mut req = Client::new().request(method, url).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(serde_json::Value::Null))
}

/// Every task of a day list (`GET /me/tasks`), whichever part it is in.
pub fn tasks_of(list: &serde_json::Value) -> Vec<serde_json::Value> {
    ["overdue", "today", "finished", "upcoming"]
        .iter()
        .flat_map(|k| list[*k].as_array().cloned().unwrap_or_default())
        .collect()
}
