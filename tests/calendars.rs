//! Calendars per department: customer service on a seven-day calendar of its own
//! (closed on the 26th) gets weekend tasks and weekend reminders; the office, on the
//! national calendar, does not. `check`, import, `catalog diff` and `apply` read the
//! calendars the same way. Both databases.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::Datelike;
use common::{at, day, TestDb};
use dutyday::catalog::Catalog;
use dutyday::services::generate::{self, Scope};

/// The seed with customer service on `stores`: every day of the week, closed on 12-26.
fn stores_config() -> tempfile::TempDir {
    let dir = common::edited_config("company/company.toml", |t| {
        format!("{t}\n[[calendar]]\nname = \"stores\"\nworkdays = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\", \"sat\", \"sun\"]\n")
    });
    let org = dir.path().join("company/org.toml");
    let text = std::fs::read_to_string(&org).unwrap();
    let cs = "id = \"cs\"\nzh = \"客服部\"\nen = \"Customer service\"\n";
    assert!(text.contains(cs));
    std::fs::write(&org, text.replace(cs, &format!("{cs}calendar = \"stores\"\n"))).unwrap();
    let stores = "date\tkind\tname\n2026-12-26\tholiday\t盘点闭店\n";
    std::fs::write(dir.path().join("calendars/stores-2026.tsv"), stores).unwrap();
    dir
}

fn dates_of(db: &TestDb, template: &str) -> Vec<chrono::NaiveDate> {
    let mut v: Vec<_> =
        common::tasks(db).into_iter().filter(|t| t.template_id == template).map(|t| t.occurs_on).collect();
    v.sort();
    v.dedup();
    v
}

fn a_department_on_its_own_calendar_works_weekends(db: &TestDb) {
    let dir = stores_config();
    let catalog = Catalog::load(dir.path()).unwrap();
    let stores = catalog.calendars.iter().find(|c| c.calendar == "stores").expect("the stores file is the stores'");
    assert_eq!(stores.days.len(), 1);
    dutyday::services::import::import_if_empty(db.pool(), &catalog, None, at("2026-01-01T00:00:00Z")).unwrap();
    let now = at("2026-12-01T00:00:00Z");
    generate::run(db.pool(), now, Some(day("2026-12-31")), 30, Scope::Full).unwrap();
    let cs = dates_of(db, "order-address-check");
    let office = dates_of(db, "warehouse-daily-check");
    let weekend = |d: &chrono::NaiveDate| d.weekday().num_days_from_monday() >= 5;
    assert!(cs.contains(&day("2026-12-05")) && cs.contains(&day("2026-12-06")), "Saturday and Sunday: {cs:?}");
    assert!(!cs.contains(&day("2026-12-26")), "closed on the 26th");
    assert_eq!(cs.len(), 30, "every day from the 1st but the 26th");
    assert!(!office.iter().any(weekend), "the office keeps the national calendar: {office:?}");
    assert_eq!(office.len(), 23, "December's working days");

    // Saturday 11:00: the agent's check of the day is an hour overdue and is reminded;
    // the keeper's overdue Friday check waits for Monday.
    let sat = at("2026-12-05T03:00:00Z");
    assert!(dutyday::services::remind::decide::sending_window_open(db.pool(), sat).unwrap());
    dutyday::services::remind::decide(db.pool(), "http://127.0.0.1", sat).unwrap();
    let mut conn = db.pool().get().unwrap();
    let sent = dutyday::db::outbox::list(&mut conn.any(), None, 1000).unwrap();
    let to = |email: &str| sent.iter().filter(|m| m.address == email).count();
    assert!(to("zhou.ting@example.com") >= 1, "the agent hears on Saturday");
    assert_eq!(to("xu.qiang@example.com"), 0, "the keeper does not");
    let mon = at("2026-12-07T03:00:00Z");
    dutyday::services::remind::decide(db.pool(), "http://127.0.0.1", mon).unwrap();
    let sent = dutyday::db::outbox::list(&mut conn.any(), None, 1000).unwrap();
    assert!(sent.iter().any(|m| m.address == "xu.qiang@example.com"), "the keeper hears on Monday");

    // The files and the database agree; a new year of the stores' calendar is an
    // addition that `apply` loads.
    assert!(dutyday::services::catalog_diff::diff(db.pool(), &catalog).unwrap().is_empty());
    std::fs::write(dir.path().join("calendars/stores-2027.tsv"), "date\tkind\tname\n2027-02-06\tholiday\t春节\n")
        .unwrap();
    let next = Catalog::load(dir.path()).unwrap();
    let changes = dutyday::services::catalog_diff::diff(db.pool(), &next).unwrap();
    let items: Vec<_> = changes.iter().map(|c| (c.what, c.item.as_str())).collect();
    assert_eq!(items, vec![("added", "calendar[stores:2027]")]);
    let opts = dutyday::services::catalog_apply::ApplyOptions { horizon_days: 7, ..Default::default() };
    let actor = dutyday::services::audit::Actor::Operator;
    let cache = dutyday::services::directory::Cache::default();
    let agent = viewer(db, "周婷", "cs.agent");
    let before = cache.current(&mut conn.any()).unwrap();
    assert!(before.calendar_of(&agent).is_working_day(day("2027-02-06")), "a Saturday the stores work");
    dutyday::services::catalog_apply::apply(db.pool(), actor, &next, &opts, now).unwrap();
    assert!(dutyday::services::catalog_diff::diff(db.pool(), &next).unwrap().is_empty());
    // The kept directory reads the new year on its next use.
    let after = cache.current(&mut conn.any()).unwrap();
    assert!(!after.calendar_of(&agent).is_working_day(day("2027-02-06")), "closed for 春节 now");
}

/// Someone holding `position`, as a request would find them.
fn viewer(db: &TestDb, name: &str, position: &str) -> dutyday::domain::access::Viewer {
    dutyday::domain::access::Viewer {
        id: common::staff_id(db, name),
        name: name.into(),
        admin: false,
        hr: false,
        locale: "zh-CN".into(),
        positions: [position.to_string()].into(),
        leads: Default::default(),
    }
}

/// The week page's days follow each person's calendar: the agent's weekend is worked
/// and holds tasks, the keeper's is off.
fn the_week_follows_each_department_calendar(db: &TestDb) {
    let dir = stores_config();
    let catalog = Catalog::load(dir.path()).unwrap();
    dutyday::services::import::import_if_empty(db.pool(), &catalog, None, at("2026-01-01T00:00:00Z")).unwrap();
    let now = at("2026-12-01T02:00:00Z");
    generate::run(db.pool(), now, Some(day("2026-12-31")), 30, Scope::Full).unwrap();
    let mut conn = db.pool().get().unwrap();
    let cache = dutyday::services::directory::Cache::default();
    let mut week_of = |name: &str, position: &str| {
        let conn = &mut conn.any();
        let dir = cache.current(conn).unwrap();
        dutyday::services::week::read(conn, dir, viewer(db, name, position), day("2026-12-23"), now).unwrap()
    };
    let agent = week_of("周婷", "cs.agent");
    let worked: Vec<_> = agent.days.iter().map(|d| (d.date.to_string(), d.working)).collect();
    assert_eq!(agent.monday, day("2026-12-21"));
    let open = |d: &str| (d.to_string(), true);
    let shut = |d: &str| (d.to_string(), false);
    let stores = ["21", "22", "23", "24", "25"].map(|d| open(&format!("2026-12-{d}")));
    assert_eq!(worked[..5], stores, "the agent works the week");
    assert_eq!(worked[5..], [shut("2026-12-26"), open("2026-12-27")], "closed on the 26th, open on Sunday");
    assert!(!agent.days[6].tasks.is_empty(), "Sunday's tasks are on Sunday");
    let keeper = week_of("徐强", "logistics.warehouse-keeper");
    assert!(keeper.days[..5].iter().all(|d| d.working) && keeper.days[5..].iter().all(|d| !d.working));
    assert!(keeper.days[5..].iter().all(|d| d.tasks.is_empty()), "nothing on the keeper's weekend");
}

/// A second file for one calendar and year, and a department naming a calendar that
/// is not declared: one line each, naming the file and key.
fn calendar_mistakes_are_refused(_: &TestDb) {
    let dir = stores_config();
    std::fs::write(dir.path().join("calendars/stores-2026b.tsv"), "date\tkind\tname\n2026-12-27\tholiday\tx\n")
        .unwrap();
    let e = Catalog::load(dir.path()).unwrap_err();
    assert!(e.to_string().contains("stores-2026b.tsv") && e.message.contains("one file a year"), "{e}");
    let dir = stores_config();
    let org = dir.path().join("company/org.toml");
    let text = std::fs::read_to_string(&org).unwrap().replace("calendar = \"stores\"", "calendar = \"shops\"");
    std::fs::write(&org, text).unwrap();
    let e = Catalog::load(dir.path()).unwrap_err();
    assert_eq!(e.key, "department[cs].calendar", "{e}");
    // A national-calendar file beside the stores' one for the same year is fine.
    assert!(Catalog::load(stores_config().path()).is_ok());
}

on_both_databases!(
    a_department_on_its_own_calendar_works_weekends,
    the_week_follows_each_department_calendar,
    calendar_mistakes_are_refused
);

/// The calendar page: the loaded years, a pasted file shown against them, then loaded
/// (audited); a bad line is named and changes nothing; only admins.
fn an_admin_loads_next_years_calendar_on_the_page(db: &TestDb) {
    use common::web::{browser, get, log_in};
    use reqwest::multipart::Form;
    use reqwest::StatusCode;
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(db).await;
        let c = browser();
        log_in(&c, &base, "zhu.xiaoyan@example.com").await;
        let url = format!("{base}/admin/calendar");
        let (s, page) = get(&c, &url).await;
        assert_eq!(s, StatusCode::OK);
        assert!(page.contains("id=\"calendar-years\"") && page.contains("2026"), "{page}");
        let csrf = common::csrf(&page);
        let tsv = "date\tkind\tname\n2027-01-01\tholiday\t元旦\n2027-02-06\tworkday\t春节调休\n";
        let form = |extra: Option<&str>| {
            let f = Form::new().text("csrf", csrf.clone()).text("calendar", "").text("tsv", tsv.to_string());
            match extra {
                Some(v) => f.text("apply", v.to_string()),
                None => f,
            }
        };
        let res = c.post(&url).multipart(form(None)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let page = res.text().await.unwrap();
        assert!(
            page.contains("id=\"calendar-plan\"") && page.contains("2027-02-06") && page.contains("调休上班"),
            "{page}"
        );
        let covered = |db: &TestDb| dutyday::db::calendar::load(&mut db.pool().get().unwrap().any()).unwrap().1;
        assert!(!covered(db).contains(&2027), "a preview loads nothing");
        let bad = Form::new().text("csrf", csrf.clone()).text("calendar", "").text("tsv", "2027-13-01\tholiday\tx\n");
        let res = c.post(&url).multipart(bad).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.text().await.unwrap().contains("line 1"), "names the line");
        let res = c.post(&url).multipart(form(Some("1"))).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert!(covered(db).contains(&2027));
        let staff = browser();
        log_in(&staff, &base, "xu.qiang@example.com").await;
        assert_eq!(get(&staff, &url).await.0, StatusCode::FORBIDDEN);
    });
}

on_both_databases!(an_admin_loads_next_years_calendar_on_the_page);
