//! Fitting database tables: rows read with [`crate::db::read_table`], then
//! fitted as [`Source::Rows`] (feature `db`).

use super::engine::StatsEngine;
use super::fit::{FitOptions, fit_with};
use super::model::FittedModel;
use super::related::{DatabaseModel, TableRows, fit_related};
use super::source::Source;
use crate::db::{Database, IntrospectOptions, ReadOptions};
use crate::error::Result;
use crate::schema::Schema;

impl Source {
    /// The rows of `table` in the database at `url` (read now, blocking, on
    /// a private runtime), as [`Source::Rows`] named after the table. Use
    /// [`ReadOptions::limit`] to fit a huge table on a bounded sample.
    pub fn database(url: &str, table: &str, options: &ReadOptions) -> Result<Source> {
        let (columns, rows) = crate::db::blocking::read_table(url, table, options)?;
        Ok(Source::rows(table, columns, rows))
    }

    /// [`Source::database`] through an open pool, for async programs.
    pub async fn from_database(db: &Database, table: &str, options: &ReadOptions) -> Result<Source> {
        let (columns, rows) = crate::db::read_table(db, table, options).await?;
        Ok(Source::rows(table, columns, rows))
    }
}

/// Fits a model to `table` of the database at `url` (blocking): the rows
/// [`ReadOptions`] select, fitted with `fit`.
///
/// ```no_run
/// use syda::db::ReadOptions;
/// use syda::engine::stats::{FitOptions, fit_table};
///
/// let sample = ReadOptions::default().limit(100_000).random(true);
/// let model = fit_table("postgres://postgres@127.0.0.1/shop", "orders", &sample, &FitOptions::default())?;
/// model.save("orders.model.json".as_ref())?;
/// # Ok::<(), syda::Error>(())
/// ```
pub fn fit_table(url: &str, table: &str, read: &ReadOptions, fit: &FitOptions) -> Result<FittedModel> {
    fit_with(&Source::database(url, table, read)?, fit)
}

/// Every selected table of a database, fitted: the introspected schema
/// (keys, foreign keys, CHECK constraints) and one model per table.
#[derive(Debug, Clone)]
pub struct FittedDatabase {
    /// The schema as [`crate::db::introspect`] reads it.
    pub schema: Schema,
    /// One model per table of `schema`, in its order (tables with no rows
    /// have none: the offline engine fills them).
    pub models: Vec<FittedModel>,
}

impl FittedDatabase {
    /// An engine with every model (`None` when no table had rows: use an
    /// [`OfflineEngine`](crate::engine::OfflineEngine) then). Plan with [`FittedDatabase::schema`], so
    /// the planner fills primary and foreign keys from the real keys and
    /// references (referential integrity), while the models fill the other
    /// columns with the real data's distributions and correlations.
    ///
    /// ```no_run
    /// use syda::db::{IntrospectOptions, ReadOptions};
    /// use syda::engine::stats::{FitOptions, fit_database};
    /// use syda::plan::Planner;
    ///
    /// let fitted = fit_database(
    ///     "postgres://postgres@127.0.0.1/shop",
    ///     &IntrospectOptions::default(),
    ///     &ReadOptions::default().limit(50_000),
    ///     &FitOptions::default(),
    /// )?;
    /// let engine = fitted.engine().expect("some table has rows");
    /// let data = Planner::new(&fitted.schema).rows(1000).generate(&engine)?;
    /// # Ok::<(), syda::Error>(())
    /// ```
    pub fn engine(&self) -> Option<StatsEngine> {
        let mut models = self.models.iter().cloned();
        let first = models.next()?;
        Some(models.fold(StatsEngine::new(first), StatsEngine::with_model))
    }
}

/// Introspects the database at `url` and fits every table `introspect`
/// selects (blocking). Tables without rows get no model. `read.schema`
/// defaults to `introspect.schema`.
pub fn fit_database(
    url: &str,
    introspect: &IntrospectOptions,
    read: &ReadOptions,
    fit: &FitOptions,
) -> Result<FittedDatabase> {
    let runtime = crate::db::blocking::runtime()?;
    let mut read = read.clone();
    if read.schema.is_none() {
        read.schema.clone_from(&introspect.schema);
    }
    let (schema, sources) = runtime.block_on(async {
        let db = Database::connect(url).await?;
        let result = async {
            let schema = crate::db::introspect(&db, introspect).await?;
            let mut sources = Vec::with_capacity(schema.tables.len());
            for table in schema.tables.iter() {
                sources.push(Source::from_database(&db, &table.name, &read).await?);
            }
            Ok::<_, crate::Error>((schema, sources))
        }
        .await;
        db.close().await;
        result
    })?;
    let mut models = Vec::with_capacity(sources.len());
    for source in &sources {
        if matches!(source, Source::Rows { rows, .. } if rows.is_empty()) {
            continue;
        }
        models.push(fit_with(
            source,
            &FitOptions {
                table: None,
                ..fit.clone()
            },
        )?);
    }
    Ok(FittedDatabase { schema, models })
}

/// Introspects the database at `url` and fits every selected table as one
/// [`DatabaseModel`] (blocking): single-column foreign keys become
/// children-per-parent distributions and parent context, so
/// [`DatabaseModel::sample`] rebuilds the database at any scale with every
/// foreign key valid. Self-references and composite keys are left to the
/// columns' models. Tables without rows are fitted from no rows: an error
/// naming them.
pub fn fit_database_model(
    url: &str,
    introspect: &IntrospectOptions,
    read: &ReadOptions,
    fit: &FitOptions,
) -> Result<DatabaseModel> {
    let runtime = crate::db::blocking::runtime()?;
    let mut read = read.clone();
    if read.schema.is_none() {
        read.schema.clone_from(&introspect.schema);
    }
    let tables = runtime.block_on(async {
        let db = Database::connect(url).await?;
        let result = async {
            let schema = crate::db::introspect(&db, introspect).await?;
            let mut tables = Vec::with_capacity(schema.tables.len());
            for table in schema.tables.iter() {
                let (columns, rows) = crate::db::read_table(&db, &table.name, &read).await?;
                tables.push(table_rows(table, columns, rows));
            }
            Ok::<_, crate::Error>(tables)
        }
        .await;
        db.close().await;
        result
    })?;
    fit_related(tables, fit)
}

/// A schema table's rows with its primary key and single-column foreign keys
/// (not self-references).
pub fn table_rows(
    table: &crate::schema::Table,
    columns: Vec<String>,
    rows: Vec<crate::value::Row>,
) -> TableRows {
    let primary_key = table
        .columns
        .iter()
        .find(|c| c.primary_key)
        .map(|c| c.name.to_string());
    let foreign_keys = table
        .all_foreign_keys()
        .into_iter()
        .filter(|fk| fk.columns.len() == 1 && fk.table != table.name)
        .map(|fk| {
            (
                fk.columns[0].to_string(),
                fk.table.to_string(),
                fk.references[0].to_string(),
            )
        })
        .collect();
    TableRows {
        name: table.name.to_string(),
        columns,
        rows,
        primary_key,
        foreign_keys,
    }
}
