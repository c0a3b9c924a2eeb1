//! The statistical engine: fitted models fill their tables' columns, the
//! local offline engine fills the rest (foreign keys the planner
//! registers, custom generators, columns the model does not know).

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use super::model::{FittedModel, Marginal};
use super::sample::Sampler;
use crate::engine::offline::constraints::table_stream;
use rand::SeedableRng;

use crate::engine::{Engine, EngineRng, OfflineEngine, RowStream};
use crate::error::Result;
use crate::relation::Declared;
use crate::schema::{Schema, Table};
use crate::value::{Row, Value};

/// Rows the local engine makes at a time, for the columns it fills.
const LOCAL_BATCH: u64 = 4096;

/// An [`Engine`] that samples tables from fitted models.
///
/// For a table with a model, each column comes from the model unless a
/// column generator is registered for it (the planner registers one per
/// foreign-key column), it names a `generator:`, it is part of a foreign
/// key, the schema asks for a uniqueness the model does not keep, or the
/// model has no such column: those are filled by the local
/// [`OfflineEngine`], which keeps their constraints. Tables without a model
/// are generated entirely by the local engine. Composite unique keys that mix
/// model and local columns are not enforced.
///
/// ```
/// use syda::engine::stats::{Source, StatsEngine, fit};
/// use syda::plan::Planner;
/// use syda::{Schema, Value};
///
/// let rows = (0..200)
///     .map(|i| vec![Value::Int(i), Value::from(if i % 3 == 0 { "gold" } else { "basic" })])
///     .collect();
/// let model = fit(&Source::rows("customers", vec!["id".into(), "tier".into()], rows))?;
/// let engine = StatsEngine::new(model).with_seed(7);
/// let schema = engine.schema();
/// let data = Planner::new(&schema).rows(50).generate(&engine)?;
/// assert_eq!(data.table("customers").unwrap().len(), 50);
/// # Ok::<(), syda::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct StatsEngine {
    models: Arc<HashMap<String, FittedModel>>,
    order: Vec<String>,
    local: OfflineEngine,
}

impl StatsEngine {
    /// An engine for one fitted table.
    pub fn new(model: FittedModel) -> StatsEngine {
        StatsEngine {
            models: Arc::new(HashMap::new()),
            order: Vec::new(),
            local: OfflineEngine::new(),
        }
        .with_model(model)
    }

    /// Adds (or replaces) the model of another table.
    pub fn with_model(mut self, model: FittedModel) -> StatsEngine {
        if !self.order.contains(&model.table) {
            self.order.push(model.table.clone());
        }
        self.local = declare(std::mem::take(&mut self.local), &model);
        Arc::make_mut(&mut self.models).insert(model.table.clone(), model);
        self
    }

    /// Sets the seed of both the sampling and the local engine.
    pub fn with_seed(mut self, seed: u64) -> StatsEngine {
        self.local = self.local.with_seed(seed);
        self
    }

    /// Replaces the local engine (its seed, null rate and custom generators).
    pub fn with_local(mut self, local: OfflineEngine) -> StatsEngine {
        self.local = self.models.values().fold(local, declare);
        self
    }

    /// The model of a table.
    pub fn model(&self, table: &str) -> Option<&FittedModel> {
        self.models.get(table)
    }

    /// A schema of the models' tables, in the order they were added. Add
    /// foreign keys to it to generate related tables.
    pub fn schema(&self) -> Schema {
        Schema::new(
            self.order
                .iter()
                .filter_map(|t| self.models.get(t))
                .map(FittedModel::to_table),
        )
    }
}

impl Engine for StatsEngine {
    fn local(&self) -> &OfflineEngine {
        &self.local
    }

    fn local_mut(&mut self) -> &mut OfflineEngine {
        &mut self.local
    }

    fn rows<'a>(&'a self, table: &'a Table, rows: u64) -> Result<RowStream<'a>> {
        let Some(model) = self.models.get(table.name.as_ref()) else {
            return Ok(Box::new(self.local.rows(table, rows)?));
        };
        let generators = self.local.generators();
        let in_composite_fk = |name: &str| {
            table
                .foreign_keys
                .iter()
                .any(|fk| fk.columns.iter().any(|c| c == name))
        };
        let mut sampler = model.sample(rows, table_stream(self.local.seed(), &table.name));
        let mut sources = Vec::with_capacity(table.columns.len());
        let mut local_columns = Vec::new();
        for column in table.columns.iter() {
            let fitted = model.columns.iter().position(|c| c.name == column.name);
            let local = column.foreign_key.is_some()
                || in_composite_fk(&column.name)
                || generators.column(&table.name, &column.name).is_some()
                || column.generator.is_some()
                || fitted.is_none_or(|m| column.is_unique_in(table) && !model.columns[m].unique)
                // Semantic columns come from their kind, with the planner's row relations.
                || fitted.is_some_and(|m| matches!(model.columns[m].marginal, Marginal::Kind { .. }));
            match fitted {
                Some(m) if !local => {
                    if !column.nullable {
                        sampler.require(m);
                    }
                    sources.push(Fill::Model(m));
                }
                _ => {
                    sources.push(Fill::Local(local_columns.len()));
                    local_columns.push(column.clone());
                }
            }
        }
        let unique: Vec<_> = table
            .unique
            .iter()
            .filter(|k| k.iter().all(|c| local_columns.iter().any(|l| l.name == *c)))
            .cloned()
            .collect();
        let local_table = (!local_columns.is_empty()).then(|| Table {
            name: table.name.clone(),
            doc: table.doc.clone(),
            columns: local_columns.into(),
            unique: unique.into(),
            foreign_keys: table.foreign_keys.clone(),
        });
        if let Some(t) = &local_table {
            // Fail up front on what the local engine cannot do.
            self.local.rows_range(t, 0..0)?;
        }
        // The model's locale for the semantic columns the local engine fills.
        let localizer = super::locale::Localizer::new(
            model.locale.as_deref(),
            table.columns.iter().enumerate().filter_map(|(at, column)| {
                let m = model.column(&column.name)?;
                match (&m.marginal, &sources[at]) {
                    (Marginal::Kind { kind }, Fill::Local(_)) => {
                        Some((at, kind.as_str(), column.is_unique_in(table) || m.unique))
                    }
                    _ => None,
                }
            }),
        );
        Ok(Box::new(StatsRows {
            localizer,
            rng: EngineRng::seed_from_u64(table_stream(self.local.seed(), &table.name) ^ 0x0010_CA1E),
            local: &self.local,
            local_table,
            buffer: VecDeque::new(),
            sampler,
            sources,
            next: 0,
            end: rows,
        }))
    }
}

/// The local engine with `model`'s relations declared for its table (once),
/// so the planner applies them to the table's rows like any declared rule.
fn declare(local: OfflineEngine, model: &FittedModel) -> OfflineEngine {
    let mut declared = local.relations().to_vec();
    for rule in model.relation_rules() {
        let d = Declared {
            table: model.table.clone(),
            rule,
        };
        if !declared.contains(&d) {
            declared.push(d);
        }
    }
    local.with_relations(declared)
}

enum Fill {
    Model(usize),
    Local(usize),
}

struct StatsRows<'a> {
    localizer: Option<super::locale::Localizer>,
    rng: EngineRng,
    local: &'a OfflineEngine,
    local_table: Option<Table>,
    buffer: VecDeque<Row>,
    sampler: Sampler<'a>,
    sources: Vec<Fill>,
    next: u64,
    end: u64,
}

impl StatsRows<'_> {
    fn local_row(&mut self) -> Result<Option<Row>> {
        let Some(table) = &self.local_table else {
            return Ok(None);
        };
        if self.buffer.is_empty() {
            let end = (self.next + LOCAL_BATCH).min(self.end);
            for row in self.local.rows_range(table, self.next..end)? {
                self.buffer.push_back(row?);
            }
        }
        Ok(self.buffer.pop_front())
    }

    fn row(&mut self) -> Result<Row> {
        let sampled = self.sampler.next().transpose()?.unwrap_or_default();
        let local = self.local_row()?.unwrap_or_default();
        let mut sampled: Vec<Option<Value>> = sampled.into_iter().map(Some).collect();
        let mut local: Vec<Option<Value>> = local.into_iter().map(Some).collect();
        let row = self
            .sources
            .iter()
            .map(|s| match s {
                Fill::Model(i) => sampled.get_mut(*i).and_then(Option::take),
                Fill::Local(i) => local.get_mut(*i).and_then(Option::take),
            })
            .map(|v| v.unwrap_or(Value::Null))
            .collect::<Row>();
        let mut row = row;
        if let Some(localizer) = &self.localizer {
            let local = localizer.row(self.next, &mut self.rng, |at| row.get(at).cloned());
            for (at, v) in local {
                // A NULL the local engine drew for a nullable column stays NULL.
                if !row[at].is_null() {
                    row[at] = v;
                }
            }
        }
        self.next += 1;
        Ok(row)
    }
}

impl Iterator for StatsRows<'_> {
    type Item = Result<Row>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.next >= self.end {
            return None;
        }
        let row = self.row();
        if row.is_err() {
            self.end = self.next;
        }
        Some(row)
    }
}
