//! Dashboard figures against a plain recount of the task table, on both databases.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use dutyday::services::audit::Actor;

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use common::{at, day, staff_id, tasks, TestDb};
use dutyday::db::tasks::TaskRow;
use dutyday::domain::access::Viewer;
use dutyday::domain::completion::CompletionInput;
use dutyday::domain::task::TaskId;
use dutyday::domain::template::FigureType;
use dutyday::error::ErrorCode;
use dutyday::services::dashboard::{dashboard, to_csv, By, Filter, Row};
use dutyday::services::generate::{self, Scope};
use dutyday::services::tasks::{self as task_service, Act};
use dutyday::services::{auth, staffing, AppError};
use serde_json::Value;
use std::collections::BTreeMap;

fn viewer(db: &TestDb, name: &str, today: &str) -> Viewer {
    let id = staff_id(db, name);
    auth::viewer(&mut db.pool().get().unwrap().any(), id, day(today)).unwrap()
}

/// Completes a task with whatever its template asks for, as `v`, at `when`.
fn complete(db: &TestDb, v: &Viewer, id: TaskId, when: DateTime<Utc>) {
    try_complete(db, v, id, when).unwrap();
}

/// The same, for a task that may already be finished.
fn try_complete(db: &TestDb, v: &Viewer, id: TaskId, when: DateTime<Utc>) -> Result<(), AppError> {
    let (task, _) = task_service::get(db.pool(), v, id, when).unwrap();
    let figures = task
        .figures_asked
        .iter()
        .map(|f| {
            let val: Value = match f.kind {
                FigureType::Bool => "no".into(),
                FigureType::Text => "ok".into(),
                _ => 3.into(),
            };
            (f.key.clone(), val)
        })
        .collect();
    let input = CompletionInput { note: Some("ok".into()), figures, signoff: true };
    task_service::act(db.pool(), v, id, Act::Complete(input), when).map(|_| ())
}

/// The plain recount: rules written out again, independently of `domain::stats`.
fn recount(all: &[TaskRow], from: &str, to: &str, now: NaiveDateTime, by: By) -> BTreeMap<String, [u64; 6]> {
    let mut out: BTreeMap<String, [u64; 6]> = BTreeMap::new();
    for t in all.iter().filter(|t| t.occurs_on >= day(from) && t.occurs_on <= day(to)) {
        // Missed tasks are past due by definition (domain::stats).
        let finished = t.status.as_str() == "done" || t.status.as_str() == "skipped" || t.status.as_str() == "missed";
        if !(t.due_at <= now || finished) {
            continue;
        }
        let done = t.status.as_str() == "done";
        let on_time = done && t.done_at.unwrap() <= t.due_at;
        let owed = [
            1,
            0,
            0,
            u64::from(t.status.as_str() == "open"),
            u64::from(t.status.as_str() == "skipped"),
            u64::from(t.status.as_str() == "missed"),
        ];
        let key = match by {
            By::Department => t.department_id.clone(),
            By::Position => t.position_id.clone(),
            By::Template => t.template_id.clone(),
            By::Person => {
                let e = out.entry(t.assignee_id.map_or("unassigned".into(), |a| a.to_string())).or_default();
                for (i, n) in owed.iter().enumerate() {
                    e[i] += n;
                }
                if done {
                    let e = out.entry(t.done_by.unwrap().to_string()).or_default();
                    e[1] += 1;
                    e[2] += u64::from(on_time);
                }
                continue;
            }
        };
        let e = out.entry(key).or_default();
        let row = [1, u64::from(done), u64::from(on_time), owed[3], owed[4], owed[5]];
        for (i, n) in row.iter().enumerate() {
            e[i] += n;
        }
    }
    out
}

fn as_map(rows: &[Row]) -> BTreeMap<String, [u64; 6]> {
    rows.iter().map(|r| (r.key.clone(), [r.due, r.done, r.on_time, r.overdue, r.skipped, r.missed])).collect()
}

fn every_figure_matches_a_plain_recount(db: &TestDb) {
    db.seed();
    let pool = db.pool();
    // A week runs with a one-day horizon, then the service is down for three days.
    generate::run(pool, at("2026-11-23T00:00:00Z"), None, 1, Scope::Incremental).unwrap();
    // The data analyst leaves: from 11-25 the store lead covers the vacancy.
    staffing::end_holding(
        pool,
        Actor::Operator,
        staff_id(db, "张伟"),
        &"ops.data-analyst".into(),
        day("2026-11-24"),
        at("2026-11-23T01:00:00Z"),
    )
    .unwrap();
    // The shipping clerk takes leave: the packer (her deputy) covers.
    staffing::add_leave(
        pool,
        Actor::Operator,
        staff_id(db, "孙丽"),
        day("2026-11-30"),
        day("2026-12-01"),
        "",
        at("2026-11-23T01:00:00Z"),
    )
    .unwrap();
    generate::run(pool, at("2026-11-27T12:00:00Z"), None, 7, Scope::Incremental).unwrap();
    assert!(tasks(db).iter().any(|t| t.status.as_str() == "missed"), "the downtime left missed tasks");

    let gm = viewer(db, "王建国", "2026-11-30");
    let keeper = viewer(db, "徐强", "2026-11-30");
    let packer = viewer(db, "马超", "2026-11-30");
    let by_template = |tpl: &str, date: &str| {
        tasks(db).into_iter().find(|t| t.template_id == tpl && t.occurs_on == day(date)).unwrap().id
    };
    // On time by the holder, late by the holder, by the deputy on leave cover, by the GM for someone else.
    complete(db, &keeper, by_template("warehouse-daily-check", "2026-11-30"), at("2026-11-30T01:00:00Z"));
    complete(db, &keeper, by_template("fire-safety-inspection", "2026-11-27"), at("2026-11-30T01:30:00Z"));
    complete(db, &packer, by_template("shipping-daily-report", "2026-11-30"), at("2026-11-30T09:00:00Z"));
    complete(db, &gm, by_template("site-daily-check", "2026-11-30"), at("2026-11-30T01:10:00Z"));
    // A skip with a reason, and a completion reopened.
    let skip = by_template("warehouse-daily-check", "2026-12-01");
    task_service::act(pool, &keeper, skip, Act::Skip { reason: Some("盘点日".into()) }, at("2026-12-01T00:30:00Z"))
        .unwrap();
    let reopened = by_template("order-address-check", "2026-11-30");
    complete(db, &gm, reopened, at("2026-11-30T01:00:00Z"));
    task_service::act(pool, &gm, reopened, Act::Reopen, at("2026-11-30T01:05:00Z")).unwrap();

    let now = at("2026-12-02T04:00:00Z");
    let all = tasks(db);
    for by in [By::Department, By::Position, By::Person, By::Template] {
        let d = dashboard(pool, &gm, day("2026-11-23"), day("2026-12-04"), by, &Filter::default(), now).unwrap();
        assert_eq!(as_map(&d.rows), recount(&all, "2026-11-23", "2026-12-04", now.naive_utc(), by), "by {by:?}");
        // Totals are the sum by department (each task counted once against something).
        let t = &d.total;
        let sum = as_map(&d.rows).values().fold([0u64; 6], |mut a, r| {
            if by != By::Person {
                for i in 0..6 {
                    a[i] += r[i];
                }
            }
            a
        });
        if by != By::Person {
            assert_eq!([t.due, t.done, t.on_time, t.overdue, t.skipped, t.missed], sum);
        }
    }
    // Spot checks of the rules the recount shares.
    let people = as_map(
        &dashboard(pool, &gm, day("2026-11-30"), day("2026-11-30"), By::Person, &Filter::default(), now).unwrap().rows,
    );
    let packer_row = people[&staff_id(db, "马超").to_string()];
    assert!(packer_row[1] >= 1, "the deputy is credited with the report done on leave cover");
    let gm_row = people[&staff_id(db, "王建国").to_string()];
    assert!(gm_row[1] >= 1, "the GM is credited with the check he did for the site planner");
    // The month heatmap: the keeper's 11-30 cell is his tasks of that day, recounted.
    let (first, people) =
        dutyday::services::dashboard::month_by_person(pool, &gm, day("2026-11-30"), &Filter::default(), now).unwrap();
    assert_eq!(first, day("2026-11-01"));
    let cell = people.iter().find(|p| p.name == "徐强").unwrap().days[29];
    let keeper_id = staff_id(db, "徐强");
    let his: Vec<&TaskRow> =
        all.iter().filter(|t| t.assignee_id == Some(keeper_id) && t.occurs_on == day("2026-11-30")).collect();
    let due = his
        .iter()
        .filter(|t| t.due_at <= now.naive_utc() || t.status.as_str() == "done" || t.status.as_str() == "skipped")
        .count() as u64;
    let done = his.iter().filter(|t| t.status.as_str() == "done").count() as u64;
    assert_eq!((cell.due, cell.done), (due, done));
    assert!(due > 0);
    let skipped =
        dutyday::services::dashboard::skipped(pool, &gm, day("2026-11-23"), day("2026-12-04"), &Filter::default(), now)
            .unwrap();
    let reasons: Vec<&str> = skipped.iter().map(|t| t.note.as_deref().unwrap_or("")).collect();
    assert_eq!(reasons, ["盘点日"], "skips come with their reasons");
    let depts = dashboard(
        pool,
        &gm,
        day("2026-12-01"),
        day("2026-12-01"),
        By::Department,
        &Filter { department: Some("logistics".into()), ..Filter::default() },
        now,
    )
    .unwrap();
    assert_eq!(depts.rows.len(), 1);
    assert!(depts.rows[0].skipped >= 1);
    // CSV: a BOM, a header, a line per row and the total.
    let csv = to_csv(&depts, dutyday::i18n::Tr(dutyday::i18n::Lang::En));
    assert!(csv.starts_with("\u{feff}Key,Name,Due,Done,On time,Overdue,Skipped,Missed"), "{csv}");
    assert!(csv.contains("logistics,物流部,") && csv.contains("total,合计,"));
    // A Chinese reader's columns are Chinese.
    let csv = to_csv(&depts, dutyday::i18n::Tr(dutyday::i18n::Lang::Zh));
    assert!(csv.starts_with("\u{feff}编号,名称,应完成,已完成,按时完成,逾期,已跳过,已错过,完成率（%）"), "{csv}");
}

fn a_lead_sees_only_their_departments(db: &TestDb) {
    db.seed();
    generate::run(db.pool(), at("2026-11-30T00:00:00Z"), None, 7, Scope::Incremental).unwrap();
    let now = at("2026-12-04T12:00:00Z") + Duration::hours(1);
    let lead = viewer(db, "李娜", "2026-12-01");
    let d = dashboard(db.pool(), &lead, day("2026-11-30"), day("2026-12-04"), By::Department, &Filter::default(), now)
        .unwrap();
    assert_eq!(d.departments, ["ops"]);
    assert_eq!(d.rows.iter().map(|r| r.key.as_str()).collect::<Vec<_>>(), ["ops"]);
    let other = dashboard(
        db.pool(),
        &lead,
        day("2026-11-30"),
        day("2026-12-04"),
        By::Position,
        &Filter { department: Some("logistics".into()), ..Filter::default() },
        now,
    );
    assert!(matches!(other, Err(AppError { code: ErrorCode::DepartmentNotFound, .. })));
    let staff = viewer(db, "徐强", "2026-12-01");
    assert!(matches!(
        dashboard(db.pool(), &staff, day("2026-11-30"), day("2026-12-04"), By::Department, &Filter::default(), now),
        Err(AppError { code: ErrorCode::DashboardForbidden, .. })
    ));
    let backwards =
        dashboard(db.pool(), &lead, day("2026-12-04"), day("2026-11-30"), By::Department, &Filter::default(), now);
    assert!(matches!(backwards, Err(AppError { code: ErrorCode::PeriodReversed, .. })));
}

fn report_figures_sum_and_average(db: &TestDb) {
    use dutyday::services::figures;
    db.seed();
    generate::run(db.pool(), at("2026-11-30T00:00:00Z"), None, 7, Scope::Incremental).unwrap();
    let clerk = viewer(db, "孙丽", "2026-12-01");
    let file = |date: &str, parcels: i64, wrong: i64| {
        let id = tasks(db)
            .into_iter()
            .find(|t| t.template_id == "shipping-daily-report" && t.occurs_on == day(date))
            .unwrap()
            .id;
        let figures = [("parcels_shipped", parcels), ("mis_shipments", wrong), ("missed_shipments", 0)]
            .into_iter()
            .map(|(k, v)| (k.to_string(), Value::from(v)))
            .collect();
        let input = CompletionInput { note: None, figures, signoff: false };
        task_service::act(db.pool(), &clerk, id, Act::Complete(input), at("2026-12-04T09:00:00Z")).unwrap();
    };
    file("2026-11-30", 120, 1);
    file("2026-12-01", 80, 0);
    file("2026-12-02", 100, 2);
    let gm = viewer(db, "王建国", "2026-12-04");
    let r =
        figures::report(db.pool(), &gm, &"shipping-daily-report".into(), day("2026-11-30"), day("2026-12-04")).unwrap();
    assert_eq!(r.rows.len(), 3);
    assert_eq!(r.rows[0].values, ["120", "1", "0"]);
    assert_eq!(r.rows[0].by, "孙丽");
    assert_eq!(r.sums, [Some(300.0), Some(3.0), Some(0.0)]);
    assert_eq!(r.averages, [Some(100.0), Some(1.0), Some(0.0)]);
    let csv = figures::to_csv(&r, true);
    assert!(csv.starts_with("\u{feff}日期,填报人,发货件数,错发件数,漏发件数\r\n2026-11-30,孙丽,120,1,0\r\n"), "{csv}");
    // Integer figures sum to integers; averages keep two decimals.
    assert!(csv.contains("合计,,300,3,0\r\n") && csv.contains("平均,,100.00,1.00,0.00"), "{csv}");
    // Staff do not see reports; a template without figures has none.
    assert!(matches!(
        figures::report(db.pool(), &clerk, &"shipping-daily-report".into(), day("2026-11-30"), day("2026-12-04")),
        Err(AppError { code: ErrorCode::DashboardForbidden, .. })
    ));
    assert!(matches!(
        figures::report(db.pool(), &gm, &"gm-office-meeting".into(), day("2026-11-30"), day("2026-12-04")),
        Err(AppError { code: ErrorCode::NoFigures, .. })
    ));
    // The store lead does not lead logistics: nothing of it reaches them.
    let lead = viewer(db, "李娜", "2026-12-04");
    assert!(figures::report(db.pool(), &lead, &"shipping-daily-report".into(), day("2026-11-30"), day("2026-12-04"))
        .unwrap()
        .rows
        .is_empty());
}

/// The day rollup, changed in the transaction of each status change, equals a recount
/// of the task table after a random sequence of completions, skips, reopenings,
/// undos, generation runs (with downtime, so some tasks are missed) and staffing
/// changes; and the department × day dashboard read from it equals the plain recount.
fn rollup_equals_recount_after_random_changes(db: &TestDb) {
    use rand::{Rng, SeedableRng};
    db.seed();
    let pool = db.pool();
    generate::run(pool, at("2026-11-16T00:00:00Z"), None, 2, Scope::Incremental).unwrap();
    // Down for a week: the days in between come back missed.
    generate::run(pool, at("2026-11-23T00:30:00Z"), None, 2, Scope::Incremental).unwrap();
    let mut rng = rand::rngs::StdRng::seed_from_u64(20261128);
    let gm = viewer(db, "王建国", "2026-11-30");
    let mut clock = at("2026-11-23T02:00:00Z");
    let check = |when: &str| {
        let mut conn = pool.get().unwrap();
        let conn = &mut conn.any();
        let (kept, recounted) = (dutyday::db::rollup::all(conn).unwrap(), dutyday::db::rollup::recount(conn).unwrap());
        assert_eq!(kept, recounted, "rollup and recount differ {when}");
        let (open_kept, open_recounted) = dutyday::db::rollup::open_kept_and_recounted(conn).unwrap();
        assert_eq!(open_kept, open_recounted, "open rollup and recount differ {when}");
    };
    for step in 0..160 {
        let all = tasks(db);
        let t = all[rng.random_range(0..all.len())].clone();
        let (when, pick) = (clock, rng.random_range(0..10));
        let _ = match pick {
            0..=3 => try_complete(db, &gm, t.id, when),
            4 | 5 => task_service::act(pool, &gm, t.id, Act::Skip { reason: Some("随机".into()) }, when).map(|_| ()),
            6 | 7 => task_service::act(pool, &gm, t.id, Act::Reopen, when).map(|_| ()),
            // Generation after a gap (downtime): the past occurrences come back missed.
            8 => generate::run(pool, when, None, 3, Scope::Incremental).map(|_| ()),
            _ => {
                let (who, position) = [("孙丽", "logistics.shipping-clerk"), ("陈杰", "ops.site-planner")][step % 2];
                staffing::end_holding(
                    pool,
                    Actor::Operator,
                    staff_id(db, who),
                    &position.into(),
                    when.date_naive(),
                    when,
                )
                .map(|_| ())
            }
        };
        clock += Duration::minutes(rng.random_range(1..=300));
        if step % 40 == 0 {
            check(&format!("after step {step}"));
        }
    }
    check("at the end");
    // Open tasks due by now: from the open rollup plus today's live count, equal to a
    // plain count, at several moments of a day.
    let departments: Vec<String> = tasks(db)
        .iter()
        .map(|t| t.department_id.clone())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut conn = pool.get().unwrap();
    for hour in [0, 3, 9, 10, 17, 23] {
        let at_hour = (clock.date_naive().and_hms_opt(hour, 30, 0).unwrap()).and_utc();
        let fast = dutyday::db::rollup::open_due_fast(
            &mut conn.any(),
            day("2026-11-01"),
            day("2026-12-31"),
            &departments,
            at_hour.naive_utc(),
        )
        .unwrap();
        let live = dutyday::db::rollup::open_due(
            &mut conn.any(),
            day("2026-11-01"),
            day("2026-12-31"),
            &departments,
            at_hour.naive_utc(),
        )
        .unwrap();
        assert_eq!(fast, live, "open due by {at_hour}");
    }
    drop(conn);
    // Rebuilding from scratch (as after a bulk import) gives the same rollup.
    let kept = dutyday::db::rollup::all(&mut pool.get().unwrap().any()).unwrap();
    dutyday::db::rollup::rebuild(&mut pool.get().unwrap().any()).unwrap();
    assert_eq!(dutyday::db::rollup::all(&mut pool.get().unwrap().any()).unwrap(), kept);
    let all = tasks(db);
    assert!(
        ["done", "skipped", "missed", "open"].iter().all(|s| all.iter().any(|t| t.status.as_str() == *s)),
        "a real mix"
    );
    let (from, to) = ("2026-11-01", "2026-12-31");
    let d = dashboard(pool, &gm, day(from), day(to), By::Department, &Filter::default(), clock).unwrap();
    assert_eq!(as_map(&d.rows), recount(&all, from, to, clock.naive_utc(), By::Department));
    let days = dutyday::services::dashboard::daily(pool, &gm, day(from), day(to), &Filter::default(), clock).unwrap();
    // The page reads table and trend in one go; the same numbers.
    let (d2, days2) = dutyday::services::dashboard::overview(
        pool,
        &gm,
        day(from),
        day(to),
        By::Department,
        &Filter::default(),
        clock,
    )
    .unwrap();
    assert_eq!((d2.rows, d2.total, &days2), (d.rows, d.total, &days));
    for (date, c) in days {
        let date = date.to_string();
        let expect =
            recount(&all, &date, &date, clock.naive_utc(), By::Department).values().fold([0u64; 6], |mut a, r| {
                for i in 0..6 {
                    a[i] += r[i];
                }
                a
            });
        assert_eq!([c.due, c.done, c.on_time, c.overdue, c.skipped, c.missed], expect, "{date}");
    }
    // A person's history page counts the same way: due against them, done for them.
    let today = clock.with_timezone(&chrono_tz::Asia::Shanghai).date_naive();
    let since = (today - Duration::days(30)).to_string();
    let by_person = recount(&all, &since, &today.to_string(), clock.naive_utc(), By::Person);
    for name in ["孙丽", "徐强", "陈杰", "王建国"] {
        let v = viewer(db, name, &today.to_string());
        let h = task_service::history(pool, &v, clock).unwrap();
        let r = by_person.get(&v.id.to_string()).copied().unwrap_or_default();
        assert_eq!([h.due as u64, h.done as u64, h.on_time as u64], [r[0], r[1], r[2]], "{name}'s history");
        assert!(r[0] > 0 || name == "王建国", "{name} owed something: {r:?}");
    }
}

/// Rows follow the org chart, not the code points of their names, and a department
/// with nothing due in the period keeps its row.
fn rows_follow_the_org_chart_and_keep_quiet_departments(db: &TestDb) {
    db.seed();
    generate::run(db.pool(), at("2026-11-30T00:00:00Z"), None, 7, Scope::Incremental).unwrap();
    let now = at("2026-12-01T02:00:00Z");
    let gm = viewer(db, "王建国", "2026-12-01");
    let org = dutyday::db::org::load(&mut db.pool().get().unwrap().any()).unwrap();
    // A Sunday: nothing is due anywhere, yet every department is listed.
    let sunday = day("2026-11-29");
    let d = dashboard(db.pool(), &gm, sunday, sunday, By::Department, &Filter::default(), now).unwrap();
    let keys: Vec<&str> = d.rows.iter().map(|r| r.key.as_str()).collect();
    let chart: Vec<&str> = org.departments.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(keys, chart, "every department, in the org chart's order");
    assert!(d.rows.iter().all(|r| r.due == 0));
    // By position, over a working day: in the org chart's order too.
    let monday = day("2026-11-30");
    let d = dashboard(db.pool(), &gm, monday, monday, By::Position, &Filter::default(), now).unwrap();
    let keys: Vec<&str> = d.rows.iter().map(|r| r.key.as_str()).collect();
    let chart: Vec<&str> = org.positions.iter().map(|p| p.id.as_str()).filter(|p| keys.contains(p)).collect();
    assert!(keys.len() > 3);
    assert_eq!(keys, chart);
    let names: Vec<&str> = d.rows.iter().map(|r| r.name.as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_ne!(names, sorted, "the seed's org chart is not in code-point order, so this shows the difference");
}

on_both_databases!(
    rows_follow_the_org_chart_and_keep_quiet_departments,
    rollup_equals_recount_after_random_changes,
    every_figure_matches_a_plain_recount,
    a_lead_sees_only_their_departments,
    report_figures_sum_and_average
);
