//! Templates as admins look after them: list and search, next due dates, pause and
//! resume (what was missed meanwhile follows the catch-up policy). Both databases.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::web::{browser, get, log_in, post};
use common::{at, day, TestDb};
use dutyday::services::generate::{self, Scope};
use dutyday::services::template_admin;
use reqwest::StatusCode;

fn admins_find_a_template_and_see_its_next_dates(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(db).await;
        let c = browser();
        log_in(&c, &base, "zhu.xiaoyan@example.com").await;
        let (s, list) = get(&c, &format!("{base}/admin/templates?q=盘点")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            list.contains("/admin/templates/warehouse-stocktake")
                && !list.contains("/admin/templates/gm-office-meeting")
        );
        let (_, page) = get(&c, &format!("{base}/admin/templates/warehouse-stocktake")).await;
        assert!(page.contains("每月最后一个工作日 18:00 前"), "its cadence in words");
        // The last working days of the coming months, holiday shifts applied.
        for d in ["12-31 18:00", "01-29 18:00", "02-26 18:00"] {
            assert!(page.contains(d), "{d} in {page}");
        }
        let token = common::web::api_token(&base, "zhu.xiaoyan@example.com").await;
        let url = format!("{base}/api/v1/templates/warehouse-stocktake");
        let (s, t) = common::web::call(reqwest::Method::GET, &url, &token, None).await;
        assert_eq!((s, t["next"][0].as_str()), (StatusCode::OK, Some("2026-12-31T18:00:00+08:00")), "{t}");
        assert_eq!(t["next"].as_array().unwrap().len(), 10);
        let staff = browser();
        log_in(&staff, &base, "xu.qiang@example.com").await;
        assert_eq!(get(&staff, &format!("{base}/admin/templates")).await.0, StatusCode::FORBIDDEN);
        // Pausing from the page: audited, and the page says so.
        let csrf = common::csrf(&page);
        let (s, _, _) =
            post(&c, &format!("{base}/admin/templates/warehouse-stocktake/pause"), &[("csrf", &csrf)]).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (_, page) = get(&c, &format!("{base}/admin/templates/warehouse-stocktake")).await;
        assert!(page.contains("id=\"paused\"") && page.contains("id=\"resume-form\""));
    });
}

/// Paused for nine days: nothing is made meanwhile; on resume the working days it
/// missed come back as `missed` (its catch-up policy, `all`), the rest as open.
fn a_paused_template_makes_nothing_and_catches_up_on_resume(db: &TestDb) {
    db.seed();
    let start = at("2026-12-01T00:00:00Z");
    generate::run(db.pool(), start, None, 1, Scope::Incremental).unwrap();
    let admin = {
        let mut conn = db.pool().get().unwrap();
        let id = common::staff_id(db, "朱晓燕");
        dutyday::services::auth::viewer(&mut conn.any(), id, day("2026-12-01")).unwrap()
    };
    template_admin::set_paused(db.pool(), &admin, "warehouse-daily-check", true, start).unwrap();
    let checks = |db: &TestDb| -> Vec<(String, String)> {
        let mut v: Vec<_> = common::tasks(db)
            .into_iter()
            .filter(|t| t.template_id == "warehouse-daily-check")
            .map(|t| (t.occurs_on.to_string(), t.status.to_string()))
            .collect();
        v.sort();
        v
    };
    let before = checks(db);
    for d in 2..=10 {
        generate::run(db.pool(), at(&format!("2026-12-{d:02}T00:00:00Z")), None, 1, Scope::Incremental).unwrap();
    }
    assert_eq!(checks(db), before, "nothing made while paused");
    // The shipping report, not paused, went on.
    assert!(common::tasks(db)
        .iter()
        .any(|t| t.template_id == "shipping-daily-report" && t.occurs_on == day("2026-12-10")));
    let resume = at("2026-12-10T03:00:00Z");
    template_admin::set_paused(db.pool(), &admin, "warehouse-daily-check", false, resume).unwrap();
    generate::run(db.pool(), resume, None, 1, Scope::Incremental).unwrap();
    let after = checks(db);
    let missed: Vec<&str> = after.iter().filter(|(_, s)| s == "missed").map(|(d, _)| d.as_str()).collect();
    // Resumed at 11:00 in Shanghai: the 10th's 10:00 check is already past too.
    assert_eq!(
        missed,
        ["2026-12-03", "2026-12-04", "2026-12-07", "2026-12-08", "2026-12-09", "2026-12-10"],
        "{after:?}"
    );
    assert!(after.contains(&("2026-12-11".to_string(), "open".to_string())), "{after:?}");
    // Only admins pause; an unknown template is named.
    let keeper = {
        let mut conn = db.pool().get().unwrap();
        dutyday::services::auth::viewer(&mut conn.any(), common::staff_id(db, "徐强"), day("2026-12-10")).unwrap()
    };
    let e = template_admin::set_paused(db.pool(), &keeper, "warehouse-daily-check", true, resume).unwrap_err();
    assert_eq!(e.code, dutyday::error::ErrorCode::CatalogueForbidden);
    let e = template_admin::set_paused(db.pool(), &admin, "no-such", true, resume).unwrap_err();
    assert_eq!(e.code, dutyday::error::ErrorCode::TemplateNotFound);
}

/// An admin changes the stocktake from the last working day to the 25th on the page:
/// a bad draft comes back as typed with the problem named, the preview shows the
/// new dates without saving, saving makes version 2 from the chosen date, and the
/// API does the same for a new template and a retirement.
fn admins_change_a_template_with_a_preview(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(db).await;
        let c = browser();
        log_in(&c, &base, "zhu.xiaoyan@example.com").await;
        let edit = format!("{base}/admin/templates/warehouse-stocktake/edit");
        let (s, page) = get(&c, &edit).await;
        assert_eq!(s, StatusCode::OK);
        assert!(page.contains("id = &#34;warehouse-stocktake&#34;"), "the template as it is: {page}");
        let csrf = common::csrf(&page);
        let good = "id = \"warehouse-stocktake\"\nduty = \"logistics.warehouse-keeper.3\"\nzh = \"月度盘点\"\nen = \"Monthly stocktake\"\nschedule = { every = \"month\", day = 25 }\nshift = \"previous\"\ndue = { time = \"18:00\" }\ncompletion = \"figures\"\n\n[[figures]]\nkey = \"skus_counted\"\ntype = \"integer\"\nzh = \"盘点SKU数\"\nen = \"SKUs counted\"\n";
        // A typo: refused with the file's words, the draft kept.
        let bad = good.replace("day = 25", "day = 32");
        let form = [("csrf", csrf.as_str()), ("toml", bad.as_str()), ("effective", "2026-12-20"), ("op", "preview")];
        let (s, _, page) = post(&c, &edit, &form).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
        assert!(page.contains("id=\"problem\"") && page.contains("schedule.day") && page.contains("day = 32"), "{page}");
        // The preview: the 25th, or the working day before when it is not one.
        let form = [("csrf", csrf.as_str()), ("toml", good), ("effective", "2026-12-20"), ("op", "preview")];
        let (s, _, page) = post(&c, &edit, &form).await;
        assert_eq!(s, StatusCode::OK, "{page}");
        assert!(page.contains("id=\"preview-dates\"") && page.contains("12-25 18:00"), "{page}");
        let (_, detail) = get(&c, &format!("{base}/admin/templates/warehouse-stocktake")).await;
        assert!(detail.contains("12-31 18:00") && !detail.contains("12-25 18:00"), "a preview saves nothing");
        // Saved from the 20th: version 2, listed with who made it.
        let form = [("csrf", csrf.as_str()), ("toml", good), ("effective", "2026-12-20"), ("reason", "财务要求提前"), ("op", "save")];
        let (s, to, _) = post(&c, &edit, &form).await;
        assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/admin/templates/warehouse-stocktake"));
        let (_, detail) = get(&c, &format!("{base}/admin/templates/warehouse-stocktake")).await;
        assert!(detail.contains("第 2 版") && detail.contains("财务要求提前") && detail.contains("朱晓燕"), "{detail}");
        assert!(detail.contains("12-25 18:00") && !detail.contains("12-31 18:00"), "{detail}");

        // The API: a new template for a duty, then its retirement.
        let token = common::web::api_token(&base, "zhu.xiaoyan@example.com").await;
        let new = serde_json::json!({"spec": {"id": "cold-room-log", "duty": "logistics.warehouse-keeper.2",
            "zh": "冷库温度记录", "en": "Cold-room log", "schedule": {"every": "day", "at": ["08:00", "15:00"]},
            "due": {"hours": 1}, "completion": "tick"}, "effective": "2026-12-02"});
        let (s, made) = common::web::call(reqwest::Method::POST, &format!("{base}/api/v1/templates"), &token, Some(new.clone())).await;
        assert_eq!((s, made["version"].as_i64()), (StatusCode::CREATED, Some(1)), "{made}");
        assert!(made["created"].as_u64().unwrap() >= 2, "its tasks from the 2nd: {made}");
        let (s, again) = common::web::call(reqwest::Method::POST, &format!("{base}/api/v1/templates"), &token, Some(new)).await;
        assert_eq!((s, again["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("template_id_taken")));
        let url = format!("{base}/api/v1/templates/cold-room-log/retire");
        let body = serde_json::json!({"effective": "2026-11-30", "reason": "x"});
        let (s, e) = common::web::call(reqwest::Method::POST, &url, &token, Some(body)).await;
        assert_eq!((s, e["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("effective")), "{e}");
        let body = serde_json::json!({"effective": "2026-12-03", "reason": "换了自动温控"});
        let (s, r) = common::web::call(reqwest::Method::POST, &url, &token, Some(body)).await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert!(r["cancelled"].as_u64().unwrap() >= 2, "{r}");
        let (_, t) = common::web::call(reqwest::Method::GET, &format!("{base}/api/v1/templates/cold-room-log"), &token, None).await;
        assert_eq!((t["retired_on"].as_str(), t["retire_reason"].as_str()), (Some("2026-12-03"), Some("换了自动温控")));
        assert_eq!(t["versions"].as_array().unwrap().len(), 1);
    });
}

on_both_databases!(
    admins_change_a_template_with_a_preview,
    admins_find_a_template_and_see_its_next_dates,
    a_paused_template_makes_nothing_and_catches_up_on_resume
);

/// From November, while next year's calendar is missing, each admin gets one mail a
/// year saying how to load it; none before November, none once it is loaded.
fn admins_hear_of_a_missing_calendar_once(db: &TestDb) {
    use dutyday::services::calendar::remind_next_year;
    db.seed();
    assert_eq!(remind_next_year(db.pool(), "http://x", at("2026-10-30T02:00:00Z")).unwrap(), 0, "not before November");
    assert_eq!(remind_next_year(db.pool(), "http://x", at("2026-11-02T02:00:00Z")).unwrap(), 1, "the one admin");
    assert_eq!(remind_next_year(db.pool(), "http://x", at("2026-11-03T02:00:00Z")).unwrap(), 0, "once");
    let rows = dutyday::db::outbox::list(&mut db.pool().get().unwrap().any(), None, 100).unwrap();
    let mail = rows.iter().find(|r| r.kind == "calendar_missing").unwrap();
    assert_eq!(mail.address, "zhu.xiaoyan@example.com");
    assert!(mail.subject.contains("2027") && mail.body_text.contains("dutyday calendar load"), "{}", mail.body_text);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cn-2027.tsv");
    std::fs::write(&file, "date\tkind\tname\n2027-01-01\tholiday\t元旦\n").unwrap();
    dutyday::services::calendar::load_file(db.pool(), &file, at("2026-12-01T00:00:00Z")).unwrap();
    common::remind::exec(db, "DELETE FROM outbox");
    assert_eq!(remind_next_year(db.pool(), "http://x", at("2026-12-02T02:00:00Z")).unwrap(), 0, "loaded");
}

on_both_databases!(admins_hear_of_a_missing_calendar_once);
