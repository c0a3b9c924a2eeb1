//! A generated (or loaded) set of tables: rows per table plus the schema
//! they follow.

use std::path::{Path, PathBuf};

use indexmap::IndexMap;

use crate::error::{Error, Result};
use crate::output::{Format, PendingFile, ScriptWriter, TableWriter, read_table};
use crate::plan::{DeferredKey, Order, Planner};
use crate::schema::{Schema, Table};
use crate::synthetic::Synthetic;
use crate::value::Row;

/// Rows for the tables of a schema, in schema order.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    schema: Schema,
    tables: IndexMap<String, Vec<Row>>,
    deferred: Vec<DeferredKey>,
}

impl Dataset {
    /// A data set from rows given in schema table order. Every row must have
    /// one value per column.
    pub fn from_tables(schema: Schema, tables: Vec<Vec<Row>>) -> Result<Dataset> {
        let mut map = IndexMap::new();
        for (table, rows) in schema.tables.iter().zip(tables) {
            check_width(table, &rows)?;
            map.insert(table.name.to_string(), rows);
        }
        Ok(Dataset {
            schema,
            tables: map,
            deferred: Vec::new(),
        })
    }

    pub(crate) fn from_map(schema: Schema, tables: IndexMap<String, Vec<Row>>) -> Dataset {
        Dataset {
            schema,
            tables,
            deferred: Vec::new(),
        }
    }

    pub(crate) fn with_deferred(mut self, deferred: Vec<DeferredKey>) -> Dataset {
        self.deferred = deferred;
        self
    }

    /// Foreign keys that were filled after their parent table was generated,
    /// because tables reference each other. A database loader inserts these
    /// columns as NULL and UPDATEs them once every table is in.
    pub fn deferred(&self) -> &[DeferredKey] {
        &self.deferred
    }

    /// The schema the rows follow.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// Rows of the table named `name`, if the data set has it.
    pub fn table(&self, name: &str) -> Option<&[Row]> {
        self.tables.get(name).map(Vec::as_slice)
    }

    /// Tables and their rows, in schema order.
    pub fn tables(&self) -> impl Iterator<Item = (&Table, &[Row])> {
        self.schema
            .tables
            .iter()
            .filter_map(|t| Some((t, self.tables.get(t.name.as_ref())?.as_slice())))
    }

    /// The rows of `T`'s table as typed values.
    pub fn rows<T: Synthetic>(&self) -> Result<Vec<T>> {
        let own = T::TABLE;
        let table = self.schema.table(&own.name).unwrap_or(&own);
        let rows = self.table(&T::TABLE.name).ok_or_else(|| Error::Generate {
            table: T::TABLE.name.to_string(),
            column: "*".to_owned(),
            message: "the data set has no such table".to_owned(),
        })?;
        rows.iter()
            .enumerate()
            .map(|(i, row)| to_typed(table, i as u64, row))
            .collect()
    }

    /// Writes each table to `dir/<table>.<format>`; for [`Format::Sql`],
    /// every table to one script `dir/data.sql` (foreign-key order, one
    /// transaction, no CREATE TABLE). All files appear together at the
    /// end; on error none of them does.
    pub fn write_dir(&self, dir: &Path, format: Format) -> Result<Vec<PathBuf>> {
        if let Format::Sql(dialect) = format {
            let order = Order {
                tables: Planner::new(&self.schema).order()?.tables,
                deferred: self.deferred.clone(),
            };
            let mut script = ScriptWriter::create(&dir.join("data.sql"), dialect, &self.schema, &order)?;
            for (table, rows) in self.tables() {
                script.write_table(table, &mut rows.iter().cloned().map(Ok))?;
            }
            return Ok(vec![script.finish()?.commit()?]);
        }
        let mut pending: Vec<PendingFile> = Vec::new();
        for (table, rows) in self.tables() {
            let path = dir.join(format!("{}.{}", table.name, format.extension()));
            let mut writer = TableWriter::create(&path, format, table)?;
            for row in rows {
                writer.write_row(row)?;
            }
            pending.push(writer.finish()?);
        }
        pending.into_iter().map(PendingFile::commit).collect()
    }

    /// Reads `dir/<table>.{csv,json,jsonl,parquet}` for each table of
    /// `schema`, or, for sharded output, every `dir/<table>/part-*.<ext>`
    /// in name order (shard order). Tables with no file are left out (a
    /// check reports them missing).
    pub fn read_dir(schema: Schema, dir: &Path) -> Result<Dataset> {
        if !dir.is_dir() {
            return Err(Error::Io {
                path: dir.to_owned(),
                source: std::io::Error::new(std::io::ErrorKind::NotFound, "not a directory"),
            });
        }
        let mut tables = IndexMap::new();
        for table in &schema.tables {
            let found = Format::ALL.iter().find_map(|&format| {
                let path = dir.join(format!("{}.{}", table.name, format.extension()));
                path.is_file().then_some((path, format))
            });
            if let Some((path, format)) = found {
                tables.insert(table.name.to_string(), read_table(&path, format, table)?);
            } else if let Some(parts) = shard_parts(&dir.join(table.name.as_ref()))? {
                let mut rows = Vec::new();
                for (path, format) in parts {
                    rows.extend(read_table(&path, format, table)?);
                }
                tables.insert(table.name.to_string(), rows);
            }
        }
        Ok(Dataset::from_map(schema, tables))
    }
}

/// One row deserialised into `T` (see [`crate::typed`]).
pub(crate) fn to_typed<T: Synthetic>(table: &Table, index: u64, row: &Row) -> Result<T> {
    crate::typed::to_typed(table, index, row)
}

/// The `part-*` files of a table's shard directory, sorted by name; `None`
/// when there is no such directory.
fn shard_parts(dir: &Path) -> Result<Option<Vec<(PathBuf, Format)>>> {
    if !dir.is_dir() {
        return Ok(None);
    }
    let entries = std::fs::read_dir(dir).map_err(|source| Error::Io {
        path: dir.to_owned(),
        source,
    })?;
    let mut parts = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|source| Error::Io {
                path: dir.to_owned(),
                source,
            })?
            .path();
        let is_part = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("part-"));
        if let Some(format) = Format::from_path(&path).filter(|f| is_part && Format::ALL.contains(f)) {
            parts.push((path, format));
        }
    }
    parts.sort_by(|a, b| a.0.cmp(&b.0));
    Ok((!parts.is_empty()).then_some(parts))
}

fn check_width(table: &Table, rows: &[Row]) -> Result<()> {
    match rows.iter().position(|r| r.len() != table.columns.len()) {
        None => Ok(()),
        Some(i) => Err(Error::Generate {
            table: table.name.to_string(),
            column: "*".to_owned(),
            message: format!(
                "row {i} has {} values but the table has {} columns",
                rows[i].len(),
                table.columns.len()
            ),
        }),
    }
}
