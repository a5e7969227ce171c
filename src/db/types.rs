//! The database edge of typed values: a task's `status` column reads as a
//! [`TaskStatus`] (a spelling the code does not know fails the read instead of passing
//! for "open"), and id columns read as [`StaffId`] and [`TaskId`]. Writes and filters
//! use [`TaskStatus::as_str`] and the ids' numbers.

use crate::domain::leave::{HalfDay, LeaveStatus};
use crate::domain::task::{StaffId, TaskId, TaskStatus};
use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, Queryable};
use diesel::sql_types::{BigInt, SingleValue, Text};

impl<DB> FromSql<Text, DB> for TaskStatus
where
    DB: Backend,
    String: FromSql<Text, DB>,
{
    fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
        let s = String::from_sql(bytes)?;
        TaskStatus::parse(&s).ok_or_else(|| format!("unknown task status `{s}`").into())
    }
}

macro_rules! text_from_sql {
    ($($t:ident => $what:literal),*) => {$(
        impl<DB> FromSql<Text, DB> for $t
        where
            DB: Backend,
            String: FromSql<Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
                let s = String::from_sql(bytes)?;
                $t::parse(&s).ok_or_else(|| format!(concat!("unknown ", $what, " `{}`"), s).into())
            }
        }
    )*};
}
text_from_sql!(LeaveStatus => "leave status", HalfDay => "half day");

macro_rules! id_from_sql {
    ($($t:ident),*) => {$(
        impl<DB> FromSql<BigInt, DB> for $t
        where
            DB: Backend,
            i64: FromSql<BigInt, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
                i64::from_sql(bytes).map($t)
            }
        }
    )*};
}
id_from_sql!(StaffId, TaskId);

/// Lets row structs hold these types as fields (what `#[derive(FromSqlRow)]` writes,
/// kept here so that the domain does not depend on diesel).
macro_rules! queryable {
    ($($t:ident),*) => {$(
        impl<DB, ST> Queryable<ST, DB> for $t
        where
            DB: Backend,
            ST: SingleValue,
            Self: FromSql<ST, DB>,
        {
            type Row = Self;

            fn build(row: Self) -> deserialize::Result<Self> {
                Ok(row)
            }
        }
    )*};
}
queryable!(TaskStatus, LeaveStatus, HalfDay, StaffId, TaskId);
