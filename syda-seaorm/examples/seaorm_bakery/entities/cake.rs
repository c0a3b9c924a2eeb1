//! A cake sold by a bakery.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "cake", comment = "A cake on a bakery's menu")]
pub(crate) struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(
        column_type = "String(StringLen::N(100))",
        comment = "Name of the cake on the menu"
    )]
    pub name: String,
    #[sea_orm(column_type = "Decimal(Some((10, 2)))", comment = "Price in USD")]
    pub price: Decimal,
    pub gluten_free: bool,
    #[sea_orm(unique)]
    pub serial: Uuid,
    pub bakery_id: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub(crate) enum Relation {
    #[sea_orm(
        belongs_to = "super::bakery::Entity",
        from = "Column::BakeryId",
        to = "super::bakery::Column::Id"
    )]
    Bakery,
}

impl Related<super::bakery::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Bakery.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
