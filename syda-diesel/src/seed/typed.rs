//! Typed seeding: structs that derive both `Synthetic` and Diesel's
//! `Insertable`.

use diesel::connection::Connection;
use diesel::query_builder::InsertStatement;
use diesel::query_dsl::methods::ExecuteDsl;
use diesel::result::QueryResult;
use diesel::{Insertable, RunQueryDsl};
use syda::{Generator, Synthetic};

use super::{MAX_BATCH_ROWS, SeedConnection};
use crate::Error;

/// A connection that can insert a slice of `T` into `Tab` in one statement:
/// any Diesel connection, for any `T: Insertable<Tab>` (derived with
/// `#[derive(Insertable)] #[diesel(table_name = …)]`).
pub trait InsertRows<T, Tab>: Connection {
    /// `INSERT INTO tab … VALUES (…), (…)` for `rows`.
    fn insert_rows(&mut self, table: Tab, rows: &[T]) -> QueryResult<usize>;
}

impl<C, T, Tab> InsertRows<T, Tab> for C
where
    C: Connection,
    Tab: diesel::Table,
    for<'a> &'a [T]: Insertable<Tab>,
    for<'a> InsertStatement<Tab, <&'a [T] as Insertable<Tab>>::Values>: ExecuteDsl<C>,
{
    fn insert_rows(&mut self, table: Tab, rows: &[T]) -> QueryResult<usize> {
        diesel::insert_into(table).values(rows).execute(self)
    }
}

/// Generates `n` rows of `T` and inserts them into `table` in batches, in one
/// transaction (an error keeps none), and returns them.
///
/// `T` derives both [`syda::Synthetic`] (what to generate) and Diesel's
/// `Insertable` (where it goes). Fields the database fills itself (a serial
/// `id`) are simply left out of the struct, as with any Diesel insert.
///
/// ```no_run
/// use diesel::prelude::*;
///
/// diesel::table! {
///     users (id) {
///         id -> Integer,
///         name -> Text,
///         email -> Text,
///     }
/// }
///
/// #[derive(syda::Synthetic, Insertable, serde::Deserialize)]
/// #[diesel(table_name = users)]
/// struct NewUser {
///     name: String,
///     #[synthetic(kind = "email", unique)]
///     email: String,
/// }
///
/// let mut conn = SqliteConnection::establish("app.sqlite").expect("database");
/// let inserted = syda_diesel::seed::<NewUser, _>(&mut conn, users::table, 100)?;
/// assert_eq!(inserted.len(), 100);
/// # Ok::<(), syda_diesel::Error>(())
/// ```
pub fn seed<T, Tab>(
    conn: &mut (impl SeedConnection + InsertRows<T, Tab>),
    table: Tab,
    n: usize,
) -> Result<Vec<T>, Error>
where
    T: Synthetic,
    Tab: Copy,
{
    seed_with::<T, Tab>(conn, table, n, &Generator::new())
}

/// [`seed()`] with a configured generator (seed, null rate, custom
/// generators).
pub fn seed_with<T, Tab>(
    conn: &mut (impl SeedConnection + InsertRows<T, Tab>),
    table: Tab,
    n: usize,
    generator: &Generator,
) -> Result<Vec<T>, Error>
where
    T: Synthetic,
    Tab: Copy,
{
    let rows: Vec<T> = generator.rows(n)?;
    let width = T::TABLE.columns.len().max(1);
    let max_binds = conn.max_binds().map_err(|source| Error::Database {
        table: Some(T::TABLE.name.to_string()),
        action: "reading the bind limit".to_owned(),
        source,
    })?;
    let per_statement = (max_binds / width).clamp(1, MAX_BATCH_ROWS);
    conn.transaction(|conn| {
        for (b, chunk) in rows.chunks(per_statement).enumerate() {
            conn.insert_rows(table, chunk).map_err(|source| Error::Database {
                table: Some(T::TABLE.name.to_string()),
                action: format!(
                    "inserting rows {}..={}",
                    b * per_statement + 1,
                    b * per_statement + chunk.len()
                ),
                source,
            })?;
        }
        Ok::<_, Error>(())
    })?;
    Ok(rows)
}
