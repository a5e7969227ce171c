//! What a message says about a task, rendered when it is sent (so "how late" is true
//! at that moment, and the decide pass writes only small rows): the names it needs,
//! looked up once per batch, and the rendering of task reminders and webhook posts.

use super::messages::{self, DigestItem, Rendered, TaskFacts};
use crate::db::outbox::OutboxRow;
use crate::db::tasks::BriefTask;
use crate::db::{self, AnyConn};
use crate::domain::marks::Item;
use crate::domain::remind::{is_overdue, Kind};
use crate::domain::task::StaffId;
use crate::domain::webhook::{self, WebhookSpec};
use crate::i18n::{Lang, Tr};
use crate::services::{AppError, AppResult};
use chrono::{DateTime, Datelike, Timelike, Utc};
use chrono_tz::Tz;
use std::collections::HashMap;

/// Names by id: what rendering needs besides the task itself.
pub struct Lookup {
    pub tz: Tz,
    pub base: String,
    /// Template and position names, (zh, en).
    pub templates: HashMap<String, (String, String)>,
    pub positions: HashMap<String, (String, String)>,
    pub people: HashMap<i64, String>,
}

/// A task as a message describes it, in one language.
pub struct Described {
    pub title: String,
    pub position: String,
    pub assignee: String,
    pub due: String,
    pub url: String,
}

impl Described {
    /// What a reminder says of the task, `late` after its due time.
    pub fn facts(&self, late: chrono::Duration) -> TaskFacts<'_> {
        TaskFacts {
            title: &self.title,
            position: &self.position,
            assignee: &self.assignee,
            due: &self.due,
            url: &self.url,
            late,
        }
    }
}

fn pick(pair: Option<&(String, String)>, lang: Lang, fallback: &str) -> String {
    pair.map_or(fallback.to_string(), |(zh, en)| if lang == Lang::Zh { zh.clone() } else { en.clone() })
}

impl Lookup {
    /// The names the claimed messages need (their tasks and recipients), and those
    /// tasks as they are now.
    pub fn load(
        conn: &mut AnyConn,
        base: &str,
        task_ids: &[i64],
        recipients: &[i64],
        now: DateTime<Utc>,
    ) -> AppResult<(Lookup, HashMap<i64, BriefTask>)> {
        let (tz, _) = crate::services::context::company_today(conn, now)?;
        let tasks: HashMap<i64, BriefTask> =
            db::tasks::by_ids(conn, task_ids)?.into_iter().map(|t| (t.id, t)).collect();
        let mut template_ids: Vec<String> = tasks.values().map(|t| t.template_id.clone()).collect();
        template_ids.sort();
        template_ids.dedup();
        let (mut templates, mut positions) = (HashMap::new(), HashMap::new());
        for (t, _, p) in db::org::templates_named(conn, &template_ids)? {
            templates.insert(t.id, (t.zh, t.en));
            positions.insert(p.id, (p.zh, p.en));
        }
        let mut people: Vec<i64> = tasks.values().filter_map(|t| t.assignee_id).collect();
        people.extend_from_slice(recipients);
        people.sort_unstable();
        people.dedup();
        let people: Vec<StaffId> = people.into_iter().map(StaffId).collect();
        let people = db::staff::names(conn, &people)?.into_iter().map(|(id, name)| (id.0, name)).collect();
        let lookup = Lookup { tz, base: base.trim_end_matches('/').to_string(), templates, positions, people };
        Ok((lookup, tasks))
    }

    /// How messages in `lang` describe `t`.
    pub fn describe(&self, t: &BriefTask, lang: Lang) -> Described {
        let name = pick(self.templates.get(&t.template_id), lang, &t.template_id);
        let nobody = Tr(lang).t("mail_nobody");
        // Plain number formatting: a morning's digests describe a hundred thousand
        // tasks, and chrono's `format` parses its pattern every time.
        let (day, due) = (t.occurs_on, t.due_at.and_utc().with_timezone(&self.tz));
        Described {
            title: format!("{name} {:02}-{:02}", day.month(), day.day()),
            position: pick(self.positions.get(&t.position_id), lang, &t.position_id),
            assignee: t.assignee_id.and_then(|a| self.people.get(&a).cloned()).unwrap_or(nobody),
            due: format!("{:04}-{:02}-{:02} {:02}:{:02}", due.year(), due.month(), due.day(), due.hour(), due.minute()),
            url: format!("{}/tasks/{}", self.base, t.id),
        }
    }

    /// A digest's line for `t`.
    pub fn item(&self, t: &BriefTask, lang: Lang, now: DateTime<Utc>) -> DigestItem {
        let d = self.describe(t, lang);
        DigestItem {
            label: format!("{} · {} · {}", d.title, d.assignee, d.due),
            url: d.url,
            overdue: is_overdue(now - t.due_at.and_utc()),
        }
    }

    /// The message of task reminders (mail or webhook) at `now`: one task's reminder,
    /// or a list of several, each line what that reminder alone would have said.
    pub fn render(
        &self,
        r: &OutboxRow,
        items: &[Item],
        tasks: &HashMap<i64, BriefTask>,
        hooks: &HashMap<String, WebhookSpec>,
        now: DateTime<Utc>,
    ) -> AppResult<Rendered> {
        let lang = Lang::from_locale(&r.lang);
        let found: Vec<(&Item, &BriefTask)> =
            items.iter().filter_map(|i| tasks.get(&i.task_id).map(|t| (i, t))).collect();
        let hook =
            match r.channel.as_str() {
                "webhook" => Some(hooks.get(&r.address).ok_or_else(|| {
                    AppError::internal(format_args!("webhook `{}` is no longer configured", r.address))
                })?),
                _ => None,
            };
        let to = r.recipient_id.and_then(|id| self.people.get(&id)).map_or("", String::as_str);
        if let [(item, t)] = found[..] {
            let d = self.describe(t, lang);
            let late = now - t.due_at.and_utc();
            let facts = d.facts(late);
            let kind = as_now(item.kind, late);
            let Some(hook) = hook else {
                return Ok(messages::task_reminder(lang, kind, item.level, to, &facts));
            };
            let mut m = messages::task_reminder(lang, kind, item.level, &d.assignee, &facts);
            let text = format!("{} · {} · {}\n{}", d.assignee, d.position, d.due, d.url);
            m.html = String::new();
            m.json = Some(
                webhook::payload(hook.format, item.kind.as_str(), &m.subject, &text, &d.url, Some(t.id)).to_string(),
            );
            m.text = text;
            return Ok(m);
        }
        let shown = found
            .iter()
            .take(messages::DIGEST_ITEMS)
            .map(|(item, t)| {
                let d = self.describe(t, lang);
                let late = now - t.due_at.and_utc();
                let facts = d.facts(late);
                let label = messages::task_subject(&Tr(lang), as_now(item.kind, late), &facts);
                DigestItem { label, url: d.url.clone(), overdue: is_overdue(late) }
            })
            .collect();
        // Counted by the same rule that marks and words each line: subject and body agree.
        let overdue = found.iter().filter(|(_, t)| is_overdue(now - t.due_at.and_utc())).count();
        let list = messages::DigestList { shown, total: found.len(), overdue };
        let (dashboard, today) = (format!("{}/dashboard", self.base), format!("{}/today", self.base));
        let to = hook.map_or(to, |h| h.department.as_str());
        let mut m = match r.kind.as_str() {
            "escalation" => messages::escalations(lang, to, &list, &dashboard),
            _ => messages::reminders(lang, to, &list, &today),
        };
        if let Some(hook) = hook {
            m.html = String::new();
            m.json = Some(webhook::payload(hook.format, &r.kind, &m.subject, &m.text, &dashboard, None).to_string());
        }
        Ok(m)
    }
}

/// The kind a reminder is worded as when it goes: a "due soon" one held back until
/// after the due time (the mail server was down) says how late the task now is.
fn as_now(kind: Kind, late: chrono::Duration) -> Kind {
    match kind {
        Kind::DueSoon if is_overdue(late) => Kind::Overdue,
        k => k,
    }
}
