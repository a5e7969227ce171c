//! The decide pass: which reminders, escalations and digests are owed at `now`,
//! written to the outbox in the transaction that decided them.
//!
//! Each task's steps already decided are read with it (`db::marks`); each new step is
//! marked and added to a message for its recipient, one message per recipient and
//! step class (the assignee's reminders, the lead's escalations, the 总经理's, each
//! webhook's posts), so a sweep after downtime queues a message per person, not a row
//! per task and step.

use super::render::Lookup;
use crate::db::marks::Mark;
use crate::db::outbox::NewOutbox;
use crate::db::staff::StaffRow;
use crate::db::tasks::BriefTask;
use crate::db::{self, AnyConn, DbPool};
use crate::domain::marks::{self, carried_over, step_bit, Item};
use crate::domain::remind::{self, is_overdue, Audience, Kind, Policy, PolicySpec, Window};
use crate::domain::webhook::WebhookSpec;
use crate::error::ErrorCode;
use crate::i18n::Lang;
use crate::services::context::Context;
use crate::services::{AppError, AppResult};
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use std::collections::{HashMap, HashSet};

/// The company's reminder settings, read from the database.
pub struct ReminderRules {
    pub policy: Policy,
    pub window: Window,
    pub webhooks: Vec<WebhookSpec>,
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> AppError {
    AppError::corrupt(format!("{what}: {e}"))
}

/// Reads the company's policy, window and webhooks.
pub fn rules(conn: &mut AnyConn) -> AppResult<ReminderRules> {
    let company = db::org::company(conn)?.ok_or_else(|| AppError::new(ErrorCode::NotImported))?;
    let spec: PolicySpec = serde_json::from_str(&company.reminders).map_err(|e| corrupt("reminders", e))?;
    let window = spec.window().map_err(|(k, m)| corrupt(&format!("reminders.{k}"), m))?;
    let webhooks = serde_json::from_str(&company.webhooks).map_err(|e| corrupt("webhooks", e))?;
    Ok(ReminderRules { policy: Policy::default().with(&spec), window, webhooks })
}

/// Whether messages may go at `now`: a working day of the company's calendar or of
/// a department's own, inside the sending window.
pub fn sending_window_open(pool: &DbPool, now: DateTime<Utc>) -> AppResult<bool> {
    let mut conn = pool.get()?;
    let conn = &mut conn.any();
    let set = rules(conn)?;
    let (tz, _) = crate::services::context::company_today(conn, now)?;
    let company = db::org::company(conn)?.ok_or_else(|| AppError::new(crate::error::ErrorCode::NotImported))?;
    let (calendar, named) = crate::services::context::calendars(conn, &company.calendars)?;
    Ok(std::iter::once(&calendar).chain(named.values()).any(|c| set.window.allows(c, tz, now)))
}

/// Decides and queues what is owed at `now`; returns how many reminders (and digests)
/// were queued.
pub fn decide(pool: &DbPool, base_url: &str, now: DateTime<Utc>) -> AppResult<usize> {
    let mut conn = pool.get()?;
    conn.transaction(|conn| {
        db::marks::serialize_deciders(conn)?;
        let set = rules(conn)?;
        let (_, today) = crate::services::context::company_today(conn, now)?;
        let ctx = Context::load(conn, today)?;
        // Each task is reminded on its department's calendar (a store on its own
        // seven-day calendar hears on Saturdays; the office does not).
        let open_for = |dept: &str| set.window.allows(ctx.calendar_of(dept), ctx.tz, now);
        let company_open = set.window.allows(&ctx.calendar, ctx.tz, now);
        if !company_open && !ctx.named_calendars.values().any(|c| set.window.allows(c, ctx.tz, now)) {
            return Ok(0);
        }
        // The sweep works on the outbox's raw ids; the typed ones end here.
        let staff: HashMap<i64, StaffRow> = db::staff::all(conn)?.into_iter().map(|s| (s.id.0, s)).collect();
        let names = Lookup {
            tz: ctx.tz,
            base: base_url.trim_end_matches('/').to_string(),
            templates: ctx
                .templates
                .iter()
                .map(|t| (t.spec.id.clone(), (t.spec.zh.clone(), t.spec.en.clone())))
                .collect(),
            positions: ctx.positions.iter().map(|p| (p.id.clone(), (p.zh.clone(), p.en.clone()))).collect(),
            people: staff.values().map(|s| (s.id.0, s.name.clone())).collect(),
        };
        let leads =
            ctx.positions.iter().map(|p| (p.id.clone(), ctx.staffing.lead_for(&p.id, today).map(|s| s.0))).collect();
        let head = ctx.staffing.head(today).map(|s| s.0);
        let d =
            Decider { ctx: &ctx, names, staff: &staff, leads, head, base: base_url.trim_end_matches('/'), now, today };
        // Templates share a few policies, and tasks a few due times: what is owed is
        // worked out once per (policy, due time).
        let mut distinct: Vec<Policy> = Vec::new();
        let policies: HashMap<&str, usize> = ctx
            .templates
            .iter()
            .map(|t| {
                let p = t.spec.reminders.as_ref().map_or(set.policy, |r| set.policy.with(r));
                let i = distinct.iter().position(|q| *q == p).unwrap_or_else(|| {
                    distinct.push(p);
                    distinct.len() - 1
                });
                (t.spec.id.as_str(), i)
            })
            .collect();
        let soon = distinct.iter().filter_map(|p| p.due_soon).max().unwrap_or_default();
        let give_up = distinct.iter().map(|p| p.give_up_days).max().unwrap_or(0);
        let (lo, hi) = ((now - Duration::days(i64::from(give_up) + 1)).naive_utc(), (now + soon).naive_utc());
        let candidates = db::marks::candidates(conn, lo, hi)?;
        if let Some(oldest) = candidates.iter().map(|(t, _)| t.id).min() {
            db::marks::prune(conn, oldest, lo)?;
        }
        let mut owed: HashMap<(usize, NaiveDateTime, &str), Vec<remind::Owed>> = HashMap::new();
        let (mut out, mut fresh, mut changed) = (Outgoing::default(), Vec::new(), Vec::new());
        for (t, mark) in &candidates {
            let Some(&pi) = policies.get(t.template_id.as_str()) else { continue };
            if !open_for(&t.department_id) {
                continue;
            }
            let policy = &distinct[pi];
            let cal_name = ctx.department_calendar.get(&t.department_id).map_or("", String::as_str);
            let steps = owed.entry((pi, t.due_at, cal_name)).or_insert_with(|| {
                remind::owed(policy, ctx.calendar_of(&t.department_id), ctx.tz, t.due_at.and_utc(), now)
            });
            if steps.is_empty() {
                continue;
            }
            let before = mark.map_or(0, |(for_whom, steps)| carried_over(steps, for_whom, t.assignee_id));
            let mut done = before;
            for o in steps.iter() {
                let item = Item { task_id: t.id, assignee_id: t.assignee_id, kind: o.kind, level: o.level };
                let bit = step_bit(o.kind, o.level, false);
                if done & bit == 0 {
                    if let Some(r) = d.recipient(t, o.audience, policy) {
                        out.add(To::Person(r.id.0), item);
                        done |= bit;
                    }
                }
                let (bit, hook_kind) = match (o.kind, o.level) {
                    (Kind::Overdue, _) => (step_bit(o.kind, o.level, true), "overdue"),
                    (Kind::Escalation, 1) => (step_bit(o.kind, o.level, true), "escalation"),
                    _ => continue,
                };
                if done & bit == 0 {
                    for (i, _) in set
                        .webhooks
                        .iter()
                        .enumerate()
                        .filter(|(_, w)| w.department == t.department_id && w.wants(hook_kind))
                    {
                        out.add(To::Hook(i), item);
                        done |= bit;
                    }
                }
            }
            if done != before {
                let m = Mark { task_id: t.id, assignee_id: t.assignee_id, steps: done };
                if mark.is_some() {
                    changed.push(m)
                } else {
                    fresh.push(m)
                }
            }
        }
        // The morning digests are worded while the marks and reminders are written: the
        // database and the wording then share the cores instead of taking turns.
        let digest_input = if company_open && set.window.digest_time(&ctx.calendar, ctx.tz, now) {
            let since = (now - Duration::days(1)).naive_utc();
            let sent: HashSet<String> =
                db::outbox::keys_since(conn, &["digest", "lead_digest"], since)?.into_iter().collect();
            Some((db::tasks::open_on(conn, today)?, sent))
        } else {
            None
        };
        let overdue: Vec<&BriefTask> = match digest_input {
            Some(_) => candidates.iter().map(|(t, _)| t).filter(|t| is_overdue(now - t.due_at.and_utc())).collect(),
            None => Vec::new(),
        };
        let (d, hooks) = (&d, &set.webhooks);
        std::thread::scope(|s| -> AppResult<usize> {
            let digests =
                digest_input.as_ref().map(|(todays, sent)| s.spawn(|| d.digests(todays, &overdue, hooks, sent)));
            db::marks::save(conn, &fresh, &changed)?;
            let queued = out.items;
            db::outbox::insert(conn, &out.rows(d, hooks)?)?;
            let digests = match digests {
                Some(h) => h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)),
                None => Vec::new(),
            };
            db::outbox::insert(conn, &digests)?;
            Ok(queued + digests.len())
        })
    })
}

/// Where a message goes: a person by mail, or one of the company's webhooks (by index).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum To {
    Person(i64),
    Hook(usize),
}

/// The task reminder messages of a pass, as they fill: one per recipient and class
/// (0: the assignee's reminders or a webhook's overdue posts; 1 and 2: escalations).
#[derive(Default)]
struct Outgoing {
    messages: HashMap<(To, i32), Vec<Item>>,
    order: Vec<(To, i32)>,
    items: usize,
}

impl Outgoing {
    fn add(&mut self, to: To, item: Item) {
        let class = if item.kind == Kind::Escalation { item.level.min(2) } else { 0 };
        let items = self.messages.entry((to, class)).or_insert_with(|| {
            self.order.push((to, class));
            Vec::new()
        });
        items.push(item);
        self.items += 1;
    }

    /// The outbox rows; their words are rendered when they are sent. A recipient who
    /// cannot be found fails the pass (its marks are rolled back with it) rather than
    /// leaving reminders marked but never queued.
    fn rows(mut self, d: &Decider<'_>, hooks: &[WebhookSpec]) -> AppResult<Vec<NewOutbox>> {
        let mut rows = Vec::with_capacity(self.order.len());
        for key in &self.order {
            let Some(items) = self.messages.remove(key) else { continue };
            let (to, class) = *key;
            let (recipient, channel, address, locale, tag) = match to {
                To::Person(id) => {
                    let p = d.staff.get(&id).ok_or_else(|| corrupt("reminder recipient", format!("no staff {id}")))?;
                    (Some(id), "email", p.email.clone(), p.locale.as_str(), format!("s{id}"))
                }
                To::Hook(i) => {
                    let w = &hooks[i];
                    (None, "webhook", w.id.clone(), w.lang.as_str(), format!("w{}", w.id))
                }
            };
            let top = items.iter().max_by_key(|i| marks::rank(i.kind, i.level)).copied().unwrap_or(items[0]);
            let only = (items.len() == 1).then_some(items[0]);
            let key = format!("m{}:{tag}:{class}:t{}", d.now.timestamp(), items[0].task_id);
            rows.push(NewOutbox {
                dedupe_key: key,
                kind: top.kind.as_str().into(),
                level: top.level,
                task_id: only.map(|i| i.task_id),
                task_assignee_id: only.and_then(|i| i.assignee_id),
                recipient_id: recipient,
                channel: channel.into(),
                address,
                lang: Lang::from_locale(locale).locale().into(),
                subject: String::new(),
                body_text: String::new(),
                body_html: String::new(),
                status: "queued".into(),
                next_attempt_at: d.now.naive_utc(),
                created_at: d.now.naive_utc(),
                items: marks::encode(&items),
                body_json: None,
            });
        }
        Ok(rows)
    }
}

pub(super) struct Decider<'a> {
    pub(super) ctx: &'a Context,
    /// Names for the digests' lines.
    pub(super) names: Lookup,
    pub(super) staff: &'a HashMap<i64, StaffRow>,
    /// The lead each position reports to today, and the 总经理.
    leads: HashMap<String, Option<i64>>,
    head: Option<i64>,
    pub(super) base: &'a str,
    pub(super) now: DateTime<Utc>,
    pub(super) today: NaiveDate,
}

impl<'a> Decider<'a> {
    pub(super) fn person(&self, id: Option<i64>) -> Option<&'a StaffRow> {
        id.and_then(|id| self.staff.get(&id)).filter(|s| s.active && s.email.contains('@'))
    }

    /// Who hears of a task: its assignee, the lead of its position (the 总经理 when
    /// the assignee is that lead), or the 总经理 (unless they lead it or do it).
    fn recipient(&self, t: &BriefTask, audience: Audience, policy: &Policy) -> Option<&'a StaffRow> {
        let lead = self.leads.get(&t.position_id).copied().flatten().filter(|l| Some(*l) != t.assignee_id);
        let head = self.head.filter(|h| Some(*h) != t.assignee_id);
        let id = match audience {
            Audience::Assignee => t.assignee_id,
            Audience::Lead => lead.or(head),
            Audience::Head if policy.lead_after.is_some() && lead.or(head) == head => None,
            Audience::Head => head,
        };
        self.person(id)
    }
}
