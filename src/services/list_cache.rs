//! People's lists as last written, kept in the process, so that asking for a list
//! that has not changed costs the one statement that finds who is asking.
//!
//! That statement also reads what the list was last changed under (a [`ListStamp`]:
//! the company's list epoch and catalogue version, the person's count and those of
//! the positions they hold that day; see [`crate::db::list_stamps`]). A list kept
//! is served only when its stamp and day are the ones read now and none of its due
//! times has passed since it was read, so a change made by any instance is seen by
//! every other on its next request. The lists kept take at most a fixed number of
//! bytes; beyond it, the ones used longest ago go.

use crate::db::askers::AskerRow;
use crate::domain::task::StaffId;
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// What a person's list was last changed under, as read with who is asking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListStamp {
    epoch: i64,
    catalog: i64,
    person: i64,
    /// The positions held that day and their counts, by id.
    positions: Vec<(String, i64)>,
}

impl ListStamp {
    /// The stamp in the rows that found who is asking (one per position held).
    pub fn of(rows: &[AskerRow]) -> ListStamp {
        let first = rows.first();
        let mut positions: Vec<(String, i64)> =
            rows.iter().filter_map(|r| r.position_id.clone().map(|p| (p, r.position_rev.unwrap_or(0)))).collect();
        positions.sort();
        positions.dedup();
        ListStamp {
            epoch: first.and_then(|r| r.list_epoch).unwrap_or(0),
            catalog: first.and_then(|r| r.catalog_version).unwrap_or(0),
            person: first.and_then(|r| r.staff_rev).unwrap_or(0),
            positions,
        }
    }
}

/// A list as written, with its entity tag.
#[derive(Debug, Clone)]
pub struct Written {
    pub body: Arc<[u8]>,
    pub tag: Arc<str>,
}

struct Kept {
    date: NaiveDate,
    stamp: ListStamp,
    until: DateTime<Utc>,
    written: Written,
    used: u64,
}

#[derive(Default)]
struct Lists {
    by_person: HashMap<StaffId, Kept>,
    bytes: usize,
    clock: u64,
}

/// The lists kept by this process.
pub struct ListCache {
    lists: Mutex<Lists>,
    budget: usize,
}

/// Bytes of lists kept by default: some 1,500 lists of 5 KB.
pub const DEFAULT_BUDGET: usize = 8 << 20;

impl Default for ListCache {
    fn default() -> ListCache {
        ListCache::with_budget(DEFAULT_BUDGET)
    }
}

impl ListCache {
    /// A cache that keeps at most `budget` bytes of lists (0 keeps none).
    pub fn with_budget(budget: usize) -> ListCache {
        ListCache { lists: Mutex::new(Lists::default()), budget }
    }

    /// `person`'s list of `date` if it was kept under `stamp` and is still true at
    /// `now` (at its `until` too).
    pub fn get(&self, person: StaffId, date: NaiveDate, stamp: &ListStamp, now: DateTime<Utc>) -> Option<Written> {
        let mut lists = self.lists.lock().unwrap_or_else(|e| e.into_inner());
        lists.clock += 1;
        let clock = lists.clock;
        let kept = lists.by_person.get_mut(&person)?;
        if kept.date != date || kept.stamp != *stamp || now > kept.until {
            return None;
        }
        kept.used = clock;
        Some(kept.written.clone())
    }

    /// Keeps `person`'s list of `date`, read under `stamp` and true until `until`
    /// (inclusive).
    pub fn put(&self, person: StaffId, date: NaiveDate, stamp: ListStamp, until: DateTime<Utc>, written: Written) {
        let size = written.body.len() + written.tag.len() + std::mem::size_of::<Kept>();
        if size > self.budget {
            return;
        }
        let mut lists = self.lists.lock().unwrap_or_else(|e| e.into_inner());
        lists.clock += 1;
        let used = lists.clock;
        if let Some(old) = lists.by_person.insert(person, Kept { date, stamp, until, written, used }) {
            lists.bytes -= old.written.body.len() + old.written.tag.len() + std::mem::size_of::<Kept>();
        }
        lists.bytes += size;
        if lists.bytes > self.budget {
            lists.shed(self.budget / 2);
        }
    }

    /// How many lists are kept and their bytes.
    pub fn size(&self) -> (usize, usize) {
        let lists = self.lists.lock().unwrap_or_else(|e| e.into_inner());
        (lists.by_person.len(), lists.bytes)
    }
}

impl Lists {
    /// Lets go of the lists used longest ago until at most `target` bytes are kept.
    fn shed(&mut self, target: usize) {
        let mut ages: Vec<(u64, StaffId, usize)> = self
            .by_person
            .iter()
            .map(|(p, k)| (k.used, *p, k.written.body.len() + k.written.tag.len() + std::mem::size_of::<Kept>()))
            .collect();
        ages.sort_unstable();
        for (_, person, size) in ages {
            if self.bytes <= target {
                break;
            }
            self.by_person.remove(&person);
            self.bytes -= size;
        }
    }
}
