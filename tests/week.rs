//! 本周: a person's week, Monday to Sunday, with every task where its day is and the
//! days off marked from the work calendar.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::web::{browser, get, log_in};
use common::TestDb;
use dutyday::domain::task::TaskStatus;
use reqwest::StatusCode;

/// The HTML of one day's section of a week page.
fn section<'a>(page: &'a str, day: &str) -> &'a str {
    let id = page.find(&format!("id=\"day-{day}\"")).unwrap_or_else(|| panic!("a section for {day}"));
    let rest = &page[page[..id].rfind("<section").expect("its start")..];
    &rest[..rest.find("</section>").expect("its end")]
}

fn the_week_shows_each_task_on_its_day(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(db).await;
        let keeper = common::staff_id(db, "徐强");
        // One of his tasks done, so the week shows finished work as well as open.
        let next = common::next_working_day();
        common::remind::exec(
            db,
            &format!(
                "UPDATE tasks SET status = 'done', done_at = due_at, done_by = {} \
                 WHERE assignee_id = {} AND occurs_on = '{next}' AND template_id = 'warehouse-daily-check'",
                keeper.0, keeper.0
            ),
        );
        let c = browser();
        log_in(&c, &base, "xu.qiang@example.com").await;
        // 2026-12-01 is a Tuesday: its week runs from Monday 11-30 to Sunday 12-06.
        let (s, page) = get(&c, &format!("{base}/week")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(page.contains("本周任务 · 2026-11-30 – 2026-12-06"), "{page}");
        assert!(page.contains("周一 11-30") && page.contains("周日 12-06"));
        let calendar = dutyday::domain::calendar::WorkCalendar::from_days(
            dutyday::catalog::Catalog::load(&common::config_dir())
                .unwrap()
                .calendars
                .iter()
                .flat_map(|c| c.days.clone())
                .collect(),
        );
        for day in common::day("2026-11-30").iter_days().take(7) {
            let html = section(&page, &day.to_string());
            assert_eq!(html.contains("weekday off"), !calendar.is_working_day(day), "{day} marked as worked or not");
            assert_eq!(html.contains("休息日"), !calendar.is_working_day(day), "{day}");
        }
        assert!(section(&page, "2026-12-01").contains("is-today"));
        // Every task of his in the week is in its day's section, finished ones too.
        let mine: Vec<_> = common::tasks(db)
            .into_iter()
            .filter(|t| t.assignee_id == Some(keeper))
            .filter(|t| (common::day("2026-11-30")..=common::day("2026-12-06")).contains(&t.occurs_on))
            .collect();
        assert!(mine.len() > 3, "{} tasks this week", mine.len());
        assert!(mine.iter().any(|t| t.status == TaskStatus::Done));
        for t in &mine {
            let link = format!("href=\"/tasks/{}\"", t.id.0);
            assert!(section(&page, &t.occurs_on.to_string()).contains(&link), "task {} on {}", t.id.0, t.occurs_on);
            assert_eq!(page.matches(&link).count(), 1, "task {} once", t.id.0);
        }
        let done = mine.iter().find(|t| t.status == TaskStatus::Done).unwrap();
        assert!(section(&page, &done.occurs_on.to_string()).contains("已完成"));
        // Another week: any date in it; back and forth by weeks, and back to this one.
        let (s, other) = get(&c, &format!("{base}/week?date=2026-12-10")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(other.contains("2026-12-07 – 2026-12-13"));
        assert!(other.contains("href=\"/week?date=2026-11-30\"") && other.contains("href=\"/week?date=2026-12-14\""));
        assert!(other.contains("id=\"week-this\"") && !page.contains("id=\"week-this\""));
        // Each day leads to its list, and 今天 leads to the week.
        assert!(page.contains("href=\"/today?date=2026-12-02\""));
        let (_, today) = get(&c, &format!("{base}/today")).await;
        assert!(today.contains("href=\"/week?date=2026-12-01\""));
        // A date that is not one gets a readable error page, not a raw one.
        for page in ["week", "today"] {
            let (s, bad) = get(&c, &format!("{base}/{page}?date=someday")).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
            assert!(bad.contains("<html") && bad.contains("日期"), "{bad}");
        }
    });
}

on_both_databases!(the_week_shows_each_task_on_its_day);
