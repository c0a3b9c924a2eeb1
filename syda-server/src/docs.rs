//! The OpenAPI 3.1 document, built from the handlers' annotations, and the
//! Swagger UI (`/docs`) and ReDoc (`/redoc`) pages. Their scripts are
//! vendored in `assets/` (from the npm packages `swagger-ui-dist` and
//! `redoc`, see `scripts/vendor-docs-assets.sh`) and compiled into the
//! binary: the pages work with no network, and the build needs none.

use axum::Json;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::routes::{admin, generate, health, jobs, projects, uploads};
use crate::{db, dto, error, extract, infer};

/// The API description.
#[derive(OpenApi)]
#[openapi(
    info(title = "syda-server", description = "Synthetic data as a service: projects, an audit trail, generation from schemas and uploads. \
        Send `Authorization: Bearer <key>`; in Swagger UI, press Authorize first. The examples work in Try it out once project `demo` exists (create it with `POST /projects`, whose example names it)."),
    paths(
        projects::create, projects::list, projects::get, projects::transactions,
        generate::generate, generate::test_data,
        uploads::generate, uploads::unstructured, uploads::unstructured_generate,
        jobs::status, jobs::result, admin::create_key, admin::audit, health::healthz, health::readyz,
    ),
    components(schemas(
        error::ErrorBody, error::ErrorDetail, db::Project, db::Transaction, crate::jobs::JobStatus,
        dto::CreateProject, dto::GenerateRequest, dto::GenerateResponse, dto::JobAccepted, dto::UploadForm, dto::WorkbookForm, dto::DocumentForm,
        dto::UnstructuredResponse, dto::ExtractedView, dto::TablePreview, dto::TransactionPage, dto::CreateKey,
        dto::KeyCreated, dto::EngineName, dto::FormatName, dto::Health, extract::FileKind, extract::ImageInfo, infer::RawTable,
    )),
    modifiers(&BearerKey),
    tags(
        (name = "projects", description = "Projects and their audit trail"),
        (name = "generate", description = "Rows from a schema"),
        (name = "upload", description = "Rows and schemas from files"),
        (name = "jobs", description = "Large requests running in the background"),
        (name = "admin", description = "API keys and the whole audit trail (admin keys only)"),
        (name = "health", description = "Liveness and readiness"),
    )
)]
#[derive(Debug)]
pub struct ApiDoc;

struct BearerKey;

impl Modify for BearerKey {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("api_key", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    }
}

const SWAGGER_JS: &[u8] = include_bytes!("../assets/swagger-ui-bundle.js");
const SWAGGER_CSS: &[u8] = include_bytes!("../assets/swagger-ui.css");
const REDOC_JS: &[u8] = include_bytes!("../assets/redoc.standalone.js");

const SWAGGER_PAGE: &str = r##"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>syda-server API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true });</script>
</body></html>"##;

const REDOC_PAGE: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>syda-server API</title></head>
<body><redoc spec-url="/openapi.json"></redoc>
<script src="/redoc/redoc.standalone.js"></script>
</body></html>"#;

/// `GET /openapi.json`.
pub async fn openapi_json() -> Response {
    Json(ApiDoc::openapi()).into_response()
}

/// `GET /docs`: Swagger UI.
pub async fn swagger_page() -> Html<&'static str> {
    Html(SWAGGER_PAGE)
}

/// `GET /redoc`: ReDoc.
pub async fn redoc_page() -> Html<&'static str> {
    Html(REDOC_PAGE)
}

fn asset(content_type: &'static str, body: &'static [u8]) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        body,
    )
        .into_response()
}

/// `GET /docs/swagger-ui-bundle.js`.
pub async fn swagger_js() -> Response {
    asset("text/javascript; charset=utf-8", SWAGGER_JS)
}

/// `GET /docs/swagger-ui.css`.
pub async fn swagger_css() -> Response {
    asset("text/css; charset=utf-8", SWAGGER_CSS)
}

/// `GET /redoc/redoc.standalone.js`.
pub async fn redoc_js() -> Response {
    asset("text/javascript; charset=utf-8", REDOC_JS)
}
