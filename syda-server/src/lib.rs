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

pub(crate) mod audit;
pub mod auth;
pub mod config;
pub mod db;
pub mod docs;
pub mod dto;
pub mod error;
pub mod extract;
pub(crate) mod fitting;
pub(crate) mod generation;
pub mod infer;
pub mod input;
pub(crate) mod jobs;
pub(crate) mod routes;
pub mod state;

use std::future::Future;
use std::time::Duration;

pub use config::{Config, LlmSetup, Variables};
pub use db::Db;
pub use error::ApiError;
pub use routes::router;
pub use state::{AppState, USAGE_HEADER};

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
