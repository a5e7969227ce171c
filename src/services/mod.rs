//! Use cases. Each owns its transaction and takes `now` as a parameter: nothing here
//! reads the wall clock, so tests can run months of schedules in milliseconds.

pub mod auth;
pub mod calendar;
pub mod catalog_view;
pub mod context;
pub mod csv;
pub mod dashboard;
pub mod events;
pub mod feed;
pub mod figures;
pub mod generate;
pub mod import;
pub mod remind;
pub mod staffing;
pub mod tasks;

use crate::catalog::CatalogError;
use crate::db::DbError;

/// What can go wrong in a use case. `Invalid`, `NotFound` and `Conflict` are the
/// caller's doing and say what to change; the others are ours.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Unauthenticated(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("too many failed logins; try again in {retry_after_secs} s")]
    Throttled { retry_after_secs: i64 },
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
}

impl From<diesel::result::Error> for ServiceError {
    fn from(e: diesel::result::Error) -> Self {
        ServiceError::Db(DbError::Query(e))
    }
}

impl ServiceError {
    /// A bad-input error on `field`.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        ServiceError::Invalid { field: field.to_string(), message: message.into() }
    }

    /// Whether the caller caused it (exit code 2, HTTP 4xx).
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            ServiceError::Invalid { .. }
                | ServiceError::NotFound(_)
                | ServiceError::Conflict(_)
                | ServiceError::Catalog(_)
                | ServiceError::Unauthenticated(_)
                | ServiceError::Forbidden(_)
                | ServiceError::Throttled { .. }
        )
    }
}

/// Result of a use case.
pub type ServiceResult<T> = Result<T, ServiceError>;
