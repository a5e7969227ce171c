//! Pages answer as pages: a wrong address or a mistyped value gets an error page in
//! the reader's language and layout, not JSON or the router's raw text; and the
//! dashboard's period rules all of it, the overdue list and its CSV included.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::web::{browser, log_in};
use common::TestDb;
use dutyday::services::{auth, dashboard};
use reqwest::{header, Client, StatusCode};

/// A page as a browser asks for it: status, content type and body.
async fn page(c: &Client, url: &str) -> (StatusCode, String, String) {
    let res = c.get(url).header(header::ACCEPT, "text/html,application/xhtml+xml,*/*;q=0.8").send().await.unwrap();
    let kind = res.headers().get(header::CONTENT_TYPE).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    (res.status(), kind, res.text().await.unwrap())
}

fn wrong_addresses_and_values_get_an_error_page(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(db).await;
        let gm = browser();
        log_in(&gm, &base, "wang.jianguo@example.com").await;
        for (path, status, words) in [
            ("/no-such-page", StatusCode::NOT_FOUND, "没有这个页面"),
            ("/tasks/abc", StatusCode::NOT_FOUND, "没有这个页面"),
            ("/dashboard?period=custom&from=garbage", StatusCode::UNPROCESSABLE_ENTITY, "日期格式应为"),
            ("/dashboard.csv?period=custom&to=2026-13-01", StatusCode::UNPROCESSABLE_ENTITY, "日期格式应为"),
            ("/dashboard/figures", StatusCode::UNPROCESSABLE_ENTITY, "此项必填"),
            (
                "/dashboard/figures?template=shipping-daily-report&from=x",
                StatusCode::UNPROCESSABLE_ENTITY,
                "日期格式应为",
            ),
            (
                "/dashboard?period=custom&from=2026-12-01&to=2026-11-01",
                StatusCode::UNPROCESSABLE_ENTITY,
                "结束日期早于开始日期",
            ),
        ] {
            let (s, kind, body) = page(&gm, &format!("{base}{path}")).await;
            assert_eq!(s, status, "{path}: {body}");
            assert!(kind.starts_with("text/html"), "{path}: a page, not {kind}");
            assert!(body.contains(words), "{path}: {body}");
            assert!(body.contains("王建国"), "{path}: in the signed-in layout");
        }
        // An id too large for any number still gets a page, in the asked language.
        let stranger = Client::new();
        let res = stranger
            .get(format!("{base}/tasks/99999999999999999999999"))
            .header(header::ACCEPT, "text/html")
            .header(header::ACCEPT_LANGUAGE, "en")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        assert!(res.text().await.unwrap().contains("no such page"));
        // A program asking for an unknown address still gets the JSON error.
        let res = stranger.get(format!("{base}/no-such-page")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        assert_eq!(res.json::<serde_json::Value>().await.unwrap()["error"]["code"], "no_such_page");
    });
}

fn the_period_rules_the_overdue_list_and_typed_dates_win(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(db).await;
        let gm = browser();
        log_in(&gm, &base, "wang.jianguo@example.com").await;
        let csv_rows = |body: &str| body.lines().skip(1).filter(|l| !l.trim().is_empty()).count();
        // Monday alone: the overdue list holds exactly what the table counts overdue.
        let monday = "period=custom&from=2026-11-30&to=2026-11-30";
        let (s, _, one_day) = page(&gm, &format!("{base}/dashboard/overdue.csv?{monday}")).await;
        assert_eq!(s, StatusCode::OK);
        let now = common::at(common::NOW);
        let id = common::staff_id(db, "王建国");
        let v = auth::viewer(&mut db.pool().get().unwrap().any(), id, common::day("2026-12-01")).unwrap();
        let day = common::day("2026-11-30");
        let table =
            dashboard::dashboard(db.pool(), &v, day, day, dashboard::By::Department, &Default::default(), now).unwrap();
        let counted: u64 = table.rows.iter().map(|r| r.overdue).sum();
        assert!(counted > 0, "something from Monday is overdue on Tuesday");
        assert_eq!(csv_rows(&one_day) as u64, counted, "{one_day}");
        // Tuesday alone lists none of Monday's.
        let (_, _, today) = page(&gm, &format!("{base}/dashboard/overdue.csv?period=today")).await;
        assert!(today.lines().skip(1).all(|l| !l.starts_with("2026-11-30")), "{today}");
        // Dates changed while a preset stayed selected are the period asked for.
        let (s, _, body) = page(&gm, &format!("{base}/dashboard?period=30&from=2026-11-30&to=2026-11-30")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(body.contains("2026-11-30 – 2026-11-30"), "the typed period is shown");
        assert!(body.contains("value=\"custom\" selected"), "and the choice says so");
        // The dates a preset fills in themselves leave the preset as it is.
        let (_, _, body) = page(&gm, &format!("{base}/dashboard?period=month&from=2026-12-01&to=2026-12-01")).await;
        assert!(body.contains("value=\"month\" selected"), "{body}");
    });
}

/// The outbox's statuses and the dashboard CSV's columns in the reader's language.
fn statuses_and_csv_columns_are_in_the_readers_language(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(db).await;
        let admin = browser();
        log_in(&admin, &base, "zhu.xiaoyan@example.com").await;
        let (s, _, outbox) = page(&admin, &format!("{base}/admin/outbox")).await;
        assert_eq!(s, StatusCode::OK);
        for (zh, en) in [("排队中", "queued"), ("已发送", "sent"), ("发送失败", "failed"), ("已取消", "cancelled")]
        {
            assert!(outbox.contains(&format!(">{zh} (")), "{zh}: {outbox}");
            assert!(!outbox.contains(&format!(">{en} (")), "{en}");
        }
        let (_, _, csv) = page(&admin, &format!("{base}/dashboard.csv?period=30")).await;
        assert!(csv.starts_with("\u{feff}编号,名称,应完成,已完成"), "{csv}");
        // The API's CSV follows Accept-Language.
        let token = common::web::api_token(&base, "zhu.xiaoyan@example.com").await;
        let res = Client::new()
            .get(format!("{base}/api/v1/dashboard.csv"))
            .bearer_auth(&token)
            .header(header::ACCEPT_LANGUAGE, "en")
            .send()
            .await
            .unwrap();
        assert!(res.text().await.unwrap().starts_with("\u{feff}Key,Name,Due,Done"));
    });
}

/// The dashboard offers the reports of the departments it covers, no others (a
/// lead's link to another department's report opened empty).
fn a_lead_is_offered_their_departments_reports_only(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(db).await;
        let report = "/dashboard/figures?template=shipping-daily-report";
        let gm = browser();
        log_in(&gm, &base, "wang.jianguo@example.com").await;
        let (_, _, page_gm) = page(&gm, &format!("{base}/dashboard")).await;
        assert!(page_gm.contains(report), "the GM leads logistics");
        let lead = browser();
        log_in(&lead, &base, "li.na@example.com").await;
        let (s, _, page_lead) = page(&lead, &format!("{base}/dashboard")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(!page_lead.contains(report), "运营部's lead is not offered logistics' report");
    });
}

/// The drill-down says where it is by name, each level a link back up.
fn the_breadcrumb_names_each_level_and_links_it(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(db).await;
        let gm = browser();
        log_in(&gm, &base, "wang.jianguo@example.com").await;
        let keeper = common::staff_id(db, "徐强").0;
        let path = format!(
            "/dashboard?period=30&by=template&department=logistics&position=logistics.warehouse-keeper&person={keeper}"
        );
        let (s, _, body) = page(&gm, &format!("{base}{path}")).await;
        assert_eq!(s, StatusCode::OK);
        let nav = &body[body.find("<nav class=\"crumbs\"").expect("a breadcrumb")..];
        let nav = &nav[..nav.find("</nav>").unwrap()];
        for name in ["全部部门", "物流部", "仓管员", "徐强"] {
            assert!(nav.contains(&format!(">{name}<")), "{name} in {nav}");
        }
        assert!(
            nav.contains("<a href=\"/dashboard?period=30&#38;by=position&#38;department=logistics\">物流部</a>"),
            "{nav}"
        );
        assert!(nav.contains("<span aria-current=\"page\">徐强</span>"), "this level is not a link: {nav}");
        let text: String = nav.split('<').map(|s| s.split_once('>').map_or(s, |(_, t)| t)).collect();
        assert!(!text.contains("logistics"), "no ids in what people read: {text}");
        // The duty level opens to that duty's tasks of the period, in the same scope.
        let row = &body[body.find("data-key=\"warehouse-daily-check\"").expect("the daily check's row")..];
        let href = &row[row.find("href=\"").unwrap() + 6..];
        let href = href[..href.find('"').unwrap()].replace("&#38;", "&");
        assert!(
            href.starts_with("/dashboard/tasks?template=warehouse-daily-check&from=")
                && href.contains(&format!("person={keeper}")),
            "{href}"
        );
        let (s, _, tasks) = page(&gm, &format!("{base}{href}")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(tasks.contains("<h1>仓库日常检查</h1>") && tasks.contains("id=\"duty-tasks\""), "{tasks}");
        let mine: Vec<_> = common::tasks(db)
            .into_iter()
            .filter(|t| t.template_id == "warehouse-daily-check" && t.assignee_id.map(|a| a.0) == Some(keeper))
            .filter(|t| t.occurs_on <= common::day("2026-12-01") && t.occurs_on >= common::day("2026-11-02"))
            .collect();
        assert!(!mine.is_empty());
        assert_eq!(tasks.matches("<tr data-task=").count(), mine.len(), "every one of his, no one else's");
        for t in &mine {
            assert!(tasks.contains(&format!("<tr data-task=\"{}\"", t.id.0)));
        }
        assert!(tasks.contains("逾期") && tasks.contains("徐强"), "overdue ones say so, and whose they are");
        // Its way up is the dashboard's duty level.
        assert!(tasks.contains("id=\"up\"") && tasks.contains("by=template"), "{tasks}");
        let (s, _, none) = page(&gm, &format!("{base}/dashboard/tasks?template=nope")).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert!(none.contains("<html"), "a page, not raw text");
    });
}

on_both_databases!(
    the_breadcrumb_names_each_level_and_links_it,
    a_lead_is_offered_their_departments_reports_only,
    wrong_addresses_and_values_get_an_error_page,
    the_period_rules_the_overdue_list_and_typed_dates_win,
    statuses_and_csv_columns_are_in_the_readers_language,
);
