//! Engines: where rows come from.
//!
//! The [`OfflineEngine`] needs nothing — no key, no network. It fills every
//! column from the `fake` crate (and `rand_regex` for `pattern` columns),
//! picking a semantic kind from the column's explicit `kind`, or inferring
//! one from its name, doc and type ([`infer_kind`]). Every constraint of the
//! schema holds in every row, and the same schema and seed give the same
//! rows.
//!
//! Custom generators ([`Generators`]) replace the built-in ones per column,
//! per `generator:` name or per kind; they see the values of earlier columns
//! of the same row through [`GenContext`].
//!
//! # What the built-in generators give
//!
//! | kind | values |
//! |---|---|
//! | `first_name`, `last_name`, `name` | `fake` names; `name` is "First Last" |
//! | `email` | `first.last42@gmail.com`-style, from `fake` names and providers; lower-case ASCII |
//! | `phone`, `company`, `job_title`, `industry`, `city`, `state`, `country`, `country_code`, `postcode`, `street_address`, `address` | `fake`'s en data |
//! | `url`, `domain`, `ipv4`, `ipv6`, `mac_address`, `user_agent`, `username`, `password` | `fake` internet fakers |
//! | `credit_card`, `currency_code`, `bic`, `isbn` (ISBN-13) | `fake` finance/barcode fakers |
//! | `iban` | digits-only IBANs (DE, BE, AT, ES, PL, PT, DK, FI, SE, NO) with valid check digits |
//! | `icd10_code` | the ICD-10 shape `[A-TV-Z][0-9]{2}(\.[0-9]{1,3})?` (`fake` has no ICD-10 data) |
//! | `word`, `sentence`, `paragraph` | `fake` lorem words; sentences of 5–12 words, paragraphs of 2–4 sentences |
//! | `color` | a CSS colour name |
//! | `age` 18–90, `quantity` 1–100 | integers |
//! | `price` 1–1000, `amount` 1–10 000, `salary` 30 000–250 000, `budget` 1000–1 000 000, `percentage` 0–100 | two decimals |
//! | `latitude`, `longitude` | six decimals |
//! | `birth_date` | an adult: 18–90 years before 2025-12-31 |
//! | `date`, `datetime` | 2015-01-01 to 2025-12-31 |
//! | `product_name`, `category`, `uuid` | buzzword + noun; an industry name; a v4 UUID |
//!
//! A column's `range` replaces a kind's default range. Columns without a
//! kind get their type's default: integers 1–1 000 000, floats and decimals
//! with two decimals, one to three lorem words for text, dates and
//! date-times from 2015-01-01 to 2025-12-31, times of day, v4 UUIDs, and a
//! small JSON object. Dates never depend on today's date.

mod context;
#[cfg(feature = "llm")]
pub mod llm;
mod offline;
#[cfg(feature = "stats")]
pub mod stats;

use crate::error::Result;
use crate::schema::Table;
use crate::value::Row;

pub use context::ParentContext;
pub(crate) use context::{Summaries, key_text, summarise};
pub use offline::OfflineEngine;
pub use offline::TableRows;
pub use offline::infer::{infer_kind, infer_one_of};
pub use offline::registry::{GenContext, GeneratorFn, Generators};
pub use offline::values::ENGINE_KINDS;

/// A stream of generated rows of one table; ends after the first error.
pub type RowStream<'a> = Box<dyn Iterator<Item = Result<Row>> + 'a>;

/// A source of rows for one table: what the related-data planner drives.
///
/// Every engine carries an [`OfflineEngine`] for the columns filled locally —
/// sequential keys, foreign keys (the planner registers a column generator
/// per foreign-key column on it), custom generators — and for the seed and
/// null rate. An engine that produces values some other way (a language
/// model, a fitted statistical model) fills the remaining columns itself and
/// must return only rows that satisfy the table's constraints.
///
/// ```
/// use syda::engine::{Engine, OfflineEngine};
/// use syda::{Column, DataType, Table};
///
/// fn count<E: Engine>(engine: &E, table: &Table) -> syda::Result<usize> {
///     Ok(engine.rows(table, 5)?.count())
/// }
/// let table = Table::new("t").with_column(Column::new("id", DataType::Integer).primary_key());
/// assert_eq!(count(&OfflineEngine::new(), &table)?, 5);
/// # Ok::<(), syda::Error>(())
/// ```
pub trait Engine: Clone + Send + Sync {
    /// The offline engine that fills locally generated columns and holds the
    /// seed, the null rate and the custom generators.
    fn local(&self) -> &OfflineEngine;

    /// The local engine, to register column generators on.
    fn local_mut(&mut self) -> &mut OfflineEngine;

    /// Streams `rows` rows of `table`, from row 0. Problems visible up front
    /// are an `Err` here; later ones end the stream with an `Err` item.
    fn rows<'a>(&'a self, table: &'a Table, rows: u64) -> Result<RowStream<'a>>;

    /// Streams rows `range` of `table`, exactly the rows [`Engine::rows`]
    /// gives at those positions, for engines that can start mid-table
    /// (parallel chunks, shards); `None` (the default) when the engine
    /// cannot.
    fn rows_range<'a>(
        &'a self,
        table: &'a Table,
        range: std::ops::Range<u64>,
    ) -> Option<Result<RowStream<'a>>> {
        let _ = (table, range);
        None
    }

    /// Summaries of the parent rows the next table's rows reference, when
    /// the planner was asked for them ([`crate::plan::Planner::parent_context`]).
    /// Engines that cannot use them ignore them (the default).
    fn set_parent_context(&mut self, context: ParentContext) {
        let _ = context;
    }
}

impl Engine for OfflineEngine {
    fn local(&self) -> &OfflineEngine {
        self
    }

    fn local_mut(&mut self) -> &mut OfflineEngine {
        self
    }

    fn rows<'a>(&'a self, table: &'a Table, rows: u64) -> Result<RowStream<'a>> {
        Ok(Box::new(OfflineEngine::rows(self, table, rows)?))
    }

    fn rows_range<'a>(
        &'a self,
        table: &'a Table,
        range: std::ops::Range<u64>,
    ) -> Option<Result<RowStream<'a>>> {
        Some(OfflineEngine::rows_range(self, table, range).map(|r| Box::new(r) as RowStream<'a>))
    }
}

/// The random number generator handed to custom generators: cheap to seed,
/// fast, and reproducible (seeded per row and column from the engine seed).
pub type EngineRng = rand::rngs::SmallRng;
