//! People's lists as last written, kept in the process, so that asking for a list
//! that has not changed costs the one statement that finds who is asking.
//!
//! That statement also reads what the list was last changed under (a [`ListStamp`]:
//! the company's list epoch and catalogue version, the person's count and those of
//! the positions they hold that day; see [`crate::db::list_stamps`]). A list kept
//! is served only when its stamp and day are the ones read now and the clock has
//! not turned anything on it since it was read (a due time, an undo window, the
//! day: `day_list::Listed::true_until`), so a change made by any instance is seen
//! by every other on its next request. The lists kept take at most the bytes the
//! setting `list_cache_kb` allows; beyond it, the ones used longest ago go.

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

/// A list as written, kept gzipped (JSON lists shrink some tenfold), with the
/// entity tag of the plain body.
#[derive(Debug, Clone)]
pub struct Written {
    pub gzipped: Arc<[u8]>,
    pub tag: Arc<str>,
}

impl Written {
    /// `body` gzipped (at the fastest level: this runs when a list is read again).
    pub fn of(body: &[u8], tag: String) -> std::io::Result<Written> {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::with_capacity(body.len() / 6), flate2::Compression::fast());
        gz.write_all(body)?;
        Ok(Written { gzipped: gz.finish()?.into(), tag: tag.into() })
    }

    /// The plain body again.
    pub fn plain(&self) -> std::io::Result<Vec<u8>> {
        use std::io::Read;
        let mut body = Vec::with_capacity(self.gzipped.len() * 8);
        flate2::read::GzDecoder::new(&self.gzipped[..]).read_to_end(&mut body)?;
        Ok(body)
    }
}

/// What a kept list takes in memory, roughly: the bytes it points to.
pub trait Weigh: Clone {
    fn weight(&self) -> usize;
}

impl Weigh for Written {
    fn weight(&self) -> usize {
        self.gzipped.len() + self.tag.len()
    }
}

struct Kept<V> {
    date: NaiveDate,
    stamp: ListStamp,
    until: DateTime<Utc>,
    list: V,
    used: u64,
}

impl<V: Weigh> Kept<V> {
    fn size(&self) -> usize {
        let stamp: usize =
            self.stamp.positions.iter().map(|(p, _)| p.len() + std::mem::size_of::<(String, i64)>()).sum();
        self.list.weight() + stamp + std::mem::size_of::<Kept<V>>()
    }
}

struct Lists<V> {
    by_person: HashMap<StaffId, Kept<V>>,
    bytes: usize,
    clock: u64,
}

/// The lists kept by this process, as the API writes them (`V` = [`Written`]) or as
/// pages show them.
pub struct ListCache<V = Written> {
    lists: Mutex<Lists<V>>,
    budget: usize,
}

impl<V: Weigh> Default for ListCache<V> {
    /// As many bytes as the setting `list_cache_kb` keeps by default.
    fn default() -> ListCache<V> {
        ListCache::with_budget(crate::config::DEFAULT_LIST_CACHE_KB * 1024)
    }
}

impl<V: Weigh> ListCache<V> {
    /// A cache that keeps at most `budget` bytes of lists (0 keeps none).
    pub fn with_budget(budget: usize) -> ListCache<V> {
        let lists = Lists { by_person: HashMap::new(), bytes: 0, clock: 0 };
        ListCache { lists: Mutex::new(lists), budget }
    }

    /// `person`'s list of `date` if it was kept under `stamp` and is still true at
    /// `now` (at its `until` too).
    pub fn get(&self, person: StaffId, date: NaiveDate, stamp: &ListStamp, now: DateTime<Utc>) -> Option<V> {
        let mut lists = self.lists.lock().unwrap_or_else(|e| e.into_inner());
        lists.clock += 1;
        let clock = lists.clock;
        let kept = lists.by_person.get_mut(&person)?;
        if kept.date != date || kept.stamp != *stamp || now > kept.until {
            return None;
        }
        kept.used = clock;
        Some(kept.list.clone())
    }

    /// Keeps `person`'s list of `date`, read under `stamp` and true until `until`
    /// (inclusive).
    pub fn put(&self, person: StaffId, date: NaiveDate, stamp: ListStamp, until: DateTime<Utc>, list: V) {
        let kept = Kept { date, stamp, until, list, used: 0 };
        let size = kept.size();
        if size > self.budget {
            return;
        }
        let mut lists = self.lists.lock().unwrap_or_else(|e| e.into_inner());
        lists.clock += 1;
        let kept = Kept { used: lists.clock, ..kept };
        if let Some(old) = lists.by_person.insert(person, kept) {
            lists.bytes -= old.size();
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

impl<V: Weigh> Lists<V> {
    /// Lets go of the lists used longest ago until at most `target` bytes are kept.
    fn shed(&mut self, target: usize) {
        let mut ages: Vec<(u64, StaffId, usize)> = self.by_person.iter().map(|(p, k)| (k.used, *p, k.size())).collect();
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

#[cfg(test)]
mod tests {
    use super::*;

    fn written(bytes: usize) -> Written {
        Written { gzipped: vec![b'x'; bytes].into(), tag: "t".into() }
    }

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default()
    }

    fn stamp(person: i64) -> ListStamp {
        ListStamp { epoch: 1, catalog: 1, person, positions: vec![("p".into(), 1)] }
    }

    /// Each list kept takes its bytes and one entry's overhead.
    fn one(bytes: usize) -> usize {
        bytes + 1 + 1 + std::mem::size_of::<(String, i64)>() + std::mem::size_of::<Kept<Written>>()
    }

    #[test]
    fn a_full_cache_lets_the_lists_used_longest_ago_go() {
        let now = DateTime::<Utc>::MIN_UTC;
        let lists: ListCache = ListCache::with_budget(4 * one(1000));
        for p in 1..=4 {
            lists.put(StaffId(p), day(), stamp(p), DateTime::<Utc>::MAX_UTC, written(1000));
        }
        assert_eq!(lists.size(), (4, 4 * one(1000)));
        // The first person asks again, so the second is now the one used longest ago.
        assert!(lists.get(StaffId(1), day(), &stamp(1), now).is_some());
        lists.put(StaffId(5), day(), stamp(5), DateTime::<Utc>::MAX_UTC, written(1000));
        // Over the budget: shed to half of it, oldest use first.
        assert_eq!(lists.size(), (2, 2 * one(1000)));
        let kept = |p: i64| lists.get(StaffId(p), day(), &stamp(p), now).is_some();
        assert_eq!((1..=5).map(kept).collect::<Vec<_>>(), [true, false, false, false, true]);
    }

    #[test]
    fn a_list_kept_again_replaces_its_bytes_and_none_is_kept_beyond_the_budget() {
        let lists: ListCache = ListCache::with_budget(3 * one(1000));
        lists.put(StaffId(1), day(), stamp(1), DateTime::<Utc>::MAX_UTC, written(1000));
        lists.put(StaffId(1), day(), stamp(2), DateTime::<Utc>::MAX_UTC, written(500));
        assert_eq!(lists.size(), (1, one(500)));
        lists.put(StaffId(2), day(), stamp(2), DateTime::<Utc>::MAX_UTC, written(4000));
        assert_eq!(lists.size(), (1, one(500)), "larger than the whole budget");
        let none: ListCache = ListCache::with_budget(0);
        none.put(StaffId(1), day(), stamp(1), DateTime::<Utc>::MAX_UTC, written(1));
        assert_eq!(none.size(), (0, 0));
    }

    #[test]
    fn a_kept_list_answers_only_its_day_and_stamp_until_its_time() {
        let lists: ListCache = ListCache::default();
        let until = DateTime::<Utc>::MIN_UTC + chrono::Duration::days(1);
        lists.put(StaffId(1), day(), stamp(1), until, written(10));
        let at = |d: NaiveDate, s: i64, t: DateTime<Utc>| lists.get(StaffId(1), d, &stamp(s), t).is_some();
        assert!(at(day(), 1, until), "at its time");
        assert!(!at(day(), 1, until + chrono::Duration::nanoseconds(1)), "after it");
        assert!(!at(day(), 2, until), "another stamp");
        assert!(!at(day().succ_opt().unwrap_or_default(), 1, until), "another day");
    }

    #[test]
    fn a_list_is_kept_gzipped_and_given_back_whole() {
        let body =
            br#"{"date":"2026-12-01","today":[{"title_zh":"\u4ed3\u5e93","due_at":"2026-12-01T10:00:00+08:00"}]}"#
                .repeat(40);
        let kept = Written::of(&body, "\"t\"".into()).unwrap_or_else(|e| panic!("{e}"));
        assert!(kept.gzipped.len() * 10 < body.len(), "{} of {}", kept.gzipped.len(), body.len());
        assert_eq!(kept.plain().ok(), Some(body));
    }
}
