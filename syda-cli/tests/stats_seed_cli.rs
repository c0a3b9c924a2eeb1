//! `syda fit --database-url` (every table) then `syda seed --engine stats
//! --fitted DB.json --scale F`, end to end on SQLite files: a fresh
//! database with the same tables is filled at twice the size, every key
//! valid, the self-reference a forest.
#![cfg(feature = "db")]

use std::path::Path;
use std::str::FromStr;

use sqlx::ConnectOptions as _;

mod support;

use support::{block_on, syda, text};

const TABLES: &str = "
CREATE TABLE teams (id INTEGER PRIMARY KEY, kind TEXT NOT NULL);
CREATE TABLE people (id INTEGER PRIMARY KEY, team_id INTEGER NOT NULL REFERENCES teams (id),
  boss_id INTEGER REFERENCES people (id), pay REAL NOT NULL);
";

fn database(path: &Path, sql: &str) -> String {
    let url = format!("sqlite://{}", path.display());
    block_on(async {
        let mut conn = sqlx::sqlite::SqliteConnectOptions::from_str(&url)
            .unwrap()
            .create_if_missing(true)
            .connect()
            .await
            .unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(&mut conn)
            .await
            .unwrap();
    });
    url
}

fn scalar(url: &str, sql: &str) -> i64 {
    block_on(async {
        let mut conn = sqlx::sqlite::SqliteConnectOptions::from_str(url)
            .unwrap()
            .connect()
            .await
            .unwrap();
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_one(&mut conn)
            .await
            .unwrap()
    })
}

#[test]
fn a_fitted_database_seeds_a_fresh_one_at_any_scale() {
    let dir = tempfile::tempdir().unwrap();
    let mut sql = String::from(TABLES);
    let mut person = 0;
    for team in 1..=40 {
        sql.push_str(&format!(
            "INSERT INTO teams VALUES ({team}, '{}');",
            ["dev", "ops"][team % 2]
        ));
        let lead = person + 1;
        for j in 0..(3 + team % 5) {
            person += 1;
            let boss = if j == 0 {
                "NULL".to_owned()
            } else {
                lead.to_string()
            };
            sql.push_str(&format!(
                "INSERT INTO people VALUES ({person}, {team}, {boss}, {}.5);",
                30_000 + (person * 37) % 9000
            ));
        }
    }
    let source = database(&dir.path().join("source.db"), &sql);
    let target = database(&dir.path().join("target.db"), TABLES);
    let model = dir.path().join("db.json");
    let model = model.to_str().unwrap();

    let out = syda(&["fit", "--database-url", &source, "--out", model]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = syda(&[
        "seed",
        "--database-url",
        &target,
        "--engine",
        "stats",
        "--fitted",
        model,
        "--scale",
        "2",
        "--quiet",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(scalar(&target, "SELECT count(*) FROM teams"), 80);
    let people = scalar(&target, "SELECT count(*) FROM people");
    assert!(
        (2 * person - 60..2 * person + 60).contains(&people),
        "{people} people for 2 × {person}"
    );
    let orphans = "SELECT count(*) FROM people p LEFT JOIN teams t ON t.id = p.team_id WHERE t.id IS NULL";
    assert_eq!(scalar(&target, orphans), 0);
    let bossless = "SELECT count(*) FROM people p LEFT JOIN people b ON b.id = p.boss_id \
                    WHERE p.boss_id IS NOT NULL AND b.id IS NULL";
    assert_eq!(scalar(&target, bossless), 0);
    let leads = scalar(&target, "SELECT count(*) FROM people WHERE boss_id IS NULL");
    assert!(
        (60..=100).contains(&leads),
        "{leads} people without a boss (real: 40 of {person})"
    );

    // The same tables as CSV files with declared keys: the same rebuild.
    let csv = dir.path().join("csv");
    std::fs::create_dir(&csv).unwrap();
    let mut teams = String::from("id,kind\n");
    let mut people = String::from("id,team_id,boss_id,pay\n");
    for line in sql.split(';') {
        let Some(values) = line.split_once("VALUES (").map(|(_, v)| v.trim_end_matches(')')) else {
            continue;
        };
        let values = values.replace(['\'', ' '], "").replace("NULL", "");
        if line.contains("INTO teams") {
            teams.push_str(&format!("{values}\n"));
        } else {
            people.push_str(&format!("{values}\n"));
        }
    }
    std::fs::write(csv.join("teams.csv"), teams).unwrap();
    std::fs::write(csv.join("people.csv"), people).unwrap();
    let from_files = database(&dir.path().join("from_files.db"), TABLES);
    let out = syda(&[
        "fit",
        csv.to_str().unwrap(),
        "--foreign-key",
        "people.team_id=teams.id",
        "--foreign-key",
        "people.boss_id=people.id",
        "--out",
        model,
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = syda(&[
        "seed",
        "--database-url",
        &from_files,
        "--engine",
        "stats",
        "--fitted",
        model,
        "--quiet",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(scalar(&from_files, "SELECT count(*) FROM teams"), 40);
    assert_eq!(scalar(&from_files, bossless), 0);
    assert_eq!(scalar(&from_files, orphans), 0);

    // A database model with the per-table engine's options is a usage error.
    let out = syda(&[
        "seed",
        "--database-url",
        &target,
        "--engine",
        "stats",
        "--fitted",
        model,
        "--size",
        "people=5",
    ]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("--scale"), "{}", text(&out.stderr));
}
