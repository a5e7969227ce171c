//! The morning digests: each person's list of today's and overdue tasks, and each
//! lead's list of overdue work in the departments they lead. Unlike task reminders
//! they are rendered when decided (a digest is a snapshot of the morning).

use super::decide::Decider;
use super::messages;
use crate::db::outbox::NewOutbox;
use crate::db::staff::StaffRow;
use crate::db::tasks::BriefTask;
use crate::domain::access::departments_led;
use crate::domain::remind::Kind;
use crate::domain::webhook::{self, WebhookSpec};
use crate::i18n::Lang;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

impl Decider<'_> {
    fn row(
        &self,
        key: String,
        kind: Kind,
        recipient: Option<i64>,
        (channel, address): (&str, String),
        lang: Lang,
        m: messages::Rendered,
    ) -> NewOutbox {
        NewOutbox {
            dedupe_key: key,
            kind: kind.as_str().into(),
            level: 0,
            task_id: None,
            task_assignee_id: None,
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
            items: String::new(),
            body_json: m.json,
        }
    }

    /// A digest's list: the first lines described, all of them counted.
    fn list<'t>(&self, tasks: impl Iterator<Item = &'t BriefTask>, lang: Lang) -> messages::DigestList {
        let (mut shown, mut total, mut overdue) = (Vec::new(), 0, 0);
        for t in tasks {
            total += 1;
            overdue += usize::from(crate::domain::remind::is_overdue(self.now - t.due_at.and_utc()));
            if shown.len() < messages::DIGEST_ITEMS {
                shown.push(self.names.item(t, lang, self.now));
            }
        }
        messages::DigestList { shown, total, overdue }
    }

    /// Each person's morning digest, and each lead's digest of overdue work in the
    /// departments they lead (to their department webhooks too, where asked for).
    pub(super) fn digests(
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
        let wanted = |s: &&StaffRow| !s.digest_opt_out;
        let own = |(id, list): (&i64, &Vec<&BriefTask>)| -> Option<NewOutbox> {
            let to = self.person(Some(*id)).filter(wanted)?;
            let key = format!("digest:{date}:s{id}");
            if sent.contains(&key) {
                return None;
            }
            let lang = Lang::from_locale(&to.locale);
            let list = self.list(list.iter().copied(), lang);
            let m = messages::digest(lang, Kind::Digest, &to.name, &date, &list, &format!("{}/today", self.base));
            Some(self.row(key, Kind::Digest, Some(*id), ("email", to.email.clone()), lang, m))
        };
        // Ten thousand people's digests are worded on every core (the rest of the pass
        // waits for them); each part keeps its order, so the rows do too.
        let people: Vec<(&i64, &Vec<&BriefTask>)> = mine.iter().collect();
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let part = people.len().div_ceil(cores).max(256);
        let mut out: Vec<NewOutbox> = std::thread::scope(|s| {
            let parts: Vec<_> =
                people.chunks(part).map(|c| s.spawn(|| c.iter().filter_map(|p| own(*p)).collect::<Vec<_>>())).collect();
            parts.into_iter().flat_map(|p| p.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
        });
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
                    held.entry(s.0).or_default().insert(lp.clone());
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
            out.push(self.row(key, Kind::LeadDigest, Some(*id), ("email", to.email.clone()), lang, m));
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
            m.html = String::new();
            m.json = Some(webhook::payload(w.format, "lead_digest", &m.subject, &m.text, &dashboard, None).to_string());
            out.push(self.row(key, Kind::LeadDigest, None, ("webhook", w.id.clone()), lang, m));
        }
        out
    }
}
