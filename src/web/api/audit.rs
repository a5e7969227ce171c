//! `GET /api/v1/audit` and `/api/v1/audit.csv`: the audit log for admins.

use crate::domain::task::StaffId;
use crate::i18n::{Lang, Tr};
use crate::services::audit::{self, AuditEntry, AuditFilter};
use crate::web::auth::Authed;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::{blocking, AppState};
use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Deserialize, utoipa::IntoParams)]
pub(crate) struct AuditQuery {
    /// First day (UTC), default 30 days before `until`.
    from: Option<NaiveDate>,
    /// Last day (UTC, inclusive), default today.
    until: Option<NaiveDate>,
    /// Actions starting with this: `holding`, `leave.add`, `account`…
    action: Option<String>,
    /// Only changes by this staff member.
    actor: Option<i64>,
    /// 1–1000, default 200.
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<i64>,
}

impl AuditQuery {
    fn filter(self) -> AuditFilter {
        AuditFilter {
            from: self.from,
            until: self.until,
            action: self.action.filter(|a| !a.is_empty()),
            actor: self.actor.map(StaffId),
            limit: self.limit,
        }
    }
}

/// One change.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AuditEntryJson {
    pub id: i64,
    pub at: chrono::DateTime<chrono::Utc>,
    pub actor_id: Option<i64>,
    /// The person's name; empty for the command line or the system.
    pub actor: String,
    /// `holding.add`, `holding.change`, `holding.end`, `leave.add`, `account.invite`,
    /// `account.set_password`, `account.change_password`, `account.sign_out_everywhere`.
    pub action: String,
    /// `staff:7`, `position:logistics.warehouse-keeper`.
    pub subject: String,
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
}

/// The changes asked for, newest first.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AuditLog {
    pub entries: Vec<AuditEntryJson>,
}

impl From<AuditEntry> for AuditEntryJson {
    fn from(e: AuditEntry) -> Self {
        AuditEntryJson {
            id: e.id,
            at: e.at,
            actor_id: e.actor_id,
            actor: e.actor,
            action: e.action,
            subject: e.subject,
            before: e.before,
            after: e.after,
        }
    }
}

/// The audit log (admins only).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", security(("bearer" = [])), params(AuditQuery),
    responses((status = 200, body = AuditLog), (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody)))]
#[get("/audit")]
async fn list(
    state: web::Data<AppState>,
    Authed(v): Authed,
    q: web::Query<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    let filter = q.into_inner().filter();
    let entries = blocking(move || audit::list(&state.pool, &v, &filter, state.clock.now())).await?;
    Ok(HttpResponse::Ok().json(AuditLog { entries: entries.into_iter().map(AuditEntryJson::from).collect() }))
}

/// The same as CSV, headers in the language of `Accept-Language` (Chinese by default).
#[utoipa::path(get, path = "/api/v1/audit.csv", tag = "audit", security(("bearer" = [])), params(AuditQuery),
    responses((status = 200, content_type = "text/csv"), (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody)))]
#[get("/audit.csv")]
async fn csv(
    state: web::Data<AppState>,
    req: HttpRequest,
    Authed(v): Authed,
    q: web::Query<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    let lang = Lang::from_accept(req.headers().get("accept-language").and_then(|h| h.to_str().ok()), Lang::Zh);
    let filter = q.into_inner().filter();
    let entries = blocking(move || audit::list(&state.pool, &v, &filter, state.clock.now())).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(("Content-Disposition", "attachment; filename=\"dutyday-audit.csv\""))
        .body(audit::to_csv(&entries, Tr(lang))))
}

/// Mounts these routes (inside `/api/v1`).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(list).service(csv);
}
