//! SeaORM adapter for syda: entities in, realistic related rows out — as
//! typed `Model`s or inserted through SeaORM.
//!
//! TODO docs
#![warn(clippy::unwrap_used)]

mod entities;
mod error;
mod introspect;
mod seed;
mod typed;
mod types;

pub use entities::{Entities, Seedable};
pub use error::{Error, Result};
pub use introspect::{Describe, describe, table};
pub use seed::{DEFAULT_BATCH_SIZE, SeedReport, Seeder, seed_related};
pub use typed::{generate, model, models};
