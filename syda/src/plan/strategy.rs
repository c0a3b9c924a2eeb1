//! The strategy per foreign key: which picker fills each foreign-key column
//! of a table (fan-out, one-to-one, join pairs, consistent and distinct
//! keys, self-references, cycles filled afterwards), registered on the
//! table's engine before its rows are generated.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use rand::RngExt;

use super::keys::Keys;
use super::order::{DeferredKey, Order};
use super::pickers::{Choice, FanOut, ParentPicker, SelfReference, plan_rng};
use super::rules::{DistinctPicker, Resolved, resolve_distinct};
use super::{Known, Planner, invalid};
use crate::engine::{Engine, OfflineEngine};
use crate::error::{Error, Result};
use crate::schema::{ForeignKey, Schema, Table};
use crate::value::{Row, Value};

impl Planner<'_> {
    /// The engine for table `t` (with a generator per foreign-key column) and
    /// how many rows to make. The rows are numbered from `first` (see
    /// [`Planner::continue_at`]): parents assigned per row and
    /// self-references count from there.
    pub(super) fn prepare<E: Engine>(
        &self,
        t: usize,
        engine: &E,
        order: &Order,
        known: &Known,
        first: u64,
    ) -> Result<(E, u64)> {
        let schema = self.schema;
        let table = &schema.tables[t];
        let keys = &known.keys;
        let mut prepared = engine.clone();
        if !self.infer_relations || !schema.relations.is_empty() {
            let local = prepared.local_mut();
            let mut declared = local.relations().to_vec();
            declared.extend(schema.relations.iter().cloned());
            let infer = local.infers_relations() && self.infer_relations;
            *local = std::mem::take(local)
                .with_relations(declared)
                .with_inferred_relations(infer);
        }
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
        let declared = self.consistent.len();
        for (i, rule) in self.all_consistent().iter().enumerate() {
            if rule.table != table.name {
                continue;
            }
            let resolved = rule.resolve(schema)?;
            if i >= declared {
                // An inferred diamond gives way to every other strategy.
                let in_pairs = pairs.as_ref().is_some_and(|(a, b, _)| {
                    [*a, *b].iter().any(|&x| x == resolved.key || x == resolved.via)
                });
                let parents_empty = keys
                    .get(&(resolved.parent, resolved.captured.clone()))
                    .is_none_or(|k| k.len() == 0);
                if in_pairs
                    || fixed.contains_key(&resolved.key)
                    || fixed.contains_key(&resolved.via)
                    || tied.contains(&resolved.key)
                    || tied.contains(&resolved.via)
                    || order.is_deferred(table, &fks[resolved.key])
                    || order.is_deferred(table, &fks[resolved.via])
                    || parents_empty
                {
                    continue;
                }
            }
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
                let picker = Arc::new(SelfReference::new(own_key, fk_null_rate, first));
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
            let picker = Arc::new(
                ParentPicker::new(parent_keys, choice, if fixed_choice { 0.0 } else { fk_null_rate })
                    .numbered_from(first),
            );
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

    pub(super) fn fill_deferred<E: Engine>(
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
        // A unique key takes each parent at most once: a shuffled deck.
        let mut deck: Option<Vec<usize>> = is_unique_key(table, &columns).then(|| {
            let mut all: Vec<usize> = (0..parent_keys.len()).collect();
            rand::seq::SliceRandom::shuffle(all.as_mut_slice(), &mut rng);
            all
        });
        for row in rows {
            if parent_keys.len() == 0 || (!key.required && rng.random_bool(engine.null_rate())) {
                continue;
            }
            let p = match &mut deck {
                Some(deck) => match deck.pop() {
                    Some(p) => p,
                    None if key.required => {
                        return Err(Error::Generate {
                            table: table.name.to_string(),
                            column: key.columns.join(", "),
                            message: format!(
                                "a unique NOT NULL foreign key to `{}` needs a parent per row, but there are more rows than parents",
                                key.parent
                            ),
                        });
                    }
                    None => break,
                },
                None => rng.random_range(0..parent_keys.len()),
            };
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

/// Whether `columns` of `table` are a unique key by themselves (a unique or
/// sole primary-key column, or a composite unique key of exactly them).
fn is_unique_key(table: &Table, columns: &[usize]) -> bool {
    match columns {
        [c] => {
            let col = &table.columns[*c];
            col.unique || (col.primary_key && table.columns.iter().filter(|c| c.primary_key).count() == 1)
        }
        _ => table.unique.iter().any(|k| {
            let mut key: Vec<usize> = k.iter().filter_map(|c| table.column_index(c)).collect();
            let mut cols = columns.to_vec();
            key.sort_unstable();
            cols.sort_unstable();
            key == cols
        }),
    }
}
