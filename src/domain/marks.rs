//! What a reminder message carries, and which of a task's reminder steps have been
//! decided.
//!
//! A message (one outbox row) carries one or more reminders, each an [`Item`]: a step
//! of one task, for the assignee it was decided for. Which steps of a task have been
//! decided is a bit set per task ([`step_bit`]); a step is decided once, in the
//! transaction that queues its messages, so each (task, kind, level, recipient) is
//! sent at most once. The assignee's steps start again when the task changes hands.

use super::remind::Kind;

/// One reminder in a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Item {
    pub task_id: i64,
    /// The assignee when it was decided: the sender drops it if the task has moved on.
    pub assignee_id: Option<i64>,
    pub kind: Kind,
    pub level: i32,
}

/// The assignee's steps (due-soon, overdue, the repeats): bits 0 to 31.
pub const ASSIGNEE_STEPS: i64 = (1 << 32) - 1;

/// The bit of a step: by mail (or to the assignee) or, with `webhook`, the post to the
/// department's webhooks. Repeats are numbered 1 to 30.
pub fn step_bit(kind: Kind, level: i32, webhook: bool) -> i64 {
    match (kind, webhook) {
        (Kind::Overdue, true) => 1 << 48,
        (Kind::Escalation, true) => 1 << 49,
        (Kind::DueSoon, _) => 1,
        (Kind::Overdue, _) => 1 << 1,
        (Kind::Repeat, _) => 1 << (1 + level.clamp(1, 30)),
        (Kind::Escalation, _) if level <= 1 => 1 << 40,
        (Kind::Escalation, _) => 1 << 41,
        (Kind::Digest | Kind::LeadDigest, _) => 0,
    }
}

/// The steps still counted as decided for a task now held by `assignee`, of those
/// decided (`steps`) for `marked_for`: a new assignee starts their own steps again.
pub fn carried_over(steps: i64, marked_for: Option<i64>, assignee: Option<i64>) -> i64 {
    if marked_for == assignee {
        steps
    } else {
        steps & !ASSIGNEE_STEPS
    }
}

/// `items` as the outbox stores them: `task:assignee:kind:level`, comma-separated.
pub fn encode(items: &[Item]) -> String {
    let mut out = String::with_capacity(items.len() * 24);
    for (i, it) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let assignee = it.assignee_id.map(|a| a.to_string()).unwrap_or_default();
        out.push_str(&format!("{}:{assignee}:{}:{}", it.task_id, it.kind.as_str(), it.level));
    }
    out
}

/// The items of a stored message (none for digests); `Err` names the bad one.
pub fn decode(s: &str) -> Result<Vec<Item>, String> {
    s.split(',')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let bad = || format!("outbox item `{p}`");
            let mut f = p.split(':');
            let (task, assignee, kind, level) = (f.next(), f.next(), f.next(), f.next());
            Ok(Item {
                task_id: task.and_then(|t| t.parse().ok()).ok_or_else(bad)?,
                assignee_id: match assignee {
                    Some("") => None,
                    a => Some(a.and_then(|a| a.parse().ok()).ok_or_else(bad)?),
                },
                kind: kind.and_then(Kind::parse).ok_or_else(bad)?,
                level: level.and_then(|l| l.parse().ok()).ok_or_else(bad)?,
            })
        })
        .collect()
}

/// How pressing a reminder is, for the kind a message of several is filed under.
pub fn rank(kind: Kind, level: i32) -> (u8, i32) {
    let k = match kind {
        Kind::DueSoon => 0,
        Kind::Overdue => 1,
        Kind::Repeat => 2,
        Kind::Escalation => 3,
        Kind::Digest | Kind::LeadDigest => 4,
    };
    (k, level)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_round_trip_and_bad_ones_are_named() {
        let items = [
            Item { task_id: 12, assignee_id: Some(7), kind: Kind::Repeat, level: 2 },
            Item { task_id: 13, assignee_id: None, kind: Kind::Escalation, level: 1 },
        ];
        assert_eq!(encode(&items), "12:7:repeat:2,13::escalation:1");
        assert_eq!(decode(&encode(&items)).unwrap(), items);
        assert_eq!(decode("").unwrap(), vec![]);
        assert_eq!(decode("12:7:lost:0").unwrap_err(), "outbox item `12:7:lost:0`");
    }

    #[test]
    fn every_step_has_its_own_bit_and_a_new_assignee_starts_again() {
        let mut all: Vec<i64> = vec![
            step_bit(Kind::DueSoon, 0, false),
            step_bit(Kind::Overdue, 0, false),
            step_bit(Kind::Escalation, 1, false),
            step_bit(Kind::Escalation, 2, false),
            step_bit(Kind::Overdue, 0, true),
            step_bit(Kind::Escalation, 1, true),
        ];
        all.extend((1..=30).map(|n| step_bit(Kind::Repeat, n, false)));
        assert_eq!(all.iter().fold(0, |a, b| a | b).count_ones() as usize, all.len());
        let decided = step_bit(Kind::Overdue, 0, false) | step_bit(Kind::Escalation, 1, false);
        assert_eq!(carried_over(decided, Some(1), Some(1)), decided);
        assert_eq!(carried_over(decided, Some(1), Some(2)), step_bit(Kind::Escalation, 1, false));
    }
}
