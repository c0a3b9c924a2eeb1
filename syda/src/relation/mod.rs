//! Relations: how the columns of one row, and the rows of related tables,
//! agree with each other. One mechanism for every engine.
//!
//! A [`Rule`] is plain data (serde-serializable): `updated_at` is not before
//! `created_at`, `email` belongs to the row's first and last name,
//! `line_total = quantity * unit_price`, the row's city, postal code and
//! country describe one place, a payment is not before its rental,
//! `invoices.total = sum(invoice_lines.line_total)`.
//!
//! - **Inferred** from names, types and keys by [`infer`] (row-level rules
//!   of one table) and [`infer_schema`] (also the table-level ones).
//! - **Declared** in schema files (`after: created_at`, `expr: quantity *
//!   unit_price`, `expr: sum(invoice_lines.line_total)`, `infer: false`) and
//!   kept in [`Schema::relations`](crate::Schema::relations). A declared rule
//!   beats an inferred one on the same column, and [`Rule::NotInferred`]
//!   switches inference off for a column (`*`: the whole table).
//! - **Applied** to rows from any engine: the offline engine derives the
//!   columns itself while it generates ([`Mode::Derive`]); the planner
//!   applies the same rules to rows from the LLM and statistical engines
//!   ([`Mode::Repair`]: a value is changed only where the rule does not hold,
//!   so a model's answer that agrees is kept). [`apply`] does it for one row.
//! - **Checked** by [`crate::realism::score`], which reports the share of
//!   rows each rule holds in, on any data set.
//!
//! Table-level rules ([`Rule::AfterParent`], [`Rule::Consistent`],
//! [`Rule::Aggregate`]) need other tables' rows and are applied by the
//! planner ([`crate::plan::Planner`]).
//!
//! Everything is deterministic: a derived value draws from its own random
//! stream, seeded from (seed, table, row, column), so it does not depend on
//! batch sizes or threads.
//!
//! ```
//! use syda::relation::{self, Rule};
//! use syda::{Column, DataType, Table, Value};
//!
//! let table = Table::new("people")
//!     .with_column(Column::new("first_name", DataType::Text))
//!     .with_column(Column::new("last_name", DataType::Text))
//!     .with_column(Column::new("email", DataType::Text))
//!     .with_column(Column::new("created_at", DataType::DateTime))
//!     .with_column(Column::new("updated_at", DataType::DateTime));
//! let rules = relation::infer(&table);
//! assert!(rules.iter().any(|r| matches!(r, Rule::After { column, after, .. }
//!     if column == "updated_at" && after == "created_at")));
//! let mut row = vec![
//!     Value::from("José"),
//!     Value::from("Núñez"),
//!     Value::from("someone@example.com"),
//!     Value::from("2024-05-01T10:00:00Z"),
//!     Value::from("2020-01-01T00:00:00Z"),
//! ];
//! relation::apply(&table, &rules, &mut row, 7)?;
//! assert!(row[2].as_str().unwrap().contains("nunez"));
//! assert!(row[4].as_str().unwrap() >= row[3].as_str().unwrap());
//! # Ok::<(), syda::Error>(())
//! ```

mod apply;
mod expr;
mod infer;
pub(crate) mod names;
pub(crate) mod places;

use serde::{Deserialize, Serialize};

pub use apply::{Mode, RowRules};
pub(crate) use apply::{gap_span, number as number_of};
pub use expr::Expr;
pub(crate) use infer::{after_parent_rules, diamonds};
pub use infer::{infer, infer_schema};

use crate::error::Result;
use crate::schema::Table;
use crate::value::Row;

/// One relation between columns of a row, or between rows of related tables.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Rule {
    /// `column` (a date or date-time) is not before `after` plus `min_days`;
    /// when it must be made so, it becomes `after` plus `min_days` to
    /// `max_days` days.
    After {
        /// The later column.
        column: String,
        /// The earlier column.
        after: String,
        /// Smallest gap, in days (18 years between a birth and a hire date).
        #[serde(default)]
        min_days: u32,
        /// Largest gap when the value is derived, in days.
        max_days: u32,
    },
    /// `column` is built from other columns of the row: an e-mail address or
    /// user name from the person's names, a website or domain from the
    /// company, a slug from a title.
    Identity {
        /// The derived column.
        column: String,
        /// What it holds.
        form: IdentityForm,
        /// The columns it comes from: first and last name, a full name, a
        /// company or a title.
        from: Vec<String>,
        /// For e-mail addresses: the company whose domain they use.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        domain_from: Option<String>,
    },
    /// These columns describe one place: city, region, postal code,
    /// country, country code, phone and address agree (one locale per row).
    Place {
        /// The columns and what each holds.
        columns: Vec<PlaceColumn>,
    },
    /// `column` is the value of an arithmetic expression over the row's
    /// numeric columns: `line_total = quantity * unit_price`.
    Derived {
        /// The derived column.
        column: String,
        /// The expression.
        expr: Expr,
    },
    /// `column` is the time from `start` to `end`, in `unit`.
    Duration {
        /// The duration column.
        column: String,
        /// The earlier date.
        start: String,
        /// The later date.
        end: String,
        /// Unit of the duration.
        unit: TimeUnit,
    },
    /// A child's date is not before its parent's: a payment is not before
    /// its rental. Applied by the planner.
    AfterParent {
        /// The child's date column.
        column: String,
        /// The child's foreign-key columns to the parent.
        foreign_key: Vec<String>,
        /// The parent table.
        parent: String,
        /// The parent's date column.
        parent_column: String,
        /// Largest gap, in days, when the child's date must be moved.
        max_days: u32,
    },
    /// The foreign key holding `column` agrees with the one holding `via`
    /// through a shared parent (an FK diamond: a payment's customer is the
    /// customer of its rental). Applied by the planner, as
    /// [`Planner::consistent`](crate::plan::Planner::consistent).
    Consistent {
        /// The key that follows.
        column: String,
        /// The key it agrees with.
        via: String,
    },
    /// A parent's `column` summarises its children: `invoices.total =
    /// sum(invoice_lines.line_total)`, `orders.item_count = count(order_items)`.
    /// Filled by the planner after the children.
    Aggregate {
        /// The parent column.
        column: String,
        /// The child table.
        child: String,
        /// The summary.
        func: AggregateFn,
        /// The child column summarised (`None` for `count`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        child_column: Option<String>,
    },
    /// No inferred rule for `column` (`*`: none in the table).
    NotInferred {
        /// The column, or `*`.
        column: String,
    },
}

/// What an [`Rule::Identity`] column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentityForm {
    /// `first.last@domain`.
    Email,
    /// `first.last`, `flast42`.
    Username,
    /// `https://www.company.com`.
    Url,
    /// `company.com`.
    Domain,
    /// `the-title-in-lower-case`.
    Slug,
}

/// A column of a [`Rule::Place`] and the part of the place it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaceColumn {
    /// The column.
    pub column: String,
    /// What it holds.
    pub part: PlacePart,
}

/// Parts of a place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlacePart {
    /// City name.
    City,
    /// State, province or region.
    Region,
    /// Postal code in the country's format.
    Postcode,
    /// Country name.
    Country,
    /// ISO 3166-1 alpha-2 code.
    CountryCode,
    /// Phone number with the country's prefix.
    Phone,
    /// Street, number, city, postal code and region in one line.
    Address,
    /// Street and number.
    Street,
}

/// Unit of a [`Rule::Duration`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeUnit {
    /// Whole days.
    Days,
    /// Whole hours.
    Hours,
    /// Whole minutes.
    Minutes,
}

/// The summary of a [`Rule::Aggregate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AggregateFn {
    /// Sum of the children's values.
    Sum,
    /// Number of children.
    Count,
    /// Smallest child value.
    Min,
    /// Largest child value.
    Max,
}

/// A declared rule and the table it belongs to: what schema files add to
/// [`Schema::relations`](crate::Schema::relations).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Declared {
    /// The table (for [`Rule::Aggregate`], the parent).
    pub table: String,
    /// The rule.
    pub rule: Rule,
}

impl Rule {
    /// The column the rule fills or changes (the first one, for a place).
    pub fn target(&self) -> &str {
        match self {
            Rule::After { column, .. }
            | Rule::Identity { column, .. }
            | Rule::Derived { column, .. }
            | Rule::Duration { column, .. }
            | Rule::AfterParent { column, .. }
            | Rule::Consistent { column, .. }
            | Rule::Aggregate { column, .. }
            | Rule::NotInferred { column } => column,
            Rule::Place { columns } => columns.first().map_or("", |c| c.column.as_str()),
        }
    }

    /// Every column the rule fills or changes.
    pub fn targets(&self) -> Vec<&str> {
        match self {
            Rule::Place { columns } => columns.iter().map(|c| c.column.as_str()).collect(),
            Rule::NotInferred { .. } => Vec::new(),
            other => vec![other.target()],
        }
    }

    /// The columns of the same row the rule reads.
    pub fn sources(&self) -> Vec<&str> {
        match self {
            Rule::After { after, .. } => vec![after],
            Rule::Identity {
                from, domain_from, ..
            } => from
                .iter()
                .map(String::as_str)
                .chain(domain_from.as_deref())
                .collect(),
            Rule::Derived { expr, .. } => expr.columns(),
            Rule::Duration { start, end, .. } => vec![start, end],
            Rule::AfterParent { foreign_key, .. } => foreign_key.iter().map(String::as_str).collect(),
            Rule::Consistent { via, .. } => vec![via],
            Rule::Place { .. } | Rule::Aggregate { .. } | Rule::NotInferred { .. } => Vec::new(),
        }
    }

    /// Whether the rule relates columns of one row (applied wherever rows
    /// are made) rather than rows of several tables (applied by the planner).
    pub fn is_row_level(&self) -> bool {
        matches!(
            self,
            Rule::After { .. }
                | Rule::Identity { .. }
                | Rule::Place { .. }
                | Rule::Derived { .. }
                | Rule::Duration { .. }
        )
    }

    /// A short human form, as `syda validate` lists it.
    pub fn describe(&self) -> String {
        match self {
            Rule::After {
                column,
                after,
                min_days,
                ..
            } if *min_days > 0 => format!("{column} ≥ {after} + {} years", min_days / 365),
            Rule::After { column, after, .. } => format!("{column} ≥ {after}"),
            Rule::Identity {
                column,
                form,
                from,
                domain_from,
            } => {
                let form = match form {
                    IdentityForm::Email => "e-mail",
                    IdentityForm::Username => "user name",
                    IdentityForm::Url => "website",
                    IdentityForm::Domain => "domain",
                    IdentityForm::Slug => "slug",
                };
                let at = domain_from
                    .as_ref()
                    .map(|d| format!(" at {d}'s domain"))
                    .unwrap_or_default();
                format!("{column} = {form} from {}{at}", from.join(" + "))
            }
            Rule::Place { columns } => format!(
                "one place: {}",
                columns
                    .iter()
                    .map(|c| c.column.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Rule::Derived { column, expr } => format!("{column} = {expr}"),
            Rule::Duration {
                column,
                start,
                end,
                unit,
            } => format!("{column} = {end} − {start} in {unit:?}").to_lowercase(),
            Rule::AfterParent {
                column,
                parent,
                parent_column,
                ..
            } => format!("{column} ≥ {parent}.{parent_column}"),
            Rule::Consistent { column, via } => {
                format!("{column} agrees with {via} (same shared parent)")
            }
            Rule::Aggregate {
                column,
                child,
                func,
                child_column,
            } => format!(
                "{column} = {}({child}{})",
                format!("{func:?}").to_lowercase(),
                child_column.as_ref().map(|c| format!(".{c}")).unwrap_or_default()
            ),
            Rule::NotInferred { column } => format!("no inferred relation for {column}"),
        }
    }
}

/// The row-level rules `table` gets: `declared` ones (for this table) first,
/// then, when `infer_rules` is on, the inferred ones whose columns no
/// declared rule or [`Rule::NotInferred`] claims.
pub fn rules_for(table: &Table, declared: &[Declared], infer_rules: bool) -> Vec<Rule> {
    let mine: Vec<&Rule> = declared
        .iter()
        .filter(|d| d.table == table.name)
        .map(|d| &d.rule)
        .collect();
    let mut out: Vec<Rule> = mine
        .iter()
        .filter(|r| r.is_row_level())
        .map(|r| (*r).clone())
        .collect();
    let off_all = mine
        .iter()
        .any(|r| matches!(r, Rule::NotInferred { column } if column == "*"));
    if infer_rules && !off_all {
        let claimed: Vec<&str> = mine.iter().flat_map(|r| r.targets()).collect();
        let off: Vec<&str> = mine
            .iter()
            .filter_map(|r| match r {
                Rule::NotInferred { column } => Some(column.as_str()),
                _ => None,
            })
            .collect();
        for rule in infer(table) {
            let mut rule = rule;
            if let Rule::Place { columns } = &mut rule {
                columns
                    .retain(|c| !claimed.contains(&c.column.as_str()) && !off.contains(&c.column.as_str()));
                if columns.is_empty() {
                    continue;
                }
            } else if rule
                .targets()
                .iter()
                .any(|t| claimed.contains(t) || off.contains(t))
            {
                continue;
            }
            out.push(rule);
        }
    }
    out
}

/// Applies `rules` (row-level ones; others are skipped) to one `row` of
/// `table` in [`Mode::Repair`]: every value that breaks a rule is derived
/// again from the row; values that hold are kept. `seed` fixes the random
/// choices (one stream per row: pass a different seed per row).
///
/// Rules that name unknown columns, or form a cycle, are an error naming
/// the table and column. Uniqueness across rows is not tracked here; use
/// [`RowRules`] for a stream of rows.
pub fn apply(table: &Table, rules: &[Rule], row: &mut Row, seed: u64) -> Result<()> {
    let mut compiled = RowRules::new(table, rules)?;
    compiled.apply(row, seed, 0, Mode::Repair)
}

/// What is wrong with `schema`'s declared relations, each naming table and
/// column: unknown columns or tables, cycles, an `after` whose range ends
/// before the other column's begins, an aggregate over a table that does
/// not reference the parent.
pub(crate) fn problems(schema: &crate::Schema) -> Vec<crate::error::Problem> {
    use crate::error::{Error, Problem};
    let mut out = Vec::new();
    for d in &schema.relations {
        let Some(table) = schema.table(&d.table) else {
            out.push(Problem::table(
                &d.table,
                format!(
                    "the relation `{}` is for a table the schema does not have",
                    d.rule.describe()
                ),
            ));
            continue;
        };
        let at = |msg: String| Problem::column(&table.name, d.rule.target(), msg);
        match &d.rule {
            Rule::NotInferred { column } if column != "*" && table.column(column).is_none() => {
                out.push(at(
                    "`infer: false` for a column the table does not have".to_owned()
                ));
            }
            Rule::After { column, after, .. } => {
                if let (Some(c), Some(a)) = (table.column(column), table.column(after)) {
                    let time = |c: &crate::Column| {
                        c.range.as_ref().and_then(|r| match (&r.min, &r.max) {
                            (crate::Literal::Text(lo), crate::Literal::Text(hi)) => Some((
                                crate::engine::offline_support::parse_datetime(lo)?,
                                crate::engine::offline_support::parse_datetime(hi)?,
                            )),
                            _ => None,
                        })
                    };
                    if !matches!(c.ty, crate::DataType::Date | crate::DataType::DateTime)
                        || !matches!(a.ty, crate::DataType::Date | crate::DataType::DateTime)
                    {
                        out.push(at(format!("`after: {after}` needs two date or datetime columns")));
                    } else if let (Some((_, hi)), Some((lo, _))) = (time(c), time(a))
                        && hi < lo
                    {
                        out.push(at(format!(
                            "`after: {after}` cannot hold: {column}'s range ends before {after}'s begins"
                        )));
                    }
                }
            }
            Rule::Aggregate {
                child, child_column, ..
            } => match schema.table(child) {
                None => out.push(at(format!(
                    "`expr` summarises `{child}`, a table the schema does not have"
                ))),
                Some(c) => {
                    if !c.all_foreign_keys().iter().any(|fk| fk.table == table.name) {
                        out.push(at(format!(
                            "`{child}` has no foreign key to {}, so it has no rows per {} row",
                            table.name, table.name
                        )));
                    }
                    if let Some(cc) = child_column
                        && c.column(cc).is_none()
                    {
                        out.push(at(format!(
                            "`expr` reads `{child}.{cc}`, a column {child} does not have"
                        )));
                    }
                }
            },
            _ => {}
        }
    }
    for table in &schema.tables {
        let declared: Vec<Rule> = schema
            .relations
            .iter()
            .filter(|d| d.table == table.name && d.rule.is_row_level())
            .map(|d| d.rule.clone())
            .collect();
        if let Err(Error::InvalidSchema { problems, .. }) = RowRules::new(table, &declared) {
            out.extend(problems);
        }
    }
    out
}
