//! PostgreSQL: introspection of a realistic schema, seeding it, rollback on
//! failure, hostile identifiers. Needs a server (see `db_common`).
#![cfg(feature = "db")]

mod db_common;

use db_common::{TestDb, run};
use syda::Value;
use syda::db::{Database, IntrospectOptions, PgLoad, PlanConfig, SeedOptions};
use syda::engine::OfflineEngine;

const SCHEMA: &str = r#"
CREATE TYPE mood AS ENUM ('happy', 'sad', 'meh');
CREATE TABLE departments (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name varchar(40) NOT NULL UNIQUE,
    budget numeric(12, 2) CHECK (budget BETWEEN 1000 AND 500000),
    head_id bigint
);
COMMENT ON TABLE departments IS 'Organizational unit that groups employees';
COMMENT ON COLUMN departments.name IS 'Department name';
CREATE TABLE employees (
    id bigserial PRIMARY KEY,
    department_id integer NOT NULL REFERENCES departments (id),
    manager_id bigint REFERENCES employees (id),
    email text NOT NULL UNIQUE,
    mood mood NOT NULL,
    level smallint NOT NULL CHECK (level >= 1 AND level <= 5),
    salary numeric(10, 2) NOT NULL CHECK (salary > 0),
    status text NOT NULL CHECK (status IN ('active', 'on_leave', 'gone')),
    hired date NOT NULL,
    updated_at timestamptz,
    badge uuid NOT NULL,
    tags text[],
    profile jsonb
);
COMMENT ON COLUMN employees.manager_id IS 'The employee''s manager';
ALTER TABLE departments ADD FOREIGN KEY (head_id) REFERENCES employees (id);
CREATE TABLE projects (
    code varchar(8) NOT NULL,
    year integer NOT NULL CHECK (year BETWEEN 2000 AND 2030),
    title text NOT NULL,
    PRIMARY KEY (code, year)
);
CREATE TABLE assignments (
    employee_id bigint NOT NULL REFERENCES employees (id),
    project_code varchar(8) NOT NULL,
    project_year integer NOT NULL,
    hours integer NOT NULL CHECK (hours > 0),
    PRIMARY KEY (employee_id, project_code, project_year),
    FOREIGN KEY (project_code, project_year) REFERENCES projects (code, year)
);
COMMENT ON COLUMN assignments.hours IS 'Hours per week';
"#;

/// Foreign keys checked by SQL, on top of the database's own enforcement.
const ORPHANS: &str = r#"
SELECT (SELECT count(*) FROM employees e LEFT JOIN departments d ON d.id = e.department_id WHERE d.id IS NULL)
     + (SELECT count(*) FROM employees e LEFT JOIN employees m ON m.id = e.manager_id WHERE e.manager_id IS NOT NULL AND m.id IS NULL)
     + (SELECT count(*) FROM departments d LEFT JOIN employees e ON e.id = d.head_id WHERE d.head_id IS NOT NULL AND e.id IS NULL)
     + (SELECT count(*) FROM assignments a LEFT JOIN projects p ON (p.code, p.year) = (a.project_code, a.project_year) WHERE p.code IS NULL)
"#;

async fn setup(tag: &str) -> Option<(TestDb, Database)> {
    let test = TestDb::postgres(tag).await?;
    test.execute(SCHEMA).await;
    let db = Database::connect(&test.url).await.expect("connect");
    Some((test, db))
}

#[test]
fn introspected_schema_snapshot_and_round_trip() {
    run(async {
        let Some((_test, db)) = setup("pg_introspect").await else {
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
fn include_and_exclude_globs_pick_tables() {
    run(async {
        let Some((_test, db)) = setup("pg_globs").await else {
            return;
        };
        let options = IntrospectOptions {
            include: vec!["proj*".to_owned()],
            ..IntrospectOptions::default()
        };
        let schema = syda::db::introspect(&db, &options).await.unwrap();
        let names: Vec<&str> = schema.tables.iter().map(|t| t.name.as_ref()).collect();
        assert_eq!(names, ["projects"]);
        // Leaving out a parent is an error that names both tables.
        let options = IntrospectOptions {
            exclude: vec!["projects".to_owned()],
            ..IntrospectOptions::default()
        };
        let err = syda::db::introspect(&db, &options).await.unwrap_err().to_string();
        assert!(err.contains("assignments") && err.contains("projects"), "{err}");
        db.close().await;
    });
}

#[test]
fn seeding_fills_every_table_and_the_database_accepts_every_row() {
    run(async {
        let Some((test, db)) = setup("pg_seed").await else {
            return;
        };
        let schema = syda::db::introspect(&db, &IntrospectOptions::default())
            .await
            .unwrap();
        let plan = PlanConfig::rows(50).size("departments", 8).size("projects", 12);
        let report = syda::db::seed(
            &db,
            &schema,
            &plan,
            &OfflineEngine::new().with_seed(3),
            &SeedOptions::default(),
        )
        .await
        .unwrap();
        assert_eq!(report.total_rows(), 8 + 50 + 12 + 50);
        assert_eq!(test.scalar("SELECT count(*) FROM departments").await, 8);
        assert_eq!(test.scalar("SELECT count(*) FROM employees").await, 50);
        assert_eq!(test.scalar("SELECT count(*) FROM projects").await, 12);
        assert_eq!(test.scalar("SELECT count(*) FROM assignments").await, 50);
        assert_eq!(test.scalar(ORPHANS).await, 0);
        // The cycle departments.head_id → employees was filled afterwards.
        assert_eq!(
            report.updated_rows as i64,
            test.scalar("SELECT count(*) FROM departments WHERE head_id IS NOT NULL")
                .await
        );
        assert!(report.updated_rows > 0);
        // Self-references, arrays and enums made it in.
        assert!(
            test.scalar("SELECT count(*) FROM employees WHERE manager_id IS NOT NULL")
                .await
                > 0
        );
        assert!(
            test.scalar("SELECT count(*) FROM employees WHERE cardinality(tags) > 0")
                .await
                > 0
        );
        assert_eq!(test.scalar("SELECT count(DISTINCT mood) FROM employees").await, 3);
        // Sequences moved past the generated keys: the application can insert.
        test.execute("INSERT INTO departments (name) VALUES ('after the seed')")
            .await;
        assert_eq!(test.scalar("SELECT max(id)::bigint FROM departments").await, 9);

        // --truncate starts over (keys from 1 again).
        syda::db::seed(
            &db,
            &schema,
            &plan,
            &OfflineEngine::new(),
            &SeedOptions::default().truncate(true),
        )
        .await
        .unwrap();
        assert_eq!(test.scalar("SELECT count(*) FROM employees").await, 50);
        assert_eq!(test.scalar("SELECT count(*) FROM departments").await, 8);
        assert_eq!(test.scalar("SELECT min(id)::bigint FROM departments").await, 1);
        db.close().await;
    });
}

#[test]
fn a_second_seed_appends_after_the_existing_keys() {
    run(async {
        let Some(test) = TestDb::postgres("pg_append").await else {
            return;
        };
        test.execute(
            "CREATE TABLE notes (id int GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, body text NOT NULL);
             CREATE TABLE pins (id serial PRIMARY KEY, note_id int NOT NULL REFERENCES notes (id));
             INSERT INTO notes (body) VALUES ('written by hand');",
        )
        .await;
        let db = Database::connect(&test.url).await.unwrap();
        let schema = syda::db::introspect(&db, &IntrospectOptions::default())
            .await
            .unwrap();
        for seed in 0..2 {
            syda::db::seed(
                &db,
                &schema,
                &PlanConfig::rows(10),
                &OfflineEngine::new().with_seed(seed),
                &SeedOptions::default(),
            )
            .await
            .unwrap();
        }
        assert_eq!(test.scalar("SELECT count(DISTINCT id) FROM notes").await, 21);
        assert_eq!(test.scalar("SELECT max(id)::bigint FROM notes").await, 21);
        assert_eq!(test.scalar("SELECT count(*) FROM pins").await, 20);
        test.execute("INSERT INTO notes (body) VALUES ('after'); INSERT INTO pins (note_id) VALUES (1);")
            .await;
        assert_eq!(test.scalar("SELECT max(id)::bigint FROM notes").await, 22);
        assert_eq!(test.scalar("SELECT max(id)::bigint FROM pins").await, 21);
        db.close().await;
    });
}

/// Documented limit: keys start past the existing ones, but the values of
/// other unique columns already in a table are not read. A generated value
/// that is already there fails on the constraint, by name, and the table is
/// left as it was.
#[test]
fn a_unique_value_already_in_the_table_fails_by_constraint_and_keeps_the_table() {
    run(async {
        let Some(test) = TestDb::postgres("pg_unique_existing").await else {
            return;
        };
        test.execute(
            "CREATE TABLE languages (id serial PRIMARY KEY, name text NOT NULL UNIQUE);
             INSERT INTO languages (name) VALUES ('English');",
        )
        .await;
        let db = Database::connect(&test.url).await.unwrap();
        let schema = syda::db::introspect(&db, &IntrospectOptions::default())
            .await
            .unwrap();
        let engine = |clash: bool| {
            let mut engine = OfflineEngine::new();
            engine
                .generators_mut()
                .register_column("languages", "name", move |cx| match cx.index() {
                    3 if clash => Value::from("English"),
                    i => Value::from(format!("language {i}")),
                });
            engine
        };
        let err = syda::db::seed(
            &db,
            &schema,
            &PlanConfig::rows(10),
            &engine(true),
            &SeedOptions::default(),
        )
        .await
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("languages") && err.contains("languages_name_key") && err.contains("English"),
            "{err}"
        );
        assert_eq!(test.scalar("SELECT count(*) FROM languages").await, 1);
        // Values that do not clash go in after the existing key.
        let report = syda::db::seed(
            &db,
            &schema,
            &PlanConfig::rows(10),
            &engine(false),
            &SeedOptions::default(),
        )
        .await
        .unwrap();
        assert_eq!(report.table("languages").and_then(|t| t.first_key), Some(2));
        assert_eq!(test.scalar("SELECT count(*) FROM languages").await, 11);
        db.close().await;
    });
}

#[test]
fn every_load_path_gives_the_same_rows() {
    run(async {
        let Some((test, db)) = setup("pg_paths").await else {
            return;
        };
        let schema = syda::db::introspect(&db, &IntrospectOptions::default())
            .await
            .unwrap();
        let plan = PlanConfig::rows(20).size("departments", 4);
        const FINGERPRINT: &str = "SELECT sum(hashtext(concat_ws('|', id, department_id, manager_id, email, mood, level, salary, status, hired, updated_at, badge, tags, profile)))::bigint FROM employees";
        let mut fingerprints = Vec::new();
        for method in [PgLoad::Copy, PgLoad::MultiRowInsert, PgLoad::RowByRow] {
            let options = SeedOptions::default().truncate(true).postgres(method);
            syda::db::seed(&db, &schema, &plan, &OfflineEngine::new().with_seed(9), &options)
                .await
                .unwrap_or_else(|e| panic!("{method:?}: {e}"));
            assert_eq!(
                test.scalar("SELECT count(*) FROM assignments").await,
                20,
                "{method:?}"
            );
            assert_eq!(test.scalar(ORPHANS).await, 0, "{method:?}");
            fingerprints.push(test.scalar(FINGERPRINT).await);
        }
        // The same rows whichever way they went in (types, arrays, JSON, NULLs).
        assert_eq!(fingerprints[0], fingerprints[1]);
        assert_eq!(fingerprints[0], fingerprints[2]);
        db.close().await;
    });
}

#[test]
fn a_row_the_database_refuses_leaves_nothing_behind() {
    run(async {
        let Some((test, db)) = setup("pg_rollback").await else {
            return;
        };
        let schema = syda::db::introspect(&db, &IntrospectOptions::default())
            .await
            .unwrap();
        // Row 30 of employees breaks CHECK (level <= 5), after departments
        // are in and part of employees streamed through COPY.
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
        assert!(err.contains("employees") && err.contains("check"), "{err}");
        for table in ["departments", "employees", "projects", "assignments"] {
            assert_eq!(
                test.scalar(&format!("SELECT count(*) FROM {table}")).await,
                0,
                "{table}"
            );
        }
        // A generator failing in the middle of a later table rolls back too.
        let mut engine = OfflineEngine::new();
        engine
            .generators_mut()
            .register_column("assignments", "hours", |cx| {
                if cx.index() == 10 {
                    Value::from("many")
                } else {
                    Value::Int(8)
                }
            });
        let err = syda::db::seed(&db, &schema, &plan, &engine, &SeedOptions::default())
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("assignments") && err.contains("hours"), "{err}");
        assert_eq!(test.scalar("SELECT count(*) FROM employees").await, 0);
        // A custom generator repeating itself in a unique column stops the
        // generator mid-table: its error comes back, nothing is left.
        let mut engine = OfflineEngine::new();
        engine
            .generators_mut()
            .register_column("employees", "email", |_| Value::from("same@example.com"));
        let err = syda::db::seed(&db, &schema, &plan, &engine, &SeedOptions::default())
            .await
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("employees") && err.contains("email") && err.contains("unique"),
            "{err}"
        );
        for table in ["departments", "employees"] {
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
fn a_schema_file_must_match_the_database() {
    run(async {
        let Some((_test, db)) = setup("pg_mismatch").await else {
            return;
        };
        let schema = syda::Schema::from_yaml_str(
            "tables:\n  projects:\n    columns:\n      code: { type: text, primary_key: true }\n      colour: text\n  nowhere:\n    columns:\n      id: integer\n",
        )
        .unwrap();
        let err = syda::db::seed(
            &db,
            &schema,
            &PlanConfig::rows(3),
            &OfflineEngine::new(),
            &SeedOptions::default(),
        )
        .await
        .unwrap_err()
        .to_string();
        assert!(err.contains("`nowhere`: no such table"), "{err}");
        assert!(err.contains("column `colour`: no such column"), "{err}");
        assert!(
            err.contains("column `year`: is NOT NULL without a default"),
            "{err}"
        );
        assert!(err.contains("column `title`"), "{err}");
        db.close().await;
    });
}

#[test]
fn hostile_identifiers_are_quoted() {
    run(async {
        let Some(test) = TestDb::postgres("pg_hostile").await else {
            return;
        };
        test.execute(
            r#"CREATE TABLE "order" (id serial PRIMARY KEY, "select" text NOT NULL, "Mixed Case" int CHECK ("Mixed Case" > 0));
               CREATE TABLE "we""ird" ("it's" integer PRIMARY KEY, "order" integer NOT NULL REFERENCES "order" (id));
               COMMENT ON TABLE "order" IS 'Reserved word';"#,
        )
        .await;
        let db = Database::connect(&test.url).await.unwrap();
        let schema = syda::db::introspect(&db, &IntrospectOptions::default())
            .await
            .unwrap();
        let yaml = schema.to_yaml();
        assert_eq!(syda::Schema::from_yaml_str(&yaml).unwrap(), schema);
        assert!(schema.table("we\"ird").is_some(), "{yaml}");
        syda::db::seed(
            &db,
            &schema,
            &PlanConfig::rows(25),
            &OfflineEngine::new(),
            &SeedOptions::default().truncate(true),
        )
        .await
        .unwrap();
        assert_eq!(test.scalar(r#"SELECT count(*) FROM "we""ird""#).await, 25);
        assert_eq!(
            test.scalar(r#"SELECT count(*) FROM "order" WHERE "Mixed Case" IS NULL OR "Mixed Case" > 0"#)
                .await,
            25
        );
        db.close().await;
    });
}
