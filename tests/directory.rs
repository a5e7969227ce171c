//! The process's directory of templates reads a large catalogue a page at a time and
//! misses none of it, nor any version's words.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::TestDb;
use dutyday::db::org::TemplateRow;
use dutyday::services::directory::Cache;

fn a_catalogue_of_thousands_is_read_whole(db: &TestDb) {
    db.seed();
    let mut conn = db.pool().get().unwrap();
    let conn = &mut conn.any();
    let seeded = dutyday::db::org::load(conn).unwrap().templates;
    let model = seeded[0].clone();
    // Some 2,500 one-off tasks' templates beside the catalogue's, their ids sorted
    // among the catalogue's, so pages end in the middle of both.
    let made: Vec<String> = (0..2_500).map(|i| format!("{}-{i:04}", model.id)).collect();
    for id in &made {
        let row = TemplateRow { id: id.clone(), origin: "one_off".into(), active: false, ..model.clone() };
        dutyday::db::org::insert_template(conn, &row).unwrap();
    }
    let dir = Cache::default().current(conn).unwrap();
    for id in made.iter().chain(seeded.iter().map(|t| &t.id)) {
        // Read with the directory, not learnt later by a list.
        let named = dir.template(id).unwrap_or_else(|| panic!("{id} is not in the directory"));
        assert!(named.asks(named.version).is_some(), "{id} has no words for version {}", named.version);
    }
}

on_both_databases!(a_catalogue_of_thousands_is_read_whole);
