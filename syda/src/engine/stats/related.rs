//! Whole databases: every table fitted, each child table with its parent's
//! context, so a rebuilt database keeps how many children each parent has,
//! how children depend on their parent's columns, and that children come
//! after their parents.
//!
//! For each foreign key the model keeps the distribution of children per
//! parent (parents with none included). A child table's first foreign key
//! is its parent: the child rows are fitted joined with the parent's small
//! categorical columns and its dates (as `parent.column` context columns),
//! so the usual machinery learns the dependence — strata split the child
//! by a parent's category (enterprise customers place larger orders), and
//! an inequality `paid_on ≥ orders.placed_on` draws the child's date as the
//! parent's plus a gap. Sampling walks the tables parents first: each parent
//! row gets its number of children, each child is drawn with the parent's
//! context given, and every foreign key holds a key of a generated row.
//!
//! Keys may be composite (`(order_id, line_no) → order_lines`); a number
//! of a composite primary key that counts the rows of each parent
//! (`line_no` = 1, 2, 3 within an order) is a [`Counter`]. A table that
//! references itself (`employees.manager_id → employees.id`) keeps its
//! reports per row and its share of top rows as a [`Hierarchy`].

use std::collections::{HashMap, HashSet};

use rand::{RngExt, SeedableRng};
use serde::{Deserialize, Deserializer, Serialize};

use super::fit::{FitOptions, fit_preferring};
use super::model::{ColumnKind, FittedModel, Marginal};
use super::source::{Cell, Source};
use crate::engine::EngineRng;
use crate::error::{Error, Result};
use crate::value::{Row, Value};

/// The database model file format.
pub const DATABASE_FORMAT: u32 = 1;

/// Most categories a parent column may have to be given to its children.
const CONTEXT_CATEGORIES: usize = 12;

/// The rows of one table and its keys, to fit with [`fit_related`].
#[derive(Debug, Clone)]
pub struct TableRows {
    /// Table name.
    pub name: String,
    /// Column names.
    pub columns: Vec<String>,
    /// The rows.
    pub rows: Vec<Row>,
    /// The primary-key columns (none, one, or a composite key).
    pub primary_key: Vec<String>,
    /// Foreign keys, single-column or composite; one whose parent is this
    /// table is a self-reference.
    pub foreign_keys: Vec<TableKey>,
}

/// A foreign key of [`TableRows`]: the child's columns and the parent's
/// key columns they hold, in the same order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableKey {
    /// The child's columns.
    pub columns: Vec<String>,
    /// The parent table.
    pub parent: String,
    /// The parent's key columns.
    pub parent_columns: Vec<String>,
}

impl TableKey {
    /// A single-column key: `column → parent.parent_column`.
    pub fn new(
        column: impl Into<String>,
        parent: impl Into<String>,
        parent_column: impl Into<String>,
    ) -> TableKey {
        TableKey {
            columns: vec![column.into()],
            parent: parent.into(),
            parent_columns: vec![parent_column.into()],
        }
    }

    /// A composite key: `(columns…) → parent(parent_columns…)`.
    pub fn composite(columns: &[&str], parent: impl Into<String>, parent_columns: &[&str]) -> TableKey {
        TableKey {
            columns: columns.iter().map(|c| (*c).to_owned()).collect(),
            parent: parent.into(),
            parent_columns: parent_columns.iter().map(|c| (*c).to_owned()).collect(),
        }
    }
}

/// A foreign key of a fitted database.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Link {
    /// The child's (first) column.
    pub column: String,
    /// The parent table.
    pub parent: String,
    /// The parent's (first) key column.
    pub parent_column: String,
    /// The other column pairs of a composite key: `(child column, parent column)`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub composite: Vec<(String, String)>,
    /// Children per parent: `weights[k]` is the share of parents with `k`
    /// children. Only the first foreign key of a table decides the number
    /// of its rows; the others pick parents uniformly.
    pub children: Vec<f64>,
    /// Children per parent by the value of one of the parent's categorical
    /// columns (enterprise customers have more orders), when it explains
    /// the counts ([`FAN_OUT_BY_MIN`]); parents with another value use `children`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub children_by: Option<ChildrenBy>,
    /// Context columns of the child model: `(model column, parent column)`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub context: Vec<(String, String)>,
}

impl Link {
    /// Every `(child column, parent column)` pair of the key, in order.
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        std::iter::once((self.column.as_str(), self.parent_column.as_str()))
            .chain(self.composite.iter().map(|(c, p)| (c.as_str(), p.as_str())))
    }
}

/// Children-per-parent distributions by a parent column's value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChildrenBy {
    /// The parent's column.
    pub column: String,
    /// Per value: the share of parents with `k` children at `weights[k]`.
    pub values: Vec<(String, Vec<f64>)>,
}

/// A table's reference to itself (`employees.manager_id → employees.id`):
/// a forest whose rows keep the real number of direct children.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hierarchy {
    /// The referencing column (`manager_id`).
    pub column: String,
    /// The referenced key column (`id`).
    pub parent_column: String,
    /// `children[k]`: the share of rows with `k` direct children.
    pub children: Vec<f64>,
    /// Share of rows at the top: a NULL reference, or none to another row.
    pub roots: f64,
    /// The top rows reference themselves (rather than holding NULL).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub root_self: bool,
    /// Rows reference rows of the same parent (a manager in the same
    /// department: ≥ 99.9 % of the references in the data), so each
    /// parent's rows form their own forest.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub within_parent: bool,
}

/// A number of a composite primary key that counts each parent's rows
/// (`line_no` 1, 2, 3 within an order): generated as the count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Counter {
    /// The column.
    pub column: String,
    /// The first parent row's number (0 or 1, as in the data).
    pub start: i64,
}

/// Share of the variance of children per parent a parent category must
/// explain (η²) for the counts to be kept per category.
pub const FAN_OUT_BY_MIN: f64 = 0.05;

/// One table of a fitted database.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RelatedTable {
    /// The table's columns, in order (foreign keys included).
    pub columns: Vec<String>,
    /// The primary-key columns.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "one_or_many"
    )]
    pub primary_key: Vec<String>,
    /// The model of its non-key columns (and its parent's context columns).
    pub model: FittedModel,
    /// Its foreign keys to other tables; the first one is its parent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
    /// Its references to itself.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hierarchies: Vec<Hierarchy>,
    /// Its per-parent counters.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub counters: Vec<Counter>,
}

/// A primary key as one name (the first model files) or a list.
fn one_or_many<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Key {
        One(String),
        Many(Vec<String>),
    }
    Ok(match Key::deserialize(d)? {
        Key::One(k) => vec![k],
        Key::Many(k) => k,
    })
}

/// A fitted database: its tables parents first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatabaseModel {
    /// [`DATABASE_FORMAT`].
    pub format: u32,
    /// What the file holds: `database`.
    pub kind: String,
    /// The tables, every parent before its children.
    pub tables: Vec<RelatedTable>,
}

/// One generated table: name, columns and rows.
pub type GeneratedTable = (String, Vec<String>, Vec<Row>);

/// A key (one or more values) as text, `None` when a part is NULL.
fn tuple_key(row: &Row, columns: &[usize]) -> Option<String> {
    let mut out = String::new();
    for (i, &c) in columns.iter().enumerate() {
        match row.get(c) {
            None | Some(Value::Null) => return None,
            Some(v) => {
                if i > 0 {
                    out.push('\u{1f}');
                }
                out.push_str(&key_text(v));
            }
        }
    }
    Some(out)
}

/// Fits every table, each child with its parent's context. Tables are put
/// parents first; a cycle of foreign keys, or a key naming a table or
/// column that is not there, is an error naming it.
pub fn fit_related(tables: Vec<TableRows>, options: &FitOptions) -> Result<DatabaseModel> {
    let order = parents_first(&tables)?;
    let mut fitted: HashMap<String, FittedModel> = HashMap::new();
    let mut out = Vec::with_capacity(tables.len());
    for t in order {
        let table = &tables[t];
        let position = |name: &str, of: &TableRows, key: &TableKey| {
            of.columns
                .iter()
                .position(|c| c == name)
                .ok_or_else(|| Error::Fit {
                    source: None,
                    origin: format!("table `{}`, foreign key ({})", table.name, key.columns.join(", ")),
                    message: format!("`{name}` is not a column of `{}`", of.name),
                })
        };
        for key in &table.foreign_keys {
            if key.columns.is_empty() || key.columns.len() != key.parent_columns.len() {
                return Err(Error::Fit {
                    source: None,
                    origin: format!("table `{}`, foreign key ({})", table.name, key.columns.join(", ")),
                    message: format!(
                        "has {} columns but references {} of `{}`",
                        key.columns.len(),
                        key.parent_columns.len(),
                        key.parent
                    ),
                });
            }
        }
        // Keys to other tables; one whose columns lie inside another's is
        // implied by it (`order_id` of `(order_id, line_no) → order_lines`).
        let outer: Vec<&TableKey> = table
            .foreign_keys
            .iter()
            .filter(|k| k.parent != table.name)
            .collect();
        let outer: Vec<&TableKey> = outer
            .iter()
            .copied()
            .filter(|k| {
                !outer.iter().any(|o| {
                    o.columns.len() > k.columns.len() && k.columns.iter().all(|c| o.columns.contains(c))
                })
            })
            .collect();
        let fk_columns: HashSet<&str> = table
            .foreign_keys
            .iter()
            .flat_map(|k| k.columns.iter().map(String::as_str))
            .collect();
        let mut links = Vec::new();
        let mut first_groups: Option<Vec<Option<String>>> = None;
        let mut context_values: Vec<(String, Vec<Value>)> = Vec::new();
        for (i, key) in outer.iter().enumerate() {
            let parent = &key.parent;
            let p = tables
                .iter()
                .position(|x| x.name == *parent)
                .ok_or_else(|| Error::Fit {
                    source: None,
                    origin: format!("table `{}`, foreign key ({})", table.name, key.columns.join(", ")),
                    message: format!("references table `{parent}`, which is not in the data"),
                })?;
            let parent_rows = &tables[p];
            let pk: Vec<usize> = key
                .parent_columns
                .iter()
                .map(|c| position(c, parent_rows, key))
                .collect::<Result<_>>()?;
            let fk: Vec<usize> = key
                .columns
                .iter()
                .map(|c| position(c, table, key))
                .collect::<Result<_>>()?;
            let mut per_parent: HashMap<String, u32> = parent_rows
                .rows
                .iter()
                .filter_map(|r| tuple_key(r, &pk))
                .map(|k| (k, 0))
                .collect();
            let child_keys: Vec<Option<String>> = table.rows.iter().map(|r| tuple_key(r, &fk)).collect();
            for k in child_keys.iter().flatten() {
                if let Some(n) = per_parent.get_mut(k) {
                    *n += 1;
                }
            }
            let children = histogram(per_parent.values().copied());
            let mut context = Vec::new();
            let mut children_by = None;
            if i == 0 {
                let parent_model = &fitted[parent];
                children_by = fan_out_by(parent_model, parent_rows, &pk, &per_parent);
                // The parent's small categories and dates, joined in.
                let index: HashMap<String, &Row> = parent_rows
                    .rows
                    .iter()
                    .filter_map(|r| Some((tuple_key(r, &pk)?, r)))
                    .collect();
                for (c, name) in parent_rows.columns.iter().enumerate() {
                    let Some(m) = parent_model.column(name) else {
                        continue;
                    };
                    let small = matches!(&m.marginal, Marginal::Categories { values, .. }
                        if m.kind == ColumnKind::Categorical && values.len() <= CONTEXT_CATEGORIES);
                    let date = matches!(m.kind, ColumnKind::Date | ColumnKind::DateTime)
                        && matches!(m.marginal, Marginal::Numeric { .. });
                    if !(small || date) {
                        continue;
                    }
                    let joined = format!("{parent}.{name}");
                    let values = child_keys
                        .iter()
                        .map(|k| {
                            k.as_ref()
                                .and_then(|k| index.get(k))
                                .map_or(Value::Null, |r| r[c].clone())
                        })
                        .collect();
                    context_values.push((joined.clone(), values));
                    context.push((joined, name.clone()));
                }
                first_groups = Some(child_keys);
            }
            links.push(Link {
                column: key.columns[0].clone(),
                parent: parent.clone(),
                parent_column: key.parent_columns[0].clone(),
                composite: key.columns[1..]
                    .iter()
                    .cloned()
                    .zip(key.parent_columns[1..].iter().cloned())
                    .collect(),
                children,
                children_by,
                context,
            });
        }
        let hierarchies = table
            .foreign_keys
            .iter()
            .filter(|k| k.parent == table.name && k.columns.len() == 1)
            .map(|k| {
                let fk = position(&k.columns[0], table, k)?;
                let pk = position(&k.parent_columns[0], table, k)?;
                Ok(hierarchy(table, k, fk, pk, first_groups.as_deref()))
            })
            .collect::<Result<Vec<_>>>()?;
        let counters = match &first_groups {
            Some(groups) => counters(table, &fk_columns, groups),
            None => Vec::new(),
        };
        let counted: HashSet<&str> = counters.iter().map(|c| c.column.as_str()).collect();
        let keep: Vec<usize> = (0..table.columns.len())
            .filter(|&c| {
                let name = table.columns[c].as_str();
                !fk_columns.contains(name) && !counted.contains(name)
            })
            .collect();
        let mut columns: Vec<String> = keep.iter().map(|&c| table.columns[c].clone()).collect();
        let mut rows: Vec<Row> = table
            .rows
            .iter()
            .map(|r| {
                keep.iter()
                    .map(|&c| r.get(c).cloned().unwrap_or(Value::Null))
                    .collect()
            })
            .collect();
        for (name, values) in context_values {
            for (row, v) in rows.iter_mut().zip(values) {
                row.push(v);
            }
            columns.push(name);
        }
        let prefer: Vec<String> = links
            .iter()
            .flat_map(|l: &Link| l.context.iter().map(|c| c.0.clone()))
            .collect();
        let model = fit_preferring(
            &Source::rows(table.name.clone(), columns, rows),
            &FitOptions {
                table: Some(table.name.clone()),
                ..options.clone()
            },
            &prefer,
        )?;
        fitted.insert(table.name.clone(), model.clone());
        out.push(RelatedTable {
            columns: table.columns.clone(),
            primary_key: table.primary_key.clone(),
            model,
            links,
            hierarchies,
            counters,
        });
    }
    Ok(DatabaseModel {
        format: DATABASE_FORMAT,
        kind: "database".to_owned(),
        tables: out,
    })
}

/// `weights[k]`: the share of `counts` equal to `k`.
fn histogram(counts: impl Iterator<Item = u32>) -> Vec<f64> {
    let mut weights: Vec<f64> = Vec::new();
    let mut total = 0.0;
    for n in counts {
        let n = n as usize;
        if weights.len() <= n {
            weights.resize(n + 1, 0.0);
        }
        weights[n] += 1.0;
        total += 1.0;
    }
    if weights.is_empty() {
        weights.push(1.0);
    } else {
        weights.iter_mut().for_each(|w| *w /= total);
    }
    weights
}

/// Direct children per row of a self-reference, and the top rows.
fn hierarchy(
    table: &TableRows,
    key: &TableKey,
    fk: usize,
    pk: usize,
    groups: Option<&[Option<String>]>,
) -> Hierarchy {
    // Each row's parent group, by its key, to see whether references stay inside.
    let group_of: HashMap<String, Option<&str>> = match groups {
        Some(groups) => table
            .rows
            .iter()
            .zip(groups)
            .filter_map(|(r, g)| Some((tuple_key(r, &[pk])?, g.as_deref())))
            .collect(),
        None => HashMap::new(),
    };
    let (mut inside, mut references) = (0usize, 0usize);
    let mut per_row: HashMap<String, u32> = table
        .rows
        .iter()
        .filter_map(|r| tuple_key(r, &[pk]))
        .map(|k| (k, 0))
        .collect();
    let (mut roots, mut loops) = (0usize, 0usize);
    for r in &table.rows {
        match (tuple_key(r, &[fk]), tuple_key(r, &[pk])) {
            (None, _) => roots += 1,
            (Some(f), Some(own)) if f == own => {
                roots += 1;
                loops += 1;
            }
            (Some(f), own) => match per_row.get_mut(&f) {
                Some(n) => {
                    *n += 1;
                    references += 1;
                    let mine = own.and_then(|o| group_of.get(&o).copied().flatten());
                    if mine.is_some() && mine == group_of.get(&f).copied().flatten() {
                        inside += 1;
                    }
                }
                None => roots += 1,
            },
        }
    }
    Hierarchy {
        column: key.columns[0].clone(),
        parent_column: key.parent_columns[0].clone(),
        children: histogram(per_row.values().copied()),
        roots: roots as f64 / table.rows.len().max(1) as f64,
        root_self: loops * 2 > roots,
        within_parent: groups.is_some()
            && references > 0
            && inside as f64 >= super::relations::HOLD_SHARE * references as f64,
    }
}

/// Integer primary-key columns that number each parent's rows from one
/// start (`line_no` 1, 2, 3 within every order).
fn counters(table: &TableRows, fk_columns: &HashSet<&str>, groups: &[Option<String>]) -> Vec<Counter> {
    let mut out = Vec::new();
    for name in &table.primary_key {
        if fk_columns.contains(name.as_str()) {
            continue;
        }
        let Some(c) = table.columns.iter().position(|x| x == name) else {
            continue;
        };
        let mut by_group: HashMap<&str, Vec<i64>> = HashMap::new();
        let mut all_integers = true;
        for (row, group) in table.rows.iter().zip(groups) {
            let (Some(group), Some(n)) = (group, row.get(c).and_then(integer_of)) else {
                all_integers = false;
                break;
            };
            by_group.entry(group).or_default().push(n);
        }
        if !all_integers || !by_group.values().any(|g| g.len() > 1) {
            continue;
        }
        let start = by_group.values().filter_map(|g| g.iter().min().copied()).min();
        let Some(start) = start else { continue };
        let counts = by_group.values_mut().all(|g| {
            g.sort_unstable();
            g.iter().enumerate().all(|(i, &n)| n == start + i as i64)
        });
        if counts {
            out.push(Counter {
                column: name.clone(),
                start,
            });
        }
    }
    out
}

fn integer_of(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(*i),
        Value::Float(x) if x.fract() == 0.0 && x.abs() < 9e15 => Some(*x as i64),
        Value::Text(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Children-per-parent distributions by the parent's small categorical
/// column that explains the counts best, when one explains enough.
fn fan_out_by(
    parent: &FittedModel,
    rows: &TableRows,
    pk: &[usize],
    per_parent: &HashMap<String, u32>,
) -> Option<ChildrenBy> {
    let mut best: Option<(f64, ChildrenBy)> = None;
    for (c, name) in rows.columns.iter().enumerate() {
        let Some(m) = parent.column(name) else { continue };
        let kept = match &m.marginal {
            Marginal::Categories { values, .. }
                if m.kind == ColumnKind::Categorical && values.len() <= CONTEXT_CATEGORIES =>
            {
                values
            }
            _ => continue,
        };
        let mut groups: HashMap<&str, Vec<u32>> = HashMap::new();
        let mut all = Vec::new();
        for r in &rows.rows {
            let Some(n) = tuple_key(r, pk).and_then(|k| per_parent.get(&k)) else {
                continue;
            };
            let Value::Text(v) = &r[c] else { continue };
            if kept.iter().any(|k| k == v.trim()) {
                groups.entry(v.trim()).or_default().push(*n);
                all.push(*n);
            }
        }
        if all.len() < 2 {
            continue;
        }
        let mean = |v: &[u32]| v.iter().map(|&x| f64::from(x)).sum::<f64>() / v.len() as f64;
        let m_all = mean(&all);
        let total: f64 = all.iter().map(|&x| (f64::from(x) - m_all).powi(2)).sum();
        let between: f64 = groups
            .values()
            .map(|g| g.len() as f64 * (mean(g) - m_all).powi(2))
            .sum();
        let eta = if total > 0.0 { between / total } else { 0.0 };
        if eta < FAN_OUT_BY_MIN || best.as_ref().is_some_and(|(b, _)| *b >= eta) {
            continue;
        }
        let mut values: Vec<(String, Vec<f64>)> = groups
            .into_iter()
            .map(|(v, g)| (v.to_owned(), histogram(g.into_iter())))
            .collect();
        values.sort_by(|a, b| a.0.cmp(&b.0));
        best = Some((
            eta,
            ChildrenBy {
                column: name.clone(),
                values,
            },
        ));
    }
    best.map(|(_, b)| b)
}

/// A key as text, so `7` and `7.0` and `"7"` find the same parent.
fn key_text(v: &Value) -> String {
    match v {
        Value::Float(x) if x.fract() == 0.0 && x.abs() < 9e15 => format!("{}", *x as i64),
        Value::Text(s) => s.trim().to_owned(),
        other => other.to_string(),
    }
}

fn parents_first(tables: &[TableRows]) -> Result<Vec<usize>> {
    let mut done: Vec<bool> = vec![false; tables.len()];
    let mut order = Vec::with_capacity(tables.len());
    while order.len() < tables.len() {
        let ready = (0..tables.len()).find(|&t| {
            !done[t]
                && tables[t].foreign_keys.iter().all(|k| {
                    k.parent == tables[t].name
                        || tables
                            .iter()
                            .position(|x| x.name == k.parent)
                            .is_none_or(|p| done[p])
                })
        });
        match ready {
            Some(t) => {
                done[t] = true;
                order.push(t);
            }
            None => {
                let stuck = (0..tables.len())
                    .find(|&t| !done[t])
                    .map_or("", |t| tables[t].name.as_str());
                return Err(Error::Fit {
                    source: None,
                    origin: format!("table `{stuck}`"),
                    message: "its foreign keys form a cycle; a fitted database needs parents before children"
                        .into(),
                });
            }
        }
    }
    Ok(order)
}

/// Where an output column's values come from.
#[derive(Clone, Copy)]
enum Fill {
    /// The model's column.
    Model(usize),
    /// Column `j` of foreign key `l`.
    Link(usize, usize),
    /// A per-parent counter starting here.
    Counter(i64),
    /// Set after the rows are drawn (a self-reference), or no source.
    Later,
}

impl DatabaseModel {
    /// The model as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// A database model from its JSON; `origin` names it in errors.
    pub fn from_json(json: &str, origin: &str) -> Result<DatabaseModel> {
        let model: DatabaseModel = serde_json::from_str(json).map_err(|e| Error::Parse {
            origin: origin.to_owned(),
            message: format!("not a fitted database (made by `syda fit --database-url` or a directory): {e}"),
            source: Some(e.into()),
        })?;
        if model.format != DATABASE_FORMAT || model.kind != "database" {
            return Err(Error::Parse {
                source: None,
                origin: origin.to_owned(),
                message: format!(
                    "database model format {} is not {DATABASE_FORMAT}; fit again",
                    model.format
                ),
            });
        }
        Ok(model)
    }

    /// Whether `json` is a database model (not a one-table model).
    pub fn is_database_json(json: &str) -> bool {
        serde_json::from_str::<serde_json::Value>(json)
            .ok()
            .and_then(|v| v.get("kind").and_then(|k| k.as_str()).map(|k| k == "database"))
            .unwrap_or(false)
    }

    /// Rebuilds the database at `scale` × the fitted rows (root tables are
    /// scaled; children follow their parents' fan-out), the same for the
    /// same seed. Every foreign key holds a key of a generated parent row;
    /// a self-reference holds the key of an earlier row of its table.
    pub fn sample(&self, scale: f64, seed: u64) -> Result<Vec<GeneratedTable>> {
        let mut rng = EngineRng::seed_from_u64(seed ^ 0xDA7A_BA5E);
        let mut out: Vec<GeneratedTable> = Vec::with_capacity(self.tables.len());
        for (t, table) in self.tables.iter().enumerate() {
            let model = &table.model;
            let problem = |message: String| Error::Fit {
                source: None,
                origin: format!("table `{}`", model.table),
                message,
            };
            let position = |name: &str| model.columns.iter().position(|c| c.name == name);
            // Each link's parent table and the positions of its key columns there.
            let mut parents: Vec<(&GeneratedTable, Vec<usize>)> = Vec::with_capacity(table.links.len());
            for link in &table.links {
                let parent = out.iter().find(|g| g.0 == link.parent).ok_or_else(|| {
                    problem(format!("its parent `{}` was not generated first", link.parent))
                })?;
                let key = link
                    .pairs()
                    .map(|(_, p)| {
                        parent.1.iter().position(|c| c == p).ok_or_else(|| {
                            problem(format!("its parent `{}` has no column `{p}`", link.parent))
                        })
                    })
                    .collect::<Result<Vec<_>>>()?;
                parents.push((parent, key));
            }
            // Children of each row of the first parent.
            let counts: Option<Vec<u32>> = table.links.first().map(|link| {
                let parent = parents[0].0;
                let by = link.children_by.as_ref().and_then(|b| {
                    let c = parent.1.iter().position(|n| *n == b.column)?;
                    Some((c, b))
                });
                parent
                    .2
                    .iter()
                    .map(|row| {
                        let weights = by
                            .and_then(|(c, b)| {
                                let v = row[c].as_str()?;
                                b.values.iter().find(|(x, _)| x == v).map(|(_, w)| w)
                            })
                            .unwrap_or(&link.children);
                        pick(weights, rng.random()) as u32
                    })
                    .collect()
            });
            let n: u64 = match &counts {
                Some(counts) => counts.iter().map(|&c| u64::from(c)).sum(),
                None => ((model.rows as f64 * scale).round() as u64).max(u64::from(model.rows > 0)),
            };
            let mut sampler =
                model.sample(n, seed.wrapping_add(t as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
            let sources: Vec<Fill> = table
                .columns
                .iter()
                .map(|c| {
                    let linked = table
                        .links
                        .iter()
                        .enumerate()
                        .find_map(|(l, link)| Some((l, link.pairs().position(|(mine, _)| mine == c)?)));
                    if let Some((l, j)) = linked {
                        Fill::Link(l, j)
                    } else if let Some(counter) = table.counters.iter().find(|k| k.column == *c) {
                        Fill::Counter(counter.start)
                    } else {
                        position(c).map_or(Fill::Later, Fill::Model)
                    }
                })
                .collect();
            // Links other than the parent whose columns are in the primary
            // key (a junction table): distinct parents within each group.
            let distinct: Vec<bool> = table
                .links
                .iter()
                .enumerate()
                .map(|(l, link)| {
                    l > 0
                        && link
                            .pairs()
                            .all(|(c, _)| table.primary_key.iter().any(|k| k == c))
                })
                .collect();
            let context: Vec<(Option<usize>, Option<usize>)> = match (table.links.first(), parents.first()) {
                (Some(link), Some((parent, _))) => link
                    .context
                    .iter()
                    .map(|(mine, theirs)| (position(mine), parent.1.iter().position(|c| c == theirs)))
                    .collect(),
                _ => Vec::new(),
            };
            let mut rows: Vec<Row> = Vec::with_capacity(n as usize);
            let groups: Vec<(Option<&Row>, u32)> = match &counts {
                Some(counts) => parents[0]
                    .0
                    .2
                    .iter()
                    .map(Some)
                    .zip(counts.iter().copied())
                    .collect(),
                None => vec![(None, u32::try_from(n).unwrap_or(u32::MAX))],
            };
            // Where each parent's rows start, for hierarchies within a parent.
            let mut runs: Vec<usize> = Vec::with_capacity(groups.len() + 1);
            for (prow, k) in groups {
                runs.push(rows.len());
                let given: Vec<(usize, Value)> = prow
                    .map(|prow| {
                        context
                            .iter()
                            .filter_map(|&(m, p)| Some((m?, prow[p?].clone())))
                            .collect()
                    })
                    .unwrap_or_default();
                // Parent rows each distinct link already used in this group.
                let mut used: Vec<HashSet<usize>> = vec![HashSet::new(); table.links.len()];
                for i in 0..k {
                    let drawn = sampler.next_given(&given)?;
                    // The row of each link's parent table this row references.
                    let mut chosen: Vec<Option<usize>> = Vec::with_capacity(table.links.len());
                    let mut full = false;
                    for (l, (parent, _)) in parents.iter().enumerate() {
                        let rows_there = parent.2.len();
                        chosen.push(if l == 0 || rows_there == 0 {
                            None
                        } else if distinct[l] {
                            let r = distinct_pick(&mut used[l], rows_there, &mut rng);
                            full |= r.is_none();
                            r
                        } else {
                            Some(rng.random_range(0..rows_there))
                        });
                    }
                    if full {
                        // More rows than distinct parents: this row cannot be keyed.
                        continue;
                    }
                    let row: Row = sources
                        .iter()
                        .map(|s| match *s {
                            Fill::Model(m) => drawn.get(m).cloned().unwrap_or(Value::Null),
                            Fill::Link(l, j) => {
                                let (parent, key) = &parents[l];
                                let from = if l == 0 {
                                    prow
                                } else {
                                    chosen[l].map(|r| &parent.2[r])
                                };
                                from.map_or(Value::Null, |r| r[key[j]].clone())
                            }
                            Fill::Counter(start) => Value::Int(start.saturating_add(i64::from(i))),
                            Fill::Later => Value::Null,
                        })
                        .collect();
                    rows.push(row);
                }
            }
            runs.push(rows.len());
            distinct_keys(table, &mut rows);
            for (h, hierarchy) in table.hierarchies.iter().enumerate() {
                if hierarchy.within_parent {
                    for run in runs.windows(2) {
                        assign_hierarchy(table, hierarchy, &mut rows[run[0]..run[1]], h == 0, &mut rng);
                    }
                } else {
                    assign_hierarchy(table, hierarchy, &mut rows, h == 0, &mut rng);
                }
            }
            out.push((model.table.clone(), table.columns.clone(), rows));
        }
        Ok(out)
    }
}

/// An unused index below `len`, marked used; `None` when all are.
fn distinct_pick(used: &mut HashSet<usize>, len: usize, rng: &mut EngineRng) -> Option<usize> {
    if used.len() >= len {
        return None;
    }
    for _ in 0..16 {
        let r = rng.random_range(0..len);
        if used.insert(r) {
            return Some(r);
        }
    }
    let start = rng.random_range(0..len);
    let r = (0..len).map(|i| (start + i) % len).find(|r| !used.contains(r))?;
    used.insert(r);
    Some(r)
}

/// Sets a self-reference: each row gets a number of direct children from
/// the fitted distribution, adjusted so the counts add up to the rows below
/// the top ones, and the forest is laid out breadth first — the largest
/// counts nearest the top, which never runs out of parents. With `reorder`
/// the rows are shuffled into that order, so every row comes after the
/// row it references (what a database checking row by row needs).
fn assign_hierarchy(
    table: &RelatedTable,
    h: &Hierarchy,
    rows: &mut [Row],
    reorder: bool,
    rng: &mut EngineRng,
) {
    let n = rows.len();
    let (Some(fk), Some(pk)) = (
        table.columns.iter().position(|c| *c == h.column),
        table.columns.iter().position(|c| *c == h.parent_column),
    ) else {
        return;
    };
    if n == 0 {
        return;
    }
    let roots = ((n as f64 * h.roots).round() as usize).clamp(1, n);
    let mut counts: Vec<usize> = (0..n).map(|_| pick(&h.children, rng.random())).collect();
    let target = n - roots;
    let mut sum: usize = counts.iter().sum();
    // Redraw single rows' counts while that brings the sum nearer the
    // target (keeps the distribution's shape); what is left, step by one.
    for _ in 0..n.saturating_mul(20) {
        if sum == target {
            break;
        }
        let i = rng.random_range(0..n);
        let redrawn = pick(&h.children, rng.random());
        let next = sum - counts[i] + redrawn;
        if next.abs_diff(target) < sum.abs_diff(target) {
            counts[i] = redrawn;
            sum = next;
        }
    }
    while sum > target {
        let i = rng.random_range(0..n);
        if counts[i] > 0 {
            counts[i] -= 1;
            sum -= 1;
        }
    }
    while sum < target {
        let i = rng.random_range(0..n);
        // Parents get more children (keeping the share of leaves), unless none has any.
        if counts[i] > 0 || sum == 0 {
            counts[i] += 1;
            sum += 1;
        }
    }
    counts.sort_unstable_by(|a, b| b.cmp(a));
    if reorder {
        for i in (1..n).rev() {
            let j = rng.random_range(0..=i);
            rows.swap(i, j);
        }
    }
    let mut parent_of: Vec<Option<usize>> = vec![None; n];
    let mut next = roots;
    for (p, &k) in counts.iter().enumerate() {
        for _ in 0..k {
            if next < n {
                parent_of[next] = Some(p);
                next += 1;
            }
        }
    }
    for i in 0..n {
        rows[i][fk] = match parent_of[i] {
            Some(p) => rows[p][pk].clone(),
            None if h.root_self => rows[i][pk].clone(),
            None => Value::Null,
        };
    }
}

/// Makes a single-column primary key distinct when its model does not
/// keep it so (text of several shapes, fitted as words): integers become
/// 1, 2, 3, …, text `table-1`, `table-2`, … Runs before the children, so
/// their keys follow. A key that is also a foreign key is left as it is.
fn distinct_keys(table: &RelatedTable, rows: &mut [Row]) {
    let [pk] = table.primary_key.as_slice() else {
        return;
    };
    let Some(c) = table.columns.iter().position(|n| n == pk) else {
        return;
    };
    let Some(m) = table.model.column(pk) else { return };
    if m.unique || matches!(m.marginal, Marginal::Sequence { .. }) {
        return;
    }
    let text = !m.kind.is_numeric();
    for (i, row) in rows.iter_mut().enumerate() {
        row[c] = if text {
            Value::Text(format!("{}-{}", table.model.table, i + 1))
        } else {
            Value::Int(i as i64 + 1)
        };
    }
}

/// The index `u` falls on in cumulative `weights`.
fn pick(weights: &[f64], u: f64) -> usize {
    let mut acc = 0.0;
    for (i, w) in weights.iter().enumerate() {
        acc += w;
        if u < acc {
            return i;
        }
    }
    weights.len().saturating_sub(1)
}

impl Source {
    /// Every row of the source in memory, as values (CSV cells as text,
    /// JSON values as they are).
    pub fn read_rows(&self) -> Result<(Vec<String>, Vec<Row>)> {
        let names = self.columns()?;
        let mut rows = Vec::new();
        self.scan(&names, &mut |cells| {
            rows.push(
                cells
                    .iter()
                    .map(|c| match c {
                        Cell::Null => Value::Null,
                        Cell::Bool(b) => Value::Bool(*b),
                        Cell::Int(i) => Value::Int(*i),
                        Cell::Float(x) => Value::Float(*x),
                        Cell::Text(s) => Value::Text((*s).to_owned()),
                    })
                    .collect(),
            );
            Ok(())
        })?;
        Ok((names, rows))
    }
}

/// A declared foreign key of a directory of files: `child.column →
/// parent.parent_column`, or a composite one (`more` holds its other pairs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclaredKey {
    /// Child table (file stem).
    pub child: String,
    /// Child column (the first one of a composite key).
    pub column: String,
    /// Parent table (file stem).
    pub parent: String,
    /// Parent key column (the first one of a composite key).
    pub parent_column: String,
    /// The other `(child column, parent column)` pairs of a composite key.
    pub more: Vec<(String, String)>,
}

impl DeclaredKey {
    /// Every `(child column, parent column)` pair, in order.
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        std::iter::once((self.column.as_str(), self.parent_column.as_str()))
            .chain(self.more.iter().map(|(c, p)| (c.as_str(), p.as_str())))
    }

    /// The child's columns, joined with `,`.
    pub fn columns_text(&self) -> String {
        self.pairs().map(|p| p.0).collect::<Vec<_>>().join(",")
    }

    /// The parent's columns, joined with `,`.
    pub fn parent_columns_text(&self) -> String {
        self.pairs().map(|p| p.1).collect::<Vec<_>>().join(",")
    }
}

impl std::str::FromStr for DeclaredKey {
    type Err = String;

    /// `orders.customer_id=customers.id`, or a composite key
    /// `shipments.order_id,line_no=order_lines.order_id,line_no`.
    fn from_str(s: &str) -> std::result::Result<DeclaredKey, String> {
        let bad = || {
            format!(
                "`{s}`: expected CHILD.COLUMN=PARENT.COLUMN, e.g. orders.customer_id=customers.id \
                 (a composite key: CHILD.A,B=PARENT.A,B)"
            )
        };
        let (left, right) = s.split_once('=').ok_or_else(bad)?;
        let (child, columns) = left.trim().split_once('.').ok_or_else(bad)?;
        let (parent, parent_columns) = right.trim().split_once('.').ok_or_else(bad)?;
        let split = |c: &str| c.split(',').map(|x| x.trim().to_owned()).collect::<Vec<_>>();
        let (columns, parent_columns) = (split(columns), split(parent_columns));
        if child.is_empty()
            || parent.is_empty()
            || columns.len() != parent_columns.len()
            || columns.iter().chain(&parent_columns).any(String::is_empty)
        {
            return Err(bad());
        }
        Ok(DeclaredKey {
            child: child.to_owned(),
            column: columns[0].clone(),
            parent: parent.to_owned(),
            parent_column: parent_columns[0].clone(),
            more: columns[1..]
                .iter()
                .cloned()
                .zip(parent_columns[1..].iter().cloned())
                .collect(),
        })
    }
}

/// Fits every data file of `dir` (`.csv`, `.jsonl`, `.ndjson`, `.json`;
/// each file one table named by its stem) as one database, with the
/// foreign keys declared in `keys`. A key naming a table with no file is an
/// error naming it.
pub fn fit_directory(
    dir: &std::path::Path,
    keys: &[DeclaredKey],
    options: &FitOptions,
) -> Result<DatabaseModel> {
    let entries = std::fs::read_dir(dir).map_err(|source| Error::Io {
        path: dir.to_owned(),
        source,
    })?;
    let mut paths: Vec<std::path::PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                ["csv", "jsonl", "ndjson", "json"].contains(&e.to_ascii_lowercase().as_str())
            })
        })
        .collect();
    paths.sort();
    if paths.is_empty() {
        return Err(Error::Fit {
            source: None,
            origin: dir.display().to_string(),
            message: "no data files (.csv, .jsonl, .ndjson, .json) in this directory".into(),
        });
    }
    let mut tables = Vec::with_capacity(paths.len());
    for path in &paths {
        let source = Source::from_path(path)?;
        let (columns, rows) = source.read_rows()?;
        let name = source.name();
        let foreign_keys = keys
            .iter()
            .filter(|k| k.child == name)
            .map(|k| TableKey {
                columns: k.pairs().map(|p| p.0.to_owned()).collect(),
                parent: k.parent.clone(),
                parent_columns: k.pairs().map(|p| p.1.to_owned()).collect(),
            })
            .collect();
        // The key its children reference (the widest, when several).
        let primary_key = keys
            .iter()
            .filter(|k| k.parent == name)
            .max_by_key(|k| k.more.len())
            .map(|k| k.pairs().map(|p| p.1.to_owned()).collect())
            .unwrap_or_default();
        tables.push(TableRows {
            name,
            columns,
            rows,
            primary_key,
            foreign_keys,
        });
    }
    if let Some(k) = keys.iter().find(|k| !tables.iter().any(|t| t.name == k.child)) {
        return Err(Error::Fit {
            source: None,
            origin: dir.display().to_string(),
            message: format!(
                "the foreign key {}.{} names table `{}`, which has no file here",
                k.child, k.column, k.child
            ),
        });
    }
    fit_related(tables, options)
}
