//! The sender's means: lettre's async SMTP transport with a connection pool (or a
//! folder of `.eml` files when no server is set), and an HTTP client for webhooks,
//! built from settings checked at start.

use crate::config::{Settings, SmtpTls};
use anyhow::Context as _;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::PoolConfig;
use lettre::{Address, AsyncSmtpTransport, Tokio1Executor};
use std::path::PathBuf;

/// lettre's pooled transport. Its pool spawns tasks when built and when dropped, so
/// it is built inside the Tokio runtime; dropped outside one (at process exit) it is
/// let go without the goodbye to the server instead of panicking.
pub struct SmtpPool(pub(crate) Option<AsyncSmtpTransport<Tokio1Executor>>);

impl Drop for SmtpPool {
    fn drop(&mut self) {
        if tokio::runtime::Handle::try_current().is_err() {
            std::mem::forget(self.0.take());
        }
    }
}

/// Where mail goes.
pub enum Transport {
    Smtp(SmtpPool),
    /// No SMTP server configured: each message becomes `<dir>/<id>.eml`.
    Files(PathBuf),
}

/// Everything the sender needs besides the database.
pub struct Mailer {
    pub transport: Transport,
    pub(crate) from: Address,
    /// Where people reach the service, for links.
    pub(crate) base: String,
    pub(crate) domain: String,
    pub(crate) http: reqwest::Client,
    pub(crate) concurrency: usize,
}

impl Mailer {
    /// Builds the transport from checked settings; a TLS or address problem fails here, at start.
    pub fn from_settings(s: &Settings) -> anyhow::Result<Mailer> {
        let from: Address = s.mail_from.parse().with_context(|| format!("mail_from `{}`", s.mail_from))?;
        let transport = if s.smtp_host.is_empty() {
            Transport::Files(s.mail_dir.clone())
        } else {
            let builder = match s.smtp_tls {
                SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&s.smtp_host),
                SmtpTls::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&s.smtp_host)
                    .with_context(|| format!("smtp_host `{}`: STARTTLS", s.smtp_host))?,
                SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&s.smtp_host)
                    .with_context(|| format!("smtp_host `{}`: TLS", s.smtp_host))?,
            };
            let mut builder = builder
                .port(s.smtp_port)
                .timeout(Some(std::time::Duration::from_secs(15)))
                .pool_config(PoolConfig::new().max_size(s.smtp_pool));
            if let (Some(user), Some(pass)) = (&s.smtp_username, &s.smtp_password) {
                builder = builder.credentials(Credentials::new(user.clone(), pass.clone()));
            }
            if tokio::runtime::Handle::try_current().is_err() {
                anyhow::bail!("the SMTP transport must be built inside the Tokio runtime");
            }
            Transport::Smtp(SmtpPool(Some(builder.build())))
        };
        let domain =
            s.base_url.split("://").nth(1).unwrap_or("localhost").split(['/', ':']).next().unwrap_or("localhost");
        let http = reqwest::Client::builder().timeout(std::time::Duration::from_secs(10)).build()?;
        let concurrency = s.smtp_pool as usize * 2;
        Ok(Mailer { transport, from, base: s.base_url.clone(), domain: domain.to_string(), http, concurrency })
    }

    /// Whether the SMTP server answers (and accepts the credentials); files always do.
    pub async fn check_connection(&self) -> Result<(), String> {
        match &self.transport {
            Transport::Smtp(SmtpPool(Some(t))) => match t.test_connection().await {
                Ok(true) => Ok(()),
                Ok(false) => Err("the server did not answer NOOP".into()),
                Err(e) => Err(e.to_string()),
            },
            Transport::Smtp(SmtpPool(None)) => Err("the SMTP transport is gone".into()),
            Transport::Files(_) => Ok(()),
        }
    }

    /// A line for the start-up log, without credentials.
    pub fn describe(&self, s: &Settings) -> String {
        match &self.transport {
            Transport::Smtp(_) => format!("SMTP {}:{} ({:?})", s.smtp_host, s.smtp_port, s.smtp_tls),
            Transport::Files(dir) => format!("no SMTP server set: messages are written to {}", dir.display()),
        }
    }
}
