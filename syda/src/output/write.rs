use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use super::Format;
use super::encode::ChunkEncoder;
use crate::error::{Error, Result};
use crate::schema::Table;
use crate::value::Row;

/// Bytes of encoded rows kept before they go to the file.
const FLUSH_AT: usize = 64 * 1024;

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
///
/// A SQL table file ([`Format::Sql`]) is a script of its own: the table's
/// rows in one transaction. [`super::ScriptWriter`] writes many tables as
/// one script.
#[allow(missing_debug_implementations)] // holds open writers; nothing useful to print
pub struct TableWriter {
    dest: PathBuf,
    format: Format,
    sink: Sink,
    rows: u64,
}

enum Sink {
    Text {
        out: BufWriter<NamedTempFile>,
        encoder: ChunkEncoder,
        buf: Vec<u8>,
    },
    #[cfg(feature = "parquet")]
    Parquet(Box<super::parquet::ParquetSink>),
}

/// A fully written file waiting to be renamed into place.
#[derive(Debug)]
pub struct PendingFile {
    temp: NamedTempFile,
    dest: PathBuf,
    rows: u64,
}

/// A temporary file in `dir` for `dest`, created with the mode an ordinary
/// new file gets (0666 less the umask: 0644 by default) rather than the
/// 0600 of temporary files, since it becomes the output once renamed.
pub(crate) fn create_temp(dir: &Path, dest: &Path) -> Result<NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".syda-").suffix(".partial");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    builder.tempfile_in(dir).map_err(|source| io(dest, source))
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
        let temp = create_temp(dir, dest)?;
        let sink = match ChunkEncoder::new(format, table) {
            Some(encoder) => {
                let mut buf = Vec::with_capacity(FLUSH_AT * 2);
                if let Format::Sql(dialect) = format {
                    buf.extend_from_slice(super::sql::begin(dialect).as_bytes());
                }
                encoder.header(&mut buf);
                Sink::Text {
                    out: BufWriter::with_capacity(256 * 1024, temp),
                    encoder,
                    buf,
                }
            }
            None => parquet_sink(temp, dest, table)?,
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
        match &mut self.sink {
            Sink::Text { out, encoder, buf } => {
                encoder.encode(self.rows, std::slice::from_ref(row), buf);
                if buf.len() >= FLUSH_AT {
                    out.write_all(buf).map_err(|source| io(&self.dest, source))?;
                    buf.clear();
                }
            }
            #[cfg(feature = "parquet")]
            Sink::Parquet(sink) => sink.push(row)?,
        }
        self.rows += 1;
        Ok(())
    }

    /// The encoder of this file's rows, for encoding chunks elsewhere (on
    /// other threads) and handing them to [`TableWriter::write_encoded`];
    /// `None` for Parquet, which takes rows.
    pub fn encoder(&self) -> Option<&ChunkEncoder> {
        match &self.sink {
            Sink::Text { encoder, .. } => Some(encoder),
            #[cfg(feature = "parquet")]
            Sink::Parquet(_) => None,
        }
    }

    /// Appends `rows` rows already encoded by [`TableWriter::encoder`],
    /// starting at row [`TableWriter::rows`].
    pub fn write_encoded(&mut self, bytes: &[u8], rows: u64) -> Result<()> {
        match &mut self.sink {
            Sink::Text { out, buf, .. } => {
                if !buf.is_empty() {
                    out.write_all(buf).map_err(|source| io(&self.dest, source))?;
                    buf.clear();
                }
                out.write_all(bytes).map_err(|source| io(&self.dest, source))?;
            }
            #[cfg(feature = "parquet")]
            Sink::Parquet(_) => {
                return Err(Error::Generate {
                    table: self.dest.display().to_string(),
                    column: "*".to_owned(),
                    message: "a Parquet file takes rows, not encoded bytes".to_owned(),
                });
            }
        }
        self.rows += rows;
        Ok(())
    }

    /// Rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// The file's format.
    pub fn format(&self) -> Format {
        self.format
    }

    /// Flushes everything to the temporary file; nothing is visible at the
    /// destination until [`PendingFile::commit`].
    pub fn finish(self) -> Result<PendingFile> {
        let dest = self.dest;
        let temp = match self.sink {
            Sink::Text {
                mut out,
                encoder,
                mut buf,
            } => {
                encoder.footer(self.rows, &mut buf);
                if let Format::Sql(_) = self.format {
                    buf.extend_from_slice(b"COMMIT;\n");
                }
                out.write_all(&buf).map_err(|source| io(&dest, source))?;
                out.into_inner().map_err(|e| io(&dest, e.into_error()))?
            }
            #[cfg(feature = "parquet")]
            Sink::Parquet(sink) => sink.finish()?,
        };
        temp.as_file().sync_data().map_err(|source| io(&dest, source))?;
        Ok(PendingFile::new(temp, dest, self.rows))
    }
}

#[cfg(feature = "parquet")]
fn parquet_sink(temp: NamedTempFile, dest: &Path, table: &Table) -> Result<Sink> {
    Ok(Sink::Parquet(Box::new(super::parquet::ParquetSink::new(
        temp, dest, table,
    )?)))
}

#[cfg(not(feature = "parquet"))]
fn parquet_sink(_temp: NamedTempFile, dest: &Path, _table: &Table) -> Result<Sink> {
    Err(io(
        dest,
        std::io::Error::new(
            std::io::ErrorKind::Unsupported,
            "Parquet output needs syda's `parquet` feature (the syda CLI has it)",
        ),
    ))
}

impl PendingFile {
    pub(crate) fn new(temp: NamedTempFile, dest: PathBuf, rows: u64) -> PendingFile {
        PendingFile { temp, dest, rows }
    }

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

pub(crate) fn io(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        path: path.to_owned(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Column, DataType};
    use crate::value::Value;

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

    #[test]
    fn json_chunks_encoded_apart_give_the_same_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.json");
        let mut w = TableWriter::create(&path, Format::Json, &table()).unwrap();
        let encoder = w.encoder().unwrap().clone();
        let (mut a, mut b) = (Vec::new(), Vec::new());
        encoder.encode(0, &rows()[..1], &mut a);
        encoder.encode(1, &rows()[1..], &mut b);
        w.write_encoded(&a, 1).unwrap();
        w.write_encoded(&b, 1).unwrap();
        w.finish().unwrap().commit().unwrap();
        assert_eq!(std::fs::read_to_string(path).unwrap(), write(Format::Json));
    }

    #[test]
    fn single_column_null_rows_are_quoted_empty_fields() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("one.csv");
        let one = Table::new("one").with_column(Column::new("x", DataType::Text).nullable());
        let mut w = TableWriter::create(&path, Format::Csv, &one).unwrap();
        w.write_row(&vec![Value::Null]).unwrap();
        w.write_row(&vec![Value::from("")]).unwrap();
        w.finish().unwrap().commit().unwrap();
        assert_eq!(std::fs::read_to_string(path).unwrap(), "x\n\"\"\n\"\"\n");
    }

    /// Output files get the mode a plain new file gets under the current
    /// umask (0644 by default), not a temporary file's 0600.
    #[cfg(unix)]
    #[test]
    fn committed_files_have_the_usual_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("plain");
        std::fs::File::create(&plain).unwrap();
        let expected = std::fs::metadata(&plain).unwrap().permissions().mode() & 0o777;
        let path = dir.path().join("t.csv");
        let w = TableWriter::create(&path, Format::Csv, &table()).unwrap();
        w.finish().unwrap().commit().unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, expected, "{mode:o} vs {expected:o}");
    }
}
