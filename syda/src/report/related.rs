//! Multi-table figures: for each foreign key, whether every synthetic key
//! points at a parent, how far the children-per-parent distribution is from
//! the real one (KS), whether children come after their parents, and how
//! strongly a parent's category drives a child's numbers (η²), real against
//! synthetic.

use std::collections::HashMap;
use std::fmt;

use super::ks_two_sample;
use crate::engine::stats::{DeclaredKey, GeneratedTable, parse_date, parse_datetime};
use crate::error::{Error, Result};
use crate::value::Value;

/// Share of rows an after-parent pair must hold in, in the real data, to be checked.
const AFTER_SHARE: f64 = 0.999;

/// Correlation ratio a parent category must reach on a child number, in
/// the real data, to be reported.
const DEPENDENCE_MIN: f64 = 0.05;

/// The figures of one foreign key.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkFigures {
    /// The key, `orders.customer_id → customers.id`.
    pub key: DeclaredKey,
    /// Share of synthetic child rows whose key is a synthetic parent's (NULLs left out).
    pub keys_valid: f64,
    /// KS distance of children per parent (parents without children included).
    pub fan_out_ks: f64,
    /// Mean children per parent, real and synthetic.
    pub fan_out_mean: (f64, f64),
    /// Child date columns not before a parent date column in (almost) every
    /// real row: `(child column, parent column, real share, synthetic share)`.
    pub after_parent: Vec<(String, String, f64, f64)>,
    /// Parent categories that drive child numbers: `(parent column, child
    /// column, real η², synthetic η²)`.
    pub dependence: Vec<(String, String, f64, f64)>,
}

/// Figures for every declared foreign key of two databases with the same tables.
pub fn compare_related(
    real: &[GeneratedTable],
    synthetic: &[GeneratedTable],
    keys: &[DeclaredKey],
) -> Result<Vec<LinkFigures>> {
    keys.iter().map(|k| link(real, synthetic, k)).collect()
}

fn find<'a>(tables: &'a [GeneratedTable], name: &str, side: &str) -> Result<&'a GeneratedTable> {
    tables.iter().find(|t| t.0 == name).ok_or_else(|| Error::Fit {
        source: None,
        origin: format!("{side} data"),
        message: format!("has no table `{name}`"),
    })
}

fn col(t: &GeneratedTable, name: &str) -> Result<usize> {
    t.1.iter().position(|c| c == name).ok_or_else(|| Error::Fit {
        source: None,
        origin: format!("table `{}`", t.0),
        message: format!("has no column `{name}`"),
    })
}

/// A key of one or more columns as text; `None` when a part is NULL.
fn tuple(r: &[Value], columns: &[usize]) -> Option<String> {
    let parts: Option<Vec<String>> = columns.iter().map(|&c| key(&r[c])).collect();
    parts.map(|p| p.join("\u{1f}"))
}

fn key(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::Text(s) if s.trim().is_empty() => None,
        Value::Text(s) => Some(s.trim().to_owned()),
        Value::Float(x) if x.fract() == 0.0 => Some(format!("{}", *x as i64)),
        other => Some(other.to_string()),
    }
}

/// A value as a number: numbers, numeric text, dates as days, date-times as seconds.
fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(*i as f64),
        Value::Float(x) => Some(*x),
        Value::Text(s) => {
            let s = s.trim();
            s.parse::<f64>()
                .ok()
                .or_else(|| parse_date(s).map(|d| d as f64))
                .or_else(|| parse_datetime(s).map(|d| d as f64))
        }
        _ => None,
    }
}

fn is_date(t: &GeneratedTable, c: usize) -> bool {
    let mut seen = 0;
    for r in t.2.iter().take(200) {
        match &r[c] {
            Value::Null => {}
            Value::Text(s) if parse_date(s.trim()).is_some() || parse_datetime(s.trim()).is_some() => {
                seen += 1
            }
            _ => return false,
        }
    }
    seen > 0
}

fn link(real: &[GeneratedTable], synthetic: &[GeneratedTable], k: &DeclaredKey) -> Result<LinkFigures> {
    let sides = [("real", real), ("synthetic", synthetic)];
    let mut fan = Vec::new();
    let mut valid = 1.0;
    let mut joined: Vec<(&GeneratedTable, &GeneratedTable, Vec<Option<usize>>)> = Vec::new();
    for (side, tables) in sides {
        let (child, parent) = (find(tables, &k.child, side)?, find(tables, &k.parent, side)?);
        let fk: Vec<usize> = k.pairs().map(|(c, _)| col(child, c)).collect::<Result<_>>()?;
        let pk: Vec<usize> = k.pairs().map(|(_, p)| col(parent, p)).collect::<Result<_>>()?;
        let index: HashMap<String, usize> = parent
            .2
            .iter()
            .enumerate()
            .filter_map(|(i, r)| Some((tuple(r, &pk)?, i)))
            .collect();
        let mut counts = vec![0.0; parent.2.len()];
        let (mut ok, mut all) = (0u64, 0u64);
        let mut parent_of = Vec::with_capacity(child.2.len());
        for r in &child.2 {
            let p = tuple(r, &fk).map(|key| index.get(&key).copied());
            if let Some(p) = p {
                all += 1;
                if let Some(p) = p {
                    ok += 1;
                    counts[p] += 1.0;
                }
            }
            parent_of.push(p.flatten());
        }
        if side == "synthetic" {
            valid = if all == 0 { 1.0 } else { ok as f64 / all as f64 };
        }
        fan.push(counts);
        joined.push((child, parent, parent_of));
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    let (real_j, syn_j) = (&joined[0], &joined[1]);
    let mut after_parent = Vec::new();
    let mut dependence = Vec::new();
    let (child, parent) = (real_j.0, real_j.1);
    for (cc, cname) in child.1.iter().enumerate() {
        if k.pairs().any(|(c, _)| c == cname) {
            continue;
        }
        let child_date = is_date(child, cc);
        for (pc, pname) in parent.1.iter().enumerate() {
            let share = |j: &(&GeneratedTable, &GeneratedTable, Vec<Option<usize>>)| -> Option<f64> {
                let (c, p) = (col(j.0, cname).ok()?, col(j.1, pname).ok()?);
                let (mut yes, mut all) = (0u64, 0u64);
                for (r, parent) in j.0.2.iter().zip(&j.2) {
                    let Some(parent) = parent else { continue };
                    if let (Some(x), Some(y)) = (number(&r[c]), number(&j.1.2[*parent][p])) {
                        all += 1;
                        yes += u64::from(x >= y);
                    }
                }
                (all > 0).then(|| yes as f64 / all as f64)
            };
            if child_date && is_date(parent, pc) {
                if let (Some(r), Some(s)) = (share(real_j), share(syn_j))
                    && r >= AFTER_SHARE
                {
                    after_parent.push((cname.clone(), pname.clone(), r, s));
                }
                continue;
            }
            let eta = |j: &(&GeneratedTable, &GeneratedTable, Vec<Option<usize>>)| -> Option<f64> {
                let (c, p) = (col(j.0, cname).ok()?, col(j.1, pname).ok()?);
                let mut groups: HashMap<String, (f64, f64)> = HashMap::new();
                let mut xs = Vec::new();
                for (r, parent) in j.0.2.iter().zip(&j.2) {
                    let Some(parent) = parent else { continue };
                    let label = match &j.1.2[*parent][p] {
                        Value::Text(s) if number(&Value::Text(s.clone())).is_none() => s.trim().to_owned(),
                        _ => return None,
                    };
                    let Some(x) = number(&r[c]) else { continue };
                    let g = groups.entry(label).or_default();
                    g.0 += x;
                    g.1 += 1.0;
                    xs.push(x);
                }
                if groups.len() < 2 || groups.len() > 50 || xs.len() < 2 {
                    return None;
                }
                let m = mean(&xs);
                let total: f64 = xs.iter().map(|x| (x - m).powi(2)).sum();
                let between: f64 = groups.values().map(|(s, n)| n * (s / n - m).powi(2)).sum();
                (total > 0.0).then(|| between / total)
            };
            if !child_date
                && let (Some(r), Some(s)) = (eta(real_j), eta(syn_j))
                && r >= DEPENDENCE_MIN
            {
                dependence.push((pname.clone(), cname.clone(), r, s));
            }
        }
    }
    Ok(LinkFigures {
        key: k.clone(),
        keys_valid: valid,
        fan_out_ks: ks_two_sample(&fan[0], &fan[1]),
        fan_out_mean: (mean(&fan[0]), mean(&fan[1])),
        after_parent,
        dependence,
    })
}

/// `orders.customer_id → customers.id: keys valid 100.0%, fan-out KS 0.031 …`.
impl fmt::Display for LinkFigures {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let k = &self.key;
        writeln!(
            f,
            "{}.{} → {}.{}: keys valid {:.1}%, children per parent KS {:.3} (mean real {:.2}, synthetic {:.2})",
            k.child,
            k.columns_text(),
            k.parent,
            k.parent_columns_text(),
            self.keys_valid * 100.0,
            self.fan_out_ks,
            self.fan_out_mean.0,
            self.fan_out_mean.1
        )?;
        for (c, p, r, s) in &self.after_parent {
            writeln!(
                f,
                "  {c} ≥ {}.{p}: real {:.1}%, synthetic {:.1}%",
                k.parent,
                r * 100.0,
                s * 100.0
            )?;
        }
        for (p, c, r, s) in &self.dependence {
            writeln!(
                f,
                "  {}.{p} drives {c}: η² real {r:.3}, synthetic {s:.3}",
                k.parent
            )?;
        }
        Ok(())
    }
}
