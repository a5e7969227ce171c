//! The pages over real HTTP with a cookie jar, on both databases.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use dutyday::i18n::Lang;

use common::web::{browser, get, log_in, post};
use common::{TestDb, PASSWORD};
use reqwest::StatusCode;

/// The next working day, where the daily tasks are.
fn next_weekday() -> String {
    common::next_working_day().to_string()
}

/// The id of the first `template` card in the day's own section (not the overdue ones).
fn task_id(html: &str, template: &str) -> String {
    let html = &html[html.find("<section class=\"today\">").expect("a today section")..];
    let marker = format!("\" data-template=\"{template}\"");
    let end = html.find(&marker).unwrap_or_else(|| panic!("no {template} card"));
    let start = html[..end].rfind("id=\"task-").unwrap() + 9;
    html[start..end].to_string()
}

fn login_and_logout(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(db).await;
        let c = browser();
        let (s, page) = get(&c, &format!("{base}/today")).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{page}");
        let (s, page) = get(&c, &format!("{base}/login")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(page.contains("lang=\"zh-CN\"") && page.contains("登录"));
        assert!(!page.contains("src=\"http") && !page.contains("href=\"http"), "nothing from outside the server");
        let token = common::csrf(&page);
        let (s, _, body) =
            post(&c, &format!("{base}/login"), &[("email", "sun.li@example.com"), ("password", PASSWORD)]).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "no CSRF token: {body}");
        let (s, _, body) =
            post(&c, &format!("{base}/login"), &[("csrf", &token), ("email", "sun.li@example.com"), ("password", "x")])
                .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        assert!(body.contains("邮箱或密码不正确"));
        log_in(&c, &base, "sun.li@example.com").await;
        let (s, page) = get(&c, &format!("{base}/today")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(page.contains("孙丽") && page.contains("今天的任务"));
        let (s, to, _) = post(&c, &format!("{base}/logout"), &[("csrf", &common::csrf(&page))]).await;
        assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/login"));
        let (s, _) = get(&c, &format!("{base}/today")).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
    });
}

/// A database failure while a page checks who is signed in shows an error page and
/// keeps the session: the next request, once the database answers, is signed in.
fn a_database_error_does_not_sign_people_out(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(db).await;
        let c = browser();
        log_in(&c, &base, "sun.li@example.com").await;
        let sql = |q: &'static str| {
            let pool = db.pool().clone();
            async move {
                actix_web::web::block(move || {
                    use diesel::connection::SimpleConnection;
                    match &mut pool.get().unwrap().any() {
                        dutyday::db::AnyConn::Sqlite(c) => c.batch_execute(q),
                        dutyday::db::AnyConn::Postgres(c) => c.batch_execute(q),
                    }
                })
                .await
                .unwrap()
                .unwrap()
            }
        };
        sql("ALTER TABLE position_holders RENAME TO position_holders_away").await;
        let (s, page) = get(&c, &format!("{base}/today")).await;
        assert_eq!(s, StatusCode::INTERNAL_SERVER_ERROR, "{page}");
        assert!(page.contains("服务器出错了"), "a readable page: {page}");
        sql("ALTER TABLE position_holders_away RENAME TO position_holders").await;
        let (s, page) = get(&c, &format!("{base}/today")).await;
        assert_eq!(s, StatusCode::OK, "still signed in: {page}");
        assert!(page.contains("孙丽"));
    });
}

fn completing_from_the_today_page(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(db).await;
        let c = browser();
        log_in(&c, &base, "sun.li@example.com").await;
        let day = next_weekday();
        let today_url = format!("{base}/today?date={day}");
        let (_, page) = get(&c, &today_url).await;
        let id = task_id(&page, "shipping-daily-report");
        let back = format!("/today?date={day}");
        let form = |parcels: &'static str| {
            vec![
                ("back", back.clone()),
                ("fig.parcels_shipped", parcels.to_string()),
                ("fig.mis_shipments", "0".into()),
                ("fig.missed_shipments", "1".into()),
            ]
        };
        let mut bad = form("一百");
        bad.push(("csrf", common::csrf(&page)));
        let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (s, _, body) = post(&c, &format!("{base}/tasks/{id}/complete"), &bad).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("发货件数: 必须是整数"), "a clear message naming the figure");
        assert!(body.contains("value=\"一百\"") && body.contains("value=\"1\""), "the form comes back as it was typed");
        let mut good = form("120");
        good.push(("csrf", common::csrf(&page)));
        let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (s, to, _) = post(&c, &format!("{base}/tasks/{id}/complete"), &good).await;
        assert_eq!((s, to), (StatusCode::SEE_OTHER, back.clone()));
        let (_, page) = get(&c, &today_url).await;
        assert!(page.contains("已完成：销售发货日报表"));
        assert!(page.contains(&format!("class=\"task done\" id=\"task-{id}\"")));
        assert!(page.contains(&format!("action=\"/tasks/{id}/reopen\"")), "undo is offered right after");
        // Undo within ten minutes.
        let (s, _, _) =
            post(&c, &format!("{base}/tasks/{id}/reopen"), &[("csrf", &common::csrf(&page)), ("back", &back)]).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (_, page) = get(&c, &format!("{base}/tasks/{id}")).await;
        assert!(page.contains(&format!("class=\"task open\" id=\"task-{id}\"")) && page.contains("重新打开"));
        // Skipping needs a reason.
        let (s, _, body) =
            post(&c, &format!("{base}/tasks/{id}/skip"), &[("csrf", &common::csrf(&page)), ("reason", " ")]).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("跳过需要填写原因"));
        // An overdue task finished from today's list leaves it; its flash offers the
        // undo the card no longer can.
        let (_, page) = get(&c, &format!("{base}/today")).await;
        let overdue = &page[page.find("<section class=\"overdue\">").expect("overdue work")..];
        let start = overdue.find("id=\"task-").unwrap() + 9;
        let late = &overdue[start..start + overdue[start..].find('"').unwrap()];
        let (s, _, _) = post(
            &c,
            &format!("{base}/tasks/{late}/skip"),
            &[("csrf", &common::csrf(&page)), ("reason", "停电"), ("back", "/today")],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (_, page) = get(&c, &format!("{base}/today")).await;
        assert!(!page.contains(&format!("id=\"task-{late}\"")), "no longer listed");
        let flash = &page[page.find("class=\"flash\"").unwrap()..];
        let flash = &flash[..flash.find("</div>").unwrap()];
        assert!(flash.contains(&format!("action=\"/tasks/{late}/reopen\"")), "{flash}");
        let (_, again) = get(&c, &format!("{base}/today")).await;
        assert!(!again.contains("id=\"flash-undo\""), "offered once, with its flash");
    });
}

/// A day whose tasks are all handled says so, not that there was nothing to do.
fn a_handled_day_does_not_say_there_was_nothing(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(db).await;
        let c = browser();
        log_in(&c, &base, "sun.li@example.com").await;
        let day = next_weekday();
        let url = format!("{base}/today?date={day}");
        let (_, mut page) = get(&c, &url).await;
        assert!(!page.contains("这一天的任务都已处理"));
        while let Some(at) =
            page.find("<section class=\"today\">").and_then(|s| page[s..].find("id=\"task-").map(|i| s + i))
        {
            let id = &page[at + 9..at + 9 + page[at + 9..].find('"').unwrap()];
            let back = format!("/today?date={day}");
            let form = [("csrf", common::csrf(&page)), ("reason", "出差".into()), ("back", back)];
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let (s, _, body) = post(&c, &format!("{base}/tasks/{id}/skip"), &form).await;
            assert_eq!(s, StatusCode::SEE_OTHER, "{body}");
            page = get(&c, &url).await.1;
            let today = &page[page.find("<section class=\"today\">").unwrap()..];
            if !today[..today.find("</section>").unwrap()].contains("id=\"task-") {
                break;
            }
        }
        assert!(page.contains("这一天的任务都已处理") && !page.contains("这一天没有任务"), "{page}");
        // A day without any task says so, and where to look instead.
        let sunday = common::day("2026-12-06");
        let (_, empty) = get(&c, &format!("{base}/today?date={sunday}")).await;
        let said = &empty[empty.find("id=\"empty-day\"").expect("an empty state")..];
        assert!(
            said.starts_with("id=\"empty-day\">这一天没有任务。") && said.contains("href=\"/week?date=2026-12-06\""),
            "{said}"
        );
        assert!(!empty.contains("id=\"empty-upcoming\""), "the week after it has tasks");
        // A day beyond what is made yet: nothing that day and nothing after it, said
        // under each heading rather than left as an empty one.
        let (_, far) = get(&c, &format!("{base}/today?date=2027-06-01")).await;
        assert!(far.contains("id=\"empty-day\">这一天没有任务。"), "{far}");
        assert!(far.contains("id=\"empty-upcoming\">未来 7 天没有任务。"), "{far}");
    });
}

fn english_is_remembered_and_pages_respect_access(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(db).await;
        let c = browser();
        log_in(&c, &base, "xu.qiang@example.com").await;
        let (_, page) = get(&c, &format!("{base}/today")).await;
        let (s, to, _) =
            post(&c, &format!("{base}/lang"), &[("csrf", &common::csrf(&page)), ("lang", "en"), ("back", "/org")])
                .await;
        assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/org"));
        let (_, page) = get(&c, &format!("{base}/org")).await;
        assert!(page.contains("lang=\"en\"") && page.contains("Org chart") && page.contains("Warehouse keeper"));
        // Remembered: a new session of the same person is in English.
        let c2 = browser();
        log_in(&c2, &base, "xu.qiang@example.com").await;
        let (_, page) = get(&c2, &format!("{base}/today?date={}", next_weekday())).await;
        assert!(page.contains("Tasks of the day") && page.contains("Back to today"), "{page}");
        let own = task_id(&page, "warehouse-daily-check");
        // Job descriptions read the cadence in words.
        let (_, jd) = get(&c2, &format!("{base}/positions/logistics.warehouse-keeper")).await;
        assert!(
            jd.contains("Every working day, by 10:00") && jd.contains("The last working day of each month, by 18:00"),
            "{jd}"
        );
        // Someone else's task is not found; mine is.
        let other = browser();
        log_in(&other, &base, "zhou.ting@example.com").await;
        let (s, body) = get(&other, &format!("{base}/tasks/{own}")).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert!(body.contains("找不到") && body.contains(&format!("没有编号为 {own} 的任务")), "{body}");
        assert!(!body.contains(&format!("href=\"/tasks/{own}\"")), "the back link does not loop to itself");
        let (s, _) = get(&c2, &format!("{base}/tasks/{own}")).await;
        assert_eq!(s, StatusCode::OK);
        let (s, _) = get(&other, &format!("{base}/positions/no-such")).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, hist) = get(&c2, &format!("{base}/history")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(hist.contains("id=\"completion-rate\""));
    });
}

fn digests_off_from_my_history_page_and_the_admins_outbox(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(db).await;
        let c = browser();
        log_in(&c, &base, "sun.li@example.com").await;
        let (_, page) = get(&c, &format!("{base}/history")).await;
        assert!(page.contains("id=\"digest-form\"") && page.contains("关闭每日摘要"), "{page}");
        // A forged form (wrong CSRF token) changes nothing.
        let (s, _, _) = post(&c, &format!("{base}/me/digest"), &[("csrf", "forged"), ("enabled", "false")]).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let id = common::staff_id(db, "孙丽");
        assert!(dutyday::services::remind::admin::wants_digest(db.pool(), id).unwrap());
        let (s, to, _) =
            post(&c, &format!("{base}/me/digest"), &[("csrf", &common::csrf(&page)), ("enabled", "false")]).await;
        assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/history"));
        assert!(!dutyday::services::remind::admin::wants_digest(db.pool(), id).unwrap());
        let (_, page) = get(&c, &format!("{base}/history")).await;
        assert!(page.contains("已保存摘要设置") && page.contains("开启每日摘要"), "{page}");
        assert!(!page.contains("id=\"nav-outbox\""), "the outbox link is for admins");
        let admin = browser();
        log_in(&admin, &base, "zhu.xiaoyan@example.com").await;
        let (s, page) = get(&admin, &format!("{base}/admin/outbox?status=failed")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(page.contains("id=\"outbox-empty\"") && page.contains("id=\"nav-outbox\""), "{page}");
        assert!(page.contains("没有这个状态的消息"), "an empty filter says so");
        let (s, _) = get(&admin, &format!("{base}/admin/outbox?status=lost")).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    });
}

/// The words a person reads on a page: its text without tags.
fn visible_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for ch in html.chars() {
        match ch {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// Fails when a page shows a translation key instead of its text.
fn assert_no_raw_keys(url: &str, html: &str) {
    let text = visible_text(html);
    let words: std::collections::HashSet<&str> =
        text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-')).collect();
    for lang in [Lang::Zh, Lang::En] {
        for key in dutyday::i18n::keys(lang).iter().filter(|k| k.contains('_') || k.contains('-')) {
            assert!(!words.contains(key.as_str()), "{url} shows the raw key `{key}`");
        }
    }
}

/// Fails when a page in `lang` shows a phrase from the other language's table: a
/// Chinese page an English phrase of two words or more, an English page a Chinese
/// phrase of three characters or more (shorter ones also occur inside names).
fn assert_one_language(url: &str, html: &str, lang: Lang) {
    let text = visible_text(html).split_whitespace().collect::<Vec<_>>().join(" ");
    let other = if lang == Lang::Zh { Lang::En } else { Lang::Zh };
    let (mine, theirs) = (dutyday::i18n::Tr(lang), dutyday::i18n::Tr(other));
    // What this language's own text quotes of the other (the import hint names the
    // Chinese column headers in English) is meant.
    let quoted: String = dutyday::i18n::keys(lang).iter().map(|k| mine.t(k)).collect::<Vec<_>>().join("\n");
    for key in dutyday::i18n::keys(other) {
        let phrase = theirs.t(key);
        let phrase = phrase.trim().trim_end_matches(['.', '。', ':', '：']);
        // The language switch names the other language in its own words, on purpose.
        let switch = ["lang_name", "other_lang"].contains(&key.as_str());
        if switch || phrase.contains(['{', '$', '\n']) || phrase == mine.t(key).trim() || quoted.contains(phrase) {
            continue;
        }
        let long_enough = match other {
            Lang::En => phrase.contains(' ') && phrase.len() >= 8,
            _ => phrase.chars().count() >= 3,
        };
        assert!(!long_enough || !text.contains(phrase), "{url} in {lang:?} shows `{phrase}` ({key})");
    }
}

fn every_page_in_both_languages_shows_text_not_keys(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(db).await;
        let c = browser();
        log_in(&c, &base, "zhu.xiaoyan@example.com").await;
        let (_, page) = get(&c, &format!("{base}/today?date={}", next_weekday())).await;
        let keeper = common::staff_id(db, "徐强");
        let by = dutyday::services::audit::Actor::Operator;
        let (d, now) = (common::day("2026-12-08"), common::at(common::NOW));
        dutyday::services::staffing::add_leave(db.pool(), by, keeper, d, d, "病假", now).unwrap();
        let pages = [
            "/leave".to_string(),
            "/admin/people".into(),
            format!("/admin/people/{}", keeper.0),
            "/admin/people/import".into(),
            "/assign".into(),
            "/admin/templates".into(),
            "/admin/templates/warehouse-stocktake".into(),
            "/admin/templates/warehouse-stocktake/edit".into(),
            "/admin/templates/new".into(),
            "/admin/calendar".into(),
            "/today".into(),
            format!("/today?date={}", next_weekday()),
            "/history".into(),
            "/org".into(),
            "/positions/logistics.warehouse-keeper".into(),
            "/dashboard".into(),
            "/dashboard?by=person".into(),
            "/dashboard/figures?template=shipping-daily-report".into(),
            "/dashboard/tasks?template=warehouse-daily-check".into(),
            "/admin/outbox".into(),
            "/admin/audit".into(),
            "/me/account".into(),
            "/me/calendar".into(),
            "/week".into(),
            "/week?date=2026-10-01".into(),
            "/tasks/999999".into(),
            "/dashboard?period=custom&from=2026-12-04&to=2025-01-01".into(),
        ];
        for lang in ["en", "zh-CN"] {
            let (s, _, _) =
                post(&c, &format!("{base}/lang"), &[("csrf", &common::csrf(&page)), ("lang", lang), ("back", "/org")])
                    .await;
            assert_eq!(s, StatusCode::SEE_OTHER);
            for p in &pages {
                let (_, body) = get(&c, &format!("{base}{p}")).await;
                assert!(body.contains(&format!("lang=\"{lang}\"")), "{p} in {lang}");
                assert_no_raw_keys(p, &body);
                assert_one_language(p, &body, if lang == "en" { Lang::En } else { Lang::Zh });
            }
        }
        // The key check itself catches a raw key.
        let caught = std::panic::catch_unwind(|| assert_no_raw_keys("/x", "<p>status_open</p>"));
        assert!(caught.is_err());
        // And the language check a phrase of the other language.
        let english = dutyday::i18n::Tr(Lang::En).t("outbox_status_cancelled");
        let phrase = format!("<p>{} {}</p>", english, dutyday::i18n::Tr(Lang::En).t("rate_on_time"));
        let caught = std::panic::catch_unwind(|| assert_one_language("/x", &phrase, Lang::Zh));
        assert!(caught.is_err(), "{phrase}");
    });
}

/// The dashboard says how late a task is in the words and unit the reminders use:
/// clock time since its due time.
fn lateness_reads_as_in_the_mail(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(db).await;
        let gm = browser();
        log_in(&gm, &base, "wang.jianguo@example.com").await;
        let (s, page) = get(&gm, &format!("{base}/dashboard")).await;
        assert_eq!(s, StatusCode::OK);
        // The warehouse check due Monday 10:00, seen Tuesday 10:00: a day late.
        let tasks = common::tasks(db);
        let due =
            tasks.iter().find(|t| t.template_id == "warehouse-daily-check" && t.occurs_on == common::day("2026-11-30"));
        let late = common::at(common::NOW) - due.unwrap().due_at.and_utc();
        let words = dutyday::services::remind::messages::span(&dutyday::i18n::Tr(Lang::Zh), late);
        assert_eq!(words, "24 小时");
        assert!(page.contains(&format!("逾期 {words}")) && !page.contains("工作小时"), "{page}");
    });
}

on_both_databases!(
    a_handled_day_does_not_say_there_was_nothing,
    lateness_reads_as_in_the_mail,
    a_database_error_does_not_sign_people_out,
    every_page_in_both_languages_shows_text_not_keys,
    login_and_logout,
    completing_from_the_today_page,
    english_is_remembered_and_pages_respect_access,
    digests_off_from_my_history_page_and_the_admins_outbox
);
