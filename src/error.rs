//! The one error of dutyday: a stable code, the arguments of its message, the field
//! at fault, and the cause behind it.
//!
//! The code is the JSON `code`, and `error-<code>` is the message's key in
//! `locales/*/errors.ftl`. [`ErrorCode::class`] is the one table that turns a code
//! into an HTTP status and an exit code; `web::error` renders the JSON body and the
//! page from it, `cli` the exit line. Adding a variant touches this file and the two
//! `errors.ftl` files (a test checks that every code has a message in both).

use crate::catalog::CatalogError;
use crate::db::DbError;
use crate::domain::completion::{FieldError, Refused, UNDO_MINUTES};
use crate::i18n::{Lang, Tr};

/// Who is at fault, which decides the HTTP status and the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// The request could not be read at all (400).
    Malformed,
    /// A value is wrong; the field says which (422).
    Invalid,
    /// Not signed in, or the credentials are wrong (401).
    Unauthenticated,
    /// Signed in, but not allowed (403).
    Forbidden,
    /// No such thing, or not one the caller may see (404).
    NotFound,
    /// The path exists, but not for this method (405, with `Allow`).
    MethodNotAllowed,
    /// The request conflicts with the thing's state (409).
    Conflict,
    /// The body is too large (413).
    TooLarge,
    /// The body is not JSON (415).
    UnsupportedMediaType,
    /// Too many attempts; try again later (429).
    Throttled,
    /// Our fault (500): logged with its cause.
    Internal,
    /// Storage or set-up is not ready; try again later (503): logged with its cause.
    Unavailable,
}

impl Class {
    /// The HTTP status.
    pub fn status(self) -> u16 {
        match self {
            Class::Malformed => 400,
            Class::Unauthenticated => 401,
            Class::Forbidden => 403,
            Class::NotFound => 404,
            Class::MethodNotAllowed => 405,
            Class::Conflict => 409,
            Class::TooLarge => 413,
            Class::UnsupportedMediaType => 415,
            Class::Invalid => 422,
            Class::Throttled => 429,
            Class::Internal => 500,
            Class::Unavailable => 503,
        }
    }

    /// The command line's exit code: 2 for the caller's mistakes, 1 for ours.
    pub fn exit_code(self) -> u8 {
        if self.status() < 500 {
            2
        } else {
            1
        }
    }
}

macro_rules! codes {
    ($($variant:ident = $name:literal => $class:ident,)*) => {
        /// Every way a request or a command can fail.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode { $($variant,)* }

        impl ErrorCode {
            /// Every code, for the test that each has a message in both languages.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The stable name: the JSON `code`.
            pub fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$variant => $name,)* }
            }

            /// Who is at fault.
            pub fn class(self) -> Class {
                match self { $(ErrorCode::$variant => Class::$class,)* }
            }
        }
    };
}

codes! {
    // The request itself.
    Malformed = "malformed" => Malformed,
    TooLarge = "too_large" => TooLarge,
    UnsupportedMediaType = "unsupported_media_type" => UnsupportedMediaType,
    NoSuchPage = "no_such_page" => NotFound,
    MethodNotAllowed = "method_not_allowed" => MethodNotAllowed,
    CsrfExpired = "csrf_expired" => Forbidden,
    // Signing in.
    Unauthenticated = "unauthenticated" => Unauthenticated,
    WrongCredentials = "wrong_credentials" => Unauthenticated,
    Throttled = "throttled" => Throttled,
    WrongPassword = "wrong_password" => Invalid,
    PasswordTooShort = "password_too_short" => Invalid,
    PasswordIsEmail = "password_is_email" => Invalid,
    PasswordWeak = "password_weak" => Invalid,
    // Who may do what.
    DashboardForbidden = "dashboard_forbidden" => Forbidden,
    OutboxForbidden = "outbox_forbidden" => Forbidden,
    MessageNotFound = "message_not_found" => NotFound,
    MessageNotFailed = "message_not_failed" => Conflict,
    EventsForbidden = "events_forbidden" => Forbidden,
    EventOutsideLead = "event_outside_lead" => Forbidden,
    PeopleForbidden = "people_forbidden" => Forbidden,
    AuditForbidden = "audit_forbidden" => Forbidden,
    LeaveForbidden = "leave_forbidden" => Forbidden,
    OneOffForbidden = "one_off_forbidden" => Forbidden,
    CatalogueForbidden = "catalogue_forbidden" => Forbidden,
    // Things that are not there.
    TaskNotFound = "task_not_found" => NotFound,
    StaffNotFound = "staff_not_found" => NotFound,
    TemplateNotFound = "template_not_found" => NotFound,
    PositionNotFound = "position_not_found" => NotFound,
    DepartmentNotFound = "department_not_found" => NotFound,
    TokenNotFound = "token_not_found" => NotFound,
    FeedNotFound = "feed_not_found" => NotFound,
    LinkInvalid = "link_invalid" => NotFound,
    LeaveNotFound = "leave_not_found" => NotFound,
    // Values.
    InvalidDate = "invalid_date" => Invalid,
    EventDateOutOfReach = "event_date_out_of_reach" => Invalid,
    ControlCharacter = "control_character" => Invalid,
    InvalidChoice = "invalid_choice" => Invalid,
    OutOfRange = "out_of_range" => Invalid,
    TooLong = "too_long" => Invalid,
    UnknownPosition = "unknown_position" => Invalid,
    NoSuchEmail = "no_such_email" => Invalid,
    Required = "required" => Invalid,
    BadEmail = "bad_email" => Invalid,
    EmailTaken = "email_taken" => Invalid,
    NotHolder = "not_holder" => Invalid,
    LeaveReversed = "leave_reversed" => Invalid,
    LeaveOverlaps = "leave_overlaps" => Invalid,
    HalfDayOneDay = "half_day_one_day" => Invalid,
    LeaveTooLong = "leave_too_long" => Invalid,
    LeaveAnswered = "leave_answered" => Conflict,
    LeaveOver = "leave_over" => Conflict,
    TransferSame = "transfer_same" => Invalid,
    EndBeforeStart = "end_before_start" => Invalid,
    DueInPast = "due_in_past" => Invalid,
    CsvRow = "csv_row" => Invalid,
    CsvHeader = "csv_header" => Invalid,
    HeadcountFull = "headcount_full" => Invalid,
    EventName = "event_name" => Invalid,
    UnknownEvent = "unknown_event" => Invalid,
    EventDate = "event_date" => Invalid,
    PeriodReversed = "period_reversed" => Invalid,
    PeriodTooLong = "period_too_long" => Invalid,
    NoFigures = "no_figures" => Invalid,
    FiguresNotObject = "figures_not_object" => Invalid,
    Catalog = "catalog" => Invalid,
    // Completing a task.
    NoteRequired = "note_required" => Invalid,
    SignoffRequired = "signoff_required" => Invalid,
    FigureUnknown = "figure_unknown" => Invalid,
    FigureRequired = "figure_required" => Invalid,
    NotNegative = "not_negative" => Invalid,
    NotInteger = "not_integer" => Invalid,
    NotNumber = "not_number" => Invalid,
    NotText = "not_text" => Invalid,
    NotYesNo = "not_yes_no" => Invalid,
    ReasonRequired = "reason_required" => Invalid,
    AlreadyDone = "already_done" => Conflict,
    SkippedReopenFirst = "skipped_reopen_first" => Conflict,
    DoneReopenFirst = "done_reopen_first" => Conflict,
    NotFinished = "not_finished" => Conflict,
    UndoExpired = "undo_expired" => Conflict,
    TaskCancelled = "task_cancelled" => Conflict,
    EffectiveInPast = "effective_in_past" => Invalid,
    TemplateIdFixed = "template_id_fixed" => Invalid,
    TemplateIdTaken = "template_id_taken" => Invalid,
    PositionHasHolders = "position_has_holders" => Conflict,
    ChangedMeanwhile = "changed_meanwhile" => Conflict,
    // Ours.
    NotImported = "not_imported" => Unavailable,
    Unavailable = "unavailable" => Unavailable,
    Internal = "internal" => Internal,
}

impl ErrorCode {
    /// The message's key in the locale files.
    pub fn key(self) -> String {
        format!("error-{}", self.as_str())
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error: what went wrong (code and message arguments), where (field), and why
/// (the cause, for the log only).
#[derive(Debug)]
pub struct AppError {
    pub code: ErrorCode,
    /// The message's arguments, by name.
    pub args: Vec<(&'static str, String)>,
    /// The request field at fault, as the API names it.
    pub field: Option<String>,
    /// Seconds to wait before trying again (`Retry-After`).
    pub retry_after: Option<i64>,
    /// The cause, with its context; never shown to the person.
    pub cause: Option<anyhow::Error>,
}

impl AppError {
    /// An error with no field and no cause.
    pub fn new(code: ErrorCode) -> Self {
        AppError { code, args: Vec::new(), field: None, retry_after: None, cause: None }
    }

    /// A bad value in `field`.
    pub fn invalid(field: impl Into<String>, code: ErrorCode) -> Self {
        AppError { field: Some(field.into()), ..AppError::new(code) }
    }

    /// Our fault: stored data or a step that should not fail did. `context` is logged.
    pub fn internal(context: impl std::fmt::Display) -> Self {
        AppError { cause: Some(anyhow::anyhow!("{context}")), ..AppError::new(ErrorCode::Internal) }
    }

    /// Stored data that does not read back (a spec, a time zone, a status).
    pub fn corrupt(context: impl std::fmt::Display) -> Self {
        AppError::internal(format_args!("stored data is inconsistent: {context}"))
    }

    /// A blocking task that panicked or was cancelled.
    pub fn panicked(what: &str, e: impl std::fmt::Display) -> Self {
        AppError::internal(format_args!("{what} did not finish: {e}"))
    }

    /// The same error again, for another request that met it: the cause as text.
    pub fn copied(&self) -> AppError {
        AppError {
            code: self.code,
            args: self.args.clone(),
            field: self.field.clone(),
            retry_after: self.retry_after,
            cause: self.cause.as_ref().map(|c| anyhow::anyhow!("{c:#}")),
        }
    }

    /// Names another field at fault, when a field is (a value checked for one field of
    /// the request that another's check found wrong).
    pub fn at(mut self, field: &str) -> Self {
        if self.field.is_some() {
            self.field = Some(field.to_string());
        }
        self
    }

    /// Adds an argument of the message.
    pub fn arg(mut self, name: &'static str, value: impl ToString) -> Self {
        self.args.push((name, value.to_string()));
        self
    }

    /// Keeps `cause` for the log.
    pub fn caused_by(mut self, cause: impl Into<anyhow::Error>) -> Self {
        self.cause = Some(cause.into());
        self
    }

    /// Who is at fault.
    pub fn class(&self) -> Class {
        self.code.class()
    }

    /// Whether the caller caused it (exit code 2, HTTP 4xx).
    pub fn is_bad_input(&self) -> bool {
        self.class().status() < 500
    }

    /// The message in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        let args: Vec<(&str, &str)> = self.args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        Tr(lang).args(&self.code.key(), &args)
    }

    /// The message and its cause, for logs and the command line.
    pub fn detail(&self) -> String {
        match self.cause_chain() {
            Some(cause) => format!("{self}: {cause}"),
            None => self.to_string(),
        }
    }

    /// The cause chain for the log, if any.
    pub fn cause_chain(&self) -> Option<String> {
        self.cause.as_ref().map(|c| format!("{c:#}"))
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let message = self.message(Lang::En);
        match &self.field {
            Some(field) => write!(f, "{field}: {message}"),
            None => f.write_str(&message),
        }
    }
}

impl std::error::Error for AppError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.cause.as_ref().map(|c| c.as_ref() as &(dyn std::error::Error + 'static))
    }
}

impl From<DbError> for AppError {
    fn from(e: DbError) -> Self {
        let code = match &e {
            DbError::Query(diesel::result::Error::NotFound) => ErrorCode::NoSuchPage,
            DbError::Query(diesel::result::Error::DatabaseError(kind, info))
                if storage_trouble(kind, info.message()) =>
            {
                ErrorCode::Unavailable
            }
            // PostgreSQL's text cannot hold a NUL character (SQLite's can); whatever
            // input brought one is refused as the control character it is.
            DbError::Query(diesel::result::Error::DatabaseError(_, info))
                if info.message().contains("invalid byte sequence") && info.message().contains("0x00") =>
            {
                ErrorCode::ControlCharacter
            }
            DbError::Query(_) | DbError::Migrate(_) => ErrorCode::Internal,
            DbError::Connect(_) | DbError::Pool(_) => ErrorCode::Unavailable,
        };
        AppError::new(code).caused_by(e)
    }
}

/// Whether a database error says the storage, not the statement, is at fault: a
/// full disk, a read-only file or database, an I/O error. Such a request gets a 503
/// (try again later), not a 500.
fn storage_trouble(kind: &diesel::result::DatabaseErrorKind, message: &str) -> bool {
    use diesel::result::DatabaseErrorKind as K;
    const STORAGE: [&str; 7] = [
        "database or disk is full",
        "readonly database",
        "disk I/O error",
        "No space left on device",
        "could not extend file",
        "could not write",
        "read-only transaction",
    ];
    matches!(kind, K::ClosedConnection | K::ReadOnlyTransaction | K::SerializationFailure)
        || STORAGE.iter().any(|s| message.contains(s))
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        DbError::Query(e).into()
    }
}

impl From<CatalogError> for AppError {
    fn from(e: CatalogError) -> Self {
        AppError::invalid(e.key.clone(), ErrorCode::Catalog).arg("problem", &e)
    }
}

impl From<FieldError> for AppError {
    fn from(e: FieldError) -> Self {
        let err = AppError::invalid(e.field, e.code);
        match e.max {
            Some(max) => err.arg("max", max),
            None => err,
        }
    }
}

impl From<Refused> for AppError {
    fn from(r: Refused) -> Self {
        let err = AppError::new(r.0);
        match r.0 {
            ErrorCode::UndoExpired => err.arg("minutes", UNDO_MINUTES),
            _ => err,
        }
    }
}

/// Result of a use case.
pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_a_distinct_name_and_a_message_in_both_languages() {
        let mut names: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ErrorCode::ALL.len());
        for code in ErrorCode::ALL {
            for lang in [Lang::Zh, Lang::En] {
                assert!(crate::i18n::has(lang, &code.key()), "{lang:?} has no message for {code}");
            }
        }
    }

    #[test]
    fn statuses_and_exit_codes_follow_the_class() {
        assert_eq!(ErrorCode::NotImported.class().status(), 503);
        assert_eq!(ErrorCode::NotImported.class().exit_code(), 1);
        assert_eq!(ErrorCode::TaskNotFound.class().status(), 404);
        assert_eq!(ErrorCode::FigureRequired.class().exit_code(), 2);
        let e: AppError = DbError::Query(diesel::result::Error::NotFound).into();
        assert_eq!((e.code, e.class().status()), (ErrorCode::NoSuchPage, 404));
    }

    #[test]
    fn messages_take_their_arguments_in_each_language() {
        let e = AppError::invalid("to", ErrorCode::PeriodTooLong).arg("max", 366);
        assert_eq!(e.message(Lang::En), "a period is at most 366 days");
        assert_eq!(e.message(Lang::Zh), "时段最长 366 天");
        assert_eq!(e.to_string(), "to: a period is at most 366 days");
        let e = AppError::new(ErrorCode::Throttled).arg("seconds", 1);
        assert_eq!(e.message(Lang::En), "too many failed sign-ins; try again in 1 second");
    }
}
