//! 导入员工: a CSV file uploaded, its plan shown (nothing changed yet), then applied.

use super::{chrome, csrf_ok, flash, html, see_other, signed_in, Chrome};
use crate::error::{AppError, ErrorCode};
use crate::i18n::Lang;
use crate::services::people_import::{self, ImportReport};
use crate::web::{blocking, error, AppState};
use actix_multipart::form::{bytes::Bytes, text::Text, MultipartForm};
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;

#[derive(Template)]
#[template(path = "pages/import.html")]
struct ImportPage {
    c: Chrome,
    report: Option<ImportReport>,
    /// The file's text, carried to the apply form.
    csv: String,
}

async fn page(state: web::Data<AppState>, session: Session) -> HttpResponse {
    let v = match signed_in(&state, &session).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let c = chrome(&session, &v, "/admin/people/import");
    if !v.manages_people() {
        return error::page(c, &AppError::new(ErrorCode::PeopleForbidden));
    }
    html(StatusCode::OK, &ImportPage { c, report: None, csv: String::new() })
}

#[derive(MultipartForm)]
struct Upload {
    csrf: Option<Text<String>>,
    /// The file, on the first step.
    file: Option<Bytes>,
    /// The text of the planned file, on the second.
    csv: Option<Text<String>>,
    /// Present when the plan is to be applied.
    apply: Option<Text<String>>,
}

async fn upload(
    state: web::Data<AppState>,
    session: Session,
    MultipartForm(form): MultipartForm<Upload>,
) -> HttpResponse {
    let v = match signed_in(&state, &session).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let c = chrome(&session, &v, "/admin/people/import");
    if !csrf_ok(&session, form.csrf.as_ref().map(|t| t.as_str())) {
        return error::page(c, &AppError::new(ErrorCode::CsrfExpired));
    }
    let bytes: Vec<u8> = match (&form.csv, &form.file) {
        (Some(text), _) if !text.is_empty() => text.as_bytes().to_vec(),
        (_, Some(file)) if !file.data.is_empty() => file.data.to_vec(),
        _ => {
            let e = AppError::invalid("csv", ErrorCode::Required);
            let alert = format!("{}: {}", c.tr.t("field_csv"), e.message(c.tr.0));
            let page = ImportPage { c: Chrome { alert: Some(alert), ..c }, report: None, csv: String::new() };
            return html(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let dry = form.apply.is_none();
    let lang = Lang::from_locale(&v.locale);
    let (st, text) = (state.clone(), people_import::decode(&bytes));
    let run =
        blocking(move || people_import::import(&st.pool, &v, &bytes, dry, lang, &st.settings.base_url, st.clock.now()))
            .await;
    match run {
        Ok(r) if r.applied => {
            flash(&session, c.tr.with("import_applied", "n", &r.rows.len().to_string()));
            see_other("/admin/people")
        }
        Ok(r) => {
            let status = if r.problems.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
            html(status, &ImportPage { c, report: Some(r), csv: text })
        }
        Err(e) => error::page(c, &e),
    }
}

/// Mounts these routes (before `/admin/people/{id}`).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/people/import", web::get().to(page)).route("/admin/people/import", web::post().to(upload));
}
