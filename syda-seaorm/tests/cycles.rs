//! Tables that reference each other: the key that closes the cycle is
//! inserted NULL and filled by UPDATE once its parents exist (SQLite, which
//! accepts the forward reference in `CREATE TABLE`).

mod department {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "department")]
    pub(crate) struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub name: String,
        /// The employee who heads the department.
        pub head_id: Option<i32>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub(crate) enum Relation {
        #[sea_orm(
            belongs_to = "super::employee::Entity",
            from = "Column::HeadId",
            to = "super::employee::Column::Id"
        )]
        Head,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

mod employee {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "employee")]
    pub(crate) struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub name: String,
        pub department_id: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub(crate) enum Relation {
        #[sea_orm(
            belongs_to = "super::department::Entity",
            from = "Column::DepartmentId",
            to = "super::department::Column::Id"
        )]
        Department,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

use sea_orm::{ConnectionTrait, Database, EntityTrait, Schema};
use syda::engine::OfflineEngine;
use syda_seaorm::{Entities, Seeder};

#[tokio::test]
async fn a_cycle_is_closed_by_updating_the_nullable_key() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("cycle.db").display());
    let db = Database::connect(&url).await.unwrap();
    let schema = Schema::new(db.get_database_backend());
    db.execute(&schema.create_table_from_entity(department::Entity))
        .await
        .unwrap();
    db.execute(&schema.create_table_from_entity(employee::Entity))
        .await
        .unwrap();

    let entities = Entities::new()
        .add::<department::Entity>()
        .add::<employee::Entity>();
    let report = Seeder::new(&entities)
        .size("department", 6)
        .size("employee", 30)
        .run(&db, &OfflineEngine::new().with_seed(4))
        .await
        .unwrap();
    let deferred: Vec<(&str, &[String])> = report
        .deferred
        .iter()
        .map(|d| (d.table.as_str(), d.columns.as_slice()))
        .collect();
    assert_eq!(deferred, [("department", &["head_id".to_owned()][..])]);
    let tables: Vec<(&str, u64)> = report.tables.iter().map(|t| (t.table.as_str(), t.rows)).collect();
    assert_eq!(tables, [("department", 6), ("employee", 30)]);

    let departments = department::Entity::find().all(&db).await.unwrap();
    let employees = employee::Entity::find().all(&db).await.unwrap();
    let heads: Vec<i32> = departments.iter().filter_map(|d| d.head_id).collect();
    assert!(!heads.is_empty(), "the deferred key was filled");
    assert!(heads.iter().all(|h| employees.iter().any(|e| e.id == *h)));
    assert!(
        employees
            .iter()
            .all(|e| departments.iter().any(|d| d.id == e.department_id))
    );
}
