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

mod fill;
mod keys;
mod parallel;
mod rules;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};
use rand::RngExt;

pub use fill::FanOut;
use fill::{Choice, ParentPicker, SelfReference, plan_rng};
use keys::{KeyCapture, Keys};
pub use parallel::{Chunk, DEFAULT_CHUNK_ROWS, Parallel, PartSink, Shard};
use rules::{Consistent, DistinctPicker, Resolved, resolve_distinct};

use crate::dataset::Dataset;
use crate::engine::{Engine, OfflineEngine, ParentContext, Summaries};
use crate::error::{Error, Result};
use crate::schema::{ForeignKey, Schema, Table};
use crate::value::{Row, Value};

/// Default rows per table when neither [`Planner::rows`] nor a size says otherwise.
pub const DEFAULT_ROWS: u64 = 100;

/// A foreign key that was generated NULL first and filled after its parent
/// table existed, because the tables reference each other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeferredKey {
    /// The child table.
    pub table: String,
    /// The foreign key's columns in the child.
    pub columns: Vec<String>,
    /// The parent table.
    pub parent: String,
}

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
}

/// What the planner knows of the tables generated so far.
#[derive(Default)]
struct Known {
    /// The keys children reference, by (table, key columns).
    keys: HashMap<(usize, Vec<usize>), Arc<Keys>>,
    /// Row summaries by key, when parent context is on.
    summaries: HashMap<(usize, Vec<usize>), Arc<Summaries>>,
}

/// The generation order with the foreign keys to fill afterwards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    /// Table indexes into the schema, parents before children.
    pub tables: Vec<usize>,
    /// Foreign keys filled after their parent, to break cycles.
    pub deferred: Vec<DeferredKey>,
}

impl Order {
    /// Whether `fk` of `table` is filled after the fact.
    pub fn is_deferred(&self, table: &Table, fk: &ForeignKey) -> bool {
        self.deferred
            .iter()
            .any(|d| d.table == table.name && d.columns.iter().eq(fk.columns.iter()))
    }
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
        }
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

    /// Generation order: parents before children, declaration order among
    /// equals; cycles broken at nullable foreign keys.
    pub fn order(&self) -> Result<Order> {
        let schema = self.schema;
        self.check_names()?;
        let mut graph = DiGraph::<usize, (usize, ForeignKey, bool)>::new();
        let nodes: Vec<NodeIndex> = (0..schema.tables.len()).map(|i| graph.add_node(i)).collect();
        for (child, table) in schema.tables.iter().enumerate() {
            for fk in table.all_foreign_keys() {
                let parent = schema.table_index(&fk.table).ok_or_else(|| invalid(schema))?;
                if parent != child {
                    let optional = table.is_optional(&fk);
                    graph.add_edge(nodes[parent], nodes[child], (child, fk, optional));
                }
            }
        }
        // Inside each strongly connected component, nullable edges are
        // deferred; validation guarantees what remains is acyclic.
        let mut deferred = Vec::new();
        for component in tarjan_scc(&graph).into_iter().filter(|c| c.len() > 1) {
            let members: HashSet<NodeIndex> = component.iter().copied().collect();
            let inner: Vec<_> = graph
                .edge_indices()
                .filter(|&e| {
                    graph[e].2
                        && graph
                            .edge_endpoints(e)
                            .is_some_and(|(a, b)| members.contains(&a) && members.contains(&b))
                })
                .collect();
            for e in inner.into_iter().rev() {
                if let Some((child, fk, _)) = graph.remove_edge(e) {
                    deferred.push(DeferredKey {
                        table: schema.tables[child].name.to_string(),
                        columns: fk.columns.iter().map(ToString::to_string).collect(),
                        parent: fk.table.to_string(),
                    });
                }
            }
        }
        // Kahn's algorithm, always taking the earliest declared ready table.
        let mut waiting: Vec<usize> = nodes
            .iter()
            .map(|&n| graph.neighbors_directed(n, petgraph::Direction::Incoming).count())
            .collect();
        let mut ready: BTreeSet<usize> = (0..nodes.len()).filter(|&i| waiting[i] == 0).collect();
        let mut tables = Vec::with_capacity(nodes.len());
        while let Some(next) = ready.pop_first() {
            tables.push(next);
            for child in graph.neighbors_directed(nodes[next], petgraph::Direction::Outgoing) {
                let c = graph[child];
                waiting[c] -= 1;
                if waiting[c] == 0 {
                    ready.insert(c);
                }
            }
        }
        if tables.len() != nodes.len() {
            return Err(invalid(schema));
        }
        deferred.sort_by(|a, b| (&a.table, &a.columns).cmp(&(&b.table, &b.columns)));
        Ok(Order { tables, deferred })
    }

    /// Generates every table into memory. Tables that do not depend on each
    /// other (no foreign key between them, directly or through others) are
    /// generated at the same time, up to one per available core; the result
    /// is the same as one at a time.
    pub fn generate<E: Engine>(&self, engine: &E) -> Result<Dataset> {
        let schema = self.schema;
        let order = self.order()?;
        let referenced = self.referenced_keys();
        let mut known = Known::default();
        let mut generated: HashMap<usize, Vec<Row>> = HashMap::new();
        let width = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        for level in self.levels(&order) {
            for batch in level.chunks(width) {
                let prepared = batch
                    .iter()
                    .map(|&t| self.prepare(t, engine, &order, &known))
                    .collect::<Result<Vec<_>>>()?;
                let collect = |(&t, (engine, rows)): (&usize, &(E, u64))| {
                    let table = &schema.tables[t];
                    let mut captures = self.captures_for(t, &referenced);
                    let mut out = Vec::with_capacity((*rows).min(1 << 20) as usize);
                    for row in engine.rows(table, *rows)? {
                        let row = row?;
                        captures.iter_mut().for_each(|c| c.push_row(table, &row));
                        out.push(row);
                    }
                    Ok((out, captures))
                };
                let results: Vec<Result<(Vec<Row>, Vec<KeyCapture>)>> = if batch.len() == 1 {
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
                    let (rows, captures) = result?;
                    known.remember(t, captures);
                    generated.insert(t, rows);
                }
            }
        }
        for key in &order.deferred {
            let t = schema.table_index(&key.table).ok_or_else(|| invalid(schema))?;
            let rows = generated.get_mut(&t).ok_or_else(|| invalid(schema))?;
            self.fill_deferred(engine, &schema.tables[t], key, rows, &known.keys)?;
        }
        let ordered = (0..schema.tables.len())
            .filter_map(|t| Some((schema.tables[t].name.to_string(), generated.remove(&t)?)))
            .collect();
        Ok(Dataset::from_map(schema.clone(), ordered).with_deferred(order.deferred))
    }

    /// The tables of `order` in dependency levels: every table's parents
    /// (through foreign keys not deferred) are in earlier levels.
    fn levels(&self, order: &Order) -> Vec<Vec<usize>> {
        let schema = self.schema;
        let mut level = vec![0usize; schema.tables.len()];
        let mut levels: Vec<Vec<usize>> = Vec::new();
        for &t in &order.tables {
            let table = &schema.tables[t];
            let l = table
                .all_foreign_keys()
                .iter()
                .filter(|fk| fk.table != table.name && !order.is_deferred(table, fk))
                .filter_map(|fk| schema.table_index(&fk.table))
                .map(|p| level[p] + 1)
                .max()
                .unwrap_or(0);
            level[t] = l;
            if levels.len() <= l {
                levels.resize(l + 1, Vec::new());
            }
            levels[l].push(t);
        }
        levels
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
        let mut known = Known::default();
        let mut held: Vec<(usize, Vec<Row>)> = Vec::new();
        for &t in &order.tables {
            let table = &schema.tables[t];
            let (engine, rows) = self.prepare(t, engine, &order, &known)?;
            let mut captures = self.captures_for(t, &referenced);
            let generated = engine.rows(table, rows)?;
            let mut capturing = generated.inspect(|row| {
                if let Ok(row) = row {
                    for capture in &mut captures {
                        capture.push_row(table, row);
                    }
                }
            });
            if order.deferred.iter().any(|d| d.table == table.name) {
                held.push((t, capturing.by_ref().collect::<Result<Vec<Row>>>()?));
            } else {
                sink(table, &mut capturing)?;
                // A sink that stopped early must not leave parents half-known.
                capturing.try_for_each(|r| r.map(drop))?;
            }
            drop(capturing);
            known.remember(t, captures);
        }
        for (t, mut rows) in held {
            let table = &schema.tables[t];
            for key in order.deferred.iter().filter(|d| d.table == table.name) {
                self.fill_deferred(engine, table, key, &mut rows, &known.keys)?;
            }
            sink(table, &mut rows.into_iter().map(Ok))?;
        }
        Ok(order.deferred)
    }

    /// The engine for table `t` (with a generator per foreign-key column) and
    /// how many rows to make.
    fn prepare<E: Engine>(&self, t: usize, engine: &E, order: &Order, known: &Known) -> Result<(E, u64)> {
        let schema = self.schema;
        let table = &schema.tables[t];
        let keys = &known.keys;
        let mut prepared = engine.clone();
        if self.parent_context {
            prepared.set_parent_context(self.context_for(table, order, known));
        }
        let engine = prepared.local_mut();
        let null_rate = engine.null_rate();
        let fks = table.all_foreign_keys();
        let mut rows = self
            .sizes
            .get(table.name.as_ref())
            .copied()
            .unwrap_or(self.default_rows);
        // A fan-out that fixes children per parent decides the table size.
        let mut fixed: HashMap<usize, Vec<u32>> = HashMap::new();
        for (f, fk) in fks.iter().enumerate() {
            let spread = self.spread(table, fk);
            if !spread.sets_size() || fk.table == table.name {
                continue;
            }
            let parent_keys = parent_keys(schema, fk, keys)?;
            let mut rng = plan_rng(engine.seed(), &table.name, &fk.columns.join(","));
            let counts = spread.counts(parent_keys.len(), &mut rng);
            let order = Choice::parents_from_counts(&counts, &mut rng);
            rows = order.len() as u64;
            fixed.insert(f, order);
            break;
        }
        let pairs = self.join_pairs(table, &fks, rows, keys, engine.seed())?;
        let mut tied: HashSet<usize> = HashSet::new();
        for rule in self.consistent.iter().filter(|c| c.table == table.name) {
            let resolved = rule.resolve(schema)?;
            register_consistent(table, &fks, &resolved, order, keys, rows, engine)?;
            tied.extend([resolved.key, resolved.via]);
        }
        // For each key a `distinct` rule covers (but the first in column
        // order), the columns of the keys it must differ from.
        let mut differ_from: HashMap<usize, Vec<Vec<String>>> = HashMap::new();
        for (_, columns) in self.distinct.iter().filter(|(t, _)| *t == table.name) {
            let mut found = resolve_distinct(table, columns)?;
            found.sort_by_key(|&f| table.column_index(&fks[f].columns[0]));
            for (i, &f) in found.iter().enumerate().skip(1) {
                differ_from.entry(f).or_default().extend(
                    found[..i]
                        .iter()
                        .map(|&e| fks[e].columns.iter().map(ToString::to_string).collect()),
                );
            }
        }
        for (f, fk) in fks.iter().enumerate() {
            if tied.contains(&f) {
                continue;
            }
            let columns: Vec<String> = fk.columns.iter().map(ToString::to_string).collect();
            let nullable = table.is_optional(fk);
            let fk_null_rate = if nullable { null_rate } else { 0.0 };
            if order.is_deferred(table, fk) {
                for column in &columns {
                    engine
                        .generators_mut()
                        .register_column(&table.name, column, |_| Value::Null);
                }
                continue;
            }
            if fk.table == table.name {
                let own_key = self_key(table, fk)?;
                let picker = Arc::new(SelfReference::new(own_key, fk_null_rate));
                engine
                    .generators_mut()
                    .register_column(&table.name, &columns[0], move |ctx| picker.value(ctx));
                continue;
            }
            let parent_keys = parent_keys(schema, fk, keys)?;
            if parent_keys.len() == 0 && !(nullable && fk_null_rate >= 1.0) && rows > 0 {
                return Err(Error::Unsatisfiable {
                    table: table.name.to_string(),
                    column: columns.join(", "),
                    message: format!(
                        "references {} but that table has no rows; give it a size above 0",
                        fk.table
                    ),
                });
            }
            if let Some(earlier) = differ_from.remove(&f) {
                if parent_keys.len() <= earlier.len() && rows > 0 {
                    return Err(Error::Unsatisfiable {
                        table: table.name.to_string(),
                        column: columns.join(", "),
                        message: format!(
                            "must differ from {} other keys to {}, which has only {} rows",
                            earlier.len(),
                            fk.table,
                            parent_keys.len()
                        ),
                    });
                }
                let picker = Arc::new(DistinctPicker::new(parent_keys, earlier, fk_null_rate));
                for (part, column) in columns.iter().enumerate() {
                    let picker = Arc::clone(&picker);
                    engine
                        .generators_mut()
                        .register_column(&table.name, column, move |ctx| picker.value(ctx, part));
                }
                continue;
            }
            let choice = if let Some(order) = fixed.remove(&f) {
                Choice::Fixed(order)
            } else if let Some((list, side)) = pairs.as_ref().and_then(|(a, b, list)| match f {
                _ if f == *a => Some((list, 0)),
                _ if f == *b => Some((list, 1)),
                _ => None,
            }) {
                Choice::Fixed(list.iter().map(|p| p[side]).collect())
            } else if is_one_to_one(table, fk) {
                if rows > parent_keys.len() as u64 {
                    return Err(Error::Unsatisfiable {
                        table: table.name.to_string(),
                        column: columns.join(", "),
                        message: format!(
                            "is a unique (one-to-one) reference to {}, which has {} rows, but {rows} rows were asked for; \
                             lower the size or make the column non-unique",
                            fk.table,
                            parent_keys.len()
                        ),
                    });
                }
                let mut rng = plan_rng(engine.seed(), &table.name, &columns.join(","));
                Choice::one_to_one(parent_keys.len(), rows as usize, &mut rng)
            } else if let FanOut::Zipf { exponent } = self.spread(table, fk) {
                let mut rng = plan_rng(engine.seed(), &table.name, &columns.join(","));
                Choice::zipf(parent_keys.len(), exponent, &mut rng)
            } else {
                Choice::Uniform
            };
            let fixed_choice = matches!(choice, Choice::Fixed(_));
            // One-to-one, fan-out and join rows are assigned a parent each:
            // a NULL would drop that assignment.
            let picker = Arc::new(ParentPicker::new(
                parent_keys,
                choice,
                if fixed_choice { 0.0 } else { fk_null_rate },
            ));
            for (part, column) in columns.iter().enumerate() {
                let picker = Arc::clone(&picker);
                engine
                    .generators_mut()
                    .register_column(&table.name, column, move |ctx| picker.value(ctx, part));
            }
        }
        Ok((prepared, rows))
    }

    /// A join table (a composite primary key or unique key made of two
    /// foreign keys) needs distinct (left, right) pairs: drawn here.
    #[allow(clippy::type_complexity)]
    fn join_pairs(
        &self,
        table: &Table,
        fks: &[ForeignKey],
        rows: u64,
        keys: &HashMap<(usize, Vec<usize>), Arc<Keys>>,
        seed: u64,
    ) -> Result<Option<(usize, usize, Vec<[u32; 2]>)>> {
        let pk: Vec<&str> = table.primary_key().map(|c| c.name.as_ref()).collect();
        let mut key_sets: Vec<Vec<&str>> = table
            .unique
            .iter()
            .map(|k| k.iter().map(|c| c.as_ref()).collect())
            .collect();
        key_sets.push(pk);
        for key in key_sets {
            let covering: Vec<usize> = fks
                .iter()
                .enumerate()
                .filter(|(_, fk)| {
                    fk.table != table.name && fk.columns.iter().all(|c| key.contains(&c.as_ref()))
                })
                .map(|(i, _)| i)
                .collect();
            let covered: usize = covering.iter().map(|&i| fks[i].columns.len()).sum();
            if covering.len() != 2 || covered != key.len() {
                continue;
            }
            let (a, b) = (covering[0], covering[1]);
            let left = parent_keys(self.schema, &fks[a], keys)?.len() as u64;
            let right = parent_keys(self.schema, &fks[b], keys)?.len() as u64;
            let possible = left.saturating_mul(right);
            if rows > possible {
                return Err(Error::Unsatisfiable {
                    table: table.name.to_string(),
                    column: key.join(", "),
                    message: format!(
                        "{rows} rows were asked for, but only {left} × {right} = {possible} distinct ({}) pairs exist",
                        key.join(", ")
                    ),
                });
            }
            let mut rng = plan_rng(seed, &table.name, "pairs");
            let mut chosen: HashSet<u64> = HashSet::with_capacity(rows as usize);
            let mut pairs = Vec::with_capacity(rows as usize);
            if rows.saturating_mul(2) > possible {
                // Dense: shuffle every pair and take the first `rows`.
                let mut all: Vec<u64> = (0..possible).collect();
                rand::seq::SliceRandom::shuffle(all.as_mut_slice(), &mut rng);
                all.truncate(rows as usize);
                pairs.extend(all.into_iter().map(|x| [(x / right) as u32, (x % right) as u32]));
            } else {
                while (pairs.len() as u64) < rows {
                    let x = rng.random_range(0..possible);
                    if chosen.insert(x) {
                        pairs.push([(x / right) as u32, (x % right) as u32]);
                    }
                }
            }
            return Ok(Some((a, b, pairs)));
        }
        Ok(None)
    }

    fn fill_deferred<E: Engine>(
        &self,
        engine: &E,
        table: &Table,
        key: &DeferredKey,
        rows: &mut [Row],
        keys: &HashMap<(usize, Vec<usize>), Arc<Keys>>,
    ) -> Result<()> {
        let fk = table
            .all_foreign_keys()
            .into_iter()
            .find(|fk| {
                fk.columns
                    .iter()
                    .map(|c| c.as_ref())
                    .eq(key.columns.iter().map(String::as_str))
            })
            .ok_or_else(|| invalid(self.schema))?;
        let parent_keys = parent_keys(self.schema, &fk, keys)?;
        let columns: Vec<usize> = key.columns.iter().filter_map(|c| table.column_index(c)).collect();
        let engine = engine.local();
        let mut rng = plan_rng(
            engine.seed(),
            &table.name,
            &format!("deferred {}", key.columns.join(",")),
        );
        for row in rows {
            if parent_keys.len() == 0 || rng.random_bool(engine.null_rate()) {
                continue;
            }
            let p = rng.random_range(0..parent_keys.len());
            for (part, &c) in columns.iter().enumerate() {
                row[c] = parent_keys.get(p, part);
            }
        }
        Ok(())
    }

    fn spread(&self, table: &Table, fk: &ForeignKey) -> FanOut {
        fk.columns
            .first()
            .and_then(|c| self.fan_out.get(&(table.name.to_string(), c.to_string())))
            .cloned()
            .unwrap_or(FanOut::Uniform)
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
        for resolved in self.consistent.iter().filter_map(|c| c.resolve(self.schema).ok()) {
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

fn parent_keys(
    schema: &Schema,
    fk: &ForeignKey,
    keys: &HashMap<(usize, Vec<usize>), Arc<Keys>>,
) -> Result<Arc<Keys>> {
    let p = schema.table_index(&fk.table).ok_or_else(|| invalid(schema))?;
    let parent = &schema.tables[p];
    let cols: Vec<usize> = fk
        .references
        .iter()
        .filter_map(|c| parent.column_index(c))
        .collect();
    keys.get(&(p, cols)).cloned().ok_or_else(|| Error::Generate {
        table: fk.table.to_string(),
        column: fk.references.join(", "),
        message: "parent keys were not generated before the child (planner bug)".to_owned(),
    })
}

/// A self-reference needs the row's own key generated before it.
impl Known {
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

/// Registers one picker for both keys of a `consistent` rule: a row of the
/// first key's parent gives the first key and, through that parent's own
/// foreign key, the second.
fn register_consistent(
    table: &Table,
    fks: &[ForeignKey],
    resolved: &Resolved,
    order: &Order,
    keys: &HashMap<(usize, Vec<usize>), Arc<Keys>>,
    rows: u64,
    engine: &mut OfflineEngine,
) -> Result<()> {
    let (key, via) = (&fks[resolved.key], &fks[resolved.via]);
    let columns: Vec<String> = key
        .columns
        .iter()
        .chain(via.columns.iter())
        .map(ToString::to_string)
        .collect();
    let unsatisfiable = |message: String| Error::Unsatisfiable {
        table: table.name.to_string(),
        column: columns.join(", "),
        message,
    };
    if order.is_deferred(table, key) || order.is_deferred(table, via) {
        return Err(unsatisfiable(
            "cannot be kept consistent: one of the keys closes a cycle and is filled afterwards".to_owned(),
        ));
    }
    let parent_keys = keys
        .get(&(resolved.parent, resolved.captured.clone()))
        .cloned()
        .ok_or_else(|| unsatisfiable("the parent's keys were not remembered".to_owned()))?;
    if parent_keys.len() == 0 && rows > 0 {
        return Err(unsatisfiable(format!(
            "needs rows of {} whose key to {} is set, and there are none",
            key.table, via.table
        )));
    }
    let null_rate = if table.is_optional(key) && table.is_optional(via) {
        engine.null_rate()
    } else {
        0.0
    };
    let picker = Arc::new(ParentPicker::new(parent_keys, Choice::Uniform, null_rate));
    for (part, column) in columns.iter().enumerate() {
        let picker = Arc::clone(&picker);
        engine
            .generators_mut()
            .register_column(&table.name, column, move |ctx| picker.value(ctx, part));
    }
    Ok(())
}

fn self_key(table: &Table, fk: &ForeignKey) -> Result<String> {
    let unsupported = |message: String| Error::Generate {
        table: table.name.to_string(),
        column: fk.columns.join(", "),
        message,
    };
    if fk.columns.len() != 1 {
        return Err(unsupported(
            "composite self-references are not supported yet".to_owned(),
        ));
    }
    let target = &fk.references[0];
    let (Some(key_at), Some(col_at)) = (table.column_index(target), table.column_index(&fk.columns[0]))
    else {
        return Err(invalid(&Schema::new([table.clone()])));
    };
    if key_at > col_at {
        return Err(unsupported(format!(
            "references `{target}` of its own table, which comes after it; declare `{target}` first"
        )));
    }
    Ok(target.to_string())
}

/// Each parent at most once: the foreign key's columns are unique in the child.
fn is_one_to_one(table: &Table, fk: &ForeignKey) -> bool {
    match &fk.columns[..] {
        [single] => table.column(single).is_some_and(|c| c.is_unique_in(table)),
        cols => {
            table
                .unique
                .iter()
                .any(|k| k.len() == cols.len() && cols.iter().all(|c| k.contains(c)))
                || (table.primary_key().count() == cols.len()
                    && table.primary_key().all(|c| cols.contains(&c.name)))
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
