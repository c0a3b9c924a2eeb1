//! The bakery schema from SeaORM's tutorial (bakery, baker, cake,
//! cakes_bakers, customer, order, lineitem), with a self-referencing
//! `baker.manager_id`, a unique `customer.email` and an `order.status` enum
//! added to show more of what syda reads.

pub(crate) mod baker;
pub(crate) mod bakery;
pub(crate) mod cake;
pub(crate) mod cakes_bakers;
pub(crate) mod customer;
pub(crate) mod lineitem;
pub(crate) mod order;

use sea_orm::sea_query::Table;
use sea_orm::{ConnectionTrait, DbBackend, DbErr, EntityTrait, Schema};
use syda::Literal;
use syda_seaorm::{Entities, describe};

/// The migration: drops the tables if they exist and creates them (with the
/// PostgreSQL enum type), parents first.
pub(crate) async fn migrate_fresh(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let schema = Schema::new(backend);
    let drop = |name: &str| {
        let mut stmt = Table::drop();
        stmt.table(sea_orm::sea_query::Alias::new(name)).if_exists();
        if backend == DbBackend::Postgres {
            stmt.cascade();
        }
        stmt.to_owned()
    };
    for name in [
        "lineitem",
        "order",
        "customer",
        "cakes_bakers",
        "cake",
        "baker",
        "bakery",
    ] {
        db.execute(&drop(name)).await?;
    }
    if backend == DbBackend::Postgres {
        db.execute_unprepared("DROP TYPE IF EXISTS order_status").await?;
        if let Some(stmt) = schema.create_enum_from_active_enum::<order::OrderStatus>() {
            db.execute(&stmt).await?;
        }
    }
    create(db, &schema, bakery::Entity).await?;
    create(db, &schema, baker::Entity).await?;
    create(db, &schema, cake::Entity).await?;
    create(db, &schema, cakes_bakers::Entity).await?;
    create(db, &schema, customer::Entity).await?;
    create(db, &schema, order::Entity).await?;
    create(db, &schema, lineitem::Entity).await?;
    Ok(())
}

async fn create<E: EntityTrait>(db: &impl ConnectionTrait, schema: &Schema, entity: E) -> Result<(), DbErr> {
    db.execute(&schema.create_table_from_entity(entity)).await?;
    for index in schema.create_index_from_entity(entity) {
        db.execute(&index).await?;
    }
    Ok(())
}

/// The seven entities with a few hints SeaORM has no attribute for.
pub(crate) fn entities() -> Entities {
    Entities::new()
        .with(
            describe::<bakery::Entity>()
                .kind(bakery::Column::Name, "company")
                .range(
                    bakery::Column::ProfitMargin,
                    Literal::Float(0.05),
                    Literal::Float(0.4),
                ),
        )
        .with(describe::<baker::Entity>().kind(baker::Column::Name, "name"))
        .with(describe::<cake::Entity>().kind(cake::Column::Name, "product_name"))
        .add::<cakes_bakers::Entity>()
        .with(
            describe::<customer::Entity>()
                .kind(customer::Column::Name, "name")
                .kind(customer::Column::Email, "email"),
        )
        .add::<order::Entity>()
        .with(describe::<lineitem::Entity>().kind(lineitem::Column::Quantity, "quantity"))
}
