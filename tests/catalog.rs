//! The seed catalogue and what a bad one does: one line, exit code 2, nothing imported.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{config_dir, TestDb};
use dutyday::catalog::Catalog;
use dutyday::domain::org::DutyKind;
use std::collections::BTreeSet;
use std::path::Path;

#[test]
fn the_catalogue_covers_all_70_duties_of_the_source_with_a_kind() {
    let catalog = Catalog::load(&config_dir()).unwrap();
    let source = std::fs::read_to_string(config_dir().join("company/duties.tsv")).unwrap();
    let ids: BTreeSet<&str> = source.lines().skip(1).filter_map(|l| l.split('\t').next()).collect();
    assert_eq!(ids.len(), 70);
    let ours: BTreeSet<&str> = catalog.duties.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ours, ids);
    assert_eq!(
        catalog.summary(),
        format!("departments=6 positions=14 duties=70 templates={}", catalog.templates.len())
    );
    // Every recurring or event duty has a template; no standing duty has one.
    let with_template: BTreeSet<&str> = catalog.templates.iter().map(|t| t.spec.duty.as_str()).collect();
    for d in &catalog.duties {
        assert_eq!(with_template.contains(d.id.as_str()), d.kind != DutyKind::Standing, "{}", d.id);
        assert!(
            !d.zh.contains("筹划") && !d.zh.contains("平安") && !d.zh.contains("改良"),
            "corrected wording: {}",
            d.id
        );
        assert!(!d.en.is_empty());
    }
    // The duties the issue names are all there.
    for (template, duty) in [
        ("shipping-daily-report", "logistics.shipping-clerk.4"),
        ("shipping-monthly-report", "logistics.shipping-clerk.4"),
        ("warehouse-stocktake", "logistics.warehouse-keeper.3"),
        ("warehouse-daily-check", "logistics.warehouse-keeper.2"),
        ("gm-office-meeting", "gm.9"),
        ("promotion-effect-report", "ops.store-lead.3"),
        ("onboarding-training", "hr.admin.5"),
    ] {
        assert_eq!(catalog.template(template).map(|t| t.spec.duty.as_str()), Some(duty));
    }
    let kinds: BTreeSet<&str> = catalog.duties.iter().map(|d| d.kind.as_str()).collect();
    assert_eq!(kinds.len(), 3);
    // The org chart: 店铺运营主管 leads 运营部; every other department reports to the GM.
    let ops = catalog.departments.iter().find(|d| d.id == "ops").unwrap();
    assert_eq!(ops.lead_position.as_deref(), Some("ops.store-lead"));
    assert!(catalog.departments.iter().filter(|d| d.id != "gm").all(|d| d.reports_to.as_deref() == Some("gm")));
    assert_eq!(catalog.staff.len(), 14);
    assert_eq!(catalog.staff.iter().filter(|s| s.admin).count(), 1);
    assert!(catalog.staff.iter().all(|s| s.email.ends_with("@example.com")));
}

/// Copies `config/` to a temporary folder and applies `edit` to one of its files.
fn broken_config(file: &str, edit: impl Fn(&str) -> String) -> tempfile::TempDir {
    common::edited_config(file, edit)
}

/// Runs `dutyday migrate` on `db` with the broken config and checks the one line.
fn rejects(db: &TestDb, dir: &tempfile::TempDir, file: &str, key: &str, words: &str) {
    let out = common::command(&db.url).arg("--config").arg(dir.path()).arg("migrate").output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(lines.len(), 1, "one line: {err}");
    assert!(lines[0].contains(file) && lines[0].contains(key) && lines[0].contains(words), "{}", lines[0]);
    let mut conn = db.pool().get().unwrap();
    assert!(dutyday::db::org::company(&mut conn.any()).unwrap().is_none(), "nothing imported");
    assert_eq!(dutyday::db::staff::count(&mut conn.any()).unwrap(), 0);
}

fn each_kind_of_bad_catalogue_is_one_line_and_imports_nothing(db: &TestDb) {
    let unknown_position = broken_config("company/duties.toml", |t| {
        t.replacen("position = \"gm\"\nkind = \"standing\"", "position = \"gm-office\"\nkind = \"standing\"", 1)
    });
    rejects(db, &unknown_position, "duties.toml", "duty[gm.1].position", "unknown position `gm-office`");

    let duplicate = broken_config("company/templates.toml", |t| {
        t.replacen("id = \"gm-emergency\"", "id = \"gm-office-meeting\"", 1)
    });
    rejects(db, &duplicate, "templates.toml", "template[gm-office-meeting]", "duplicate id");

    let missing = broken_config("company/duties.toml", |t| {
        let start = t.find("id = \"hr.admin.8\"").unwrap() - "[[duty]]\n".len();
        format!("{}{}", &t[..start], &t[start..].split_once("\n\n").map_or("", |(_, rest)| rest))
    });
    rejects(db, &missing, "duties.toml", "duty[hr.admin.8]", "missing");

    let bad_schedule = broken_config("company/templates.toml", |t| {
        t.replacen("schedule = { every = \"week\", weekdays = [\"mon\"] }", "schedule = { every = \"fortnight\" }", 1)
    });
    rejects(
        db,
        &bad_schedule,
        "templates.toml",
        "template[gm-office-meeting].schedule.every",
        "unknown cadence `fortnight`",
    );

    let bad_figure =
        broken_config("company/templates.toml", |t| t.replacen("type = \"decimal\"", "type = \"float\"", 1));
    rejects(db, &bad_figure, "templates.toml", "template[ops-monthly-budget].figures[0].type", "float");

    let bad_due = broken_config("company/templates.toml", |t| {
        t.replacen("due = { time = \"11:00\" }", "due = { time = \"25:00\" }", 1)
    });
    rejects(db, &bad_due, "templates.toml", "template[gm-office-meeting].due.time", "25:00");

    // Keys a cadence does not read are refused, not ignored.
    let interval_on_day = broken_config("company/templates.toml", |t| {
        t.replacen("schedule = { every = \"working_day\" }", "schedule = { every = \"working_day\", interval = 2 }", 1)
    });
    rejects(
        db,
        &interval_on_day,
        "templates.toml",
        ".schedule.interval",
        "does not apply to `every = \"working_day\"`",
    );
    let weekday_on_quarter = broken_config("company/templates.toml", |t| {
        t.replacen("month = 1, day = 10 }", "month = 1, day = 10, weekday = \"wed\" }", 1)
    });
    rejects(
        db,
        &weekday_on_quarter,
        "templates.toml",
        "template[gm-quarterly-rewards].schedule.weekday",
        "needs `nth`",
    );
    let two_dues = broken_config("company/templates.toml", |t| {
        t.replacen("due = { time = \"11:00\" }", "due = { time = \"11:00\", working_days = 1, hours = 4 }", 1)
    });
    rejects(db, &two_dues, "templates.toml", "template[gm-office-meeting].due", "one of `working_days`, `days`");
    let two_dates =
        broken_config("company/company.toml", |t| t.replacen("\"2027-01-10\"", "\"2027-01-10\", \"2027-02-01\"", 1));
    rejects(db, &two_dates, "company.toml", ".dates", "two dates in 2027");

    let syntax = broken_config("company/org.toml", |t| t.replacen("[[position]]", "[[position]\n", 1));
    rejects(db, &syntax, "org.toml", "line ", "");

    let bad_staff =
        broken_config("company/staff.toml", |t| t.replacen("positions = [\"cs.crm\"]", "positions = [\"cs.vip\"]", 1));
    rejects(db, &bad_staff, "staff.toml", "staff[wu.fang@example.com].positions", "unknown position `cs.vip`");

    let bad_calendar =
        broken_config("calendars/cn-2026.tsv", |t| t.replacen("2026-10-10\tworkday", "2026-10-10\tmakeup", 1));
    rejects(db, &bad_calendar, "cn-2026.tsv", "line 40", "makeup");

    // A second file for a year the first already has: refused, not half-read.
    let twice = broken_config("calendars/cn-2026.tsv", |t| t.to_string() + "\n");
    std::fs::write(twice.path().join("calendars/stores-2026.tsv"), "2026-02-17\tholiday\t春节\n").unwrap();
    rejects(db, &twice, "stores-2026.tsv", "-", "2026 is already in cn-2026.tsv");

    let bad_zone = broken_config("company/company.toml", |t| t.replacen("Asia/Shanghai", "Asia/Beijing", 1));
    rejects(db, &bad_zone, "company.toml", "timezone", "Asia/Beijing");
    let no_calendar = broken_config("company/org.toml", |t| {
        t.replacen("en = \"Customer service\"\n", "en = \"Customer service\"\ncalendar = \"shops\"\n", 1)
    });
    rejects(db, &no_calendar, "org.toml", "department[cs].calendar", "no such [[calendar]]");
    let bad_week = broken_config("company/company.toml", |t| {
        format!("{t}\n[[calendar]]\nname = \"stores\"\nworkdays = [\"mon\", \"funday\"]\n")
    });
    rejects(db, &bad_week, "company.toml", "calendar[stores].workdays", "funday");
    let hourly = broken_config("company/templates.toml", |t| {
        t.replacen(
            "schedule = { every = \"week\", weekdays = [\"mon\"] }",
            "schedule = { every = \"rrule\", rule = \"FREQ=HOURLY\" }",
            1,
        )
    });
    rejects(db, &hourly, "templates.toml", "template[gm-office-meeting].schedule.rule", "FREQ");
}

on_both_databases!(each_kind_of_bad_catalogue_is_one_line_and_imports_nothing);

#[test]
fn check_prints_the_counts_and_exits_2_on_a_bad_catalogue() {
    let out = common::command("sqlite::memory:").arg("check").output().unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "departments=6 positions=14 duties=70 templates=49");
    let dir = broken_config("company/templates.toml", |t| t.replacen("duty = \"gm.9\"", "duty = \"gm.99\"", 1));
    let out = common::command("sqlite::memory:").arg("--config").arg(dir.path()).arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.trim().ends_with("template[gm-office-meeting].duty: unknown duty `gm.99`"), "{err}");
}

#[test]
fn migration_folders_carry_identical_names() {
    let names = |backend: &str| -> BTreeSet<String> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(backend);
        std::fs::read_dir(dir).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect()
    };
    let sqlite = names("sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, names("postgres"));
    for name in &sqlite {
        for backend in ["sqlite", "postgres"] {
            for file in ["up.sql", "down.sql"] {
                let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(backend).join(name).join(file);
                assert!(p.is_file(), "{}", p.display());
            }
        }
    }
}

/// `catalog diff` says what the files would change; `serve` says at start that they
/// differ, or that they no longer validate, and keeps the database's catalogue.
fn the_files_are_compared_with_the_database(db: &TestDb) {
    db.seed();
    let diff = |dir: &Path| {
        let out = common::command(&db.url).arg("--config").arg(dir).args(["catalog", "diff"]).output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let (code, text, _) = diff(&config_dir());
    assert_eq!((code, text.trim()), (Some(0), "0 changes"), "the seed as imported");
    let changed = broken_config("company/templates.toml", |t| {
        t.replacen(
            "schedule = { every = \"month\", working_day = -1 }",
            "schedule = { every = \"month\", day = 31 }",
            1,
        )
        .replacen("en = \"Daily warehouse check\"", "en = \"Daily warehouse round\"", 1)
    });
    std::fs::write(
        changed.path().join("company/org.toml"),
        std::fs::read_to_string(changed.path().join("company/org.toml")).unwrap().replacen(
            "headcount = 1",
            "headcount = 2",
            1,
        ),
    )
    .unwrap();
    let (code, text, err) = diff(changed.path());
    assert_eq!(code, Some(0), "{err}");
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.contains(&"changed template[ops-monthly-budget]: schedule"), "{text}");
    assert!(lines.contains(&"changed template[warehouse-daily-check]: en"), "{text}");
    assert!(lines.contains(&"changed position[gm]: headcount"), "{text}");
    assert_eq!(lines.last(), Some(&"3 changes"));
    // Files that do not validate: one line, exit 2.
    let broken =
        broken_config("company/templates.toml", |t| t.replacen("every = \"week\"", "every = \"fortnight\"", 1));
    let (code, _, err) = diff(broken.path());
    assert_eq!(code, Some(2));
    assert!(err.trim().contains("unknown cadence `fortnight`"), "{err}");
    // serve says so at start, naming the command; the database's catalogue stays.
    actix_web::rt::System::new().block_on(async {
        for (dir, words) in
            [(changed.path(), "differ from the database in 3 items"), (broken.path(), "do not validate")]
        {
            let settings = dutyday::config::Settings {
                database_url: db.url.clone(),
                bind: "127.0.0.1:0".into(),
                config: dir.to_path_buf(),
                ..dutyday::config::Settings::default()
            };
            let opts =
                dutyday::startup::StartOptions { scheduler: false, clock: Default::default(), demo_history: false };
            let app = dutyday::startup::Application::build(settings, opts).await.unwrap();
            let note = app.catalogue_note.clone().unwrap_or_default();
            assert!(note.contains(words), "{note}");
        }
    });
}

/// `catalog export` writes files `check` accepts, and `diff` against them finds
/// nothing: a company can keep its catalogue in git.
fn an_export_checks_and_diffs_clean(db: &TestDb) {
    db.seed();
    let dir = tempfile::tempdir().unwrap();
    let out = common::command(&db.url).args(["catalog", "export"]).arg(dir.path()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with("wrote 7 files"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let check = common::command(&db.url).arg("--config").arg(dir.path()).arg("check").output().unwrap();
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stderr));
    assert!(
        String::from_utf8_lossy(&check.stdout).contains("templates=49"),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    let diff = common::command(&db.url).arg("--config").arg(dir.path()).args(["catalog", "diff"]).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&diff.stdout).trim(), "0 changes", "{}", String::from_utf8_lossy(&diff.stderr));
    // The same catalogue, loaded from the export, as from the seed.
    let (a, b) = (Catalog::load(&config_dir()).unwrap(), Catalog::load(dir.path()).unwrap());
    assert_eq!(a.templates.len(), b.templates.len());
    assert_eq!(a.staff.len(), b.staff.len());
}

on_both_databases!(the_files_are_compared_with_the_database, an_export_checks_and_diffs_clean);
