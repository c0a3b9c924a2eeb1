//! Entities → [`syda::Table`]: what SeaORM keeps at run time, plus the docs
//! and hints a user adds.

use std::borrow::Cow;
use std::marker::PhantomData;

use sea_orm::sea_query::{OptionEnum, TableName, TableRef, Value as SeaValue};
use sea_orm::{
    ActiveEnum, ColumnTrait, DbBackend, EntityTrait, IdenStatic, Iterable, PrimaryKeyToColumn,
    Schema as SeaSchema,
};
use syda::engine::infer_kind;
use syda::schema::Text;
use syda::{Column, ForeignKey, Literal, Range, Reference, Synthetic, Table};

use crate::types::map_column_type;

/// The table SeaORM knows for entity `E`: name, comment (as doc), columns in
/// declaration order with type, nullability, uniqueness and comment,
/// primary key (composite too), composite unique keys (`unique_key`), and
/// foreign keys from the entity's `belongs_to` relations (composite and
/// self-referencing too).
///
/// ```
/// mod cake {
///     use sea_orm::entity::prelude::*;
///
///     #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
///     #[sea_orm(table_name = "cake", comment = "A cake on sale")]
///     pub struct Model {
///         #[sea_orm(primary_key)]
///         pub id: i32,
///         #[sea_orm(column_type = "String(StringLen::N(60))", unique)]
///         pub name: String,
///         pub best_before: Option<Date>,
///     }
///
///     #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
///     pub enum Relation {}
///
///     impl ActiveModelBehavior for ActiveModel {}
/// }
///
/// let table = syda_seaorm::table::<cake::Entity>();
/// assert_eq!(table.name, "cake");
/// assert_eq!(table.doc.as_deref(), Some("A cake on sale"));
/// let name = table.column("name").unwrap();
/// assert_eq!((name.ty, name.max_length, name.unique), (syda::DataType::Text, Some(60), true));
/// assert!(table.column("best_before").unwrap().nullable);
/// ```
pub fn table<E: EntityTrait>() -> Table {
    let entity = E::default();
    // The backend only decides how enums are spelled in DDL; types are read
    // from the column definitions themselves.
    let sea_schema = SeaSchema::new(DbBackend::Postgres);
    let create = sea_schema.create_table_from_entity(entity);
    let primary: Vec<&'static str> = E::PrimaryKey::iter().map(|k| k.into_column().as_str()).collect();

    let mut columns: Vec<Column> = Vec::new();
    for (column, spec) in E::Column::iter().zip(create.get_columns()) {
        let def = column.def();
        let mapped = map_column_type(def.get_column_type());
        let mut col = Column::new(column.as_str(), mapped.ty);
        col.nullable = def.is_null();
        col.unique = def.is_unique();
        col.primary_key = primary.contains(&column.as_str());
        col.max_length = mapped.max_length;
        col.one_of = mapped.one_of.map(Cow::Owned);
        let comment = spec.get_column_spec().comment.as_deref().and_then(strip_renamed);
        col.doc = match (comment, mapped.note) {
            (Some(c), Some(sql)) => Some(format!("{c} (SQL type: {sql})").into()),
            (Some(c), None) => Some(c.into()),
            (None, Some(sql)) => Some(format!("SQL type: {sql}").into()),
            (None, None) => None,
        };
        // The type's bounds keep plain values in the column (a key counts
        // from 1 anyway); a kind the engine infers (`quantity`, `price`)
        // brings its own, narrower range, which a type range would replace.
        if !col.primary_key && infer_kind(&Table::new(entity.table_name()), &col).is_none() {
            col.range = mapped.range;
        }
        columns.push(col);
    }

    let mut composite = Vec::new();
    for fk in create.get_foreign_key_create_stmts() {
        let fk = fk.get_foreign_key();
        let Some(parent) = fk.get_ref_table().and_then(table_name) else {
            continue;
        };
        let (from, to) = (fk.get_columns(), fk.get_ref_columns());
        if from.len() == 1 && to.len() == 1 {
            if let Some(col) = columns.iter_mut().find(|c| c.name == from[0]) {
                col.foreign_key = Some(Reference {
                    table: parent.into(),
                    column: to[0].clone().into(),
                });
            }
        } else {
            composite.push(ForeignKey {
                columns: from.into_iter().map(Text::from).collect(),
                table: parent.into(),
                references: to.into_iter().map(Text::from).collect(),
            });
        }
    }

    let unique: Vec<Cow<'static, [Text]>> = sea_schema
        .create_index_from_entity(entity)
        .iter()
        .filter(|index| index.is_unique_key())
        .map(|index| index.get_index_spec().get_column_names())
        .filter(|names| names.len() > 1)
        .map(|names| Cow::Owned(names.into_iter().map(Text::from).collect()))
        .collect();

    Table {
        name: entity.table_name().into(),
        doc: entity.comment().map(|c| Text::from(c.to_owned())),
        columns: Cow::Owned(columns),
        unique: Cow::Owned(unique),
        foreign_keys: Cow::Owned(composite),
    }
}

/// SeaORM appends `renamed_from "old"` to the comment in DDL; that is not a doc.
fn strip_renamed(comment: &str) -> Option<String> {
    let text = match comment.rfind("renamed_from \"") {
        Some(at) => comment[..at].trim_end().trim_end_matches(';'),
        None => comment,
    };
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

fn table_name(table: &TableRef) -> Option<String> {
    match table {
        TableRef::Table(TableName(_, name), _) => Some(name.to_string()),
        _ => None,
    }
}

/// Starts a description of entity `E`: its introspected [`table`] plus docs
/// and generation hints SeaORM cannot hold (`///` comments are not visible
/// at run time).
///
/// ```
/// # mod customer {
/// #     use sea_orm::entity::prelude::*;
/// #     #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
/// #     #[sea_orm(table_name = "customer")]
/// #     pub struct Model {
/// #         #[sea_orm(primary_key)]
/// #         pub id: i32,
/// #         pub email: String,
/// #         pub tier: String,
/// #     }
/// #     #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
/// #     pub enum Relation {}
/// #     impl ActiveModelBehavior for ActiveModel {}
/// # }
/// let described = syda_seaorm::describe::<customer::Entity>()
///     .doc("A person who buys cakes")
///     .column_doc(customer::Column::Email, "Where receipts are sent")
///     .kind(customer::Column::Email, "email")
///     .one_of(customer::Column::Tier, ["bronze", "silver", "gold"]);
/// let table = described.table();
/// assert_eq!(table.doc.as_deref(), Some("A person who buys cakes"));
/// assert_eq!(table.column("email").unwrap().kind.as_deref(), Some("email"));
/// ```
pub fn describe<E: EntityTrait>() -> Describe<E> {
    Describe {
        table: table::<E>(),
        entity: PhantomData,
    }
}

/// An entity's table with docs and hints added: see [`describe`].
#[derive(Debug, Clone)]
pub struct Describe<E> {
    table: Table,
    entity: PhantomData<fn() -> E>,
}

impl<E: EntityTrait> Describe<E> {
    /// What a row represents (the table doc), fed to the engines.
    pub fn doc(mut self, doc: impl Into<String>) -> Self {
        self.table.doc = Some(doc.into().into());
        self
    }

    /// What a column holds.
    pub fn column_doc(self, column: E::Column, doc: impl Into<String>) -> Self {
        let doc = doc.into();
        self.column(column, |c| c.doc = Some(doc.into()))
    }

    /// The semantic kind of a column (`email`, `phone`, `company`, …; see
    /// `syda kinds`), or the name of a kind registered as a custom generator.
    pub fn kind(self, column: E::Column, kind: impl Into<String>) -> Self {
        let kind = kind.into();
        // The kind's own range replaces one that only came from the SQL type.
        let implied = map_column_type(column.def().get_column_type()).range;
        self.column(column, |c| {
            c.kind = Some(kind.into());
            if c.range == implied {
                c.range = None;
            }
        })
    }

    /// The only text values a column takes.
    pub fn one_of<S: Into<String>>(self, column: E::Column, values: impl IntoIterator<Item = S>) -> Self {
        let values: Vec<Literal> = values
            .into_iter()
            .map(|v| Literal::Text(v.into().into()))
            .collect();
        self.column(column, |c| c.one_of = Some(values.into()))
    }

    /// The values of a `DeriveActiveEnum` as the column's `one_of`: for enums
    /// stored as strings or integers, whose column type does not list them
    /// (a `db_type = "Enum"` enum is found without this).
    pub fn active_enum<A: ActiveEnum>(self, column: E::Column) -> Self {
        let values: Vec<Literal> = A::values()
            .into_iter()
            .filter_map(|v| literal(v.into()))
            .collect();
        self.column(column, |c| c.one_of = Some(values.into()))
    }

    /// Inclusive bounds for a column's values.
    pub fn range(self, column: E::Column, min: Literal, max: Literal) -> Self {
        self.column(column, |c| c.range = Some(Range { min, max }))
    }

    /// Fills a column with the custom generator registered under `name`.
    pub fn generator(self, column: E::Column, name: impl Into<String>) -> Self {
        let name = name.into();
        self.column(column, |c| c.generator = Some(name.into()))
    }

    /// Any other change to one column.
    pub fn column(mut self, column: E::Column, change: impl FnOnce(&mut Column)) -> Self {
        if let Some(col) = self
            .table
            .columns
            .to_mut()
            .iter_mut()
            .find(|c| c.name == column.as_str())
        {
            change(col);
        }
        self
    }

    /// Takes docs and hints from a `#[derive(Synthetic)]` type, usually the
    /// entity's own `Model`: the table doc, and per column (matched by name)
    /// doc, kind, `max_length`, `range`, `one_of`, `pattern`, `generator`,
    /// `unique`. What SeaORM says about the database (types, nullability,
    /// keys) stays; a foreign key the entity has no relation for is added.
    pub fn synthetic<T: Synthetic>(mut self) -> Self {
        merge(&mut self.table, &T::TABLE);
        self
    }

    /// The described table.
    pub fn table(&self) -> &Table {
        &self.table
    }

    /// The described table, owned.
    pub fn into_table(self) -> Table {
        self.table
    }
}

fn literal(value: SeaValue) -> Option<Literal> {
    Some(match value {
        SeaValue::String(Some(s)) => Literal::Text(s.into()),
        SeaValue::Char(Some(c)) => Literal::Text(c.to_string().into()),
        SeaValue::Enum(OptionEnum::Some(e)) => Literal::Text(e.value.to_string().into()),
        SeaValue::TinyInt(Some(i)) => Literal::Int(i.into()),
        SeaValue::SmallInt(Some(i)) => Literal::Int(i.into()),
        SeaValue::Int(Some(i)) => Literal::Int(i.into()),
        SeaValue::BigInt(Some(i)) => Literal::Int(i),
        SeaValue::TinyUnsigned(Some(i)) => Literal::Int(i.into()),
        SeaValue::SmallUnsigned(Some(i)) => Literal::Int(i.into()),
        SeaValue::Unsigned(Some(i)) => Literal::Int(i.into()),
        _ => return None,
    })
}

/// Merges a derived descriptor's docs and hints into an introspected table.
pub(crate) fn merge(into: &mut Table, from: &Table) {
    if from.doc.is_some() {
        into.doc = from.doc.clone();
    }
    for source in from.columns.iter() {
        let Some(col) = into.columns.to_mut().iter_mut().find(|c| c.name == source.name) else {
            continue;
        };
        col.doc = source.doc.clone().or(col.doc.take());
        col.kind = source.kind.clone().or(col.kind.take());
        col.max_length = match (source.max_length, col.max_length) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        col.range = source.range.clone().or(col.range.take());
        col.one_of = source.one_of.clone().or(col.one_of.take());
        col.pattern = source.pattern.clone().or(col.pattern.take());
        col.generator = source.generator.clone().or(col.generator.take());
        col.unique |= source.unique;
        if col.foreign_key.is_none() {
            col.foreign_key = source.foreign_key.clone();
        }
    }
    for key in from.unique.iter() {
        if !into.unique.contains(key) {
            into.unique.to_mut().push(key.clone());
        }
    }
}
