//! Fitting database tables: rows read with [`crate::db::read_table`], then
//! fitted as [`Source::Rows`]; and rebuilding a fitted database into a live
//! one (feature `db`).

use super::engine::StatsEngine;
use super::fit::{FitOptions, fit_with};
use super::model::FittedModel;
use super::related::{DatabaseModel, GeneratedTable, TableKey, TableRows, fit_related};
use super::source::Source;
use crate::Dataset;
use crate::db::{Database, IntrospectOptions, ReadOptions, SeedOptions, SeedReport};
use crate::error::{Error, Problem, Result};
use crate::schema::{Schema, Table};
use crate::value::Value;

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
/// foreign key valid, composite keys and self-references included. Tables
/// without rows are fitted from no rows: an error naming them.
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

/// A schema table's rows with its primary key and foreign keys (composite
/// ones and self-references included).
pub fn table_rows(
    table: &crate::schema::Table,
    columns: Vec<String>,
    rows: Vec<crate::value::Row>,
) -> TableRows {
    let primary_key = table.primary_key().map(|c| c.name.to_string()).collect();
    let foreign_keys = table
        .all_foreign_keys()
        .into_iter()
        .map(|fk| TableKey {
            columns: fk.columns.iter().map(ToString::to_string).collect(),
            parent: fk.table.to_string(),
            parent_columns: fk.references.iter().map(ToString::to_string).collect(),
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

impl DatabaseModel {
    /// Generated tables ([`DatabaseModel::sample`]) as a [`Dataset`] of the
    /// target `schema` (the database's own, introspected): each generated
    /// table goes into the schema's table of the same name (compared
    /// without case when no exact match), its columns by name. Schema
    /// columns the model lacks are left out (the database fills their
    /// defaults); schema tables it lacks are not part of the data set. A
    /// generated table or column the schema does not have is an error
    /// naming every one.
    pub fn to_dataset(tables: &[GeneratedTable], schema: &Schema) -> Result<Dataset> {
        let find = |name: &str| find_table(schema, name);
        let mut problems = Vec::new();
        let mut out_tables = Vec::with_capacity(tables.len());
        let mut out_rows = Vec::with_capacity(tables.len());
        for (name, columns, rows) in tables {
            let Some(target) = find(name) else {
                problems.push(Problem::table(
                    name,
                    "is in the model but not in the database".to_owned(),
                ));
                continue;
            };
            let mut positions = Vec::with_capacity(target.columns.len());
            let mut kept = Vec::with_capacity(target.columns.len());
            for column in target.columns.iter() {
                let at = columns
                    .iter()
                    .position(|c| *c == column.name)
                    .or_else(|| columns.iter().position(|c| c.eq_ignore_ascii_case(&column.name)));
                if let Some(at) = at {
                    positions.push(at);
                    kept.push(column.clone());
                }
            }
            for c in columns {
                if !kept.iter().any(|k| k.name.eq_ignore_ascii_case(c)) {
                    problems.push(Problem::column(
                        &target.name,
                        c,
                        "is in the model but not a column of the database's table".to_owned(),
                    ));
                }
            }
            let names: Vec<String> = kept.iter().map(|c| c.name.to_string()).collect();
            let has = |cols: &[crate::schema::Text]| cols.iter().all(|c| names.iter().any(|n| n == c));
            let mut table = Table {
                name: target.name.clone(),
                doc: target.doc.clone(),
                columns: kept.into(),
                unique: target.unique.iter().filter(|k| has(k)).cloned().collect(),
                foreign_keys: target
                    .foreign_keys
                    .iter()
                    .filter(|fk| has(&fk.columns))
                    .cloned()
                    .collect(),
            };
            // Foreign keys to tables the data set leaves out are not checked.
            let generated = |t: &str| tables.iter().any(|g| find(&g.0).is_some_and(|x| x.name == t));
            for column in table.columns.to_mut() {
                if column.foreign_key.as_ref().is_some_and(|r| !generated(&r.table)) {
                    column.foreign_key = None;
                }
            }
            table.foreign_keys.to_mut().retain(|fk| generated(&fk.table));
            out_rows.push(
                rows.iter()
                    .map(|r| {
                        positions
                            .iter()
                            .map(|&p| r.get(p).cloned().unwrap_or(Value::Null))
                            .collect()
                    })
                    .collect(),
            );
            out_tables.push(table);
        }
        if !problems.is_empty() {
            return Err(Error::InvalidSchema {
                origin: "fitted database against the target database".to_owned(),
                problems,
            });
        }
        Dataset::from_tables(Schema::new(out_tables), out_rows)
    }
}

/// The schema's table named `name`, compared without case when no exact match.
fn find_table<'s>(schema: &'s Schema, name: &str) -> Option<&'s Table> {
    schema
        .table(name)
        .or_else(|| schema.tables.iter().find(|t| t.name.eq_ignore_ascii_case(name)))
}

/// Rebuilds a fitted database into the database at `url` (blocking):
/// [`DatabaseModel::sample`] at `scale` with `seed`, matched to the tables
/// the database already has ([`DatabaseModel::to_dataset`]) and loaded with
/// [`crate::db::load`] — parents first, one transaction, nothing left on
/// failure. Sole integer keys (and the keys referencing them) are moved
/// past the keys already in each table, so a database with rows takes the
/// new ones beside them.
///
/// ```no_run
/// use syda::db::SeedOptions;
/// use syda::engine::stats::{DatabaseModel, seed_database};
///
/// let json = std::fs::read_to_string("shop.json")?;
/// let model = DatabaseModel::from_json(&json, "shop.json")?;
/// let report = seed_database("postgres://postgres@127.0.0.1/shop_copy", &model, 2.0, 1, &SeedOptions::default())?;
/// println!("{report}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn seed_database(
    url: &str,
    model: &DatabaseModel,
    scale: f64,
    seed: u64,
    options: &SeedOptions,
) -> Result<SeedReport> {
    crate::db::blocking::runtime()?.block_on(async {
        let db = Database::connect(url).await?;
        let report = seed_database_with(&db, model, scale, seed, options).await;
        db.close().await;
        report
    })
}

/// [`seed_database`] through an open pool, for async programs.
pub async fn seed_database_with(
    db: &Database,
    model: &DatabaseModel,
    scale: f64,
    seed: u64,
    options: &SeedOptions,
) -> Result<SeedReport> {
    if !(scale.is_finite() && scale > 0.0) {
        return Err(Error::Fit {
            source: None,
            origin: "the fitted database".to_owned(),
            message: format!("scale {scale} must be a positive number"),
        });
    }
    let tables = model.sample(scale, seed)?;
    let introspect = IntrospectOptions {
        schema: options.schema.clone(),
        ..IntrospectOptions::default()
    };
    let schema = crate::db::introspect(db, &introspect).await?;
    let data = DatabaseModel::to_dataset(&tables, &schema)?;
    // A second seed goes in beside the first: keys past the existing ones.
    let options = options.clone().keys_past_existing(true);
    crate::db::load(db, &data, &options).await
}
