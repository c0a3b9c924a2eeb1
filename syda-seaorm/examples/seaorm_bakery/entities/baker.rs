//! A baker works at one bakery and may report to another baker.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "baker", comment = "A person who bakes cakes at a bakery")]
pub(crate) struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(column_type = "String(StringLen::N(100))", comment = "Full name of the baker")]
    pub name: String,
    #[sea_orm(comment = "Phone and e-mail, as a JSON object")]
    pub contact_details: Json,
    pub bakery_id: i32,
    /// Self-reference: the baker this one reports to (none for a head baker).
    pub manager_id: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub(crate) enum Relation {
    #[sea_orm(
        belongs_to = "super::bakery::Entity",
        from = "Column::BakeryId",
        to = "super::bakery::Column::Id"
    )]
    Bakery,
    #[sea_orm(belongs_to = "Entity", from = "Column::ManagerId", to = "Column::Id")]
    Manager,
}

impl Related<super::bakery::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Bakery.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
