//! Command-line options (clap derive). Names here are user-facing: keep them stable.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Synthetic data for your schemas: realistic, constraint-respecting,
/// referentially-intact rows.
#[derive(Debug, Parser)]
#[command(name = "syda", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Parse and validate a schema file, then print how each table is described.
    Validate {
        /// A YAML or JSON schema file, or a directory of them.
        schema: PathBuf,
    },
    /// Generate rows for every table of a schema, in foreign-key order.
    Generate(GenerateArgs),
    /// Check a data directory (or, with --database-url, the rows of a live
    /// database) against a schema: foreign keys, uniques, NOT NULL, types,
    /// ranges, patterns. Exits 1 when anything is violated.
    Check(CheckArgs),
    /// List the semantic kinds a column may name (email, phone, icd10_code, …).
    Kinds,
    /// Learn a statistical model from real data (CSV, JSON, JSONL or a database
    /// table with --database-url URL --table T); generate
    /// look-alike rows from it with `generate --engine stats --fitted`.
    Fit(FitArgs),
    /// Score synthetic data against the real data it imitates (shapes, pair
    /// trends, privacy), optionally as an HTML page with a plot per column.
    Report(ReportArgs),
    /// Read a live database's tables, keys, CHECK constraints and comments and
    /// print them as a YAML schema file.
    #[cfg(feature = "db")]
    Introspect(IntrospectArgs),
    /// Fill a live database with generated rows: foreign-key order, bulk loads,
    /// one transaction (nothing is left on error).
    #[cfg(feature = "db")]
    Seed(SeedArgs),
    /// Run the REST service (projects, audit trail, generation, uploads; docs at /docs).
    #[cfg(feature = "serve")]
    Serve(crate::serve::ServeArgs),
    /// Run the REST service: this `syda` was built without it (feature `serve`).
    #[cfg(not(feature = "serve"))]
    Serve {
        /// Ignored.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
        args: Vec<String>,
    },
    /// Write any schema you already have as a syda YAML schema: a Python syda
    /// directory or table file, a Diesel schema.rs, or --database-url URL.
    Convert(crate::convert::ConvertArgs),
}

#[derive(Debug, Args)]
pub(crate) struct FitArgs {
    /// The real data: a .csv, .jsonl or .json file of rows, or a directory
    /// of them (one table each, with --foreign-key), or use --database-url.
    pub(crate) data: Option<PathBuf>,
    /// Where to write the model (JSON).
    #[arg(long, value_name = "MODEL.json")]
    pub(crate) out: PathBuf,
    /// Table name of the model; default: the data file's name. With
    /// --database-url: the table to read (required).
    #[arg(long)]
    pub(crate) table: Option<String>,
    /// Categories seen fewer times than this are left out of the model.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub(crate) min_category_count: u64,
    /// With a directory of data files: a foreign key between two of them,
    /// CHILD.COLUMN=PARENT.COLUMN, composite CHILD.A,B=PARENT.A,B (repeatable).
    #[arg(long = "foreign-key", value_name = "CHILD.COL=PARENT.COL")]
    pub(crate) foreign_keys: Vec<syda::engine::stats::DeclaredKey>,
    /// Learn no relations between columns (sums, products, inequalities,
    /// allowed combinations).
    #[arg(long)]
    pub(crate) no_relations: bool,
    /// One model for the whole table, not one per category of the column
    /// the numbers depend on most.
    #[arg(long)]
    pub(crate) no_strata: bool,
    /// Fit a database table instead of a file: postgres://…, mysql://…
    /// (mariadb://…) or sqlite:path.
    #[cfg(feature = "db")]
    #[arg(long, value_name = "URL")]
    pub(crate) database_url: Option<String>,
    /// PostgreSQL schema (default public) or MySQL database (default the URL's).
    #[cfg(feature = "db")]
    #[arg(long, value_name = "NAME", requires = "database_url")]
    pub(crate) schema: Option<String>,
    /// Read at most N rows of the table (a bounded sample of a huge table).
    #[cfg(feature = "db")]
    #[arg(long, value_name = "N", requires = "database_url")]
    pub(crate) limit: Option<u64>,
    /// With --limit: pick the rows at random (ORDER BY random()) instead of
    /// the first N; the server still scans the table once.
    #[cfg(feature = "db")]
    #[arg(long, requires = "limit")]
    pub(crate) random: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ReportArgs {
    /// The real data (.csv, .jsonl, .json), or a directory of such files.
    pub(crate) real: PathBuf,
    /// The synthetic data, with the same columns (or tables).
    pub(crate) synthetic: PathBuf,
    /// Also write the report as a self-contained HTML page.
    #[arg(long, value_name = "FILE.html")]
    pub(crate) html: Option<PathBuf>,
    /// With two directories (one file per table): a foreign key to check,
    /// CHILD.COLUMN=PARENT.COLUMN, composite CHILD.A,B=PARENT.A,B (repeatable).
    #[arg(long = "foreign-key", value_name = "CHILD.COL=PARENT.COL")]
    pub(crate) foreign_keys: Vec<syda::engine::stats::DeclaredKey>,
}

/// Which database and tables to read.
#[cfg(feature = "db")]
#[derive(Debug, Args)]
pub(crate) struct DatabaseArgs {
    /// postgres://…, mysql://… (mariadb://…) or sqlite:path.
    #[arg(long, value_name = "URL")]
    pub(crate) database_url: String,
    /// PostgreSQL schema (default public) or MySQL database (default the URL's).
    #[arg(long, value_name = "NAME")]
    pub(crate) schema: Option<String>,
    /// Only tables matching this glob (`*`, `?`); repeatable.
    #[arg(long, value_name = "GLOB")]
    pub(crate) include: Vec<String>,
    /// Leave out tables matching this glob; repeatable.
    #[arg(long, value_name = "GLOB")]
    pub(crate) exclude: Vec<String>,
}

#[cfg(feature = "db")]
#[derive(Debug, Args)]
pub(crate) struct IntrospectArgs {
    #[command(flatten)]
    pub(crate) db: DatabaseArgs,
}

#[cfg(feature = "db")]
#[derive(Debug, Args)]
pub(crate) struct SeedArgs {
    #[command(flatten)]
    pub(crate) db: DatabaseArgs,
    /// A YAML or JSON schema file whose tables and columns exist in the
    /// database; without one, the database's own schema is introspected.
    pub(crate) schema_file: Option<PathBuf>,
    /// Read the tables from a Diesel `schema.rs` instead; unique keys, CHECK
    /// ranges and enum values the file cannot hold come from the database.
    #[arg(long, value_name = "schema.rs", conflicts_with = "schema_file")]
    pub(crate) diesel: Option<PathBuf>,
    /// Rows per table, unless `--size` says otherwise.
    #[arg(long, default_value_t = 100)]
    pub(crate) rows: u64,
    /// Rows for one table, as `table=N`; repeatable.
    #[arg(long = "size", value_name = "TABLE=N", value_parser = parse_size)]
    pub(crate) sizes: Vec<(String, u64)>,
    /// Seed: the same schema, sizes and seed give the same rows.
    #[arg(long, default_value_t = 0)]
    pub(crate) seed: u64,
    /// Share of NULLs in nullable columns, 0 to 1.
    #[arg(long, value_name = "RATE", value_parser = parse_rate)]
    pub(crate) null_rate: Option<f64>,
    /// Empty the target tables first (in the same transaction).
    #[arg(long)]
    pub(crate) truncate: bool,
    /// The engine that makes rows.
    #[arg(long, value_enum, default_value_t = EngineArg::Offline)]
    pub(crate) engine: EngineArg,
    /// Hide the progress bars and the summary.
    #[arg(long, short)]
    pub(crate) quiet: bool,
    /// A model made by `syda fit`, for `--engine stats`; repeatable, one per
    /// table, or one fitted database (rebuilt whole into the database's tables).
    #[arg(long, value_name = "MODEL.json")]
    pub(crate) fitted: Vec<PathBuf>,
    /// With a fitted database: rows of every table as a multiple of the fitted ones.
    #[arg(long, value_name = "FACTOR", default_value_t = 1.0)]
    pub(crate) scale: f64,
    /// Options of `--engine llm`.
    #[command(flatten)]
    pub(crate) llm: Box<LlmArgs>,
}

/// `syda check SCHEMA DIR`, `syda check --diesel schema.rs DIR`,
/// `syda check --database-url URL [SCHEMA]`.
#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// The schema file, then the data directory (`<table>.csv`, `.json`,
    /// `.jsonl` or `.parquet`, or shard directories `<table>/part-*.<ext>`);
    /// with --diesel only the directory; with --database-url only
    /// an optional schema file (default: the database's own schema).
    #[arg(value_name = "SCHEMA DIR", num_args = 0..=2)]
    pub(crate) paths: Vec<PathBuf>,
    /// Read the tables from a Diesel `schema.rs` instead of a schema file.
    #[arg(long, value_name = "schema.rs")]
    pub(crate) diesel: Option<PathBuf>,
    /// Check the rows already in this database (postgres://…, mysql://…, sqlite:path).
    #[arg(long, value_name = "URL")]
    pub(crate) database_url: Option<String>,
    /// With --database-url: the PostgreSQL schema (default public) or MySQL database.
    #[arg(long = "schema", value_name = "NAME", requires = "database_url")]
    pub(crate) db_schema: Option<String>,
    /// Only tables matching this glob (`*`, `?`); repeatable.
    #[arg(long, value_name = "GLOB")]
    pub(crate) include: Vec<String>,
    /// Leave out tables matching this glob; repeatable.
    #[arg(long, value_name = "GLOB")]
    pub(crate) exclude: Vec<String>,
    /// Also print the realism score: the share of rows each inferred or
    /// declared relation holds in, plausible numbers, lorem share.
    #[arg(long)]
    pub(crate) realism: bool,
}

#[derive(Debug, Args)]
pub(crate) struct GenerateArgs {
    /// A YAML or JSON schema file; optional with `--fitted` (the models are the schema)
    /// or `--diesel`.
    #[arg(required_unless_present_any = ["fitted", "diesel"])]
    pub(crate) schema: Option<PathBuf>,
    /// Read the tables from a Diesel `schema.rs` (table!, joinable!) instead of a schema file.
    #[arg(long, value_name = "schema.rs", conflicts_with = "schema")]
    pub(crate) diesel: Option<PathBuf>,
    /// Rows per table, unless `--size` says otherwise.
    #[arg(long, default_value_t = 100)]
    pub(crate) rows: u64,
    /// Rows for one table, as `table=N`; repeatable.
    #[arg(long = "size", value_name = "TABLE=N", value_parser = parse_size)]
    pub(crate) sizes: Vec<(String, u64)>,
    /// Write only these tables (their parents are generated but not written); repeatable.
    #[arg(long = "table", value_name = "TABLE")]
    pub(crate) tables: Vec<String>,
    /// Seed: the same schema, sizes and seed give the same bytes.
    #[arg(long, default_value_t = 0)]
    pub(crate) seed: u64,
    /// Share of NULLs in nullable columns, 0 to 1.
    #[arg(long, value_name = "RATE", value_parser = parse_rate)]
    pub(crate) null_rate: Option<f64>,
    /// Output format; default: the `--out` file's extension, else csv.
    #[arg(long, value_enum)]
    pub(crate) format: Option<FormatArg>,
    /// SQL dialect of `--format sql`.
    #[arg(long, value_enum, default_value_t = DialectArg::Postgres)]
    pub(crate) dialect: DialectArg,
    /// With `--format sql`: start the script with CREATE TABLE statements.
    #[arg(long)]
    pub(crate) create_tables: bool,
    /// A directory (one `<table>.<format>` file per table; `data.sql` for
    /// `--format sql`) or, for one table or a SQL script, a file.
    #[arg(long, value_name = "PATH")]
    pub(crate) out: PathBuf,
    /// Worker threads; default: every core. The output is the same for any count.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub(crate) threads: Option<u16>,
    /// Write only shard I of N (from 0): `<out>/<table>/part-0000I.<format>`
    /// holds a contiguous part of each table; the N shards together are the
    /// unsharded output. Kubernetes: `--shard $JOB_COMPLETION_INDEX/N`.
    #[arg(long, value_name = "I/N", value_parser = syda::plan::Shard::parse)]
    pub(crate) shard: Option<syda::plan::Shard>,
    /// The engine that makes rows.
    #[arg(long, value_enum, default_value_t = EngineArg::Offline)]
    pub(crate) engine: EngineArg,
    /// Hide the progress bar.
    #[arg(long, short)]
    pub(crate) quiet: bool,
    /// A model made by `syda fit`, for `--engine stats`; repeatable, one per table.
    #[arg(long, value_name = "MODEL.json")]
    pub(crate) fitted: Vec<PathBuf>,
    /// With a fitted database (`syda fit --database-url` or a directory):
    /// rows of every table as a multiple of the fitted ones.
    #[arg(long, value_name = "FACTOR", default_value_t = 1.0)]
    pub(crate) scale: f64,
    /// Options of `--engine llm`.
    #[command(flatten)]
    pub(crate) llm: Box<LlmArgs>,
}

/// `--engine llm` options; the API key comes from the environment
/// (OPENAI_API_KEY, ANTHROPIC_API_KEY or GEMINI_API_KEY).
#[derive(Debug, Args, Default)]
pub(crate) struct LlmArgs {
    /// LLM provider; default: SYDA_PROVIDER, else the provider whose key is set.
    #[arg(long, value_enum, help_heading = "LLM engine")]
    pub(crate) provider: Option<ProviderArg>,
    /// Model name; default: SYDA_MODEL, else a small model of the provider.
    #[arg(long, help_heading = "LLM engine")]
    pub(crate) model: Option<String>,
    /// Base URL of the API (Ollama: http://localhost:11434/v1); default: OPENAI_BASE_URL for OpenAI-style servers.
    #[arg(long, value_name = "URL", help_heading = "LLM engine")]
    pub(crate) base_url: Option<String>,
    /// What the data is about, added to every table's request.
    #[arg(long, value_name = "TEXT", help_heading = "LLM engine")]
    pub(crate) prompt: Option<String>,
    /// Requests in flight at once.
    #[arg(long, value_name = "N", help_heading = "LLM engine")]
    pub(crate) concurrency: Option<usize>,
    /// Rows per request; default: about 150 values per request.
    #[arg(long, value_name = "N", help_heading = "LLM engine")]
    pub(crate) batch_size: Option<usize>,
    /// Request timeout in seconds.
    #[arg(long, value_name = "SECONDS", help_heading = "LLM engine")]
    pub(crate) timeout: Option<f64>,
    /// Retries per request after errors, timeouts and rate limits.
    #[arg(long, value_name = "N", help_heading = "LLM engine")]
    pub(crate) retries: Option<u32>,
    /// Record/replay cache; default: SYDA_CACHE, else off.
    #[arg(long, value_enum, help_heading = "LLM engine")]
    pub(crate) cache: Option<CacheArg>,
    /// Cache directory; default: SYDA_CACHE_DIR, else tests/fixtures/syda.
    #[arg(long, value_name = "DIR", help_heading = "LLM engine")]
    pub(crate) cache_dir: Option<PathBuf>,
    /// How the model writes rows; default: compact where the server enforces
    /// positional schemas (OpenAI-compatible, Gemini), objects elsewhere.
    #[arg(long, value_enum, help_heading = "LLM engine")]
    pub(crate) row_format: Option<RowFormatArg>,
    /// How OpenAI-style requests ask for JSON; a server that refuses
    /// `response_format` is asked with the next weaker one.
    #[arg(long, value_enum, help_heading = "LLM engine")]
    pub(crate) response_format: Option<ResponseFormatArg>,
    /// Body field of the output token limit (max_tokens, max_completion_tokens).
    #[arg(long, value_name = "NAME", help_heading = "LLM engine")]
    pub(crate) token_limit_param: Option<String>,
    /// Output tokens per request.
    #[arg(long, value_name = "N", help_heading = "LLM engine")]
    pub(crate) max_tokens: Option<u32>,
    /// Thinking tokens per request for models that think (Gemini); 0 turns thinking off where it can be.
    #[arg(long, value_name = "N", help_heading = "LLM engine")]
    pub(crate) thinking_budget: Option<u32>,
    /// When the model cannot finish some rows: complete them with the offline engine, or fail.
    #[arg(long, value_enum, help_heading = "LLM engine")]
    pub(crate) on_stall: Option<OnStallArg>,
    /// Ask the model once per table to design the column generators (vocabularies,
    /// ranges, distributions), then make every row offline: the cost does not grow with --rows.
    #[arg(long, help_heading = "LLM engine")]
    pub(crate) amplify: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum RowFormatArg {
    Compact,
    Objects,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ResponseFormatArg {
    JsonSchema,
    JsonObject,
    Prompt,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum OnStallArg {
    Complete,
    Fail,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ProviderArg {
    Openai,
    Anthropic,
    Gemini,
    OpenaiCompatible,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum CacheArg {
    Off,
    ReadWrite,
    ReplayOnly,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum FormatArg {
    Csv,
    Json,
    Jsonl,
    /// Typed columns, streamed row groups.
    Parquet,
    /// A SQL script of the `--dialect`: COPY/INSERTs in one transaction.
    Sql,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum DialectArg {
    /// PostgreSQL (`psql -f`; rows as COPY blocks).
    Postgres,
    /// MySQL and MariaDB (`mariadb < file`).
    Mysql,
    /// SQLite (`sqlite3 db < file`).
    Sqlite,
}

impl From<DialectArg> for syda::output::Dialect {
    fn from(d: DialectArg) -> Self {
        match d {
            DialectArg::Postgres => syda::output::Dialect::Postgres,
            DialectArg::Mysql => syda::output::Dialect::MySql,
            DialectArg::Sqlite => syda::output::Dialect::Sqlite,
        }
    }
}

impl FormatArg {
    /// The format, with `dialect` for SQL.
    pub(crate) fn format(self, dialect: DialectArg) -> syda::output::Format {
        match self {
            FormatArg::Csv => syda::output::Format::Csv,
            FormatArg::Json => syda::output::Format::Json,
            FormatArg::Jsonl => syda::output::Format::Jsonl,
            FormatArg::Parquet => syda::output::Format::Parquet,
            FormatArg::Sql => syda::output::Format::Sql(dialect.into()),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum EngineArg {
    /// Semantic fakers and constraints; no key, no network.
    Offline,
    /// Samples from models fitted to real data (`--fitted`); foreign keys and
    /// columns the models lack come from the offline engine.
    Stats,
    /// A language model fills the described columns (see the LLM engine options).
    Llm,
}

fn parse_size(s: &str) -> Result<(String, u64), String> {
    let (table, rows) = s
        .split_once('=')
        .ok_or_else(|| format!("expected TABLE=N, found `{s}`"))?;
    let rows = rows
        .trim()
        .parse()
        .map_err(|_| format!("expected a row count after `=`, found `{rows}`"))?;
    Ok((table.trim().to_owned(), rows))
}

fn parse_rate(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(r) if (0.0..=1.0).contains(&r) => Ok(r),
        _ => Err(format!("expected a number from 0 to 1, found `{s}`")),
    }
}
