//! Generated rows as SeaORM `Model`s, with no database.

use std::borrow::Cow;

use sea_orm::{EntityTrait, TryIntoModel};
use syda::engine::Engine;
use syda::plan::Planner;
use syda::{Dataset, Row, Schema, Table};

use crate::entities::active_model;
use crate::error::{Error, Result};
use crate::introspect::{Describe, table};

/// `n` models of entity `E` from `engine`: typed fixtures, no database.
///
/// Rows are converted column by column into the field types of `E::Model`
/// (through its ActiveModel), so the `Model` needs no serde derive. A
/// self-referencing foreign key points at earlier rows; foreign keys to
/// *other* entities get plain values of their type here — generate related
/// entities together with [`crate::Entities::generate`] and [`models`] to get
/// keys that match.
///
/// ```
/// mod customer {
///     use sea_orm::entity::prelude::*;
///
///     #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
///     #[sea_orm(table_name = "customer")]
///     pub struct Model {
///         #[sea_orm(primary_key)]
///         pub id: i32,
///         pub name: String,
///         pub notes: Option<String>,
///     }
///
///     #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
///     pub enum Relation {}
///
///     impl ActiveModelBehavior for ActiveModel {}
/// }
///
/// let engine = syda::engine::OfflineEngine::new().with_seed(7);
/// let customers: Vec<customer::Model> = syda_seaorm::generate::<customer::Entity>(&engine, 3)?;
/// assert_eq!(customers.iter().map(|c| c.id).collect::<Vec<_>>(), [1, 2, 3]);
/// # Ok::<(), syda_seaorm::Error>(())
/// ```
pub fn generate<E>(engine: &impl Engine, n: u64) -> Result<Vec<E::Model>>
where
    E: EntityTrait,
    E::ActiveModel: TryIntoModel<E::Model>,
{
    generate_table::<E>(table::<E>(), engine, n)
}

impl<E> Describe<E>
where
    E: EntityTrait,
    E::ActiveModel: TryIntoModel<E::Model>,
{
    /// `n` models of the described entity: as [`generate`], with this
    /// description's docs and hints.
    pub fn generate(&self, engine: &impl Engine, n: u64) -> Result<Vec<E::Model>> {
        generate_table::<E>(self.table().clone(), engine, n)
    }
}

fn generate_table<E>(mut table: Table, engine: &impl Engine, n: u64) -> Result<Vec<E::Model>>
where
    E: EntityTrait,
    E::ActiveModel: TryIntoModel<E::Model>,
{
    // Only the entity itself is here: keys to other tables become plain values.
    let own = table.name.clone();
    for col in table.columns.to_mut() {
        if col.foreign_key.as_ref().is_some_and(|r| r.table != own) {
            col.foreign_key = None;
        }
    }
    let foreign: Vec<_> = table
        .foreign_keys
        .iter()
        .filter(|k| k.table == own)
        .cloned()
        .collect();
    table.foreign_keys = Cow::Owned(foreign);
    let schema = Schema::from(table);
    let data = Planner::new(&schema).rows(n).generate(engine)?;
    models::<E>(&data)
}

/// The rows of `E`'s table in a data set as models (see [`crate::Entities::generate`]).
pub fn models<E>(data: &Dataset) -> Result<Vec<E::Model>>
where
    E: EntityTrait,
    E::ActiveModel: TryIntoModel<E::Model>,
{
    let name = E::default().table_name();
    let (table, rows) = data
        .tables()
        .find(|(t, _)| t.name == name)
        .ok_or_else(|| Error::Setup(format!("the data set has no table `{name}`")))?;
    rows.iter()
        .enumerate()
        .map(|(i, row)| model::<E>(table, row, i as u64))
        .collect()
}

/// One generated row (values in `table`'s column order) as a model.
pub fn model<E>(table: &Table, row: &Row, index: u64) -> Result<E::Model>
where
    E: EntityTrait,
    E::ActiveModel: TryIntoModel<E::Model>,
{
    active_model::<E>(table, row, index)?
        .try_into_model()
        .map_err(|e| Error::Convert {
            table: table.name.to_string(),
            column: "*".to_owned(),
            row: index,
            message: e.to_string(),
        })
}
