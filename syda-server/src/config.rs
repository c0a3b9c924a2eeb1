//! Server settings.

use std::path::PathBuf;

/// How the server stores data and which limits it enforces.
#[derive(Debug, Clone)]
pub struct Config {
    /// A `postgres://` URL; `None` uses the SQLite file [`Config::sqlite_path`].
    pub database_url: Option<String>,
    /// The embedded SQLite database file, created if missing.
    pub sqlite_path: PathBuf,
    /// Largest request body (uploads included), in bytes; larger → 413.
    pub max_body_bytes: usize,
    /// Most rows one request may generate, all tables together; more → 422.
    pub max_rows: u64,
    /// Requests generating more rows than this run as background jobs (202).
    pub job_threshold_rows: u64,
    /// Most bytes an XLSX/DOCX (zip) or PDF may decompress to; more → 422.
    pub max_decompressed_bytes: u64,
    /// Most rows returned per page of `/projects/{name}/transactions`.
    pub max_page_size: u32,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            database_url: None,
            sqlite_path: PathBuf::from("syda-server.db"),
            max_body_bytes: 10 * 1024 * 1024,
            max_rows: 1_000_000,
            job_threshold_rows: 10_000,
            max_decompressed_bytes: 100 * 1024 * 1024,
            max_page_size: 500,
        }
    }
}

impl Config {
    /// The sqlx connection URL this configuration names.
    pub fn connection_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}?mode=rwc", self.sqlite_path.display()),
        }
    }
}
