//! API keys. A key is `syda_<id>_<secret>`: the id names it in audit rows,
//! the secret is 32 random bytes. Only the SHA-256 of the whole key is
//! stored, so a leaked database gives no usable key.

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::error::ApiError;

/// Who is asking: an authenticated key.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The key's public id.
    pub key_id: String,
    /// Admin keys see and manage every project.
    pub admin: bool,
}

/// The outcome of authenticating a request: handlers check it themselves so
/// that failed attempts are audited too.
#[derive(Debug)]
pub struct Auth(pub Result<Caller, ApiError>);

/// A new key: the token to hand out once, its id and the hash to store.
#[derive(Debug)]
pub struct NewKey {
    /// The key itself; shown once, never stored.
    pub token: String,
    /// Public id, recorded as the caller in audit rows.
    pub id: String,
    /// Hex SHA-256 of `token`.
    pub hash: String,
}

/// Makes a fresh random key.
pub fn new_key() -> Result<NewKey, getrandom::Error> {
    let mut id = [0u8; 6];
    let mut secret = [0u8; 32];
    getrandom::fill(&mut id)?;
    getrandom::fill(&mut secret)?;
    let id = hex::encode(id);
    let token = format!("syda_{id}_{}", hex::encode(secret));
    let hash = hash_key(&token);
    Ok(NewKey { token, id, hash })
}

/// Hex SHA-256 of a key.
pub fn hash_key(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn unauthorized(message: &str) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
}

/// The key a request carries: `Authorization: Bearer <key>` or `X-Api-Key: <key>`.
fn presented_key(parts: &Parts) -> Option<&str> {
    if let Some(v) = parts.headers.get(axum::http::header::AUTHORIZATION) {
        let v = v.to_str().ok()?;
        return v.strip_prefix("Bearer ").map(str::trim);
    }
    parts.headers.get("x-api-key")?.to_str().ok().map(str::trim)
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Auth, Self::Rejection> {
        let Some(token) = presented_key(parts) else {
            return Ok(Auth(Err(unauthorized(
                "missing API key: send `Authorization: Bearer <key>` (create one with `syda serve --create-key --project NAME`)",
            ))));
        };
        let result = match state.db.key_by_hash(&hash_key(token)).await {
            Ok(Some((key_id, admin))) => Ok(Caller { key_id, admin }),
            Ok(None) => Err(unauthorized("invalid API key")),
            Err(e) => Err(ApiError::internal("looking up the API key", e)),
        };
        Ok(Auth(result))
    }
}

impl AppState {
    /// Creates a key scoped to `projects` (or an admin key) and returns it;
    /// the token is not stored and cannot be shown again.
    pub async fn create_key(&self, projects: &[String], admin: bool) -> anyhow::Result<NewKey> {
        let key = new_key().map_err(|e| anyhow::anyhow!("no randomness for a key: {e}"))?;
        self.db.insert_key(&key.id, &key.hash, admin, projects).await?;
        Ok(key)
    }

    /// Checks that `caller` may use `project` and that it exists: 403 when
    /// the key is not scoped to it, 404 when it does not exist.
    pub async fn authorize(&self, caller: &Caller, project: &str) -> Result<crate::db::Project, ApiError> {
        if !caller.admin && !self.db.key_has_project(&caller.key_id, project).await? {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                format!("this API key has no access to project `{project}`"),
            ));
        }
        self.db.project(project).await?.ok_or_else(|| {
            ApiError::not_found(format!(
                "no project named `{project}`; create it with POST /projects"
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_random_and_only_their_hash_is_kept() {
        let a = new_key().unwrap();
        let b = new_key().unwrap();
        assert_ne!(a.token, b.token);
        assert!(a.token.starts_with(&format!("syda_{}_", a.id)));
        assert_eq!(a.token.len(), "syda_".len() + 12 + 1 + 64);
        assert_eq!(a.hash, hash_key(&a.token));
        assert_eq!(a.hash.len(), 64);
        assert!(!a.hash.contains(&a.token[18..]));
    }
}
