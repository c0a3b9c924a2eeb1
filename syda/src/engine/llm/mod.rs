//! The LLM engine: rows written by a language model from the schema's docs
//! and constraints, validated locally, with the columns a model has no
//! business inventing (keys, foreign keys, custom generators) filled by the
//! offline engine. Behind the `llm` feature.
//!
//! - **Providers** ([`Provider`]): OpenAI Chat Completions with a strict
//!   `response_format` JSON schema, any OpenAI-compatible server (Ollama,
//!   vLLM, llama.cpp, LM Studio, Groq, DeepSeek, Azure deployments),
//!   Anthropic Messages with a forced tool whose `input_schema` is the row
//!   schema, Gemini `generateContent` with a `responseSchema`.
//! - **Prompt**: the table in the seed's shape (`Model Description: …`, then
//!   one `- column: type (constraints) - doc` line per column the model
//!   fills), the caller's prompt, how many records, and the unique values
//!   already taken.
//! - **Batches** of rows run concurrently, at most
//!   [`LlmConfig::concurrency`] requests at once; later batches are told
//!   the unique values already taken.
//! - **Answer schemas per column**: type, nullability, `enum`, bounds,
//!   length, `format`, `pattern` for every column, positional
//!   (`prefixItems`) where the provider's dialect has it, so servers that
//!   decode under a grammar enforce each column while the model writes.
//! - **Resilience**: retries with exponential backoff and jitter, honouring
//!   `Retry-After`; a timeout per request; a cut-off or partly invalid
//!   answer is salvaged row by row and only the missing rows are asked
//!   again; every value is coerced where nothing is lost (`"42"` → 42),
//!   near-misses are repaired (text cut at a word boundary, enum case,
//!   `$1,234.50`, a suffix on a repeated unique email), and checked against
//!   the schema (type, NOT NULL, `max_length`, `range`, `one_of`, `pattern`,
//!   unique, composite unique). A batch that stalls is asked for fewer rows,
//!   then completed by the offline engine ([`OnStall`]). No row that breaks
//!   the schema is ever returned.
//! - **Provider gaps handled**: a `response_format`, token-limit field,
//!   strict tool or thinking budget a server refuses is given up for the
//!   rest of the run ([`ResponseFormat`], [`LlmConfig::token_limit_param`]).
//! - **Accounting** ([`Usage`]): requests, retries, tokens of every billed
//!   reply (thinking included), repairs, local completions, estimated cost.
//! - **Record/replay cache** ([`CacheMode`]): answers stored on disk keyed
//!   by a hash of (provider, model, request body), so tests replay them
//!   with no key and no network.
//! - **Amplify** ([`LlmEngine::design`], [`Designs`]): the model designs
//!   each table's column generators once; the offline engine makes any
//!   number of rows from them.
//!
//! See `docs/llm.md` for the whole story.
//!
//! ```no_run
//! # async fn demo() -> syda::Result<()> {
//! use syda::engine::llm::{LlmConfig, LlmEngine};
//! use syda::Schema;
//!
//! let schema = Schema::from_path("examples/schemas/crm.yaml")?;
//! let engine = LlmEngine::new(LlmConfig::from_env()?).with_prompt("B2B software customers in Europe");
//! let out = engine.rows_async(schema.table("customers").unwrap(), 20).await?;
//! println!("{} rows, {}", out.rows.len(), out.usage);
//! # Ok(()) }
//! ```

mod amplify;
mod config;
mod http;
pub use http::MAX_REPLY_BYTES;
mod prompt;
mod repair;
mod reply;
mod run;
mod schema;
mod usage;
mod wire;

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use tokio::sync::Semaphore;

pub use amplify::{ColumnDesign, DESIGN_COLUMNS, Designs, Distribution, MAX_VOCABULARY};
pub use config::{
    ApiKey, CacheMode, DEFAULT_THINKING_BUDGET, LlmConfig, OnStall, Price, Provider, ResponseFormat,
    RowFormat,
};
pub use usage::Usage;

use crate::engine::{Engine, Generators, OfflineEngine, ParentContext, RowStream};
use crate::error::{Error, Result};
use crate::schema::Table;
use crate::synthetic::Synthetic;
use crate::value::Row;

/// Rows (or typed values) with what producing them cost.
#[derive(Debug, Clone, PartialEq)]
pub struct LlmOutput<T> {
    /// The rows.
    pub rows: T,
    /// Requests, tokens and estimated cost of this call.
    pub usage: Usage,
}

/// The engine: an [`LlmConfig`], an [`OfflineEngine`] for the local
/// columns, the caller's prompt, and a running total of [`Usage`] shared by
/// its clones (the related-data planner clones the engine per table).
///
/// It implements [`Engine`], so `Planner::generate(&llm_engine)` fills a
/// whole schema; that sync path runs the requests on an internal tokio
/// runtime (on a separate thread when called from inside a runtime). From
/// async code call [`LlmEngine::rows_async`].
#[derive(Clone, Debug)]
pub struct LlmEngine {
    config: LlmConfig,
    local: OfflineEngine,
    prompt: Option<String>,
    table_prompts: BTreeMap<String, String>,
    /// Parent rows of the next table's rows, set by the planner.
    parents: ParentContext,
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    usage: Mutex<Usage>,
    permits: Arc<Semaphore>,
}

impl LlmEngine {
    /// An engine for `config`, with a default offline engine (seed 0) for
    /// the local columns.
    pub fn new(config: LlmConfig) -> LlmEngine {
        let permits = Arc::new(Semaphore::new(config.concurrency.max(1)));
        LlmEngine {
            config,
            local: OfflineEngine::new(),
            prompt: None,
            table_prompts: BTreeMap::new(),
            parents: ParentContext::default(),
            shared: Arc::new(Shared {
                usage: Mutex::new(Usage::default()),
                permits,
            }),
        }
    }

    /// An engine configured from the environment ([`LlmConfig::from_env`]).
    pub fn from_env() -> Result<LlmEngine> {
        Ok(LlmEngine::new(LlmConfig::from_env()?))
    }

    /// Replaces the offline engine that fills the local columns.
    pub fn with_local(mut self, local: OfflineEngine) -> Self {
        self.local = local;
        self
    }

    /// Sets the seed of the local columns.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.local = self.local.with_seed(seed);
        self
    }

    /// Sets the custom generators; their columns are filled locally.
    pub fn with_generators(mut self, generators: Generators) -> Self {
        self.local = self.local.with_generators(generators);
        self
    }

    /// The caller's prompt, added to every table's request ("B2B software
    /// customers in Europe").
    pub fn with_prompt(mut self, prompt: impl Into<String>) -> Self {
        self.prompt = Some(prompt.into());
        self
    }

    /// A prompt for one table, used instead of the general one.
    pub fn with_table_prompt(mut self, table: &str, prompt: impl Into<String>) -> Self {
        self.table_prompts.insert(table.to_owned(), prompt.into());
        self
    }

    /// The configuration.
    pub fn config(&self) -> &LlmConfig {
        &self.config
    }

    /// Everything spent so far by this engine and its clones.
    pub fn usage(&self) -> Usage {
        self.shared.usage.lock().map(|u| u.clone()).unwrap_or_default()
    }

    /// The columns of `table` the model fills, in column order. The others
    /// are filled locally: columns with a custom generator, foreign keys, a
    /// sole integer or UUID primary key.
    pub fn llm_columns<'t>(&self, table: &'t Table) -> Vec<&'t str> {
        prompt::llm_columns(&self.local, table)
            .into_iter()
            .map(|c| table.columns[c].name.as_ref())
            .collect()
    }

    /// The request asking for `rows` rows of `table` in one batch, as it would be sent:
    /// URL, prompt and JSON body (headers, and so the key, are left out).
    pub fn preview(&self, table: &Table, rows: usize) -> RequestPreview {
        let (url, prompt, body) = run::preview(self, table, rows);
        RequestPreview { url, prompt, body }
    }

    /// The rows' values in the model's columns, written the way the model is
    /// asked to write them (`{"rows":[…]}` in `format`, no spaces): for mock
    /// servers, hand-written cache records and measuring formats.
    pub fn encode_answer(&self, table: &Table, rows: &[Row], format: RowFormat) -> String {
        let cols = prompt::llm_columns(&self.local, table);
        reply::encode_rows(table, &cols, rows, format == RowFormat::Objects)
    }

    /// Reads an answer as the engine does: every record found in `text`, as
    /// the model's column values (coerced and checked against the schema)
    /// or why it was rejected. Unique values are not checked here.
    pub fn decode_answer(&self, table: &Table, text: &str) -> Vec<std::result::Result<Row, String>> {
        let cols = prompt::llm_columns(&self.local, table);
        let patterns: Vec<_> = cols
            .iter()
            .map(|&c| crate::check::anchored_pattern(&table.columns[c]))
            .collect();
        reply::salvage(text)
            .rows
            .into_iter()
            .map(|row| {
                row.and_then(|json| {
                    reply::decode_row(table, &cols, &patterns, &json).map(|(values, _)| values)
                })
            })
            .collect()
    }

    /// `n` rows of `table`: local columns from the offline engine, the rest
    /// from the model, every row valid against the schema.
    pub async fn rows_async(&self, table: &Table, n: usize) -> Result<LlmOutput<Vec<Row>>> {
        let (rows, usage) = run::generate(self, table, n).await?;
        Ok(LlmOutput { rows, usage })
    }

    /// [`LlmEngine::rows_async`] from sync code.
    pub fn rows_blocking(&self, table: &Table, n: usize) -> Result<LlmOutput<Vec<Row>>> {
        block_on(self.rows_async(table, n))?
    }

    fn prompt_for(&self, table: &str) -> Option<String> {
        self.table_prompts.get(table).or(self.prompt.as_ref()).cloned()
    }

    fn record(&self, usage: &Usage) {
        if let Ok(mut total) = self.shared.usage.lock() {
            total.add(usage);
        }
    }
}

/// What [`LlmEngine::preview`] shows.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestPreview {
    /// Where the request goes.
    pub url: String,
    /// The user message.
    pub prompt: String,
    /// The JSON body.
    pub body: serde_json::Value,
}

impl Engine for LlmEngine {
    fn local(&self) -> &OfflineEngine {
        &self.local
    }

    fn local_mut(&mut self) -> &mut OfflineEngine {
        &mut self.local
    }

    fn rows<'a>(&'a self, table: &'a Table, rows: u64) -> Result<RowStream<'a>> {
        let n = usize::try_from(rows).map_err(|_| Error::Unsatisfiable {
            table: table.name.to_string(),
            column: "*".to_owned(),
            message: format!("{rows} rows do not fit in memory"),
        })?;
        let out = self.rows_blocking(table, n)?;
        Ok(Box::new(out.rows.into_iter().map(Ok)))
    }

    /// Each request then lists, per record, the parent rows it belongs to.
    fn set_parent_context(&mut self, context: ParentContext) {
        self.parents = context;
    }
}

/// Runs `future` to completion on a fresh current-thread runtime; from
/// inside a runtime, on a separate thread (a runtime cannot block inside
/// another).
fn block_on<F>(future: F) -> Result<F::Output>
where
    F: Future + Send,
    F::Output: Send,
{
    let run = move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map(|rt| rt.block_on(future))
            .map_err(|e| Error::Network {
                provider: "llm".to_owned(),
                message: format!("cannot start the async runtime: {e}"),
                source: Some(e.into()),
            })
    };
    if tokio::runtime::Handle::try_current().is_err() {
        return run();
    }
    std::thread::scope(|scope| match scope.spawn(run).join() {
        Ok(result) => result,
        Err(panic) => std::panic::resume_unwind(panic),
    })
}

/// Typed rows from a model: [`crate::Generator::llm`] starts one.
///
/// ```no_run
/// # async fn demo() -> syda::Result<()> {
/// use syda::engine::llm::LlmConfig;
///
/// #[derive(Debug, serde::Deserialize, syda::Synthetic)]
/// /// A customer of a bicycle shop.
/// struct Customer {
///     #[synthetic(primary_key)]
///     id: i64,
///     /// Full name
///     name: String,
///     /// Favourite kind of bicycle: road, gravel, city or cargo
///     bike: String,
/// }
///
/// let out = syda::Generator::llm(LlmConfig::from_env()?)
///     .prompt("Customers in Amsterdam")
///     .rows::<Customer>(10)
///     .await?;
/// println!("{:?} cost {}", out.rows, out.usage);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct LlmGenerator {
    engine: LlmEngine,
}

impl LlmGenerator {
    pub(crate) fn new(config: LlmConfig) -> LlmGenerator {
        LlmGenerator {
            engine: LlmEngine::new(config),
        }
    }

    /// Adds the caller's prompt.
    pub fn prompt(mut self, prompt: impl Into<String>) -> Self {
        self.engine = self.engine.with_prompt(prompt);
        self
    }

    /// Sets the seed of the local columns.
    pub fn seed(mut self, seed: u64) -> Self {
        self.engine = self.engine.with_seed(seed);
        self
    }

    /// Sets the custom generators (their columns are filled locally).
    pub fn generators(mut self, generators: Generators) -> Self {
        self.engine = self.engine.with_generators(generators);
        self
    }

    /// The engine this builder configures.
    pub fn engine(&self) -> &LlmEngine {
        &self.engine
    }

    /// `n` values of `T`, from [`Synthetic::TABLE`], deserialised through serde.
    pub async fn rows<T: Synthetic>(&self, n: usize) -> Result<LlmOutput<Vec<T>>> {
        let table = T::TABLE;
        let out = self.engine.rows_async(&table, n).await?;
        let rows = out
            .rows
            .iter()
            .enumerate()
            .map(|(i, row)| crate::dataset::to_typed(&table, i as u64, row))
            .collect::<Result<Vec<T>>>()?;
        Ok(LlmOutput {
            rows,
            usage: out.usage,
        })
    }

    /// `n` rows of `table`.
    pub async fn table_rows(&self, table: &Table, n: usize) -> Result<LlmOutput<Vec<Row>>> {
        self.engine.rows_async(table, n).await
    }
}
