//! API keys. A key is `syda_<id>_<secret>`: the id names it in audit rows,
//! the secret is 32 random bytes. Only the SHA-256 of the whole key is
//! stored, so a leaked database gives no usable key.

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::audit::Audit;
use crate::error::ApiError;

/// Who is asking: an authenticated key. As an extractor it rejects a
/// request without a valid key with 401, so no handler can forget to check.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The key's public id.
    pub key_id: String,
    /// Admin keys see and manage every project.
    pub admin: bool,
}

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

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    /// Authenticates the request (401 without a valid key) and records the
    /// caller on the request's audit row.
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Caller, ApiError> {
        let token = presented_key(parts).ok_or_else(|| {
            unauthorized(
                "missing API key: send `Authorization: Bearer <key>` (create one with `syda serve --create-key --project NAME`)",
            )
        })?;
        let (key_id, admin) = state
            .db
            .key_by_hash(&hash_key(token))
            .await
            .map_err(|e| ApiError::internal("looking up the API key", e))?
            .ok_or_else(|| unauthorized("invalid API key"))?;
        if let Some(audit) = parts.extensions.get::<Audit>() {
            audit.caller(&key_id);
        }
        Ok(Caller { key_id, admin })
    }
}

/// An authenticated admin key: 401 without a valid key, 403 for a key
/// that is not an admin key.
#[derive(Debug, Clone)]
pub struct AdminCaller(pub Caller);

impl FromRequestParts<AppState> for AdminCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<AdminCaller, ApiError> {
        let caller = Caller::from_request_parts(parts, state).await?;
        if caller.admin {
            Ok(AdminCaller(caller))
        } else {
            Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "this endpoint needs an admin key (`syda serve --create-key --admin`)",
            ))
        }
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
