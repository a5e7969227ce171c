//! Generation on both databases: exactly once, after downtime, by position.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use dutyday::error::ErrorCode;
use dutyday::services::audit::Actor;

use common::{at, day, staff_id, tasks, TestDb};
use dutyday::db::tasks::TaskRow;
use dutyday::services::generate::{self, Scope};
use std::collections::BTreeSet;

fn of<'a>(all: &'a [TaskRow], template: &str) -> Vec<&'a TaskRow> {
    all.iter().filter(|t| t.template_id == template).collect()
}

fn on<'a>(all: &'a [TaskRow], template: &str, date: &str) -> Vec<&'a TaskRow> {
    all.iter().filter(|t| t.template_id == template && t.occurs_on == day(date)).collect()
}

fn generation_twice_gives_the_same_tasks(db: &TestDb) {
    db.seed();
    // Monday 2026-11-30, 08:00 in Shanghai.
    let now = at("2026-11-30T00:00:00Z");
    let first = generate::run(db.pool(), now, None, 7, Scope::Incremental).unwrap();
    let before = tasks(db);
    assert!(!before.is_empty());
    assert_eq!((first.created, first.existing, first.missed), (before.len(), 0, 0));
    // The scheduler's tick finds nothing new; a full pass finds everything there.
    let tick = generate::run(db.pool(), now, None, 7, Scope::Incremental).unwrap();
    assert_eq!((tick.created, tick.existing), (0, 0));
    let full = generate::run(db.pool(), now, None, 7, Scope::Full).unwrap();
    assert_eq!((full.created, full.existing), (0, first.created));
    assert_eq!(tasks(db), before);
    // A day later the tick adds exactly the day that entered the horizon.
    let next = generate::run(db.pool(), at("2026-12-01T00:00:00Z"), None, 7, Scope::Incremental).unwrap();
    let added: Vec<_> = tasks(db).into_iter().filter(|t| !before.iter().any(|b| b.id == t.id)).collect();
    assert_eq!(next.created, added.len());
    assert!(added.iter().all(|t| t.occurs_on == day("2026-12-08")), "{added:?}");
    assert!(!added.is_empty());

    // The daily shipping report: every working day, 18:00 Shanghai, to the clerk.
    let clerk = staff_id(db, "孙丽");
    let reports = of(&before, "shipping-daily-report");
    let dates: Vec<String> = reports.iter().map(|t| t.occurs_on.to_string()).collect();
    assert_eq!(dates, ["2026-11-30", "2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04", "2026-12-07"]);
    assert!(reports.iter().all(|t| t.assignee_id == Some(clerk) && t.status.as_str() == "open" && t.cover == "none"));
    assert_eq!(reports[0].due_at.to_string(), "2026-11-30 10:00:00");
    // The GM office meeting, Monday 11:00.
    let meeting = on(&before, "gm-office-meeting", "2026-11-30");
    assert_eq!((meeting.len(), meeting[0].assignee_id), (1, Some(staff_id(db, "王建国"))));
    // The monthly stocktake falls on the last working day, Monday 11-30.
    assert_eq!(on(&before, "warehouse-stocktake", "2026-11-30")[0].assignee_id, Some(staff_id(db, "徐强")));
}

fn two_generators_at_once_make_no_duplicates(db: &TestDb) {
    db.seed();
    let spawn = || {
        common::command(&db.url)
            .args(["generate", "--through", "2027-01-31", "--now", "2026-11-30T00:00:00Z"])
            .output()
            .expect("run dutyday")
    };
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(spawn);
        let b = s.spawn(spawn);
        (a.join().unwrap(), b.join().unwrap())
    });
    let mut created = 0;
    for out in [&a, &b] {
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let line = String::from_utf8_lossy(&out.stdout).trim().to_string();
        let n: Vec<usize> = line.split(' ').map(|kv| kv.split_once('=').unwrap().1.parse().unwrap()).collect();
        created += n[0];
    }
    let all = tasks(db);
    let keys: BTreeSet<_> = all.iter().map(|t| (&t.template_id, &t.occurrence, &t.slot)).collect();
    let per_person: BTreeSet<_> = all.iter().map(|t| (&t.template_id, &t.occurrence, t.assignee_id)).collect();
    assert_eq!(keys.len(), all.len());
    assert_eq!(per_person.len(), all.len(), "one task per person per occurrence");
    assert_eq!(created, all.len(), "every task was created by exactly one of the two");
    assert_eq!(of(&all, "shipping-daily-report").len(), 45, "working days 11-30 .. 2027-01-29");
}

fn downtime_applies_each_templates_catch_up_policy(db: &TestDb) {
    db.seed();
    // Last run Monday 2026-11-02 08:00 with a one-day horizon, then ten days down.
    generate::run(db.pool(), at("2026-11-02T00:00:00Z"), None, 1, Scope::Incremental).unwrap();
    let back = generate::run(db.pool(), at("2026-11-12T12:00:00Z"), None, 1, Scope::Incremental).unwrap();
    let all = tasks(db);
    let missed_days =
        ["2026-11-04", "2026-11-05", "2026-11-06", "2026-11-09", "2026-11-10", "2026-11-11", "2026-11-12"];
    let status = |tpl: &str| -> Vec<(String, String)> {
        let mut v: Vec<_> = of(&all, tpl).iter().map(|t| (t.occurs_on.to_string(), t.status.to_string())).collect();
        v.sort();
        v
    };
    // catch_up = "all": every missed day exists, marked missed.
    let mut want = vec![("2026-11-02".to_string(), "open".to_string()), ("2026-11-03".into(), "open".into())];
    want.extend(missed_days.iter().map(|d| (d.to_string(), "missed".to_string())));
    want.push(("2026-11-13".into(), "open".into()));
    assert_eq!(status("shipping-daily-report"), want);
    // catch_up = "none": the gap stays empty.
    let none: Vec<_> = status("site-daily-check").into_iter().map(|(d, _)| d).collect();
    assert_eq!(none, ["2026-11-02", "2026-11-03", "2026-11-13"]);
    // catch_up = "latest": only the last missed day, open so it still gets done.
    let latest = status("new-media-daily-posting");
    assert_eq!(latest[2..], [("2026-11-12".to_string(), "open".to_string()), ("2026-11-13".into(), "open".into())]);
    assert_eq!(latest.len(), 4);
    let missed_rows = all.iter().filter(|t| t.status.as_str() == "missed").count();
    assert_eq!(back.missed, missed_rows);
    // A first run never backfills: nothing already due at 11-02 08:00 was created then.
    let first_run = at("2026-11-02T00:00:00Z").naive_utc();
    let early: Vec<_> = all.iter().filter(|t| t.occurs_on < day("2026-11-02")).collect();
    assert!(early.iter().all(|t| t.due_at > first_run && t.status.as_str() == "open"), "{early:?}");
}

fn a_vacancy_goes_to_the_lead(db: &TestDb) {
    use dutyday::services::staffing;
    db.seed();
    let now = at("2026-11-30T00:00:00Z");
    generate::run(db.pool(), now, None, 7, Scope::Incremental).unwrap();
    let analyst = staff_id(db, "张伟");
    let store_lead = staff_id(db, "李娜");
    let gm = staff_id(db, "王建国");
    let moved =
        staffing::end_holding(db.pool(), Actor::Operator, analyst, &"ops.data-analyst".into(), day("2026-11-30"), now)
            .unwrap();
    assert!(moved.moved >= 2, "{moved:?}");
    let packer = staff_id(db, "马超");
    staffing::end_holding(db.pool(), Actor::Operator, packer, &"logistics.packing-lead".into(), day("2026-11-30"), now)
        .unwrap();
    generate::run(db.pool(), now, Some(day("2026-12-14")), 7, Scope::Incremental).unwrap();
    let all = tasks(db);
    for t in all.iter().filter(|t| t.position_id == "ops.data-analyst") {
        if t.occurs_on <= day("2026-11-30") {
            assert_eq!((t.assignee_id, t.cover.as_str()), (Some(analyst), "none"), "{t:?}");
        } else {
            assert_eq!(
                (t.assignee_id, t.cover.as_str(), t.slot.as_str()),
                (Some(store_lead), "vacancy", "vacant"),
                "{t:?}"
            );
        }
    }
    assert!(all.iter().any(|t| t.position_id == "ops.data-analyst" && t.occurs_on > day("2026-12-07")));
    // Logistics has no lead of its own: its vacancy goes to the GM.
    let packing = on(&all, "daily-packing", "2026-12-10");
    assert_eq!((packing[0].assignee_id, packing[0].cover.as_str()), (Some(gm), "vacancy"));
    // Each vacancy fired HR's recruiting task by itself, once, dated the first vacant day.
    let recruit: Vec<_> = of(&all, "fill-vacancy");
    assert_eq!(recruit.len(), 2, "{recruit:?}");
    assert!(recruit.iter().all(|t| t.assignee_id == Some(staff_id(db, "朱晓燕")) && t.occurs_on == day("2026-12-01")));
}

fn leave_goes_to_the_deputy(db: &TestDb) {
    use dutyday::services::staffing;
    db.seed();
    let now = at("2026-11-30T00:00:00Z");
    generate::run(db.pool(), now, None, 7, Scope::Incremental).unwrap();
    let clerk = staff_id(db, "孙丽");
    let deputy = staff_id(db, "马超");
    staffing::add_leave(db.pool(), Actor::Operator, clerk, day("2026-12-01"), day("2026-12-03"), "年假", now).unwrap();
    staffing::add_leave(db.pool(), Actor::Operator, clerk, day("2026-12-09"), day("2026-12-09"), "", now).unwrap();
    // Leave overlapping leave already recorded is refused, naming it; nothing changes.
    let before = tasks(db);
    let overlap = staffing::add_leave(db.pool(), Actor::Operator, clerk, day("2026-12-03"), day("2026-12-04"), "", now)
        .unwrap_err();
    assert_eq!((overlap.code, overlap.field.as_deref()), (ErrorCode::LeaveOverlaps, Some("from")));
    assert!(overlap.to_string().contains("2026-12-01 to 2026-12-03"), "{overlap}");
    assert_eq!(tasks(db), before);
    generate::run(db.pool(), now, Some(day("2026-12-10")), 7, Scope::Incremental).unwrap();
    let all = tasks(db);
    for t in of(&all, "shipping-daily-report") {
        let on_leave =
            ["2026-12-01", "2026-12-02", "2026-12-03", "2026-12-09"].contains(&t.occurs_on.to_string().as_str());
        let want = if on_leave { (Some(deputy), "leave", Some(clerk)) } else { (Some(clerk), "none", None) };
        assert_eq!((t.assignee_id, t.cover.as_str(), t.covered_staff_id), want, "{t:?}");
        assert_eq!(t.slot, format!("h{clerk}"), "covering does not make a second task");
    }
    // Without a deputy, the lead covers: the store lead's is the GM.
    let lead = staff_id(db, "李娜");
    staffing::add_leave(db.pool(), Actor::Operator, lead, day("2026-12-07"), day("2026-12-07"), "", now).unwrap();
    let report = on(&tasks(db), "promotion-effect-report", "2026-12-07")[0].clone();
    assert_eq!((report.assignee_id, report.cover.as_str()), (Some(staff_id(db, "王建国")), "leave"));
}

fn a_change_of_holder_moves_open_future_tasks(db: &TestDb) {
    use dutyday::services::staffing;
    db.seed();
    let now = at("2026-11-30T00:00:00Z");
    generate::run(db.pool(), now, None, 7, Scope::Incremental).unwrap();
    let old = staff_id(db, "徐强");
    let new = common::add_person(db, "qian.duoduo@example.com", "钱多多");
    // One of the old keeper's future checks is already done: it stays his.
    let done_id = on(&tasks(db), "warehouse-daily-check", "2026-12-03")[0].id;
    mark_done(db, done_id);
    let r = staffing::change_holder(
        db.pool(),
        Actor::Operator,
        &"logistics.warehouse-keeper".into(),
        old,
        new,
        day("2026-12-02"),
        now,
    )
    .unwrap();
    assert!(r.moved > 0 && r.removed == 0, "{r:?}");
    for t in of(&tasks(db), "warehouse-daily-check") {
        let want = if t.occurs_on < day("2026-12-02") || t.id == done_id { old } else { new };
        assert_eq!(t.assignee_id, Some(want), "{t:?}");
        // The done check stands for the new holder's share of 12-03: it is not asked again.
        let slot_of = if t.occurs_on < day("2026-12-02") { old } else { new };
        assert_eq!(t.slot, format!("h{slot_of}"));
    }
    assert_eq!(on(&tasks(db), "warehouse-daily-check", "2026-12-03").len(), 1);
    // The move is in the moved task's history.
    let moved = on(&tasks(db), "warehouse-daily-check", "2026-12-04")[0].id;
    let mut conn = db.pool().get().unwrap();
    let log = dutyday::db::tasks::log_of(&mut conn.any(), moved).unwrap();
    assert_eq!(log.iter().map(|l| l.action.as_str()).collect::<Vec<_>>(), ["reassigned"]);
    // Generating again creates nothing for the old holder.
    let again = generate::run(db.pool(), now, None, 7, Scope::Full).unwrap();
    assert_eq!(again.created, 0, "{again:?}");
}

fn mark_done(db: &TestDb, id: dutyday::domain::task::TaskId) {
    use diesel::prelude::*;
    use dutyday::db::schema::tasks;
    let mut conn = db.pool().get().unwrap();
    dutyday::with_conn!(&mut conn.any(), c => diesel::update(tasks::table.find(id.0)).set(tasks::status.eq("done")).execute(c)).unwrap();
}

fn festivals_fire_campaign_work_every_year(db: &TestDb) {
    db.seed();
    generate::run(db.pool(), at("2026-10-01T00:00:00Z"), Some(day("2026-11-30")), 7, Scope::Incremental).unwrap();
    let planning: Vec<String> =
        of(&tasks(db), "festival-campaign-planning").iter().map(|t| t.occurs_on.to_string()).collect();
    // 20 working days before 双11 (Wed 11-11) and 双12 (Sat 12-12).
    assert_eq!(planning, ["2026-10-14", "2026-11-16"]);
}

fn several_holders_get_a_task_each_or_share_one(db: &TestDb) {
    use dutyday::services::staffing;
    db.seed();
    let now = at("2026-11-30T00:00:00Z");
    generate::run(db.pool(), now, None, 7, Scope::Incremental).unwrap();
    let second = common::add_person(db, "he.ping@example.com", "何平");
    // Each seat is a holder: a second keeper needs a headcount of two.
    let refused = staffing::add_holding(
        db.pool(),
        Actor::Operator,
        second,
        &"logistics.warehouse-keeper".into(),
        false,
        day("2026-12-02"),
        now,
    )
    .unwrap_err();
    assert_eq!((refused.code, refused.field.as_deref()), (ErrorCode::HeadcountFull, Some("position")));
    assert!(refused.to_string().contains("logistics.warehouse-keeper"), "{refused}");
    assert_eq!(on(&tasks(db), "warehouse-daily-check", "2026-12-03").len(), 1, "a refusal changes nothing");
    common::remind::exec(
        db,
        "UPDATE positions SET headcount = 2 WHERE id IN ('logistics.warehouse-keeper', 'logistics.packing-lead')",
    );
    // The empty second seat is seen: its daily check goes to the GM (logistics has no
    // lead of its own), marked as covering a vacancy; the shared packing task does not
    // double.
    {
        let mut conn = db.pool().get().unwrap();
        let positions = ["logistics.warehouse-keeper".to_string(), "logistics.packing-lead".to_string()];
        staffing::reconcile(&mut conn.any(), &positions, now).unwrap();
    }
    let seat: Vec<_> = on(&tasks(db), "warehouse-daily-check", "2026-12-03")
        .into_iter()
        .map(|t| (t.slot.clone(), t.assignee_id, t.cover.clone()))
        .collect();
    let gm = staff_id(db, "王建国");
    assert_eq!(
        seat,
        [
            (format!("h{}", staff_id(db, "徐强")), Some(staff_id(db, "徐强")), "none".into()),
            ("vacant".into(), Some(gm), "vacancy".into())
        ]
    );
    assert_eq!(on(&tasks(db), "daily-packing", "2026-12-03").len(), 1);
    // A second warehouse keeper and a second packer from 12-02.
    let r = staffing::add_holding(
        db.pool(),
        Actor::Operator,
        second,
        &"logistics.warehouse-keeper".into(),
        false,
        day("2026-12-02"),
        now,
    )
    .unwrap();
    assert!(r.moved > 0 && r.created == 0, "the empty seat's upcoming tasks go to the new keeper at once: {r:?}");
    staffing::add_holding(
        db.pool(),
        Actor::Operator,
        second,
        &"logistics.packing-lead".into(),
        false,
        day("2026-12-02"),
        now,
    )
    .unwrap();
    let all = tasks(db);
    let checks: Vec<Option<dutyday::domain::task::StaffId>> =
        on(&all, "warehouse-daily-check", "2026-12-03").iter().map(|t| t.assignee_id).collect();
    assert_eq!(checks, [Some(staff_id(db, "徐强")), Some(second)], "each holder checks");
    let seats: Vec<String> = on(&all, "warehouse-daily-check", "2026-12-03").iter().map(|t| t.slot.clone()).collect();
    assert!(!seats.contains(&"vacant".to_string()), "the vacant seat's task moved to the new keeper: {seats:?}");
    // Before the new keeper's first day, the seat was still empty.
    let before: Vec<_> = on(&all, "warehouse-daily-check", "2026-12-01").iter().map(|t| t.cover.clone()).collect();
    assert_eq!(before, ["none", "vacancy"]);
    let packing = on(&all, "daily-packing", "2026-12-03");
    assert_eq!((packing.len(), packing[0].slot.as_str()), (1, "shared"), "one shared packing task");
}

on_both_databases!(
    several_holders_get_a_task_each_or_share_one,
    generation_twice_gives_the_same_tasks,
    two_generators_at_once_make_no_duplicates,
    downtime_applies_each_templates_catch_up_policy,
    a_vacancy_goes_to_the_lead,
    leave_goes_to_the_deputy,
    a_change_of_holder_moves_open_future_tasks,
    festivals_fire_campaign_work_every_year,
);

/// Staffing changes on one instance while another generates (two pools on one
/// database, each change started while a long generation pass is under way): no
/// duplicate task, and no open task left with someone who no longer holds the
/// position. On PostgreSQL the two really run at once.
fn staffing_changes_racing_generation_leave_nothing_behind(db: &TestDb) {
    use dutyday::domain::task::PositionId;
    use dutyday::services::{audit::Actor, people, staffing};
    db.seed();
    common::remind::exec(db, "UPDATE positions SET headcount = 2 WHERE id = 'cs.agent'");
    let now = at("2026-11-30T00:00:00Z");
    generate::run(db.pool(), now, None, 14, Scope::Full).unwrap();
    let (keeper, clerk, packer) = (staff_id(db, "徐强"), staff_id(db, "孙丽"), staff_id(db, "马超"));
    let changes: [Box<dyn Fn() + Sync>; 3] = [
        Box::new(|| {
            people::deactivate_by_email(db.pool(), "xu.qiang@example.com", day("2027-02-01"), now).unwrap();
        }),
        Box::new(|| {
            let (from, to) = (PositionId::from("logistics.shipping-clerk"), PositionId::from("cs.agent"));
            staffing::end_holding(db.pool(), Actor::Operator, clerk, &from, day("2027-05-31"), now).unwrap();
            staffing::add_holding(db.pool(), Actor::Operator, clerk, &to, false, day("2027-06-01"), now).unwrap();
        }),
        Box::new(|| {
            staffing::add_leave(db.pool(), Actor::Operator, packer, day("2027-10-01"), day("2027-10-31"), "", now)
                .unwrap();
        }),
    ];
    let other = dutyday::db::DbPool::connect(&db.url, 2).unwrap();
    for (round, change) in changes.iter().enumerate() {
        let through = day(["2027-04-30", "2027-08-31", "2027-12-31"][round]);
        std::thread::scope(|s| {
            let pass = s.spawn(|| generate::run(&other, now, Some(through), 14, Scope::Full));
            change();
            pass.join().unwrap().unwrap();
        });
    }
    let all = tasks(db);
    let keys: BTreeSet<_> = all.iter().map(|t| (&t.template_id, &t.occurrence, &t.slot)).collect();
    // One task per holder per occurrence; a lead covering two empty seats has two.
    let held: Vec<_> = all.iter().filter(|t| t.cover != "vacancy").collect();
    let per_person: BTreeSet<_> = held.iter().map(|t| (&t.template_id, &t.occurrence, t.assignee_id)).collect();
    assert_eq!((keys.len(), per_person.len()), (all.len(), held.len()), "no duplicates");
    let open = |t: &&dutyday::db::tasks::TaskRow| t.status == dutyday::domain::task::TaskStatus::Open;
    let stuck: Vec<_> = all
        .iter()
        .filter(open)
        .filter(|t| {
            (t.assignee_id == Some(keeper) && t.occurs_on > day("2027-02-01"))
                || (t.assignee_id == Some(clerk)
                    && t.position_id == "logistics.shipping-clerk"
                    && t.occurs_on >= day("2027-06-01"))
                || (t.assignee_id == Some(packer)
                    && t.occurs_on >= day("2027-10-01")
                    && t.occurs_on <= day("2027-10-31"))
        })
        .map(|t| (&t.template_id, t.occurs_on, t.assignee_id))
        .collect();
    let first: Vec<_> = stuck.iter().take(5).collect();
    assert!(stuck.is_empty(), "{} left with someone no longer there, such as {first:?}", stuck.len());
    assert!(all.iter().any(|t| t.occurs_on > day("2027-12-01")), "the other instance generated meanwhile");
}

on_both_databases!(staffing_changes_racing_generation_leave_nothing_behind);

/// A cold-room log at 08:00 and 15:00: two tasks a day, each due at its time (within an
/// hour), each once, also when generated again.
fn several_times_a_day_make_a_task_each(db: &TestDb) {
    db.seed();
    let mut conn = db.pool().get().unwrap();
    let specs = dutyday::db::org::templates_named(&mut conn.any(), &["warehouse-daily-check".to_string()]).unwrap();
    let mut spec: serde_json::Value = serde_json::from_str(&specs[0].0.spec).unwrap();
    spec["schedule"] = serde_json::json!({"every": "day", "at": ["15:00", "08:00"]});
    spec["due"] = serde_json::json!({"hours": 1});
    let now = at("2026-11-30T00:00:00Z");
    // Changed as an admin changes it: a new version from today.
    let admin = common::viewer_of(db, "朱晓燕", day("2026-11-30"));
    let spec = serde_json::from_value(spec).unwrap();
    let id = Some("warehouse-daily-check");
    dutyday::services::template_edit::save(db.pool(), &admin, id, spec, None, "", 1, now).unwrap();
    generate::run(db.pool(), now, Some(day("2026-12-06")), 14, Scope::Full).unwrap();
    let again = generate::run(db.pool(), now, Some(day("2026-12-06")), 14, Scope::Full).unwrap();
    assert_eq!(again.created, 0);
    let all = tasks(db);
    let logs = of(&all, "warehouse-daily-check");
    let on_sunday: Vec<(String, String)> = logs
        .iter()
        .filter(|t| t.occurs_on == day("2026-12-06"))
        .map(|t| (t.occurrence.clone(), t.due_at.format("%H:%M").to_string()))
        .collect();
    // Every day, weekends too; due an hour after each time (08:00 and 15:00 in Shanghai are 00:00 and 07:00 UTC).
    assert_eq!(
        on_sunday,
        [("2026-12-06 08:00".to_string(), "01:00".to_string()), ("2026-12-06 15:00".to_string(), "08:00".to_string())]
    );
    assert_eq!(logs.len(), 14, "two a day, 11-30 to 12-06");
}

on_both_databases!(several_times_a_day_make_a_task_each);

/// A run that makes more rows than one write batch holds (a long absence, then a
/// year ahead): its report still counts each task once, missed ones included, and a
/// second pass finds every one of them there.
fn a_run_of_many_batches_counts_every_task_once(db: &TestDb) {
    db.seed();
    generate::run(db.pool(), at("2026-01-05T00:00:00Z"), None, 1, Scope::Incremental).unwrap();
    let before = tasks(db).len();
    // Back after ten weeks: the missed days and a year ahead in one run.
    let now = at("2026-03-16T00:00:00Z");
    let back = generate::run(db.pool(), now, Some(day("2027-03-15")), 1, Scope::Incremental).unwrap();
    assert!(back.created > generate::BATCH_ROWS, "{back:?} fits in one batch");
    let all = tasks(db);
    assert_eq!(back.created, all.len() - before);
    assert_eq!(back.missed, all.iter().filter(|t| t.status.as_str() == "missed").count());
    assert!(back.missed > 0);
    let again = generate::run(db.pool(), now, Some(day("2027-03-15")), 1, Scope::Full).unwrap();
    assert_eq!((again.created, again.missed), (0, 0));
    assert!(again.existing > generate::BATCH_ROWS, "{again:?}");
    assert_eq!(tasks(db).len(), all.len());
}

on_both_databases!(a_run_of_many_batches_counts_every_task_once);
