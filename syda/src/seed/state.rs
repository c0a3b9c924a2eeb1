//! The decisions made while a seed runs, as plain state both drivers (the
//! blocking and the async one) step through: which table may load now and
//! which waits for a parent, which columns go in NULL and wait for an
//! UPDATE, what the report says, and what runs after the last table.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Instant;

use super::keys::KeyPlan;
use super::report::{Progress, SeedReport, TableReport};
use super::sink::DeferredUpdate;
use crate::error::{Error, Problem, Result};
use crate::plan::{DeferredKey, Planner};
use crate::schema::{Schema, Table};
use crate::value::{Row, Value};

/// What runs after every table is in, in order.
#[derive(Debug)]
pub(crate) enum Step {
    /// Deferred foreign keys of table `t` by UPDATE.
    Update(usize, DeferredUpdate),
    /// The sequence behind a column of table `t`.
    Advance(usize, usize),
}

/// The state of one seed.
pub(crate) struct Seeding<'a> {
    pub(crate) schema: &'a Schema,
    deferred: Vec<DeferredKey>,
    keys: KeyPlan,
    expected: Vec<Option<u64>>,
    progress: Option<Arc<dyn Progress>>,
    loaded: Vec<bool>,
    /// Tables that came before a parent (the planner holds tables on a
    /// cycle until the end, so their children can arrive first).
    waiting: Vec<(usize, Vec<Row>)>,
    pending: Vec<(usize, DeferredUpdate)>,
    tables: Vec<TableReport>,
}

impl<'a> Seeding<'a> {
    pub(crate) fn new(
        schema: &'a Schema,
        planner: Option<&Planner<'_>>,
        deferred: &[DeferredKey],
        keys: KeyPlan,
        progress: Option<Arc<dyn Progress>>,
    ) -> Seeding<'a> {
        let expected = schema
            .tables
            .iter()
            .map(|t| planner.and_then(|p| p.expected_rows(&t.name)))
            .collect();
        Seeding {
            schema,
            deferred: deferred.to_vec(),
            keys,
            expected,
            progress,
            loaded: vec![false; schema.tables.len()],
            waiting: Vec::new(),
            pending: Vec::new(),
            tables: Vec::new(),
        }
    }

    fn is_deferred(&self, table: &Table, columns: &[Cow<'static, str>]) -> bool {
        self.deferred.iter().any(|d| {
            d.table == table.name
                && d.columns
                    .iter()
                    .map(String::as_str)
                    .eq(columns.iter().map(|c| c.as_ref()))
        })
    }

    /// Whether every parent table `t` references at insert time is in.
    pub(crate) fn ready(&self, t: usize) -> bool {
        let table = &self.schema.tables[t];
        table.all_foreign_keys().iter().all(|fk| {
            fk.table == table.name
                || self.is_deferred(table, &fk.columns)
                || self.schema.table_index(&fk.table).is_some_and(|p| self.loaded[p])
        })
    }

    /// Whether table `t` is loaded.
    pub(crate) fn is_loaded(&self, t: usize) -> bool {
        self.loaded[t]
    }

    /// Keeps the rows of table `t` until its parents are in.
    pub(crate) fn hold(&mut self, t: usize, rows: Vec<Row>) {
        self.waiting.push((t, rows));
    }

    /// A held table whose parents are now in.
    pub(crate) fn next_ready(&mut self) -> Option<(usize, Vec<Row>)> {
        let i = self.waiting.iter().position(|(t, _)| self.ready(*t))?;
        Some(self.waiting.remove(i))
    }

    /// An error when a table never got its turn.
    pub(crate) fn check_complete(&self) -> Result<()> {
        let stuck = self
            .waiting
            .first()
            .map(|(t, _)| *t)
            .or_else(|| self.loaded.iter().position(|l| !l));
        match stuck {
            None => Ok(()),
            Some(t) => Err(Error::InvalidSchema {
                origin: "seeding".to_owned(),
                problems: vec![Problem::table(
                    &self.schema.tables[t].name,
                    "its parent tables were never loaded (a cycle of required foreign keys, or rows that never came)",
                )],
            }),
        }
    }

    /// Starts loading table `t`: the columns that go in NULL and wait for
    /// an UPDATE (deferred keys whose checks are not relaxed).
    pub(crate) fn start(&self, t: usize) -> Result<TableLoad> {
        let table = &self.schema.tables[t];
        if let Some(p) = &self.progress {
            p.table_started(&table.name, self.expected[t]);
        }
        let set: Vec<usize> = self
            .deferred
            .iter()
            .filter(|d| d.table == table.name && !d.required)
            .flat_map(|d| d.columns.iter().filter_map(|c| table.column_index(c)))
            .collect();
        let key = if set.is_empty() {
            Vec::new()
        } else {
            row_key(table).ok_or_else(|| Error::InvalidSchema {
                origin: "seeding".to_owned(),
                problems: vec![Problem::table(
                    &table.name,
                    "its foreign keys form a cycle, filled by UPDATE afterwards, but it has no primary or unique key to find its rows by; declare one",
                )],
            })?
        };
        Ok(TableLoad {
            shifts: self.keys.shifts(t).to_vec(),
            name: table.name.to_string(),
            progress: self.progress.clone(),
            started: Instant::now(),
            rows: 0,
            update: DeferredUpdate {
                key,
                set,
                rows: Vec::new(),
            },
        })
    }

    /// Table `t` is in.
    pub(crate) fn finish(&mut self, t: usize, load: TableLoad) {
        let elapsed = load.started.elapsed();
        if let Some(p) = &self.progress {
            p.table_finished(&load.name, load.rows, elapsed);
        }
        self.loaded[t] = true;
        if !load.update.set.is_empty() {
            self.pending.push((t, load.update));
        }
        self.tables.push(TableReport {
            table: load.name,
            rows: load.rows,
            elapsed,
            first_key: self.keys.first(t),
        });
    }

    /// Deferred keys by UPDATE, then the sequences of every loaded table:
    /// its sequential key and the columns the database numbers itself.
    pub(crate) fn final_steps(&mut self, numbered: impl Fn(usize, usize) -> bool) -> Vec<Step> {
        let mut steps: Vec<Step> = std::mem::take(&mut self.pending)
            .into_iter()
            .map(|(t, u)| Step::Update(t, u))
            .collect();
        for (t, table) in self.schema.tables.iter().enumerate() {
            if !self.loaded[t] {
                continue;
            }
            let key = self.keys.column(t);
            for c in 0..table.columns.len() {
                if key == Some(c) || numbered(t, c) {
                    steps.push(Step::Advance(t, c));
                }
            }
        }
        steps
    }

    /// The report.
    pub(crate) fn report(self, updated_rows: u64) -> SeedReport {
        SeedReport {
            tables: self.tables,
            deferred: self.deferred,
            updated_rows,
            ..SeedReport::default()
        }
    }
}

/// One table on its way in: counts its rows, tells the progress hook, and
/// nulls its deferred columns, keeping their values for the UPDATE.
pub(crate) struct TableLoad {
    name: String,
    progress: Option<Arc<dyn Progress>>,
    started: Instant,
    rows: u64,
    /// Columns moved past the existing keys, with their offsets.
    shifts: Vec<(usize, i64)>,
    update: DeferredUpdate,
}

impl TableLoad {
    /// A chunk as the database gets it.
    pub(crate) fn pass<'c>(&mut self, chunk: Cow<'c, [Row]>) -> Cow<'c, [Row]> {
        self.rows += chunk.len() as u64;
        if let Some(p) = &self.progress {
            p.rows_loaded(&self.name, self.rows);
        }
        if self.update.set.is_empty() && self.shifts.is_empty() {
            return chunk;
        }
        let mut rows = chunk.into_owned();
        for row in &mut rows {
            for &(c, shift) in &self.shifts {
                if let Value::Int(k) = &mut row[c] {
                    *k = k.saturating_add(shift);
                }
            }
        }
        if self.update.set.is_empty() {
            return Cow::Owned(rows);
        }
        for row in &mut rows {
            if self.update.set.iter().all(|&c| row[c].is_null()) {
                continue;
            }
            let key = self.update.key.iter().map(|&c| row[c].clone()).collect();
            let values = self
                .update
                .set
                .iter()
                .map(|&c| std::mem::replace(&mut row[c], Value::Null))
                .collect();
            self.update.rows.push((key, values));
        }
        Cow::Owned(rows)
    }
}

/// Columns that find one row: the primary key, else a NOT NULL unique
/// column, else a composite unique key.
fn row_key(table: &Table) -> Option<Vec<usize>> {
    let pk: Vec<usize> = table
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.primary_key)
        .map(|(i, _)| i)
        .collect();
    if !pk.is_empty() {
        return Some(pk);
    }
    if let Some(i) = table.columns.iter().position(|c| c.unique && !c.nullable) {
        return Some(vec![i]);
    }
    table
        .unique
        .iter()
        .map(|k| k.iter().filter_map(|c| table.column_index(c)).collect::<Vec<_>>())
        .find(|k| !k.is_empty())
}
