//! Escalations by mail to one person, claimed together, go as one message.

use super::messages;
use crate::db::outbox::OutboxRow;
use std::collections::HashMap;

/// The messages to send for a claimed batch: each row alone, except escalations by
/// mail to the same person (and level), which go as one message listing them, so a
/// lead with twenty late tasks in their departments gets one mail, not twenty. Each
/// message comes with the rows it delivers; its Message-ID is its first row's.
pub(super) fn group_escalations(
    rows: &[OutboxRow],
    people: &HashMap<i64, String>,
    base: &str,
) -> Vec<(OutboxRow, Vec<i64>)> {
    let mut groups: HashMap<(i64, i32), Vec<&OutboxRow>> = HashMap::new();
    let mut units: Vec<(OutboxRow, Vec<i64>)> = Vec::new();
    for r in rows {
        match r.recipient_id.filter(|_| r.kind == "escalation" && r.channel == "email") {
            Some(who) => groups.entry((who, r.level)).or_default().push(r),
            None => units.push((r.clone(), vec![r.id])),
        }
    }
    let base = base.trim_end_matches('/');
    for members in groups.into_values() {
        let first = members[0].clone();
        if members.len() == 1 {
            units.push((first.clone(), vec![first.id]));
            continue;
        }
        let shown = members
            .iter()
            .map(|r| messages::DigestItem {
                label: r.subject.clone(),
                url: format!("{base}/tasks/{}", r.task_id.unwrap_or_default()),
                overdue: true,
            })
            .collect();
        let list = messages::DigestList { shown, total: members.len(), overdue: members.len() };
        let lang = crate::i18n::Lang::from_locale(&first.lang);
        let name = first.recipient_id.and_then(|id| people.get(&id)).map_or("", String::as_str);
        let m = messages::escalations(lang, name, &list, &format!("{base}/dashboard"));
        let ids = members.iter().map(|r| r.id).collect();
        units.push((OutboxRow { subject: m.subject, body_text: m.text, body_html: m.html, ..first }, ids));
    }
    units.sort_by_key(|(r, _)| r.id);
    units
}
