//! What tells an instance that a person's list it keeps is still true (see the
//! `list_stamps` migration): a count per person and per position that a change to
//! one of their tasks moves on, and the company's `list_epoch` that a change to
//! many moves on.
//!
//! Lock order, so that these counters add no deadlock on PostgreSQL: a change to
//! many tasks runs under [`super::serialize_writers`] and moves the epoch (the
//! company's row) before it writes any task or rollup; a change to one task moves
//! its position's count, then its person's, after everything else it writes. The
//! two kinds share no counter.

use super::schema::{company, position_list_stamps, staff_list_stamps};
use super::AnyConn;
use crate::with_conn;
use diesel::prelude::*;
use diesel::upsert::excluded;

/// Moves on the company's `list_epoch`: every list kept anywhere is read again.
/// For changes to many tasks, people's names or what they hold; call it before
/// writing them.
pub fn many_changed(conn: &mut AnyConn) -> QueryResult<()> {
    with_conn!(conn, c => diesel::update(company::table)
        .set(company::list_epoch.eq(company::list_epoch + 1))
        .execute(c))?;
    Ok(())
}

/// Moves on the counts of the lists one task is on: its position's when it is
/// shared, its assignee's when it has one. Call it last in the transaction.
pub fn one_changed(conn: &mut AnyConn, shared_position: Option<&str>, assignee: Option<i64>) -> QueryResult<()> {
    if let Some(p) = shared_position {
        with_conn!(conn, c => diesel::insert_into(position_list_stamps::table)
            .values((position_list_stamps::position_id.eq(p), position_list_stamps::rev.eq(1_i64)))
            .on_conflict(position_list_stamps::position_id)
            .do_update()
            .set(position_list_stamps::rev.eq(position_list_stamps::rev + excluded(position_list_stamps::rev)))
            .execute(c))?;
    }
    if let Some(s) = assignee {
        with_conn!(conn, c => diesel::insert_into(staff_list_stamps::table)
            .values((staff_list_stamps::staff_id.eq(s), staff_list_stamps::rev.eq(1_i64)))
            .on_conflict(staff_list_stamps::staff_id)
            .do_update()
            .set(staff_list_stamps::rev.eq(staff_list_stamps::rev + excluded(staff_list_stamps::rev)))
            .execute(c))?;
    }
    Ok(())
}
