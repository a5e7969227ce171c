//! Use cases. Each owns its transaction and takes `now` as a parameter: nothing here
//! reads the wall clock, so tests can run months of schedules in milliseconds.

pub mod account;
pub mod askers;
pub mod asking;
pub mod audit;
pub mod auth;
pub mod calendar;
pub mod calendar_admin;
pub mod catalog_apply;
pub mod catalog_diff;
pub mod catalog_export;
pub mod catalog_view;
pub mod context;
pub mod csv;
pub mod dashboard;
pub mod day_list;
pub mod demo;
pub mod directory;
pub mod events;
pub mod feed;
pub mod figures;
pub mod generate;
pub mod holdings;
pub mod import;
pub mod leave;
pub mod links;
pub mod list_cache;
pub mod notices;
pub mod one_off;
pub mod password;
pub mod people;
pub mod people_import;
pub mod remind;
pub mod staffing;
pub mod tasks;
pub mod template_admin;
pub mod template_change;
pub mod template_edit;
pub mod throttle;
pub mod week;

pub use crate::error::{AppError, AppResult};

/// What the running service keeps for its whole life, shared by the web handlers
/// and the scheduled jobs: the pool, the settings and the mail transport.
pub struct AppState {
    pub pool: crate::db::DbPool,
    pub settings: crate::config::Settings,
    /// Sends the outbox's messages (SMTP, files or webhooks).
    pub mailer: crate::notify::Mailer,
    /// Where handlers take "now" from.
    pub clock: Clock,
    /// Set on SIGTERM: every response then closes its connection and `/readyz` says 503.
    pub draining: std::sync::atomic::AtomicBool,
    /// What every request reads and rarely changes, kept true by the catalogue version.
    pub directory: directory::Cache,
    /// People's lists as last written, kept true by their stamps.
    pub lists: list_cache::ListCache,
    /// People's lists as the 今天 page shows them, kept the same way.
    pub pages: list_cache::ListCache<std::sync::Arc<tasks::DayList>>,
    /// Requests waiting to learn who is asking, found together.
    pub asking: asking::Asking,
}

/// Where "now" comes from at the edges (handlers, the first generation run): the
/// system clock in production, a fixed instant in tests, so that what a test sees
/// does not depend on the day it runs. Services themselves always take `now`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Clock {
    #[default]
    System,
    Fixed(chrono::DateTime<chrono::Utc>),
}

impl Clock {
    /// The current instant by this clock.
    pub fn now(self) -> chrono::DateTime<chrono::Utc> {
        match self {
            Clock::System => chrono::Utc::now(),
            Clock::Fixed(t) => t,
        }
    }
}
