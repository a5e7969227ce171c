//! Each person's secret calendar feed of their tasks.

use super::{AppError, AppResult};
use crate::db::{self, DbPool};
use crate::domain::ical::{calendar, todo_status, Kind, Todo};
use crate::domain::task::{StaffId, TaskId};
use crate::error::ErrorCode;
use chrono::{DateTime, Days, Utc};

/// Days ahead a feed covers.
pub const FEED_DAYS: u64 = 30;

/// Gives `staff` a new feed secret (the old URL stops working) and returns it.
pub fn rotate(pool: &DbPool, staff: StaffId) -> AppResult<String> {
    let secret = super::auth::new_secret("cal_");
    let changed = db::accounts::set_ical_hash(&mut pool.get()?.any(), staff, &super::auth::digest(&secret))?;
    if changed == 0 {
        return Err(AppError::new(ErrorCode::StaffNotFound).arg("id", staff));
    }
    Ok(secret)
}

/// A rendered feed and when it last changed: its latest task change, or the start
/// of the company's day (when the 30 days it covers moved on), whichever is later.
#[derive(Debug, Clone)]
pub struct Feed {
    pub body: String,
    pub last_modified: DateTime<Utc>,
}

/// The feed for `secret`: the owner's tasks of the next 30 days and their overdue
/// open ones, as to-dos or as events. `None` when the secret is unknown or was
/// rotated away.
pub fn render(pool: &DbPool, secret: &str, base_url: &str, kind: Kind, now: DateTime<Utc>) -> AppResult<Option<Feed>> {
    let mut conn = pool.get()?;
    let Some(staff) = db::accounts::staff_by_ical_hash(&mut conn.any(), &super::auth::digest(secret))? else {
        return Ok(None);
    };
    let (tz, today) = super::context::company_today(&mut conn.any(), now)?;
    let viewer = super::auth::viewer(&mut conn.any(), staff, today)?;
    let positions: Vec<String> = viewer.positions.iter().cloned().collect();
    let end = today.checked_add_days(Days::new(FEED_DAYS)).unwrap_or(today);
    let rows = db::tasks::list_for(&mut conn.any(), staff, &positions, today, end, now.naive_utc())?;
    let modified: std::collections::HashMap<TaskId, _> = rows.iter().map(|r| (r.id, r.updated_at.and_utc())).collect();
    let views = super::tasks::views(&mut conn.any(), tz, rows, None, now)?;
    let zh = viewer.locale != "en";
    let todos: Vec<Todo> = views
        .into_iter()
        .map(|v| Todo {
            uid: format!("task-{}@dutyday", v.id),
            due: DateTime::parse_from_rfc3339(&v.due_at).map(|d| d.with_timezone(&Utc)).unwrap_or(now),
            status: todo_status(v.status),
            summary: if zh { v.title_zh.clone() } else { v.title_en.clone() },
            description: if zh {
                format!("{}（{}）：{}", v.position_zh, v.duty_id, v.duty_zh)
            } else {
                format!("{} ({}): {}", v.position_en, v.duty_id, v.duty_en)
            },
            url: format!("{}/tasks/{}", base_url.trim_end_matches('/'), v.id),
            last_modified: modified.get(&v.id).copied().unwrap_or(now),
        })
        .collect();
    let name = if zh { format!("dutyday · {}", viewer.name) } else { format!("dutyday: {}", viewer.name) };
    let day_began = today.and_hms_opt(0, 0, 0).and_then(|t| t.and_local_timezone(tz).earliest()).map(|t| t.to_utc());
    let last_modified = todos.iter().map(|t| t.last_modified).chain(day_began).max().unwrap_or(now);
    Ok(Some(Feed { body: calendar(&name, &todos, kind), last_modified }))
}
