//! Declared relations in schema files: three column keys and one table key.
//!
//! ```yaml
//! tables:
//!   invoices:
//!     columns:
//!       issued_on: date
//!       due_on:    { type: date, after: issued_on }         # not before issued_on
//!       total:     { type: decimal, expr: sum(invoice_lines.line_total) }
//!       lines:     { type: integer, expr: count(invoice_lines) }
//!   invoice_lines:
//!     infer: false                                          # nothing inferred here
//!     columns:
//!       line_total: { type: decimal, expr: quantity * unit_price }
//!       email:      { type: text, infer: false }            # no inferred rule for it
//! ```
//!
//! `after` is a column of the same row, or `{ column, min_days, max_days }`
//! (the gap used when a value is derived; 30 days at most by default).
//! `expr` is arithmetic over the row's columns (`+ - * /`, parentheses), or
//! `sum(t.c)`, `min(t.c)`, `max(t.c)`, `count(t)` over the child table `t`.

use serde_json::{Map, Value, json};

use super::model::Schema;
use crate::error::Problem;
use crate::relation::{AggregateFn, Declared, Expr, Rule};

/// Default largest gap of a declared `after`, in days.
pub(crate) const AFTER_MAX_DAYS: u32 = 30;

/// The relations declared in `doc` (already read into `schema`).
pub(crate) fn read(doc: &Value, schema: &Schema, problems: &mut Vec<Problem>) -> Vec<Declared> {
    let mut out = Vec::new();
    let tables: Vec<(&str, &Map<String, Value>)> = match doc.get("tables").and_then(Value::as_object) {
        Some(tables) => tables
            .iter()
            .filter_map(|(n, spec)| Some((n.as_str(), spec.as_object()?)))
            .collect(),
        None => match (doc.as_object(), schema.tables.first()) {
            (Some(top), Some(t)) if top.contains_key("columns") => vec![(t.name.as_ref(), top)],
            _ => Vec::new(),
        },
    };
    for (name, spec) in tables {
        if schema.table(name).is_none() {
            continue;
        }
        match spec.get("infer") {
            Some(Value::Bool(false)) => out.push(declared(name, Rule::NotInferred { column: "*".into() })),
            Some(Value::Bool(true)) | None => {}
            Some(other) => problems.push(Problem::table(
                name,
                format!("`infer` must be true or false, found {other}"),
            )),
        }
        let Some(columns) = spec.get("columns").and_then(Value::as_object) else {
            continue;
        };
        for (col, cspec) in columns {
            let Some(cspec) = cspec.as_object() else { continue };
            let at = |msg: String| Problem::column(name, col, msg);
            if let Some(after) = cspec.get("after") {
                match after_rule(col, after) {
                    Ok(rule) => out.push(declared(name, rule)),
                    Err(msg) => problems.push(at(msg)),
                }
            }
            if let Some(expr) = cspec.get("expr") {
                match expr.as_str().map(|e| expr_rule(col, e)) {
                    Some(Ok(rule)) => out.push(declared(name, rule)),
                    Some(Err(msg)) => problems.push(at(format!("`expr`: {msg}"))),
                    None => problems.push(at(format!("`expr` must be text, found {expr}"))),
                }
            }
            match cspec.get("infer") {
                Some(Value::Bool(false)) => {
                    out.push(declared(name, Rule::NotInferred { column: col.clone() }))
                }
                Some(Value::Bool(true)) | None => {}
                Some(other) => problems.push(at(format!("`infer` must be true or false, found {other}"))),
            }
        }
    }
    out
}

fn declared(table: &str, rule: Rule) -> Declared {
    Declared {
        table: table.to_owned(),
        rule,
    }
}

fn after_rule(column: &str, spec: &Value) -> Result<Rule, String> {
    let days = |v: Option<&Value>, default: u32| match v {
        None => Ok(default),
        Some(v) => v
            .as_u64()
            .and_then(|d| u32::try_from(d).ok())
            .ok_or_else(|| format!("`after` days must be a whole number of days, found {v}")),
    };
    match spec {
        Value::String(after) => Ok(Rule::After {
            column: column.to_owned(),
            after: after.clone(),
            min_days: 0,
            max_days: AFTER_MAX_DAYS,
        }),
        Value::Object(m) => {
            let after = m
                .get("column")
                .and_then(Value::as_str)
                .ok_or("`after` as a mapping needs `column:`")?;
            for key in m.keys() {
                if !["column", "min_days", "max_days"].contains(&key.as_str()) {
                    return Err(format!(
                        "unknown key `{key}` in `after`; expected column, min_days, max_days"
                    ));
                }
            }
            let min_days = days(m.get("min_days"), 0)?;
            let max_days = days(m.get("max_days"), AFTER_MAX_DAYS.max(min_days))?;
            if max_days < min_days {
                return Err(format!(
                    "`after`: max_days {max_days} is below min_days {min_days}"
                ));
            }
            Ok(Rule::After {
                column: column.to_owned(),
                after: after.to_owned(),
                min_days,
                max_days,
            })
        }
        other => Err(format!("`after` must name a column, found {other}")),
    }
}

fn expr_rule(column: &str, text: &str) -> Result<Rule, String> {
    let t = text.trim();
    for (name, func) in [
        ("sum", AggregateFn::Sum),
        ("count", AggregateFn::Count),
        ("min", AggregateFn::Min),
        ("max", AggregateFn::Max),
    ] {
        let Some(inner) = t
            .strip_prefix(name)
            .map(str::trim_start)
            .and_then(|r| r.strip_prefix('('))
            .and_then(|r| r.strip_suffix(')'))
        else {
            continue;
        };
        let inner = inner.trim();
        let (child, child_column) = match inner.split_once('.') {
            Some((t, c)) => (t.trim(), Some(c.trim().to_owned())),
            None => (inner, None),
        };
        if func != AggregateFn::Count && child_column.is_none() {
            return Err(format!(
                "`{name}(…)` needs a child column: `{name}(child_table.column)`"
            ));
        }
        return Ok(Rule::Aggregate {
            column: column.to_owned(),
            child: child.to_owned(),
            func,
            child_column,
        });
    }
    Ok(Rule::Derived {
        column: column.to_owned(),
        expr: Expr::parse(t)?,
    })
}

/// Writes `schema`'s declared relations back into the file form `doc`.
pub(crate) fn write(schema: &Schema, doc: &mut Value) {
    for d in &schema.relations {
        let Some(table) = doc.get_mut("tables").and_then(|t| t.get_mut(d.table.as_str())) else {
            continue;
        };
        let (column, key, value) = match &d.rule {
            Rule::NotInferred { column } if column == "*" => {
                if let Some(t) = table.as_object_mut() {
                    t.insert("infer".into(), false.into());
                }
                continue;
            }
            Rule::NotInferred { column } => (column, "infer", Value::Bool(false)),
            Rule::After {
                column,
                after,
                min_days: 0,
                max_days: AFTER_MAX_DAYS,
            } => (column, "after", after.as_str().into()),
            Rule::After {
                column,
                after,
                min_days,
                max_days,
            } => (
                column,
                "after",
                json!({ "column": after, "min_days": min_days, "max_days": max_days }),
            ),
            Rule::Derived { column, expr } => (column, "expr", expr.to_string().into()),
            Rule::Aggregate {
                column,
                child,
                func,
                child_column,
            } => {
                let f = format!("{func:?}").to_lowercase();
                let inner = match child_column {
                    Some(c) => format!("{child}.{c}"),
                    None => child.clone(),
                };
                (column, "expr", format!("{f}({inner})").into())
            }
            _ => continue,
        };
        if let Some(col) = table
            .get_mut("columns")
            .and_then(|c| c.get_mut(column.as_str()))
            .and_then(Value::as_object_mut)
        {
            col.insert(key.into(), value);
        }
    }
}
