//! SeaORM adapter for syda: entities in, realistic related rows out — as
//! typed `Model`s or inserted through SeaORM.
//!
//! - [`table`] reads an entity at run time (`Column::iter()`, column
//!   definitions, primary key, `belongs_to` relations) into a
//!   [`syda::Table`]; [`describe`] adds the docs and hints SeaORM cannot
//!   hold, by hand or from a `#[derive(Synthetic)]` on the same `Model`.
//! - [`generate`] gives `Vec<Model>` with no database: typed fixtures.
//!   [`Entities::generate`] + [`models`] do the same for related entities.
//! - [`Seeder`] (or [`seed_related`]) generates every entity in foreign-key
//!   order and inserts the rows with `insert_many`, in batches, inside one
//!   transaction, on PostgreSQL, MySQL/MariaDB and SQLite.
//!
//! ```no_run
//! # mod bakery {
//! #     use sea_orm::entity::prelude::*;
//! #     #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
//! #     #[sea_orm(table_name = "bakery")]
//! #     pub struct Model { #[sea_orm(primary_key)] pub id: i32, pub name: String }
//! #     #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
//! #     pub enum Relation {}
//! #     impl ActiveModelBehavior for ActiveModel {}
//! # }
//! # mod cake {
//! #     use sea_orm::entity::prelude::*;
//! #     #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
//! #     #[sea_orm(table_name = "cake")]
//! #     pub struct Model { #[sea_orm(primary_key)] pub id: i32, pub name: String, pub bakery_id: i32 }
//! #     #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
//! #     pub enum Relation {
//! #         #[sea_orm(belongs_to = "super::bakery::Entity", from = "Column::BakeryId", to = "super::bakery::Column::Id")]
//! #         Bakery,
//! #     }
//! #     impl ActiveModelBehavior for ActiveModel {}
//! # }
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use syda::engine::OfflineEngine;
//! use syda_seaorm::{Entities, Seeder, describe};
//!
//! let entities = Entities::new()
//!     .with(describe::<bakery::Entity>().doc("A bakery").kind(bakery::Column::Name, "company"))
//!     .add::<cake::Entity>();
//! let db = sea_orm::Database::connect("sqlite://bakery.sqlite?mode=rwc").await?;
//! let report = Seeder::new(&entities)
//!     .size("bakery", 5)
//!     .size("cake", 50)
//!     .run(&db, &OfflineEngine::new().with_seed(42))
//!     .await?;
//! assert_eq!(report.rows("cake"), Some(50));
//! # Ok(())
//! # }
//! # fn main() {}
//! ```
//!
//! # Type mapping
//!
//! | SeaORM column type | syda type |
//! |---|---|
//! | `TinyInteger`, `SmallInteger`, `TinyUnsigned`, `SmallUnsigned` | `integer`, range 0 to the type's maximum¹ |
//! | `Integer`, `BigInteger`, `Unsigned`, `BigUnsigned` | `integer` |
//! | `Year` | `integer`, 1901–2155¹ |
//! | `Float`, `Double` | `float` |
//! | `Decimal(p, s)`, `Money(p, s)` | `decimal`; below 10^(p−s) when that is under the engine's defaults¹ |
//! | `Boolean` | `boolean` |
//! | `Char(n)`, `String(n)` | `text`, `max_length` n (`String` without a length: 255, MySQL's `VARCHAR`) |
//! | `Text` | `text` |
//! | `Date`, `Time` | `date`, `time` |
//! | `DateTime`, `Timestamp`, `TimestampWithTimeZone` | `datetime` |
//! | `Json`, `JsonBinary` | `json` |
//! | `Uuid` | `uuid` |
//! | `Enum { variants }` (`DeriveActiveEnum` with `db_type = "Enum"`) | `text`, `one_of` the variants |
//! | `Blob`, `Binary`, `VarBinary`, `Custom`, others | `text`, SQL type noted in the doc² |
//! | `Array` | `json`, SQL type noted in the doc² |
//!
//! ¹ Only when the engine infers no kind for the column (`quantity`,
//! `price`, `age` bring their own ranges). ² Generated as text; a field of
//! such a type usually needs a custom generator.
//!
//! String- or integer-backed `DeriveActiveEnum`s look like plain columns to
//! SeaORM at run time: name their values with [`Describe::active_enum`].
//! `Option<T>` fields are nullable; `unique` and `unique_key` give unique
//! columns and composite unique keys; SeaORM `comment`s become docs.
//! Foreign keys come from `belongs_to` relations (the same list
//! `Schema::create_table_from_entity` turns into `FOREIGN KEY`s), composite
//! and self-referencing ones included; `has_many`/`has_one` are the other
//! side and add nothing. A `schema_name` is kept for inserts but not in the
//! table name.
//!
//! # Values into fields
//!
//! Generated values are converted to each field's Rust type (from
//! `ModelTrait::get_value_type`) and set on the `ActiveModel`, so `Model`s
//! need no serde derive. A value that does not fit (text for an `i32`, a
//! string enum without its values) is an [`Error::Convert`] naming table,
//! column and row.
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
pub use seed::{DEFAULT_BATCH_SIZE, SeedReport, Seeder, TableReport, seed_related};
pub use typed::{generate, model, models};
