//! Custom generators and what they see.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use crate::engine::EngineRng;
use crate::schema::{Column, Table};
use crate::value::Value;

/// What a custom generator sees while one cell is generated: the table and
/// column, the values of the earlier columns of the same row, the row index
/// and a random number generator seeded for this row and column.
///
/// This is the Rust form of the seed's `lambda row, col: …`.
pub struct GenContext<'a> {
    pub(crate) table: &'a Table,
    pub(crate) column: &'a Column,
    pub(crate) column_index: usize,
    pub(crate) row: &'a [Value],
    pub(crate) index: u64,
    pub(crate) rng: EngineRng,
}

impl std::fmt::Debug for GenContext<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GenContext")
            .field("table", &self.table.name)
            .field("column", &self.column.name)
            .field("index", &self.index)
            .finish_non_exhaustive()
    }
}

impl<'a> GenContext<'a> {
    pub(crate) fn new(
        table: &'a Table,
        column_index: usize,
        row: &'a [Value],
        index: u64,
        rng: EngineRng,
    ) -> GenContext<'a> {
        GenContext {
            table,
            column: &table.columns[column_index],
            column_index,
            row,
            index,
            rng,
        }
    }
}

impl GenContext<'_> {
    /// The table being generated.
    pub fn table(&self) -> &Table {
        self.table
    }

    /// The column being generated.
    pub fn column(&self) -> &Column {
        self.column
    }

    /// Position of the column being generated in the table.
    pub fn column_index(&self) -> usize {
        self.column_index
    }

    /// The values generated so far for this row: one per earlier column, so
    /// `row().len() == column_index()`.
    pub fn row(&self) -> &[Value] {
        self.row
    }

    /// The value of an earlier column of this row, by name. `None` for an
    /// unknown column or one that comes at or after the current column.
    pub fn value(&self, column_name: &str) -> Option<&Value> {
        let i = self.table.column_index(column_name)?;
        self.row.get(i)
    }

    /// Index of the row being generated, from 0.
    pub fn index(&self) -> u64 {
        self.index
    }

    /// Random numbers for this cell. Seeded from the engine seed, the table,
    /// the row index and the column, so a generator that only draws from it
    /// is reproducible.
    pub fn rng(&mut self) -> &mut EngineRng {
        &mut self.rng
    }
}

/// A custom generator: called once per cell, returns the cell's value.
pub type GeneratorFn = Arc<dyn Fn(&mut GenContext<'_>) -> Value + Send + Sync>;

/// Custom generators, registered by kind, by `generator:` name or for one
/// `table.column`.
///
/// Precedence when a column is filled: the column's own generator, then the
/// generator named by the column's `generator:`, then a generator registered
/// for its kind (explicit or inferred), then the built-in one.
///
/// ```
/// use syda::engine::Generators;
/// use syda::Value;
///
/// let mut generators = Generators::new();
/// generators
///     .register_kind("icd10_code", |_| Value::from("J45.909"))
///     .register_column("orders", "customer_id", |cx| Value::Int(cx.index() as i64 % 10 + 1));
/// assert!(generators.column("orders", "customer_id").is_some());
/// ```
#[derive(Clone, Default)]
pub struct Generators {
    by_kind: HashMap<String, GeneratorFn>,
    by_column: HashMap<(String, String), GeneratorFn>,
    by_name: HashMap<String, GeneratorFn>,
}

impl Generators {
    /// No custom generators.
    pub fn new() -> Self {
        Self::default()
    }

    /// Fills every column of `kind` (given explicitly or inferred) with `f`.
    /// A kind that the engine does not know becomes usable in schemas this way.
    pub fn register_kind(
        &mut self,
        kind: &str,
        f: impl Fn(&mut GenContext<'_>) -> Value + Send + Sync + 'static,
    ) -> &mut Self {
        self.by_kind.insert(kind.to_owned(), Arc::new(f));
        self
    }

    /// Fills `table.column` with `f`. This is how foreign keys are filled:
    /// the related-data planner registers one per foreign-key column. The
    /// engine's null rate does not apply: `f` returns [`Value::Null`] itself
    /// when it wants one.
    pub fn register_column(
        &mut self,
        table: &str,
        column: &str,
        f: impl Fn(&mut GenContext<'_>) -> Value + Send + Sync + 'static,
    ) -> &mut Self {
        self.by_column
            .insert((table.to_owned(), column.to_owned()), Arc::new(f));
        self
    }

    /// Registers `f` under `name`, for columns declaring `generator: name`.
    pub fn register_named(
        &mut self,
        name: &str,
        f: impl Fn(&mut GenContext<'_>) -> Value + Send + Sync + 'static,
    ) -> &mut Self {
        self.by_name.insert(name.to_owned(), Arc::new(f));
        self
    }

    /// The generator registered for `table.column`.
    pub fn column(&self, table: &str, column: &str) -> Option<&GeneratorFn> {
        self.by_column.get(&(table.to_owned(), column.to_owned()))
    }

    /// The generator registered under `name`.
    pub fn named(&self, name: &str) -> Option<&GeneratorFn> {
        self.by_name.get(name)
    }

    /// The generator registered for `kind`.
    pub fn kind(&self, kind: &str) -> Option<&GeneratorFn> {
        self.by_kind.get(kind)
    }

    /// Adds every generator of `other`, replacing ones registered under the
    /// same key.
    pub fn extend(&mut self, other: Generators) -> &mut Self {
        self.by_kind.extend(other.by_kind);
        self.by_column.extend(other.by_column);
        self.by_name.extend(other.by_name);
        self
    }
}

impl fmt::Debug for Generators {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sorted = |keys: Vec<String>| {
            let mut keys = keys;
            keys.sort();
            keys
        };
        f.debug_struct("Generators")
            .field("kinds", &sorted(self.by_kind.keys().cloned().collect()))
            .field(
                "columns",
                &sorted(self.by_column.keys().map(|(t, c)| format!("{t}.{c}")).collect()),
            )
            .field("named", &sorted(self.by_name.keys().cloned().collect()))
            .finish()
    }
}
