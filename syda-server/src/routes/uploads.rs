//! Rows and schemas from uploaded files.

use std::collections::BTreeMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::multipart::{MultipartError, MultipartRejection};
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value, json};

use crate::AppState;
use crate::audit::Audit;
use crate::auth::Caller;
use crate::dto::{
    DocumentForm, ExtractedView, GenerateResponse, JobAccepted, TablePreview, UnstructuredResponse,
    UploadForm, WorkbookForm,
};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Extracted, FileKind, extract, read_xlsx};
use crate::fitting::fit_tables;
use crate::generation::{OutFormat, Task};
use crate::infer::{RawTable, infer_schema, read_csv};
use crate::input::{check_int64, check_name, check_text, printable};
use crate::state::blocking;

/// Form fields and the one file of a multipart upload.
#[derive(Debug, Default)]
struct Upload {
    fields: BTreeMap<String, String>,
    file: Option<(String, Bytes)>,
}

impl Upload {
    fn project(&self) -> Result<&str, ApiError> {
        self.fields
            .get("project")
            .map(String::as_str)
            .ok_or_else(|| ApiError::unprocessable("missing_field", "the form needs a `project` field"))
    }

    fn number(&self, name: &str) -> Result<Option<u64>, ApiError> {
        self.fields
            .get(name)
            .map(|v| {
                let n = v.trim().parse().map_err(|_| {
                    ApiError::unprocessable(
                        "bad_field",
                        format!("`{name}` must be a whole number, found `{v}`"),
                    )
                })?;
                check_int64(&format!("`{name}`"), n)
            })
            .transpose()
    }

    fn format(&self) -> Result<OutFormat, ApiError> {
        OutFormat::parse(self.fields.get("format").map(String::as_str))
    }

    fn file(&self) -> Result<(&str, &Bytes), ApiError> {
        self.file
            .as_ref()
            .map(|(n, b)| (n.as_str(), b))
            .ok_or_else(|| ApiError::unprocessable("missing_field", "the form needs a `file` field"))
    }

    fn params(&self) -> Value {
        let mut p: Map<String, Value> = self
            .fields
            .iter()
            .map(|(k, v)| (k.clone(), v.clone().into()))
            .collect();
        if let Some((name, bytes)) = &self.file {
            p.insert("file".into(), json!({ "name": name, "bytes": bytes.len() }));
        }
        Value::Object(p)
    }
}

fn multipart_error(e: MultipartError, limit: usize) -> ApiError {
    let status = e.status();
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(
            status,
            "payload_too_large",
            format!("the upload is larger than this server's limit of {limit} bytes"),
        )
    } else {
        ApiError::new(status, "bad_multipart", e.body_text())
    }
}

/// Reads the form; the project is noted on `audit` as soon as it is read,
/// so a failure later in the body (too large, malformed) is audited under
/// it. Text fields with control characters are refused.
async fn read_upload(
    multipart: Result<Multipart, MultipartRejection>,
    limit: usize,
    fields: &[&str],
    audit: &Audit,
) -> Result<Upload, ApiError> {
    let mut multipart = multipart.map_err(|e| ApiError::new(e.status(), "bad_multipart", e.body_text()))?;
    let mut upload = Upload::default();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| multipart_error(e, limit))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        check_text("a form field name", &name)?;
        if name != "file" && !fields.contains(&name.as_str()) {
            return Err(ApiError::unprocessable(
                "unknown_field",
                format!(
                    "the form has a field `{name}` this endpoint does not read; it reads file, {}",
                    fields.join(", ")
                ),
            ));
        }
        if name == "file" {
            let file_name = field.file_name().unwrap_or("upload").to_owned();
            check_text("the file name", &file_name)?;
            let bytes = field.bytes().await.map_err(|e| multipart_error(e, limit))?;
            upload.file = Some((file_name, bytes));
        } else {
            let text = field.text().await.map_err(|e| multipart_error(e, limit))?;
            if name == "project" {
                audit.project(&text);
            }
            check_text(&format!("the form field `{}`", printable(&name)), &text)?;
            upload.fields.insert(name, text);
        }
    }
    Ok(upload)
}

type Form = Result<Multipart, MultipartRejection>;

/// Reads an upload and checks that the caller may use its project. The
/// audit row gets the parameters and the project on the way.
async fn authorized_upload(
    state: &AppState,
    caller: &Caller,
    form: Form,
    fields: &[&str],
    audit: &Audit,
) -> Result<Upload, ApiError> {
    let upload = read_upload(form, state.config.max_body_bytes, fields, audit).await?;
    audit.parameters(upload.params());
    let project = upload.project()?;
    check_name("project name", project)?;
    state.authorize(caller, project).await?;
    Ok(upload)
}

/// What a parser that panicked answers: the file is the likely cause.
fn parser_panicked() -> ApiError {
    ApiError::unprocessable(
        "malformed_file",
        "the file could not be read (its parser failed on it)",
    )
}

/// Upload a CSV; the statistical engine is fitted to it (types, NULLs,
/// distributions, categories, correlations) and look-alike rows are
/// sampled. A file with no data rows falls back to a schema inferred from
/// its header; the answer's `fit` says which was used.
#[utoipa::path(post, path = "/upload/generate", operation_id = "upload_generate", tag = "upload", request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 200, description = "look-alike rows", content((GenerateResponse = "application/json"), (String = "text/csv"))),
        (status = 202, description = "over the job threshold: a job was started", body = JobAccepted),
        (status = 400, description = "not a multipart form", body = ErrorBody),
        (status = 401, description = "no valid API key", body = ErrorBody),
        (status = 403, description = "the key has no access to the project", body = ErrorBody),
        (status = 404, description = "no such project", body = ErrorBody),
        (status = 413, description = "upload over the size limit", body = ErrorBody),
        (status = 422, description = "missing or unknown field, malformed CSV, too many rows, control characters", body = ErrorBody),
        (status = 500, description = "a server fault", body = ErrorBody)),
    security(("api_key" = [])))]
pub(crate) async fn generate(
    State(state): State<AppState>,
    audit: Audit,
    caller: Caller,
    form: Form,
) -> Result<Response, ApiError> {
    let fields = ["project", "rows", "seed", "format"];
    let upload = authorized_upload(&state, &caller, form, &fields, &audit).await?;
    let (name, bytes) = upload.file()?;
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s).to_owned();
    let bytes = bytes.clone();
    let max_rows = state.config.max_rows;
    let (raw_rows, fitted) = blocking(parser_panicked(), move || {
        let raw = read_csv(&bytes, &stem, max_rows)?;
        Ok((raw.rows.len(), fit_tables(std::slice::from_ref(&raw))?))
    })
    .await?;
    audit.rows_in(raw_rows as u64);
    audit.parameter("fit", fitted.report.clone());
    let mut extra = Map::new();
    extra.insert("schema".into(), fitted.schema.to_json());
    extra.insert("fit".into(), fitted.report);
    let task = Task {
        project: upload.project()?.to_owned(),
        rows: upload.number("rows")?.unwrap_or(raw_rows as u64),
        schema: fitted.schema,
        sizes: Vec::new(),
        seed: upload.number("seed")?.unwrap_or(0),
        null_rate: None,
        format: upload.format()?,
        table: None,
        check: false,
        extra,
        engine: fitted.engine,
    };
    state.dispatch(&audit, "upload_generate", task, &caller).await
}

fn preview(tables: &[RawTable]) -> Vec<TablePreview> {
    tables
        .iter()
        .map(|t| TablePreview {
            name: t.name.clone(),
            headers: t.headers.clone(),
            row_count: t.rows.len(),
            rows: t.rows.iter().take(20).cloned().collect(),
        })
        .collect()
}

/// Upload a document (text, CSV, XLSX, DOCX, PDF) or an image: its text
/// and tables come back, with a schema inferred from the tables; images
/// give their metadata only.
#[utoipa::path(post, path = "/upload/unstructured", operation_id = "upload_unstructured", tag = "upload", request_body(content = DocumentForm, content_type = "multipart/form-data"),
    responses(
        (status = 200, description = "what the file holds", body = UnstructuredResponse),
        (status = 400, description = "not a multipart form", body = ErrorBody),
        (status = 401, description = "no valid API key", body = ErrorBody),
        (status = 403, description = "the key has no access to the project", body = ErrorBody),
        (status = 404, description = "no such project", body = ErrorBody),
        (status = 413, description = "upload over the size limit", body = ErrorBody),
        (status = 415, description = "a file kind the server does not read", body = ErrorBody),
        (status = 422, description = "missing or unknown field, malformed file, control characters", body = ErrorBody),
        (status = 500, description = "a server fault", body = ErrorBody)),
    security(("api_key" = [])))]
pub(crate) async fn unstructured(
    State(state): State<AppState>,
    audit: Audit,
    caller: Caller,
    form: Form,
) -> Result<Json<UnstructuredResponse>, ApiError> {
    let upload = authorized_upload(&state, &caller, form, &["project"], &audit).await?;
    let (name, bytes) = upload.file()?;
    let (name, bytes) = (name.to_owned(), bytes.clone());
    let (max_rows, max_unzipped) = (state.config.max_rows, state.config.max_decompressed_bytes);
    let found: Extracted = blocking(parser_panicked(), move || {
        extract(&bytes, &name, max_rows, max_unzipped)
    })
    .await?;
    audit.rows_in(found.tables.iter().map(|t| t.rows.len() as u64).sum());
    let schema = if found.tables.is_empty() {
        None
    } else {
        Some(infer_schema(&found.tables)?.to_json())
    };
    let extracted = ExtractedView {
        kind: found.kind,
        text: found.text,
        tables: preview(&found.tables),
        image: found.image,
    };
    Ok(Json(UnstructuredResponse { extracted, schema }))
}

/// Upload an XLSX workbook: every sheet becomes a table (first row the
/// header), is fitted like a CSV upload (`fit` says how, per sheet) and
/// look-alike rows are sampled per sheet. `format=csv` returns one sheet:
/// the only one, or the one named by `table`.
#[utoipa::path(post, path = "/upload/unstructured/generate", operation_id = "upload_unstructured_generate", tag = "upload", request_body(content = WorkbookForm, content_type = "multipart/form-data"),
    responses(
        (status = 200, description = "look-alike rows per sheet", content((GenerateResponse = "application/json"), (String = "text/csv"))),
        (status = 202, description = "over the job threshold: a job was started", body = JobAccepted),
        (status = 400, description = "not a multipart form", body = ErrorBody),
        (status = 401, description = "no valid API key", body = ErrorBody),
        (status = 403, description = "the key has no access to the project", body = ErrorBody),
        (status = 404, description = "no such project", body = ErrorBody),
        (status = 413, description = "upload over the size limit", body = ErrorBody),
        (status = 415, description = "a file kind the server does not read", body = ErrorBody),
        (status = 422, description = "missing or unknown field, not a readable XLSX, unknown `table`, too many rows, control characters", body = ErrorBody),
        (status = 500, description = "a server fault", body = ErrorBody)),
    security(("api_key" = [])))]
pub(crate) async fn unstructured_generate(
    State(state): State<AppState>,
    audit: Audit,
    caller: Caller,
    form: Form,
) -> Result<Response, ApiError> {
    let fields = ["project", "rows", "seed", "format", "table"];
    let upload = authorized_upload(&state, &caller, form, &fields, &audit).await?;
    let (name, bytes) = upload.file()?;
    let (name, bytes) = (name.to_owned(), bytes.clone());
    let (max_rows, max_unzipped) = (state.config.max_rows, state.config.max_decompressed_bytes);
    let (counts, fitted) = blocking(parser_panicked(), move || {
        if crate::extract::detect(&bytes, &name)? != FileKind::Xlsx {
            return Err(ApiError::unprocessable(
                "malformed_file",
                format!("{name}: expected an XLSX workbook"),
            ));
        }
        let sheets = read_xlsx(&bytes, &name, max_rows, max_unzipped)?;
        let counts: Vec<(String, u64)> = sheets
            .iter()
            .map(|t| (t.name.clone(), t.rows.len() as u64))
            .collect();
        Ok((counts, fit_tables(&sheets)?))
    })
    .await?;
    audit.rows_in(counts.iter().map(|(_, n)| *n).sum());
    audit.parameter("fit", fitted.report.clone());
    let rows = upload.number("rows")?;
    let sizes = counts.into_iter().map(|(t, n)| (t, rows.unwrap_or(n))).collect();
    // Sheets are named as their tables are: `Sheet 2` is `sheet_2`.
    let table = upload.fields.get("table").filter(|t| !t.is_empty()).map(|t| {
        if fitted.schema.table(t).is_some() {
            t.clone()
        } else {
            crate::infer::clean_name(t)
        }
    });
    let mut extra = Map::new();
    extra.insert("schema".into(), fitted.schema.to_json());
    extra.insert("fit".into(), fitted.report);
    let task = Task {
        project: upload.project()?.to_owned(),
        schema: fitted.schema,
        rows: 0,
        sizes,
        seed: upload.number("seed")?.unwrap_or(0),
        null_rate: None,
        format: upload.format()?,
        table,
        check: false,
        extra,
        engine: fitted.engine,
    };
    state
        .dispatch(&audit, "upload_unstructured_generate", task, &caller)
        .await
}
