//! Rows to bytes for the text formats (CSV, JSON, JSONL, SQL). An encoder
//! holds no state between rows: the bytes of row `i` depend only on the row
//! and on `i` (JSON separators, SQL statement breaks), so chunks of a table
//! can be encoded on several threads and concatenated in order.

use std::io::Write as _;

use super::Format;
use super::sql::SqlRows;
use crate::schema::Table;
use crate::value::{Row, Value};

/// Encodes the rows of one table in a text format. Cheap to clone; `Send`
/// and `Sync`, so worker threads each encode their own chunks.
///
/// ```
/// use syda::output::{ChunkEncoder, Format};
/// use syda::{Column, DataType, Table, Value};
///
/// let table = Table::new("t").with_column(Column::new("name", DataType::Text));
/// let encoder = ChunkEncoder::new(Format::Csv, &table).unwrap();
/// let mut out = Vec::new();
/// encoder.header(&mut out);
/// encoder.encode(0, &[vec![Value::from("a,b")]], &mut out);
/// assert_eq!(out, b"name\n\"a,b\"\n");
/// ```
#[derive(Debug, Clone)]
pub struct ChunkEncoder {
    kind: Kind,
}

#[derive(Debug, Clone)]
enum Kind {
    Csv { header: Vec<String> },
    Json { keys: Vec<String>, array: bool },
    Sql(Box<SqlRows>),
}

impl ChunkEncoder {
    /// An encoder for `table` in `format`; `None` for Parquet, which is
    /// columnar and written by [`super::TableWriter`] itself.
    pub fn new(format: Format, table: &Table) -> Option<ChunkEncoder> {
        let kind = match format {
            Format::Csv => Kind::Csv {
                header: table.columns.iter().map(|c| c.name.to_string()).collect(),
            },
            Format::Json | Format::Jsonl => Kind::Json {
                keys: table
                    .columns
                    .iter()
                    .map(|c| format!("{}:", serde_json::Value::from(c.name.as_ref())))
                    .collect(),
                array: format == Format::Json,
            },
            Format::Sql(dialect) => Kind::Sql(Box::new(SqlRows::new(dialect, table, &[]))),
            Format::Parquet => return None,
        };
        Some(ChunkEncoder { kind })
    }

    pub(crate) fn sql(rows: SqlRows) -> ChunkEncoder {
        ChunkEncoder {
            kind: Kind::Sql(Box::new(rows)),
        }
    }

    /// What comes before the first row: the CSV header, `[` of a JSON
    /// array, the COPY line of a PostgreSQL table.
    pub fn header(&self, out: &mut Vec<u8>) {
        match &self.kind {
            Kind::Csv { header } => {
                for (i, name) in header.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    csv_field(out, name.as_bytes());
                }
                if header.len() == 1 && header[0].is_empty() {
                    out.extend_from_slice(b"\"\"");
                }
                out.push(b'\n');
            }
            Kind::Json { array: true, .. } => out.push(b'['),
            Kind::Json { array: false, .. } => {}
            Kind::Sql(sql) => sql.header(out),
        }
    }

    /// Appends rows `first, first + 1, …` of the table.
    pub fn encode(&self, first: u64, rows: &[Row], out: &mut Vec<u8>) {
        match &self.kind {
            Kind::Csv { .. } => {
                for row in rows {
                    let start = out.len();
                    for (i, value) in row.iter().enumerate() {
                        if i > 0 {
                            out.push(b',');
                        }
                        match value {
                            Value::Text(s) => csv_field(out, s.as_bytes()),
                            Value::Null => {}
                            Value::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
                            Value::Int(i) => push_int(out, *i),
                            Value::Float(x) => push_float(out, *x),
                            Value::Json(j) => {
                                let text = j.to_string();
                                csv_field(out, text.as_bytes());
                            }
                        }
                    }
                    // A record of one empty field is written `""`, as the
                    // csv crate does, so that it is not an empty line.
                    if out.len() == start {
                        out.extend_from_slice(b"\"\"");
                    }
                    out.push(b'\n');
                }
            }
            Kind::Json { keys, array } => {
                for (n, row) in rows.iter().enumerate() {
                    if *array {
                        out.extend_from_slice(if first + n as u64 == 0 { b"\n" } else { b",\n" });
                    }
                    out.push(b'{');
                    for (i, (key, value)) in keys.iter().zip(row).enumerate() {
                        if i > 0 {
                            out.push(b',');
                        }
                        out.extend_from_slice(key.as_bytes());
                        json_value(out, value);
                    }
                    out.push(b'}');
                    if !*array {
                        out.push(b'\n');
                    }
                }
            }
            Kind::Sql(sql) => {
                for (n, row) in rows.iter().enumerate() {
                    sql.row(first + n as u64, row, out);
                }
            }
        }
    }

    /// What comes after the last of `rows` rows: `]` of a JSON array, the
    /// end of the last INSERT or COPY block.
    pub fn footer(&self, rows: u64, out: &mut Vec<u8>) {
        match &self.kind {
            Kind::Csv { .. } | Kind::Json { array: false, .. } => {}
            Kind::Json { array: true, .. } => {
                out.extend_from_slice(if rows == 0 { b"]\n" } else { b"\n]\n" });
            }
            Kind::Sql(sql) => sql.footer(rows, out),
        }
    }
}

/// A CSV field, quoted when it holds a comma, a quote or a line break.
fn csv_field(out: &mut Vec<u8>, field: &[u8]) {
    const QUOTED: [bool; 256] = {
        let mut t = [false; 256];
        t[b',' as usize] = true;
        t[b'"' as usize] = true;
        t[b'\n' as usize] = true;
        t[b'\r' as usize] = true;
        t
    };
    if field.iter().any(|&b| QUOTED[b as usize]) {
        out.push(b'"');
        for &b in field {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(field);
    }
}

/// An integer as `Display` writes it.
fn push_int(out: &mut Vec<u8>, i: i64) {
    out.extend_from_slice(itoa::Buffer::new().format(i).as_bytes());
}

/// A float exactly as `Display` writes it (shortest digits that read back
/// as the same number, never an exponent), through `ryu` where that is the
/// same text. `ryu` writes whole numbers with `.0` and large or small ones
/// with an exponent, which `Display` does not; and of two shortest forms
/// with 16 or 17 digits it may pick the other one (ties round to even). A
/// form of at most 15 significant digits is the only one (every such
/// decimal is a distinct `f64`), so both agree there.
pub(crate) fn push_float(out: &mut Vec<u8>, x: f64) {
    if x.is_finite() {
        let mut buffer = ryu::Buffer::new();
        let text = buffer.format_finite(x);
        let significant = text
            .bytes()
            .filter(u8::is_ascii_digit)
            .skip_while(|&b| b == b'0')
            .count();
        if !text.contains('e') && significant <= 15 {
            out.extend_from_slice(text.strip_suffix(".0").unwrap_or(text).as_bytes());
            return;
        }
    }
    let _ = write!(out, "{x}");
}

fn json_value(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Int(i) => push_int(out, *i),
        Value::Float(x) if x.is_finite() => push_float(out, *x),
        Value::Float(_) => out.extend_from_slice(b"null"),
        Value::Text(s) => {
            let _ = serde_json::to_writer(&mut *out, s);
        }
        Value::Json(v) => {
            let _ = serde_json::to_writer(&mut *out, v);
        }
    }
}

#[cfg(test)]
mod tests {
    use rand::{RngExt, SeedableRng};

    use super::*;

    #[test]
    fn numbers_are_written_as_display_writes_them() {
        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(3);
        let mut floats = vec![
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.1,
            30_000.0,
            1e15,
            1e16,
            1e21,
            1e-5,
            1e-7,
            123.456,
            5e-324,
            f64::MAX,
            f64::MIN_POSITIVE,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        for _ in 0..20_000 {
            let x: f64 = rng.random_range(-1e6..1e6);
            floats.push(x);
            floats.push((x * 100.0).round() / 100.0);
            floats.push(f64::from_bits(rng.random()));
        }
        for x in floats {
            let mut out = Vec::new();
            push_float(&mut out, x);
            assert_eq!(String::from_utf8(out).unwrap(), x.to_string(), "{:e}", x);
        }
        for i in [0, -1, i64::MIN, i64::MAX, 42] {
            let mut out = Vec::new();
            push_int(&mut out, i);
            assert_eq!(String::from_utf8(out).unwrap(), i.to_string());
        }
    }
}
