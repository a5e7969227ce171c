//! The OpenAPI 3.1 document, generated from the handlers' annotations, and Swagger UI
//! served from the binary (no internet needed).

use super::contract::CommonAnswers;
use super::views::{
    DashboardJson, DayListJson, LogJson, OutboxJson, OutboxMessageJson, PersonJson, PositionJson, RowJson, TaskChanged,
    TaskJson, TaskWithHistory, TemplateJson,
};
use super::{account, audit, dashboard, events, leave, one_off, outbox, people, staffing, tasks, templates};
use crate::web::error::{ErrorBody, ErrorDetail};
use actix_web::web;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::SwaggerUi;

/// The API as documented.
#[derive(OpenApi)]
#[openapi(
    info(title = "dutyday", description = "An organisation's written duties as everyone's daily work."),
    paths(
        super::healthz, super::readyz, super::positions, templates::list,
        templates::detail, templates::pause, templates::preview, templates::change, templates::add, templates::retire,
        account::issue, account::list, account::revoke, account::change_password, account::sign_out_everywhere,
        tasks::me, tasks::my_tasks, tasks::one_task, tasks::complete, tasks::skip, tasks::reopen,
        events::fire, crate::web::feed::rotate, crate::web::feed::ics, dashboard::json, dashboard::csv,
        outbox::list, outbox::digest, people::list, people::add, people::edit, people::deactivate, people::invite, people::reset, audit::list, audit::csv,
        staffing::list, staffing::assign, staffing::end, staffing::transfer, staffing::import,
        leave::board, leave::ask, leave::record, leave::approve, leave::decline, leave::cancel,
        one_off::assign, one_off::mine,
    ),
    components(schemas(
        ErrorBody, ErrorDetail, TaskJson, DayListJson, LogJson, TaskWithHistory, TaskChanged, PositionJson,
        PersonJson, TemplateJson, tasks::CompleteBody, tasks::SkipBody, account::TokenRequest, account::PasswordChange, events::EventBody,
        DashboardJson, RowJson, OutboxJson, OutboxMessageJson, outbox::DigestBody, people::InvitationSent, people::ResetRequest, people::PersonJson, people::People, people::PersonBody, people::PersonAdded, people::EditBody, people::DeactivateBody, people::Deactivated, audit::AuditLog, audit::AuditEntryJson,
        staffing::TenureJson, staffing::Tenures, staffing::TasksMoved, staffing::AssignBody, staffing::EndBody, staffing::TransferBody,
        super::shapes::Health, super::shapes::Readiness, super::shapes::IssuedToken, super::shapes::TokenJson, super::shapes::Tokens,
        super::shapes::Fired, super::shapes::Me, super::shapes::DigestSetting, super::shapes::FeedUrl, super::shapes::Positions,
        super::shapes::Templates, super::shapes::VersionJson, super::shapes::TemplateDetail, super::shapes::RowAction,
        super::shapes::PlannedRow, super::shapes::ImportPlan, super::shapes::GroupBy, super::shapes::OutboxStatus,
        super::shapes::HalfDay,
        one_off::OneOffBody, one_off::OneOffMade, one_off::OneOffs,
        templates::TemplateBody, templates::RetireBody, templates::Saved, templates::Retired, templates::PreviewJson,
        leave::LeaveJson, leave::LeaveBoardJson, leave::LeaveBody, leave::LeaveMade, leave::AnswerBody, leave::LeaveChanged,
    )),
    modifiers(&BearerAuth, &CommonAnswers),
)]
pub struct ApiDoc;

/// Declares the bearer-token scheme the `security(("bearer" = []))` annotations name.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Mounts `/api/openapi.json` and Swagger UI at `/api/docs` (served from `/api/docs/`).
/// Swagger UI's validator badge would send the document to validator.swagger.io
/// from any host but 127.0.0.1: it is switched off.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/docs", web::get().to(|| async { crate::web::pages::see_other("/api/docs/") })).service(
        SwaggerUi::new("/api/docs/{_:.*}")
            .url("/api/openapi.json", ApiDoc::openapi())
            .config(utoipa_swagger_ui::Config::default().validator_url("none")),
    );
}

/// The methods the API document lists for the path that `path` fills in (`{id}`
/// matching any one segment), upper case; empty when it documents no such path.
pub fn methods_of(path: &str) -> Vec<String> {
    use std::sync::OnceLock;
    static PATHS: OnceLock<Vec<(Vec<String>, Vec<String>)>> = OnceLock::new();
    let paths = PATHS.get_or_init(|| {
        let doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
        let Some(paths) = doc["paths"].as_object() else { return Vec::new() };
        paths
            .iter()
            .map(|(p, item)| {
                let segments = p.split('/').map(str::to_string).collect();
                let methods =
                    item.as_object().map(|o| o.keys().map(|m| m.to_uppercase()).collect()).unwrap_or_default();
                (segments, methods)
            })
            .collect()
    });
    let asked: Vec<&str> = path.split('/').collect();
    let fits =
        |doc: &[String]| doc.len() == asked.len() && doc.iter().zip(&asked).all(|(d, a)| d.starts_with('{') || d == a);
    // A path documented as written (`/people/import`) is that resource alone, not
    // also the `{id}` its shape fits (`/people/{id}`).
    let literal = paths.iter().find(|(p, _)| p.iter().map(String::as_str).eq(asked.iter().copied()));
    if let Some((_, methods)) = literal {
        return methods.clone();
    }
    let mut out: Vec<String> = paths.iter().filter(|(p, _)| fits(p)).flat_map(|(_, m)| m.clone()).collect();
    out.sort();
    out.dedup();
    out
}
