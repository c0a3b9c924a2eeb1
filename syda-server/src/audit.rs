//! The audit trail: one transaction row per API request, written by a
//! layer from the response whatever its status (401, 400, 415, 500 too),
//! before the client is answered. Handlers and extractors only fill in
//! what they learn — caller, project, parameters, rows — on the request's
//! [`Audit`] record. Background jobs add rows of their own
//! (`<operation>_job`: started, succeeded, failed, interrupted).

use std::convert::Infallible;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};
use std::time::Instant;

use axum::extract::{FromRequestParts, MatchedPath, RawPathParams, Request, State};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use regex::Regex;
use serde_json::Value;

use crate::AppState;
use crate::db::{Transaction, now};
use crate::error::{ApiError, ErrorMessage};
use crate::input::printable;

/// Parameter names whose values are never stored (case-insensitive, substring).
const SECRET_NAMES: [&str; 6] = [
    "key",
    "token",
    "password",
    "secret",
    "authorization",
    "credential",
];

/// Counters whose names look secret but are not: the LLM engine's token
/// counts, kept when their value is a number.
const COUNTER_NAMES: [&str; 2] = ["input_tokens", "output_tokens"];

/// Text shaped like a credential: syda keys, provider keys (OpenAI,
/// Anthropic, Gemini/Google, GitHub, Slack, AWS), bearer tokens and JWTs.
/// Long runs of letters and digits are judged in [`scrub_secrets`].
static KEY_SHAPED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
          syda_[0-9a-f]{12}_[0-9a-f]{64}
        | sk-[A-Za-z0-9_-]{16,}
        | AIza[0-9A-Za-z_-]{30,}
        | gh[pousr]_[A-Za-z0-9]{20,}
        | xox[abprs]-[A-Za-z0-9-]{10,}
        | (?:AKIA|ASIA)[0-9A-Z]{16}
        | (?i:bearer)\s+[A-Za-z0-9._~+/=-]{16,}
        | eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}
        | [A-Za-z0-9_+/=-]{32,}",
    )
    .expect("the key pattern compiles")
});

/// `text` with anything shaped like an API key replaced by `[redacted]`.
/// A long run of letters and digits counts when it mixes both, as random
/// keys do and words do not; UUIDs are kept.
pub(crate) fn scrub_secrets(text: &str) -> String {
    KEY_SHAPED
        .replace_all(text, |m: &regex::Captures<'_>| {
            let found = &m[0];
            let generic = found.len() >= 32
                && !found.starts_with("syda_")
                && !found.starts_with("sk-")
                && !found.contains(char::is_whitespace)
                && !found.starts_with("eyJ");
            let mixed =
                found.chars().any(|c| c.is_ascii_digit()) && found.chars().any(|c| c.is_ascii_alphabetic());
            // Job ids are UUIDs: identifiers, not secrets.
            if generic && (!mixed || uuid::Uuid::try_parse(found).is_ok()) {
                found.to_owned()
            } else {
                "[redacted]".to_owned()
            }
        })
        .into_owned()
}

/// `value` with every field whose name looks secret replaced by
/// `"[redacted]"`, and key-shaped text in every string scrubbed.
pub(crate) fn redact(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let lower = k.to_ascii_lowercase();
                    let counter = COUNTER_NAMES.contains(&lower.as_str()) && v.is_number();
                    if !counter && SECRET_NAMES.iter().any(|s| lower.contains(s)) {
                        (k.clone(), Value::from("[redacted]"))
                    } else {
                        (k.clone(), redact(v))
                    }
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(redact).collect()),
        Value::String(s) => Value::String(scrub_secrets(s)),
        other => other.clone(),
    }
}

/// What a request's handler learned, for its audit row.
#[derive(Debug, Default)]
struct Record {
    project: Option<String>,
    parameters: Option<Value>,
    rows_in: Option<i64>,
    rows_out: Option<i64>,
    job_id: Option<String>,
    caller: Option<String>,
}

/// The audit record of the request being answered. Extracting it outside
/// an audited route gives a detached record that is never written.
#[derive(Debug, Clone, Default)]
pub(crate) struct Audit(Arc<Mutex<Record>>);

impl Audit {
    fn with<R>(&self, f: impl FnOnce(&mut Record) -> R) -> R {
        f(&mut self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Records the authenticated caller's key id.
    pub(crate) fn caller(&self, key_id: &str) {
        self.with(|r| r.caller = Some(key_id.to_owned()));
    }

    /// Records the project the request names.
    pub(crate) fn project(&self, project: &str) {
        self.with(|r| r.project = Some(project.to_owned()));
    }

    /// Sets the request's parameters (secrets are removed on write).
    pub(crate) fn parameters(&self, parameters: Value) {
        self.with(|r| r.parameters = Some(parameters));
    }

    /// Adds one parameter.
    pub(crate) fn parameter(&self, name: &str, value: Value) {
        self.with(|r| {
            let params = r
                .parameters
                .get_or_insert_with(|| Value::Object(Default::default()));
            if let Value::Object(map) = params {
                map.insert(name.to_owned(), value);
            }
        });
    }

    /// Records the rows read from an upload.
    pub(crate) fn rows_in(&self, rows: u64) {
        self.with(|r| r.rows_in = Some(i64::try_from(rows).unwrap_or(i64::MAX)));
    }

    /// Records the rows generated.
    pub(crate) fn rows_out(&self, rows: u64) {
        self.with(|r| r.rows_out = Some(i64::try_from(rows).unwrap_or(i64::MAX)));
    }

    /// Records the job the request names or started.
    pub(crate) fn job(&self, id: &str) {
        self.with(|r| r.job_id = Some(id.to_owned()));
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Audit {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Audit, Infallible> {
        Ok(parts.extensions.get::<Audit>().cloned().unwrap_or_default())
    }
}

/// An audit row with storable text: control characters escaped
/// (PostgreSQL text cannot hold NUL), secrets removed from the parameters
/// and the error message.
pub(crate) fn clean(mut row: Transaction) -> Transaction {
    let printable_opt = |s: Option<String>| s.map(|s| printable(&s));
    row.project = printable_opt(row.project);
    row.error = row.error.map(|e| scrub_secrets(&printable(&e)));
    row.caller = printable_opt(row.caller);
    row.job_id = printable_opt(row.job_id);
    row.operation = printable(&row.operation);
    row.parameters = redact(&row.parameters);
    row
}

/// The layer: gives the request an [`Audit`] record and, once the handler
/// answered, writes the row. A row that cannot be written turns the answer
/// into a 500, so an answered request always has its row.
pub(crate) async fn layer(
    State(state): State<AppState>,
    matched: Option<MatchedPath>,
    params: Result<RawPathParams, axum::extract::rejection::RawPathParamsRejection>,
    mut req: Request,
    next: Next,
) -> Response {
    let Some(operation) = crate::routes::operation(req.method(), matched.as_ref().map(MatchedPath::as_str))
    else {
        return next.run(req).await;
    };
    let started = Instant::now();
    let audit = Audit::default();
    if let Ok(params) = &params {
        for (name, value) in params {
            match name {
                "name" => audit.project(value),
                "id" => audit.job(value),
                _ => {}
            }
        }
    }
    req.extensions_mut().insert(audit.clone());
    let response = next.run(req).await;
    let status = response.status();
    let error = match response.extensions().get::<ErrorMessage>() {
        Some(ErrorMessage(message)) => Some(message.clone()),
        // Answers made by axum itself (405 and the like) have no error body.
        None if status.is_client_error() || status.is_server_error() => {
            Some(status.canonical_reason().unwrap_or("error").to_owned())
        }
        None => None,
    };
    let record = std::mem::take(&mut *audit.0.lock().unwrap_or_else(PoisonError::into_inner));
    let row = clean(Transaction {
        id: 0,
        project: record.project,
        operation: operation.to_owned(),
        parameters: record
            .parameters
            .unwrap_or_else(|| Value::Object(Default::default())),
        rows_in: record.rows_in,
        rows_out: record.rows_out,
        status: if error.is_some() {
            "error"
        } else if status == axum::http::StatusCode::ACCEPTED {
            "accepted"
        } else {
            "ok"
        }
        .to_owned(),
        http_status: i64::from(status.as_u16()),
        error,
        duration_ms: i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX),
        caller: record.caller,
        job_id: record.job_id,
        created_at: now(),
    });
    match state.db.insert_transaction(&row).await {
        Ok(()) => response,
        Err(e) => ApiError::internal("writing the audit row", e).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secret_looking_fields_are_redacted_at_any_depth() {
        let params = json!({
            "project": "p", "API_Key": "k1", "nested": { "password": "pw", "rows": 3 },
            "list": [{ "access_token": "t" }], "description": "a secretary's notes"
        });
        let clean = redact(&params);
        assert_eq!(clean["project"], "p");
        assert_eq!(clean["API_Key"], "[redacted]");
        assert_eq!(clean["nested"], json!({ "password": "[redacted]", "rows": 3 }));
        assert_eq!(clean["list"][0]["access_token"], "[redacted]");
        assert_eq!(clean["description"], "a secretary's notes");
    }

    #[test]
    fn token_counts_are_kept_but_not_text_under_their_names() {
        let params = json!({ "usage": { "input_tokens": 300, "output_tokens": 41 }, "input_tokens": "sk-x" });
        let clean = redact(&params);
        assert_eq!(
            clean["usage"],
            json!({ "input_tokens": 300, "output_tokens": 41 })
        );
        assert_eq!(clean["input_tokens"], "[redacted]");
    }

    #[test]
    fn key_shaped_text_is_scrubbed_and_prose_kept() {
        let syda_key = format!("syda_{}_{}", "0a".repeat(6), "be".repeat(32));
        for key in [
            "sk-proj-AbCdEfGhIjKlMnOpQrStUvWx1234",
            "sk-ant-api03-abcdefghijklmnop0123",
            "AIzaSyA1234567890abcdefghijklmnopqrstu",
            "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
            "AKIAIOSFODNN7EXAMPLE",
            syda_key.as_str(),
            "Q2hhbmdlIHRoaXMga2V5IGFuZCByb3RhdGUgaXQ9",
        ] {
            let prompt = format!("B2B customers; my key is {key}, thanks");
            let clean = scrub_secrets(&prompt);
            assert_eq!(clean, "B2B customers; my key is [redacted], thanks", "{key}");
        }
        let prose = "Customers in Europe with realistic names_and_addresses_across_many_countries";
        assert_eq!(scrub_secrets(prose), prose);
        let job = "job 3f2c1f9e-8a4b-4c8e-9a51-2f1d6c7e0b2a";
        assert_eq!(scrub_secrets(job), job);
    }
}
