//! `syda generate` at scale: any thread count gives the same bytes, the
//! shards of a job add up to the unsharded output row for row, Parquet
//! columns are typed, SQL scripts load into the real servers with their own
//! clients and the loaded data passes the checks.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use syda::output::{Format, read_table};
use syda::{Dataset, Schema};

const SCHEMA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/schemas/scale.yaml");

fn syda(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_syda"))
        .args(args)
        .output()
        .expect("the syda binary runs")
}

fn ok(out: Output) -> Output {
    assert!(
        out.status.success(),
        "syda failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Generates the scale schema into `out` with extra arguments. `events`
/// gets 20 000 rows: several chunks, so threads really split it.
fn generate(out: &Path, extra: &[&str]) {
    let mut args = vec![
        "generate",
        SCHEMA,
        "--rows",
        "120",
        "--size",
        "events=20000",
        "--seed",
        "9",
        "-q",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    ok(syda(&args));
}

fn schema() -> Schema {
    Schema::from_path(Path::new(SCHEMA)).unwrap()
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut all: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    all.sort();
    all
}

#[test]
fn any_thread_count_writes_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    for format in ["csv", "json", "jsonl", "parquet"] {
        let one = dir.path().join(format!("{format}-1"));
        let three = dir.path().join(format!("{format}-3"));
        generate(&one, &["--format", format, "--threads", "1"]);
        generate(&three, &["--format", format, "--threads", "3"]);
        let (a, b) = (files(&one), files(&three));
        assert_eq!(a.len(), 5);
        for (a, b) in a.iter().zip(&b) {
            assert!(
                std::fs::read(a).unwrap() == std::fs::read(b).unwrap(),
                "{} differs between 1 and 3 threads",
                a.display()
            );
        }
    }
}

#[test]
fn csv_shards_add_up_to_the_unsharded_files_row_for_row() {
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole");
    let sharded = dir.path().join("sharded");
    generate(&whole, &[]);
    for i in 0..3 {
        generate(&sharded, &["--shard", &format!("{i}/3")]);
    }
    for table in &schema().tables {
        let expected = std::fs::read_to_string(whole.join(format!("{}.csv", table.name))).unwrap();
        let (header, body) = expected.split_once('\n').unwrap();
        let mut union = String::new();
        for i in 0..3 {
            let part = sharded
                .join(table.name.as_ref())
                .join(format!("part-0000{i}.csv"));
            let text = std::fs::read_to_string(&part).unwrap();
            let (part_header, rows) = text.split_once('\n').unwrap();
            assert_eq!(part_header, header, "{}", part.display());
            union.push_str(rows);
        }
        assert_eq!(union, body, "table {}: shards ≠ unsharded", table.name);
    }
    // Uniques hold and every foreign key resolves across the shards.
    let out = syda(&["check", SCHEMA, sharded.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn parquet_shards_add_up_to_the_unsharded_rows() {
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole");
    let sharded = dir.path().join("sharded");
    generate(&whole, &["--format", "parquet"]);
    for i in 0..4 {
        generate(
            &sharded,
            &[
                "--format",
                "parquet",
                "--shard",
                &format!("{i}/4"),
                "--threads",
                "2",
            ],
        );
    }
    for table in &schema().tables {
        let expected = read_table(
            &whole.join(format!("{}.parquet", table.name)),
            Format::Parquet,
            table,
        )
        .unwrap();
        let mut union = Vec::new();
        for i in 0..4 {
            let part = sharded
                .join(table.name.as_ref())
                .join(format!("part-0000{i}.parquet"));
            union.extend(read_table(&part, Format::Parquet, table).unwrap());
        }
        assert_eq!(union.len(), expected.len(), "table {}", table.name);
        assert!(union == expected, "table {}: shards ≠ unsharded", table.name);
    }
    let data = Dataset::read_dir(schema(), &sharded).unwrap();
    let report = syda::check::check(&data);
    assert!(report.is_clean(), "{report}");
}

#[test]
fn parquet_values_match_the_csv_values() {
    let dir = tempfile::tempdir().unwrap();
    generate(&dir.path().join("csv"), &[]);
    generate(&dir.path().join("pq"), &["--format", "parquet"]);
    let csv = Dataset::read_dir(schema(), &dir.path().join("csv")).unwrap();
    let pq = Dataset::read_dir(schema(), &dir.path().join("pq")).unwrap();
    for (table, rows) in csv.tables() {
        let other = pq.table(&table.name).unwrap();
        assert_eq!(rows.len(), other.len());
        // Floats print the same; everything else is the same text or number.
        for (a, b) in rows.iter().zip(other) {
            assert_eq!(
                a.iter().map(ToString::to_string).collect::<Vec<_>>(),
                b.iter().map(ToString::to_string).collect::<Vec<_>>(),
                "table {}",
                table.name
            );
        }
    }
}

#[test]
fn parquet_columns_carry_their_types() {
    use parquet::basic::{LogicalType, Repetition, Type as Physical};
    use parquet::file::reader::{FileReader, SerializedFileReader};

    let dir = tempfile::tempdir().unwrap();
    generate(dir.path(), &["--format", "parquet"]);
    let types = |table: &str| {
        let file = std::fs::File::open(dir.path().join(format!("{table}.parquet"))).unwrap();
        let reader = SerializedFileReader::new(file).unwrap();
        let descr = reader.metadata().file_metadata().schema_descr_ptr();
        (0..descr.num_columns())
            .map(|i| {
                let c = descr.column(i);
                let info = c.self_type().get_basic_info();
                (
                    c.name().to_owned(),
                    c.physical_type(),
                    c.logical_type_ref().cloned(),
                    info.repetition(),
                )
            })
            .collect::<Vec<_>>()
    };
    let people = types("people");
    let find = |name: &str| people.iter().find(|c| c.0 == name).unwrap().clone();
    assert_eq!(find("id").1, Physical::INT64);
    assert_eq!(find("id").3, Repetition::REQUIRED);
    assert_eq!(find("salary").1, Physical::DOUBLE);
    assert!(matches!(find("hired_at").2, Some(LogicalType::Timestamp(t)) if t.is_adjusted_to_u_t_c));
    assert!(matches!(find("starts_at").2, Some(LogicalType::Time(_))));
    assert_eq!(find("email").2, Some(LogicalType::String));
    assert_eq!(find("profile").3, Repetition::OPTIONAL, "nullable JSON");
    assert_eq!(find("profile").2, Some(LogicalType::String), "JSON as strings");
    let companies = types("companies");
    let find = |name: &str| companies.iter().find(|c| c.0 == name).unwrap().clone();
    assert_eq!(find("founded").2, Some(LogicalType::Date));
    assert_eq!(find("listed").1, Physical::BOOLEAN);
    assert!(matches!(find("revenue").2, Some(LogicalType::Decimal(d)) if d.scale == 2));
}

#[test]
fn shards_refuse_a_single_output_file_and_sql() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("events.csv");
    let out = syda(&[
        "generate",
        SCHEMA,
        "--table",
        "events",
        "--shard",
        "0/2",
        "--out",
        file.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("give --out a directory"));
    let out = syda(&[
        "generate",
        SCHEMA,
        "--format",
        "sql",
        "--shard",
        "1/2",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--format sql"));
    let out = syda(&[
        "generate",
        SCHEMA,
        "--shard",
        "2/2",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "a shard index past the count is a usage error"
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing written"
    );
}

// --- SQL scripts into the real servers ---------------------------------

#[cfg(feature = "db")]
mod sql {
    use super::*;

    const POSTGRES_DEFAULT: &str = "postgres://postgres@127.0.0.1:5432/postgres";
    const MYSQL_DEFAULT: &str = "mysql://root@127.0.0.1:3306/test";

    /// Skips (prints why) unless `CI=true`, where a missing server or client fails.
    fn unavailable(what: &str) -> bool {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{what} (CI=true: a missing server is a failure)");
        }
        eprintln!("skipped: {what}");
        true
    }

    fn run(command: &mut Command) -> Result<Output, String> {
        let out = command.output().map_err(|e| format!("{command:?}: {e}"))?;
        if out.status.success() {
            Ok(out)
        } else {
            Err(format!(
                "{command:?} failed: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }

    fn sql_script(dir: &Path, dialect: &str) -> PathBuf {
        let path = dir.join(format!("{dialect}.sql"));
        ok(syda(&[
            "generate",
            SCHEMA,
            "--rows",
            "150",
            "--size",
            "events=1200",
            "--format",
            "sql",
            "--dialect",
            dialect,
            "--create-tables",
            "-q",
            "--out",
            path.to_str().unwrap(),
        ]));
        path
    }

    /// Reads every table of the scale schema back from `url` and checks it.
    fn check_database(url: &str) {
        let schema = schema();
        let mut tables = Vec::new();
        for table in &schema.tables {
            let (columns, rows) =
                syda::db::blocking::read_table(url, &table.name, &syda::db::ReadOptions::default()).unwrap();
            let names: Vec<&str> = table.columns.iter().map(|c| c.name.as_ref()).collect();
            assert_eq!(columns, names, "table {}", table.name);
            tables.push(rows);
        }
        assert_eq!(tables[4].len(), 1200, "every event loaded");
        let companies = &tables[0];
        assert!(
            companies.iter().filter(|r| !r[5].is_null()).count() > companies.len() / 2,
            "the cycle's UPDATEs set most CEOs"
        );
        let data = Dataset::from_tables(schema, tables).unwrap();
        let report = syda::check::check(&data);
        assert!(report.is_clean(), "{report}");
    }

    fn unique_name(tag: &str) -> String {
        format!("syda_scale_{tag}_{}", std::process::id())
    }

    #[test]
    fn sqlite_script_loads_with_sqlite3_and_passes_the_checks() {
        let dir = tempfile::tempdir().unwrap();
        let script = sql_script(dir.path(), "sqlite");
        let db = dir.path().join("scale.db");
        if let Err(e) = run(Command::new("sqlite3").arg("-version")) {
            unavailable(&format!("the sqlite3 client: {e}"));
            return;
        }
        let input = std::fs::File::open(&script).unwrap();
        run(Command::new("sqlite3").arg("-bail").arg(&db).stdin(input)).unwrap();
        let fk = run(Command::new("sqlite3").arg(&db).arg("PRAGMA foreign_key_check;")).unwrap();
        assert!(
            fk.stdout.is_empty(),
            "foreign keys hold: {}",
            String::from_utf8_lossy(&fk.stdout)
        );
        check_database(&format!("sqlite://{}", db.display()));
    }

    #[test]
    fn postgres_script_loads_with_psql_and_passes_the_checks() {
        let admin = std::env::var("SYDA_TEST_POSTGRES_URL").unwrap_or_else(|_| POSTGRES_DEFAULT.to_owned());
        let name = unique_name("pg");
        let create = run(Command::new("psql")
            .arg(&admin)
            .args(["-qc", &format!("CREATE DATABASE {name}")]));
        if let Err(e) = create {
            unavailable(&format!("PostgreSQL at {admin}: {e}"));
            return;
        }
        let url = match admin.rsplit_once('/') {
            Some((base, _)) => format!("{base}/{name}"),
            None => panic!("SYDA_TEST_POSTGRES_URL has no database part: {admin}"),
        };
        let dir = tempfile::tempdir().unwrap();
        let script = sql_script(dir.path(), "postgres");
        let loaded = run(Command::new("psql")
            .arg(&url)
            .args(["-q", "-v", "ON_ERROR_STOP=1", "-f"])
            .arg(&script));
        let checked = loaded.map(|_| std::panic::catch_unwind(|| check_database(&url)));
        let _ = run(Command::new("psql")
            .arg(&admin)
            .args(["-qc", &format!("DROP DATABASE {name}")]));
        match checked {
            Ok(Ok(())) => {}
            Ok(Err(panic)) => std::panic::resume_unwind(panic),
            Err(e) => panic!("{e}"),
        }
    }

    /// `mariadb` client arguments for a `mysql://user:password@host:port/db` URL.
    fn mariadb_args(url: &str) -> (Vec<String>, String) {
        let rest = url.split_once("://").map_or(url, |(_, r)| r);
        let (auth, host_db) = rest.rsplit_once('@').unwrap_or(("root", rest));
        let (user, password) = auth.split_once(':').unwrap_or((auth, ""));
        let (host, _db) = host_db.split_once('/').unwrap_or((host_db, ""));
        let (host, port) = host.split_once(':').unwrap_or((host, "3306"));
        let mut args = vec![
            format!("--host={host}"),
            format!("--port={port}"),
            format!("--user={user}"),
        ];
        if !password.is_empty() {
            args.push(format!("--password={password}"));
        }
        let base = format!("mysql://{auth}@{host}:{port}");
        (args, base)
    }

    #[test]
    fn mysql_script_loads_with_the_mariadb_client_and_passes_the_checks() {
        let admin = std::env::var("SYDA_TEST_MYSQL_URL").unwrap_or_else(|_| MYSQL_DEFAULT.to_owned());
        let (args, base) = mariadb_args(&admin);
        let name = unique_name("my");
        let create = run(Command::new("mariadb")
            .args(&args)
            .args(["-e", &format!("CREATE DATABASE {name}")]));
        if let Err(e) = create {
            unavailable(&format!("MySQL/MariaDB at {admin}: {e}"));
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let script = sql_script(dir.path(), "mysql");
        let input = std::fs::File::open(&script).unwrap();
        let loaded = run(Command::new("mariadb").args(&args).arg(&name).stdin(input));
        let url = format!("{base}/{name}");
        let checked = loaded.map(|_| std::panic::catch_unwind(|| check_database(&url)));
        let _ = run(Command::new("mariadb")
            .args(&args)
            .args(["-e", &format!("DROP DATABASE {name}")]));
        match checked {
            Ok(Ok(())) => {}
            Ok(Err(panic)) => std::panic::resume_unwind(panic),
            Err(e) => panic!("{e}"),
        }
    }
}
