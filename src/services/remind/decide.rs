//! The decide pass: which reminders, escalations and digests are owed at `now`,
//! written to the outbox in the transaction that decided them.

use super::messages;
use super::render::Lookup;
use crate::db::outbox::NewOutbox;
use crate::db::staff::StaffRow;
use crate::db::tasks::BriefTask;
use crate::db::{self, AnyConn, DbPool};
use crate::domain::access::departments_led;
use crate::domain::remind::{self, Audience, Kind, Policy, PolicySpec, Window};
use crate::domain::webhook::{self, WebhookSpec};
use crate::i18n::Lang;
use crate::services::context::Context;
use crate::services::{ServiceError, ServiceResult};
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// The company's reminder settings, read from the database.
pub struct Settings {
    pub policy: Policy,
    pub window: Window,
    pub webhooks: Vec<WebhookSpec>,
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Corrupt(format!("{what}: {e}"))
}

/// Reads the company's policy, window and webhooks.
pub fn settings(conn: &mut AnyConn) -> ServiceResult<Settings> {
    let company = db::org::company(conn)?
        .ok_or_else(|| ServiceError::NotFound("the company catalogue has not been imported".into()))?;
    let spec: PolicySpec = serde_json::from_str(&company.reminders).map_err(|e| corrupt("reminders", e))?;
    let window = spec.window().map_err(|(k, m)| corrupt(&format!("reminders.{k}"), m))?;
    let webhooks = serde_json::from_str(&company.webhooks).map_err(|e| corrupt("webhooks", e))?;
    Ok(Settings { policy: Policy::default().with(&spec), window, webhooks })
}

/// Whether messages may go at `now`: a working day, inside the sending window.
pub fn sending_window_open(pool: &DbPool, now: DateTime<Utc>) -> ServiceResult<bool> {
    let mut conn = pool.get()?;
    let conn = &mut conn.any();
    let set = settings(conn)?;
    let (tz, _) = crate::services::context::company_today(conn, now)?;
    let (days, years) = db::calendar::load(conn)?;
    let calendar = crate::domain::calendar::WorkCalendar::new(days, years);
    Ok(set.window.allows(&calendar, tz, now))
}

/// Decides and queues what is owed at `now`; returns how many messages were queued.
pub fn decide(pool: &DbPool, base_url: &str, now: DateTime<Utc>) -> ServiceResult<usize> {
    let mut conn = pool.get()?;
    conn.transaction(|conn| {
        let set = settings(conn)?;
        let (_, today) = crate::services::context::company_today(conn, now)?;
        let ctx = Context::load(conn, today)?;
        if !set.window.allows(&ctx.calendar, ctx.tz, now) {
            return Ok(0);
        }
        let staff: HashMap<i64, StaffRow> = db::staff::all(conn)?.into_iter().map(|s| (s.id, s)).collect();
        let names = Lookup {
            tz: ctx.tz,
            base: base_url.trim_end_matches('/').to_string(),
            templates: ctx
                .templates
                .iter()
                .map(|t| (t.spec.id.clone(), (t.spec.zh.clone(), t.spec.en.clone())))
                .collect(),
            positions: ctx.positions.iter().map(|p| (p.id.clone(), (p.zh.clone(), p.en.clone()))).collect(),
            people: staff.values().map(|s| (s.id, s.name.clone())).collect(),
        };
        let leads = ctx.positions.iter().map(|p| (p.id.clone(), ctx.staffing.lead_for(&p.id, today))).collect();
        let head = ctx.staffing.head(today);
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
        let tasks = db::tasks::open_due_between(conn, lo, hi)?;
        let mut seen: HashSet<String> = db::outbox::keys_for_open_tasks(conn, lo, hi)?.into_iter().collect();
        let mut owed: HashMap<(usize, NaiveDateTime), Vec<remind::Owed>> = HashMap::new();
        let mut rows = Vec::new();
        for t in &tasks {
            let Some(&pi) = policies.get(t.template_id.as_str()) else { continue };
            let policy = &distinct[pi];
            let steps = owed
                .entry((pi, t.due_at))
                .or_insert_with(|| remind::owed(policy, &ctx.calendar, ctx.tz, t.due_at.and_utc(), now));
            for o in steps.iter() {
                for r in d.recipients(t, o.audience, policy) {
                    let key = format!("t{}:{}:{}:s{}", t.id, o.kind.as_str(), o.level, r.id);
                    if seen.insert(key.clone()) {
                        let lang = Lang::from_locale(&r.locale);
                        rows.push(d.task_row(t, o.kind, o.level, (Some(r.id), "email", r.email.clone()), lang, key));
                    }
                }
                let hook_kind = match (o.kind, o.level) {
                    (Kind::Overdue, _) => "overdue",
                    (Kind::Escalation, 1) => "escalation",
                    _ => continue,
                };
                for w in set.webhooks.iter().filter(|w| w.department == t.department_id && w.wants(hook_kind)) {
                    let key = format!("t{}:{}:{}:w{}", t.id, o.kind.as_str(), o.level, w.id);
                    if seen.insert(key.clone()) {
                        let lang = Lang::from_locale(&w.lang);
                        rows.push(d.task_row(t, o.kind, o.level, (None, "webhook", w.id.clone()), lang, key));
                    }
                }
            }
        }
        if set.window.digest_time(&ctx.calendar, ctx.tz, now) {
            let overdue: Vec<&BriefTask> = tasks.iter().filter(|t| t.due_at.and_utc() < now).collect();
            let todays = db::tasks::open_on(conn, today)?;
            let since = (now - Duration::days(1)).naive_utc();
            let sent: HashSet<String> =
                db::outbox::keys_since(conn, &["digest", "lead_digest"], since)?.into_iter().collect();
            rows.extend(d.digests(&todays, &overdue, &set.webhooks, &sent));
        }
        Ok(db::outbox::insert_missing(conn, &rows)?)
    })
}

struct Decider<'a> {
    ctx: &'a Context,
    /// Names for the digests' lines.
    names: Lookup,
    staff: &'a HashMap<i64, StaffRow>,
    /// The lead each position reports to today, and the 总经理.
    leads: HashMap<String, Option<i64>>,
    head: Option<i64>,
    base: &'a str,
    now: DateTime<Utc>,
    today: NaiveDate,
}

impl<'a> Decider<'a> {
    fn person(&self, id: Option<i64>) -> Option<&'a StaffRow> {
        id.and_then(|id| self.staff.get(&id)).filter(|s| s.active && s.email.contains('@'))
    }

    /// Who hears of a task: its assignee, the lead of its position (the 总经理 when
    /// the assignee is that lead), or the 总经理 (unless they lead it or do it).
    fn recipients(&self, t: &BriefTask, audience: Audience, policy: &Policy) -> Vec<&'a StaffRow> {
        let lead = self.leads.get(&t.position_id).copied().flatten().filter(|l| Some(*l) != t.assignee_id);
        let head = self.head.filter(|h| Some(*h) != t.assignee_id);
        let id = match audience {
            Audience::Assignee => t.assignee_id,
            Audience::Lead => lead.or(head),
            Audience::Head if policy.lead_after.is_some() && lead.or(head) == head => None,
            Audience::Head => head,
        };
        self.person(id).into_iter().collect()
    }

    /// A task reminder or webhook post; its words are rendered when it is sent.
    fn task_row(
        &self,
        t: &BriefTask,
        kind: Kind,
        level: i32,
        to: (Option<i64>, &str, String),
        lang: Lang,
        key: String,
    ) -> NewOutbox {
        let (recipient, channel, address) = to;
        let blank = messages::Rendered { subject: String::new(), text: String::new(), html: String::new() };
        self.row(key, kind, level, Some(t), recipient, (channel, address), lang, blank)
    }

    #[allow(clippy::too_many_arguments)]
    fn row(
        &self,
        key: String,
        kind: Kind,
        level: i32,
        t: Option<&BriefTask>,
        recipient: Option<i64>,
        (channel, address): (&str, String),
        lang: Lang,
        m: messages::Rendered,
    ) -> NewOutbox {
        NewOutbox {
            dedupe_key: key,
            kind: kind.as_str().into(),
            level,
            task_id: t.map(|t| t.id),
            task_assignee_id: t.and_then(|t| t.assignee_id),
            recipient_id: recipient,
            channel: channel.into(),
            address,
            lang: lang.locale().into(),
            subject: m.subject,
            body_text: m.text,
            body_html: m.html,
            status: "queued".into(),
            next_attempt_at: self.now.naive_utc(),
            created_at: self.now.naive_utc(),
        }
    }

    /// A digest's list: the first lines described, all of them counted.
    fn list<'t>(&self, tasks: impl Iterator<Item = &'t BriefTask>, lang: Lang) -> messages::DigestList {
        let (mut shown, mut total, mut overdue) = (Vec::new(), 0, 0);
        for t in tasks {
            total += 1;
            overdue += usize::from(t.due_at.and_utc() < self.now);
            if shown.len() < messages::DIGEST_ITEMS {
                shown.push(self.names.item(t, lang, self.now));
            }
        }
        messages::DigestList { shown, total, overdue }
    }

    /// Each person's morning digest, and each lead's digest of overdue work in the
    /// departments they lead (to their department webhooks too, where asked for).
    fn digests(
        &self,
        todays: &[BriefTask],
        overdue: &[&BriefTask],
        hooks: &[WebhookSpec],
        sent: &HashSet<String>,
    ) -> Vec<NewOutbox> {
        let date = self.today.format("%Y-%m-%d").to_string();
        let mut mine: BTreeMap<i64, Vec<&BriefTask>> = BTreeMap::new();
        let mut seen = HashSet::new();
        for t in todays.iter().chain(overdue.iter().copied()) {
            if let Some(a) = t.assignee_id.filter(|_| seen.insert(t.id)) {
                mine.entry(a).or_default().push(t);
            }
        }
        let mut out = Vec::new();
        let wanted = |s: &&StaffRow| !s.digest_opt_out;
        for (id, list) in &mine {
            let Some(to) = self.person(Some(*id)).filter(wanted) else { continue };
            let key = format!("digest:{date}:s{id}");
            if sent.contains(&key) {
                continue;
            }
            let lang = Lang::from_locale(&to.locale);
            let list = self.list(list.iter().copied(), lang);
            let m = messages::digest(lang, Kind::Digest, &to.name, &date, &list, &format!("{}/today", self.base));
            out.push(self.row(key, Kind::Digest, 0, None, Some(*id), ("email", to.email.clone()), lang, m));
        }
        let mut by_department: HashMap<&str, Vec<&BriefTask>> = HashMap::new();
        for t in overdue {
            by_department.entry(t.department_id.as_str()).or_default().push(t);
        }
        let late_in = |depts: &mut dyn Iterator<Item = &str>| -> Vec<&BriefTask> {
            let mut late: Vec<&BriefTask> =
                depts.flat_map(|d| by_department.get(d).into_iter().flatten().copied()).collect();
            late.sort_by_key(|t| (t.due_at, t.id));
            late
        };
        let mut held: BTreeMap<i64, BTreeSet<String>> = BTreeMap::new();
        for dept in &self.ctx.departments {
            for lp in dept.lead_position.iter() {
                for s in self.ctx.staffing.holders(lp, self.today) {
                    held.entry(s).or_default().insert(lp.clone());
                }
            }
        }
        let dashboard = format!("{}/dashboard", self.base);
        for (id, positions) in &held {
            let Some(to) = self.person(Some(*id)).filter(wanted) else { continue };
            let key = format!("lead_digest:{date}:s{id}");
            if sent.contains(&key) {
                continue; // already queued this morning: the list need not be gathered again
            }
            let depts = departments_led(&self.ctx.departments, positions);
            let late = late_in(&mut depts.iter().map(String::as_str));
            if late.is_empty() {
                continue;
            }
            let lang = Lang::from_locale(&to.locale);
            let list = self.list(late.into_iter(), lang);
            let m = messages::digest(lang, Kind::LeadDigest, &to.name, &date, &list, &dashboard);
            out.push(self.row(key, Kind::LeadDigest, 0, None, Some(*id), ("email", to.email.clone()), lang, m));
        }
        for w in hooks.iter().filter(|w| w.wants("lead_digest")) {
            let key = format!("lead_digest:{date}:w{}", w.id);
            if sent.contains(&key) {
                continue;
            }
            let late = late_in(&mut std::iter::once(w.department.as_str()));
            if late.is_empty() {
                continue;
            }
            let lang = Lang::from_locale(&w.lang);
            let list = self.list(late.into_iter(), lang);
            let mut m = messages::digest(lang, Kind::LeadDigest, &w.department, &date, &list, &dashboard);
            m.html = webhook::payload(w.format, "lead_digest", &m.subject, &m.text, &dashboard, None).to_string();
            out.push(self.row(key, Kind::LeadDigest, 0, None, None, ("webhook", w.id.clone()), lang, m));
        }
        out
    }
}
