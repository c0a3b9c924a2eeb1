//! The fitted model: per-column marginals and the copula's correlation
//! matrix. Aggregates only — no row of the source is kept.

use std::borrow::Cow;
use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::marginal::Distribution;
use super::pattern::Pattern;
use super::relations::{Relation, StatsRule};
use super::sample::Sampler;
use crate::error::{Error, Result};
use crate::relation::{Expr, Rule};
use crate::schema::{Column, DataType, Literal, Range, Table};

/// The model file format this version writes and reads.
pub const MODEL_FORMAT: u32 = 1;

/// What a column holds, as inferred from the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnKind {
    /// Whole numbers.
    Integer,
    /// Numbers with a fraction.
    Float,
    /// `true` / `false`.
    Boolean,
    /// Calendar dates, modelled as days since 1970-01-01.
    Date,
    /// Date-times, modelled as seconds since the epoch.
    DateTime,
    /// Text from a small set of repeated values.
    Categorical,
    /// Text of one shape (`AB-1234`): new values drawn from the template.
    Identifier,
    /// UUIDs: new random ones.
    Uuid,
    /// Free text: sentences of the offline engine's vocabulary, of a similar length.
    Text,
}

impl ColumnKind {
    /// The kind's name.
    pub fn name(self) -> &'static str {
        match self {
            ColumnKind::Integer => "integer",
            ColumnKind::Float => "float",
            ColumnKind::Boolean => "boolean",
            ColumnKind::Date => "date",
            ColumnKind::DateTime => "datetime",
            ColumnKind::Categorical => "categorical",
            ColumnKind::Identifier => "identifier",
            ColumnKind::Uuid => "uuid",
            ColumnKind::Text => "text",
        }
    }

    /// The storage type of the kind.
    pub fn data_type(self) -> DataType {
        match self {
            ColumnKind::Integer => DataType::Integer,
            ColumnKind::Float => DataType::Float,
            ColumnKind::Boolean => DataType::Boolean,
            ColumnKind::Date => DataType::Date,
            ColumnKind::DateTime => DataType::DateTime,
            ColumnKind::Uuid => DataType::Uuid,
            ColumnKind::Categorical | ColumnKind::Identifier | ColumnKind::Text => DataType::Text,
        }
    }

    /// Whether the column's values are ordered numbers (dates included).
    pub fn is_numeric(self) -> bool {
        matches!(
            self,
            ColumnKind::Integer | ColumnKind::Float | ColumnKind::Date | ColumnKind::DateTime
        )
    }
}

/// How one column's values are distributed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "model", rename_all = "snake_case")]
pub enum Marginal {
    /// Consecutive whole numbers from `start`: a surrogate key.
    Sequence {
        /// First value.
        start: i64,
    },
    /// Numbers (dates as days, date-times as seconds).
    Numeric {
        /// The distribution.
        distribution: Distribution,
        /// Smallest value seen; samples are clamped to it.
        min: f64,
        /// Largest value seen; samples are clamped to it.
        max: f64,
        /// Digits after the decimal point of the data (floats).
        decimals: u32,
    },
    /// Categories and their probabilities, most frequent first. Categories
    /// seen fewer than [`super::FitOptions::min_category_count`] times are
    /// not kept (nor generated).
    Categories {
        /// The values.
        values: Vec<String>,
        /// Their probabilities (summing to 1).
        weights: Vec<f64>,
        /// Share of non-null values in categories too rare to keep.
        rare: f64,
    },
    /// New text matching a template.
    Pattern {
        /// The template.
        pattern: Pattern,
    },
    /// Random version 4 UUIDs.
    Uuid,
    /// Free text from the offline engine's English sentences (never the
    /// data's words), as many words as the data's values have, cut at `max_chars`.
    Words {
        /// Fewest words in a value.
        min: u32,
        /// Most words in a value.
        max: u32,
        /// Mean words per value.
        mean: f64,
        /// Longest value, in characters.
        max_chars: u32,
    },
    /// Personal or identifying text (e-mail addresses, names, phone
    /// numbers, addresses, URLs) recognised at fit time: new values come
    /// from the offline engine's kind, coherent with the row (an e-mail
    /// from the row's names), never from the real values or their shapes.
    Kind {
        /// The kind (`email`, `first_name`, `phone`, …; see [`crate::schema::KINDS`]).
        kind: String,
    },
    /// Every value was NULL.
    Empty,
}

/// The model of one column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnModel {
    /// Column name.
    pub name: String,
    /// What it holds.
    pub kind: ColumnKind,
    /// Share of NULLs.
    pub null_rate: f64,
    /// Every non-null value was distinct and the column looks like a key;
    /// samples are kept distinct too.
    pub unique: bool,
    /// The values' distribution.
    pub marginal: Marginal,
    /// Kolmogorov–Smirnov distance of a parametric fit to the data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ks_distance: Option<f64>,
    /// `T` between date and time (else a space) and a trailing `Z`, for date-times.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datetime_style: Option<(bool, bool)>,
}

/// Dependence between columns: the correlation of their normal scores.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Copula {
    /// The columns in the copula, by name.
    pub columns: Vec<String>,
    /// Their correlation matrix, in `columns` order.
    pub correlation: Vec<Vec<f64>>,
}

/// A model of one table fitted to real data: serialisable, sampled with
/// [`FittedModel::sample`], usable as a schema table ([`FittedModel::to_table`])
/// and by the planner through [`super::StatsEngine`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedModel {
    /// Model file format, [`MODEL_FORMAT`].
    pub format: u32,
    /// Table name.
    pub table: String,
    /// Rows the model was fitted on.
    pub rows: u64,
    /// One model per column, in source order.
    pub columns: Vec<ColumnModel>,
    /// The Gaussian copula over numeric, boolean and categorical columns.
    pub copula: Copula,
    /// Relations between columns the data obeys, kept when sampling, in
    /// the order they are applied.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<Relation>,
    /// Sub-models per category of the column the numbers depend on most:
    /// rows are drawn from one of them, chosen by its share of the rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strata: Option<Strata>,
    /// The locale of the personal text (names, e-mail addresses, phone
    /// numbers), guessed from the data (one of [`super::LOCALES`]); `None`
    /// is the offline engine's English.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
}

/// A model split by the categories of one column: category-dependent
/// numbers and multi-modal mixtures keep their shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Strata {
    /// The splitting column.
    pub column: String,
    /// Each stratum's category; `None` for the rest (rarer categories and NULLs).
    pub values: Vec<Option<String>>,
    /// Each stratum's share of the rows.
    pub weights: Vec<f64>,
    /// Each stratum's model (same columns, fitted to its rows only).
    pub models: Vec<FittedModel>,
}

impl FittedModel {
    /// `n` new rows, the same for the same seed: an iterator of `Result<Row>`
    /// (a unique column whose template runs out of values ends it with an error).
    pub fn sample(&self, n: u64, seed: u64) -> Sampler<'_> {
        Sampler::new(self, n, seed)
    }

    /// The column with this name.
    pub fn column(&self, name: &str) -> Option<&ColumnModel> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The correlation the copula holds between two columns' normal scores.
    pub fn correlation(&self, a: &str, b: &str) -> Option<f64> {
        let i = self.copula.columns.iter().position(|c| c == a)?;
        let j = self.copula.columns.iter().position(|c| c == b)?;
        Some(self.copula.correlation[i][j])
    }

    /// The table the model describes: types, nullability, unique keys,
    /// ranges, the kept categories as `one_of`, identifier templates as `pattern`.
    pub fn to_table(&self) -> Table {
        let mut table =
            Table::new(self.table.clone()).with_doc(format!("Fitted to {} rows of real data.", self.rows));
        let mut has_key = false;
        for c in &self.columns {
            let mut col = Column::new(c.name.clone(), c.kind.data_type());
            col.nullable = c.null_rate > 0.0;
            if c.unique && c.null_rate == 0.0 && !has_key {
                col.primary_key = true;
                has_key = true;
            } else if c.unique {
                col.unique = true;
            }
            match &c.marginal {
                Marginal::Numeric { min, max, .. } => {
                    col.range = range(c.kind, *min, *max);
                }
                Marginal::Categories { values, .. } if c.kind == ColumnKind::Categorical => {
                    col.one_of = Some(Cow::Owned(
                        values.iter().map(|v| Literal::Text(v.clone().into())).collect(),
                    ));
                }
                Marginal::Pattern { pattern } => col.pattern = Some(pattern.regex().into()),
                Marginal::Words { max_chars, .. } => col.max_length = Some(*max_chars),
                Marginal::Kind { kind } => col.kind = Some(kind.clone().into()),
                _ => {}
            }
            table = table.with_column(col);
        }
        table
    }

    /// The model's relations that [`crate::relation`] expresses, as its
    /// rules: sums and products as [`Rule::Derived`], inequalities between
    /// dates or date-times as [`Rule::After`] (at least the smallest real
    /// gap, at most the largest). The planner and [`FittedModel::sample`]
    /// apply them in [`Mode::Repair`](crate::relation::Mode::Repair) through
    /// the same path as every engine's rows; numeric inequalities and
    /// category combinations have no such rule and are kept by the sampler
    /// alone.
    pub fn relation_rules(&self) -> Vec<Rule> {
        let col = |name: &str| Box::new(Expr::Column(name.to_owned()));
        self.rules
            .iter()
            .filter_map(|r| match &r.rule {
                StatsRule::Sum { column, left, right } => Some(Rule::Derived {
                    column: column.clone(),
                    expr: Expr::Add(col(left), col(right)),
                }),
                StatsRule::Product { column, left, right } => Some(Rule::Derived {
                    column: column.clone(),
                    expr: Expr::Mul(col(left), col(right)),
                }),
                StatsRule::AtLeast {
                    column,
                    lower,
                    min_gap,
                    gap,
                } => {
                    let kind = self.column(column)?.kind;
                    let per_day = match kind {
                        ColumnKind::Date => 1.0,
                        ColumnKind::DateTime => 86_400.0,
                        _ => return None,
                    };
                    let max = gap.as_ref().map_or(*min_gap, |g| g.max);
                    Some(Rule::After {
                        column: column.clone(),
                        after: lower.clone(),
                        min_days: (min_gap / per_day).ceil() as u32,
                        max_days: ((max / per_day).floor() as u32).max((min_gap / per_day).ceil() as u32),
                    })
                }
                StatsRule::Combination { .. } => None,
            })
            .collect()
    }

    /// The model as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// A model from its JSON; `origin` names it in errors.
    pub fn from_json(json: &str, origin: &str) -> Result<FittedModel> {
        let model: FittedModel = serde_json::from_str(json).map_err(|e| Error::Parse {
            origin: origin.to_owned(),
            message: format!("not a fitted model (made by `syda fit`): {e}"),
            source: Some(e.into()),
        })?;
        if model.format != MODEL_FORMAT {
            return Err(Error::Parse {
                source: None,
                origin: origin.to_owned(),
                message: format!(
                    "model format {} is not the one this syda reads ({MODEL_FORMAT}); fit the data again",
                    model.format
                ),
            });
        }
        let k = model.copula.columns.len();
        if model.copula.correlation.len() != k || model.copula.correlation.iter().any(|r| r.len() != k) {
            return Err(Error::Parse {
                source: None,
                origin: origin.to_owned(),
                message: format!("the copula's correlation matrix is not {k}×{k}"),
            });
        }
        if let Some(missing) = model.copula.columns.iter().find(|c| model.column(c).is_none()) {
            return Err(Error::Parse {
                source: None,
                origin: origin.to_owned(),
                message: format!("the copula names column `{missing}`, which the model does not have"),
            });
        }
        Ok(model)
    }

    /// Writes the model as JSON.
    pub fn save(&self, path: &Path) -> Result<()> {
        std::fs::write(path, self.to_json()).map_err(|source| Error::Io {
            path: path.to_owned(),
            source,
        })
    }

    /// Reads a model written by [`FittedModel::save`].
    pub fn load(path: &Path) -> Result<FittedModel> {
        let json = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_owned(),
            source,
        })?;
        FittedModel::from_json(&json, &path.display().to_string())
    }
}

fn range(kind: ColumnKind, min: f64, max: f64) -> Option<Range> {
    let lit = |x: f64| -> Option<Literal> {
        Some(match kind {
            ColumnKind::Integer => Literal::Int(x.round() as i64),
            ColumnKind::Float => Literal::Float(x),
            ColumnKind::Date => Literal::Text(super::sample::format_date(x.round() as i64)?.into()),
            ColumnKind::DateTime => {
                Literal::Text(super::sample::format_datetime(x.round() as i64, (true, true))?.into())
            }
            _ => return None,
        })
    };
    Some(Range {
        min: lit(min)?,
        max: lit(max)?,
    })
}

/// One line per column: kind, nulls, distribution.
impl fmt::Display for FittedModel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{}: {} rows, {} columns",
            self.table,
            self.rows,
            self.columns.len()
        )?;
        let width = self.columns.iter().map(|c| c.name.len()).max().unwrap_or(0);
        for c in &self.columns {
            let what = match &c.marginal {
                Marginal::Sequence { start } => format!("sequence from {start}"),
                Marginal::Numeric {
                    distribution,
                    min,
                    max,
                    ..
                } => {
                    let show = |x: f64| match range(c.kind, x, x) {
                        Some(r) if c.kind != ColumnKind::Float => r.min.to_string(),
                        _ => x.to_string(),
                    };
                    format!("{} in [{}, {}]", distribution.family(), show(*min), show(*max))
                }
                Marginal::Categories { values, rare, .. } => format!(
                    "{} categories{}",
                    values.len(),
                    if *rare > 0.0 {
                        format!(" ({:.1}% rare, not kept)", rare * 100.0)
                    } else {
                        String::new()
                    }
                ),
                Marginal::Pattern { pattern } => format!("pattern {}", pattern.regex()),
                Marginal::Uuid => "random UUIDs".to_owned(),
                Marginal::Words { min, max, .. } => format!("{min}–{max} words"),
                Marginal::Kind { kind } => format!("{kind} (offline engine)"),
                Marginal::Empty => "always NULL".to_owned(),
            };
            writeln!(
                f,
                "  {:width$}  {:11}  {:5.1}% null{}  {what}",
                c.name,
                c.kind.name(),
                c.null_rate * 100.0,
                if c.unique { ", unique" } else { "" },
            )?;
        }
        if self.copula.columns.len() > 1 {
            writeln!(f, "  copula over {} columns", self.copula.columns.len())?;
        }
        for r in &self.rules {
            writeln!(f, "  rule: {} (held in {:.2}% of rows)", r.rule, r.held * 100.0)?;
        }
        if let Some(s) = &self.strata {
            writeln!(
                f,
                "  split by {} into {} sub-models ({})",
                s.column,
                s.models.len(),
                s.values
                    .iter()
                    .map(|v| v.as_deref().unwrap_or("the rest"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )?;
        }
        if let Some(locale) = &self.locale {
            writeln!(
                f,
                "  locale of the personal text: {locale} (guessed from the data)"
            )?;
        }
        Ok(())
    }
}
