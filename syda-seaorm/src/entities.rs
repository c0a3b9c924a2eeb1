//! Several entities as one schema, with what seeding needs from each
//! (typed inserts behind a small object-safe trait).

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

use sea_orm::sea_query::{Expr, TableRef, Value as SeaValue};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, IdenStatic, Iterable, ModelTrait,
    PrimaryKeyToColumn, PrimaryKeyTrait, QueryFilter, QueryOrder,
};
use syda::engine::Engine;
use syda::plan::Planner;
use syda::seed::DeferredUpdate;
use syda::{Dataset, Row, Schema, Table};

use crate::error::{Error, Result};
use crate::introspect::{Describe, describe};
use crate::types::{integer_limit, to_sea};

pub(crate) type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A set of entities: one [`syda::Schema`] for generation, and typed
/// inserts for seeding.
///
/// ```
/// # mod bakery {
/// #     use sea_orm::entity::prelude::*;
/// #     #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
/// #     #[sea_orm(table_name = "bakery")]
/// #     pub struct Model { #[sea_orm(primary_key)] pub id: i32, pub name: String }
/// #     #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
/// #     pub enum Relation {}
/// #     impl ActiveModelBehavior for ActiveModel {}
/// # }
/// # mod cake {
/// #     use sea_orm::entity::prelude::*;
/// #     #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
/// #     #[sea_orm(table_name = "cake")]
/// #     pub struct Model { #[sea_orm(primary_key)] pub id: i32, pub name: String, pub bakery_id: i32 }
/// #     #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
/// #     pub enum Relation {
/// #         #[sea_orm(belongs_to = "super::bakery::Entity", from = "Column::BakeryId", to = "super::bakery::Column::Id")]
/// #         Bakery,
/// #     }
/// #     impl ActiveModelBehavior for ActiveModel {}
/// # }
/// use syda_seaorm::Entities;
///
/// # fn main() -> Result<(), syda_seaorm::Error> {
/// let entities = Entities::new()
///     .add::<bakery::Entity>()
///     .with(syda_seaorm::describe::<cake::Entity>().doc("A cake a bakery sells"));
/// let data = entities.generate(&syda::engine::OfflineEngine::new(), |plan| plan.rows(5))?;
/// let cakes: Vec<cake::Model> = syda_seaorm::models::<cake::Entity>(&data)?;
/// assert_eq!(cakes.len(), 5);
/// assert!(cakes.iter().all(|c| (1..=5).contains(&c.bakery_id)));
/// # Ok(())
/// # }
/// ```
#[derive(Default)]
pub struct Entities {
    pub(crate) items: Vec<Box<dyn AnyEntity>>,
}

impl std::fmt::Debug for Entities {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.items.iter().map(|e| e.table().name.clone()))
            .finish()
    }
}

impl Entities {
    /// No entities yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds entity `E` as introspected ([`crate::table`]).
    pub fn add<E: Seedable>(self) -> Self {
        self.with(describe::<E>())
    }

    /// Adds an entity with the docs and hints of a [`describe`] builder.
    pub fn with<E: Seedable>(mut self, described: Describe<E>) -> Self {
        self.items.push(Box::new(Typed::<E> {
            table: described.into_table(),
            entity: PhantomData,
        }));
        self
    }

    /// The entities' tables as one schema, in the order they were added,
    /// validated (a foreign key to an entity that was not added is reported
    /// with its table and column).
    pub fn schema(&self) -> Result<Schema> {
        let mut seen = std::collections::HashSet::new();
        for item in &self.items {
            if !seen.insert(item.table().name.to_string()) {
                return Err(Error::Setup(format!(
                    "table `{}` was added twice; add each entity once",
                    item.table().name
                )));
            }
        }
        let schema = Schema::new(self.items.iter().map(|e| e.table().clone()));
        schema.validate()?;
        Ok(schema)
    }

    /// Generates every table in foreign-key order with no database: typed
    /// fixtures for tests through [`crate::models`]. `plan` sets sizes and
    /// fan-outs (`|p| p.rows(10).size("cake", 30)`).
    pub fn generate<G: Engine>(
        &self,
        engine: &G,
        plan: impl for<'s> FnOnce(Planner<'s>) -> Planner<'s>,
    ) -> Result<Dataset> {
        let schema = self.schema()?;
        Ok(plan(Planner::new(&schema)).generate(engine)?)
    }

    pub(crate) fn get(&self, table: &str) -> Option<&dyn AnyEntity> {
        self.items.iter().find(|e| e.table().name == table).map(|e| &**e)
    }
}

/// What an entity needs to be generated and inserted: any `DeriveEntityModel`
/// entity qualifies.
pub trait Seedable: EntityTrait<ActiveModel: Send + Sync, Model: Send + Sync> + Send + Sync {}

impl<E> Seedable for E
where
    E: EntityTrait + Send + Sync,
    E::ActiveModel: Send + Sync,
    E::Model: Send + Sync,
{
}

/// An auto-increment integer key: the column the database numbers itself.
pub(crate) struct AutoKey {
    pub column: String,
}

pub(crate) trait AnyEntity: Send + Sync {
    fn table(&self) -> &Table;
    fn table_ref(&self) -> TableRef;
    fn auto_key(&self) -> Option<AutoKey>;
    /// The largest value the field of integer column `column` holds.
    fn integer_limit(&self, column: &str) -> Option<i64>;
    /// `MAX(column)` of the table, for an integer column.
    fn max_of<'a>(
        &'a self,
        txn: &'a DatabaseTransaction,
        column: &'a str,
    ) -> BoxFuture<'a, Result<Option<i64>>>;
    fn insert<'a>(
        &'a self,
        txn: &'a DatabaseTransaction,
        table: &'a Table,
        rows: &'a [Row],
        first: u64,
    ) -> BoxFuture<'a, Result<u64>>;
    /// Runs a deferred-key update; returns the rows changed.
    fn update<'a>(
        &'a self,
        txn: &'a DatabaseTransaction,
        table: &'a Table,
        update: &'a DeferredUpdate,
    ) -> BoxFuture<'a, Result<u64>>;
}

struct Typed<E> {
    table: Table,
    entity: PhantomData<fn() -> E>,
}

fn column_named<E: EntityTrait>(name: &str) -> Option<E::Column> {
    E::Column::iter().find(|c| c.as_str() == name)
}

impl<E: Seedable> AnyEntity for Typed<E> {
    fn table(&self) -> &Table {
        &self.table
    }

    fn table_ref(&self) -> TableRef {
        E::default().table_ref()
    }

    fn auto_key(&self) -> Option<AutoKey> {
        let mut keys = E::PrimaryKey::iter();
        let (Some(key), None) = (keys.next(), keys.next()) else {
            return None;
        };
        if !E::PrimaryKey::auto_increment() {
            return None;
        }
        let column = key.into_column();
        integer_limit(&<E::Model as ModelTrait>::get_value_type(column))?;
        Some(AutoKey {
            column: column.as_str().to_owned(),
        })
    }

    fn integer_limit(&self, column: &str) -> Option<i64> {
        let column = column_named::<E>(column)?;
        integer_limit(&<E::Model as ModelTrait>::get_value_type(column))
    }

    fn max_of<'a>(
        &'a self,
        txn: &'a DatabaseTransaction,
        column: &'a str,
    ) -> BoxFuture<'a, Result<Option<i64>>> {
        Box::pin(async move {
            let Some(key) = column_named::<E>(column) else {
                return Ok(None);
            };
            let last = E::find()
                .order_by_desc(key)
                .one(txn)
                .await
                .map_err(Error::db(format!(
                    "reading the largest `{column}` of table `{}`",
                    self.table.name
                )))?;
            Ok(last.and_then(|m| as_i64(&m.get(key))))
        })
    }

    fn insert<'a>(
        &'a self,
        txn: &'a DatabaseTransaction,
        table: &'a Table,
        rows: &'a [Row],
        first: u64,
    ) -> BoxFuture<'a, Result<u64>> {
        Box::pin(async move {
            let models = rows
                .iter()
                .enumerate()
                .map(|(i, row)| active_model::<E>(table, row, first + i as u64))
                .collect::<Result<Vec<_>>>()?;
            let context = format!(
                "inserting rows {first}..{} of table `{}`",
                first + rows.len() as u64,
                table.name
            );
            E::insert_many(models)
                .exec_without_returning(txn)
                .await
                .map_err(Error::db(context))
        })
    }

    fn update<'a>(
        &'a self,
        txn: &'a DatabaseTransaction,
        table: &'a Table,
        update: &'a DeferredUpdate,
    ) -> BoxFuture<'a, Result<u64>> {
        Box::pin(async move {
            let named = |at: &usize| Some((*at, column_named::<E>(&table.columns[*at].name)?));
            let key: Vec<(usize, E::Column)> = update.key.iter().filter_map(named).collect();
            let set: Vec<(usize, E::Column)> = update.set.iter().filter_map(named).collect();
            let mut changed = 0;
            for (i, (key_values, set_values)) in update.rows.iter().enumerate() {
                let value = |v: &syda::Value, at: usize, col: E::Column| {
                    let ty = <E::Model as ModelTrait>::get_value_type(col);
                    to_sea(v, &ty, &table.columns[at]).map_err(|message| Error::Convert {
                        table: table.name.to_string(),
                        column: col.as_str().to_owned(),
                        row: i as u64,
                        message,
                    })
                };
                let mut statement = E::update_many();
                for (&(at, col), v) in set.iter().zip(set_values) {
                    statement = statement.col_expr(col, Expr::value(value(v, at, col)?));
                }
                for (&(at, col), v) in key.iter().zip(key_values) {
                    statement = statement.filter(col.eq(value(v, at, col)?));
                }
                let names: Vec<&str> = set.iter().map(|(_, c)| c.as_str()).collect();
                changed += statement
                    .exec(txn)
                    .await
                    .map_err(Error::db(format!(
                        "filling the deferred key ({}) of row {i} of table `{}`",
                        names.join(", "),
                        table.name
                    )))?
                    .rows_affected;
            }
            Ok(changed)
        })
    }
}

/// One generated row as an ActiveModel with every column set.
pub(crate) fn active_model<E: EntityTrait>(table: &Table, row: &Row, index: u64) -> Result<E::ActiveModel> {
    let mut model = <E::ActiveModel as ActiveModelTrait>::default();
    for column in E::Column::iter() {
        let name = column.as_str();
        let Some(at) = table.column_index(name) else {
            continue;
        };
        let convert = |message: String| Error::Convert {
            table: table.name.to_string(),
            column: name.to_owned(),
            row: index,
            message,
        };
        let ty = <E::Model as ModelTrait>::get_value_type(column);
        let value = to_sea(&row[at], &ty, &table.columns[at]).map_err(convert)?;
        model.try_set(column, value).map_err(|e| convert(e.to_string()))?;
    }
    Ok(model)
}

fn as_i64(value: &SeaValue) -> Option<i64> {
    match *value {
        SeaValue::TinyInt(Some(i)) => Some(i.into()),
        SeaValue::SmallInt(Some(i)) => Some(i.into()),
        SeaValue::Int(Some(i)) => Some(i.into()),
        SeaValue::BigInt(Some(i)) => Some(i),
        SeaValue::TinyUnsigned(Some(i)) => Some(i.into()),
        SeaValue::SmallUnsigned(Some(i)) => Some(i.into()),
        SeaValue::Unsigned(Some(i)) => Some(i.into()),
        SeaValue::BigUnsigned(Some(i)) => i64::try_from(i).ok(),
        _ => None,
    }
}
