//! The database edge of typed states: a task's `status` column reads as a
//! [`TaskStatus`], and a spelling the code does not know fails the read instead of
//! passing for "open". Writes and filters use [`TaskStatus::as_str`].

use crate::domain::task::TaskStatus;
use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, Queryable};
use diesel::sql_types::{SingleValue, Text};

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

/// Lets a row struct hold a `TaskStatus` field (what `#[derive(FromSqlRow)]` writes,
/// kept here so that the domain does not depend on diesel).
impl<DB, ST> Queryable<ST, DB> for TaskStatus
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
