use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use super::Format;
use crate::error::{Error, Result};
use crate::schema::Table;
use crate::value::{Row, Value};

/// Streams the rows of one table into a temporary file; [`TableWriter::finish`]
/// hands back a [`PendingFile`] that the caller renames into place.
///
/// ```
/// use syda::output::{Format, TableWriter};
/// use syda::{Column, DataType, Table, Value};
///
/// let dir = tempfile::tempdir()?;
/// let table = Table::new("people").with_column(Column::new("name", DataType::Text));
/// let path = dir.path().join("people.csv");
/// let mut writer = TableWriter::create(&path, Format::Csv, &table)?;
/// writer.write_row(&vec![Value::from("Ada")])?;
/// assert!(!path.exists(), "nothing is visible before commit");
/// writer.finish()?.commit()?;
/// assert_eq!(std::fs::read_to_string(&path)?, "name\nAda\n");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct TableWriter {
    dest: PathBuf,
    format: Format,
    sink: Sink,
    rows: u64,
}

enum Sink {
    Csv {
        writer: Box<csv::Writer<BufWriter<NamedTempFile>>>,
        field: String,
    },
    Json {
        out: BufWriter<NamedTempFile>,
        /// `"name":` for each column, escaped once.
        keys: Vec<String>,
    },
}

/// A fully written file waiting to be renamed into place.
#[derive(Debug)]
pub struct PendingFile {
    temp: NamedTempFile,
    dest: PathBuf,
    rows: u64,
}

impl TableWriter {
    /// Starts writing `table` to `dest` (the file appears only on commit).
    /// The destination's directory is created if missing.
    pub fn create(dest: &Path, format: Format, table: &Table) -> Result<TableWriter> {
        let dir = match dest.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        std::fs::create_dir_all(dir).map_err(|source| io(dir, source))?;
        let temp = tempfile::Builder::new()
            .prefix(".syda-")
            .suffix(".partial")
            .tempfile_in(dir)
            .map_err(|source| io(dest, source))?;
        let out = BufWriter::with_capacity(256 * 1024, temp);
        let sink = match format {
            Format::Csv => {
                let mut writer = csv::WriterBuilder::new().from_writer(out);
                writer
                    .write_record(table.columns.iter().map(|c| c.name.as_bytes()))
                    .map_err(|e| csv_error(dest, e))?;
                Sink::Csv {
                    writer: Box::new(writer),
                    field: String::new(),
                }
            }
            Format::Json | Format::Jsonl => {
                let keys = table
                    .columns
                    .iter()
                    .map(|c| format!("{}:", serde_json::Value::from(c.name.as_ref())))
                    .collect();
                let mut out = out;
                if format == Format::Json {
                    out.write_all(b"[").map_err(|source| io(dest, source))?;
                }
                Sink::Json { out, keys }
            }
        };
        Ok(TableWriter {
            dest: dest.to_owned(),
            format,
            sink,
            rows: 0,
        })
    }

    /// Appends one row (a value per column, in column order).
    pub fn write_row(&mut self, row: &Row) -> Result<()> {
        let dest = &self.dest;
        match &mut self.sink {
            Sink::Csv { writer, field } => {
                for value in row {
                    field.clear();
                    use std::fmt::Write as _;
                    let _ = write!(field, "{value}");
                    writer
                        .write_field(field.as_bytes())
                        .map_err(|e| csv_error(dest, e))?;
                }
                writer
                    .write_record(None::<&[u8]>)
                    .map_err(|e| csv_error(dest, e))?;
            }
            Sink::Json { out, keys } => {
                let result = (|| -> std::io::Result<()> {
                    match (self.format, self.rows) {
                        (Format::Json, 0) => out.write_all(b"\n")?,
                        (Format::Json, _) => out.write_all(b",\n")?,
                        _ => {}
                    }
                    out.write_all(b"{")?;
                    for (i, (key, value)) in keys.iter().zip(row).enumerate() {
                        if i > 0 {
                            out.write_all(b",")?;
                        }
                        out.write_all(key.as_bytes())?;
                        write_json_value(out, value)?;
                    }
                    out.write_all(b"}")?;
                    if self.format == Format::Jsonl {
                        out.write_all(b"\n")?;
                    }
                    Ok(())
                })();
                result.map_err(|source| io(dest, source))?;
            }
        }
        self.rows += 1;
        Ok(())
    }

    /// Rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Flushes everything to the temporary file; nothing is visible at the
    /// destination until [`PendingFile::commit`].
    pub fn finish(self) -> Result<PendingFile> {
        let dest = self.dest;
        let out = match self.sink {
            Sink::Csv { writer, .. } => (*writer)
                .into_inner()
                .map_err(|e| io(&dest, std::io::Error::other(e.to_string())))?,
            Sink::Json { mut out, .. } => {
                if self.format == Format::Json {
                    let end: &[u8] = if self.rows == 0 { b"]\n" } else { b"\n]\n" };
                    out.write_all(end).map_err(|source| io(&dest, source))?;
                }
                out
            }
        };
        let temp = out.into_inner().map_err(|e| io(&dest, e.into_error()))?;
        temp.as_file().sync_data().map_err(|source| io(&dest, source))?;
        Ok(PendingFile {
            temp,
            dest,
            rows: self.rows,
        })
    }
}

impl PendingFile {
    /// Renames the file into place, replacing any file already there.
    pub fn commit(self) -> Result<PathBuf> {
        self.temp
            .persist(&self.dest)
            .map_err(|e| io(&self.dest, e.error))?;
        Ok(self.dest)
    }

    /// Where the file will appear.
    pub fn dest(&self) -> &Path {
        &self.dest
    }

    /// Rows in the file.
    pub fn rows(&self) -> u64 {
        self.rows
    }
}

fn write_json_value(out: &mut impl Write, value: &Value) -> std::io::Result<()> {
    match value {
        Value::Null => out.write_all(b"null"),
        Value::Bool(b) => out.write_all(if *b { b"true" } else { b"false" }),
        Value::Int(i) => write!(out, "{i}"),
        Value::Float(x) if x.is_finite() => write!(out, "{x}"),
        Value::Float(_) => out.write_all(b"null"),
        Value::Text(s) => serde_json::to_writer(out, s).map_err(std::io::Error::from),
        Value::Json(v) => serde_json::to_writer(out, v).map_err(std::io::Error::from),
    }
}

fn io(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        path: path.to_owned(),
        source,
    }
}

fn csv_error(path: &Path, e: csv::Error) -> Error {
    io(path, std::io::Error::other(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Column, DataType};

    fn table() -> Table {
        Table::new("t")
            .with_column(Column::new("id", DataType::Integer))
            .with_column(Column::new("name", DataType::Text).nullable())
            .with_column(Column::new("score", DataType::Float))
    }

    fn rows() -> Vec<Row> {
        vec![
            vec![Value::Int(1), Value::from("a, \"quoted\""), Value::Float(1.5)],
            vec![Value::Int(2), Value::Null, Value::Float(-0.25)],
        ]
    }

    fn write(format: Format) -> String {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(format!("t.{format}"));
        let mut w = TableWriter::create(&path, format, &table()).unwrap();
        for row in rows() {
            w.write_row(&row).unwrap();
        }
        w.finish().unwrap().commit().unwrap();
        std::fs::read_to_string(path).unwrap()
    }

    #[test]
    fn csv_quotes_and_writes_null_as_empty() {
        assert_eq!(
            write(Format::Csv),
            "id,name,score\n1,\"a, \"\"quoted\"\"\",1.5\n2,,-0.25\n"
        );
    }

    #[test]
    fn json_is_one_parseable_array() {
        let parsed: serde_json::Value = serde_json::from_str(&write(Format::Json)).unwrap();
        assert_eq!(
            parsed,
            serde_json::json!([
                {"id": 1, "name": "a, \"quoted\"", "score": 1.5},
                {"id": 2, "name": null, "score": -0.25},
            ])
        );
    }

    #[test]
    fn jsonl_is_one_object_per_line() {
        let text = write(Format::Jsonl);
        let lines: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1]["name"], serde_json::Value::Null);
    }

    #[test]
    fn empty_json_table_is_an_empty_array() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.json");
        TableWriter::create(&path, Format::Json, &table())
            .unwrap()
            .finish()
            .unwrap()
            .commit()
            .unwrap();
        let parsed: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        assert_eq!(parsed, serde_json::json!([]));
    }

    #[test]
    fn abandoned_writer_leaves_no_file_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        let mut w = TableWriter::create(&path, Format::Csv, &table()).unwrap();
        w.write_row(&rows()[0]).unwrap();
        let pending = w.finish().unwrap();
        drop(pending);
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "temp file removed, nothing committed"
        );
    }
}
