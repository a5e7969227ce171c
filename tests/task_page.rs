//! The task page reads as a person would say it: reported figures under their
//! labels in the reader's language (also in the history), who does the task, and a
//! back link to the page it was opened from.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::web::{browser, get, log_in};
use common::TestDb;
use reqwest::{header, Client, StatusCode};
use serde_json::json;

fn figures_assignee_and_the_way_back(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(db).await;
        let monday = common::day("2026-11-30");
        let task = common::tasks(db)
            .into_iter()
            .find(|t| t.template_id == "shipping-daily-report" && t.occurs_on == monday)
            .expect("Monday's shipping report");
        let tok = common::web::api_token(&base, "wang.jianguo@example.com").await;
        let figures = json!({"figures": {"parcels_shipped": 1250, "mis_shipments": 3, "missed_shipments": 0}});
        let res = Client::new()
            .post(format!("{base}/api/v1/tasks/{}/complete", task.id))
            .bearer_auth(&tok)
            .json(&figures)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
        let gm = browser();
        log_in(&gm, &base, "wang.jianguo@example.com").await;
        let url = format!("{base}/tasks/{}", task.id);
        let (s, page) = get(&gm, &url).await;
        assert_eq!(s, StatusCode::OK);
        assert!(page.contains("<dt>发货件数</dt><dd>1250</dd>"), "{page}");
        assert!(page.contains("<dt>错发件数</dt><dd>3</dd>"));
        assert!(!page.contains("parcels_shipped") && !page.contains("{&#34;"), "no raw JSON: {page}");
        assert!(page.contains("发货件数：1250，错发件数：3，漏发件数：0"), "the history says it the same way");
        let name = task.assignee_id.map(|id| {
            let mut conn = db.pool().get().unwrap();
            dutyday::db::staff::by_id(&mut conn.any(), id).unwrap().unwrap().name
        });
        let name = name.expect("the report is someone's");
        assert!(page.contains(&format!("负责人：{name}")), "the page names who does it");
        assert!(page.contains("<a href=\"/today\">"), "opened directly, back goes to the day's list");
        // Opened from the dashboard, back goes to the dashboard.
        let from = format!("{base}/dashboard?period=30&by=person");
        let res = gm.get(&url).header(header::REFERER, &from).send().await.unwrap();
        let page = res.text().await.unwrap();
        assert!(page.contains("<a href=\"/dashboard?period=30&#38;by=person\">"), "{page}");
        // And its forms carry the way back (a task that can still be done).
        let open = common::tasks(db)
            .into_iter()
            .find(|t| t.status == dutyday::domain::task::TaskStatus::Open && t.occurs_on == common::day("2026-12-01"))
            .unwrap();
        let res = gm.get(format!("{base}/tasks/{}", open.id)).header(header::REFERER, &from).send().await.unwrap();
        let page = res.text().await.unwrap();
        assert!(page.contains("name=\"back\" value=\"/tasks/"), "{page}");
        assert!(page.contains("from=%2Fdashboard%3Fperiod%3D30%26by%3Dperson"), "{page}");
    });
}

/// The served app, 孙丽 signed in, and her shipping report of Tuesday 2026-12-01.
async fn clerk_and_tuesdays_report(db: &TestDb) -> (String, Client, dutyday::db::tasks::TaskRow) {
    let base = common::serve(db).await;
    let clerk = browser();
    log_in(&clerk, &base, "sun.li@example.com").await;
    let day = common::day("2026-12-01");
    let task = common::tasks(db)
        .into_iter()
        .find(|t| t.template_id == "shipping-daily-report" && t.occurs_on == day)
        .expect("Tuesday's shipping report");
    (base, clerk, task)
}

/// Undo gives the report back to correct, not an empty form; once the ten minutes
/// are over, the page says why undo is gone and whom to ask.
fn undo_keeps_the_figures_and_its_end_is_explained(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let (base, clerk, task) = clerk_and_tuesdays_report(db).await;
        let url = format!("{base}/tasks/{}", task.id);
        let (_, page) = get(&clerk, &url).await;
        let back = format!("/tasks/{}", task.id);
        let form = [
            ("csrf", common::csrf(&page)),
            ("back", back.clone()),
            ("fig.parcels_shipped", "１２０".to_string()),
            ("fig.mis_shipments", "1,000".into()),
            ("fig.missed_shipments", "2".into()),
        ];
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (s, _, body) = common::web::post(&clerk, &format!("{url}/complete"), &form).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "full-width digits and grouped thousands are numbers: {body}");
        // Undone from today's list: the report opens with its figures in the form.
        let (_, today) = get(&clerk, &format!("{base}/today")).await;
        let undo = [("csrf", common::csrf(&today)), ("back", "/today".to_string())];
        let undo: Vec<(&str, &str)> = undo.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (s, to, _) = common::web::post(&clerk, &format!("{url}/reopen"), &undo).await;
        assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, back.as_str()));
        let (_, page) = get(&clerk, &url).await;
        assert!(page.contains(&format!("id=\"f-{}-parcels_shipped\" value=\"120\"", task.id)), "{page}");
        assert!(page.contains(&format!("id=\"f-{}-mis_shipments\" value=\"1000\"", task.id)));
        // Filed an hour before now: past the ten minutes, and said so.
        let an_hour_ago = common::at(common::NOW) - chrono::Duration::hours(1);
        let v = dutyday::services::auth::viewer(
            &mut db.pool().get().unwrap().any(),
            common::staff_id(db, "孙丽"),
            task.occurs_on,
        )
        .unwrap();
        let input = dutyday::domain::completion::CompletionInput {
            note: None,
            figures: [("parcels_shipped", 5), ("mis_shipments", 0), ("missed_shipments", 0)]
                .into_iter()
                .map(|(k, n)| (k.to_string(), json!(n)))
                .collect(),
            signoff: false,
        };
        let act = dutyday::services::tasks::Act::Complete(input);
        dutyday::services::tasks::act_at(db.pool(), &v, task.id, act, "http://t", an_hour_ago).unwrap();
        let (_, page) = get(&clerk, &url).await;
        assert!(!page.contains(&format!("action=\"/tasks/{}/reopen\"", task.id)));
        assert!(page.contains("已超过 10 分钟，不能再撤销"), "{page}");
    });
}

/// A rejected report names every bad field at once, at the top and at each field,
/// keeps what was typed, and stays at the task's address; sent right, it is filed.
fn every_bad_field_at_once_at_the_tasks_address(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let (base, clerk, task) = clerk_and_tuesdays_report(db).await;
        let url = format!("{base}/tasks/{}", task.id);
        let (_, today) = get(&clerk, &format!("{base}/today")).await;
        // The card's form is sent to the task's own address.
        assert!(today.contains(&format!("<form method=\"post\" action=\"/tasks/{}\" class=\"complete\">", task.id)));
        let send = |parcels: &'static str, mis: &'static str, missed: &'static str| {
            let form = [
                ("act", "complete".to_string()),
                ("csrf", common::csrf(&today)),
                ("back", "/today?date=2026-12-01".to_string()),
                ("fig.parcels_shipped", parcels.to_string()),
                ("fig.mis_shipments", mis.to_string()),
                ("fig.missed_shipments", missed.to_string()),
                ("note", "下午补发".to_string()),
            ];
            let (clerk, url) = (clerk.clone(), url.clone());
            async move {
                let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
                common::web::post(&clerk, &url, &form).await
            }
        };
        let (s, to, page) = send("一百二十", "", "-1").await;
        assert_eq!(
            (s, to.as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, ""),
            "shown at /tasks/{}, not redirected",
            task.id
        );
        assert!(page.contains("发货件数: 必须是整数；错发件数: 此项必填；漏发件数: 不能小于 0"), "{page}");
        for (key, message) in
            [("parcels_shipped", "必须是整数"), ("mis_shipments", "此项必填"), ("missed_shipments", "不能小于 0")]
        {
            let field = format!("id=\"f-{}-{key}\"", task.id);
            let at = page.find(&field).unwrap_or_else(|| panic!("{field}"));
            let tag = &page[at..at + page[at..].find('>').unwrap()];
            assert!(
                tag.contains(&format!("aria-describedby=\"e-{}-{key}\"", task.id))
                    && tag.contains("aria-invalid=\"true\""),
                "{tag}"
            );
            assert!(
                page.contains(&format!("<span class=\"field-error\" id=\"e-{}-{key}\">{message}</span>", task.id)),
                "{key}"
            );
        }
        assert!(page.contains("value=\"一百二十\"") && page.contains("下午补发</textarea>"), "what was typed stays");
        assert!(page.contains("href=\"/today?date=2026-12-01\""), "the way back is the list it came from");
        // Corrected, full width as a Chinese keyboard types it: filed, back to the list.
        let (s, to, _) = send("１２０", "0", "1").await;
        assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/today?date=2026-12-01"));
        let filed = common::tasks(db).into_iter().find(|t| t.id == task.id).unwrap();
        assert_eq!(filed.status, dutyday::domain::task::TaskStatus::Done);
    });
}

/// An open task due within two hours says so in words, not by colour alone; one due
/// later does not.
fn due_soon_is_said(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let (base, clerk, task) = clerk_and_tuesdays_report(db).await;
        // Now is 10:00 in Shanghai: the report due at 11:00, another task at 13:00.
        common::remind::exec(db, &format!("UPDATE tasks SET due_at = '2026-12-01 03:00:00' WHERE id = {}", task.id.0));
        let other = common::tasks(db)
            .into_iter()
            .find(|t| t.template_id == "shipped-documents" && t.occurs_on == task.occurs_on)
            .expect("Tuesday's shipped documents");
        common::remind::exec(db, &format!("UPDATE tasks SET due_at = '2026-12-01 05:00:00' WHERE id = {}", other.id.0));
        let (_, page) = get(&clerk, &format!("{base}/today")).await;
        let card = |id: i64| {
            let at = page.find(&format!("id=\"task-{id}\"")).unwrap();
            page[page[..at].rfind("<article").unwrap()..at].to_string()
        };
        assert!(card(task.id.0).contains("soon"), "{}", card(task.id.0));
        assert!(!card(other.id.0).contains("soon"), "{}", card(other.id.0));
        assert_eq!(page.matches("<span class=\"badge soon\">即将到期</span>").count(), 1);
    });
}

on_both_databases!(
    due_soon_is_said,
    figures_assignee_and_the_way_back,
    undo_keeps_the_figures_and_its_end_is_explained,
    every_bad_field_at_once_at_the_tasks_address
);
