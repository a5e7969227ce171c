//! dutyday turns an organisation's written duties into everyone's daily work.
//!
//! Dependencies point inward: `web` and `jobs` use `services`, which use `db`,
//! `catalog` and `domain`; `domain` is pure.

pub mod catalog;
pub mod cli;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod files;
pub mod i18n;
pub mod jobs;
pub mod metrics;
pub mod notify;
pub mod services;
pub mod shutdown;
pub mod startup;
pub mod web;
