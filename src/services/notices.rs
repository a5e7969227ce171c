//! Mails to people about their own account and staffing: invitations and reset links,
//! leave asked for and answered, a position they now hold. Each goes through the
//! outbox in the caller's transaction, in the recipient's language.

use super::remind::messages::Rendered;
use super::{AppError, AppResult};
use crate::db::outbox::NewOutbox;
use crate::db::staff::StaffRow;
use crate::db::{self, AnyConn};
use crate::error::ErrorCode;
use crate::i18n::Lang;
use chrono::{DateTime, Utc};

/// The company's name in `lang`.
pub fn company_name(conn: &mut AnyConn, lang: Lang) -> AppResult<String> {
    let company = db::org::company(conn)?.ok_or_else(|| AppError::new(ErrorCode::NotImported))?;
    Ok(if lang == Lang::En { company.name_en } else { company.name })
}

/// Queues `message` of `kind` to `person`, once per `dedupe_key`.
pub fn queue(
    conn: &mut AnyConn,
    person: &StaffRow,
    kind: &str,
    dedupe_key: String,
    message: Rendered,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let row = NewOutbox {
        dedupe_key,
        kind: kind.into(),
        level: 0,
        task_id: None,
        task_assignee_id: None,
        recipient_id: Some(person.id.0),
        channel: "email".into(),
        address: person.email.clone(),
        lang: Lang::from_locale(&person.locale).locale().into(),
        subject: message.subject,
        body_text: message.text,
        body_html: message.html,
        status: "queued".into(),
        next_attempt_at: now.naive_utc(),
        created_at: now.naive_utc(),
        items: String::new(),
        body_json: None,
    };
    db::outbox::insert(conn, &[row])?;
    Ok(())
}
