//! Table-level relations applied while tables are generated: row rules for
//! engines that do not apply them, child dates not before their parent's,
//! and parent columns summarising their children (aggregates).

use std::collections::HashMap;
use std::sync::Arc;

use rand::RngExt;

use crate::engine::offline_support::{cell_rng, parse_datetime, push_date, push_datetime, table_stream};
use crate::error::Result;
use crate::relation::{AggregateFn, Mode, RowRules, Rule};
use crate::schema::{DataType, Schema, Table};
use crate::value::{Row, Value};

/// Parent event times by key, captured while the parent is generated.
///
/// Consecutive integer keys (the usual `1, 2, 3, …` primary key) keep their
/// times by position, 4 bytes a row; other keys, or times outside what 32
/// bits of seconds hold (1901–2038), fall back to maps.
#[derive(Debug, Default)]
pub(super) struct Times {
    dense: Dense,
    /// Set once the keys stopped being consecutive (or a time did not fit):
    /// the dense times moved to `ints`.
    spilled: bool,
    ints: HashMap<i64, i64>,
    texts: HashMap<String, i64>,
}

/// Times of keys `start, start + 1, …` by position; [`Dense::NONE`] where
/// the time is NULL.
#[derive(Debug, Default)]
struct Dense {
    start: i64,
    times: Vec<i32>,
}

impl Dense {
    const NONE: i32 = i32::MIN;

    fn get(&self, key: i64) -> Option<Option<i64>> {
        let at = usize::try_from(key.checked_sub(self.start)?).ok()?;
        let t = *self.times.get(at)?;
        Some((t != Dense::NONE).then_some(i64::from(t)))
    }
}

impl Times {
    fn insert(&mut self, key: &Value, at: Option<i64>) {
        match key {
            Value::Int(i) => {
                if !self.spilled {
                    let next = self.dense.times.is_empty()
                        || Some(*i) == self.dense.start.checked_add(self.dense.times.len() as i64);
                    let packed = match at {
                        None => Some(Dense::NONE),
                        Some(t) => i32::try_from(t).ok().filter(|&t| t != Dense::NONE),
                    };
                    if let (true, Some(packed)) = (next, packed) {
                        if self.dense.times.is_empty() {
                            self.dense.start = *i;
                        }
                        self.dense.times.push(packed);
                        return;
                    }
                    self.spill();
                }
                if let Some(at) = at {
                    self.ints.insert(*i, at);
                }
            }
            Value::Null => {}
            other => {
                if let Some(at) = at {
                    self.texts.insert(other.to_string(), at);
                }
            }
        }
    }

    fn spill(&mut self) {
        self.spilled = true;
        let dense = std::mem::take(&mut self.dense);
        for (k, t) in dense.times.into_iter().enumerate() {
            if t != Dense::NONE {
                self.ints.insert(dense.start + k as i64, i64::from(t));
            }
        }
    }

    fn get(&self, key: &Value) -> Option<i64> {
        match key {
            Value::Int(i) => match self.dense.get(*i) {
                Some(at) => at,
                None => self.ints.get(i).copied(),
            },
            Value::Null => None,
            other => self.texts.get(&other.to_string()).copied(),
        }
    }
}

/// A (parent table, key column, time column) whose times children need.
pub(super) type TimeKey = (usize, usize, usize);

/// Collects the times of one parent table's rows.
pub(super) struct TimeCapture {
    pub(super) key: TimeKey,
    times: Times,
}

impl TimeCapture {
    pub(super) fn new(key: TimeKey) -> TimeCapture {
        TimeCapture {
            key,
            times: Times::default(),
        }
    }

    pub(super) fn push(&mut self, row: &Row) {
        let (_, k, t) = self.key;
        self.times
            .insert(&row[k], row[t].as_str().and_then(parse_datetime));
    }

    pub(super) fn finish(self) -> (TimeKey, Times) {
        (self.key, self.times)
    }
}

/// One child-after-parent rule, resolved.
struct AfterParent {
    column: usize,
    date: bool,
    fk: usize,
    times: Arc<Times>,
    max_days: i64,
}

/// What the planner does to each row of one table after the engine made it.
pub(super) struct TableFix {
    stream: u64,
    /// Row rules, in repair mode, for engines that do not apply them.
    rules: Option<RowRules>,
    /// The same rules, to move dates that follow a date the parent moved.
    times: Option<RowRules>,
    parents: Vec<AfterParent>,
}

impl TableFix {
    /// The fix for `table`; `None` when there is nothing to do.
    pub(super) fn new(
        table: &Table,
        row_rules: Vec<Rule>,
        engine_applies: bool,
        after_parent: &[Rule],
        known: &HashMap<TimeKey, Arc<Times>>,
        schema: &Schema,
        seed: u64,
    ) -> Result<Option<TableFix>> {
        let mut parents = Vec::new();
        for rule in after_parent {
            let Rule::AfterParent {
                column,
                foreign_key,
                parent,
                parent_column,
                max_days,
            } = rule
            else {
                continue;
            };
            let (Some(c), Some(fk), Some(p)) = (
                table.column_index(column),
                foreign_key.first().and_then(|f| table.column_index(f)),
                schema.table_index(parent),
            ) else {
                continue;
            };
            let parent_table = &schema.tables[p];
            let Some(referenced) = table
                .all_foreign_keys()
                .into_iter()
                .find(|k| k.columns.first().is_some_and(|f| *f == foreign_key[0]))
                .and_then(|k| parent_table.column_index(&k.references[0]))
            else {
                continue;
            };
            let Some(pc) = parent_table.column_index(parent_column) else {
                continue;
            };
            if let Some(times) = known.get(&(p, referenced, pc)) {
                parents.push(AfterParent {
                    column: c,
                    date: table.columns[c].ty == DataType::Date,
                    fk,
                    times: Arc::clone(times),
                    max_days: i64::from(*max_days),
                });
            }
        }
        let rules = if row_rules.is_empty() {
            None
        } else {
            Some(RowRules::new(table, &row_rules)?)
        };
        if parents.is_empty() && (engine_applies || rules.is_none()) {
            return Ok(None);
        }
        let (rules, times) = if engine_applies {
            (None, rules)
        } else {
            (rules.clone(), rules)
        };
        Ok(Some(TableFix {
            stream: table_stream(seed, &table.name),
            rules,
            times,
            parents,
        }))
    }

    /// Fixes row `index` of the table. The index seeds the row's random
    /// streams, so rows may come in any order (the parallel writer hands
    /// them over a chunk at a time, a shard from its first row on).
    pub(super) fn fix(&mut self, index: u64, row: &mut Row) -> Result<()> {
        let mut moved = false;
        for (i, p) in self.parents.iter().enumerate() {
            let (Some(at), Some(floor)) = (
                row[p.column].as_str().and_then(parse_datetime),
                p.times.get(&row[p.fk]),
            ) else {
                continue;
            };
            let before = if p.date {
                at.div_euclid(86_400) < floor.div_euclid(86_400)
            } else {
                at < floor
            };
            if !before {
                continue;
            }
            let mut rng = cell_rng(self.stream, index, p.column, 0x0A17_0000 + i as u32);
            let mut s = String::with_capacity(20);
            let (lo, hi) = crate::relation::gap_span(floor, 0, p.max_days * 86_400);
            let at = rng.random_range(lo..=hi);
            if p.date {
                push_date(&mut s, at.div_euclid(86_400));
            } else {
                push_datetime(&mut s, at);
            }
            row[p.column] = Value::Text(s);
            moved = true;
        }
        if let Some(rules) = &mut self.rules {
            rules.apply(row, self.stream, index, Mode::Repair)?;
        } else if moved && let Some(times) = &self.times {
            times.repair_times(row, self.stream, index);
        }
        Ok(())
    }
}

/// Declared aggregates, filled into parent rows once their children exist.
#[derive(Default)]
pub(super) struct Aggregates {
    list: Vec<Aggregate>,
}

struct Aggregate {
    parent: usize,
    column: usize,
    ty: DataType,
    key: usize,
    child: usize,
    fk: usize,
    child_column: Option<usize>,
    func: AggregateFn,
    /// Per parent key: (count, sum, min, max).
    acc: HashMap<String, (u64, f64, f64, f64)>,
}

impl Aggregates {
    pub(super) fn new(schema: &Schema) -> Aggregates {
        let mut list = Vec::new();
        for d in &schema.relations {
            let Rule::Aggregate {
                column,
                child,
                func,
                child_column,
            } = &d.rule
            else {
                continue;
            };
            let (Some(p), Some(c)) = (schema.table_index(&d.table), schema.table_index(child)) else {
                continue;
            };
            let (pt, ct) = (&schema.tables[p], &schema.tables[c]);
            let Some(fk) = ct.all_foreign_keys().into_iter().find(|k| k.table == pt.name) else {
                continue;
            };
            let (Some(col), Some(key), Some(fkc)) = (
                pt.column_index(column),
                pt.column_index(&fk.references[0]),
                ct.column_index(&fk.columns[0]),
            ) else {
                continue;
            };
            list.push(Aggregate {
                parent: p,
                column: col,
                ty: pt.columns[col].ty,
                key,
                child: c,
                fk: fkc,
                child_column: child_column.as_deref().and_then(|n| ct.column_index(n)),
                func: *func,
                acc: HashMap::new(),
            });
        }
        Aggregates { list }
    }

    /// Whether table `t` is a parent whose rows wait for their children.
    pub(super) fn is_parent(&self, t: usize) -> bool {
        self.list.iter().any(|a| a.parent == t)
    }

    /// Whether table `t` is a child some aggregate reads.
    pub(super) fn is_child(&self, t: usize) -> bool {
        self.list.iter().any(|a| a.child == t)
    }

    /// Counts a row of table `t` into the aggregates it feeds.
    pub(super) fn observe(&mut self, t: usize, row: &Row) {
        for a in self.list.iter_mut().filter(|a| a.child == t) {
            if row[a.fk].is_null() {
                continue;
            }
            let x = match a.child_column {
                Some(c) => match crate::relation::number_of(&row[c]) {
                    Some(x) => x,
                    None => continue,
                },
                None => 0.0,
            };
            let e = a
                .acc
                .entry(row[a.fk].to_string())
                .or_insert((0, 0.0, f64::INFINITY, f64::NEG_INFINITY));
            e.0 += 1;
            e.1 += x;
            e.2 = e.2.min(x);
            e.3 = e.3.max(x);
        }
    }

    /// Writes the aggregates of parent table `t` into its rows.
    pub(super) fn fill(&self, t: usize, rows: &mut [Row]) {
        for a in self.list.iter().filter(|a| a.parent == t) {
            for row in rows.iter_mut() {
                let acc = a.acc.get(&row[a.key].to_string());
                let x = match (a.func, acc) {
                    (AggregateFn::Count, acc) => acc.map_or(0.0, |e| e.0 as f64),
                    (AggregateFn::Sum, acc) => acc.map_or(0.0, |e| e.1),
                    (AggregateFn::Min, Some(e)) => e.2,
                    (AggregateFn::Max, Some(e)) => e.3,
                    (_, None) => {
                        row[a.column] = Value::Null;
                        continue;
                    }
                };
                row[a.column] = match a.ty {
                    DataType::Integer => Value::Int(x.round() as i64),
                    DataType::Float => Value::Float((x * 100.0).round() / 100.0),
                    _ => Value::Text(format!("{x:.2}")),
                };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consecutive_keys_keep_times_by_position_and_others_spill_to_a_map() {
        let mut times = Times::default();
        times.insert(&Value::Int(1), Some(86_400));
        times.insert(&Value::Int(2), None);
        times.insert(&Value::Int(3), Some(-5));
        assert_eq!(times.dense.times.len(), 3);
        assert_eq!(
            [1, 2, 3, 4].map(|k| times.get(&Value::Int(k))),
            [Some(86_400), None, Some(-5), None]
        );
        // A gap, and a time past 2038: both kept, in the map.
        times.insert(&Value::Int(10), Some(1 << 40));
        assert!(times.spilled && times.dense.times.is_empty());
        assert_eq!(
            [1, 2, 3, 10].map(|k| times.get(&Value::Int(k))),
            [Some(86_400), None, Some(-5), Some(1 << 40)]
        );
        times.insert(&Value::from("a"), Some(7));
        assert_eq!(times.get(&Value::from("a")), Some(7));
    }
}
