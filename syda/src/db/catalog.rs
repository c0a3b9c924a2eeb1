//! What the catalogs say, before it becomes a [`Schema`]: one model for
//! every backend, plus the mapping into syda's tables.

use std::borrow::Cow;

use super::check::{self, ColumnCheck, Lit};
use super::{Backend, IntrospectOptions, ident};
use crate::error::{Error, Problem, Result};
use crate::schema::{Column, DataType, ForeignKey, Literal, Range, Reference, Schema, Table};

/// A column's SQL type, normalised across backends.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum SqlType {
    /// MySQL TINYINT (not `tinyint(1)`, which is a boolean).
    TinyInt {
        unsigned: bool,
    },
    SmallInt {
        unsigned: bool,
    },
    /// 32-bit integers (and MySQL MEDIUMINT).
    Int {
        unsigned: bool,
    },
    BigInt,
    Bool,
    Float,
    Decimal {
        precision: Option<u32>,
        scale: Option<u32>,
    },
    Text {
        max: Option<u32>,
    },
    Date,
    Time,
    Timestamp,
    Uuid,
    Json,
    Enum(Vec<String>),
    /// MySQL YEAR: 1901–2155.
    Year,
    Array(Box<SqlType>),
    Bytes,
    Other(String),
}

impl SqlType {
    pub(crate) fn is_integer(&self) -> bool {
        matches!(
            self,
            SqlType::TinyInt { .. } | SqlType::SmallInt { .. } | SqlType::Int { .. } | SqlType::BigInt
        )
    }

    /// Largest value of an integer type.
    pub(crate) fn integer_max(&self) -> Option<i64> {
        Some(match self {
            SqlType::TinyInt { unsigned: false } => 127,
            SqlType::TinyInt { unsigned: true } => 255,
            SqlType::SmallInt { unsigned: false } => 32_767,
            SqlType::SmallInt { unsigned: true } => 65_535,
            SqlType::Int { unsigned: false } => 2_147_483_647,
            SqlType::Int { unsigned: true } => 4_294_967_295,
            SqlType::BigInt => i64::MAX,
            _ => return None,
        })
    }

    fn data_type(&self) -> DataType {
        match self {
            t if t.is_integer() => DataType::Integer,
            SqlType::Year => DataType::Integer,
            SqlType::Bool => DataType::Boolean,
            SqlType::Float => DataType::Float,
            SqlType::Decimal { .. } => DataType::Decimal,
            SqlType::Date => DataType::Date,
            SqlType::Time => DataType::Time,
            SqlType::Timestamp => DataType::DateTime,
            SqlType::Uuid => DataType::Uuid,
            // Arrays travel as JSON arrays.
            SqlType::Json | SqlType::Array(_) => DataType::Json,
            _ => DataType::Text,
        }
    }
}

/// One column as the catalog describes it.
#[derive(Debug, Clone)]
pub(crate) struct DbColumn {
    pub(crate) name: String,
    pub(crate) ty: SqlType,
    /// The type as the database spells it (`character varying(20)`,
    /// `"public"."mood"`): PostgreSQL casts bound text to it.
    pub(crate) sql: String,
    pub(crate) nullable: bool,
    pub(crate) has_default: bool,
    /// Identity, serial, AUTO_INCREMENT or SQLite rowid alias.
    pub(crate) auto: bool,
    pub(crate) comment: Option<String>,
    /// The sequence a `DEFAULT nextval('…')` draws from, as written there
    /// (PostgreSQL; found also when the sequence is not OWNED BY the column).
    pub(crate) sequence: Option<String>,
    /// Why the database fills this column itself (a generated column, a
    /// BEFORE trigger): left out of the schema and of every load.
    pub(crate) filled_by_db: Option<String>,
    /// Exact byte length a CHECK demands (`octet_length(c) = 32`).
    pub(crate) byte_length: Option<u32>,
}

/// A foreign key as the catalog describes it.
#[derive(Debug, Clone)]
pub(crate) struct DbForeignKey {
    pub(crate) columns: Vec<String>,
    /// Schema of the parent (empty where the backend has none).
    pub(crate) schema: String,
    pub(crate) table: String,
    pub(crate) references: Vec<String>,
    /// PostgreSQL `DEFERRABLE` (the others relax their checks differently).
    pub(crate) deferrable: bool,
}

/// One table as the catalog describes it.
#[derive(Debug, Clone)]
pub(crate) struct DbTable {
    pub(crate) schema: String,
    pub(crate) name: String,
    pub(crate) comment: Option<String>,
    pub(crate) columns: Vec<DbColumn>,
    pub(crate) primary_key: Vec<String>,
    pub(crate) unique: Vec<Vec<String>>,
    pub(crate) foreign_keys: Vec<DbForeignKey>,
    /// CHECK clauses as the backend renders them (domain CHECKs and
    /// partition bounds are added in the same form).
    pub(crate) checks: Vec<String>,
    /// Regular expressions a column must match (`col ~ '…'` CHECKs).
    pub(crate) patterns: Vec<(String, String)>,
    /// The trigger that fills this table when another is inserted into:
    /// such a table is not seeded.
    pub(crate) filled_by_trigger: Option<String>,
    /// Tables that triggers on this table insert into.
    pub(crate) trigger_targets: Vec<String>,
}

impl DbTable {
    pub(crate) fn column(&self, name: &str) -> Option<&DbColumn> {
        self.columns.iter().find(|c| c.name == name)
    }

    pub(crate) fn qualified(&self, backend: Backend) -> String {
        ident::qualified(backend, &self.schema, &self.name)
    }
}

/// Keeps the tables `options` select (include globs, then exclude globs).
pub(crate) fn select(tables: Vec<DbTable>, options: &IntrospectOptions) -> Vec<DbTable> {
    tables
        .into_iter()
        .filter(|t| ident::selected(&t.name, &options.include, &options.exclude))
        .collect()
}

/// Leaves out the tables triggers fill (unless a table kept references
/// one); returns a note for each table and column the database fills.
pub(crate) fn leave_to_database(tables: Vec<DbTable>) -> (Vec<DbTable>, Vec<String>) {
    let referenced = |name: &str, tables: &[DbTable]| {
        tables
            .iter()
            .any(|t| t.filled_by_trigger.is_none() && t.foreign_keys.iter().any(|fk| fk.table == name))
    };
    let mut notes = Vec::new();
    let mut kept = Vec::new();
    for t in &tables {
        if let Some(why) = &t.filled_by_trigger
            && !referenced(&t.name, &tables)
        {
            notes.push(format!("table `{}` is not seeded: {why} fills it", t.name));
            continue;
        }
        for c in &t.columns {
            if let Some(why) = &c.filled_by_db {
                notes.push(format!(
                    "column `{}.{}` is left to the database: {why}",
                    t.name, c.name
                ));
            }
        }
        kept.push(t.clone());
    }
    (kept, notes)
}

/// The schema for catalog tables. A foreign key to a table left out (by
/// the globs, or in another schema) is an error naming both tables.
pub(crate) fn to_schema(tables: &[DbTable], origin: &str) -> Result<Schema> {
    let mut problems = Vec::new();
    for t in tables {
        for fk in &t.foreign_keys {
            let present = fk.schema == t.schema && tables.iter().any(|p| p.name == fk.table);
            if !present {
                let parent = if fk.schema.is_empty() || fk.schema == t.schema {
                    fk.table.clone()
                } else {
                    format!("{}.{}", fk.schema, fk.table)
                };
                problems.push(Problem::column(
                    &t.name,
                    &fk.columns.join(", "),
                    format!(
                        "references `{parent}`, which is not introspected; include it (--include) or exclude this table"
                    ),
                ));
            }
        }
    }
    if !problems.is_empty() {
        return Err(Error::InvalidSchema {
            origin: origin.to_owned(),
            problems,
        });
    }
    let schema = Schema::new(tables.iter().map(to_table));
    schema.validate().map_err(|e| match e {
        Error::InvalidSchema { problems, .. } => Error::InvalidSchema {
            origin: origin.to_owned(),
            problems,
        },
        other => other,
    })?;
    Ok(schema)
}

fn to_table(t: &DbTable) -> Table {
    let mut checks: Vec<(String, ColumnCheck)> = Vec::new();
    for clause in &t.checks {
        for (col, check) in check::parse(clause).unwrap_or_default() {
            match checks.iter_mut().find(|(c, _)| *c == col) {
                Some((_, known)) => merge(known, check),
                None => checks.push((col, check)),
            }
        }
    }
    let single_unique: Vec<&str> = t
        .unique
        .iter()
        .filter(|k| k.len() == 1)
        .map(|k| k[0].as_str())
        .collect();
    let columns: Vec<Column> = t
        .columns
        .iter()
        .filter(|c| c.filled_by_db.is_none())
        .map(|c| {
            let check = checks.iter().find(|(n, _)| *n == c.name).map(|(_, k)| k);
            let primary_key = t.primary_key.contains(&c.name);
            let unique = !primary_key && single_unique.contains(&c.name.as_str());
            let mut col = Column::new(c.name.clone(), c.ty.data_type());
            col.doc = c.comment.clone().map(Cow::Owned);
            col.nullable = c.nullable && !primary_key;
            col.primary_key = primary_key;
            col.unique = unique;
            if let SqlType::Text { max: Some(n) } = c.ty {
                col.max_length = Some(n);
            }
            if let SqlType::Enum(values) = &c.ty {
                col.one_of = Some(Cow::Owned(
                    values.iter().map(|v| Literal::Text(v.clone().into())).collect(),
                ));
            }
            if let Some(check) = check {
                apply_check(&mut col, &c.ty, check);
            }
            if col.range.is_none() && !primary_key {
                col.range = type_range(&c.ty);
            }
            if col.pattern.is_none()
                && col.one_of.is_none()
                && let Some((_, regex)) = t.patterns.iter().find(|(n, _)| *n == c.name)
            {
                col.pattern = Some(Cow::Owned(regex.clone()));
            }
            col
        })
        .collect();
    let mut table = Table::new(t.name.clone());
    table.doc = t.comment.clone().map(Cow::Owned);
    table.columns = Cow::Owned(columns);
    table.unique = Cow::Owned(
        t.unique
            .iter()
            .filter(|k| k.len() > 1 && **k != t.primary_key)
            .map(|k| Cow::Owned(k.iter().map(|c| Cow::Owned(c.clone())).collect()))
            .collect(),
    );
    let mut composite = Vec::new();
    for fk in &t.foreign_keys {
        if let [single] = &fk.columns[..] {
            let columns = table.columns.to_mut();
            if let Some(col) = columns.iter_mut().find(|c| c.name == *single) {
                col.foreign_key = Some(Reference {
                    table: fk.table.clone().into(),
                    column: fk.references[0].clone().into(),
                });
            }
        } else {
            composite.push(ForeignKey {
                columns: Cow::Owned(fk.columns.iter().map(|c| Cow::Owned(c.clone())).collect()),
                table: fk.table.clone().into(),
                references: Cow::Owned(fk.references.iter().map(|c| Cow::Owned(c.clone())).collect()),
            });
        }
    }
    table.foreign_keys = Cow::Owned(composite);
    table
}

fn merge(known: &mut ColumnCheck, new: ColumnCheck) {
    if new.min.is_some() {
        known.min = new.min;
    }
    if new.max.is_some() {
        known.max = new.max;
    }
    if new.one_of.is_some() {
        known.one_of = new.one_of;
    }
}

/// Range and value list from a column's CHECK constraints. A one-sided
/// numeric bound gets its other side a million away (or the type's limit),
/// so generated values stay in the usual magnitudes.
fn apply_check(col: &mut Column, ty: &SqlType, check: &ColumnCheck) {
    if let Some(values) = &check.one_of {
        let literals: Option<Vec<Literal>> = values.iter().map(|v| literal(col.ty, v)).collect();
        if let Some(literals) = literals {
            col.one_of = Some(Cow::Owned(literals));
        }
    }
    if col.ty.is_numeric() {
        let step = if col.ty == DataType::Integer { 1.0 } else { 0.01 };
        let bound = |b: &Option<(Lit, bool)>, dir: f64| -> Option<f64> {
            let (lit, strict) = b.as_ref()?;
            let x: f64 = match lit {
                Lit::Num(n) | Lit::Text(n) => n.parse().ok()?,
                Lit::Bool(_) => return None,
            };
            Some(if *strict { x + dir * step } else { x })
        };
        let min = bound(&check.min, 1.0);
        let max = bound(&check.max, -1.0);
        let (min, max) = match (min, max) {
            (Some(lo), Some(hi)) => (lo, hi),
            (Some(lo), None) => (lo, lo + 1_000_000.0 - step),
            (None, Some(hi)) => (if hi > 0.0 { 0.0 } else { hi - 1_000_000.0 + step }, hi),
            (None, None) => return,
        };
        let limit = type_range(ty).and_then(|r| r.max.as_f64());
        let max = limit.map_or(max, |l| max.min(l));
        col.range = Some(if col.ty == DataType::Integer {
            let lo = min.ceil() as i64;
            let hi = max.floor() as i64;
            Range {
                min: Literal::Int(lo),
                max: Literal::Int(hi),
            }
        } else {
            Range {
                min: Literal::Float(min),
                max: Literal::Float(max),
            }
        });
    } else if col.ty.is_temporal()
        && let (Some((Lit::Text(lo), _)), Some((Lit::Text(hi), _))) = (&check.min, &check.max)
    {
        col.range = Some(Range {
            min: Literal::Text(lo.clone().into()),
            max: Literal::Text(hi.clone().into()),
        });
    }
}

fn literal(ty: DataType, lit: &Lit) -> Option<Literal> {
    Some(match (ty, lit) {
        (DataType::Integer, Lit::Num(n) | Lit::Text(n)) => Literal::Int(n.parse().ok()?),
        (DataType::Float | DataType::Decimal, Lit::Num(n) | Lit::Text(n)) => Literal::Float(n.parse().ok()?),
        (DataType::Boolean, Lit::Bool(b)) => Literal::Bool(*b),
        (_, Lit::Text(s) | Lit::Num(s)) => Literal::Text(s.clone().into()),
        (_, Lit::Bool(_)) => return None,
    })
}

/// Bounds a narrow type imposes where the engine's defaults would overflow
/// it: small integers and numerics with few integer digits. Generated
/// values stay non-negative (CHECK constraints override).
fn type_range(ty: &SqlType) -> Option<Range> {
    match ty {
        SqlType::Year => Some(Range {
            min: Literal::Int(1901),
            max: Literal::Int(2155),
        }),
        SqlType::TinyInt { .. } | SqlType::SmallInt { .. } => Some(Range {
            min: Literal::Int(0),
            max: Literal::Int(ty.integer_max()?),
        }),
        SqlType::Decimal {
            precision: Some(p),
            scale,
        } => {
            let s = scale.unwrap_or(0);
            let digits = p.checked_sub(s)?;
            if digits > 6 {
                return None;
            }
            let max = 10f64.powi(digits as i32) - 10f64.powi(-(s as i32));
            Some(Range {
                min: Literal::Float(0.0),
                max: Literal::Float(max),
            })
        }
        _ => None,
    }
}

/// `'a','b''c'` (MySQL's ENUM column type body) as a list.
pub(crate) fn quoted_list(text: &str) -> Option<Vec<String>> {
    let parsed = check::parse(&format!("x IN ({text})"))?;
    let (_, check) = parsed.into_iter().next()?;
    check
        .one_of?
        .into_iter()
        .map(|l| match l {
            Lit::Text(s) => Some(s),
            _ => None,
        })
        .collect()
}

/// Tables a trigger function's source inserts into (`INSERT INTO name`,
/// `INSERT INTO schema.name`, quoted or not), last name part, unquoted
/// names lowercased.
pub(crate) fn insert_targets(source: &str) -> Vec<String> {
    let lower = source.to_ascii_lowercase();
    let mut out: Vec<String> = Vec::new();
    let mut from = 0;
    while let Some(at) = lower[from..].find("insert") {
        let start = from + at;
        from = start + 6;
        if start > 0 && lower.as_bytes()[start - 1].is_ascii_alphanumeric() {
            continue;
        }
        let rest = lower[from..].trim_start();
        let Some(rest) = rest.strip_prefix("into") else {
            continue;
        };
        if !rest.starts_with(char::is_whitespace) {
            continue;
        }
        let offset = source.len() - rest.len();
        if let Some(name) = last_name_part(source[offset..].trim_start())
            && !out.contains(&name)
        {
            out.push(name);
        }
    }
    out
}

/// The last part of a possibly qualified, possibly quoted name at the start of `s`.
fn last_name_part(s: &str) -> Option<String> {
    let mut rest = s;
    let mut last = None;
    loop {
        let (part, after) = match rest.chars().next()? {
            q @ ('"' | '`') => {
                let end = rest[1..].find(q)? + 1;
                (rest[1..end].to_owned(), &rest[end + 1..])
            }
            c if c.is_alphanumeric() || c == '_' => {
                let end = rest
                    .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
                    .unwrap_or(rest.len());
                (rest[..end].to_ascii_lowercase(), &rest[end..])
            }
            _ => return last,
        };
        last = Some(part);
        match after.strip_prefix('.') {
            Some(next) => rest = next,
            None => return last,
        }
    }
}

/// Columns a row trigger assigns: `NEW.col :=` (PL/pgSQL) or
/// `SET NEW.col =` (MySQL).
pub(crate) fn assigned_new_columns(source: &str, mysql: bool) -> Vec<String> {
    let lower = source.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = lower[from..].find("new.") {
        let start = from + at;
        from = start + 4;
        if start > 0
            && (lower.as_bytes()[start - 1].is_ascii_alphanumeric() || lower.as_bytes()[start - 1] == b'_')
        {
            continue;
        }
        let Some(name) = last_name_part(&source[from..]) else {
            continue;
        };
        let after_name = lower[from..]
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '"' || c == '`'))
            .map_or("", |i| &lower[from + i..]);
        let assigned = if mysql {
            lower[..start].trim_end().ends_with("set") && after_name.trim_start().starts_with('=')
        } else {
            after_name.trim_start().starts_with(":=")
        };
        if assigned && !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

#[cfg(test)]
mod trigger_tests {
    use super::*;

    #[test]
    fn insert_targets_are_found_in_trigger_sources() {
        let src = "BEGIN\n  INSERT INTO film_audit (film_id) VALUES (NEW.film_id);\n  insert into \"Audit\".\"Log\" values (1);\nEND";
        assert_eq!(insert_targets(src), ["film_audit", "Log"]);
        assert_eq!(
            insert_targets("INSERT INTO `film_text` (film_id) VALUES (new.film_id)"),
            ["film_text"]
        );
        assert!(insert_targets("SELECT reinsert INTO x").is_empty());
    }

    #[test]
    fn assigned_columns_of_before_triggers() {
        let pg = "BEGIN NEW.slug := lower(NEW.title); IF NEW.x = 1 THEN NEW.updated_at := now(); END IF; RETURN NEW; END";
        assert_eq!(assigned_new_columns(pg, false), ["slug", "updated_at"]);
        let my = "BEGIN SET NEW.create_date = NOW(); IF NEW.a = 1 THEN SET NEW.b = 2; END IF; END";
        assert_eq!(assigned_new_columns(my, true), ["create_date", "b"]);
    }
}
