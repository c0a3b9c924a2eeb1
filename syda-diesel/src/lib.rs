//! Diesel adapter for syda: reads a Diesel `schema.rs` into a [`syda::Schema`]
//! and seeds PostgreSQL, MySQL/MariaDB and SQLite databases through Diesel
//! ([`seed_schema`], [`seed_url`], typed [`seed()`]; see [`seed`](mod@seed)).
//!
//! The file is parsed with `syn`, not compiled: `table!` (or
//! `diesel::table!`) bodies give tables and columns, `joinable!` gives
//! single-column foreign keys to the parent's primary key, and structs in a
//! `sql_types` module declare custom SQL types (PostgreSQL enums and the
//! like). Doc comments become `doc`, `#[sql_name = "…"]` gives the SQL name,
//! `#[max_length = N]` gives `max_length`. Diesel itself is not needed.
//!
//! # Type mapping
//!
//! | Diesel SQL type | syda type |
//! |---|---|
//! | `Int2`, `SmallInt`, `Int4`, `Integer`, `Int8`, `BigInt`, `TinyInt`, `Oid`, `Unsigned<…>` of those | `integer` |
//! | `Float4`, `Float`, `Float8`, `Double` | `float` |
//! | `Numeric`, `Decimal` (`Money`¹) | `decimal` |
//! | `Bool` | `boolean` |
//! | `Text`, `Varchar`, `VarChar`, `Char`, `Bpchar`, `Citext`, `Tinytext`, `Mediumtext`, `Longtext` | `text` |
//! | `Date` | `date` |
//! | `Timestamp`, `Timestamptz`, `TimestamptzSqlite`, `Datetime` | `datetime` |
//! | `Time` | `time` |
//! | `Uuid` | `uuid` |
//! | `Json`, `Jsonb` | `json` |
//! | `Bytea`, `Binary`, `Varbinary`, `Blob` (and MySQL's sized blobs)¹ | `text` |
//! | `Interval`, `Inet`, `Cidr`, `MacAddr`, `MacAddr8`¹ | `text` |
//! | `Array<T>`, `Range<T>`, `Multirange<T>`¹ | `json` |
//! | a custom type: a struct of the file's `sql_types` module, a type imported by a `use` inside the `table!`, or a path outside `diesel::`¹ | `text` |
//! | `Nullable<T>` | `T`, nullable |
//!
//! ¹ syda has no exact type for these (no bytes type yet, in particular), so
//! the Diesel type is kept at the end of the column doc, e.g.
//! `The reader's mood. (SQL type: Mood)`, or `SQL type: Bytea` for a column
//! without doc. `kind` is never set: it names a generator, not a SQL type.
//! Any other type is an error naming the table, column and type.
//!
//! A `schema_name.table_name` prefix is dropped: the table is `table_name`
//! (or its `#[sql_name]`). Without a primary key list the key is `id`, as in
//! Diesel. Uniqueness is not in `schema.rs`; add it with overrides.
//!
//! ```
//! let schema = syda_diesel::schema_from_str(r#"
//!     diesel::table! {
//!         /// Registered readers.
//!         users (id) {
//!             id -> Int4,
//!             #[max_length = 255]
//!             email -> Varchar,
//!         }
//!     }
//!     diesel::table! {
//!         posts (id) {
//!             id -> Int4,
//!             user_id -> Int4,
//!             title -> Text,
//!             published_at -> Nullable<Timestamptz>,
//!         }
//!     }
//!     diesel::joinable!(posts -> users (user_id));
//! "#)?;
//!
//! let posts = schema.table("posts").expect("posts");
//! let user_id = posts.column("user_id").expect("user_id");
//! assert_eq!(user_id.foreign_key.as_ref().map(|r| r.to_string()).as_deref(), Some("users.id"));
//! assert!(posts.column("published_at").is_some_and(|c| c.nullable));
//! assert_eq!(schema.table("users").and_then(|t| t.doc.as_deref()), Some("Registered readers."));
//! # Ok::<(), syda_diesel::Error>(())
//! ```

// Without a backend feature only the schema.rs reader is of use (the CLI
// builds it so); the seeding code then has nothing to connect to.
#![warn(clippy::unwrap_used)]
#![cfg_attr(
    not(any(feature = "postgres", feature = "sqlite", feature = "mysql")),
    allow(unused)
)]

mod error;
mod parse;
pub mod seed;
mod types;

use std::path::Path;

pub use error::{Error, Location, Problem};
pub use seed::{
    Backend, SeedConnection, SeedOptions, SeedReport, Sizes, TableReport, establish, seed, seed_planned,
    seed_schema, seed_url, seed_url_planned, seed_with,
};
use syda::Schema;

/// Reads a Diesel `schema.rs` (or any Rust file with `table!` declarations)
/// into a validated schema. Problems name `path:line:column`.
pub fn schema_from_file(path: impl AsRef<Path>) -> Result<Schema, Error> {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })?;
    read(&text, &path.display().to_string())
}

/// Reads Diesel declarations from Rust source text into a validated schema.
/// Problems name `<string>:line:column`.
pub fn schema_from_str(text: &str) -> Result<Schema, Error> {
    read(text, "<string>")
}

fn read(text: &str, origin: &str) -> Result<Schema, Error> {
    parse::read(text).map_err(|problems| Error::Invalid {
        origin: origin.to_owned(),
        problems,
    })
}

/// Marks columns unique, each given as `table.column`: `schema.rs` has no
/// unique constraints, but the database may (a `UNIQUE` username), and the
/// generator must then never repeat a value.
///
/// ```
/// let mut schema = syda_diesel::schema_from_str(
///     "diesel::table! { users (id) { id -> Int4, email -> Text, } }",
/// )?;
/// syda_diesel::mark_unique(&mut schema, ["users.email"])?;
/// assert!(schema.table("users").and_then(|t| t.column("email")).is_some_and(|c| c.unique));
/// assert!(syda_diesel::mark_unique(&mut schema, ["users.nope"]).is_err());
/// # Ok::<(), syda_diesel::Error>(())
/// ```
pub fn mark_unique<'a>(schema: &mut Schema, columns: impl IntoIterator<Item = &'a str>) -> Result<(), Error> {
    for spec in columns {
        let missing = |message: String| Error::Seed {
            table: None,
            message: format!("unique column `{spec}`: {message}"),
        };
        let (table, column) = spec
            .split_once('.')
            .ok_or_else(|| missing("expected TABLE.COLUMN".to_owned()))?;
        let t = schema
            .tables
            .iter_mut()
            .find(|t| t.name == table)
            .ok_or_else(|| missing(format!("no table `{table}`")))?;
        let c = t
            .columns
            .to_mut()
            .iter_mut()
            .find(|c| c.name == column)
            .ok_or_else(|| missing(format!("table `{table}` has no column `{column}`")))?;
        c.unique = true;
    }
    Ok(())
}
