//! A person's own account over real HTTP: sessions that end on the server, changing
//! one's password, signing out everywhere; on both databases.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::web::{api_token_with, browser, browser_with_jar, cookie_header, get, log_in, log_in_with, post};
use common::{TestDb, PASSWORD};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

/// A page fetched with a saved `Cookie` header, as someone replaying it would.
async fn with_cookie(base: &str, path: &str, cookie: &str) -> StatusCode {
    let c = Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    c.get(format!("{base}{path}")).header("Cookie", cookie).send().await.unwrap().status()
}

async fn me(base: &str, token: &str) -> StatusCode {
    Client::new().get(format!("{base}/api/v1/me")).bearer_auth(token).send().await.unwrap().status()
}

fn logout_ends_the_session_on_the_server(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(db).await;
        let (c, jar) = browser_with_jar();
        log_in(&c, &base, "sun.li@example.com").await;
        let saved = cookie_header(&jar, &base);
        assert_eq!(
            with_cookie(&base, "/today", &saved).await,
            StatusCode::OK,
            "the saved cookie works while signed in"
        );
        let (_, page) = get(&c, &format!("{base}/today")).await;
        let (s, to, _) = post(&c, &format!("{base}/logout"), &[("csrf", &common::csrf(&page))]).await;
        assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/login"));
        assert_eq!(with_cookie(&base, "/today", &saved).await, StatusCode::SEE_OTHER, "replayed after logout");
        let form = [("csrf", "x"), ("lang", "en")];
        let r = Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let res = r.post(format!("{base}/tasks/1/skip")).header("Cookie", &saved).form(&form).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "nor can it act");
    });
}

fn changing_my_password_checks_it_and_ends_every_session(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(db).await;
        let (c, jar) = browser_with_jar();
        log_in(&c, &base, "xu.qiang@example.com").await;
        let other = browser();
        log_in(&other, &base, "xu.qiang@example.com").await;
        let token = api_token_with(&base, "xu.qiang@example.com", PASSWORD).await;
        let (s, page) = get(&c, &format!("{base}/me/account")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(page.contains("修改密码") && page.contains("退出所有设备"), "{page}");
        let csrf = common::csrf(&page);
        let url = format!("{base}/me/password");
        // A wrong current password, then weak new ones: refused, naming the field; nothing changes.
        let (s, _, body) =
            post(&c, &url, &[("csrf", &csrf), ("current", "nope"), ("new", "仓库每天九点盘点两次ok")]).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("当前密码: 当前密码不正确"), "{body}");
        for (weak, says) in [
            ("short", "至少需要 10 个字符"),
            ("password123", "太容易被猜到"),
            ("xu.qiang@example.com", "不能是你的邮箱"),
        ] {
            let (s, _, body) = post(&c, &url, &[("csrf", &csrf), ("current", PASSWORD), ("new", weak)]).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{weak}");
            assert!(body.contains("新密码: ") && body.contains(says), "{weak}: {body}");
        }
        assert_eq!(me(&base, &token).await, StatusCode::OK, "refusals change nothing");
        let saved = cookie_header(&jar, &base);
        let new = "仓库每天九点盘点两次ok";
        let (s, to, _) = post(&c, &url, &[("csrf", &csrf), ("current", PASSWORD), ("new", new)]).await;
        assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/login"));
        let (_, login) = get(&c, &format!("{base}/login")).await;
        assert!(login.contains("密码已修改"), "told on the login page: {login}");
        // Every session and token has ended: this browser's, the other's, the API's.
        assert_eq!(with_cookie(&base, "/today", &saved).await, StatusCode::SEE_OTHER);
        assert_eq!(get(&other, &format!("{base}/today")).await.0, StatusCode::SEE_OTHER);
        assert_eq!(me(&base, &token).await, StatusCode::UNAUTHORIZED);
        // The old password is gone; the new one works.
        let res = Client::new()
            .post(format!("{base}/api/v1/auth/token"))
            .json(&json!({"email": "xu.qiang@example.com", "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        log_in_with(&c, &base, "xu.qiang@example.com", new).await;
    });
}

fn the_api_changes_passwords_and_signs_out_everywhere(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(db).await;
        let token = api_token_with(&base, "sun.li@example.com", PASSWORD).await;
        let second = api_token_with(&base, "sun.li@example.com", PASSWORD).await;
        let c = browser();
        log_in(&c, &base, "sun.li@example.com").await;
        let change = |body: Value| {
            let (base, token) = (base.clone(), token.clone());
            async move {
                let res = Client::new()
                    .post(format!("{base}/api/v1/me/password"))
                    .bearer_auth(&token)
                    .header("Accept-Language", "en")
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                let status = res.status();
                (status, res.json::<Value>().await.unwrap_or(Value::Null))
            }
        };
        let (s, e) = change(json!({"current": PASSWORD, "new": "a"})).await;
        assert_eq!(
            (s, e["error"]["code"].as_str(), e["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("password_too_short"), Some("new"))
        );
        assert_eq!(e["error"]["message"], "use at least 10 characters");
        let (s, e) = change(json!({"current": "wrong", "new": "correct horse battery staple"})).await;
        assert_eq!((s, e["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("current")));
        // Sign out everywhere from the second token: the first, the page session and itself end.
        let res = Client::new()
            .post(format!("{base}/api/v1/me/sign-out-everywhere"))
            .bearer_auth(&second)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        for t in [&token, &second] {
            assert_eq!(me(&base, t).await, StatusCode::UNAUTHORIZED);
        }
        assert_eq!(get(&c, &format!("{base}/today")).await.0, StatusCode::SEE_OTHER);
        // The password itself still works: signing out is not a reset.
        let fresh = api_token_with(&base, "sun.li@example.com", PASSWORD).await;
        let res = Client::new()
            .post(format!("{base}/api/v1/me/password"))
            .bearer_auth(&fresh)
            .json(&json!({"current": PASSWORD, "new": "correct horse battery staple"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        assert_eq!(me(&base, &fresh).await, StatusCode::UNAUTHORIZED, "the token that changed it ends too");
        api_token_with(&base, "sun.li@example.com", "correct horse battery staple").await;
    });
}

on_both_databases!(
    logout_ends_the_session_on_the_server,
    changing_my_password_checks_it_and_ends_every_session,
    the_api_changes_passwords_and_signs_out_everywhere,
);
