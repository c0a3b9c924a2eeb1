//! The audit trail: one transaction row per operation, success or failure.

use std::time::Instant;

use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::AppState;
use crate::auth::{Auth, Caller};
use crate::db::{Transaction, now};
use crate::error::ApiError;

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

/// What an operation did, filled in as the handler learns it.
#[derive(Debug)]
pub struct Audit {
    operation: &'static str,
    started: Instant,
    /// Project named by the request.
    pub project: Option<String>,
    /// Request parameters (secrets removed on write).
    pub parameters: Value,
    /// Rows read from an upload.
    pub rows_in: Option<i64>,
    /// Rows generated.
    pub rows_out: Option<i64>,
    /// Background job started by the request.
    pub job_id: Option<String>,
    caller: Option<String>,
}

impl Audit {
    /// Starts timing `operation`.
    pub fn start(operation: &'static str) -> Audit {
        Audit {
            operation,
            started: Instant::now(),
            project: None,
            parameters: Value::Object(Default::default()),
            rows_in: None,
            rows_out: None,
            job_id: None,
            caller: None,
        }
    }

    /// The authenticated caller, recorded; or the authentication error.
    pub fn caller(&mut self, auth: Auth) -> Result<Caller, ApiError> {
        let caller = auth.0?;
        self.caller = Some(caller.key_id.clone());
        Ok(caller)
    }

    /// Records the project.
    pub fn project(&mut self, project: &str) {
        self.project = Some(project.to_owned());
    }
}

/// `value` with every field whose name looks secret replaced by `"[redacted]"`.
pub fn redact(value: &Value) -> Value {
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
        other => other.clone(),
    }
}

impl AppState {
    /// Writes the audit row for a finished operation and returns the response.
    /// The row is written before the client is answered, so an answered
    /// request always has its row.
    pub async fn finish(&self, audit: Audit, result: Result<Response, ApiError>) -> Response {
        let (response, error) = match result {
            Ok(r) => (r, None),
            Err(e) => {
                let message = e.message.clone();
                (e.into_response(), Some(message))
            }
        };
        let status = response.status();
        let row = Transaction {
            id: 0,
            project: audit.project,
            operation: audit.operation.to_owned(),
            parameters: redact(&audit.parameters),
            rows_in: audit.rows_in,
            rows_out: audit.rows_out,
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
            duration_ms: i64::try_from(audit.started.elapsed().as_millis()).unwrap_or(i64::MAX),
            caller: audit.caller,
            job_id: audit.job_id,
            created_at: now(),
        };
        match self.db.insert_transaction(&row).await {
            Ok(()) => response,
            Err(e) => ApiError::internal("writing the audit row", e).into_response(),
        }
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
        assert_eq!(
            clean["description"], "a secretary's notes",
            "values are not judged, only names"
        );
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
}
