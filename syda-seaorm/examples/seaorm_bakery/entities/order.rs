//! An order a customer placed at a bakery.

use sea_orm::entity::prelude::*;

/// Where an order is: a database enum (`CREATE TYPE` on PostgreSQL, `ENUM`
/// on MySQL, text on SQLite).
#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Enum", enum_name = "order_status")]
pub enum OrderStatus {
    #[sea_orm(string_value = "placed")]
    Placed,
    #[sea_orm(string_value = "baking")]
    Baking,
    #[sea_orm(string_value = "delivered")]
    Delivered,
}

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "order", comment = "An order a customer placed at a bakery")]
pub(crate) struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(column_type = "Decimal(Some((10, 2)))", comment = "Order total in USD")]
    pub total: Decimal,
    pub bakery_id: i32,
    pub customer_id: i32,
    #[sea_orm(comment = "When the order was placed")]
    pub placed_at: DateTimeUtc,
    pub status: OrderStatus,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub(crate) enum Relation {
    #[sea_orm(
        belongs_to = "super::bakery::Entity",
        from = "Column::BakeryId",
        to = "super::bakery::Column::Id"
    )]
    Bakery,
    #[sea_orm(
        belongs_to = "super::customer::Entity",
        from = "Column::CustomerId",
        to = "super::customer::Column::Id"
    )]
    Customer,
}

impl ActiveModelBehavior for ActiveModel {}
