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
//! | `url`, `domain`, `ipv4`, `ipv6`, `mac_address`, `user_agent`, `username`, `password` | `fake` internet fakers; site names from English nouns |
//! | `credit_card`, `currency_code`, `bic`, `isbn` (ISBN-13) | `fake` finance/barcode fakers |
//! | `iban` | digits-only IBANs (DE, BE, AT, ES, PL, PT, DK, FI, SE, NO) with valid check digits |
//! | `icd10_code` | the ICD-10 shape `[A-TV-Z][0-9]{2}(\.[0-9]{1,3})?` (`fake` has no ICD-10 data) |
//! | `word`, `tag`, `sentence`, `paragraph` | English words and plain sentences from curated lists (`data/words.txt`), never lorem |
//! | `title` | film/book/album-like titles ("The Silent River", "Wolf of the Garden") |
//! | `product_name`, `category`, `brand`, `sku` | "Ergonomic Cotton Chair"; shop categories; a surname; `ABC-12345` |
//! | `language`, `language_code`, `license`, `version`, `genre`, `film_rating`, `department`, `unit`, `gender`, `file_name`, `color` | curated lists: ISO 639-1, SPDX ids, semver, … |
//! | `age` 18–90, `quantity` 1–20, `stock` 0–500, `count` 0–50, `year` 1970–2025, `days` 1–14, `minutes` 45–180, `hours` 1–12, `milliseconds`, `bytes`, `rating` 1–5, `score` 0–100, `flag` 0/1, `code` 0–3 | integers |
//! | `price` 5–500, `small_price` 0.99–9.99, `fee` 1–100, `discount` 0–5, `amount` 5–2000, `salary` 30 000–250 000, `budget` 1000–1 000 000, `percentage` 0–100 | two decimals |
//! | `latitude`, `longitude` | six decimals |
//! | `birth_date` | an adult: 18–90 years before 2025-12-31 |
//! | `date`, `datetime` | 2015-01-01 to 2025-12-31 |
//! | `uuid` | a v4 UUID |
//!
//! Names are normalised before inference (`PostalCode`, `BillingCity`,
//! `customerEmail`, `EMAIL_ADDR` read as `postal_code`, `city`, `email`),
//! and a text `status` without a doc gets the statuses of its table's
//! domain (orders: pending, paid, shipped…). A column's `range` replaces a
//! kind's default range. Columns without a kind get their type's default:
//! integers 1–1 000 (unique ones 1–2³¹), floats and decimals 0–1 000 with
//! two decimals, two English words for text, dates and date-times from
//! 2015-01-01 to 2025-12-31, times of day, v4 UUIDs, and a small JSON
//! object. Dates never depend on today's date.
//!
//! Columns that depend on others in the same row (an e-mail from the row's
//! names, `updated_at` after `created_at`, a line total) are derived after
//! the row's other columns, by the rules of [`crate::relation`].

mod any;
mod context;
#[cfg(feature = "llm")]
pub mod llm;
mod offline;
#[cfg(feature = "stats")]
pub mod stats;

use crate::error::Result;
use crate::schema::Table;
use crate::value::Row;

pub use any::AnyEngine;
pub use context::ParentContext;
pub(crate) use context::{Summaries, key_text, summarise};
pub use offline::OfflineEngine;
pub use offline::TableRows;
pub use offline::infer::{infer_kind, infer_one_of, plausible_range};
pub use offline::registry::{GenContext, GeneratorFn, Generators};
pub use offline::values::ENGINE_KINDS;

/// Offline-engine helpers the relation rules share: per-cell random
/// streams, value hashes and date formats.
pub(crate) mod offline_support {
    pub(crate) use super::offline::constraints::{cell_rng, cell_seed, table_stream, value_hash};
    pub(crate) use super::offline::parse_datetime;
    pub(crate) use super::offline::structural::row_tag;
    pub(crate) use super::offline::values::{push_date, push_datetime};
}

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

    /// Calls `each` with rows `range` of `table` in order, one at a time,
    /// for engines that can start mid-table and make a row in the buffers
    /// of the one before (no allocation per value); `None` (the default)
    /// sends the planner to [`Engine::rows_range`]. The rows are exactly
    /// those [`Engine::rows`] gives.
    fn each_row_in(
        &self,
        table: &Table,
        range: std::ops::Range<u64>,
        each: &mut dyn FnMut(&Row) -> Result<()>,
    ) -> Option<Result<()>> {
        let _ = (table, range, each);
        None
    }

    /// Summaries of the parent rows the next table's rows reference, when
    /// the planner was asked for them ([`crate::plan::Planner::parent_context`]).
    /// Engines that cannot use them ignore them (the default).
    fn set_parent_context(&mut self, context: ParentContext) {
        let _ = context;
    }

    /// Whether [`Engine::rows`] already applies the table's row-level
    /// relations ([`crate::relation`]). The planner applies them (in repair
    /// mode) to the rows of engines that do not, which is the default.
    fn applies_relations(&self) -> bool {
        false
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

    fn applies_relations(&self) -> bool {
        true
    }

    fn rows_range<'a>(
        &'a self,
        table: &'a Table,
        range: std::ops::Range<u64>,
    ) -> Option<Result<RowStream<'a>>> {
        Some(OfflineEngine::rows_range(self, table, range).map(|r| Box::new(r) as RowStream<'a>))
    }

    fn each_row_in(
        &self,
        table: &Table,
        range: std::ops::Range<u64>,
        each: &mut dyn FnMut(&Row) -> Result<()>,
    ) -> Option<Result<()>> {
        Some(OfflineEngine::rows_range(self, table, range).and_then(|mut rows| rows.each_row(each)))
    }
}

/// The random number generator behind every engine and the planner, and
/// the one handed to custom generators: PCG-64 (MCG variant) from
/// `rand_pcg`, seeded per row and column from the engine seed.
///
/// Named, not `rand::rngs::SmallRng`: rand documents `SmallRng` and
/// `StdRng` as free to change between platforms and versions, while a PCG
/// generator's output is fixed by its algorithm. "Same schema and seed,
/// same bytes" holds across machines and releases; the golden-bytes tests
/// (`syda/tests/golden.rs`) catch any change that would break it.
pub type EngineRng = rand_pcg::Pcg64Mcg;
