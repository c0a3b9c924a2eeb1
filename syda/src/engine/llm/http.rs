//! One request to a provider: the record/replay cache, then HTTP with
//! retries (exponential backoff with jitter, `Retry-After` honoured).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rand::rngs::SmallRng;
use rand::{RngExt, SeedableRng};
use serde_json::{Value as Json, json};
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

use super::config::{CacheMode, LlmConfig};
use super::reply::cut;
use super::usage::Usage;
use super::wire::{Answer, Ask, Mode, Wire};
use crate::error::{Error, Result};

/// The longest `Retry-After` honoured.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(300);

/// The largest reply body read from a provider: far above any real answer
/// (max_tokens bounds those), low enough that a broken or hostile server
/// cannot exhaust memory.
pub const MAX_REPLY_BYTES: usize = 16 << 20;

/// What one generation run shares between its requests.
pub(crate) struct Ctx {
    pub(crate) config: LlmConfig,
    pub(crate) wire: &'static dyn Wire,
    pub(crate) client: reqwest::Client,
    pub(crate) permits: Arc<Semaphore>,
    pub(crate) usage: Mutex<Usage>,
    /// The parameters the server has taken so far (downgraded on refusals).
    pub(crate) mode: Mutex<Mode>,
}

/// The `User-Agent` of every request.
const USER_AGENT: &str = concat!(
    "syda/",
    env!("CARGO_PKG_VERSION"),
    " (+https://github.com/syda-rs)"
);

/// A 200 answer without rows in it: why, and the raw body.
pub(crate) struct NoAnswer {
    pub(crate) why: String,
    pub(crate) raw: String,
}

impl Ctx {
    pub(crate) fn new(config: LlmConfig, wire: &'static dyn Wire, permits: Arc<Semaphore>) -> Result<Ctx> {
        let client = reqwest::Client::builder()
            .timeout(config.timeout)
            .user_agent(USER_AGENT)
            .build()
            .map_err(|e| Error::Network {
                provider: config.provider.to_string(),
                message: format!("cannot build the HTTP client: {e}"),
                source: Some(e.into()),
            })?;
        let mode = Mutex::new(Mode::new(&config));
        Ok(Ctx {
            config,
            wire,
            client,
            permits,
            usage: Mutex::new(Usage::default()),
            mode,
        })
    }

    fn count(&self, f: impl FnOnce(&mut Usage)) {
        if let Ok(mut usage) = self.usage.lock() {
            f(&mut usage);
        }
    }

    /// The parameters requests are built with now.
    pub(crate) fn mode(&self) -> Mode {
        self.mode
            .lock()
            .map(|m| m.clone())
            .unwrap_or_else(|_| Mode::new(&self.config))
    }

    /// Builds the request for `ask`, sends it (or replays it) and reads the
    /// model's answer. A 400 that refuses a parameter the engine can do
    /// without (`response_format`, the token-limit field, strict tools, a
    /// thinking budget) changes that parameter for this and every later
    /// request and sends again; in the cache the refusal is recorded like an
    /// answer, so a replay takes the same steps.
    pub(crate) async fn ask(&self, ask: &Ask<'_>) -> Result<std::result::Result<Answer, NoAnswer>> {
        let config = &self.config;
        loop {
            let mode = self.mode();
            let body = self.wire.body(config, ask, &mode);
            let path = self.cache_path(&body);
            let cached = if config.cache == CacheMode::Off {
                None
            } else {
                read_cache(&path)?
            };
            let refusal = match cached {
                Some(Recorded::Answer(response)) => {
                    self.count(|u| u.cache_hits += 1);
                    return Ok(self.answer(&response));
                }
                Some(Recorded::Refusal { status, message }) => {
                    self.count(|u| u.cache_hits += 1);
                    (status, message)
                }
                None if config.cache == CacheMode::ReplayOnly => return Err(Error::CacheMiss { path }),
                None => match self.send(&body, &mode).await {
                    Ok(response) => {
                        let billed = self.wire.billed(&response);
                        self.count(|u| {
                            u.input_tokens += billed.input;
                            u.output_tokens += billed.output;
                        });
                        if config.cache == CacheMode::ReadWrite {
                            self.record(&path, &body, json!({ "response": response }))?;
                        }
                        return Ok(self.answer(&response));
                    }
                    Err(Error::Provider {
                        status: status @ (400 | 422),
                        message,
                        ..
                    }) => {
                        let mut probe = mode.clone();
                        if self.wire.downgrade(&mut probe, &message).is_some()
                            && config.cache == CacheMode::ReadWrite
                        {
                            self.record(&path, &body, json!({ "status": status, "error": message }))?;
                        }
                        (status, message)
                    }
                    Err(e) => return Err(e),
                },
            };
            let (status, message) = refusal;
            let mut next = mode.clone();
            let Some(note) = self.wire.downgrade(&mut next, &message) else {
                return Err(Error::Provider {
                    provider: config.provider.to_string(),
                    status,
                    message,
                });
            };
            if let Ok(mut shared) = self.mode.lock()
                && *shared == mode
            {
                // The first request to learn it; the others retry with it.
                *shared = next;
                drop(shared);
                self.count(|u| {
                    if !u.notes.contains(&note) {
                        u.notes.push(note);
                    }
                });
            }
        }
    }

    fn record(&self, path: &PathBuf, body: &Json, outcome: Json) -> Result<()> {
        let mut record = json!({
            "provider": self.config.provider.name(),
            "model": self.config.model,
            "request": body,
        });
        if let (Some(record), Json::Object(outcome)) = (record.as_object_mut(), outcome) {
            record.extend(outcome);
        }
        write_cache(path, &record)
    }

    fn answer(&self, response: &Json) -> std::result::Result<Answer, NoAnswer> {
        self.wire.answer(response).map_err(|why| NoAnswer {
            why,
            raw: response.to_string(),
        })
    }

    /// The cache file of `body`: a hash of (provider, model, body).
    pub(crate) fn cache_path(&self, body: &Json) -> PathBuf {
        let mut hash = Sha256::new();
        hash.update(self.config.provider.name());
        hash.update([0]);
        hash.update(&self.config.model);
        hash.update([0]);
        hash.update(body.to_string());
        let hex: String = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
        self.config.cache_dir.join(format!("{}.json", &hex[..32]))
    }

    async fn send(&self, body: &Json, mode: &Mode) -> Result<Json> {
        let config = &self.config;
        let provider = config.provider.to_string();
        let redact = |text: &str| match &config.api_key {
            Some(key) => key.redact(text),
            None => text.to_owned(),
        };
        let url = self.wire.url(config);
        let mut attempt: u32 = 0;
        loop {
            let outcome = {
                let _permit = self.permits.acquire().await.map_err(|_| Error::Network {
                    provider: provider.clone(),
                    message: "the request limiter was closed".to_owned(),
                    source: None,
                })?;
                self.count(|u| u.requests += 1);
                let mut request = self
                    .client
                    .post(&url)
                    .header("content-type", "application/json")
                    .body(body.to_string());
                for (name, value) in self.wire.headers(config, mode) {
                    request = request.header(name, value);
                }
                match request.send().await {
                    Ok(response) => {
                        let status = response.status().as_u16();
                        let retry_after = response
                            .headers()
                            .get("retry-after")
                            .and_then(|v| v.to_str().ok())
                            .and_then(retry_after);
                        read_limited(response, MAX_REPLY_BYTES)
                            .await
                            .map(|text| (status, retry_after, text))
                            .map_err(|e| redact(&e))
                    }
                    Err(e) => Err(redact(&without_url(&e))),
                }
            };
            let wait = match outcome {
                Ok((status, _, text)) if (200..300).contains(&status) => {
                    return serde_json::from_str(&text).map_err(|e| Error::Provider {
                        provider,
                        status,
                        message: format!("the response is not JSON ({e}): {}", redact(&cut(&text, 500))),
                    });
                }
                Ok((status, retry_after, text)) => {
                    let retryable = matches!(status, 408 | 409 | 429 | 500 | 502 | 503 | 504 | 529);
                    if !retryable || attempt >= config.retries {
                        return Err(if retryable && matches!(status, 429 | 503) {
                            Error::RateLimited {
                                provider,
                                status,
                                retries: attempt,
                            }
                        } else {
                            Error::Provider {
                                provider,
                                status,
                                message: redact(&cut(text.trim(), 500)),
                            }
                        });
                    }
                    retry_after.unwrap_or_else(|| backoff(config, attempt))
                }
                Err(message) => {
                    if attempt >= config.retries {
                        return Err(Error::Network {
                            provider,
                            message: format!(
                                "no answer from {url} after {} attempt{}: {message}",
                                attempt + 1,
                                if attempt == 0 { "" } else { "s" }
                            ),
                            source: None,
                        });
                    }
                    backoff(config, attempt)
                }
            };
            self.count(|u| u.retries += 1);
            attempt += 1;
            tokio::time::sleep(wait).await;
        }
    }
}

/// A `Retry-After` value: seconds, or an HTTP date; at most five minutes.
fn retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    let wait = match value.parse::<f64>() {
        Ok(seconds) if seconds.is_finite() && seconds >= 0.0 => Duration::from_secs_f64(seconds),
        Ok(_) => return None,
        Err(_) => {
            let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
            (at.with_timezone(&chrono::Utc) - chrono::Utc::now())
                .to_std()
                .unwrap_or(Duration::ZERO)
        }
    };
    Some(wait.min(MAX_RETRY_AFTER))
}

/// reqwest's message without the URL it appends (the URL is named once by
/// the caller).
fn without_url(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "request failed"
    };
    let mut message = kind.to_owned();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        message = format!("{message}: {s}");
        source = s.source();
    }
    message
}

/// `backoff × 2^attempt`, capped, times a random factor in [0.5, 1).
fn backoff(config: &LlmConfig, attempt: u32) -> Duration {
    let base = config
        .backoff
        .saturating_mul(2u32.saturating_pow(attempt.min(16)))
        .min(config.max_backoff);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let mut rng = SmallRng::seed_from_u64(u64::from(nanos) ^ u64::from(attempt));
    base.mul_f64(rng.random_range(0.5..1.0))
}

/// A cache record: an answer, or a refusal that made the engine drop a parameter.
enum Recorded {
    Answer(Json),
    Refusal { status: u16, message: String },
}

fn read_cache(path: &PathBuf) -> Result<Option<Recorded>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(Error::Io {
                path: path.clone(),
                source,
            });
        }
    };
    let record: Json = serde_json::from_str(&text).map_err(|e| Error::Io {
        path: path.clone(),
        source: std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("not a cache record: {e}"),
        ),
    })?;
    if let Some(status) = record["status"].as_u64() {
        return Ok(Some(Recorded::Refusal {
            status: u16::try_from(status).unwrap_or(400),
            message: record["error"].as_str().unwrap_or_default().to_owned(),
        }));
    }
    Ok(Some(Recorded::Answer(record["response"].clone())))
}

fn write_cache(path: &PathBuf, record: &Json) -> Result<()> {
    let io = |source| Error::Io {
        path: path.clone(),
        source,
    };
    let dir = path.parent().unwrap_or(std::path::Path::new("."));
    std::fs::create_dir_all(dir).map_err(io)?;
    let text = serde_json::to_string_pretty(record).unwrap_or_default() + "\n";
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    std::io::Write::write_all(&mut file, text.as_bytes()).map_err(io)?;
    file.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}

/// The body of `response` as text, refused past `limit` bytes.
async fn read_limited(mut response: reqwest::Response, limit: usize) -> std::result::Result<String, String> {
    let too_big = |size: String| format!("the reply is {size} bytes; the most read is {limit}");
    if let Some(length) = response.content_length()
        && length > limit as u64
    {
        return Err(too_big(length.to_string()));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| e.to_string())? {
        if body.len() + chunk.len() > limit {
            return Err(too_big(format!("more than {limit}")));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(String::from_utf8_lossy(&body).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        assert_eq!(retry_after("2"), Some(Duration::from_secs(2)));
        assert_eq!(retry_after(" 0.5 "), Some(Duration::from_millis(500)));
        assert_eq!(retry_after("86400"), Some(MAX_RETRY_AFTER));
        assert_eq!(retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), Some(Duration::ZERO));
        let soon = (chrono::Utc::now() + chrono::Duration::seconds(30)).to_rfc2822();
        let wait = retry_after(&soon).unwrap();
        assert!(
            wait > Duration::from_secs(25) && wait <= Duration::from_secs(30),
            "{wait:?}"
        );
        assert_eq!(retry_after("soon"), None);
        assert_eq!(retry_after("-1"), None);
    }

    #[test]
    fn backoff_doubles_within_jitter_and_stops_at_the_cap() {
        let config = LlmConfig::new(crate::engine::llm::Provider::OpenAi, "m")
            .backoff(Duration::from_millis(100), Duration::from_millis(1000));
        for attempt in 0..3 {
            let full = Duration::from_millis(100 * (1 << attempt));
            let wait = backoff(&config, attempt);
            assert!(wait >= full / 2 && wait < full, "attempt {attempt}: {wait:?}");
        }
        assert!(backoff(&config, 10) < Duration::from_millis(1000));
    }
}
