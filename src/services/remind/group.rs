//! Messages claimed together for one recipient go as one message.

use crate::db::outbox::OutboxRow;
use crate::domain::marks::Item;
use std::collections::HashMap;

/// A message to send: the outbox rows it delivers (its Message-ID is the first's) and
/// the reminders they carry, none for a digest.
pub(super) struct Unit {
    pub rows: Vec<OutboxRow>,
    pub items: Vec<Item>,
}

impl Unit {
    /// How many reminders (or digests) it delivers.
    pub fn weight(&self) -> usize {
        self.items.len().max(1)
    }
}

/// The messages to send for a claimed batch. Task reminder rows for the same recipient
/// (or webhook) and class travel together: the assignee's reminders, or escalations
/// of one level. A pass already queues one message per recipient and class, so this
/// joins messages of several passes, such as those held while the mail server was
/// down. Digests go alone.
pub(super) fn group(claimed: Vec<(OutboxRow, Vec<Item>)>) -> Vec<Unit> {
    let mut at: HashMap<(String, String, i32), usize> = HashMap::new();
    let mut units: Vec<Unit> = Vec::new();
    for (row, items) in claimed {
        if items.is_empty() {
            units.push(Unit { rows: vec![row], items });
            continue;
        }
        let class = if row.kind == "escalation" { row.level } else { 0 };
        let key = (row.channel.clone(), row.address.clone(), class);
        match at.get(&key) {
            Some(&i) => {
                units[i].rows.push(row);
                units[i].items.extend(items);
            }
            None => {
                at.insert(key, units.len());
                units.push(Unit { rows: vec![row], items });
            }
        }
    }
    units
}
