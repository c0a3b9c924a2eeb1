//! The key strategy, in one place: a table's sequential integer key is
//! generated explicitly, starting past the largest key the table already
//! holds and within the column type's range, so children know their
//! parents' keys before anything is inserted (loads stream, cycles need one
//! UPDATE pass) and the application's own inserts go on afterwards once
//! the sequences are moved past the new keys.

use crate::engine::Engine;
use crate::plan::Planner;
use crate::schema::{DataType, Literal, Range, Schema, Table};

/// What a backend knows of a key column before the seed: the largest key
/// already in the table and the largest value the column's SQL type holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KeyState {
    /// `MAX(column)`, `None` for an empty table.
    pub largest: Option<i64>,
    /// The type's largest value (`SMALLINT`: 32 767), `None` when unknown
    /// (taken as `i64::MAX`).
    pub type_max: Option<i64>,
}

/// The column the offline engine counts 1, 2, 3… in: a sole integer
/// primary key that no generator or foreign key fills. These are the keys
/// a seed offsets.
pub fn sequential_key<E: Engine>(table: &Table, engine: &E) -> Option<usize> {
    let mut keys = table.columns.iter().enumerate().filter(|(_, c)| c.primary_key);
    let (i, col) = keys.next()?;
    let generators = engine.local().generators();
    let filled = col.generator.is_some()
        || col.foreign_key.is_some()
        || generators.column(&table.name, &col.name).is_some()
        || col.kind.as_deref().is_some_and(|k| generators.kind(k).is_some());
    (keys.next().is_none() && col.ty == DataType::Integer && !filled).then_some(i)
}

/// Where each table's generated keys start and what that means for the
/// plan.
#[derive(Debug, Clone, Default)]
pub(crate) struct KeyPlan {
    /// Per table: the sequential key column, its first and last allowed key.
    keys: Vec<Option<(usize, i64, i64)>>,
}

impl KeyPlan {
    /// No offsets: keys go in as generated (a data set already made).
    pub(crate) fn none(schema: &Schema) -> KeyPlan {
        KeyPlan {
            keys: vec![None; schema.tables.len()],
        }
    }

    /// The plan for `schema` given, per table, its sequential key and what
    /// the database says of it.
    pub(crate) fn new(schema: &Schema, states: &[Option<(usize, KeyState)>]) -> KeyPlan {
        let keys = schema
            .tables
            .iter()
            .zip(states)
            .map(|(table, state)| {
                let (c, state) = (*state)?;
                let limit = state.type_max.unwrap_or(i64::MAX);
                let (min, max) = match &table.columns[c].range {
                    Some(Range {
                        min: Literal::Int(lo),
                        max,
                    }) => (*lo, max.as_f64().map_or(limit, |m| (m as i64).min(limit))),
                    _ => (1, limit),
                };
                let start = state.largest.map_or(min, |m| min.max(m.saturating_add(1)));
                Some((c, start, max.max(start)))
            })
            .collect();
        KeyPlan { keys }
    }

    /// The sequential key column of table `t`.
    pub(crate) fn column(&self, t: usize) -> Option<usize> {
        self.keys.get(t).copied().flatten().map(|(c, _, _)| c)
    }

    /// The first key table `t` gets.
    pub(crate) fn first(&self, t: usize) -> Option<i64> {
        self.keys.get(t).copied().flatten().map(|(_, start, _)| start)
    }

    /// A copy of `schema` whose sequential keys range from their start.
    pub(crate) fn working(&self, schema: &Schema) -> Schema {
        let mut working = schema.clone();
        for (table, key) in working.tables.iter_mut().zip(&self.keys) {
            if let Some((c, start, max)) = *key {
                table.columns.to_mut()[c].range = Some(Range {
                    min: Literal::Int(start),
                    max: Literal::Int(max),
                });
            }
        }
        working
    }

    /// `planner` with each table whose row count comes from the default
    /// (not its own size) cut to what its key's range holds: a TINYINT key
    /// takes 255 rows, not 1000. Each cut is a note.
    pub(crate) fn cut<'s>(&self, mut planner: Planner<'s>, notes: &mut Vec<String>) -> Planner<'s> {
        let schema = planner.schema();
        for (table, key) in schema.tables.iter().zip(&self.keys) {
            let Some((c, start, max)) = *key else {
                continue;
            };
            if planner.has_size(&table.name) {
                continue;
            }
            let rows = planner.default_rows();
            let room = u64::try_from(max.saturating_sub(start).saturating_add(1)).unwrap_or(0);
            if room < rows {
                notes.push(format!(
                    "table `{}` gets {room} rows, not {rows}: its key `{}` holds no more (give it a --size to be told instead)",
                    table.name, table.columns[c].name
                ));
                planner = planner.size(&table.name, room);
            }
        }
        planner
    }
}
