//! Server settings.

use std::collections::BTreeMap;
use std::path::PathBuf;

use syda::engine::llm::LlmConfig;

/// Variable name → value, for [`LlmSetup::Variables`]; `Debug` shows the names only.
#[derive(Clone, Default)]
pub struct Variables(pub BTreeMap<String, String>);

impl std::fmt::Debug for Variables {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

/// Where the server's LLM provider settings come from.
#[derive(Debug, Clone, Default)]
pub enum LlmSetup {
    /// Read at start-up from `SYDA_PROVIDER`, `SYDA_MODEL`, `OPENAI_API_KEY`,
    /// `ANTHROPIC_API_KEY`, `GEMINI_API_KEY` and `OPENAI_BASE_URL`
    /// ([`LlmConfig::from_env`]); if none is set, `engine: llm` answers 422.
    #[default]
    Environment,
    /// The same variables, read from this map instead of the process
    /// environment (embedding, tests). Values are not printed by `Debug`.
    Variables(Variables),
    /// These settings (boxed: a configuration is far larger than the other variants).
    Config(Box<LlmConfig>),
    /// No LLM engine: `engine: llm` answers 422.
    Disabled,
}

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
    /// The LLM provider behind `engine: llm`.
    pub llm: LlmSetup,
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
            llm: LlmSetup::Environment,
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
