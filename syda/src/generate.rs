//! The typed API: rows straight into Rust values.

use crate::engine::{Generators, OfflineEngine};
use crate::error::Result;
use crate::schema::Table;
use crate::synthetic::Synthetic;
use crate::value::Row;

/// `n` values of `T` from the offline engine with seed 0: fixtures for tests.
///
/// # Panics
///
/// Panics, with the error's message, when the rows cannot be generated (a
/// foreign key with no generator, an impossible unique constraint, …) or do
/// not deserialise into `T`. Use [`Generator::rows`] to get the error
/// instead.
///
/// ```
/// use std::borrow::Cow;
/// use syda::{Column, DataType, Synthetic, Table};
///
/// #[derive(serde::Deserialize)]
/// struct User {
///     id: i64,
///     email: String,
/// }
///
/// // What `#[derive(Synthetic)]` writes for `User`.
/// impl Synthetic for User {
///     const TABLE: Table = Table {
///         name: Cow::Borrowed("users"),
///         doc: None,
///         columns: Cow::Borrowed(&[
///             Column {
///                 name: Cow::Borrowed("id"), doc: None, ty: DataType::Integer, kind: None,
///                 nullable: false, unique: false, primary_key: true, foreign_key: None,
///                 max_length: None, range: None, one_of: None, pattern: None, generator: None,
///             },
///             Column {
///                 name: Cow::Borrowed("email"), doc: None, ty: DataType::Text, kind: None,
///                 nullable: false, unique: true, primary_key: false, foreign_key: None,
///                 max_length: None, range: None, one_of: None, pattern: None, generator: None,
///             },
///         ]),
///         unique: Cow::Borrowed(&[]),
///         foreign_keys: Cow::Borrowed(&[]),
///     };
/// }
///
/// let users: Vec<User> = syda::fixtures(3);
/// assert_eq!(users[2].id, 3);
/// assert!(users[0].email.contains('@'));
/// ```
pub fn fixtures<T: Synthetic>(n: usize) -> Vec<T> {
    match Generator::new().rows::<T>(n) {
        Ok(rows) => rows,
        Err(e) => panic!("syda::fixtures::<{}>({n}): {e}", std::any::type_name::<T>()),
    }
}

/// Generates rows with the offline engine: a builder for the seed, null rate
/// and custom generators, then typed ([`Generator::rows`]) or untyped
/// ([`Generator::table_rows`]) rows.
///
/// ```
/// use syda::{Column, DataType, Generator, Table, Value};
/// use syda::engine::Generators;
///
/// let table = Table::new("patients")
///     .with_column(Column::new("patient_id", DataType::Integer).primary_key())
///     .with_column(Column::new("diagnosis_code", DataType::Text).with_kind("icd10_code"))
///     .with_column(Column::new("ward", DataType::Text));
/// let mut generators = Generators::new();
/// generators.register_column("patients", "ward", |cx| Value::from(format!("W{}", cx.index() % 3)));
/// let rows = Generator::new().seed(42).null_rate(0.0).generators(generators).table_rows(&table, 5)?;
/// assert_eq!(rows[4][0], Value::Int(5));
/// assert_eq!(rows[4][2], Value::from("W1"));
/// # Ok::<(), syda::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct Generator {
    engine: OfflineEngine,
}

impl Generator {
    /// Seed 0, null rate 0.1, no custom generators.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.engine = self.engine.with_seed(seed);
        self
    }

    /// Sets the share of NULLs in nullable non-key columns (default 0.1).
    pub fn null_rate(mut self, rate: f64) -> Self {
        self.engine = self.engine.with_null_rate(rate);
        self
    }

    /// Sets the custom generators.
    pub fn generators(mut self, generators: Generators) -> Self {
        self.engine = self.engine.with_generators(generators);
        self
    }

    /// The engine this builder configures.
    pub fn engine(&self) -> &OfflineEngine {
        &self.engine
    }

    /// `n` values of `T`, generated from [`Synthetic::TABLE`] and
    /// deserialised through serde (column name → field).
    pub fn rows<T: Synthetic>(&self, n: usize) -> Result<Vec<T>> {
        let table = T::TABLE;
        let declared = T::relations();
        let with_declared;
        let engine = if declared.is_empty() {
            &self.engine
        } else {
            let mut all = self.engine.relations().to_vec();
            all.extend(declared);
            with_declared = self.engine.clone().with_relations(all);
            &with_declared
        };
        let mut out = Vec::with_capacity(n);
        for (i, row) in engine.rows(&table, n as u64)?.enumerate() {
            out.push(crate::dataset::to_typed(&table, i as u64, &row?)?);
        }
        Ok(out)
    }

    /// `n` rows of `table`, each a value per column in column order.
    pub fn table_rows(&self, table: &Table, n: usize) -> Result<Vec<Row>> {
        self.engine.rows(table, n as u64)?.collect()
    }

    /// Rows from a language model instead: the columns the model fills come
    /// from the provider in `config`, the rest (keys, foreign keys, custom
    /// generators) from the offline engine. See [`crate::engine::llm`].
    #[cfg(feature = "llm")]
    pub fn llm(config: crate::engine::llm::LlmConfig) -> crate::engine::llm::LlmGenerator {
        crate::engine::llm::LlmGenerator::new(config)
    }
}
