//! The words of reminders and digests, in the recipient's language: a subject that
//! names the task and how late it is, a plain-text body and the same as HTML.

use crate::domain::remind::Kind;
use crate::i18n::{Lang, Tr};
use askama::Template;
use chrono::Duration;

/// A message's words laid out: `templates/mail/message/body.html` and `body.txt`
/// (the subject is a Fluent message of `locales/*/mail.ftl`).
#[derive(Template)]
#[template(path = "mail/message/body.html")]
struct Html<'a> {
    lang: &'a str,
    subject: &'a str,
    greeting: &'a str,
    lead: &'a str,
    facts: &'a [(String, String)],
    items: &'a [(String, String)],
    link: &'a Option<(String, String)>,
    footer: &'a str,
}

#[derive(Template)]
#[template(path = "mail/message/body.txt", escape = "none")]
struct Text<'a> {
    greeting: &'a str,
    lead: &'a str,
    /// Between a fact's name and value: a full-width colon in Chinese.
    sep: &'a str,
    facts: &'a [(String, String)],
    items: &'a [(String, String)],
    link: &'a Option<(String, String)>,
    footer: &'a str,
}

/// A rendered message.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    /// The mail's HTML part (empty for a webhook).
    pub html: String,
    /// A webhook's JSON body (none for mail).
    pub json: Option<String>,
}

/// What a task reminder says about its task.
pub struct TaskFacts<'a> {
    pub title: &'a str,
    pub position: &'a str,
    pub assignee: &'a str,
    /// Local due time, `2026-11-30 18:00`.
    pub due: &'a str,
    pub url: &'a str,
    /// Time since the due time (negative before it).
    pub late: Duration,
}

/// "3 小时", "2 days": how long, roughly, in words.
pub fn span(tr: &Tr, d: Duration) -> String {
    let m = d.num_minutes().max(1);
    if m < 60 {
        tr.args("mail_minutes", &[("n", &m.to_string())])
    } else if m < 48 * 60 {
        let h = (m as f64 / 60.0 * 2.0).round() / 2.0;
        tr.args("mail_hours", &[("n", &trim(h))])
    } else {
        tr.args("mail_days", &[("n", &(m / (24 * 60)).to_string())])
    }
}

fn trim(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}

fn finish(lang: Lang, subject: String, greeting: String, lead: String, body: Body) -> Rendered {
    let footer = Tr(lang).t("mail_footer");
    layout(lang, subject, greeting, lead, body, footer)
}

/// What an account mail is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountMail {
    /// A new person sets their first password.
    Invitation,
    /// Someone who forgot theirs sets a new one.
    Reset,
}

/// A mail with a one-time link to set one's password, valid for `hours`.
pub fn account_link(lang: Lang, what: AccountMail, recipient: &str, company: &str, url: &str, hours: i64) -> Rendered {
    let tr = Tr(lang);
    let (subject, lead, button) = match what {
        AccountMail::Invitation => ("mail_invite_subject", "mail_invite_lead", "mail_set_first_password"),
        AccountMail::Reset => ("mail_reset_subject", "mail_reset_lead", "mail_set_new_password"),
    };
    let subject = tr.args(subject, &[("company", company)]);
    let lead = tr.args(lead, &[("company", company)]);
    let body = Body { facts: vec![], items: vec![], link: Some((tr.t(button), url.to_string())) };
    let footer = tr.args("mail_link_footer", &[("hours", &hours.to_string())]);
    layout(lang, subject, tr.args("mail_greeting", &[("name", recipient)]), lead, body, footer)
}

/// A notice about one's leave or position: a subject, a lead paragraph, facts (name,
/// value), items (a list) and a link (words, URL), with the usual footer.
pub struct Notice {
    pub subject: String,
    pub recipient: String,
    pub lead: String,
    pub facts: Vec<(String, String)>,
    pub items: Vec<(String, String)>,
    pub link: Option<(String, String)>,
}

/// Lays out a [`Notice`] in `lang`.
pub fn notice(lang: Lang, n: Notice) -> Rendered {
    let greeting = Tr(lang).args("mail_greeting", &[("name", &n.recipient)]);
    let body = Body { facts: n.facts, items: n.items, link: n.link };
    finish(lang, n.subject, greeting, n.lead, body)
}

fn layout(lang: Lang, subject: String, greeting: String, lead: String, body: Body, footer: String) -> Rendered {
    let sep = if lang == Lang::Zh { "：" } else { ": " };
    let text = Text {
        greeting: &greeting,
        lead: &lead,
        sep,
        facts: &body.facts,
        items: &body.items,
        link: &body.link,
        footer: &footer,
    }
    .render()
    .unwrap_or_else(|e| {
        tracing::error!(error = %e, "mail text render failed");
        format!("{greeting}\n\n{lead}\n")
    });
    let html = Html {
        lang: lang.locale(),
        subject: &subject,
        greeting: &greeting,
        lead: &lead,
        facts: &body.facts,
        items: &body.items,
        link: &body.link,
        footer: &footer,
    }
    .render()
    .unwrap_or_else(|e| {
        tracing::error!(error = %e, "mail render failed; sending text only as HTML");
        text.clone()
    });
    Rendered { subject, text, html, json: None }
}

struct Body {
    facts: Vec<(String, String)>,
    items: Vec<(String, String)>,
    link: Option<(String, String)>,
}

/// The subject of a reminder about one task: it names the task and how late it is.
pub fn task_subject(tr: &Tr, kind: Kind, t: &TaskFacts<'_>) -> String {
    let late = span(tr, t.late.abs());
    match kind {
        Kind::DueSoon => tr.args("mail_due_soon_subject", &[("hours", &late), ("task", t.title)]),
        Kind::Repeat => tr.args("mail_repeat_subject", &[("late", &late), ("task", t.title)]),
        Kind::Escalation => {
            tr.args("mail_escalation_subject", &[("name", t.assignee), ("late", &late), ("task", t.title)])
        }
        _ => tr.args("mail_overdue_subject", &[("late", &late), ("task", t.title)]),
    }
}

/// A reminder about one task: due soon, overdue, a repeat, or an escalation.
pub fn task_reminder(lang: Lang, kind: Kind, level: i32, recipient: &str, t: &TaskFacts<'_>) -> Rendered {
    let tr = Tr(lang);
    let late = span(&tr, t.late.abs());
    let subject = task_subject(&tr, kind, t);
    let lead = match kind {
        Kind::DueSoon => tr.t("mail_due_soon_lead"),
        Kind::Repeat => tr.args("mail_repeat_lead", &[("n", &level.to_string())]),
        Kind::Escalation => tr.args("mail_escalation_lead", &[("name", t.assignee), ("late", &late)]),
        _ => tr.t("mail_overdue_lead"),
    };
    let facts = vec![
        (tr.t("mail_task"), t.title.to_string()),
        (tr.t("mail_position"), t.position.to_string()),
        (tr.t("mail_assignee"), t.assignee.to_string()),
        (tr.t("mail_due_at"), t.due.to_string()),
    ];
    let body = Body { facts, items: vec![], link: Some((tr.t("mail_open_task"), t.url.to_string())) };
    finish(lang, subject, tr.args("mail_greeting", &[("name", recipient)]), lead, body)
}

/// One line of a digest: the task's title (marked when overdue) and its link.
pub struct DigestItem {
    pub label: String,
    pub url: String,
    pub overdue: bool,
}

/// Lines a digest lists; the rest are counted and left to the linked page.
pub const DIGEST_ITEMS: usize = 30;

/// What a digest is about: its first lines, and how many tasks and overdue ones in all.
pub struct DigestList {
    pub shown: Vec<DigestItem>,
    pub total: usize,
    pub overdue: usize,
}

/// The morning digest of a person, or a lead's digest of overdue work.
pub fn digest(lang: Lang, kind: Kind, recipient: &str, date: &str, list: &DigestList, link: &str) -> Rendered {
    let tr = Tr(lang);
    let (n, m) = (list.total.to_string(), list.overdue.to_string());
    let lead_digest = kind == Kind::LeadDigest;
    let subject = if lead_digest {
        tr.args("mail_lead_digest_subject", &[("date", date), ("n", &n)])
    } else {
        tr.args("mail_digest_subject", &[("date", date), ("n", &n), ("m", &m)])
    };
    let lead = tr.t(if lead_digest { "mail_lead_digest_lead" } else { "mail_digest_lead" });
    let link_label = tr.t(if lead_digest { "mail_open_dashboard" } else { "mail_open_today" });
    listing(lang, recipient, subject, lead, list, (link_label, link), !lead_digest)
}

/// Several escalations to one person at once, as one message listing them (each line
/// is the subject the escalation would have had alone).
pub fn escalations(lang: Lang, recipient: &str, list: &DigestList, link: &str) -> Rendered {
    let tr = Tr(lang);
    let subject = tr.args("mail_escalations_subject", &[("n", &list.total.to_string())]);
    let lead = tr.t("mail_escalations_lead");
    listing(lang, recipient, subject, lead, list, (tr.t("mail_open_dashboard"), link), false)
}

/// Several reminders to one assignee at once (after downtime, say), as one message
/// listing them; each line is the subject the reminder would have had alone.
pub fn reminders(lang: Lang, recipient: &str, list: &DigestList, link: &str) -> Rendered {
    let tr = Tr(lang);
    let (n, m) = (list.total.to_string(), list.overdue.to_string());
    let subject = tr.args("mail_reminders_subject", &[("n", &n), ("m", &m)]);
    let lead = tr.t("mail_reminders_lead");
    listing(lang, recipient, subject, lead, list, (tr.t("mail_open_today"), link), false)
}

fn listing(
    lang: Lang,
    recipient: &str,
    subject: String,
    lead: String,
    list: &DigestList,
    (link_label, link): (String, &str),
    mark_overdue: bool,
) -> Rendered {
    let tr = Tr(lang);
    let mark = tr.t("mail_overdue_mark");
    let shown = &list.shown[..list.shown.len().min(DIGEST_ITEMS)];
    let more = list.total.saturating_sub(shown.len());
    let mut items: Vec<(String, String)> = shown
        .iter()
        .map(|i| {
            let label = if i.overdue && mark_overdue { format!("[{mark}] {}", i.label) } else { i.label.clone() };
            (label, i.url.clone())
        })
        .collect();
    if more > 0 {
        items.push((tr.args("mail_and_more", &[("n", &more.to_string())]), link.to_string()));
    }
    let body = Body { facts: vec![], items, link: Some((link_label, link.to_string())) };
    finish(lang, subject, tr.args("mail_greeting", &[("name", recipient)]), lead, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_name_the_task_and_the_lateness() {
        let t = TaskFacts {
            title: "每日发货报表 11-30",
            position: "仓库主管",
            assignee: "王仓管",
            due: "2026-11-30 18:00",
            url: "http://x/tasks/7",
            late: Duration::minutes(150),
        };
        let zh = task_reminder(Lang::Zh, Kind::Overdue, 0, "王仓管", &t);
        assert_eq!(zh.subject, "【已逾期 2.5 小时】每日发货报表 11-30");
        assert!(zh.text.contains("http://x/tasks/7") && zh.html.contains("href=\"http://x/tasks/7\""));
        let en = task_reminder(Lang::En, Kind::Escalation, 1, "Lead", &t);
        assert_eq!(en.subject, "[Escalation: 王仓管, 2.5 h overdue] 每日发货报表 11-30");
        assert!(en.html.contains("lang=\"en\""));
    }

    #[test]
    fn long_digests_list_thirty_and_count_the_rest() {
        let items: Vec<DigestItem> = (0..45)
            .map(|i| DigestItem { label: format!("任务 {i}"), url: format!("http://x/tasks/{i}"), overdue: true })
            .collect();
        let list = DigestList { shown: items, total: 45, overdue: 45 };
        let m = digest(Lang::Zh, Kind::LeadDigest, "王建国", "2026-12-01", &list, "http://x/dashboard");
        assert_eq!(m.subject, "部门逾期工作（2026-12-01）：45 项");
        assert!(
            m.text.contains("任务 29") && !m.text.contains("任务 30") && m.text.contains("还有 15 项"),
            "{}",
            m.text
        );
    }

    #[test]
    fn the_text_body_lays_out_facts_items_link_and_footer() {
        let t = TaskFacts {
            title: "每日发货报表 11-30",
            position: "仓库主管",
            assignee: "王仓管",
            due: "2026-11-30 18:00",
            url: "http://x/tasks/7",
            late: Duration::minutes(150),
        };
        let zh = task_reminder(Lang::Zh, Kind::Overdue, 0, "王仓管", &t);
        let expect = format!(
            "王仓管，你好：\n\n{}\n\n任务：每日发货报表 11-30\n岗位：仓库主管\n负责人：王仓管\n截止：2026-11-30 18:00\n\n打开任务: http://x/tasks/7\n\n-- \n{}\n",
            Tr(Lang::Zh).t("mail_overdue_lead"),
            Tr(Lang::Zh).t("mail_footer")
        );
        assert_eq!(zh.text, expect);
        let list = DigestList {
            shown: vec![DigestItem { label: "A".into(), url: "http://x/tasks/1".into(), overdue: true }],
            total: 1,
            overdue: 1,
        };
        let en = digest(Lang::En, Kind::Digest, "Li", "2026-12-01", &list, "http://x/today");
        let expect = format!(
            "Hello Li,\n\n{}\n\n- [overdue] A\n  http://x/tasks/1\n\nOpen today's tasks: http://x/today\n\n-- \n{}\n",
            Tr(Lang::En).t("mail_digest_lead"),
            Tr(Lang::En).t("mail_footer")
        );
        assert_eq!(en.text, expect);
    }

    #[test]
    fn html_is_escaped() {
        let t =
            TaskFacts { title: "<b>x</b>", position: "p", assignee: "a", due: "d", url: "u", late: Duration::hours(1) };
        let html = task_reminder(Lang::En, Kind::Overdue, 0, "r", &t).html;
        assert!(!html.contains("<b>x</b>") && html.contains("b&#62;x"), "{html}");
    }
}
