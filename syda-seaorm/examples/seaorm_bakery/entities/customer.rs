//! A customer who places orders.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "customer", comment = "A person who orders cakes")]
pub(crate) struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(
        column_type = "String(StringLen::N(100))",
        comment = "Full name of the customer"
    )]
    pub name: String,
    #[sea_orm(
        column_type = "String(StringLen::N(120))",
        unique,
        comment = "E-mail address for receipts"
    )]
    pub email: String,
    #[sea_orm(column_type = "Text", comment = "Allergies and delivery instructions")]
    pub notes: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub(crate) enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
