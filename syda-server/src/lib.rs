//! `syda-server`: synthetic data as a REST service.
//!
//! Projects, API keys scoped to projects, and an audit row for every
//! operation are stored in PostgreSQL, or in an embedded SQLite file when no
//! database URL is given; migrations are compiled in and applied at start.
//! Generation requests over a row threshold run as background jobs. The
//! OpenAPI 3.1 document is at `/openapi.json`, Swagger UI at `/docs`, ReDoc
//! at `/redoc`. See `docs/server.md` for the endpoints.
//!
//! ```no_run
//! # async fn run() -> anyhow::Result<()> {
//! let state = syda_server::AppState::open(syda_server::Config::default()).await?;
//! let key = state.create_key(&["demo".to_owned()], false).await?;
//! println!("API key: {}", key.token);
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! syda_server::serve(state, listener, std::future::pending()).await?;
//! # Ok(()) }
//! ```

#![warn(clippy::unwrap_used)]

pub mod api;
pub mod audit;
pub mod auth;
pub mod config;
pub mod db;
pub mod docs;
pub mod error;
pub mod extract;
pub mod fitting;
pub mod generation;
pub mod infer;
pub mod jobs;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use tower_http::trace::TraceLayer;

pub use config::{Config, LlmSetup, Variables};
pub use db::Db;
pub use error::ApiError;

/// Shared state of the handlers: the database, the settings, running jobs.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// Settings.
    pub config: Arc<Config>,
    /// Jobs running in this process.
    pub jobs: Arc<jobs::Jobs>,
    /// The LLM provider settings, or why `engine: llm` is unavailable.
    pub llm: Arc<Result<syda::engine::llm::LlmConfig, String>>,
}

impl AppState {
    /// Connects to the configured database and applies migrations.
    pub async fn open(config: Config) -> anyhow::Result<AppState> {
        let db = Db::connect(&config).await?;
        let llm = resolve_llm(&config.llm);
        match &llm {
            Ok(c) => tracing::info!("engine llm: {} model {}", c.provider.name(), c.model),
            Err(why) => tracing::info!("engine llm unavailable: {why}"),
        }
        Ok(AppState {
            db,
            config: Arc::new(config),
            jobs: Arc::default(),
            llm: Arc::new(llm),
        })
    }
}

/// The variables an LLM provider is configured with, for error messages.
const LLM_VARIABLES: &str =
    "SYDA_PROVIDER, SYDA_MODEL, OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY, OPENAI_BASE_URL";

fn resolve_llm(setup: &LlmSetup) -> Result<syda::engine::llm::LlmConfig, String> {
    let unavailable = |why: String| {
        format!(
            "engine `llm` is not configured on this server ({why}); the server reads {LLM_VARIABLES} at start-up"
        )
    };
    match setup {
        LlmSetup::Environment => {
            syda::engine::llm::LlmConfig::from_env().map_err(|e| unavailable(e.to_string()))
        }
        LlmSetup::Variables(vars) => syda::engine::llm::LlmConfig::from_lookup(|name| {
            vars.0.get(name).filter(|v| !v.trim().is_empty()).cloned()
        })
        .map_err(|e| unavailable(e.to_string())),
        LlmSetup::Config(c) => c
            .check()
            .map(|()| c.as_ref().clone())
            .map_err(|e| unavailable(e.to_string())),
        LlmSetup::Disabled => Err(unavailable("disabled by the server's settings".to_owned())),
    }
}

/// Every route, with request tracing and the body size limit.
pub fn router(state: AppState) -> Router {
    let limit = state.config.max_body_bytes;
    Router::new()
        .route("/projects", post(api::create_project).get(api::list_projects))
        .route("/projects/{name}", get(api::get_project))
        .route("/projects/{name}/transactions", get(api::list_transactions))
        .route("/generate", post(api::generate))
        .route("/generate/test-data", post(api::generate_test_data))
        .route("/upload/generate", post(api::upload_generate))
        .route("/upload/unstructured", post(api::upload_unstructured))
        .route(
            "/upload/unstructured/generate",
            post(api::upload_unstructured_generate),
        )
        .route("/jobs/{id}", get(api::get_job))
        .route("/jobs/{id}/result", get(api::get_job_result))
        .route("/admin/keys", post(api::create_key))
        .route("/healthz", get(api::healthz))
        .route("/readyz", get(api::readyz))
        .route("/openapi.json", get(docs::openapi_json))
        .route("/docs", get(docs::swagger_page))
        .route("/docs/", get(docs::swagger_page))
        .route("/docs/swagger-ui-bundle.js", get(docs::swagger_js))
        .route("/docs/swagger-ui.css", get(docs::swagger_css))
        .route("/redoc", get(docs::redoc_page))
        .route("/redoc/redoc.standalone.js", get(docs::redoc_js))
        .fallback(|| async { ApiError::not_found("no such endpoint; see /docs") })
        .layer(DefaultBodyLimit::max(limit))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Serves until `shutdown` resolves, then stops accepting, lets open
/// requests finish, waits up to 30 s for running jobs and closes the pool.
pub async fn serve(
    state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state.clone()))
        .with_graceful_shutdown(shutdown)
        .await?;
    if !state.jobs.wait_idle(Duration::from_secs(30)).await {
        tracing::warn!("stopping with jobs still running; they will show as failed after a restart");
    }
    state.db.close().await;
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}

/// Runs the server on `bind` on a new runtime until Ctrl-C/SIGTERM: what
/// `syda serve` calls.
pub fn run_blocking(config: Config, bind: &str) -> anyhow::Result<()> {
    // Logs go to stderr: stdout stays for what the command prints.
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tower_http=info,sqlx=warn".into()),
        )
        .try_init();
    runtime()?.block_on(async {
        let state = AppState::open(config).await?;
        let listener = tokio::net::TcpListener::bind(bind)
            .await
            .map_err(|e| anyhow::anyhow!("binding {bind}: {e}"))?;
        tracing::info!(
            "syda-server listening on http://{} ({}); docs at /docs",
            listener.local_addr()?,
            if state.db.is_postgres() {
                "PostgreSQL"
            } else {
                "SQLite"
            }
        );
        serve(state, listener, shutdown_signal()).await?;
        Ok(())
    })
}

/// Creates an API key on a new runtime and returns it: what
/// `syda serve --create-key` calls.
pub fn create_key_blocking(config: Config, projects: &[String], admin: bool) -> anyhow::Result<auth::NewKey> {
    runtime()?.block_on(async {
        let state = AppState::open(config).await?;
        let key = state.create_key(projects, admin).await?;
        state.db.close().await;
        Ok(key)
    })
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().enable_all().build()?)
}
