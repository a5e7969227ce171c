//! Service settings: `config/default.toml`, overridden by `DUTYDAY_*` variables.
//!
//! Settings are checked when loaded, so a bad schedule or address stops the service
//! at start with one line, not at the first tick. Secrets never appear in `Debug`.

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::{Path, PathBuf};

mod url;
use url::unencoded_at;
pub use url::{redact_in, redact_url};

/// Typed service settings.
#[derive(Clone, Serialize, Deserialize)]
pub struct Settings {
    /// `sqlite://PATH`, a plain path, or `postgres://…`.
    pub database_url: String,
    /// Address the HTTP server listens on.
    pub bind: String,
    /// The folder with `company/` and `calendars/` (and this file's `default.toml`).
    pub config: PathBuf,
    /// How many days ahead tasks are materialised.
    pub horizon_days: u32,
    /// When the generation job runs: a 6-field cron expression (seconds first), in UTC.
    pub generate_cron: String,
    /// Database connections per instance; unset: [`Settings::pool_size`] chooses.
    #[serde(default)]
    pub pool_size: Option<u32>,
    /// Kilobytes of people's lists, as last written, kept in each instance so that a
    /// list that has not changed costs one statement (0 keeps none; see
    /// `services::list_cache`): as many for the API's lists and again for the pages'.
    #[serde(default = "default_list_cache_kb")]
    pub list_cache_kb: usize,
    /// Where people reach the service, for links in messages.
    pub base_url: String,
    /// The demo staff's password (from the environment only, never logged).
    #[serde(default, skip_serializing)]
    pub demo_password: Option<String>,
    /// When the reminder job decides and sends: 6-field cron, in UTC.
    pub remind_cron: String,
    /// The SMTP server; empty writes each message as an `.eml` file to `mail_dir`.
    pub smtp_host: String,
    pub smtp_port: u16,
    pub smtp_tls: SmtpTls,
    /// SMTP user name and password: from the environment only, never logged.
    #[serde(default, skip_serializing)]
    pub smtp_username: Option<String>,
    #[serde(default, skip_serializing)]
    pub smtp_password: Option<String>,
    /// Connections kept open to the SMTP server, and messages sent at once.
    pub smtp_pool: u32,
    /// The From address; the company's name is its display name.
    pub mail_from: String,
    /// Where messages are written when no SMTP server is set.
    pub mail_dir: PathBuf,
    /// The keys that sign and encrypt session cookies, from the environment only
    /// (`DUTYDAY_SECRET_KEY`): one or more, separated by commas or spaces, each of at
    /// least 32 characters. The first makes new cookies; the others are still read,
    /// so a key can be rotated without signing everyone out. Unset, a demo company
    /// keeps a generated key in its database; any other company must set it.
    #[serde(default, skip_serializing)]
    pub secret_key: Option<String>,
    /// Reverse proxies whose `X-Forwarded-For` is believed (addresses or CIDR
    /// ranges, separated by commas or spaces). The client's address is then the
    /// right-most forwarded address that is not itself a trusted proxy.
    pub trusted_proxies: String,
    /// Seconds a client has to send a request's body before it is refused.
    pub body_timeout_secs: u64,
    /// On SIGTERM, how long requests in flight and a running generation or reminder
    /// pass get to finish before the process stops anyway.
    pub shutdown_grace_secs: u64,
    /// On SIGTERM, how long the service keeps accepting (answering every request with
    /// `Connection: close` and `/readyz` with 503) before it stops listening, so that a
    /// load balancer can take it out of rotation first.
    pub shutdown_drain_ms: u64,
    /// The bearer token that may read `/metrics` (from the environment only,
    /// `DUTYDAY_METRICS_TOKEN`); unset, `/metrics` is not served.
    #[serde(default, skip_serializing)]
    pub metrics_token: Option<String>,
}

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain text: only for a server on the same host or network (mailpit, a relay).
    None,
    /// STARTTLS after connecting (usually port 587).
    Starttls,
    /// TLS from the first byte (usually port 465).
    Tls,
}

/// Some 5,000 lists as the API keeps them (gzipped, about 1.5 KB each at the
/// benchmark's scale); the pages' lists, kept as views, have as much again.
pub const DEFAULT_LIST_CACHE_KB: usize = 8 * 1024;

fn default_list_cache_kb() -> usize {
    DEFAULT_LIST_CACHE_KB
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            database_url: "sqlite://dutyday.db".into(),
            bind: "127.0.0.1:8080".into(),
            config: PathBuf::from("config"),
            horizon_days: 7,
            generate_cron: "0 */5 * * * *".into(),
            pool_size: None,
            list_cache_kb: default_list_cache_kb(),
            base_url: "http://127.0.0.1:8080".into(),
            demo_password: None,
            remind_cron: "30 * * * * *".into(),
            smtp_host: String::new(),
            smtp_port: 587,
            smtp_tls: SmtpTls::Starttls,
            smtp_username: None,
            smtp_password: None,
            smtp_pool: 4,
            mail_from: "dutyday@localhost".into(),
            mail_dir: PathBuf::from("mail-out"),
            secret_key: None,
            trusted_proxies: String::new(),
            body_timeout_secs: 10,
            shutdown_grace_secs: 30,
            shutdown_drain_ms: 500,
            metrics_token: None,
        }
    }
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("database_url", &redact_url(&self.database_url))
            .field("bind", &self.bind)
            .field("config", &self.config)
            .field("horizon_days", &self.horizon_days)
            .field("generate_cron", &self.generate_cron)
            .field("pool_size", &self.pool_size)
            .field("list_cache_kb", &self.list_cache_kb)
            .field("base_url", &self.base_url)
            .field("demo_password", &self.demo_password.as_ref().map(|_| "***"))
            .field("remind_cron", &self.remind_cron)
            .field("smtp_host", &self.smtp_host)
            .field("smtp_port", &self.smtp_port)
            .field("smtp_tls", &self.smtp_tls)
            .field("smtp_username", &self.smtp_username.as_ref().map(|_| "***"))
            .field("smtp_password", &self.smtp_password.as_ref().map(|_| "***"))
            .field("smtp_pool", &self.smtp_pool)
            .field("mail_from", &self.mail_from)
            .field("mail_dir", &self.mail_dir)
            .field("secret_key", &self.secret_key.as_ref().map(|_| "***"))
            .field("trusted_proxies", &self.trusted_proxies)
            .field("body_timeout_secs", &self.body_timeout_secs)
            .field("shutdown_grace_secs", &self.shutdown_grace_secs)
            .field("shutdown_drain_ms", &self.shutdown_drain_ms)
            .field("metrics_token", &self.metrics_token.as_ref().map(|_| "***"))
            .finish()
    }
}

/// A settings problem: the file (or variable), the key and what is wrong.
#[derive(Debug, thiserror::Error)]
#[error("{source_name}: {key}: {message}")]
pub struct SettingsError {
    pub source_name: String,
    pub key: String,
    pub message: String,
}

impl Settings {
    /// Database connections per instance: `pool_size` if set, else 4 on SQLite and 8
    /// on PostgreSQL. On SQLite each connection (and the blocking thread that waits
    /// on it) holds some 3.5 MB of the server's memory, and on two cores four did as
    /// much work as eight; PostgreSQL's connections keep their memory in its own
    /// server, and two did less than eight (BENCHMARKS.md, "Memory met on SQLite").
    pub fn pool_size(&self) -> u32 {
        let default = match crate::db::Backend::from_url(&self.database_url) {
            crate::db::Backend::Sqlite(_) => 4,
            crate::db::Backend::Postgres(_) => 8,
        };
        self.pool_size.unwrap_or(default)
    }

    /// Defaults, then `<config>/default.toml` if present, then `DUTYDAY_*` variables.
    /// `config_dir` (from `--config`) wins over `DUTYDAY_CONFIG`.
    pub fn load(config_dir: Option<&Path>) -> Result<Settings, SettingsError> {
        let dir = config_dir
            .map(Path::to_path_buf)
            .or_else(|| std::env::var_os("DUTYDAY_CONFIG").map(PathBuf::from))
            .unwrap_or_else(|| PathBuf::from("config"));
        let file = dir.join("default.toml");
        let mut fig = Figment::from(Serialized::defaults(Settings::default()));
        if file.is_file() {
            fig = fig.merge(Toml::file(&file));
        }
        fig = fig.merge(Env::prefixed("DUTYDAY_")).merge(Serialized::default("config", &dir));
        // A value is blamed on where it came from: its variable, or the file.
        let named = |key: &str, m: Option<&figment::Metadata>| match m {
            Some(m) if m.name.contains("environment") => format!("DUTYDAY_{}", key.to_uppercase()),
            Some(m) => m.source.as_ref().map_or_else(|| file.display().to_string(), |s| s.to_string()),
            None => file.display().to_string(),
        };
        let settings: Settings = fig.extract().map_err(|e| {
            let key = e.path.join(".");
            SettingsError {
                source_name: named(&key, e.metadata.as_ref()),
                key: if key.is_empty() { "-".into() } else { key },
                message: e.kind.to_string(),
            }
        })?;
        for secret in ["smtp_username", "smtp_password", "demo_password", "secret_key", "metrics_token"] {
            let from_file =
                fig.find_metadata(secret).is_some_and(|m| m.source.as_ref().is_some_and(|s| s.file_path().is_some()));
            if from_file {
                return Err(SettingsError {
                    source_name: file.display().to_string(),
                    key: secret.into(),
                    message: format!("secrets are not kept in files: set DUTYDAY_{}", secret.to_uppercase()),
                });
            }
        }
        settings
            .check(&file)
            .map_err(|e| SettingsError { source_name: named(&e.key, fig.find_metadata(&e.key)), ..e })?;
        Ok(settings)
    }

    fn check(&self, file: &Path) -> Result<(), SettingsError> {
        let err = |key: &str, message: String| SettingsError {
            source_name: file.display().to_string(),
            key: key.into(),
            message,
        };
        if self.horizon_days == 0 || self.horizon_days > 366 {
            return Err(err("horizon_days", format!("{} is outside 1..=366", self.horizon_days)));
        }
        if self.pool_size == Some(0) {
            return Err(err("pool_size", "must be at least 1".into()));
        }
        if self.bind.parse::<std::net::SocketAddr>().is_err() {
            return Err(err("bind", format!("`{}` is not an address such as 127.0.0.1:8080", self.bind)));
        }
        if self.body_timeout_secs == 0 || self.body_timeout_secs > 600 {
            return Err(err("body_timeout_secs", format!("{} is outside 1..=600", self.body_timeout_secs)));
        }
        if self.shutdown_grace_secs > 3600 {
            return Err(err("shutdown_grace_secs", format!("{} is outside 0..=3600", self.shutdown_grace_secs)));
        }
        if self.shutdown_drain_ms > 60_000 {
            return Err(err("shutdown_drain_ms", format!("{} is outside 0..=60000", self.shutdown_drain_ms)));
        }
        self.session_keys().map_err(|m| SettingsError {
            source_name: "DUTYDAY_SECRET_KEY".into(),
            key: "secret_key".into(),
            message: m,
        })?;
        self.proxies().map_err(|m| err("trusted_proxies", m))?;
        if let Some(m) = unencoded_at(&self.database_url) {
            return Err(err("database_url", m));
        }
        check_cron(&self.generate_cron).map_err(|m| err("generate_cron", m))?;
        check_cron(&self.remind_cron).map_err(|m| err("remind_cron", m))?;
        self.check_mail().map_err(|(k, m)| err(k, m))
    }

    /// The mail settings, checked as the sender will use them.
    fn check_mail(&self) -> Result<(), (&'static str, String)> {
        self.mail_from
            .parse::<lettre::Address>()
            .map_err(|e| ("mail_from", format!("`{}` is not an email address: {e}", self.mail_from)))?;
        if self.smtp_pool == 0 || self.smtp_pool > 64 {
            return Err(("smtp_pool", format!("{} is outside 1..=64", self.smtp_pool)));
        }
        if self.smtp_host.is_empty() {
            return Ok(());
        }
        // An IP address (v4, or v6 without brackets: it is not a URL) or a DNS name.
        let host_ok = self.smtp_host.parse::<std::net::IpAddr>().is_ok()
            || (self.smtp_host.len() <= 253
                && self
                    .smtp_host
                    .split('.')
                    .all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')));
        if !host_ok {
            return Err(("smtp_host", format!("`{}` is not a host name or IP address", self.smtp_host)));
        }
        if self.smtp_port == 0 {
            return Err(("smtp_port", "must be 1..=65535 (587 for STARTTLS, 465 for TLS)".into()));
        }
        match (&self.smtp_username, &self.smtp_password) {
            (Some(_), None) => Err(("smtp_password", "a user name is set; set DUTYDAY_SMTP_PASSWORD too".into())),
            (None, Some(_)) => Err(("smtp_username", "a password is set; set DUTYDAY_SMTP_USERNAME too".into())),
            _ => Ok(()),
        }
    }
}

impl Settings {
    /// The session keys of [`Settings::secret_key`], newest first; empty when unset.
    pub fn session_keys(&self) -> Result<Vec<String>, String> {
        let keys: Vec<String> = self
            .secret_key
            .as_deref()
            .unwrap_or("")
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|k| !k.is_empty())
            .map(str::to_string)
            .collect();
        match keys.iter().position(|k| k.len() < 32) {
            Some(i) => Err(format!("key {} of {} is shorter than 32 characters", i + 1, keys.len())),
            None => Ok(keys),
        }
    }

    /// The trusted proxies of [`Settings::trusted_proxies`].
    pub fn proxies(&self) -> Result<Vec<ipnet::IpNet>, String> {
        self.trusted_proxies
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|p| !p.is_empty())
            .map(|p| {
                p.parse::<ipnet::IpNet>()
                    .or_else(|_| p.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| format!("`{p}` is not an IP address or CIDR range such as 10.0.0.0/8"))
            })
            .collect()
    }
}

/// Checks a 6-field cron expression the way the scheduler will read it.
pub fn check_cron(expr: &str) -> Result<(), String> {
    if expr.split_whitespace().count() != 6 {
        return Err(format!("`{expr}` needs 6 fields (seconds first), e.g. \"0 */5 * * * *\""));
    }
    tokio_cron_scheduler::Job::new_async(expr, |_, _| Box::pin(async {}))
        .map(|_| ())
        .map_err(|e| format!("`{expr}` is not a valid cron expression: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_keys_and_proxies_are_checked() {
        let key = |k: &str| Settings { secret_key: Some(k.into()), ..Settings::default() };
        let (a, b) = ("a".repeat(32), "b".repeat(40));
        assert_eq!(key(&format!("{a}, {b}")).session_keys(), Ok(vec![a.clone(), b]));
        assert!(key(&format!("{a},short")).session_keys().is_err());
        assert_eq!(Settings::default().session_keys(), Ok(vec![]));
        let p = Settings { trusted_proxies: "10.0.0.0/8, 127.0.0.1 ::1".into(), ..Settings::default() };
        assert_eq!(p.proxies().map(|v| v.len()), Ok(3));
        assert!(Settings { trusted_proxies: "proxy.local".into(), ..Settings::default() }.proxies().is_err());
    }

    #[test]
    fn passwords_do_not_reach_debug_output() {
        let s = Settings {
            database_url: "postgres://app:s3cret@db/x".into(),
            demo_password: Some("hunter2".into()),
            ..Settings::default()
        };
        let shown = format!("{s:?}");
        assert!(!shown.contains("s3cret") && !shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("postgres://app:***@db/x"));
    }

    #[test]
    fn smtp_hosts_may_be_names_or_addresses_of_either_family() {
        for host in ["mail.example.com", "127.0.0.1", "::1", "fe80::1"] {
            let s = Settings { smtp_host: host.into(), smtp_tls: SmtpTls::None, ..Settings::default() };
            assert!(s.check_mail().is_ok(), "{host}");
        }
        for host in ["mail example", "a..b", "[::1"] {
            let s = Settings { smtp_host: host.into(), ..Settings::default() };
            assert!(s.check_mail().is_err(), "{host}");
        }
    }

    #[test]
    fn the_pool_is_sized_for_the_backend_unless_set() {
        let on = |url: &str, n: Option<u32>| Settings { database_url: url.into(), pool_size: n, ..Settings::default() };
        assert_eq!(on("sqlite://dutyday.db", None).pool_size(), 4);
        assert_eq!(on("postgres://postgres@127.0.0.1/x", None).pool_size(), 8);
        assert_eq!(on("sqlite://dutyday.db", Some(12)).pool_size(), 12);
        let zero = on("sqlite://dutyday.db", Some(0)).check(Path::new("default.toml"));
        assert_eq!(zero.map_err(|e| e.key), Err("pool_size".to_string()));
        assert!(on("sqlite://dutyday.db", None).check(Path::new("default.toml")).is_ok());
    }

    #[test]
    fn cron_is_checked() {
        assert!(check_cron("0 */5 * * * *").is_ok());
        assert!(check_cron("*/5 * * * *").is_err());
        assert!(check_cron("0 */5 * * * banana").is_err());
    }
}
