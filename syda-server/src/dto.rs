//! Request and response bodies, as the OpenAPI document describes them.
//! Every field a client may send is checked by [`crate::input`] first:
//! names against [`crate::input::NAME_PATTERN`], text for control characters.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, OneOfBuilder, Schema, SchemaType, Type};
use utoipa::{IntoParams, ToSchema};

use crate::db::Transaction;
use crate::extract::{FileKind, ImageInfo};

/// `POST /projects` body.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({ "name": "demo", "description": "Synthetic customers for the staging database" }))]
pub struct CreateProject {
    /// Unique name: letters, digits, `-`, `_`, `.`; 1 to 100 characters.
    #[schema(pattern = r"^[A-Za-z0-9._-]{1,100}$", min_length = 1, max_length = 100)]
    pub name: String,
    /// Free text without control characters (tabs and line breaks allowed).
    #[serde(default)]
    #[schema(pattern = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]*$")]
    pub description: String,
}

/// The engine that writes the rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum EngineName {
    /// Rows from the schema alone (the default).
    #[default]
    Offline,
    /// Rows written by the language model the server is configured with.
    Llm,
    /// Rows sampled from the fitted models in `fitted`.
    Stats,
}

impl EngineName {
    /// `offline`, `llm` or `stats`.
    pub fn as_str(self) -> &'static str {
        match self {
            EngineName::Offline => "offline",
            EngineName::Llm => "llm",
            EngineName::Stats => "stats",
        }
    }
}

/// How generated rows are returned.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum FormatName {
    /// `{project, engine, seed, rows, tables}` (the default).
    #[default]
    Json,
    /// One table as `text/csv`: the only one, or the one named by `table`.
    Csv,
}

/// `schema`: a document as text, or the JSON object itself; `null` only with `engine: stats`.
fn schema_field() -> Schema {
    Schema::OneOf(
        OneOfBuilder::new()
            .item(
                ObjectBuilder::new()
                    .schema_type(SchemaType::Type(Type::String))
                    .description(Some("a YAML or JSON schema document")),
            )
            .item(
                ObjectBuilder::new()
                    .schema_type(SchemaType::Type(Type::Object))
                    .description(Some("the schema as a JSON object")),
            )
            .item(
                ObjectBuilder::new()
                    .schema_type(SchemaType::Type(Type::Null))
                    .description(Some("with `engine: stats`: the tables of the `fitted` models")),
            )
            .build(),
    )
}

/// `fitted`: one fitted model or an array of them.
fn fitted_field() -> Schema {
    let model = || ObjectBuilder::new().schema_type(SchemaType::Type(Type::Object));
    Schema::OneOf(
        OneOfBuilder::new()
            .item(
                ArrayBuilder::new()
                    .items(RefOr::T(Schema::Object(model().build())))
                    .min_items(Some(1)),
            )
            .item(model().description(Some("one model")))
            .item(ObjectBuilder::new().schema_type(SchemaType::Type(Type::Null)))
            .build(),
    )
}

/// `sizes`: table name → rows.
fn sizes_field() -> Schema {
    let name = ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::String))
        .pattern(Some(crate::input::TEXT_PATTERN));
    let rows = ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::Integer))
        .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
            utoipa::openapi::KnownFormat::Int64,
        )))
        .minimum(Some(0.0));
    Schema::Object(
        ObjectBuilder::new()
            .schema_type(SchemaType::Type(Type::Object))
            .property_names(Some(name))
            .additional_properties(Some(rows))
            .build(),
    )
}

/// The example body of the generation endpoints: two related tables.
pub(crate) const GENERATE_EXAMPLE_SCHEMA: &str = "tables:\n  customers:\n    columns:\n      id: { type: integer, primary_key: true }\n      name: name\n      email: email\n  orders:\n    columns:\n      id: { type: integer, primary_key: true }\n      customer_id: { type: integer, foreign_key: customers.id }\n      total: { type: decimal, range: [1, 500] }\n";

/// `POST /generate` and `POST /generate/test-data` body.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "project": "demo",
    "schema": GENERATE_EXAMPLE_SCHEMA,
    "rows": 5, "sizes": { "orders": 10 }, "seed": 7, "null_rate": 0.1, "engine": "offline", "format": "json"
}))]
pub struct GenerateRequest {
    /// The project the rows are for.
    #[schema(pattern = r"^[A-Za-z0-9._-]{1,100}$", min_length = 1, max_length = 100)]
    pub project: String,
    /// The schema: a YAML or JSON document as text, or the JSON object
    /// itself (the `tables:` form, one table's `columns:`, or the seed's
    /// flat `{column: type}` map). With `engine: stats` it may be `null`:
    /// the tables of the `fitted` models.
    #[schema(schema_with = schema_field)]
    pub schema: Value,
    /// Rows per table (default 100; 10 for test data).
    #[schema(minimum = 0)]
    pub rows: Option<u64>,
    /// Rows for named tables.
    #[serde(default)]
    #[schema(schema_with = sizes_field)]
    pub sizes: BTreeMap<String, u64>,
    /// Seed; the same request gives the same rows (default 0).
    #[schema(minimum = 0)]
    pub seed: Option<u64>,
    /// Share of NULLs in nullable columns, 0 to 1.
    #[schema(minimum = 0.0, maximum = 1.0)]
    pub null_rate: Option<f64>,
    /// The engine (default `offline`).
    #[serde(default)]
    pub engine: EngineName,
    /// Instructions for the `llm` engine ("B2B customers in Europe"),
    /// added to every table's request; recorded (with anything shaped like
    /// an API key replaced by `[redacted]`), unused by the other engines.
    #[schema(pattern = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]*$")]
    pub prompt: Option<String>,
    /// For `engine: stats`: the fitted models (the JSON `syda fit` writes),
    /// an array of them or one. Tables of the schema with a model are
    /// sampled from it; the others come from the offline engine.
    #[schema(schema_with = fitted_field)]
    pub fitted: Option<Value>,
    /// `json` (default) or `csv` (one table).
    #[serde(default)]
    pub format: FormatName,
    /// Return only this table (its parents are still generated).
    #[schema(pattern = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]*$")]
    pub table: Option<String>,
}

/// The JSON answer of a generation (CSV answers are the table's CSV text).
#[derive(Debug, Serialize, ToSchema)]
pub struct GenerateResponse {
    /// Project.
    pub project: String,
    /// Engine used.
    pub engine: EngineName,
    /// Seed used.
    pub seed: u64,
    /// Rows per table.
    pub rows: BTreeMap<String, u64>,
    /// Rows as objects, per table.
    #[schema(value_type = Object)]
    pub tables: Value,
    /// For test data: whether every row satisfies the schema, and the report.
    #[schema(value_type = Option<Object>)]
    pub check: Option<Value>,
    /// For uploads: the schema the rows follow (the fitted models' tables,
    /// or inferred from the file).
    #[schema(value_type = Option<Object>)]
    pub schema: Option<Value>,
    /// For uploads: per table, how its rows were made —
    /// `{"method": "stats", "rows": <rows fitted>}`, or `{"method":
    /// "inferred", "reason": "…"}` when the table could not be fitted
    /// (no data rows) and its schema was inferred instead.
    #[schema(value_type = Option<Object>)]
    pub fit: Option<Value>,
    /// For `engine: llm`: requests, retries, cache hits, input and output
    /// tokens, rows, rejected rows and estimated `cost_usd` (null when the
    /// model's price is unknown).
    #[schema(value_type = Option<Object>)]
    pub usage: Option<Value>,
}

/// The answer when a request runs as a background job.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobAccepted {
    /// Job id.
    pub job_id: String,
    /// Always `running`.
    pub status: String,
    /// Rows to generate.
    pub total: u64,
    /// Poll here for status and progress.
    pub status_url: String,
    /// Download here once succeeded.
    pub result_url: String,
}

/// Multipart form of `POST /upload/generate`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UploadForm {
    /// The project.
    #[schema(pattern = r"^[A-Za-z0-9._-]{1,100}$", example = "demo")]
    pub project: String,
    /// The CSV file.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    /// Rows to generate (default: as many as the file has).
    #[schema(example = 10)]
    pub rows: Option<u64>,
    /// Seed (default 0).
    #[schema(example = 7)]
    pub seed: Option<u64>,
    /// `json` (default) or `csv`.
    #[serde(default)]
    pub format: FormatName,
}

/// Multipart form of `POST /upload/unstructured/generate`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkbookForm {
    /// The project.
    #[schema(pattern = r"^[A-Za-z0-9._-]{1,100}$", example = "demo")]
    pub project: String,
    /// The XLSX workbook.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    /// Rows per sheet (default: as many as each sheet has).
    #[schema(example = 10)]
    pub rows: Option<u64>,
    /// Seed (default 0).
    #[schema(example = 7)]
    pub seed: Option<u64>,
    /// `json` (default) or `csv` (one sheet: the only one, or the one named by `table`).
    #[serde(default)]
    pub format: FormatName,
    /// Return only this sheet, by its name or its table name (`Products` or
    /// `products`); with `format=csv` needed when there are several.
    #[schema(
        pattern = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]*$",
        example = "products"
    )]
    pub table: Option<String>,
}

/// Multipart form of `POST /upload/unstructured`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentForm {
    /// The project.
    #[schema(pattern = r"^[A-Za-z0-9._-]{1,100}$", example = "demo")]
    pub project: String,
    /// The document or image.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}

/// `POST /upload/unstructured` answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnstructuredResponse {
    /// What was read.
    #[serde(flatten)]
    pub extracted: ExtractedView,
    /// Schema inferred from the tables found, or null if there are none.
    #[schema(value_type = Option<Object>)]
    pub schema: Option<Value>,
}

/// Extracted content with table previews.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExtractedView {
    /// File kind.
    pub kind: FileKind,
    /// Document text.
    pub text: Option<String>,
    /// Tables found, with up to 20 rows each.
    pub tables: Vec<TablePreview>,
    /// Image metadata.
    pub image: Option<ImageInfo>,
}

/// A table found in a file.
#[derive(Debug, Serialize, ToSchema)]
pub struct TablePreview {
    /// Table name.
    pub name: String,
    /// Column names.
    pub headers: Vec<String>,
    /// Rows in the file.
    pub row_count: usize,
    /// The first rows.
    pub rows: Vec<Vec<Option<String>>>,
}

/// A page of audit rows.
#[derive(Debug, Serialize, ToSchema)]
pub struct TransactionPage {
    /// Rows, newest first.
    pub items: Vec<Transaction>,
    /// Rows in all pages.
    pub total: i64,
    /// Page size.
    pub limit: i64,
    /// Rows skipped.
    pub offset: i64,
}

/// Pagination of the audit trail.
#[derive(Debug, Deserialize, Serialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Rows per page (default 50, at most the server's page cap, 500 by default).
    #[param(minimum = 1, maximum = 500, example = 50)]
    pub limit: Option<i64>,
    /// Rows to skip (default 0).
    #[param(minimum = 0, example = 0)]
    pub offset: Option<i64>,
}

/// Filters and pagination of `GET /audit`.
#[derive(Debug, Deserialize, Serialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only rows of this project (any text: the names of refused requests are kept).
    #[param(pattern = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]*$")]
    pub project: Option<String>,
    /// `true`: only rows that name no project, or one that does not exist
    /// (failed authentication, malformed requests, unknown names).
    pub unscoped: Option<bool>,
    /// Only this operation, e.g. `generate` or `generate_job`.
    #[param(pattern = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]*$")]
    pub operation: Option<String>,
    /// Only this HTTP status, e.g. 401.
    #[param(minimum = 100, maximum = 599)]
    pub http_status: Option<i64>,
    /// Only rows of this API key id.
    #[param(pattern = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]*$")]
    pub caller: Option<String>,
    /// Rows per page (default 50, at most the server's page cap, 500 by default).
    #[param(minimum = 1, maximum = 500, example = 50)]
    pub limit: Option<i64>,
    /// Rows to skip (default 0).
    #[param(minimum = 0, example = 0)]
    pub offset: Option<i64>,
}

/// `POST /admin/keys` body.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({ "projects": ["demo"], "admin": false }))]
pub struct CreateKey {
    /// Projects the key may use.
    #[serde(default)]
    #[schema(schema_with = project_names)]
    pub projects: Vec<String>,
    /// Whether the key may use every project and create keys.
    #[serde(default)]
    pub admin: bool,
}

/// A list of project names.
fn project_names() -> Schema {
    let name = ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::String))
        .pattern(Some(crate::input::NAME_PATTERN))
        .min_length(Some(1))
        .max_length(Some(100));
    Schema::Array(
        ArrayBuilder::new()
            .items(RefOr::T(Schema::Object(name.build())))
            .build(),
    )
}

/// A new API key, shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct KeyCreated {
    /// The key: send it as `Authorization: Bearer <key>`. Not stored; not shown again.
    pub key: String,
    /// Its public id, recorded as the caller in audit rows.
    pub id: String,
    /// Projects it may use.
    pub projects: Vec<String>,
    /// Whether it is an admin key.
    pub admin: bool,
}

/// `GET /healthz` and `GET /readyz` answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok` (alive) or `ready` (the database answers).
    pub status: String,
}
