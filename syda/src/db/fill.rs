//! Generators for PostgreSQL types a schema file cannot name (arrays of any
//! element type, bytea, ltree, inet, cidr, macaddr, tsvector, interval,
//! point, xml, ranges, …): values the database accepts, registered as
//! column generators before a seed.

use rand::RngExt;

use super::catalog::SqlType;
use super::load::Target;
use crate::engine::{Engine, GenContext};
use crate::error::{Error, Problem, Result};
use crate::schema::{DataType, Schema};
use crate::value::Value;

/// Values the database accepts for the columns whose type the schema file
/// cannot say (PostgreSQL arrays of any element type, bytea, ltree, inet,
/// cidr, macaddr, tsvector, interval, point, xml, ranges, …), registered as
/// column generators where the schema leaves the column to the engine. A
/// type syda cannot fill is an error naming the column and the way out.
pub(crate) fn register_database_types<E: Engine>(
    engine: &mut E,
    schema: &Schema,
    targets: &[Target],
) -> Result<()> {
    let mut problems = Vec::new();
    for (table, target) in schema.tables.iter().zip(targets) {
        for (col, db_col) in table.columns.iter().zip(&target.columns) {
            let generators = engine.local_mut().generators_mut();
            let given = col.generator.is_some()
                || col.one_of.is_some()
                || col.pattern.is_some()
                || col.foreign_key.is_some()
                || generators.column(&table.name, &col.name).is_some()
                || col.kind.as_deref().is_some_and(|k| generators.kind(k).is_some());
            if given {
                continue;
            }
            let fill: Option<Fill> = match &db_col.ty {
                SqlType::Array(elem) if col.ty == DataType::Json => {
                    if let Some(name) = unknown(elem) {
                        problems.push(cannot_fill(&table.name, &col.name, &format!("{name}[]")));
                        continue;
                    }
                    Some(Fill::Array((**elem).clone()))
                }
                SqlType::Bytes if db_col.sql == "bytea" => Some(Fill::Bytes(db_col.byte_length)),
                SqlType::Other(name) if col.ty == DataType::Text => match special(name) {
                    Some(_) => Some(Fill::Special(name.clone(), db_col.sql.clone())),
                    None => {
                        problems.push(cannot_fill(&table.name, &col.name, &db_col.sql));
                        continue;
                    }
                },
                _ => None,
            };
            let Some(fill) = fill else {
                continue;
            };
            let nullable = col.nullable;
            let unique = col.unique || col.primary_key;
            generators.register_column(&table.name, &col.name, move |ctx: &mut GenContext<'_>| {
                let index = ctx.index();
                let rng = ctx.rng();
                if nullable && rng.random_bool(0.1) {
                    return Value::Null;
                }
                let serial = unique.then_some(index);
                match &fill {
                    Fill::Array(elem) => {
                        let n = rng.random_range(0..=3);
                        let items: Vec<serde_json::Value> = (0..n)
                            .map(|_| element(elem, rng))
                            .filter(|v| !v.is_null())
                            .collect();
                        Value::Json(serde_json::Value::Array(items))
                    }
                    Fill::Bytes(len) => Value::Text(bytea(*len, serial, rng)),
                    Fill::Special(name, sql) => Value::Text(special_value(name, sql, serial, rng)),
                }
            });
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::InvalidSchema {
            origin: "schema against the database".to_owned(),
            problems,
        })
    }
}

enum Fill {
    Array(SqlType),
    Bytes(Option<u32>),
    Special(String, String),
}

fn cannot_fill(table: &str, column: &str, sql: &str) -> Problem {
    Problem::column(
        table,
        column,
        format!(
            "has type `{sql}`, which syda cannot fill; give the column a `pattern` or `one_of` in the schema file, \
             register a generator for it (Generators::register_column), or leave it out if it is nullable or has a default"
        ),
    )
}

/// The name of an array element type syda cannot fill.
fn unknown(elem: &SqlType) -> Option<&str> {
    match elem {
        SqlType::Other(name) if special(name).is_none() => Some(name),
        _ => None,
    }
}

/// PostgreSQL types with a generator here (by `pg_type.typname`).
fn special(name: &str) -> Option<()> {
    matches!(
        name,
        "ltree"
            | "lquery"
            | "inet"
            | "cidr"
            | "macaddr"
            | "macaddr8"
            | "tsvector"
            | "tsquery"
            | "interval"
            | "point"
            | "box"
            | "circle"
            | "lseg"
            | "polygon"
            | "path"
            | "xml"
            | "hstore"
            | "bit"
            | "varbit"
            | "int4range"
            | "int8range"
            | "numrange"
            | "daterange"
            | "tsrange"
            | "tstzrange"
            | "oid"
    )
    .then_some(())
}

const WORDS: [&str; 12] = [
    "alpha", "beta", "gamma", "delta", "epsilon", "kappa", "lambda", "sigma", "omega", "north", "south",
    "river",
];

fn word(rng: &mut impl rand::Rng) -> &'static str {
    WORDS[rng.random_range(0..WORDS.len())]
}

/// One array element as JSON (the loader writes a PostgreSQL array literal).
fn element(elem: &SqlType, rng: &mut impl rand::Rng) -> serde_json::Value {
    match elem {
        t if t.is_integer() => serde_json::Value::from(rng.random_range(0..=i64::from(i16::MAX))),
        SqlType::Float | SqlType::Decimal { .. } => {
            serde_json::Value::from(f64::from(rng.random_range(0..100_000)) / 100.0)
        }
        SqlType::Bool => serde_json::Value::from(rng.random_bool(0.5)),
        SqlType::Enum(labels) if !labels.is_empty() => {
            serde_json::Value::from(labels[rng.random_range(0..labels.len())].clone())
        }
        SqlType::Text { max } => {
            let w = word(rng);
            let len = max.map_or(w.len(), |m| (m as usize).min(w.len()));
            serde_json::Value::from(&w[..len])
        }
        SqlType::Date => serde_json::Value::from(format!(
            "20{:02}-{:02}-{:02}",
            rng.random_range(10..30),
            rng.random_range(1..=12),
            rng.random_range(1..=28)
        )),
        SqlType::Timestamp => serde_json::Value::from(format!(
            "20{:02}-{:02}-{:02}T{:02}:{:02}:00Z",
            rng.random_range(10..30),
            rng.random_range(1..=12),
            rng.random_range(1..=28),
            rng.random_range(0..24),
            rng.random_range(0..60)
        )),
        SqlType::Time => serde_json::Value::from(format!(
            "{:02}:{:02}:00",
            rng.random_range(0..24),
            rng.random_range(0..60)
        )),
        SqlType::Uuid => serde_json::Value::from(uuid(rng)),
        SqlType::Json => serde_json::json!({ "k": word(rng) }),
        SqlType::Bytes => serde_json::Value::from(bytea(Some(8), None, rng)),
        SqlType::Other(name) if special(name).is_some() => {
            serde_json::Value::from(special_value(name, name, None, rng))
        }
        _ => serde_json::Value::Null,
    }
}

fn uuid(rng: &mut impl rand::Rng) -> String {
    let b: [u8; 16] = rng.random();
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        u32::from_be_bytes([b[0], b[1], b[2], b[3]]),
        u16::from_be_bytes([b[4], b[5]]),
        u16::from_be_bytes([b[6], b[7]]) & 0x0fff,
        (u16::from_be_bytes([b[8], b[9]]) & 0x3fff) | 0x8000,
        u64::from_be_bytes([0, 0, b[10], b[11], b[12], b[13], b[14], b[15]])
    )
}

/// `\x…` hex of `len` bytes (8 to 32 when the column says nothing); a
/// unique column starts with its row number.
fn bytea(len: Option<u32>, serial: Option<u64>, rng: &mut impl rand::Rng) -> String {
    let len = len.map_or_else(|| rng.random_range(8..=32), |n| n as usize);
    let mut bytes: Vec<u8> = (0..len).map(|_| rng.random()).collect();
    if let Some(n) = serial {
        for (i, b) in n.to_be_bytes().iter().rev().enumerate().take(len) {
            bytes[i] = *b;
        }
    }
    let mut out = String::with_capacity(2 + 2 * len);
    out.push_str("\\x");
    for b in bytes {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

fn x(rng: &mut impl rand::Rng) -> f64 {
    f64::from(rng.random_range(-18_000..18_000)) / 100.0
}

/// A value of PostgreSQL type `name` (`sql` is the declared type, for
/// bit lengths). `serial` (the row number) keeps unique columns distinct.
fn special_value(name: &str, sql: &str, serial: Option<u64>, rng: &mut impl rand::Rng) -> String {
    let n = serial.unwrap_or_else(|| rng.random_range(0..1 << 24));
    let (a, b, c) = ((n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
    match name {
        "ltree" | "lquery" => {
            let depth = rng.random_range(1..=3);
            let mut path = vec!["Top".to_owned()];
            path.extend((0..depth).map(|_| word(rng).to_owned()));
            if serial.is_some() {
                path.push(format!("n{n}"));
            }
            path.join(".")
        }
        "inet" => format!("10.{a}.{b}.{c}"),
        "cidr" => format!("10.{a}.{b}.{c}/32"),
        "macaddr" => format!("08:00:2b:{a:02x}:{b:02x}:{c:02x}"),
        "macaddr8" => format!("08:00:2b:ff:fe:{a:02x}:{b:02x}:{c:02x}"),
        "tsvector" => {
            let mut words: Vec<&str> = (0..rng.random_range(1..=4)).map(|_| word(rng)).collect();
            words.sort_unstable();
            words.dedup();
            let mut v = words.join(" ");
            if serial.is_some() {
                v.push_str(&format!(" n{n}"));
            }
            v
        }
        "tsquery" => format!("{} & {}", word(rng), word(rng)),
        "interval" => match serial {
            Some(n) => format!("{n} seconds"),
            None => format!("{} minutes", rng.random_range(1..=10_000)),
        },
        "point" => format!("({},{})", x(rng), x(rng)),
        "box" | "lseg" => format!("(({},{}),({},{}))", x(rng), x(rng), x(rng), x(rng)),
        "circle" => format!("<({},{}),{}>", x(rng), x(rng), rng.random_range(1..100)),
        "polygon" | "path" => format!(
            "(({},{}),({},{}),({},{}))",
            x(rng),
            x(rng),
            x(rng),
            x(rng),
            x(rng),
            x(rng)
        ),
        "xml" => format!("<item><id>{n}</id><name>{}</name></item>", word(rng)),
        "hstore" => format!("\"{}\"=>\"{n}\"", word(rng)),
        "bit" | "varbit" => {
            let declared = sql
                .split_once('(')
                .and_then(|(_, r)| r.trim_end_matches(')').parse::<usize>().ok())
                .unwrap_or(if name == "bit" { 1 } else { 16 });
            let len = if name == "bit" {
                declared
            } else {
                rng.random_range(1..=declared.max(1))
            };
            (0..len)
                .map(|i| {
                    if i < 64 && (n >> i) & 1 == 1 || rng.random_bool(0.5) {
                        '1'
                    } else {
                        '0'
                    }
                })
                .collect()
        }
        "int4range" | "int8range" | "numrange" => {
            let lo = rng.random_range(0..10_000);
            format!("[{lo},{})", lo + rng.random_range(1..1000))
        }
        "daterange" => {
            let (y, m) = (rng.random_range(2010..2030), rng.random_range(1..=12));
            format!("[{y}-{m:02}-01,{y}-{m:02}-28)")
        }
        "tsrange" | "tstzrange" => {
            let (y, m) = (rng.random_range(2010..2030), rng.random_range(1..=12));
            format!("[{y}-{m:02}-01 00:00:00,{y}-{m:02}-28 12:00:00)")
        }
        _ => n.to_string(),
    }
}
