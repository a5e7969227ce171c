//! The answers every operation can give for reasons outside its handler, added to
//! the API document in one place, as `web::error` maps them in one place: a
//! request that cannot be read (400), no or a revoked token (401), an id that
//! names nothing (404), a body too large (413) or not JSON (415), a value that
//! breaks a rule the schema cannot say (422), and storage that cannot be written
//! (503). Each carries the JSON error body.

use utoipa::openapi::path::Operation;
use utoipa::openapi::schema::Ref;
use utoipa::openapi::{ContentBuilder, ResponseBuilder};
use utoipa::Modify;

/// Adds the common answers to each operation that can give them.
pub struct CommonAnswers;

/// Adds `status` with `description` and the error body, unless the handler documents it.
fn answer(op: &mut Operation, status: &str, description: &str) {
    if op.responses.responses.contains_key(status) {
        return;
    }
    let content = ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build();
    let response = ResponseBuilder::new().description(description).content("application/json", content).build();
    op.responses.responses.insert(status.to_string(), response.into());
}

impl Modify for CommonAnswers {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            let has_path_param = path.contains('{');
            let ops = [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch];
            for op in ops.into_iter().flatten() {
                let has_query = op.parameters.as_ref().is_some_and(|p| !p.is_empty());
                let has_body = op.request_body.is_some();
                let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
                if has_query || has_body {
                    answer(op, "400", "The request could not be read: a parameter or the body is malformed");
                    answer(op, "422", "A value breaks a rule: out of range, a control character, an unknown id");
                }
                if secured {
                    answer(op, "401", "Not signed in: no token, or an expired or revoked one");
                }
                if has_path_param {
                    answer(op, "404", "Nothing has that id");
                }
                if has_body {
                    answer(op, "413", "The body is too large");
                    answer(op, "415", "The body is not of the declared content type");
                }
                answer(op, "503", "The database cannot be reached or written; try again later");
            }
        }
    }
}
