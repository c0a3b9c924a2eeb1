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

mod offline;

pub use offline::OfflineEngine;
pub use offline::TableRows;
pub use offline::infer::{infer_kind, infer_one_of};
pub use offline::registry::{GenContext, GeneratorFn, Generators};
pub use offline::values::ENGINE_KINDS;

/// The random number generator handed to custom generators: cheap to seed,
/// fast, and reproducible (seeded per row and column from the engine seed).
pub type EngineRng = rand::rngs::SmallRng;
