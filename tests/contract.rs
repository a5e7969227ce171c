//! The API document tells the truth about what the API answers: every status a
//! request can get (the cross-cutting ones included), named schemas for bodies,
//! formats and enums on parameters, and answers that match them. schemathesis
//! fuzzes the same in `.ci/api-contract`; these pin what it found.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::TestDb;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

fn the_document_lists_every_status_and_names_every_body(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(db).await;
        let doc: Value = reqwest::get(format!("{base}/api/openapi.json")).await.unwrap().json().await.unwrap();
        let mut checked = 0;
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let name = format!("{} {path}", method.to_uppercase());
                let has = |s: &str| op["responses"].get(s).is_some();
                let secured = op.get("security").is_some_and(|s| !s.as_array().unwrap().is_empty());
                let body = op.get("requestBody").is_some();
                let query =
                    op.get("parameters").is_some_and(|p| p.as_array().unwrap().iter().any(|p| p["in"] == "query"));
                assert!(has("503"), "{name}: storage trouble");
                assert!(!secured || has("401"), "{name}: not signed in");
                assert!(!path.contains('{') || has("404"), "{name}: an id that names nothing");
                assert!(!(body || query) || (has("400") && has("422")), "{name}: unreadable or invalid input");
                assert!(!body || (has("413") && has("415")), "{name}: a body too large or not JSON");
                for (status, answer) in op["responses"].as_object().unwrap() {
                    let Some(schema) = answer.pointer("/content/application~1json/schema") else { continue };
                    assert!(
                        schema.get("$ref").is_some(),
                        "{name} {status}: the JSON body is a named schema, not {schema}"
                    );
                }
                checked += 1;
            }
        }
        assert!(checked >= 45, "{checked} operations");
        let param = |path: &str, name: &str| {
            let op = &doc["paths"][path]["get"];
            op["parameters"].as_array().unwrap().iter().find(|p| p["name"] == name).unwrap()["schema"].clone()
        };
        assert_eq!(param("/api/v1/me/tasks", "date")["format"], "date");
        assert_eq!(param("/api/v1/dashboard", "from")["format"], "date");
        let by = param("/api/v1/dashboard", "by").to_string();
        assert!(by.contains("GroupBy"), "{by}");
        assert_eq!(
            doc["components"]["schemas"]["GroupBy"]["enum"],
            json!(["department", "position", "person", "template"])
        );
        assert_eq!(param("/api/v1/outbox", "limit")["maximum"], 1000);
        let positions = &doc["paths"]["/api/v1/positions"]["get"]["responses"]["200"];
        assert_eq!(positions["content"]["application/json"]["schema"]["$ref"], "#/components/schemas/Positions");
        assert_eq!(doc["components"]["schemas"]["Positions"]["properties"]["positions"]["type"], "array");
        // A template's completion mode is an enum the body is checked against.
        let completion = &doc["components"]["schemas"]["CompletionMode"]["enum"];
        assert_eq!(completion, &json!(["tick", "note", "signoff", "figures"]));
    });
}

fn answers_match_the_document(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(db).await;
        let tok = common::web::api_token(&base, "zhu.xiaoyan@example.com").await;
        let c = Client::new();
        // The list endpoints answer the object the document names.
        for (path, key) in [("/api/v1/positions", "positions"), ("/api/v1/templates", "templates")] {
            let v: Value = c.get(format!("{base}{path}")).bearer_auth(&tok).send().await.unwrap().json().await.unwrap();
            assert!(v[key].as_array().is_some_and(|a| !a.is_empty()), "{path}: {v}");
        }
        // JSON has one kind of number: 7.0 is the integer 7 the schema asks for.
        let one_off = json!({"title": "盘点样品", "position": "logistics.warehouse-keeper", "due": "2026-12-03T18:00",
            "completion": "tick", "person_id": 7.0});
        let res = c.post(format!("{base}/api/v1/one-offs")).bearer_auth(&tok).json(&one_off).send().await.unwrap();
        let status = res.status();
        let v: Value = res.json().await.unwrap();
        assert_ne!(status, StatusCode::BAD_REQUEST, "7.0 is read as 7: {v}");
        // A NUL character is refused as a control character on both databases, before
        // PostgreSQL could refuse it as a server error.
        let transfer = json!({"on": "2026-12-10", "from_position": "a\u{0}", "to_position": "b"});
        let res =
            c.post(format!("{base}/api/v1/people/8/transfer")).bearer_auth(&tok).json(&transfer).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let v: Value = res.json().await.unwrap();
        assert_eq!(
            (v["error"]["code"].as_str(), v["error"]["field"].as_str()),
            (Some("control_character"), Some("from_position"))
        );
        // Times carry their zone: a leave decided now says so in RFC 3339.
        let leave = json!({"from": "2026-12-14", "to": "2026-12-14", "reason": "体检"});
        let res = c.post(format!("{base}/api/v1/people/8/leave")).bearer_auth(&tok).json(&leave).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
        let board: Value =
            c.get(format!("{base}/api/v1/leave")).bearer_auth(&tok).send().await.unwrap().json().await.unwrap();
        let decided =
            board["team"].as_array().unwrap().iter().find_map(|l| l["decided_at"].as_str()).unwrap().to_string();
        assert!(chrono::DateTime::parse_from_rfc3339(&decided).is_ok(), "{decided}");
    });
}

on_both_databases!(the_document_lists_every_status_and_names_every_body, answers_match_the_document);
