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
                let mut field = String::new();
                for row in rows {
                    let start = out.len();
                    for (i, value) in row.iter().enumerate() {
                        if i > 0 {
                            out.push(b',');
                        }
                        match value {
                            Value::Text(s) => csv_field(out, s.as_bytes()),
                            Value::Null => {}
                            other => {
                                field.clear();
                                use std::fmt::Write as _;
                                let _ = write!(field, "{other}");
                                csv_field(out, field.as_bytes());
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
    if field.iter().any(|&b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
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

fn json_value(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Float(x) if x.is_finite() => {
            let _ = write!(out, "{x}");
        }
        Value::Float(_) => out.extend_from_slice(b"null"),
        Value::Text(s) => {
            let _ = serde_json::to_writer(&mut *out, s);
        }
        Value::Json(v) => {
            let _ = serde_json::to_writer(&mut *out, v);
        }
    }
}
