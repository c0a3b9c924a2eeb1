//! Related data: many tables generated in foreign-key order, every reference
//! valid. The Rust form of the seed's `generate_related_data`.
//!
//! ```
//! use syda::engine::OfflineEngine;
//! use syda::plan::{FanOut, Planner};
//! use syda::Schema;
//!
//! let schema = Schema::from_yaml_str(r#"
//! tables:
//!   customers:
//!     columns:
//!       id: { type: integer, primary_key: true }
//!       name: company
//!   contacts:
//!     columns:
//!       id: { type: integer, primary_key: true }
//!       customer_id: { type: integer, foreign_key: customers.id }
//!       email: { kind: email, unique: true }
//! "#)?;
//! let data = Planner::new(&schema)
//!     .size("customers", 10)
//!     .fan_out("contacts", "customer_id", FanOut::PerParent { min: 1, max: 3 })
//!     .generate(&OfflineEngine::new().with_seed(7))?;
//! let contacts = data.table("contacts").unwrap();
//! assert!((10..=30).contains(&contacts.len()));
//! assert!(syda::check::check(&data).is_clean());
//! # Ok::<(), syda::Error>(())
//! ```
//!
//! How it works: a dependency graph of tables over foreign keys (petgraph)
//! gives the generation order, parents first. While a parent is generated,
//! the planner remembers the keys its children reference (a consecutive
//! integer key costs two numbers, however many rows); each foreign-key
//! column of a child gets a column generator that picks a parent. Cycles
//! between tables are broken at a nullable foreign key: that column is
//! generated NULL and filled once its parent exists, and the data set
//! records it ([`Dataset::deferred`]) so a database loader can UPDATE.

mod keys;
mod order;
mod parallel;
mod pickers;
mod relations;
mod rules;
mod strategy;

use std::collections::HashMap;
use std::sync::Arc;

use keys::{KeyCapture, Keys};
pub use order::{DeferredKey, Order};
pub use parallel::{Chunk, DEFAULT_CHUNK_ROWS, Parallel, PartSink, Shard};
pub use pickers::FanOut;
use relations::{Aggregates, TableFix, TimeCapture, TimeKey, Times};
use rules::{Consistent, resolve_distinct};

use crate::dataset::Dataset;
use crate::engine::{Engine, ParentContext, Summaries};
use crate::error::{Error, Result};
use crate::schema::{Schema, Table};
use crate::value::Row;

/// Default rows per table when neither [`Planner::rows`] nor a size says otherwise.
pub const DEFAULT_ROWS: u64 = 100;

/// Plans and runs the generation of every table of a schema.
#[derive(Debug, Clone)]
pub struct Planner<'s> {
    schema: &'s Schema,
    default_rows: u64,
    sizes: HashMap<String, u64>,
    fan_out: HashMap<(String, String), FanOut>,
    consistent: Vec<Consistent>,
    distinct: Vec<(String, Vec<String>)>,
    parent_context: bool,
    infer_relations: bool,
    /// Per table: rows continue at this row index, their sequential key
    /// column counting from its range's start as before (see
    /// [`Planner::continue_at`]).
    continued: HashMap<usize, (usize, u64)>,
}

/// What the planner knows of the tables generated so far.
#[derive(Default)]
struct Known {
    /// The keys children reference, by (table, key columns).
    keys: HashMap<(usize, Vec<usize>), Arc<Keys>>,
    /// Row summaries by key, when parent context is on.
    summaries: HashMap<(usize, Vec<usize>), Arc<Summaries>>,
    /// Parent event times by key, for children whose dates follow them.
    times: HashMap<TimeKey, Arc<Times>>,
}

impl<'s> Planner<'s> {
    /// A planner for every table of `schema`, [`DEFAULT_ROWS`] rows each.
    pub fn new(schema: &'s Schema) -> Planner<'s> {
        Planner {
            schema,
            default_rows: DEFAULT_ROWS,
            sizes: HashMap::new(),
            fan_out: HashMap::new(),
            consistent: Vec::new(),
            distinct: Vec::new(),
            parent_context: false,
            infer_relations: true,
            continued: HashMap::new(),
        }
    }

    /// Switches inferred relations on (the default) or off, for every table:
    /// the row rules of [`crate::relation::infer`], children's dates not
    /// before their parents', and FK diamonds kept consistent (a table with
    /// keys to A and to B, where B has a key to A, picks a B of its A). With
    /// it off, only what the schema declares and this planner is told holds.
    /// One relation is switched off with `infer: false` on its column in the
    /// schema file ([`crate::relation::Rule::NotInferred`]).
    pub fn infer_relations(mut self, on: bool) -> Self {
        self.infer_relations = on;
        self
    }

    /// Rows for every table without its own size.
    pub fn rows(mut self, rows: u64) -> Self {
        self.default_rows = rows;
        self
    }

    /// Rows for one table.
    pub fn size(mut self, table: &str, rows: u64) -> Self {
        self.sizes.insert(table.to_owned(), rows);
        self
    }

    /// Sizes for several tables, as the seed's `sample_sizes`.
    pub fn sizes<'a>(mut self, sizes: impl IntoIterator<Item = (&'a str, u64)>) -> Self {
        for (table, rows) in sizes {
            self.sizes.insert(table.to_owned(), rows);
        }
        self
    }

    /// How children of the foreign key starting at `table.column` spread over
    /// their parents (default [`FanOut::Uniform`]).
    pub fn fan_out(mut self, table: &str, column: &str, fan_out: FanOut) -> Self {
        self.fan_out
            .insert((table.to_owned(), column.to_owned()), fan_out);
        self
    }

    /// Keeps the foreign key holding `table.column` consistent with the one
    /// holding `table.via`: the parent picked through `column` is one whose
    /// own foreign key points at the same row `via` does. For an order with a
    /// `customer_id` and a `contact_id`, `consistent("orders", "contact_id",
    /// "customer_id")` picks a contact of the order's customer.
    ///
    /// Both keys come from one uniformly drawn row of `column`'s parent
    /// (contacts), so customers without contacts get no orders, and the two
    /// keys' fan-out settings are not used.
    ///
    /// ```
    /// use syda::engine::OfflineEngine;
    /// use syda::plan::Planner;
    ///
    /// let schema = syda::Schema::from_yaml_str(r#"
    /// tables:
    ///   customers: { columns: { id: { type: integer, primary_key: true } } }
    ///   contacts:
    ///     columns:
    ///       id: { type: integer, primary_key: true }
    ///       customer_id: { type: integer, foreign_key: customers.id }
    ///   orders:
    ///     columns:
    ///       id: { type: integer, primary_key: true }
    ///       customer_id: { type: integer, foreign_key: customers.id }
    ///       contact_id: { type: integer, foreign_key: contacts.id }
    /// "#)?;
    /// let data = Planner::new(&schema)
    ///     .consistent("orders", "contact_id", "customer_id")
    ///     .generate(&OfflineEngine::new())?;
    /// let contacts = data.table("contacts").unwrap();
    /// for order in data.table("orders").unwrap() {
    ///     let contact = contacts.iter().find(|c| c[0] == order[2]).unwrap();
    ///     assert_eq!(contact[1], order[1]);
    /// }
    /// # Ok::<(), syda::Error>(())
    /// ```
    pub fn consistent(mut self, table: &str, column: &str, via: &str) -> Self {
        self.consistent.push(Consistent {
            table: table.to_owned(),
            column: column.to_owned(),
            via: via.to_owned(),
        });
        self
    }

    /// Makes several foreign keys of `table` to the same parent table pick
    /// different parent rows in each row: a message's `sender_id` and
    /// `recipient_id`, a match's `home_team_id` and `away_team_id`. Name each
    /// key by its first column. The first key in column order keeps its
    /// usual choice; the later ones draw uniformly among the parents left.
    pub fn distinct<'a>(mut self, table: &str, columns: impl IntoIterator<Item = &'a str>) -> Self {
        self.distinct
            .push((table.to_owned(), columns.into_iter().map(str::to_owned).collect()));
        self
    }

    /// Hands each table's engine a summary of the parent rows its rows
    /// reference ([`Engine::set_parent_context`]), so an engine that writes
    /// values from context — the LLM engine — keeps children consistent with
    /// their parents (a contact's e-mail at its customer's domain). Off by
    /// default: parent summaries are kept in memory while generating.
    pub fn parent_context(mut self, on: bool) -> Self {
        self.parent_context = on;
        self
    }

    /// The same settings over `schema`, a copy of this planner's schema with
    /// the same tables and columns (a seeder's copy whose keys start past the
    /// rows already in the database).
    pub fn retarget<'t>(&self, schema: &'t Schema) -> Planner<'t> {
        Planner {
            schema,
            default_rows: self.default_rows,
            sizes: self.sizes.clone(),
            fan_out: self.fan_out.clone(),
            consistent: self.consistent.clone(),
            distinct: self.distinct.clone(),
            parent_context: self.parent_context,
            infer_relations: self.infer_relations,
            continued: self.continued.clone(),
        }
    }

    /// [`Planner::stream`] generates table `t` from row index `first`
    /// instead of 0, with its sequential key column `key` still starting
    /// at the low end of its range: the rows a generation of `first + n`
    /// rows would give last, with the keys the range says. A seed into a
    /// table that holds rows uses it so the new rows' index-derived unique
    /// values (permutations, row tags) follow the earlier seed's instead of
    /// repeating them. An engine that cannot start mid-table starts at 0.
    pub(crate) fn continue_at(mut self, t: usize, key: usize, first: u64) -> Self {
        if first > 0 {
            self.continued.insert(t, (key, first));
        }
        self
    }

    /// Whether `table` has a size of its own (not the default row count).
    pub fn has_size(&self, table: &str) -> bool {
        self.sizes.contains_key(table)
    }

    /// The rows every table without a size of its own gets.
    pub fn default_rows(&self) -> u64 {
        self.default_rows
    }

    /// The rows `table` will get, when its size alone decides: `None` when a
    /// fan-out that sets children per parent decides it instead.
    pub fn expected_rows(&self, table: &str) -> Option<u64> {
        let spread = self
            .fan_out
            .iter()
            .any(|((t, _), f)| t == table && !matches!(f, FanOut::Uniform));
        (!spread).then(|| self.sizes.get(table).copied().unwrap_or(self.default_rows))
    }

    /// Generates every table into memory. Tables that do not depend on each
    /// other (no foreign key between them, directly or through others) are
    /// generated at the same time, up to one per available core; the result
    /// is the same as one at a time.
    pub fn generate<E: Engine>(&self, engine: &E) -> Result<Dataset> {
        let schema = self.schema;
        let order = self.order()?;
        let referenced = self.referenced_keys();
        let needed_times = self.needed_times();
        let mut known = Known::default();
        let mut generated: HashMap<usize, Vec<Row>> = HashMap::new();
        let width = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        for level in self.levels(&order) {
            for batch in level.chunks(width) {
                let prepared = batch
                    .iter()
                    .map(|&t| {
                        let (engine, rows) = self.prepare(t, engine, &order, &known, 0)?;
                        let fix = self.fix_for(t, &engine, &known)?;
                        Ok((engine, rows, std::sync::Mutex::new(fix)))
                    })
                    .collect::<Result<Vec<_>>>()?;
                type Prepared<E> = (E, u64, std::sync::Mutex<Option<TableFix>>);
                let collect = |(&t, (engine, rows, fix)): (&usize, &Prepared<E>)| {
                    let table = &schema.tables[t];
                    let mut captures = self.captures_for(t, &referenced);
                    let mut times = self.time_captures_for(t, &needed_times);
                    let mut fix = fix.lock().unwrap_or_else(|e| e.into_inner());
                    let mut out = Vec::with_capacity((*rows).min(1 << 20) as usize);
                    for (index, row) in (0..).zip(engine.rows(table, *rows)?) {
                        let mut row = row?;
                        if let Some(fix) = fix.as_mut() {
                            fix.fix(index, &mut row)?;
                        }
                        captures.iter_mut().for_each(|c| c.push_row(table, &row));
                        times.iter_mut().for_each(|c| c.push(&row));
                        out.push(row);
                    }
                    Ok((out, captures, times))
                };
                type Collected = (Vec<Row>, Vec<KeyCapture>, Vec<TimeCapture>);
                let results: Vec<Result<Collected>> = if batch.len() == 1 {
                    batch.iter().zip(&prepared).map(collect).collect()
                } else {
                    std::thread::scope(|scope| {
                        let handles: Vec<_> = batch
                            .iter()
                            .zip(&prepared)
                            .map(|job| scope.spawn(move || collect(job)))
                            .collect();
                        handles
                            .into_iter()
                            .map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
                            .collect()
                    })
                };
                for (&t, result) in batch.iter().zip(results) {
                    let (rows, captures, times) = result?;
                    known.remember(t, captures);
                    known.remember_times(times);
                    generated.insert(t, rows);
                }
            }
        }
        for key in &order.deferred {
            let t = schema.table_index(&key.table).ok_or_else(|| invalid(schema))?;
            let rows = generated.get_mut(&t).ok_or_else(|| invalid(schema))?;
            self.fill_deferred(engine, &schema.tables[t], key, rows, &known.keys)?;
        }
        let mut aggregates = Aggregates::new(schema);
        for t in 0..schema.tables.len() {
            if aggregates.is_child(t)
                && let Some(rows) = generated.get(&t)
            {
                rows.iter().for_each(|row| aggregates.observe(t, row));
            }
        }
        for t in 0..schema.tables.len() {
            if aggregates.is_parent(t)
                && let Some(rows) = generated.get_mut(&t)
            {
                aggregates.fill(t, rows);
            }
        }
        let ordered = (0..schema.tables.len())
            .filter_map(|t| Some((schema.tables[t].name.to_string(), generated.remove(&t)?)))
            .collect();
        Ok(Dataset::from_map(schema.clone(), ordered).with_deferred(order.deferred))
    }

    /// Generates every table in dependency order and hands each one's rows
    /// to `sink` as a stream, so no table needs to fit in memory. Tables with
    /// deferred foreign keys are the exception: they are held until their
    /// parents exist, then handed over complete. Returns the deferred keys.
    pub fn stream<E, F>(&self, engine: &E, mut sink: F) -> Result<Vec<DeferredKey>>
    where
        E: Engine,
        F: FnMut(&Table, &mut dyn Iterator<Item = Result<Row>>) -> Result<()>,
    {
        let schema = self.schema;
        let order = self.order()?;
        let referenced = self.referenced_keys();
        let needed_times = self.needed_times();
        let mut known = Known::default();
        let mut aggregates = Aggregates::new(schema);
        let mut held: Vec<(usize, Vec<Row>)> = Vec::new();
        for &t in &order.tables {
            let table = &schema.tables[t];
            // Continuing a filled table needs an engine that starts mid-table
            // (an empty range asks); others start at row 0.
            let continued = self
                .continued
                .get(&t)
                .filter(|_| engine.rows_range(table, 0..0).is_some())
                .map(|&(key, first)| (shifted_key(table, key, first), first));
            let first = continued.as_ref().map_or(0, |(_, first)| *first);
            let (engine, rows) = self.prepare(t, engine, &order, &known, first)?;
            let mut fix = self.fix_for(t, &engine, &known)?;
            let mut captures = self.captures_for(t, &referenced);
            let mut times = self.time_captures_for(t, &needed_times);
            let generated = match &continued {
                Some((shifted, first)) => engine
                    .rows_range(shifted, *first..first + rows)
                    .unwrap_or_else(|| engine.rows(table, rows))?,
                None => engine.rows(table, rows)?,
            };
            let aggregates = &mut aggregates;
            let mut capturing = (first..).zip(generated).map(|(index, row)| {
                let mut row = row?;
                if let Some(fix) = fix.as_mut() {
                    fix.fix(index, &mut row)?;
                }
                for capture in &mut captures {
                    capture.push_row(table, &row);
                }
                times.iter_mut().for_each(|c| c.push(&row));
                aggregates.observe(t, &row);
                Ok(row)
            });
            if order.deferred.iter().any(|d| d.table == table.name) || aggregates_parent(schema, t) {
                held.push((t, capturing.by_ref().collect::<Result<Vec<Row>>>()?));
            } else {
                sink(table, &mut capturing)?;
                // A sink that stopped early must not leave parents half-known.
                capturing.try_for_each(|r| r.map(drop))?;
            }
            drop(capturing);
            known.remember(t, captures);
            known.remember_times(times);
        }
        for (t, mut rows) in held {
            let table = &schema.tables[t];
            for key in order.deferred.iter().filter(|d| d.table == table.name) {
                self.fill_deferred(engine, table, key, &mut rows, &known.keys)?;
            }
            aggregates.fill(t, &mut rows);
            sink(table, &mut rows.into_iter().map(Ok))?;
        }
        Ok(order.deferred)
    }

    /// Declared and inferred `consistent` rules (FK diamonds), declared first.
    fn all_consistent(&self) -> Vec<Consistent> {
        let mut out = self.consistent.clone();
        if !self.infer_relations {
            return out;
        }
        let off = |table: &str, column: &str| {
            self.schema.relations.iter().any(|d| {
                d.table == table
                    && matches!(&d.rule, crate::relation::Rule::NotInferred { column: c } if c == column || c == "*")
            })
        };
        for (table, column, via) in crate::relation::diamonds(self.schema) {
            let taken = out
                .iter()
                .any(|c| c.table == table && [&c.column, &c.via].iter().any(|x| **x == column || **x == via));
            let spread = self.fan_out.contains_key(&(table.clone(), column.clone()))
                || self.fan_out.contains_key(&(table.clone(), via.clone()));
            let apart = self
                .distinct
                .iter()
                .any(|(t, cols)| *t == table && cols.iter().any(|c| *c == column || *c == via));
            // A unique key cannot follow a diamond: either side is then
            // picked from the parents the other path allows, which repeat.
            let unique = self.schema.table(&table).is_some_and(|t| {
                [&column, &via]
                    .iter()
                    .any(|name| t.column(name).is_some_and(|c| c.unique))
            });
            if taken || spread || apart || unique || off(&table, &column) || off(&table, &via) {
                continue;
            }
            let rule = Consistent { table, column, via };
            if rule.resolve(self.schema).is_ok() {
                out.push(rule);
            }
        }
        out
    }

    /// Child-after-parent rules of `table`, when inference is on.
    fn after_parent(&self, table: &Table) -> Vec<crate::relation::Rule> {
        if !self.infer_relations {
            return Vec::new();
        }
        let off = |column: &str| {
            self.schema.relations.iter().any(|d| {
                d.table == table.name
                    && matches!(&d.rule, crate::relation::Rule::NotInferred { column: c } if c == column || c == "*")
            })
        };
        crate::relation::after_parent_rules(self.schema, table)
            .into_iter()
            .filter(|r| !off(r.target()) && !r.sources().iter().any(|s| off(s)))
            .collect()
    }

    /// For each parent table, the (key, time) columns its children follow.
    fn needed_times(&self) -> HashMap<usize, Vec<TimeKey>> {
        let mut out: HashMap<usize, Vec<TimeKey>> = HashMap::new();
        for table in &self.schema.tables {
            for rule in self.after_parent(table) {
                let crate::relation::Rule::AfterParent {
                    foreign_key,
                    parent,
                    parent_column,
                    ..
                } = &rule
                else {
                    continue;
                };
                let Some(p) = self.schema.table_index(parent) else {
                    continue;
                };
                let pt = &self.schema.tables[p];
                let key = table
                    .all_foreign_keys()
                    .into_iter()
                    .find(|k| {
                        k.columns.first().map(|f| f.as_ref()) == foreign_key.first().map(String::as_str)
                    })
                    .and_then(|k| pt.column_index(&k.references[0]));
                if let (Some(k), Some(c)) = (key, pt.column_index(parent_column)) {
                    let list = out.entry(p).or_default();
                    if !list.contains(&(p, k, c)) {
                        list.push((p, k, c));
                    }
                }
            }
        }
        out
    }

    fn time_captures_for(&self, t: usize, needed: &HashMap<usize, Vec<TimeKey>>) -> Vec<TimeCapture> {
        needed
            .get(&t)
            .map(|keys| keys.iter().map(|&k| TimeCapture::new(k)).collect())
            .unwrap_or_default()
    }

    /// What the planner does to each row of table `t` from `engine`.
    fn fix_for<E: Engine>(&self, t: usize, engine: &E, known: &Known) -> Result<Option<TableFix>> {
        let table = &self.schema.tables[t];
        let local = engine.local();
        TableFix::new(
            table,
            local.relations_for(table),
            engine.applies_relations(),
            &self.after_parent(table),
            &known.times,
            self.schema,
            local.seed(),
        )
    }

    /// A key capture for each column set of table `t` that children reference.
    fn captures_for(&self, t: usize, referenced: &HashMap<usize, Vec<Vec<usize>>>) -> Vec<KeyCapture> {
        let capture = |cols: &Vec<usize>| {
            let capture = KeyCapture::new(cols.clone());
            if self.parent_context {
                capture.with_summaries()
            } else {
                capture
            }
        };
        referenced
            .get(&t)
            .map(|sets| sets.iter().map(capture).collect())
            .unwrap_or_default()
    }

    /// The parent rows `table`'s foreign keys reference, summarised: every
    /// key to another table that is filled while the table is generated.
    fn context_for(&self, table: &Table, order: &Order, known: &Known) -> ParentContext {
        let mut context = ParentContext::default();
        for fk in table.all_foreign_keys() {
            if fk.table == table.name || order.is_deferred(table, &fk) {
                continue;
            }
            let Some(p) = self.schema.table_index(&fk.table) else {
                continue;
            };
            let parent = &self.schema.tables[p];
            let referenced: Option<Vec<usize>> =
                fk.references.iter().map(|c| parent.column_index(c)).collect();
            let columns: Option<Vec<usize>> = fk.columns.iter().map(|c| table.column_index(c)).collect();
            if let (Some(referenced), Some(columns)) = (referenced, columns)
                && let Some(summaries) = known.summaries.get(&(p, referenced))
            {
                context.link(columns, &fk.table, Arc::clone(summaries));
            }
        }
        context
    }

    /// For each table, the column sets its children reference.
    fn referenced_keys(&self) -> HashMap<usize, Vec<Vec<usize>>> {
        let mut out: HashMap<usize, Vec<Vec<usize>>> = HashMap::new();
        for table in &self.schema.tables {
            for fk in table.all_foreign_keys() {
                let Some(p) = self.schema.table_index(&fk.table) else {
                    continue;
                };
                let parent = &self.schema.tables[p];
                let cols: Vec<usize> = fk
                    .references
                    .iter()
                    .filter_map(|c| parent.column_index(c))
                    .collect();
                let sets = out.entry(p).or_default();
                if !sets.contains(&cols) {
                    sets.push(cols);
                }
            }
        }
        for resolved in self
            .all_consistent()
            .iter()
            .filter_map(|c| c.resolve(self.schema).ok())
        {
            let sets = out.entry(resolved.parent).or_default();
            if !sets.contains(&resolved.captured) {
                sets.push(resolved.captured);
            }
        }
        out
    }

    fn check_names(&self) -> Result<()> {
        let unknown: Vec<&String> = self
            .sizes
            .keys()
            .chain(self.fan_out.keys().map(|(t, _)| t))
            .chain(self.distinct.iter().map(|(t, _)| t))
            .filter(|t| self.schema.table(t).is_none())
            .collect();
        if let Some(name) = unknown.first() {
            let known: Vec<&str> = self.schema.tables.iter().map(|t| t.name.as_ref()).collect();
            return Err(Error::InvalidSchema {
                origin: "sizes".to_owned(),
                problems: vec![crate::error::Problem::table(
                    name,
                    format!("no such table; the schema has: {}", known.join(", ")),
                )],
            });
        }
        self.schema.validate()?;
        for rule in &self.consistent {
            rule.resolve(self.schema)?;
        }
        for (table, columns) in &self.distinct {
            if let Some(table) = self.schema.table(table) {
                resolve_distinct(table, columns)?;
            }
        }
        Ok(())
    }
}

/// The seed's `generate_related_data`: every table of `schema`, sized by
/// `sizes` (others get [`DEFAULT_ROWS`]), generated by `engine`.
pub fn generate_related<'a, E: Engine>(
    schema: &Schema,
    sizes: impl IntoIterator<Item = (&'a str, u64)>,
    engine: &E,
) -> Result<Dataset> {
    Planner::new(schema).sizes(sizes).generate(engine)
}

/// A self-reference needs the row's own key generated before it.
impl Known {
    /// Keeps the parent times captured.
    fn remember_times(&mut self, times: Vec<TimeCapture>) {
        for capture in times {
            let (key, times) = capture.finish();
            self.times.insert(key, Arc::new(times));
        }
    }

    /// Keeps what table `t` produced, for its children.
    fn remember(&mut self, t: usize, captures: Vec<KeyCapture>) {
        for capture in captures {
            let columns = capture.columns.clone();
            let (keys, summaries) = capture.finish();
            self.keys.insert((t, columns.clone()), Arc::new(keys));
            if let Some(summaries) = summaries {
                self.summaries.insert((t, columns), Arc::new(summaries));
            }
        }
    }
}

fn invalid(schema: &Schema) -> Error {
    match schema.validate() {
        Err(e) => e,
        Ok(()) => Error::InvalidSchema {
            origin: "schema".to_owned(),
            problems: vec![crate::error::Problem::schema("inconsistent foreign keys")],
        },
    }
}

/// Whether table `t` has declared aggregates, so it waits for its children.
fn aggregates_parent(schema: &Schema, t: usize) -> bool {
    schema.relations.iter().any(|d| {
        matches!(d.rule, crate::relation::Rule::Aggregate { .. }) && d.table == schema.tables[t].name
    })
}

/// `table` with its sequential key column `key` counting `first` lower, so
/// that row `first` gets the key the range starts at.
fn shifted_key(table: &Table, key: usize, first: u64) -> Table {
    let mut shifted = table.clone();
    if let Some(crate::schema::Range {
        min: crate::schema::Literal::Int(lo),
        ..
    }) = &mut shifted.columns.to_mut()[key].range
    {
        *lo = lo.saturating_sub(i64::try_from(first).unwrap_or(i64::MAX));
    }
    shifted
}
