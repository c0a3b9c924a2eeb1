//! Input hygiene at the edge: every JSON body, query string, path segment
//! and form field is checked here before a handler sees it. Control
//! characters (NUL above all: PostgreSQL text cannot hold it) are refused
//! with 422 before anything is stored, and names have one validation path.

use axum::Json;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::ApiError;

/// The pattern of project names, as the OpenAPI document declares it.
pub const NAME_PATTERN: &str = r"^[A-Za-z0-9._-]{1,100}$";

/// The pattern of free text, as the OpenAPI document declares it: no
/// control characters but tab, line feed and carriage return.
pub const TEXT_PATTERN: &str = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]*$";

/// The pattern of job ids: UUIDs.
pub const JOB_ID_PATTERN: &str =
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";

/// Refuses a count or seed above the `int64` range the document declares.
pub fn check_int64(what: &str, value: u64) -> Result<u64, ApiError> {
    if i64::try_from(value).is_ok() {
        Ok(value)
    } else {
        Err(ApiError::unprocessable(
            "out_of_range",
            format!("{what} is {value}; the largest accepted is {}", i64::MAX),
        ))
    }
}

/// Checks a project name: 1 to 100 letters, digits, `-`, `_` or `.`.
pub fn check_name(what: &str, name: &str) -> Result<(), ApiError> {
    let ok = !name.is_empty()
        && name.len() <= 100
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(ApiError::unprocessable(
            "invalid_name",
            format!(
                "{what} `{}` must be 1 to 100 letters, digits, `-`, `_` or `.`",
                printable(name)
            ),
        ))
    }
}

/// Whether `c` is refused in text: C0 controls other than tab, line feed
/// and carriage return, and DEL.
fn refused(c: char) -> bool {
    (c.is_ascii_control() && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{7f}'
}

/// `text` with refused characters written as `\u{..}`: safe to store and show.
pub fn printable(text: &str) -> String {
    if !text.chars().any(refused) {
        return text.to_owned();
    }
    text.chars()
        .map(|c| {
            if refused(c) {
                format!("\\u{{{:x}}}", u32::from(c))
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Refuses `text` (the field `what`) when it holds a control character.
pub fn check_text(what: &str, text: &str) -> Result<(), ApiError> {
    match text.chars().find(|&c| refused(c)) {
        None => Ok(()),
        Some(c) => Err(ApiError::unprocessable(
            "control_character",
            format!(
                "{what} holds the control character U+{:04X}; text may hold tabs and line breaks but no other control characters",
                u32::from(c)
            ),
        )),
    }
}

/// Checks every string (keys included) of a JSON document; `path` names it.
fn check_json(path: &str, value: &Value) -> Result<(), ApiError> {
    match value {
        Value::String(s) => check_text(&format!("`{path}`"), s),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, v)| check_json(&format!("{path}[{i}]"), v)),
        Value::Object(map) => map.iter().try_for_each(|(k, v)| {
            let at = if path.is_empty() {
                printable(k)
            } else {
                format!("{path}.{}", printable(k))
            };
            check_text(&format!("the key `{at}`"), k)?;
            check_json(&at, v)
        }),
        _ => Ok(()),
    }
}

/// A JSON body: malformed JSON is 400, a wrong media type 415, too large
/// 413, a control character or a field of the wrong shape 422 — each an
/// [`ApiError`] in the common format.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let Json(value) = Json::<Value>::from_request(req, state)
            .await
            .map_err(|rejection| {
                let status = rejection.status();
                let code = match status {
                    StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
                    StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
                    _ => "bad_request",
                };
                ApiError::new(status, code, rejection.body_text())
            })?;
        // Every body is an object; serde would also read a struct from an array.
        if !value.is_object() {
            return Err(ApiError::unprocessable(
                "invalid_body",
                "the request body must be a JSON object",
            ));
        }
        check_json("", &value)?;
        serde_json::from_value(value)
            .map(ApiJson)
            .map_err(|e| ApiError::unprocessable("invalid_body", format!("the request body is invalid: {e}")))
    }
}

/// Query parameters: unparsable is 400, a control character 422.
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Query(pairs) = Query::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map_err(|e| ApiError::bad_request(e.body_text()))?;
        for (k, v) in &pairs {
            check_text(&format!("the query parameter `{}`", printable(k)), k)?;
            check_text(&format!("the query parameter `{}`", printable(k)), v)?;
        }
        let Query(value) = Query::<T>::from_request_parts(parts, state)
            .await
            .map_err(|e| ApiError::bad_request(e.body_text()))?;
        Ok(ApiQuery(value))
    }
}

/// The `{name}` of a project path, checked like every project name.
#[derive(Debug)]
pub struct ProjectPath(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ProjectPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path(name) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|e| ApiError::bad_request(e.body_text()))?;
        check_name("project name", &name)?;
        Ok(ProjectPath(name))
    }
}

/// The `{id}` of a job path: a UUID, else 404 (no job has that id).
#[derive(Debug)]
pub struct JobPath(pub String);

impl<S: Send + Sync> FromRequestParts<S> for JobPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path(id) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|e| ApiError::bad_request(e.body_text()))?;
        check_text("the job id", &id)?;
        match uuid::Uuid::parse_str(&id) {
            Ok(uuid) => Ok(JobPath(uuid.hyphenated().to_string())),
            Err(_) => Err(ApiError::not_found(format!(
                "no job `{id}`: job ids are UUIDs, as POST /generate answers them"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_follow_the_documented_pattern() {
        let pattern = regex::Regex::new(NAME_PATTERN).unwrap();
        for name in ["demo", "a.b-c_d", &"x".repeat(100)] {
            assert!(check_name("n", name).is_ok() && pattern.is_match(name), "{name}");
        }
        for name in ["", "sp ace", "nul\0", "ü", &"x".repeat(101)] {
            assert!(
                check_name("n", name).is_err() && !pattern.is_match(name),
                "{name}"
            );
        }
    }

    #[test]
    fn control_characters_are_found_at_any_depth_and_named() {
        let body = json!({ "project": "p", "sizes": { "a\u{0}": 1 }, "list": ["ok\n", "bad\u{1b}"] });
        let err = check_json("", &body).unwrap_err();
        assert_eq!(err.code, "control_character");
        assert!(err.message.contains("the key `sizes.a\\u{0}`"), "{}", err.message);
        let err = check_json("", &json!({ "list": ["ok\t\r\n", "bad\u{7f}"] })).unwrap_err();
        assert!(
            err.message.contains("`list[1]`") && err.message.contains("U+007F"),
            "{}",
            err.message
        );
    }

    #[test]
    fn printable_text_escapes_only_refused_characters() {
        assert_eq!(printable("a\0b\tc"), "a\\u{0}b\tc");
        assert_eq!(printable("plain ü"), "plain ü");
    }
}
