//! The `dutyday` subcommands as a person runs them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{staff_id, tasks, TestDb};

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn preview_prints_only_rfc3339_timestamps() {
    let out = common::command("sqlite::memory:")
        .args(["preview", "shipping-daily-report", "--from", "2026-09-29", "--count", "4"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        stdout(&out),
        "2026-09-29T18:00:00+08:00\n2026-09-30T18:00:00+08:00\n2026-10-08T18:00:00+08:00\n2026-10-09T18:00:00+08:00"
    );
    let month = common::command("sqlite::memory:")
        .args(["preview", "shipping-monthly-report", "--from", "2026-01-01", "--count", "3"])
        .output()
        .unwrap();
    // The 2nd working day: 01-05 (after 元旦 and the make-up Sunday 01-04 is the 1st), 02-03, 03-03.
    assert_eq!(stdout(&month), "2026-01-05T18:00:00+08:00\n2026-02-03T18:00:00+08:00\n2026-03-03T18:00:00+08:00");
    for (args, words) in [
        (vec!["preview", "no-such-template", "--from", "2026-01-01"], "no template `no-such-template`"),
        (vec!["preview", "onboarding-training", "--from", "2026-01-01"], "triggered by an event"),
    ] {
        let out = common::command("sqlite::memory:").args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains(words));
        assert!(out.stdout.is_empty());
    }
    let bad_date = common::command("sqlite::memory:").args(["preview", "x", "--from", "2026-13-01"]).output().unwrap();
    assert_eq!(bad_date.status.code(), Some(2));
}

fn generate_prints_created_and_existing(db: &TestDb) {
    let run = || {
        common::command(&db.url)
            .args(["generate", "--through", "2026-12-04", "--now", "2026-11-30T00:00:00Z"])
            .output()
            .unwrap()
    };
    let first = run();
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    let n = tasks(db).len();
    assert!(n > 0);
    assert_eq!(stdout(&first), format!("created={n} existing=0"));
    assert_eq!(stdout(&run()), format!("created=0 existing={n}"));
    let bad = common::command(&db.url).args(["generate", "--through", "soon"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

fn events_fire_their_templates_once(db: &TestDb) {
    db.seed();
    // A new data analyst: onboarding for HR and for the hire's lead, the store lead.
    let fire = |args: &[&str]| common::command(&db.url).args(["event"]).args(args).output().unwrap();
    let hire =
        |now: &str| fire(&["employee_hired", "--subject", "zhang.wei@example.com", "--at", "2026-12-01", "--now", now]);
    let out = hire("2026-12-01T01:00:00Z");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        stdout(&out).starts_with("event=employee_hired id=") && stdout(&out).ends_with("created=2 existing=0"),
        "{}",
        stdout(&out)
    );
    let all = tasks(db);
    let training = all.iter().find(|t| t.template_id == "onboarding-training").unwrap();
    assert_eq!(training.assignee_id, Some(staff_id(db, "朱晓燕")));
    // Due within 3 working days: Tue 12-01 → Fri 12-04, 18:00 Shanghai.
    assert_eq!(training.due_at.to_string(), "2026-12-04 10:00:00");
    let lead = all.iter().find(|t| t.template_id == "onboarding-lead").unwrap();
    assert_eq!(lead.assignee_id, Some(staff_id(db, "李娜")));
    // The same event again creates nothing.
    let again = hire("2026-12-01T02:00:00Z");
    assert!(stdout(&again).ends_with("created=0 existing=2"), "{}", stdout(&again));
    assert_eq!(tasks(db).len(), 2);
    // A hire in logistics, which has no lead of its own: the GM introduces them.
    fire(&["employee_hired", "--subject", "马超", "--at", "2026-12-02", "--now", "2026-12-01T02:00:00Z"]);
    let gm = staff_id(db, "王建国");
    assert!(tasks(db).iter().any(|t| t.template_id == "onboarding-lead" && t.assignee_id == Some(gm)));
    let unknown = fire(&["payday"]);
    assert_eq!(unknown.status.code(), Some(2));
    let err = String::from_utf8_lossy(&unknown.stderr);
    assert!(err.contains("no template is triggered by `payday`") && err.contains("employee_hired"), "{err}");
}

fn an_admin_loads_next_years_calendar_without_a_release(db: &TestDb) {
    db.seed();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cn-2027.tsv");
    std::fs::write(
        &file,
        "date\tkind\tname\n2027-01-01\tholiday\t元旦\n2027-01-02\tholiday\t元旦\n2027-01-03\tholiday\t元旦\n",
    )
    .unwrap();
    let out = common::command(&db.url).args(["calendar", "load"]).arg(&file).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(stdout(&out), "loaded years=2027 days=3");
    common::command(&db.url)
        .args(["generate", "--through", "2027-01-06", "--now", "2026-12-31T00:00:00Z"])
        .output()
        .unwrap();
    let days: Vec<String> = tasks(db)
        .iter()
        .filter(|t| t.template_id == "shipping-daily-report")
        .map(|t| t.occurs_on.to_string())
        .collect();
    assert_eq!(
        days,
        ["2026-12-31", "2027-01-04", "2027-01-05", "2027-01-06"],
        "no report on the 2027 New Year holiday"
    );
    // A bad file names its line and changes nothing.
    std::fs::write(&file, "date\tkind\tname\n2027-02-10\tholiday\t春节\n2027-02-30\tholiday\t春节\n").unwrap();
    let bad = common::command(&db.url).args(["calendar", "load"]).arg(&file).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("cn-2027.tsv: line 3: `2027-02-30` is not a date"), "{err}");
    let mut conn = db.pool().get().unwrap();
    let (stored, years) = dutyday::db::calendar::load(&mut conn.any()).unwrap();
    assert_eq!(years, [2026, 2027]);
    assert!(stored.iter().all(|d| d.date.to_string() != "2027-02-10"));
}

fn people_invite_queues_an_invitation_or_names_the_unknown_email(db: &TestDb) {
    let out = common::command(&db.url).args(["people", "invite", "xu.qiang@example.com"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout(&out).starts_with("invitation queued for xu.qiang@example.com; the link works until "));
    let rows = dutyday::db::outbox::list(&mut db.pool().get().unwrap().any(), None, 100).unwrap();
    assert_eq!(rows.iter().filter(|r| r.kind == "invitation" && r.address == "xu.qiang@example.com").count(), 1);
    let bad = common::command(&db.url).args(["people", "invite", "nobody@example.com"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert_eq!(err.trim(), "dutyday: email: nobody active has the email `nobody@example.com`");
}

fn people_import_plans_applies_and_names_bad_rows(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("people.csv");
    std::fs::write(&file, "\u{feff}姓名,邮箱,入职日期,岗位\n何平,he.ping@example.com,2027-01-04,\n").unwrap();
    let path = file.to_str().unwrap();
    let plan = common::command(&db.url).args(["people", "import", path, "--dry-run"]).output().unwrap();
    assert!(plan.status.success(), "{}", String::from_utf8_lossy(&plan.stderr));
    assert!(stdout(&plan).contains("row 2\tAdd\the.ping@example.com\t何平"), "{}", stdout(&plan));
    assert!(stdout(&plan).ends_with("1 rows, dry run: nothing changed"), "{}", stdout(&plan));
    let count = || dutyday::db::staff::count(&mut db.pool().get().unwrap().any()).unwrap();
    let before = count();
    let done = common::command(&db.url).args(["people", "import", path]).output().unwrap();
    assert!(done.status.success() && stdout(&done).ends_with("1 rows, applied"), "{}", stdout(&done));
    assert_eq!(count(), before + 1);
    let list = common::command(&db.url).args(["people", "list"]).output().unwrap();
    assert!(stdout(&list).lines().any(|l| l.contains("he.ping@example.com\t何平\tactive")), "{}", stdout(&list));
    // A bad row: exit 2, one line naming the file, the row and the problem; nothing changes.
    std::fs::write(&file, "name,email,start\nX,x@example.com,2027-02-30\n").unwrap();
    let bad = common::command(&db.url).args(["people", "import", path]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert_eq!(err.trim(), format!("dutyday: {path}: row 2: use a date as YYYY-MM-DD"));
    assert_eq!(count(), before + 1);
    let gone = common::command(&db.url)
        .args(["people", "deactivate", "he.ping@example.com", "--last-day", "2027-03-31"])
        .output()
        .unwrap();
    assert!(gone.status.success(), "{}", String::from_utf8_lossy(&gone.stderr));
    assert!(stdout(&gone).starts_with("he.ping@example.com leaves after 2027-03-31"));
}

on_both_databases!(
    people_import_plans_applies_and_names_bad_rows,
    people_invite_queues_an_invitation_or_names_the_unknown_email,
    generate_prints_created_and_existing,
    events_fire_their_templates_once,
    an_admin_loads_next_years_calendar_without_a_release
);

#[test]
fn a_failed_database_connection_shows_the_real_error_at_once() {
    let out = common::command("postgres://nobody@127.0.0.1:1/none")
        .args(["generate", "--through", "2026-12-01"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot open the database") && err.contains("127.0.0.1"), "{err}");
}

#[test]
fn a_bad_setting_is_one_line_and_exit_code_2() {
    let out = common::command("sqlite::memory:").env("DUTYDAY_HORIZON_DAYS", "lots").arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("horizon_days"), "{err}");
    let out =
        common::command("sqlite::memory:").env("DUTYDAY_GENERATE_CRON", "*/5 * * * *").arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("generate_cron"));
}

/// A generated demo password never reaches a log: with no terminal it is only in an
/// owner-only file beside the database, which signs in.
#[test]
fn a_generated_demo_password_stays_out_of_logs() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("demo.db").display());
    let out = common::command(&url).args(["generate", "--through", "2026-12-01"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let file = dir.path().join("dutyday-demo-password.txt");
    let password = std::fs::read_to_string(&file).unwrap().trim().to_string();
    assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    assert_eq!(password.len(), 12);
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(!said.contains(&password) && said.contains("dutyday-demo-password.txt"), "{said}");
    let pool = dutyday::db::DbPool::connect(&url, 1).unwrap();
    assert!(dutyday::services::auth::login(&pool, "xu.qiang@example.com", &password, None, chrono::Utc::now()).is_ok());
}

/// A database password with an unencoded `@` is refused before anything connects,
/// and no part of it is shown.
#[test]
fn a_database_password_with_an_at_sign_is_refused_without_showing_it() {
    let out = common::command("postgres://app:p@ss@127.0.0.1:1/none")
        .args(["generate", "--through", "2026-12-01"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("database_url") && err.contains("%40") && !err.contains("ss@"), "{err}");
}

/// Settings and catalogue are checked before a database is made: a bad catalogue
/// on a fresh database leaves no file behind.
#[test]
fn a_bad_catalogue_on_a_fresh_database_makes_nothing() {
    let broken =
        common::edited_config("company/templates.toml", |t| t.replacen("every = \"week\"", "every = \"fortnight\"", 1));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fresh.db");
    let out = common::command(&format!("sqlite://{}", path.display()))
        .arg("--config")
        .arg(broken.path())
        .args(["generate", "--through", "2026-12-01"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown cadence `fortnight`"));
    assert!(!path.exists(), "no database file was made");
}

/// A bad value from the environment is blamed on its variable, not on a file.
#[test]
fn a_bad_variable_is_named_as_the_variable() {
    for (var, value, key) in [("DUTYDAY_SMTP_TLS", "bogus", "smtp_tls"), ("DUTYDAY_HORIZON_DAYS", "0", "horizon_days")]
    {
        let out = common::command("sqlite::memory:").env(var, value).arg("check").output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(&format!("{var}: {key}:")) && !err.contains("default.toml"), "{err}");
    }
}

/// A catalogue file saved as GBK is named with the line of its first bad byte.
#[test]
fn a_file_that_is_not_utf8_is_named_with_its_line() {
    let dir = common::edited_config("company/templates.toml", |t| t.replacen("\n", "\n\n", 1));
    let file = dir.path().join("company/templates.toml");
    let mut bytes = std::fs::read(&file).unwrap();
    let third = bytes.iter().enumerate().filter(|(_, b)| **b == b'\n').nth(1).unwrap().0 + 1;
    bytes.splice(third..third, [b'#', 0xb2, 0xe2, b'\n']);
    std::fs::write(&file, bytes).unwrap();
    let out = common::command("sqlite::memory:").arg("--config").arg(dir.path()).arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("templates.toml: line 3: not UTF-8"), "{err}");
}
