//! The routes, one module per area, and the audit operation of each.

pub(crate) mod admin;
pub(crate) mod generate;
pub(crate) mod health;
pub(crate) mod jobs;
pub(crate) mod projects;
pub(crate) mod uploads;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::Method;
use axum::routing::{get, post};
use tower_http::trace::TraceLayer;

use crate::error::ApiError;
use crate::{AppState, audit, docs};

/// The audit operation of a request: the route's name for API routes,
/// `unknown_endpoint` for anything else that is not documentation or a
/// health check (those are not audited: `None`).
pub(crate) fn operation(method: &Method, route: Option<&str>) -> Option<&'static str> {
    let Some(route) = route else {
        return Some("unknown_endpoint");
    };
    let m = method.as_str();
    Some(match (m, route) {
        ("POST", "/projects") => "create_project",
        ("GET", "/projects") => "list_projects",
        ("GET", "/projects/{name}") => "get_project",
        ("GET", "/projects/{name}/transactions") => "list_transactions",
        ("POST", "/generate") => "generate",
        ("POST", "/generate/test-data") => "generate_test_data",
        ("POST", "/upload/generate") => "upload_generate",
        ("POST", "/upload/unstructured") => "upload_unstructured",
        ("POST", "/upload/unstructured/generate") => "upload_unstructured_generate",
        ("GET", "/jobs/{id}") => "get_job",
        ("GET", "/jobs/{id}/result") => "get_job_result",
        ("POST", "/admin/keys") => "create_key",
        ("GET", "/audit") => "list_audit",
        (_, r)
            if r == "/healthz"
                || r == "/readyz"
                || r == "/openapi.json"
                || r.starts_with("/docs")
                || r.starts_with("/redoc") =>
        {
            return None;
        }
        // A known path with a method it does not have (405).
        _ => "unsupported_method",
    })
}

/// Every route, with the audit layer, request tracing and the body size limit.
pub fn router(state: AppState) -> Router {
    let limit = state.config.max_body_bytes;
    Router::new()
        .route("/projects", post(projects::create).get(projects::list))
        .route("/projects/{name}", get(projects::get))
        .route("/projects/{name}/transactions", get(projects::transactions))
        .route("/generate", post(generate::generate))
        .route("/generate/test-data", post(generate::test_data))
        .route("/upload/generate", post(uploads::generate))
        .route("/upload/unstructured", post(uploads::unstructured))
        .route(
            "/upload/unstructured/generate",
            post(uploads::unstructured_generate),
        )
        .route("/jobs/{id}", get(jobs::status))
        .route("/jobs/{id}/result", get(jobs::result))
        .route("/admin/keys", post(admin::create_key))
        .route("/audit", get(admin::audit))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/openapi.json", get(docs::openapi_json))
        .route("/docs", get(docs::swagger_page))
        .route("/docs/", get(docs::swagger_page))
        .route("/docs/swagger-ui-bundle.js", get(docs::swagger_js))
        .route("/docs/swagger-ui.css", get(docs::swagger_css))
        .route("/redoc", get(docs::redoc_page))
        .route("/redoc/redoc.standalone.js", get(docs::redoc_js))
        .fallback(|| async { ApiError::not_found("no such endpoint; see /docs") })
        .layer(axum::middleware::from_fn_with_state(state.clone(), audit::layer))
        .layer(DefaultBodyLimit::max(limit))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

#[cfg(test)]
mod tests {
    use utoipa::OpenApi;

    use super::*;

    #[test]
    fn every_documented_operation_is_audited_under_its_operation_id() {
        let doc = crate::docs::ApiDoc::openapi();
        let mut seen = std::collections::HashSet::new();
        for (path, item) in &doc.paths.paths {
            for (method, op) in [("GET", &item.get), ("POST", &item.post)] {
                if op.is_none() {
                    continue;
                }
                let method = Method::from_bytes(method.as_bytes()).unwrap();
                let id = op
                    .as_ref()
                    .and_then(|o| o.operation_id.clone())
                    .unwrap_or_default();
                match operation(&method, Some(path)) {
                    None => assert!(path.ends_with('z'), "{path} is not audited"),
                    Some(name) => {
                        assert_eq!(name, id, "{method} {path}: operationId and audit name differ");
                        assert!(seen.insert(name), "{name} twice");
                    }
                }
            }
        }
        assert!(seen.len() >= 13, "{seen:?}");
    }
}
