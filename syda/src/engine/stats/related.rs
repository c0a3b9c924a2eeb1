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

use std::collections::{HashMap, HashSet};

use rand::{RngExt, SeedableRng};
use serde::{Deserialize, Serialize};

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
    /// The primary-key column, if any.
    pub primary_key: Option<String>,
    /// Single-column foreign keys: `(column, parent table, parent column)`.
    pub foreign_keys: Vec<(String, String, String)>,
}

/// A foreign key of a fitted database.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Link {
    /// The child's column.
    pub column: String,
    /// The parent table.
    pub parent: String,
    /// The parent's key column.
    pub parent_column: String,
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

/// Children-per-parent distributions by a parent column's value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChildrenBy {
    /// The parent's column.
    pub column: String,
    /// Per value: the share of parents with `k` children at `weights[k]`.
    pub values: Vec<(String, Vec<f64>)>,
}

/// Share of the variance of children per parent a parent category must
/// explain (η²) for the counts to be kept per category.
pub const FAN_OUT_BY_MIN: f64 = 0.05;

/// One table of a fitted database.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RelatedTable {
    /// The table's columns, in order (foreign keys included).
    pub columns: Vec<String>,
    /// The primary key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_key: Option<String>,
    /// The model of its non-key columns (and its parent's context columns).
    pub model: FittedModel,
    /// Its foreign keys; the first one is its parent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
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

/// Fits every table, each child with its parent's context. Tables are put
/// parents first; a cycle of foreign keys, or a key naming a table or
/// column that is not there, is an error naming it.
pub fn fit_related(tables: Vec<TableRows>, options: &FitOptions) -> Result<DatabaseModel> {
    let order = parents_first(&tables)?;
    let mut fitted: HashMap<String, (FittedModel, usize)> = HashMap::new();
    let mut out = Vec::with_capacity(tables.len());
    for t in order {
        let table = &tables[t];
        let fk_columns: HashSet<&str> = table.foreign_keys.iter().map(|f| f.0.as_str()).collect();
        let keep: Vec<usize> = (0..table.columns.len())
            .filter(|&c| !fk_columns.contains(table.columns[c].as_str()))
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
        let mut links = Vec::new();
        for (i, (column, parent, parent_column)) in table.foreign_keys.iter().enumerate() {
            let problem = |message: String| Error::Fit {
                origin: format!("table `{}`, foreign key `{column}`", table.name),
                message,
            };
            let p = tables
                .iter()
                .position(|x| x.name == *parent)
                .ok_or_else(|| problem(format!("references table `{parent}`, which is not in the data")))?;
            let parent_rows = &tables[p];
            let pk = parent_rows
                .columns
                .iter()
                .position(|c| c == parent_column)
                .ok_or_else(|| {
                    problem(format!(
                        "references `{parent}.{parent_column}`, which is not a column"
                    ))
                })?;
            let fk = table
                .columns
                .iter()
                .position(|c| c == column)
                .ok_or_else(|| problem(format!("`{column}` is not a column of `{}`", table.name)))?;
            let key = |v: &Value| match v {
                Value::Null => None,
                other => Some(key_text(other)),
            };
            let mut per_parent: HashMap<String, u32> = parent_rows
                .rows
                .iter()
                .filter_map(|r| key(&r[pk]))
                .map(|k| (k, 0))
                .collect();
            for r in &table.rows {
                if let Some(n) = r.get(fk).and_then(key).and_then(|k| per_parent.get_mut(&k)) {
                    *n += 1;
                }
            }
            let max = per_parent.values().copied().max().unwrap_or(0) as usize;
            let mut children = vec![0.0; max + 1];
            for n in per_parent.values() {
                children[*n as usize] += 1.0;
            }
            let total = per_parent.len().max(1) as f64;
            children.iter_mut().for_each(|w| *w /= total);
            let mut context = Vec::new();
            let mut children_by = None;
            if i == 0 {
                children_by = fan_out_by(&fitted[parent].0, parent_rows, pk, &per_parent);
            }
            if i == 0 {
                // The parent's small categories and dates, joined in.
                let (parent_model, _) = &fitted[parent];
                let index: HashMap<String, &Row> = parent_rows
                    .rows
                    .iter()
                    .filter_map(|r| Some((key(&r[pk])?, r)))
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
                    for (row, original) in rows.iter_mut().zip(&table.rows) {
                        let v = original
                            .get(fk)
                            .and_then(key)
                            .and_then(|k| index.get(&k))
                            .map_or(Value::Null, |r| r[c].clone());
                        row.push(v);
                    }
                    columns.push(joined.clone());
                    context.push((joined, name.clone()));
                }
            }
            links.push(Link {
                column: column.clone(),
                parent: parent.clone(),
                parent_column: parent_column.clone(),
                children,
                children_by,
                context,
            });
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
        fitted.insert(table.name.clone(), (model.clone(), t));
        out.push(RelatedTable {
            columns: table.columns.clone(),
            primary_key: table.primary_key.clone(),
            model,
            links,
        });
    }
    Ok(DatabaseModel {
        format: DATABASE_FORMAT,
        kind: "database".to_owned(),
        tables: out,
    })
}

/// Children-per-parent distributions by the parent's small categorical
/// column that explains the counts best, when one explains enough.
fn fan_out_by(
    parent: &FittedModel,
    rows: &TableRows,
    pk: usize,
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
            let (Value::Text(v), Some(n)) = (&r[c], per_parent.get(&key_text(&r[pk]))) else {
                continue;
            };
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
            .map(|(v, g)| {
                let max = g.iter().copied().max().unwrap_or(0) as usize;
                let mut w = vec![0.0; max + 1];
                for n in &g {
                    w[*n as usize] += 1.0 / g.len() as f64;
                }
                (v.to_owned(), w)
            })
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
                && tables[t].foreign_keys.iter().all(|(_, parent, _)| {
                    parent == &tables[t].name
                        || tables
                            .iter()
                            .position(|x| x.name == *parent)
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
                    origin: format!("table `{stuck}`"),
                    message: "its foreign keys form a cycle; a fitted database needs parents before children"
                        .into(),
                });
            }
        }
    }
    Ok(order)
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
        })?;
        if model.format != DATABASE_FORMAT || model.kind != "database" {
            return Err(Error::Parse {
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
    /// same seed. Every foreign key holds a key of a generated parent row.
    pub fn sample(&self, scale: f64, seed: u64) -> Result<Vec<GeneratedTable>> {
        let mut rng = EngineRng::seed_from_u64(seed ^ 0xDA7A_BA5E);
        let mut out: Vec<GeneratedTable> = Vec::with_capacity(self.tables.len());
        for (t, table) in self.tables.iter().enumerate() {
            let model = &table.model;
            let position = |name: &str| model.columns.iter().position(|c| c.name == name);
            let generated = |parent: &str| out.iter().find(|g| g.0 == parent);
            // The parent, its rows and the children each gets.
            let plan: Option<(&Link, &GeneratedTable, Vec<u32>)> = match table.links.first() {
                Some(link) => {
                    let parent = generated(&link.parent).ok_or_else(|| Error::Fit {
                        origin: format!("table `{}`", model.table),
                        message: format!("its parent `{}` was not generated first", link.parent),
                    })?;
                    let by = link.children_by.as_ref().and_then(|b| {
                        let c = parent.1.iter().position(|n| *n == b.column)?;
                        Some((c, b))
                    });
                    let counts = parent
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
                        .collect();
                    Some((link, parent, counts))
                }
                None => None,
            };
            let n: u64 = match &plan {
                Some((_, _, counts)) => counts.iter().map(|&c| u64::from(c)).sum(),
                None => ((model.rows as f64 * scale).round() as u64).max(u64::from(model.rows > 0)),
            };
            let mut sampler =
                model.sample(n, seed.wrapping_add(t as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
            // Output column → model column, or a foreign key.
            let sources: Vec<Result<usize, usize>> = table
                .columns
                .iter()
                .map(|c| match table.links.iter().position(|l| l.column == *c) {
                    Some(l) => Err(l),
                    None => position(c).ok_or(usize::MAX),
                })
                .collect();
            let keys_of = |link: &Link| -> Vec<Value> {
                generated(&link.parent)
                    .map(|g| {
                        let k = g.1.iter().position(|c| *c == link.parent_column);
                        k.map(|k| g.2.iter().map(|r| r[k].clone()).collect())
                            .unwrap_or_default()
                    })
                    .unwrap_or_default()
            };
            let other_keys: Vec<Vec<Value>> = table.links.iter().map(keys_of).collect();
            let mut rows = Vec::with_capacity(n as usize);
            let mut emit = |sampler: &mut super::sample::Sampler<'_>,
                            given: &[(usize, Value)],
                            parent_key: Option<&Value>,
                            rng: &mut EngineRng|
             -> Result<()> {
                let drawn = sampler.next_given(given)?;
                let row: Row = sources
                    .iter()
                    .map(|s| match *s {
                        Ok(m) => drawn.get(m).cloned().unwrap_or(Value::Null),
                        Err(0) if parent_key.is_some() => parent_key.cloned().unwrap_or(Value::Null),
                        Err(l) if l != usize::MAX => {
                            let keys = &other_keys[l];
                            if keys.is_empty() {
                                Value::Null
                            } else {
                                keys[rng.random_range(0..keys.len())].clone()
                            }
                        }
                        Err(_) => Value::Null,
                    })
                    .collect();
                rows.push(row);
                Ok(())
            };
            match &plan {
                Some((link, parent, counts)) => {
                    let pk = parent.1.iter().position(|c| *c == link.parent_column);
                    let context: Vec<(Option<usize>, Option<usize>)> = link
                        .context
                        .iter()
                        .map(|(mine, theirs)| (position(mine), parent.1.iter().position(|c| c == theirs)))
                        .collect();
                    for (prow, &k) in parent.2.iter().zip(counts) {
                        let given: Vec<(usize, Value)> = context
                            .iter()
                            .filter_map(|&(m, p)| Some((m?, prow[p?].clone())))
                            .collect();
                        let key = pk.map(|pk| &prow[pk]);
                        for _ in 0..k {
                            emit(&mut sampler, &given, key, &mut rng)?;
                        }
                    }
                }
                None => {
                    for _ in 0..n {
                        emit(&mut sampler, &[], None, &mut rng)?;
                    }
                }
            }
            distinct_keys(table, &mut rows);
            out.push((model.table.clone(), table.columns.clone(), rows));
        }
        Ok(out)
    }
}

/// Makes the primary key distinct when its model does not keep it so (text
/// of several shapes, fitted as words): integers become 1, 2, 3, …, text
/// `table-1`, `table-2`, … Runs before the children, so their keys follow.
fn distinct_keys(table: &RelatedTable, rows: &mut [Row]) {
    let Some(pk) = &table.primary_key else { return };
    let Some(c) = table.columns.iter().position(|n| n == pk) else {
        return;
    };
    let kept = table
        .model
        .column(pk)
        .is_some_and(|m| m.unique || matches!(m.marginal, Marginal::Sequence { .. }));
    if kept {
        return;
    }
    let text = table.model.column(pk).is_some_and(|m| !m.kind.is_numeric());
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
/// parent.parent_column`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclaredKey {
    /// Child table (file stem).
    pub child: String,
    /// Child column.
    pub column: String,
    /// Parent table (file stem).
    pub parent: String,
    /// Parent key column.
    pub parent_column: String,
}

impl std::str::FromStr for DeclaredKey {
    type Err = String;

    /// `orders.customer_id=customers.id`.
    fn from_str(s: &str) -> std::result::Result<DeclaredKey, String> {
        let bad =
            || format!("`{s}`: expected CHILD.COLUMN=PARENT.COLUMN, e.g. orders.customer_id=customers.id");
        let (left, right) = s.split_once('=').ok_or_else(bad)?;
        let (child, column) = left.trim().split_once('.').ok_or_else(bad)?;
        let (parent, parent_column) = right.trim().split_once('.').ok_or_else(bad)?;
        if [child, column, parent, parent_column]
            .iter()
            .any(|p| p.is_empty())
        {
            return Err(bad());
        }
        Ok(DeclaredKey {
            child: child.to_owned(),
            column: column.to_owned(),
            parent: parent.to_owned(),
            parent_column: parent_column.to_owned(),
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
            .map(|k| (k.column.clone(), k.parent.clone(), k.parent_column.clone()))
            .collect();
        let primary_key = keys
            .iter()
            .find(|k| k.parent == name)
            .map(|k| k.parent_column.clone());
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
            origin: dir.display().to_string(),
            message: format!(
                "the foreign key {}.{} names table `{}`, which has no file here",
                k.child, k.column, k.child
            ),
        });
    }
    fit_related(tables, options)
}
