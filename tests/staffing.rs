//! Staffing through the API, as HR and leads use it: leave asked for, answered and
//! cancelled (tasks handed to the cover and back), transfers, deputies, holdings, and
//! what leads may see; every bad input named and changing nothing. On both databases.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::web::{api_token, call};
use common::{day, staff_id, tasks, TestDb};
use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};

fn outbox(db: &TestDb) -> Vec<dutyday::db::outbox::OutboxRow> {
    dutyday::db::outbox::list(&mut db.pool().get().unwrap().any(), None, 500).unwrap()
}

/// The assignee and cover of the warehouse's daily check on `d`.
fn check_on(db: &TestDb, d: &str) -> Vec<(Option<i64>, String, Option<i64>)> {
    tasks(db)
        .into_iter()
        .filter(|t| t.template_id == "warehouse-daily-check" && t.occurs_on == day(d))
        .map(|t| (t.assignee_id.map(|a| a.0), t.cover, t.covered_staff_id.map(|c| c.0)))
        .collect()
}

fn leave_is_asked_answered_and_cancelled(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(db).await;
        let (keeper, deputy, gm) = (staff_id(db, "徐强"), staff_id(db, "孙丽"), staff_id(db, "王建国"));
        let me = api_token(&base, "xu.qiang@example.com").await;
        let url = format!("{base}/api/v1/leave");
        // Bad requests name the field and record nothing.
        let bad = [
            (json!({"from": "2026-12-03", "to": "2026-12-02"}), "to", "leave_reversed"),
            (json!({"from": "2026-12-02", "to": "2026-12-03", "half_day": "am"}), "half_day", "half_day_one_day"),
            (json!({"from": "2026-12-02", "to": "2026-12-02", "half_day": "noon"}), "half_day", "invalid_choice"),
        ];
        for (body, field, code) in bad {
            let (s, e) = call(Method::POST, &url, &me, Some(body)).await;
            assert_eq!(
                (s, e["error"]["field"].as_str(), e["error"]["code"].as_str()),
                (StatusCode::UNPROCESSABLE_ENTITY, Some(field), Some(code)),
                "{e}"
            );
        }
        let ask = json!({"from": "2026-12-02", "to": "2026-12-03", "reason": "家里有事"});
        let (s, made) = call(Method::POST, &url, &me, Some(ask.clone())).await;
        assert_eq!(s, StatusCode::CREATED, "{made}");
        let id = made["id"].as_i64().unwrap();
        assert_eq!(call(Method::POST, &url, &me, Some(ask)).await.1["error"]["code"], "leave_overlaps");
        // Asked for: nothing moves yet; the lead (the 总经理 for 物流部) is mailed.
        assert_eq!(check_on(db, "2026-12-02"), vec![(Some(keeper.0), "none".into(), None)]);
        let asks: Vec<_> = outbox(db).into_iter().filter(|r| r.kind == "leave_request").collect();
        assert_eq!(asks.iter().map(|r| r.address.as_str()).collect::<Vec<_>>(), ["wang.jianguo@example.com"]);
        assert!(asks[0].subject.contains("徐强") && asks[0].body_text.contains("家里有事"), "{}", asks[0].body_text);
        // Not his own to answer, nor another department's lead's.
        let approve = format!("{url}/{id}/approve");
        assert_eq!(call(Method::POST, &approve, &me, None).await.0, StatusCode::FORBIDDEN);
        let ops_lead = api_token(&base, "li.na@example.com").await;
        assert_eq!(call(Method::POST, &approve, &ops_lead, None).await.0, StatusCode::FORBIDDEN);
        let boss = api_token(&base, "wang.jianguo@example.com").await;
        let (_, board) = call(Method::GET, &url, &boss, None).await;
        assert_eq!(board["to_decide"][0]["id"], id, "{board}");
        let (s, r) = call(Method::POST, &approve, &boss, Some(json!({"answer": "好的"}))).await;
        assert_eq!((s, r["status"].as_str()), (StatusCode::OK, Some("approved")), "{r}");
        assert!(r["moved"].as_u64().unwrap() > 0);
        // The deputy covers the days of the leave, tasks already generated included.
        for d in ["2026-12-02", "2026-12-03"] {
            assert_eq!(check_on(db, d), vec![(Some(deputy.0), "leave".into(), Some(keeper.0))], "{d}");
        }
        assert_eq!(check_on(db, "2026-12-04"), vec![(Some(keeper.0), "none".into(), None)]);
        let answer = outbox(db).into_iter().find(|r| r.kind == "leave_answer").unwrap();
        assert_eq!(answer.address, "xu.qiang@example.com");
        assert!(answer.body_text.contains("好的") && answer.body_text.contains("王建国"), "{}", answer.body_text);
        assert_eq!(call(Method::POST, &approve, &boss, None).await.1["error"]["code"], "leave_answered");
        let (_, mine) = call(Method::GET, &url, &me, None).await;
        assert_eq!(
            (mine["mine"][0]["status"].as_str(), mine["mine"][0]["decided_by"].as_str()),
            (Some("approved"), Some("王建国"))
        );
        // Cancelled: what is still open comes back to him.
        let (s, r) = call(Method::POST, &format!("{url}/{id}/cancel"), &me, None).await;
        assert_eq!((s, r["status"].as_str()), (StatusCode::OK, Some("cancelled")), "{r}");
        assert_eq!(check_on(db, "2026-12-02"), vec![(Some(keeper.0), "none".into(), None)]);
        // HR records leave directly (approved at once); a half day moves nothing.
        let hr = api_token(&base, "zhu.xiaoyan@example.com").await;
        let rec = format!("{base}/api/v1/people/{}/leave", keeper.0);
        let (s, r) =
            call(Method::POST, &rec, &hr, Some(json!({"from": "2026-12-04", "to": "2026-12-04", "half_day": "pm"})))
                .await;
        assert_eq!(
            (s, r["status"].as_str(), r["moved"].as_u64()),
            (StatusCode::CREATED, Some("approved"), Some(0)),
            "{r}"
        );
        assert_eq!(check_on(db, "2026-12-04"), vec![(Some(keeper.0), "none".into(), None)]);
        // A colleague may neither record nor cancel it.
        let clerk = api_token(&base, "zhou.ting@example.com").await;
        let body = json!({"from": "2026-12-08", "to": "2026-12-08"});
        assert_eq!(call(Method::POST, &rec, &clerk, Some(body)).await.0, StatusCode::FORBIDDEN);
        let half = r["id"].as_i64().unwrap();
        assert_eq!(call(Method::POST, &format!("{url}/{half}/cancel"), &clerk, None).await.0, StatusCode::FORBIDDEN);
        assert_eq!(call(Method::POST, &format!("{url}/99999/approve"), &boss, None).await.0, StatusCode::NOT_FOUND);
        // Leave already over is history: it cannot be cancelled.
        let (_, past) = call(Method::POST, &rec, &hr, Some(json!({"from": "2026-11-23", "to": "2026-11-24"}))).await;
        let (s, e) = call(Method::POST, &format!("{url}/{}/cancel", past["id"]), &hr, None).await;
        assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("leave_over")), "{e}");
        // The audit log has every step, by whom.
        let (_, log) = call(Method::GET, &format!("{base}/api/v1/audit?action=leave"), &hr, None).await;
        let actions: Vec<&str> =
            log["entries"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["leave.add", "leave.add", "leave.cancel", "leave.approve", "leave.request"]);
        assert_eq!(log["entries"][3]["actor_id"], gm.0);
    });
}

fn a_transfer_moves_work_and_tells_the_person(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(db).await;
        common::remind::exec(db, "UPDATE positions SET headcount = 2 WHERE id = 'logistics.warehouse-keeper'");
        let hr = api_token(&base, "zhu.xiaoyan@example.com").await;
        let clerk = staff_id(db, "孙丽");
        let url = format!("{base}/api/v1/people/{}/transfer", clerk.0);
        let bad = [
            (json!({"from_position": "logistics.shipping-clerk", "to_position": "no.such", "on": "2026-12-03"}), "to_position", "unknown_position"),
            (json!({"from_position": "cs.agent", "to_position": "logistics.warehouse-keeper", "on": "2026-12-03"}), "from_position", "not_holder"),
            (json!({"from_position": "logistics.shipping-clerk", "to_position": "logistics.shipping-clerk", "on": "2026-12-03"}), "to_position", "transfer_same"),
            (json!({"from_position": "logistics.shipping-clerk", "to_position": "gm", "on": "2026-12-03"}), "to_position", "headcount_full"),
        ];
        let before = tasks(db).len();
        for (body, field, code) in bad {
            let (s, e) = call(Method::POST, &url, &hr, Some(body)).await;
            assert_eq!(
                (s, e["error"]["field"].as_str(), e["error"]["code"].as_str()),
                (StatusCode::UNPROCESSABLE_ENTITY, Some(field), Some(code)),
                "{e}"
            );
        }
        assert_eq!(tasks(db).len(), before, "nothing changed");
        let staff = api_token(&base, "zhou.ting@example.com").await;
        let body = json!({"from_position": "logistics.shipping-clerk", "to_position": "logistics.warehouse-keeper", "on": "2026-12-03"});
        assert_eq!(call(Method::POST, &url, &staff, Some(body.clone())).await.0, StatusCode::FORBIDDEN);
        let (s, r) = call(Method::POST, &url, &hr, Some(body)).await;
        assert_eq!(s, StatusCode::OK, "{r}");
        // From the 3rd she has the second keeper's seat; her old work is a vacancy.
        let keeper_checks = check_on(db, "2026-12-03");
        assert!(keeper_checks.iter().any(|(a, c, _)| *a == Some(clerk.0) && c == "none"), "{keeper_checks:?}");
        let reports: Vec<_> = tasks(db)
            .into_iter()
            .filter(|t| t.template_id == "shipping-daily-report" && t.occurs_on >= day("2026-12-03"))
            .collect();
        assert!(!reports.is_empty() && reports.iter().all(|t| t.assignee_id != Some(clerk) && t.cover == "vacancy"));
        let (_, held) = call(Method::GET, &format!("{base}/api/v1/people/{}/holdings", clerk.0), &hr, None).await;
        let now: Vec<(&str, bool)> = held["holdings"].as_array().unwrap().iter().map(|h| (h["position"].as_str().unwrap(), h["current"].as_bool().unwrap())).collect();
        assert!(now.contains(&("logistics.warehouse-keeper", true)) && now.contains(&("logistics.shipping-clerk", true)), "{held}");
        // She is told, in her language, with the position's duties and description.
        let mail = outbox(db).into_iter().find(|r| r.kind == "position_assigned").unwrap();
        assert_eq!(mail.address, "sun.li@example.com");
        assert!(mail.subject.contains("仓库管理员") || mail.subject.contains("仓管"), "{}", mail.subject);
        assert!(mail.body_text.contains("/positions/logistics.warehouse-keeper"), "{}", mail.body_text);
        let (_, log) = call(Method::GET, &format!("{base}/api/v1/audit?action=holding"), &hr, None).await;
        assert_eq!(log["entries"][0]["action"], "holding.transfer");
    });
}

fn deputies_and_holdings_are_set_and_ended(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(db).await;
        let hr = api_token(&base, "zhu.xiaoyan@example.com").await;
        let (analyst, agent) = (staff_id(db, "张伟"), staff_id(db, "周婷"));
        let holdings = format!("{base}/api/v1/people/{}/holdings", analyst.0);
        let (s, _) = call(
            Method::POST,
            &holdings,
            &hr,
            Some(json!({"position": "cs.agent", "from": "2026-12-02", "deputy": true})),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED);
        // Ending it before it starts is refused, naming the day.
        let early = json!({"position": "cs.agent", "last_day": "2026-12-01", "deputy": true});
        let (s, e) = call(Method::POST, &format!("{holdings}/end"), &hr, Some(early)).await;
        assert_eq!(
            (s, e["error"]["code"].as_str(), e["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("end_before_start"), Some("last_day")),
            "{e}"
        );
        // 周婷 on leave: her deputies cover; 张伟 is one of them now.
        let (s, _) = call(
            Method::POST,
            &format!("{base}/api/v1/people/{}/leave", agent.0),
            &hr,
            Some(json!({"from": "2026-12-02", "to": "2026-12-02"})),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED);
        let covers: Vec<_> =
            tasks(db).into_iter().filter(|t| t.position_id == "cs.agent" && t.occurs_on == day("2026-12-02")).collect();
        assert!(
            !covers.is_empty()
                && covers.iter().all(|t| t.covered_staff_id == Some(agent) && t.assignee_id != Some(agent))
        );
        // Ending a deputyship someone does not have is refused, naming the position.
        let end = format!("{holdings}/end");
        let (s, e) = call(
            Method::POST,
            &end,
            &hr,
            Some(json!({"position": "cs.crm", "last_day": "2026-12-05", "deputy": true})),
        )
        .await;
        assert_eq!((s, e["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("position")));
        let (s, _) = call(
            Method::POST,
            &end,
            &hr,
            Some(json!({"position": "cs.agent", "last_day": "2026-12-05", "deputy": true})),
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        let (_, held) = call(Method::GET, &holdings, &hr, None).await;
        let dep = held["holdings"].as_array().unwrap().iter().find(|h| h["position"] == "cs.agent").unwrap().clone();
        assert_eq!((dep["deputy"].as_bool(), dep["to"].as_str()), (Some(true), Some("2026-12-05")));
        // A full seat is refused; an unknown person is a 404.
        let (s, e) = call(Method::POST, &holdings, &hr, Some(json!({"position": "gm", "from": "2026-12-02"}))).await;
        assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("headcount_full")));
        let ghost = format!("{base}/api/v1/people/99999/holdings");
        assert_eq!(
            call(Method::POST, &ghost, &hr, Some(json!({"position": "cs.agent", "from": "2026-12-02"}))).await.0,
            StatusCode::NOT_FOUND
        );
    });
}

fn leads_see_their_own_people(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(db).await;
        let ops_lead = api_token(&base, "li.na@example.com").await;
        let (s, list) = call(Method::GET, &format!("{base}/api/v1/people"), &ops_lead, None).await;
        assert_eq!(s, StatusCode::OK, "{list}");
        let mut names: Vec<&str> =
            list["people"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
        names.sort_unstable();
        assert_eq!(names, ["刘洋", "张伟", "李娜", "陈杰"]);
        let clerk = staff_id(db, "孙丽");
        let other = format!("{base}/api/v1/people/{}/holdings", clerk.0);
        assert_eq!(call(Method::GET, &other, &ops_lead, None).await.0, StatusCode::FORBIDDEN);
        // Seeing is not managing: a lead cannot add people or move them.
        let hire = json!({"name": "何平", "email": "he.ping@example.com", "start": "2026-12-02"});
        assert_eq!(
            call(Method::POST, &format!("{base}/api/v1/people"), &ops_lead, Some(hire)).await.0,
            StatusCode::FORBIDDEN
        );
        let staff = api_token(&base, "zhou.ting@example.com").await;
        assert_eq!(call(Method::GET, &format!("{base}/api/v1/people"), &staff, None).await.0, StatusCode::FORBIDDEN);
        let boss = api_token(&base, "wang.jianguo@example.com").await;
        let (_, all) = call(Method::GET, &format!("{base}/api/v1/people"), &boss, None).await;
        assert_eq!(all["people"].as_array().unwrap().len(), 14);
    });
}

async fn import(base: &str, token: &str, body: Vec<u8>, dry_run: bool) -> (StatusCode, Value) {
    let res = Client::new()
        .post(format!("{base}/api/v1/people/import?dry_run={dry_run}"))
        .bearer_auth(token)
        .header("Content-Type", "text/csv")
        .header("Accept-Language", "zh-CN")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap())
}

fn people_come_in_bulk_from_a_csv_with_a_dry_run(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(db).await;
        common::remind::exec(
            db,
            "UPDATE positions SET headcount = 2 WHERE id IN ('cs.agent', 'logistics.warehouse-keeper')",
        );
        let hr = api_token(&base, "zhu.xiaoyan@example.com").await;
        let people = |db: &TestDb| dutyday::db::staff::all(&mut db.pool().get().unwrap().any()).unwrap();
        let before = people(db).len();
        // As Excel saves "CSV UTF-8": a BOM, Chinese headers and names, dates with slashes.
        let good = "\u{feff}姓名,邮箱,语言,入职日期,岗位\r\n\
            何平,He.Ping@example.com,,2026/12/2,售前售后客服\r\n\
            Anna Berg,anna@example.com,en,2026-12-03,logistics.warehouse-keeper\r\n\
            周婷婷,zhou.ting@example.com,,,\r\n";
        let (s, plan) = import(&base, &hr, good.as_bytes().to_vec(), true).await;
        assert_eq!(s, StatusCode::OK, "{plan}");
        assert_eq!(plan["applied"], false);
        let actions: Vec<&str> =
            plan["rows"].as_array().unwrap().iter().map(|r| r["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["add", "add", "update"]);
        assert!(plan["rows"][2]["changes"][0].as_str().unwrap().contains("周婷 → 周婷婷"), "{plan}");
        assert_eq!(people(db).len(), before, "a dry run changes nothing");
        assert!(outbox(db).iter().all(|r| r.kind != "invitation"));
        // A bad file: every bad row is named, and nothing changes.
        let bad = "name,email,start,positions\n\
            何平,he.ping@example.com,2026-12-02,cs.agent\n\
            王五,not-an-address,2026-12-02,\n\
            赵六,zhao6@example.com,2026-13-01,no.such\n\
            何平2,HE.PING@example.com,2026-12-02,\n";
        let (s, e) = import(&base, &hr, bad.as_bytes().to_vec(), false).await;
        assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("csv_row")), "{e}");
        let problems: Vec<(u64, &str)> = e["problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["row"].as_u64().unwrap(), p["code"].as_str().unwrap()))
            .collect();
        assert_eq!(problems.len(), 4, "{problems:?}");
        for want in [(3, "bad_email"), (4, "invalid_date"), (4, "unknown_position"), (5, "email_taken")] {
            assert!(problems.contains(&want), "{want:?} in {problems:?}");
        }
        assert!(e["error"]["message"].as_str().unwrap().starts_with("第 "), "in the reader's language: {e}");
        assert_eq!(people(db).len(), before);
        let (s, e) = import(&base, &hr, b"who,what\n1,2\n".to_vec(), false).await;
        assert_eq!(
            (s, e["error"]["code"].as_str(), e["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("csv_header"), Some("csv"))
        );
        // Applied: the hires hold their seats and are invited; the rename is audited.
        let (s, done) = import(&base, &hr, good.as_bytes().to_vec(), false).await;
        assert_eq!((s, done["applied"].as_bool()), (StatusCode::OK, Some(true)), "{done}");
        assert_eq!(people(db).len(), before + 2);
        let invited: Vec<String> =
            outbox(db).into_iter().filter(|r| r.kind == "invitation").map(|r| r.address).collect();
        assert!(
            invited.contains(&"he.ping@example.com".to_string()) && invited.contains(&"anna@example.com".to_string())
        );
        let he = staff_id(db, "何平");
        assert!(tasks(db).iter().any(|t| t.position_id == "cs.agent" && t.assignee_id == Some(he)));
        let told = outbox(db)
            .into_iter()
            .find(|r| r.kind == "position_assigned" && r.address == "he.ping@example.com")
            .unwrap();
        assert!(
            told.subject.contains("售前售后客服") && told.body_text.contains("/positions/cs.agent"),
            "{}",
            told.body_text
        );
        assert_eq!(
            dutyday::db::staff::by_email(&mut db.pool().get().unwrap().any(), "zhou.ting@example.com")
                .unwrap()
                .unwrap()
                .name,
            "周婷婷"
        );
        // Saved by Chinese Excel as "CSV (逗号分隔)": GB18030, read just the same; already applied, so unchanged.
        let (gbk, _, _) = encoding_rs::GB18030.encode("姓名,邮箱\n周婷婷,zhou.ting@example.com\n");
        let (s, again) = import(&base, &hr, gbk.into_owned(), true).await;
        assert_eq!((s, again["rows"][0]["action"].as_str()), (StatusCode::OK, Some("unchanged")), "{again}");
    });
}

/// The pages refuse bad input as the API does: the field named in the reader's
/// language, nothing changed.
fn forms_refuse_bad_input_naming_the_field(db: &TestDb) {
    use common::web::{browser, get, log_in, post};
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(db).await;
        let c = browser();
        log_in(&c, &base, "zhu.xiaoyan@example.com").await;
        let (_, page) = get(&c, &format!("{base}/admin/people")).await;
        let csrf = common::csrf(&page);
        let count = || dutyday::db::staff::count(&mut db.pool().get().unwrap().any()).unwrap();
        let before = count();
        let url = format!("{base}/admin/people");
        let form = [
            ("csrf", csrf.as_str()),
            ("name", "何平"),
            ("email", "xu.qiang@example.com"),
            ("locale", "zh-CN"),
            ("start", "2026-12-02"),
        ];
        let (s, to, _) = post(&c, &url, &form).await;
        assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/admin/people"));
        let (_, shown) = get(&c, &url).await;
        assert!(
            shown.contains("role=\"alert\"") && shown.contains("邮箱：邮箱 `xu.qiang@example.com` 已被他人使用"),
            "{shown}"
        );
        assert_eq!(count(), before);
        let keeper = staff_id(db, "徐强");
        let me = format!("{base}/admin/people/{}", keeper.0);
        let bad = [
            ("holdings", vec![("position", "no.such"), ("from", "2026-12-02")], "岗位："),
            ("leave", vec![("from", "2026-12-04"), ("to", "2026-12-03")], "结束日期："),
            (
                "transfer",
                vec![("from_position", "logistics.warehouse-keeper"), ("to_position", "gm"), ("on", "2026-12-02")],
                "新岗位：",
            ),
            ("deactivate", vec![("last_day", "tomorrow")], "最后工作日："),
        ];
        let tasks_before = tasks(db).len();
        for (action, fields, label) in bad {
            let mut form = vec![("csrf", csrf.as_str())];
            form.extend(fields);
            let (s, to, _) = post(&c, &format!("{me}/{action}"), &form).await;
            assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, me.trim_start_matches(&base)), "{action}");
            let (_, shown) = get(&c, &me).await;
            assert!(shown.contains(label), "{action}: {label} in the alert");
        }
        assert_eq!(tasks(db).len(), tasks_before, "nothing changed");
    });
}

on_both_databases!(
    forms_refuse_bad_input_naming_the_field,
    people_come_in_bulk_from_a_csv_with_a_dry_run,
    leave_is_asked_answered_and_cancelled,
    a_transfer_moves_work_and_tells_the_person,
    deputies_and_holdings_are_set_and_ended,
    leads_see_their_own_people
);
