//! MySQL / MariaDB: introspection, seeding, rollback, hostile identifiers.
//! Needs a server (see `db_common`).
#![cfg(feature = "db")]

mod db_common;

use db_common::{TestDb, run};
use syda::Value;
use syda::db::{Database, IntrospectOptions, PlanConfig, SeedOptions};
use syda::engine::OfflineEngine;

const SCHEMA: &str = r#"
CREATE TABLE departments (
    id INT AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(40) NOT NULL UNIQUE COMMENT 'Department name',
    budget DECIMAL(12, 2) CHECK (budget BETWEEN 1000 AND 500000),
    head_id BIGINT NULL
) COMMENT = 'Organizational unit that groups employees';
CREATE TABLE employees (
    id BIGINT AUTO_INCREMENT PRIMARY KEY,
    department_id INT NOT NULL,
    manager_id BIGINT NULL COMMENT 'The employee''s manager',
    email VARCHAR(120) NOT NULL UNIQUE,
    mood ENUM('happy', 'sad', 'meh') NOT NULL,
    level SMALLINT NOT NULL CHECK (level >= 1 AND level <= 5),
    salary DECIMAL(10, 2) NOT NULL CHECK (salary > 0),
    status VARCHAR(20) NOT NULL CHECK (status IN ('active', 'on_leave', 'gone')),
    hired DATE NOT NULL,
    updated_at DATETIME NULL,
    active BOOLEAN NOT NULL,
    profile JSON NULL,
    FOREIGN KEY (department_id) REFERENCES departments (id),
    FOREIGN KEY (manager_id) REFERENCES employees (id)
);
ALTER TABLE departments ADD FOREIGN KEY (head_id) REFERENCES employees (id);
CREATE TABLE projects (
    code VARCHAR(8) NOT NULL,
    year INT NOT NULL CHECK (year BETWEEN 2000 AND 2030),
    title TEXT NOT NULL,
    PRIMARY KEY (code, year)
);
CREATE TABLE assignments (
    employee_id BIGINT NOT NULL,
    project_code VARCHAR(8) NOT NULL,
    project_year INT NOT NULL,
    hours INT NOT NULL COMMENT 'Hours per week' CHECK (hours > 0),
    PRIMARY KEY (employee_id, project_code, project_year),
    FOREIGN KEY (employee_id) REFERENCES employees (id),
    FOREIGN KEY (project_code, project_year) REFERENCES projects (code, year)
);
"#;

const ORPHANS: &str = r#"
SELECT CAST((SELECT count(*) FROM employees e LEFT JOIN departments d ON d.id = e.department_id WHERE d.id IS NULL)
     + (SELECT count(*) FROM employees e LEFT JOIN employees m ON m.id = e.manager_id WHERE e.manager_id IS NOT NULL AND m.id IS NULL)
     + (SELECT count(*) FROM departments d LEFT JOIN employees e ON e.id = d.head_id WHERE d.head_id IS NOT NULL AND e.id IS NULL)
     + (SELECT count(*) FROM assignments a LEFT JOIN projects p ON p.code = a.project_code AND p.year = a.project_year WHERE p.code IS NULL)
     AS SIGNED)
"#;

async fn setup(tag: &str) -> Option<(TestDb, Database)> {
    let test = TestDb::mysql(tag).await?;
    test.execute(SCHEMA).await;
    let db = Database::connect(&test.url).await.expect("connect");
    Some((test, db))
}

#[test]
fn introspected_schema_snapshot_and_round_trip() {
    run(async {
        let Some((_test, db)) = setup("my_introspect").await else {
            return;
        };
        let schema = syda::db::introspect(&db, &IntrospectOptions::default())
            .await
            .unwrap();
        let yaml = schema.to_yaml();
        insta::assert_snapshot!(yaml);
        assert_eq!(syda::Schema::from_yaml_str(&yaml).unwrap(), schema);
        db.close().await;
    });
}

#[test]
fn seeding_fills_every_table_and_the_database_accepts_every_row() {
    run(async {
        let Some((test, db)) = setup("my_seed").await else {
            return;
        };
        let schema = syda::db::introspect(&db, &IntrospectOptions::default())
            .await
            .unwrap();
        let plan = PlanConfig::rows(60).size("departments", 6).size("projects", 10);
        let report = syda::db::seed(
            &db,
            &schema,
            &plan,
            &OfflineEngine::new().with_seed(5),
            &SeedOptions::default(),
        )
        .await
        .unwrap();
        assert_eq!(report.total_rows(), 6 + 60 + 10 + 60);
        assert_eq!(test.scalar("SELECT count(*) FROM departments").await, 6);
        assert_eq!(test.scalar("SELECT count(*) FROM employees").await, 60);
        assert_eq!(test.scalar("SELECT count(*) FROM assignments").await, 60);
        assert_eq!(test.scalar(ORPHANS).await, 0);
        assert!(report.updated_rows > 0);
        assert_eq!(
            report.updated_rows as i64,
            test.scalar("SELECT count(*) FROM departments WHERE head_id IS NOT NULL")
                .await
        );
        assert!(
            test.scalar("SELECT count(*) FROM employees WHERE manager_id IS NOT NULL")
                .await
                > 0
        );
        assert_eq!(test.scalar("SELECT count(DISTINCT mood) FROM employees").await, 3);
        assert!(
            test.scalar("SELECT count(*) FROM employees WHERE updated_at IS NOT NULL")
                .await
                > 0
        );
        // AUTO_INCREMENT moved past the generated keys by itself.
        test.execute("INSERT INTO departments (name) VALUES ('after the seed')")
            .await;
        assert_eq!(
            test.scalar("SELECT CAST(max(id) AS SIGNED) FROM departments")
                .await,
            7
        );
        // Truncate in the transaction, FK-safe, then seed again.
        syda::db::seed(
            &db,
            &schema,
            &plan,
            &OfflineEngine::new(),
            &SeedOptions::default().truncate(true),
        )
        .await
        .unwrap();
        assert_eq!(test.scalar("SELECT count(*) FROM departments").await, 6);
        assert_eq!(test.scalar(ORPHANS).await, 0);
        db.close().await;
    });
}

#[test]
fn many_rows_go_in_several_bounded_batches() {
    run(async {
        let Some(test) = TestDb::mysql("my_batches").await else {
            return;
        };
        // 12 columns: 65535 / 12 = 5461 rows per statement at most.
        test.execute(
            "CREATE TABLE wide (id BIGINT PRIMARY KEY, a TEXT, b TEXT, c TEXT, d TEXT, e TEXT, f TEXT, g TEXT, h TEXT, i TEXT, j TEXT, k TEXT)",
        )
        .await;
        let db = Database::connect(&test.url).await.unwrap();
        let schema = syda::db::introspect(&db, &IntrospectOptions::default())
            .await
            .unwrap();
        syda::db::seed(
            &db,
            &schema,
            &PlanConfig::rows(12_000),
            &OfflineEngine::new(),
            &SeedOptions::default(),
        )
        .await
        .unwrap();
        assert_eq!(test.scalar("SELECT count(*) FROM wide").await, 12_000);
        assert_eq!(
            test.scalar("SELECT CAST(max(id) AS SIGNED) FROM wide").await,
            12_000
        );
        db.close().await;
    });
}

#[test]
fn a_row_the_database_refuses_leaves_nothing_behind() {
    run(async {
        let Some((test, db)) = setup("my_rollback").await else {
            return;
        };
        let schema = syda::db::introspect(&db, &IntrospectOptions::default())
            .await
            .unwrap();
        let mut engine = OfflineEngine::new();
        engine
            .generators_mut()
            .register_column("employees", "level", |cx| {
                Value::Int(if cx.index() == 30 { 9 } else { 2 })
            });
        let plan = PlanConfig::rows(40).size("departments", 5);
        let err = syda::db::seed(&db, &schema, &plan, &engine, &SeedOptions::default())
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("employees") && err.contains("level"), "{err}");
        for table in ["departments", "employees", "projects", "assignments"] {
            assert_eq!(
                test.scalar(&format!("SELECT count(*) FROM {table}")).await,
                0,
                "{table}"
            );
        }
        db.close().await;
    });
}

#[test]
fn hostile_identifiers_are_quoted() {
    run(async {
        let Some(test) = TestDb::mysql("my_hostile").await else {
            return;
        };
        test.execute(
            "CREATE TABLE `order` (id INT AUTO_INCREMENT PRIMARY KEY, `select` VARCHAR(30) NOT NULL, `it's` INT CHECK (`it's` > 0)) COMMENT = 'Reserved word';
             CREATE TABLE `we``ird` (`key` INT PRIMARY KEY, `order` INT NOT NULL, FOREIGN KEY (`order`) REFERENCES `order` (id));",
        )
        .await;
        let db = Database::connect(&test.url).await.unwrap();
        let schema = syda::db::introspect(&db, &IntrospectOptions::default())
            .await
            .unwrap();
        let yaml = schema.to_yaml();
        assert_eq!(syda::Schema::from_yaml_str(&yaml).unwrap(), schema);
        assert!(schema.table("we`ird").is_some(), "{yaml}");
        syda::db::seed(
            &db,
            &schema,
            &PlanConfig::rows(25),
            &OfflineEngine::new(),
            &SeedOptions::default().truncate(true),
        )
        .await
        .unwrap();
        assert_eq!(test.scalar("SELECT count(*) FROM `we``ird`").await, 25);
        assert_eq!(
            test.scalar("SELECT count(*) FROM `order` WHERE `it's` IS NULL OR `it's` > 0")
                .await,
            25
        );
        db.close().await;
    });
}
