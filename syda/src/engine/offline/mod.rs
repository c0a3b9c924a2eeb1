//! The offline engine: semantic fakers plus constraints, deterministic from
//! a seed, no network.

pub(crate) mod constraints;
pub(crate) mod infer;
mod locale;
mod permute;
mod plan;
pub(crate) mod registry;
pub(crate) mod structural;
pub(crate) mod values;

use std::ops::Range;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Timelike};

use self::constraints::{Seen, cell_rng, is_null, make_unique, table_stream};
use self::constraints::{mix, value_hash};
use self::plan::{ColumnPlan, KeyPlan, Source};
use self::registry::Generators;
use self::values::Gen;
use crate::error::{Error, Result};
use crate::relation::{self, Declared, Mode, RowRules, Rule};
use crate::schema::Table;
use crate::value::{Row, Value};
use std::sync::Arc;

/// The default share of NULLs in nullable columns.
pub(super) const DEFAULT_NULL_RATE: f64 = 0.1;

/// The offline engine: realistic values from the `fake` crate, every schema
/// constraint honoured, the same rows for the same schema and seed.
///
/// - **Kinds.** A column's explicit `kind` picks its generator; otherwise one
///   is inferred from its name, doc and type ([`crate::engine::infer_kind`]),
///   a doc listing values ("Active, Inactive, Prospect") becomes a `one_of`,
///   and a column with nothing to go on gets its type's default.
/// - **Constraints.** Not-null, unique, `max_length`, `range`, `one_of`
///   and `pattern` hold in every row. Unique integers, dates, times,
///   decimals, UUIDs, company and product names are unique by construction:
///   row `i` takes value `p(i)` of the column's value space, `p` a keyed
///   permutation, so nothing is remembered (text past the end of its space
///   gets a round number, `"Kozey and Sons 2"`); e-mails and user names
///   derived from a row's names end in a row tag of as many digits as the
///   row number. Other unique columns (patterns, `one_of`, other text kinds,
///   custom generators) remember a 64-bit hash per value: retries with
///   fresh random streams, then a deterministic variant (next free
///   number/date, or a counter suffix). Nullable non-key columns are NULL at the null rate. Composite
///   keys (several primary key columns, or a table `unique` list) get
///   distinct tuples: when a tuple repeats, the key's columns are drawn again.
/// - **Keys.** A sole integer primary key without a generator counts
///   `1, 2, 3, …` (from its `range` minimum, if it has one). UUID keys are
///   random-looking version 4 UUIDs from the row index. Foreign keys are not
///   sampled here: register a column generator (the related-data planner does).
/// - **Determinism.** Every cell draws from its own random stream seeded from
///   (seed, table name, row index, column), so row `i` is the same however
///   rows are taken or batched. Uniqueness that remembers values is
///   resolved in row order, so [`OfflineEngine::rows_range`] replays
///   earlier rows when the table has such a column.
///
/// The default seed is 0 and the default null rate is 0.1.
///
/// ```
/// use syda::engine::OfflineEngine;
/// use syda::{Schema, Value};
///
/// let schema = Schema::from_yaml_str(r#"
/// tables:
///   customers:
///     columns:
///       id:     { type: integer, primary_key: true }
///       email:  { type: email, unique: true }
///       status: { type: text, doc: "Customer status: Active, Inactive, Prospect" }
/// "#)?;
/// let customers = schema.table("customers").unwrap();
/// let engine = OfflineEngine::new().with_seed(42);
/// let rows: Vec<_> = engine.rows(customers, 100)?.collect::<syda::Result<_>>()?;
/// assert_eq!(rows.len(), 100);
/// assert_eq!(rows[0][0], Value::Int(1));
/// assert!(rows[0][1].as_str().unwrap().contains('@'));
/// assert!(["Active", "Inactive", "Prospect"].contains(&rows[0][2].as_str().unwrap()));
/// // Same seed, same rows.
/// let again: Vec<_> = engine.rows(customers, 100)?.collect::<syda::Result<_>>()?;
/// assert_eq!(rows, again);
/// # Ok::<(), syda::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct OfflineEngine {
    seed: u64,
    null_rate: f64,
    generators: Generators,
    /// Declared relations, for every table ([`crate::relation`]).
    relations: Arc<Vec<Declared>>,
    /// Whether relations are also inferred from names.
    infer_relations: bool,
}

impl Default for OfflineEngine {
    fn default() -> Self {
        Self::new()
    }
}

impl OfflineEngine {
    /// An engine with seed 0, null rate 0.1 and no custom generators.
    pub fn new() -> Self {
        OfflineEngine {
            seed: 0,
            null_rate: DEFAULT_NULL_RATE,
            generators: Generators::new(),
            relations: Arc::new(Vec::new()),
            infer_relations: true,
        }
    }

    /// Sets the declared relations ([`crate::Schema::relations`]); each
    /// table uses those naming it. The planner passes the schema's own.
    pub fn with_relations(mut self, relations: Vec<Declared>) -> Self {
        self.relations = Arc::new(relations);
        self
    }

    /// Switches relation inference on (the default) or off: with it off,
    /// only declared relations apply.
    pub fn with_inferred_relations(mut self, on: bool) -> Self {
        self.infer_relations = on;
        self
    }

    /// Whether relations are inferred.
    pub fn infers_relations(&self) -> bool {
        self.infer_relations
    }

    /// The declared relations.
    pub fn relations(&self) -> &[Declared] {
        &self.relations
    }

    /// The row-level rules `table` gets from this engine: declared ones,
    /// then inferred ones ([`relation::rules_for`]), without those filling a
    /// column that has a custom generator (a registered generator wins).
    /// An engine that asks a model for values leaves these columns to the
    /// rules.
    pub fn relations_for(&self, table: &Table) -> Vec<Rule> {
        let custom = |name: &str| {
            self.generators.column(&table.name, name).is_some()
                || table.column(name).is_some_and(|c| {
                    c.generator.is_some()
                        || c.kind
                            .as_deref()
                            .is_some_and(|k| self.generators.kind(k).is_some())
                })
        };
        relation::rules_for(table, &self.relations, self.infer_relations)
            .into_iter()
            .filter(|r| !r.targets().iter().any(|t| custom(t)))
            .collect()
    }

    /// Sets the seed: the same seed and schema give the same rows.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Sets the share of NULLs in nullable columns that are not keys, from 0
    /// (never) to 1 (always). Default 0.1.
    pub fn with_null_rate(mut self, rate: f64) -> Self {
        self.null_rate = rate.clamp(0.0, 1.0);
        self
    }

    /// Replaces the custom generators.
    pub fn with_generators(mut self, generators: Generators) -> Self {
        self.generators = generators;
        self
    }

    /// The custom generators, to register more.
    pub fn generators_mut(&mut self) -> &mut Generators {
        &mut self.generators
    }

    /// The custom generators.
    pub fn generators(&self) -> &Generators {
        &self.generators
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The null rate.
    pub fn null_rate(&self) -> f64 {
        self.null_rate
    }

    /// Streams `rows` rows of `table`, from row 0.
    ///
    /// Problems visible up front come back as `Err` here: a kind with no
    /// generator, a foreign key with no column generator, a `generator:`
    /// name that is not registered, a unique column that cannot have
    /// `rows` distinct values (10 unique booleans, a `one_of` or integer
    /// range smaller than `rows`, a `max_length` too short). Later failures
    /// (a custom generator that keeps repeating itself in a unique column)
    /// are `Err` items, after which the iterator ends.
    pub fn rows<'a>(&'a self, table: &'a Table, rows: u64) -> Result<TableRows<'a>> {
        self.rows_range(table, 0..rows)
    }

    /// Streams rows `range.start..range.end` of `table`: exactly the rows a
    /// single pass from row 0 gives at those indices. Tables with unique
    /// columns that remember the values taken (not a sequential key nor
    /// unique by construction, see [`crate::engine::OfflineEngine`]) or
    /// composite keys replay the earlier rows, so skipping ahead costs the
    /// skipped rows.
    pub fn rows_range<'a>(&'a self, table: &'a Table, range: Range<u64>) -> Result<TableRows<'a>> {
        let Layout {
            plans,
            keys,
            relations,
        } = self.layout(table, range.end)?;
        let needs_replay = !keys.is_empty()
            || relations.as_ref().is_some_and(RowRules::tracks_taken)
            || plans.iter().any(ColumnPlan::tracks_taken);
        let mut rows = TableRows {
            table,
            // Sequential keys and structural columns are unique by
            // construction: nothing to remember.
            seen: plans.iter().map(|p| p.tracks_taken().then(|| p.seen())).collect(),
            counters: vec![0; plans.len()],
            key_seen: keys.iter().map(|_| Seen::bounded()).collect(),
            keys,
            plans,
            next: 0,
            end: range.end.max(range.start),
            stream: table_stream(self.seed, &table.name),
            done: false,
            relations,
        };
        if needs_replay {
            while rows.next < range.start {
                rows.generate_row()?;
            }
        }
        rows.next = range.start;
        Ok(rows)
    }
}

impl OfflineEngine {
    /// Whether [`OfflineEngine::rows_range`] over `table` (of `rows` rows)
    /// generates only the rows asked for: no unique column other than a
    /// sequential key and no composite key, whose values depend on earlier rows.
    pub fn starts_anywhere(&self, table: &Table, rows: u64) -> Result<bool> {
        let Layout {
            plans,
            keys,
            relations,
        } = self.layout(table, rows)?;
        Ok(keys.is_empty()
            && !relations.as_ref().is_some_and(RowRules::tracks_taken)
            && !plans.iter().any(ColumnPlan::tracks_taken))
    }

    /// The plans of `table`'s columns, its composite keys and its row rules.
    fn layout(&self, table: &Table, rows: u64) -> Result<Layout> {
        let mut plans = plan::plan_table(self, table, rows)?;
        let keys = plan::plan_keys(table, &plans, rows)?;
        let mut rules = self.relations_for(table);
        // A custom generator (also one for an inferred kind) wins over a rule.
        rules.retain(|r| {
            r.targets().iter().all(|t| {
                table
                    .column_index(t)
                    .is_none_or(|i| matches!(plans[i].source, Source::Builtin(_)))
            })
        });
        let relations = if rules.is_empty() {
            None
        } else {
            let compiled = RowRules::new(table, &rules)?;
            // Derived columns are kept unique by the rules, after deriving.
            for t in compiled.targets() {
                plans[t].unique = false;
                plans[t].structural = None;
            }
            for t in compiled.always_derived() {
                plans[t].derived = true;
            }
            Some(compiled)
        };
        Ok(Layout {
            plans,
            keys,
            relations,
        })
    }

    /// The column that counts `start, start + 1, …` (a sole integer primary
    /// key with no generator) and its start, if `table` has one.
    pub fn sequential_key(&self, table: &Table) -> Result<Option<(usize, i64)>> {
        let plans = plan::plan_table(self, table, 0)?;
        Ok(plans.iter().enumerate().find_map(|(c, p)| match p.source {
            Source::Builtin(Gen::Sequential { start }) => Some((c, start)),
            _ => None,
        }))
    }
}

/// What [`OfflineEngine::layout`] works out for a table.
struct Layout {
    plans: Vec<ColumnPlan>,
    keys: Vec<KeyPlan>,
    relations: Option<RowRules>,
}

/// The rows of one table, generated one at a time: an iterator of
/// `Result<Row>`. Ends after the requested count or after the first error.
pub struct TableRows<'a> {
    table: &'a Table,
    plans: Vec<ColumnPlan>,
    seen: Vec<Option<Seen>>,
    counters: Vec<u64>,
    keys: Vec<KeyPlan>,
    key_seen: Vec<Seen>,
    next: u64,
    end: u64,
    stream: u64,
    done: bool,
    /// The table's row-level relations, derived after the other columns.
    relations: Option<RowRules>,
}

impl std::fmt::Debug for TableRows<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TableRows")
            .field("table", &self.table.name)
            .field("next", &self.next)
            .field("end", &self.end)
            .finish_non_exhaustive()
    }
}

impl TableRows<'_> {
    /// The table being generated.
    pub fn table(&self) -> &Table {
        self.table
    }

    /// Index of the next row.
    pub fn position(&self) -> u64 {
        self.next
    }

    /// Up to `n` more rows as one batch (fewer at the end; empty when done).
    pub fn next_batch(&mut self, n: usize) -> Result<Vec<Row>> {
        self.by_ref().take(n).collect()
    }

    fn generate_row(&mut self) -> Result<Row> {
        let mut row: Row = Vec::with_capacity(self.plans.len());
        self.fill_row(&mut row)?;
        Ok(row)
    }

    /// Makes the next row in `row`, reusing the text buffers of the row it
    /// held: a caller that handles rows one at a time allocates (almost)
    /// nothing per row.
    pub(crate) fn fill_row(&mut self, row: &mut Row) -> Result<()> {
        let index = self.next;
        row.resize(self.plans.len(), Value::Null);
        for c in 0..self.plans.len() {
            let buffer = match &mut row[c] {
                Value::Text(s) => std::mem::take(s),
                _ => String::new(),
            };
            row[c] = self.generate_cell(index, c, &row[..c], buffer)?;
            for k in 0..self.keys.len() {
                if self.keys[k].last == c {
                    self.settle_key(index, k, row)?;
                }
            }
        }
        if let Some(relations) = &mut self.relations {
            relations.apply(row, self.stream, index, Mode::Derive)?;
        }
        self.next += 1;
        Ok(())
    }

    /// Calls `each` with every remaining row, in order, all made in one
    /// reused row.
    pub(crate) fn each_row(&mut self, each: &mut dyn FnMut(&Row) -> Result<()>) -> Result<()> {
        let mut row = Row::new();
        while !self.done && self.next < self.end {
            if let Err(e) = self.fill_row(&mut row) {
                self.done = true;
                return Err(e);
            }
            each(&row)?;
        }
        Ok(())
    }

    /// Makes the tuple of composite key `k` unseen: while it repeats,
    /// regenerate the key's last column with fresh streams, then (when that
    /// column alone cannot help) all of the key's columns. Tuples with a
    /// NULL never repeat (as in SQL).
    fn settle_key(&mut self, index: u64, k: usize, row: &mut Row) -> Result<()> {
        const LAST_ONLY: u32 = 16;
        const TRIES: u32 = 512;
        let key = &self.keys[k];
        let tuple = |row: &[Value]| {
            let mut h = 0u64;
            for &i in &key.columns {
                if row[i].is_null() {
                    return None;
                }
                h = mix(h ^ value_hash(&row[i]));
            }
            Some(h)
        };
        for attempt in 0..=TRIES {
            if attempt > 0 {
                let redo: &[usize] = if attempt <= LAST_ONLY {
                    std::slice::from_ref(&key.last)
                } else {
                    &key.columns
                };
                for &c in redo {
                    let rng = cell_rng(self.stream, index, c, 1000 + attempt);
                    let value = self.plans[c]
                        .produce(self.table, c, &row[..c], index, rng, String::new())
                        .map_err(|message| self.generate_error(c, message))?;
                    row[c] = value;
                }
            }
            match tuple(row) {
                None => return Ok(()),
                Some(h) if self.key_seen[k].insert_hash(h) => return Ok(()),
                Some(_) => {}
            }
        }
        Err(Error::Unsatisfiable {
            table: self.table.name.to_string(),
            column: self.table.columns[key.last].name.to_string(),
            message: format!(
                "row {index}: every {} tuple tried is taken after {TRIES} tries; widen the key's values or ask for fewer rows",
                key.label
            ),
        })
    }

    fn generate_cell(&mut self, index: u64, c: usize, row: &[Value], buffer: String) -> Result<Value> {
        let plan = &self.plans[c];
        if is_null(self.stream, index, c, plan.null_threshold) {
            return Ok(Value::Null);
        }
        if plan.derived {
            // Filled by the table's relations once the row is complete.
            return Ok(Value::Text(buffer));
        }
        if let Some(structural) = &plan.structural {
            let mut value = structural.value(index);
            if plan.to_text && !matches!(value, Value::Text(_)) {
                value = Value::Text(value.to_string());
            }
            return Ok(value);
        }
        let tries = plan.tries();
        let mut last = Value::Null;
        let mut buffer = Some(buffer);
        for attempt in 0..tries {
            let value = plan
                .produce(
                    self.table,
                    c,
                    row,
                    index,
                    cell_rng(self.stream, index, c, attempt),
                    buffer.take().unwrap_or_default(),
                )
                .map_err(|message| self.generate_error(c, message))?;
            match &mut self.seen[c] {
                Some(seen) if !value.is_null() => {
                    if seen.insert(&value) {
                        return Ok(value);
                    }
                    last = value;
                }
                _ => return Ok(value),
            }
        }
        let builtin = match &plan.source {
            Source::Builtin(g) => Some(g),
            Source::Custom(_) => None,
        };
        let fallback = match &mut self.seen[c] {
            Some(seen) => {
                make_unique(&last, builtin, plan.max_length, &mut self.counters[c], seen).inspect(|v| {
                    seen.insert(v);
                })
            }
            None => None,
        };
        match fallback {
            Some(value) => Ok(value),
            None => Err(Error::Unsatisfiable {
                table: self.table.name.to_string(),
                column: self.table.columns[c].name.to_string(),
                message: format!(
                    "row {index}: no unused value left for a unique column after {tries} tries (last: {last}); \
                     widen the column's values or ask for fewer rows"
                ),
            }),
        }
    }

    fn generate_error(&self, c: usize, message: String) -> Error {
        Error::Generate {
            table: self.table.name.to_string(),
            column: self.table.columns[c].name.to_string(),
            message,
        }
    }
}

impl Iterator for TableRows<'_> {
    type Item = Result<Row>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done || self.next >= self.end {
            return None;
        }
        let row = self.generate_row();
        if row.is_err() {
            self.done = true;
        }
        Some(row)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        if self.done {
            return (0, Some(0));
        }
        let left = usize::try_from(self.end - self.next).unwrap_or(usize::MAX);
        (0, Some(left))
    }
}

/// Days since 1970-01-01 of `YYYY-MM-DD`.
pub(crate) fn parse_date(s: &str) -> Option<i64> {
    let d = NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok()?;
    Some(
        d.signed_duration_since(NaiveDate::from_ymd_opt(1970, 1, 1)?)
            .num_days(),
    )
}

/// Seconds since the epoch of an RFC 3339 / ISO 8601 date-time (UTC when no
/// offset is given; a bare date is its midnight).
pub(crate) fn parse_datetime(s: &str) -> Option<i64> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp());
    }
    let s = s.trim_end_matches('Z');
    for layout in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, layout) {
            return Some(t.and_utc().timestamp());
        }
    }
    (s.len() == 10)
        .then(|| parse_date(s))
        .flatten()
        .map(|d| d * 86_400)
}

/// Seconds since midnight of `HH:MM[:SS]`.
pub(crate) fn parse_time(s: &str) -> Option<i64> {
    ["%H:%M:%S%.f", "%H:%M"]
        .iter()
        .find_map(|layout| NaiveTime::parse_from_str(s, layout).ok())
        .map(|t| i64::from(t.num_seconds_from_midnight()))
}
