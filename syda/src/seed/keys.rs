//! The key strategy, in one place: a table's sequential integer key is
//! generated explicitly, starting past the largest key the table already
//! holds and within the column type's range, so children know their
//! parents' keys before anything is inserted (loads stream, cycles need one
//! UPDATE pass) and the application's own inserts go on afterwards once
//! the sequences are moved past the new keys.

use std::collections::HashMap;

use crate::dataset::Dataset;
use crate::engine::Engine;
use crate::error::{Error, Problem, Result};
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

/// The column a load moves past the existing keys: a sole integer primary
/// key that is not itself a foreign key (one that is moves with its parent).
pub(crate) fn own_key(table: &Table) -> Option<usize> {
    let mut keys = table.columns.iter().enumerate().filter(|(_, c)| c.primary_key);
    let (i, col) = keys.next()?;
    let referencing =
        col.foreign_key.is_some() || table.foreign_keys.iter().any(|fk| fk.columns.contains(&col.name));
    (keys.next().is_none() && col.ty == DataType::Integer && !referencing).then_some(i)
}

/// Where each table's keys start and what that means for the plan: keys a
/// seed generates, or a loaded data set's keys moved past the existing ones.
#[derive(Debug, Clone, Default)]
pub(crate) struct KeyPlan {
    /// Per table: the sequential key column, its first and last allowed key.
    keys: Vec<Option<(usize, i64, i64)>>,
    /// Per table: columns of a loaded data set moved by an offset (its own
    /// key and every key referencing a moved one).
    shifts: Vec<Vec<(usize, i64)>>,
    /// Per table: the row index a seed's generation continues at (its first
    /// key less the low end of the key's range), so that row `i` keeps key
    /// `low + i` across seeds.
    first_rows: Vec<u64>,
}

impl KeyPlan {
    /// No offsets: keys go in as generated (a data set already made).
    pub(crate) fn none(schema: &Schema) -> KeyPlan {
        KeyPlan {
            keys: vec![None; schema.tables.len()],
            shifts: vec![Vec::new(); schema.tables.len()],
            first_rows: vec![0; schema.tables.len()],
        }
    }

    /// A loaded data set's keys moved past the keys already in the tables:
    /// `states` holds, for tables with an [`own_key`], what the database
    /// says of it. A key is moved only when the data's keys would collide
    /// (its smallest is not past the largest there); every foreign key
    /// that references a moved key moves with it, through composite keys
    /// and self-references. A move that leaves the column's type is an
    /// error naming the table and column.
    pub(crate) fn past_existing(data: &Dataset, states: &[(usize, usize, KeyState)]) -> Result<KeyPlan> {
        let schema = data.schema();
        let mut plan = KeyPlan::none(schema);
        let mut moved: HashMap<(usize, &str), i64> = HashMap::new();
        for &(t, c, state) in states {
            let table = &schema.tables[t];
            let rows = data.table(&table.name).unwrap_or(&[]);
            let Some(keys) = rows.iter().map(|r| r[c].as_i64()).collect::<Option<Vec<i64>>>() else {
                continue; // not integer keys
            };
            let (Some(&lowest), Some(&highest), Some(largest)) =
                (keys.iter().min(), keys.iter().max(), state.largest)
            else {
                continue;
            };
            if lowest > largest {
                continue;
            }
            let shift = largest - lowest + 1;
            let limit = state.type_max.unwrap_or(i64::MAX);
            let last = highest.checked_add(shift).filter(|&k| k <= limit).ok_or_else(|| Error::InvalidSchema {
                origin: "seeding".to_owned(),
                problems: vec![Problem::column(
                    &table.name,
                    &table.columns[c].name,
                    format!(
                        "its keys moved past the {largest} already there would go beyond {limit}, the largest its type holds; \
                         empty the table first (--truncate) or widen the column"
                    ),
                )],
            })?;
            plan.keys[t] = Some((c, lowest + shift, last));
            moved.insert((t, table.columns[c].name.as_ref()), shift);
        }
        // Every key referencing a moved one moves with it, until nothing changes.
        let mut changed = !moved.is_empty();
        while changed {
            changed = false;
            for (t, table) in schema.tables.iter().enumerate() {
                for fk in table.all_foreign_keys() {
                    let Some(p) = schema.table_index(&fk.table) else {
                        continue;
                    };
                    for (mine, theirs) in fk.columns.iter().zip(fk.references.iter()) {
                        let Some(&shift) = moved.get(&(p, theirs.as_ref())) else {
                            continue;
                        };
                        let Some(c) = table.column_index(mine) else {
                            continue;
                        };
                        if let std::collections::hash_map::Entry::Vacant(e) =
                            moved.entry((t, table.columns[c].name.as_ref()))
                        {
                            e.insert(shift);
                            changed = true;
                        }
                    }
                }
            }
        }
        for ((t, name), shift) in moved {
            if let Some(c) = schema.tables[t].column_index(name) {
                plan.shifts[t].push((c, shift));
            }
        }
        Ok(plan)
    }

    /// The columns of table `t` a load moves, with their offsets.
    pub(crate) fn shifts(&self, t: usize) -> &[(usize, i64)] {
        self.shifts.get(t).map_or(&[], Vec::as_slice)
    }

    /// The plan for `schema` given, per table, its sequential key and what
    /// the database says of it.
    pub(crate) fn new(schema: &Schema, states: &[Option<(usize, KeyState)>]) -> KeyPlan {
        let mut keys = Vec::with_capacity(schema.tables.len());
        let mut first_rows = Vec::with_capacity(schema.tables.len());
        for (table, state) in schema.tables.iter().zip(states) {
            let Some((c, state)) = *state else {
                keys.push(None);
                first_rows.push(0);
                continue;
            };
            let limit = state.type_max.unwrap_or(i64::MAX);
            let (min, max) = match &table.columns[c].range {
                Some(Range {
                    min: Literal::Int(lo),
                    max,
                }) => (*lo, max.as_f64().map_or(limit, |m| (m as i64).min(limit))),
                _ => (1, limit),
            };
            let start = state.largest.map_or(min, |m| min.max(m.saturating_add(1)));
            keys.push(Some((c, start, max.max(start))));
            first_rows.push(u64::try_from(start.saturating_sub(min)).unwrap_or(0));
        }
        KeyPlan {
            keys,
            shifts: vec![Vec::new(); schema.tables.len()],
            first_rows,
        }
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

    /// `planner` as this key plan needs it: tables cut to what their key
    /// ranges hold ([`KeyPlan::cut`]), and each table that already holds
    /// rows generated from the row index its first key stands for.
    pub(crate) fn shape<'s>(&self, planner: Planner<'s>, notes: &mut Vec<String>) -> Planner<'s> {
        self.continue_rows(self.cut(planner, notes))
    }

    /// `planner` generating each table that already holds rows from the row
    /// index its first key stands for ([`Planner::continue_at`]): a second
    /// seed's index-derived unique values (e-mails' row tags, permuted
    /// names and numbers) follow the first seed's instead of repeating them.
    fn continue_rows<'s>(&self, mut planner: Planner<'s>) -> Planner<'s> {
        for (t, key) in self.keys.iter().enumerate() {
            if let Some((c, _, _)) = *key {
                planner = planner.continue_at(t, c, self.first_rows[t]);
            }
        }
        planner
    }

    /// `planner` with each table whose row count comes from the default
    /// (not its own size) cut to what its key's range holds: a TINYINT key
    /// takes 255 rows, not 1000. Each cut is a note.
    fn cut<'s>(&self, mut planner: Planner<'s>, notes: &mut Vec<String>) -> Planner<'s> {
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
