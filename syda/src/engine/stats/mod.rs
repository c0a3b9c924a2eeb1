//! The statistical engine: learn from real rows, sample look-alikes.
//!
//! [`fit`] reads a [`Source`] (CSV, JSON, JSONL, rows in memory) twice as a
//! stream and returns a [`FittedModel`]; with the `db` feature,
//! `fit_table` fits a database table and `fit_database` every table of a
//! schema, keeping its keys and foreign keys:
//!
//! - **Per column**: the type (integer, float, boolean, date, date-time,
//!   categorical, identifier, UUID, free text), the share of NULLs, and the
//!   marginal distribution — category frequencies (categories seen fewer than
//!   [`FitOptions::min_category_count`] times are dropped, so a rare real value
//!   never comes back), numbers through the best of normal, log-normal,
//!   exponential and uniform when a Kolmogorov–Smirnov test accepts it, else
//!   empirical quantiles (few distinct numbers keep their frequencies), dates
//!   as numbers of days or seconds. Text of one shape becomes a template
//!   (`AB-\d{4}`) that new values are drawn from; consecutive integers are a
//!   sequence; distinct keys stay distinct.
//! - **Between columns**: a Gaussian copula over the numeric, boolean and
//!   categorical columns (categories ordered by frequency and placed by
//!   their CDF interval), so correlations survive.
//!
//! The model holds aggregates only (no source row), saves as JSON, becomes a
//! schema [`Table`](crate::Table) and drives the planner through [`StatsEngine`].
//!
//! ```
//! use syda::engine::stats::{Source, fit};
//! use syda::Value;
//!
//! let rows: Vec<_> = (0..500)
//!     .map(|i| vec![
//!         Value::from(format!("INV-{:05}", i * 7)),
//!         Value::Float(f64::from(i) * 1.5),
//!         Value::from(["north", "south"][i as usize % 2]),
//!     ])
//!     .collect();
//! let source = Source::rows("invoices", vec!["code".into(), "amount".into(), "region".into()], rows);
//! let model = fit(&source)?;
//! assert_eq!(model.column("code").unwrap().kind.name(), "identifier");
//! let synthetic: Vec<_> = model.sample(100, 42).collect::<syda::Result<_>>()?;
//! assert_eq!(synthetic.len(), 100);
//! assert!(synthetic[0][0].as_str().unwrap().starts_with("INV-"));
//! # Ok::<(), syda::Error>(())
//! ```

mod copula;
#[cfg(feature = "db")]
mod database;
mod engine;
mod fit;
mod infer;
mod locale;
mod marginal;
mod model;
mod pattern;
mod related;
mod relations;
mod sample;
mod source;

#[cfg(feature = "db")]
pub use database::{
    FittedDatabase, fit_database, fit_database_model, fit_table, seed_database, seed_database_with,
    table_rows,
};
pub use engine::StatsEngine;
pub use fit::{FitOptions, STRATIFY_MIN, fit, fit_with};
pub use locale::LOCALES;
pub(crate) use locale::{SAMPLE as LOCALE_SAMPLE, guess as guess_locale};
pub use marginal::Distribution;
pub use model::{ColumnKind, ColumnModel, Copula, FittedModel, MODEL_FORMAT, Marginal, Strata};
pub use pattern::{CharClass, Pattern, Token};
pub use related::{
    ChildrenBy, Counter, DATABASE_FORMAT, DatabaseModel, DeclaredKey, FAN_OUT_BY_MIN, GeneratedTable,
    Hierarchy, Link, RelatedTable, TableKey, TableRows, fit_directory, fit_related,
};
pub use relations::{Allowed, Gap, HOLD_SHARE, Relation, StatsRule};
pub use sample::Sampler;
pub use source::Source;

pub(crate) use super::offline::{parse_date, parse_datetime};
pub(crate) use infer::parse_bool;
pub(crate) use marginal::quantile;
pub(crate) use sample::{format_date, format_datetime};
pub(crate) use source::Cell;
