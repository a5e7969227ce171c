//! The transports that carry messages out: SMTP (or `.eml` files) for mail, HTTP for
//! webhooks. The outbox decides what to send and records what happened; this module
//! only knows how to reach the other side.

mod mailer;

pub use mailer::{Mailer, SmtpPool, Transport};
