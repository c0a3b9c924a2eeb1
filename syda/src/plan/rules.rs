//! Rules that tie several foreign keys of one row together: a key that must
//! agree with another ([`Planner::consistent`](super::Planner::consistent))
//! and keys that must name different parents
//! ([`Planner::distinct`](super::Planner::distinct)).

use std::sync::Arc;

use rand::RngExt;

use crate::engine::GenContext;
use crate::error::{Error, Problem, Result};
use crate::schema::{Schema, Table};
use crate::value::Value;

use super::keys::Keys;
use super::pickers::PerRow;

/// `table.column` must reference a parent row that itself references the
/// same row `table.via` references.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Consistent {
    pub(crate) table: String,
    pub(crate) column: String,
    pub(crate) via: String,
}

/// A [`Consistent`] rule checked against the schema.
#[derive(Debug, Clone)]
pub(crate) struct Resolved {
    /// Index (into `Table::all_foreign_keys`) of the key holding `column`.
    pub(crate) key: usize,
    /// Index of the key holding `via`.
    pub(crate) via: usize,
    /// The table `key` references.
    pub(crate) parent: usize,
    /// Columns of `parent` remembered together: the referenced key, then the
    /// parent's own key to the table `via` references.
    pub(crate) captured: Vec<usize>,
}

impl Consistent {
    pub(crate) fn resolve(&self, schema: &Schema) -> Result<Resolved> {
        let problem = |message: String| Error::InvalidSchema {
            origin: "consistent foreign keys".to_owned(),
            problems: vec![Problem::column(&self.table, &self.column, message)],
        };
        let table = schema
            .table(&self.table)
            .ok_or_else(|| problem("no such table".to_owned()))?;
        let fks = table.all_foreign_keys();
        let holding = |column: &str| {
            fks.iter()
                .position(|fk| fk.columns.iter().any(|c| c == column))
                .ok_or_else(|| {
                    problem(format!(
                        "`{column}` is not a foreign-key column of {}",
                        self.table
                    ))
                })
        };
        let (key, via) = (holding(&self.column)?, holding(&self.via)?);
        let (key_fk, via_fk) = (&fks[key], &fks[via]);
        if key == via || key_fk.table == table.name || via_fk.table == table.name {
            return Err(problem(format!(
                "`{}` and `{}` must be two foreign keys to other tables",
                self.column, self.via
            )));
        }
        let parent = schema
            .table_index(&key_fk.table)
            .ok_or_else(|| problem(format!("references unknown table {}", key_fk.table)))?;
        let parent_table = &schema.tables[parent];
        let link = parent_table
            .all_foreign_keys()
            .into_iter()
            .find(|fk| fk.table == via_fk.table && fk.references == via_fk.references)
            .ok_or_else(|| {
                problem(format!(
                    "{} has no foreign key to {}({}), so it cannot agree with `{}`",
                    parent_table.name,
                    via_fk.table,
                    via_fk.references.join(", "),
                    self.via
                ))
            })?;
        let captured = key_fk
            .references
            .iter()
            .chain(link.columns.iter())
            .map(|c| parent_table.column_index(c))
            .collect::<Option<Vec<usize>>>()
            .ok_or_else(|| problem("inconsistent foreign keys".to_owned()))?;
        Ok(Resolved {
            key,
            via,
            parent,
            captured,
        })
    }
}

/// Draws the parent of one foreign key again while it equals what another
/// key of the same row (to the same table) already took.
pub(crate) struct DistinctPicker {
    keys: Arc<Keys>,
    /// The same-table keys' columns earlier in the row, each in key order.
    earlier: Vec<Vec<String>>,
    null_rate: f64,
    picked: PerRow,
}

impl DistinctPicker {
    pub(crate) fn new(keys: Arc<Keys>, earlier: Vec<Vec<String>>, null_rate: f64) -> Self {
        DistinctPicker {
            keys,
            earlier,
            null_rate,
            picked: PerRow::default(),
        }
    }

    fn pick(&self, ctx: &mut GenContext<'_>) -> Option<usize> {
        self.picked.get(ctx.index(), || {
            if self.null_rate > 0.0 && ctx.rng().random_bool(self.null_rate) {
                return None;
            }
            let taken: Vec<Vec<Value>> = self
                .earlier
                .iter()
                .map(|cols| {
                    cols.iter()
                        .map(|c| ctx.value(c).cloned().unwrap_or(Value::Null))
                        .collect()
                })
                .collect();
            let free = |p: usize| {
                !taken
                    .iter()
                    .any(|t| t.iter().enumerate().all(|(part, v)| *v == self.keys.get(p, part)))
            };
            // Rejection sampling: a handful of draws almost always find a
            // free parent; a scan from a random start settles the rest.
            let n = self.keys.len();
            let drawn = (0..8).map(|_| ctx.rng().random_range(0..n)).find(|&p| free(p));
            drawn.or_else(|| {
                let start = ctx.rng().random_range(0..n);
                (0..n).map(|i| (start + i) % n).find(|&p| free(p))
            })
        })
    }

    pub(crate) fn value(&self, ctx: &mut GenContext<'_>, part: usize) -> Value {
        match self.pick(ctx) {
            Some(p) => self.keys.get(p, part),
            None => Value::Null,
        }
    }
}

/// Checks a [`Planner::distinct`](super::Planner::distinct) rule: at least
/// two columns, each the first column of a foreign key, all to one table.
pub(crate) fn resolve_distinct(table: &Table, columns: &[String]) -> Result<Vec<usize>> {
    let problem = |column: &str, message: String| Error::InvalidSchema {
        origin: "distinct foreign keys".to_owned(),
        problems: vec![Problem::column(&table.name, column, message)],
    };
    let fks = table.all_foreign_keys();
    let mut found = Vec::new();
    for column in columns {
        let f = fks
            .iter()
            .position(|fk| fk.columns.first().is_some_and(|c| c == column))
            .ok_or_else(|| problem(column, "is not the first column of a foreign key".to_owned()))?;
        if fks[f].table != fks[found.first().copied().unwrap_or(f)].table {
            return Err(problem(
                column,
                format!("references {}, not the same table as the others", fks[f].table),
            ));
        }
        if fks[f].table == table.name {
            return Err(problem(
                column,
                "self-references cannot be made distinct".to_owned(),
            ));
        }
        found.push(f);
    }
    if found.len() < 2 {
        return Err(problem(
            columns.first().map_or("", String::as_str),
            "name at least two foreign keys".to_owned(),
        ));
    }
    Ok(found)
}
