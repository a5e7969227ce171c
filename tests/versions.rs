//! The catalogue changing while dutyday runs: a template changed from the middle of
//! a month keeps the past (tasks, dashboards, rollups) and moves what is open; a
//! retired one cancels its open work from the date with the reason; `catalog apply`
//! refuses the past and its dry run changes nothing; an apply racing generation
//! leaves nothing duplicated or lost. Both databases.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::NaiveTime;
use common::{at, day, TestDb};
use dutyday::catalog::Catalog;
use dutyday::db::tasks::{StatusChange, TaskRow};
use dutyday::domain::task::TaskStatus;
use dutyday::services::audit::Actor;
use dutyday::services::catalog_apply::{apply, ApplyOptions};
use dutyday::services::context::Context;
use dutyday::services::dashboard::{self, By, Filter};
use dutyday::services::generate::{self, Scope};

const CHECK: &str = "warehouse-daily-check";

/// The daily check becomes a Monday, Wednesday and Friday check due at 17:00.
fn three_days_a_week() -> tempfile::TempDir {
    common::edited_config("company/templates.toml", |t| {
        t.replace(
            "schedule = { every = \"working_day\" }\ndue = { time = \"10:00\" }\ncompletion = \"note\"",
            "schedule = { every = \"week\", weekdays = [\"mon\", \"wed\", \"fri\"] }\ndue = { time = \"17:00\" }\ncompletion = \"note\"",
        )
    })
}

/// December generated a day at a time through the 10th, ten days ahead.
fn december_so_far(db: &TestDb) {
    db.seed();
    for d in 1..=10 {
        generate::run(db.pool(), at(&format!("2026-12-{d:02}T00:00:00Z")), None, 10, Scope::Incremental).unwrap();
    }
}

fn checks(db: &TestDb) -> Vec<TaskRow> {
    common::tasks(db).into_iter().filter(|t| t.template_id == CHECK).collect()
}

fn finish(db: &TestDb, task: &TaskRow, when: &str) {
    let mut conn = db.pool().get().unwrap();
    let done = StatusChange {
        status: TaskStatus::Done,
        done_at: Some(at(when).naive_utc()),
        done_by: task.assignee_id,
        note: Some("ok".into()),
        figures: None,
    };
    let n = dutyday::db::tasks::set_status(&mut conn.any(), task.id, TaskStatus::Open, &done, at(when).naive_utc());
    assert_eq!(n.unwrap(), 1);
}

fn board(db: &TestDb, by: By, now: &str) -> String {
    let admin = common::viewer_of(db, "朱晓燕", day("2026-12-10"));
    let d =
        dashboard::dashboard(db.pool(), &admin, day("2026-12-01"), day("2026-12-14"), by, &Filter::default(), at(now));
    format!("{:?}", d.unwrap())
}

fn rollups_recount(db: &TestDb) {
    let mut conn = db.pool().get().unwrap();
    let conn = &mut conn.any();
    assert_eq!(dutyday::db::rollup::all(conn).unwrap(), dutyday::db::rollup::recount(conn).unwrap());
}

fn a_change_from_mid_month_keeps_the_past_and_moves_what_is_open(db: &TestDb) {
    december_so_far(db);
    // Work done: the checks of the 1st to the 9th, and the one of the 16th early.
    for t in checks(db).iter().filter(|t| t.occurs_on <= day("2026-12-09") || t.occurs_on == day("2026-12-16")) {
        if t.status == TaskStatus::Open {
            finish(db, t, "2026-12-10T01:00:00Z");
        }
    }
    let now = "2026-12-10T02:00:00Z";
    let past = |db: &TestDb| -> Vec<TaskRow> {
        common::tasks(db).into_iter().filter(|t| t.occurs_on < day("2026-12-15")).collect()
    };
    let (tasks_before, boards_before) =
        (past(db), [By::Department, By::Template, By::Person].map(|b| board(db, b, now)));
    let catalog = Catalog::load(three_days_a_week().path()).unwrap();
    let opts = ApplyOptions { effective: Some(day("2026-12-15")), horizon_days: 10, ..Default::default() };

    // A dry run reports the same and changes nothing.
    let dry = apply(db.pool(), Actor::Operator, &catalog, &ApplyOptions { dry_run: true, ..opts.clone() }, at(now));
    let dry = dry.unwrap();
    assert!(!dry.applied);
    assert_eq!(past(db), tasks_before);
    assert!(checks(db).iter().all(|t| t.template_version == 1));

    let done = apply(db.pool(), Actor::Operator, &catalog, &opts, at(now)).unwrap();
    assert!(done.applied);
    let items: Vec<_> = done.changes.iter().map(|c| (c.what, c.item.as_str(), c.fields.clone())).collect();
    assert_eq!(items, vec![("changed", "template[warehouse-daily-check]", vec!["due".to_string(), "schedule".into()])]);
    assert_eq!((dry.tasks, dry.created), (done.tasks, done.created), "the dry run said what the run did");
    // Generated through the 20th: the 15th (Tue) and 17th (Thu) are no longer
    // occurrences; the 18th (Fri) is, due at 17:00 now; the 16th was done already.
    assert_eq!((done.tasks.revised, done.tasks.cancelled), (1, 2), "{done:?}");

    assert_eq!(past(db), tasks_before, "not a task before the 15th changed");
    let boards_after = [By::Department, By::Template, By::Person].map(|b| board(db, b, now));
    assert_eq!(boards_after, boards_before, "past dashboards keep every number");
    let after = checks(db);
    let on = |d: &str| after.iter().find(|t| t.occurs_on == day(d)).unwrap().clone();
    assert_eq!((on("2026-12-16").status, on("2026-12-16").template_version), (TaskStatus::Done, 1));
    for d in ["2026-12-15", "2026-12-17"] {
        // No reason was given: the status says it, no words in another language.
        assert_eq!((on(d).status, on(d).note.as_deref()), (TaskStatus::Cancelled, None), "{d}");
    }
    let fri = on("2026-12-18");
    assert_eq!((fri.status, fri.template_version), (TaskStatus::Open, 2));
    assert_eq!(fri.due_at.time(), NaiveTime::from_hms_opt(9, 0, 0).unwrap(), "17:00 in Shanghai");
    rollups_recount(db);

    // The month goes on under the new version: Mondays, Wednesdays and Fridays only,
    // one task each, nothing twice.
    for d in 11..=31 {
        generate::run(db.pool(), at(&format!("2026-12-{d:02}T00:00:00Z")), None, 10, Scope::Incremental).unwrap();
    }
    let later: Vec<TaskRow> = checks(db).into_iter().filter(|t| t.occurs_on >= day("2026-12-21")).collect();
    let mut dates: Vec<String> = later.iter().map(|t| t.occurs_on.format("%d %a").to_string()).collect();
    dates.dedup();
    assert_eq!(dates.len(), later.len(), "one task a date: {dates:?}");
    assert!(later.iter().all(|t| t.template_version == 2 && t.status != TaskStatus::Cancelled));
    assert!(dates.starts_with(&["21 Mon".to_string(), "23 Wed".into(), "25 Fri".into(), "28 Mon".into()]), "{dates:?}");
    rollups_recount(db);
    // The files and the database now agree.
    assert!(dutyday::services::catalog_diff::diff(db.pool(), &catalog).unwrap().is_empty());
}

fn retiring_a_template_cancels_its_open_work_from_the_date(db: &TestDb) {
    december_so_far(db);
    let admin = common::viewer_of(db, "朱晓燕", day("2026-12-10"));
    let now = at("2026-12-10T02:00:00Z");
    let before: Vec<TaskRow> = checks(db).into_iter().filter(|t| t.occurs_on < day("2026-12-15")).collect();
    let reason = "改由系统自动巡检";
    let done = dutyday::services::template_edit::retire(db.pool(), &admin, CHECK, Some(day("2026-12-15")), reason, now);
    assert_eq!(done.unwrap().cancelled, 4, "the 15th to the 18th");
    let after = checks(db);
    assert_eq!(after.iter().filter(|t| t.occurs_on < day("2026-12-15")).cloned().collect::<Vec<_>>(), before);
    assert!(after
        .iter()
        .filter(|t| t.occurs_on >= day("2026-12-15"))
        .all(|t| t.status == TaskStatus::Cancelled && t.note.as_deref() == Some(reason)));
    for d in 11..=31 {
        generate::run(db.pool(), at(&format!("2026-12-{d:02}T00:00:00Z")), None, 10, Scope::Incremental).unwrap();
    }
    assert_eq!(checks(db).len(), after.len(), "nothing made from the 15th on");
    // The keeper sees on the 15th's list that it was cancelled, and why.
    let keeper = common::viewer_of(db, "徐强", day("2026-12-15"));
    let cache = dutyday::services::directory::Cache::default();
    let list =
        dutyday::services::day_list::views_for(db.pool(), &cache, &keeper, Some(day("2026-12-15")), now).unwrap();
    let gone = list.finished.iter().find(|t| t.template_id == CHECK).expect("on his list, among the finished");
    assert_eq!((gone.status, gone.note.as_deref()), (TaskStatus::Cancelled, Some(reason)));
    rollups_recount(db);
    // The past cannot be changed, and a second retirement needs a template.
    let e = dutyday::services::template_edit::retire(db.pool(), &admin, CHECK, Some(day("2026-12-09")), reason, now);
    assert_eq!(e.unwrap_err().code, dutyday::error::ErrorCode::EffectiveInPast);
    let e = dutyday::services::template_edit::retire(db.pool(), &admin, "nope", Some(day("2026-12-20")), reason, now);
    assert_eq!(e.unwrap_err().code, dutyday::error::ErrorCode::TemplateNotFound);
}

fn apply_refuses_a_date_in_the_past(db: &TestDb) {
    december_so_far(db);
    let catalog = Catalog::load(three_days_a_week().path()).unwrap();
    let opts = ApplyOptions { effective: Some(day("2026-12-09")), horizon_days: 10, ..Default::default() };
    let e = apply(db.pool(), Actor::Operator, &catalog, &opts, at("2026-12-10T02:00:00Z")).unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (dutyday::error::ErrorCode::EffectiveInPast, Some("effective")));
    assert!(checks(db).iter().all(|t| t.template_version == 1), "nothing changed");
}

/// `dutyday catalog apply`: a dry run changes nothing, a date in the past is one line
/// and a failing exit, the real run changes the template and the files then agree.
fn catalog_apply_on_the_command_line(db: &TestDb) {
    db.seed();
    let dir = three_days_a_week();
    let run = |args: &[&str]| {
        let out = common::command(&db.url).arg("--config").arg(dir.path()).args(args).output().unwrap();
        let text = |b: &[u8]| String::from_utf8_lossy(b).to_string();
        (out.status.success(), text(&out.stdout), text(&out.stderr))
    };
    let version = |db: &TestDb| {
        let mut conn = db.pool().get().unwrap();
        dutyday::db::versions::of_template(&mut conn.any(), CHECK).unwrap().len()
    };
    let (ok, out, err) = run(&["catalog", "apply", "--dry-run"]);
    assert!(ok, "{err}");
    assert!(out.contains("changed template[warehouse-daily-check]: due, schedule") && out.contains("dry run"), "{out}");
    assert_eq!(version(db), 1, "a dry run changes nothing");
    let (ok, _, err) = run(&["catalog", "apply", "--effective", "2000-01-01"]);
    assert!(!ok);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("effective"), "{err}");
    let (ok, out, err) = run(&["catalog", "apply", "--reason", "三天一查"]);
    assert!(ok, "{err}");
    assert!(out.contains("applied 1 changes"), "{out}");
    assert_eq!(version(db), 2);
    let (_, out, _) = run(&["catalog", "diff"]);
    assert_eq!(out.trim(), "0 changes");
    let mut conn = db.pool().get().unwrap();
    let (from, until) = (at("2000-01-01T00:00:00Z").naive_utc(), at("2100-01-01T00:00:00Z").naive_utc());
    let log = dutyday::db::audit::list(&mut conn.any(), from, until, None, None, 100).unwrap();
    assert!(log.iter().any(|e| e.action == "template.change" && e.subject == "template:warehouse-daily-check"));
}

/// A change applied on one instance while another generates a year ahead: nothing
/// twice, nothing lost, and the other instance uses the new version at once.
fn a_change_racing_generation_on_another_instance(db: &TestDb) {
    db.seed();
    let now = at("2026-12-10T02:00:00Z");
    generate::run(db.pool(), now, None, 10, Scope::Full).unwrap();
    let catalog = Catalog::load(three_days_a_week().path()).unwrap();
    let opts = ApplyOptions { effective: Some(day("2026-12-15")), horizon_days: 10, ..Default::default() };
    let other = dutyday::db::DbPool::connect(&db.url, 2).unwrap();
    std::thread::scope(|s| {
        let pass = s.spawn(|| generate::run(&other, now, Some(day("2027-12-31")), 10, Scope::Full));
        apply(db.pool(), Actor::Operator, &catalog, &opts, now).unwrap();
        pass.join().unwrap().unwrap();
    });
    // Whichever ran first, the second pass of the other instance finds nothing to add.
    generate::run(&other, now, Some(day("2027-12-31")), 10, Scope::Full).unwrap();
    let live: Vec<TaskRow> = checks(db).into_iter().filter(|t| t.status != TaskStatus::Cancelled).collect();
    let mut seen = std::collections::BTreeSet::new();
    for t in &live {
        assert!(seen.insert((t.occurrence.clone(), t.slot.clone())), "twice: {}", t.occurrence);
    }
    let from = day("2026-12-15");
    let later: Vec<&TaskRow> = live.iter().filter(|t| t.occurs_on >= from).collect();
    assert!(later.iter().all(|t| t.template_version == 2), "the old version made nothing from the 15th");
    // Every Monday, Wednesday and Friday that is a working day, through 2027.
    let mut d = from;
    let mut expected = 0;
    let cal = dutyday::domain::calendar::WorkCalendar::from_days(
        catalog.calendars.iter().flat_map(|c| c.days.clone()).collect(),
    );
    while d <= day("2027-12-31") {
        use chrono::Datelike;
        if matches!(d.weekday().num_days_from_monday(), 0 | 2 | 4) && cal.is_working_day(d) {
            expected += 1;
        }
        d = d.succ_opt().unwrap();
    }
    let days: std::collections::BTreeSet<_> = later.iter().map(|t| t.occurs_on).collect();
    assert_eq!(days.len(), expected, "none lost");
    rollups_recount(db);
}

/// The files add a department with a position, its duty and a template: applied from
/// a date, the template makes tasks from that date only. Removing a position someone
/// still holds is refused (nothing changes); once they moved, it is retired from the
/// date, kept for the history, and takes no new holder.
fn positions_and_duties_come_and_go_from_a_date(db: &TestDb) {
    december_so_far(db);
    let now = at("2026-12-10T02:00:00Z");
    let dir = common::edited_config("company/org.toml", |t| {
        format!("{t}\n[[department]]\nid = \"stores\"\nzh = \"门店部\"\nen = \"Stores\"\nlead = \"stores.manager\"\nreports_to = \"gm\"\n\n[[position]]\nid = \"stores.manager\"\ndepartment = \"stores\"\nzh = \"店长\"\nen = \"Store manager\"\nheadcount = 1\n")
    });
    let append = |file: &str, text: &str| {
        let path = dir.path().join(file);
        let old = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, format!("{old}{text}")).unwrap();
    };
    append("company/duties.tsv", "stores.manager.1\t门店部\t店长\t1\t每日开店检查\n");
    append(
        "company/duties.toml",
        "\n[[duty]]\nid = \"stores.manager.1\"\nposition = \"stores.manager\"\nkind = \"recurring\"\nzh = \"每日开店检查\"\nen = \"Daily opening check\"\nsource = \"每日开店检查\"\n",
    );
    append(
        "company/templates.toml",
        "\n[[template]]\nid = \"store-opening-check\"\nduty = \"stores.manager.1\"\nzh = \"开店检查\"\nen = \"Opening check\"\nschedule = { every = \"working_day\" }\ndue = { time = \"09:30\" }\ncompletion = \"tick\"\n",
    );
    let catalog = Catalog::load(dir.path()).unwrap();
    let opts = ApplyOptions { effective: Some(day("2026-12-14")), horizon_days: 10, ..Default::default() };
    let done = apply(db.pool(), Actor::Operator, &catalog, &opts, now).unwrap();
    let mut items: Vec<_> = done.changes.iter().map(|c| format!("{} {}", c.what, c.item)).collect();
    items.sort();
    assert_eq!(
        items,
        [
            "added department[stores]",
            "added duty[stores.manager.1]",
            "added position[stores.manager]",
            "added template[store-opening-check]"
        ]
    );
    let opening: Vec<TaskRow> =
        common::tasks(db).into_iter().filter(|t| t.template_id == "store-opening-check").collect();
    assert!(!opening.is_empty() && opening.iter().all(|t| t.occurs_on >= day("2026-12-14")), "from the 14th only");
    assert!(opening.iter().all(|t| t.department_id == "stores"));

    // A manager is hired; the files then drop the department: refused while she holds
    // the position, nothing changed.
    let manager = common::add_person(db, "dian.zhang@example.com", "店长甲");
    let pos = dutyday::domain::task::PositionId::from("stores.manager");
    dutyday::services::staffing::add_holding(db.pool(), Actor::Operator, manager, &pos, false, day("2026-12-14"), now)
        .unwrap();
    let before = Catalog::load(&common::config_dir()).unwrap();
    let opts = ApplyOptions { effective: Some(day("2026-12-18")), horizon_days: 10, ..Default::default() };
    let e = apply(db.pool(), Actor::Operator, &before, &opts, now).unwrap_err();
    assert_eq!(e.code, dutyday::error::ErrorCode::PositionHasHolders);
    assert!(e.message(dutyday::i18n::Lang::Zh).contains("stores.manager"), "names the position");
    let mut conn = db.pool().get().unwrap();
    let org = dutyday::db::org::load(&mut conn.any()).unwrap();
    assert!(org.positions.iter().any(|p| p.id == "stores.manager" && p.retired_on.is_none()), "unchanged");
    drop(conn);
    // Once her holding ends, the department's whole line is retired from the date.
    let last = day("2026-12-17");
    dutyday::services::staffing::end_holding(db.pool(), Actor::Operator, manager, &pos, last, now).unwrap();
    let back = apply(db.pool(), Actor::Operator, &before, &opts, now).unwrap();
    assert_eq!(back.changes.iter().filter(|c| c.what == "retired").count(), 4, "{:?}", back.changes);
    let after: Vec<TaskRow> =
        common::tasks(db).into_iter().filter(|t| t.template_id == "store-opening-check").collect();
    assert!(after.iter().filter(|t| t.occurs_on >= day("2026-12-18")).all(|t| t.status == TaskStatus::Cancelled));
    assert!(after.iter().filter(|t| t.occurs_on < day("2026-12-18")).all(|t| t.status == TaskStatus::Open));
    let mut conn = db.pool().get().unwrap();
    let org = dutyday::db::org::load(&mut conn.any()).unwrap();
    let p = org.positions.iter().find(|p| p.id == "stores.manager").unwrap();
    assert_eq!(p.retired_on, Some(day("2026-12-18")), "kept for history, retired from the date");
    drop(conn);
    let someone = common::add_person(db, "new@example.com", "新人");
    let e = dutyday::services::staffing::add_holding(
        db.pool(),
        Actor::Operator,
        someone,
        &pos,
        false,
        day("2026-12-20"),
        now,
    );
    assert_eq!(e.unwrap_err().code, dutyday::error::ErrorCode::UnknownPosition, "a retired position takes no holder");
    rollups_recount(db);
}

/// The daily check stops asking for a note from the 15th: a check of the 11th still
/// open asks for its note (the version it was made under), the 16th's only for a tick.
fn an_open_task_asks_for_what_its_own_version_asked(db: &TestDb) {
    use dutyday::domain::completion::CompletionInput;
    use dutyday::domain::template::CompletionMode;
    use dutyday::services::tasks::{self, Act};
    december_so_far(db);
    let now = at("2026-12-10T02:00:00Z");
    let admin = common::viewer_of(db, "朱晓燕", day("2026-12-10"));
    let mut conn = db.pool().get().unwrap();
    let row = dutyday::db::org::templates_named(&mut conn.any(), &[CHECK.to_string()]).unwrap().remove(0).0;
    drop(conn);
    let mut spec: serde_json::Value = serde_json::from_str(&row.spec).unwrap();
    spec["completion"] = serde_json::json!("tick");
    let spec = serde_json::from_value(spec).unwrap();
    dutyday::services::template_edit::save(db.pool(), &admin, Some(CHECK), spec, Some(day("2026-12-15")), "", 10, now)
        .unwrap();
    let keeper = common::viewer_of(db, "徐强", day("2026-12-10"));
    let on = |d: &str| checks(db).into_iter().find(|t| t.occurs_on == day(d)).unwrap();
    let (old, new) = (on("2026-12-11"), on("2026-12-16"));
    assert_eq!((old.template_version, new.template_version), (1, 2));
    let view = |id| tasks::get(db.pool(), &keeper, id, now).unwrap().0.completion;
    assert_eq!((view(old.id), view(new.id)), (CompletionMode::Note, CompletionMode::Tick));
    let bare = || Act::Complete(CompletionInput { note: None, figures: Default::default(), signoff: false });
    let e = tasks::act(db.pool(), &keeper, old.id, bare(), now).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("note"), "the 11th still asks for its note");
    tasks::act(db.pool(), &keeper, new.id, bare(), now).unwrap();
}

/// Generation reads the catalogue a page of templates at a time with their versions
/// (a large one is never all in memory at once): what it reads is the same whatever
/// the page's size, a changed template's two versions included, in catalogue order.
fn generation_reads_the_catalogue_a_page_at_a_time(db: &TestDb) {
    december_so_far(db);
    let catalog = Catalog::load(three_days_a_week().path()).unwrap();
    let opts = ApplyOptions { effective: Some(day("2026-12-15")), horizon_days: 10, ..Default::default() };
    assert!(apply(db.pool(), Actor::Operator, &catalog, &opts, at("2026-12-10T02:00:00Z")).unwrap().applied);
    let mut conn = db.pool().get().unwrap();
    let conn = &mut conn.any();
    let read = |conn: &mut dutyday::db::AnyConn, per_read| {
        let ctx = Context::load_paged(conn, day("2026-12-01"), per_read).unwrap();
        ctx.templates.iter().map(|t| (t.spec.id.clone(), t.version, t.from, t.until, t.paused)).collect::<Vec<_>>()
    };
    let whole = read(conn, 100_000);
    let check: Vec<_> = whole.iter().filter(|t| t.0 == CHECK).map(|t| (t.1, t.2, t.3)).collect();
    assert_eq!(check, [(1, None, Some(day("2026-12-15"))), (2, Some(day("2026-12-15")), None)]);
    for per_read in [1, 2, 7] {
        assert_eq!(read(conn, per_read), whole, "{per_read} a page");
    }
    assert_eq!(Context::load(conn, day("2026-12-01")).unwrap().templates.len(), whole.len());
    let mut ids: Vec<String> = whole.into_iter().map(|t| t.0).collect();
    ids.dedup();
    let org = dutyday::db::org::load(conn).unwrap();
    let catalogue: Vec<String> = org.templates.into_iter().filter(|t| t.active).map(|t| t.id).collect();
    assert_eq!(ids, catalogue);
}

on_both_databases!(
    an_open_task_asks_for_what_its_own_version_asked,
    positions_and_duties_come_and_go_from_a_date,
    a_change_racing_generation_on_another_instance,
    catalog_apply_on_the_command_line,
    a_change_from_mid_month_keeps_the_past_and_moves_what_is_open,
    retiring_a_template_cancels_its_open_work_from_the_date,
    apply_refuses_a_date_in_the_past,
    generation_reads_the_catalogue_a_page_at_a_time
);
