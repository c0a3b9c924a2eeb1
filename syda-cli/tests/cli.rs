//! The `syda` binary end to end: exit codes, messages, files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn syda(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_syda"))
        .args(args)
        .env("RUST_BACKTRACE", "1")
        .output()
        .expect("the syda binary runs")
}

fn example(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/schemas")
        .join(name)
        .display()
        .to_string()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

#[test]
fn generate_then_check_the_crm_example() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let run = syda(&[
        "generate",
        &example("crm.yaml"),
        "--rows",
        "2000",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    assert!(
        text(&run.stderr).contains("wrote 10000 rows in 5 tables"),
        "{}",
        text(&run.stderr)
    );
    let names: Vec<String> = files(&out)
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "contacts.csv",
            "customers.csv",
            "order_items.csv",
            "orders.csv",
            "products.csv"
        ]
    );
    let check = syda(&["check", &example("crm.yaml"), out.to_str().unwrap()]);
    assert!(
        check.status.success(),
        "{}{}",
        text(&check.stdout),
        text(&check.stderr)
    );
    assert!(text(&check.stdout).contains("no violations"));
}

#[test]
fn same_seed_same_bytes_in_every_format() {
    for format in ["csv", "json", "jsonl"] {
        let dir = tempfile::tempdir().unwrap();
        let run = |name: &str| {
            let out = dir.path().join(name);
            let args = [
                "generate",
                &example("crm.yaml"),
                "--rows",
                "300",
                "--seed",
                "11",
                "--format",
                format,
            ];
            let result = syda(&[&args[..], &["--out", out.to_str().unwrap(), "-q"]].concat());
            assert!(result.status.success(), "{}", text(&result.stderr));
            std::fs::read(out.join(format!("orders.{format}"))).unwrap()
        };
        assert_eq!(run("a"), run("b"), "{format}");
    }
}

#[test]
fn check_reports_violations_and_exits_one() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    let run = syda(&[
        "generate",
        &example("crm.yaml"),
        "--rows",
        "20",
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert!(run.status.success());
    let orders = out.join("orders.csv");
    let broken = std::fs::read_to_string(&orders)
        .unwrap()
        .replacen("\n1,", "\n1,9999", 1);
    std::fs::write(&orders, broken).unwrap();
    let check = syda(&["check", &example("crm.yaml"), out.to_str().unwrap()]);
    assert_eq!(check.status.code(), Some(1));
    let report = text(&check.stdout);
    assert!(
        report.contains("orders") && report.contains("customer_id") && report.contains("foreign key"),
        "{report}"
    );
}

#[test]
fn one_table_to_one_file_with_format_from_the_extension() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("patients.jsonl");
    let run = syda(&[
        "generate",
        &example("patients.yaml"),
        "--rows",
        "15",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let lines = std::fs::read_to_string(&out).unwrap();
    assert_eq!(lines.lines().count(), 15);
    for line in lines.lines() {
        let row: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(row["email"].as_str().unwrap().contains('@'));
    }
}

#[test]
fn table_option_writes_only_that_table_but_keeps_its_parents_consistent() {
    let dir = tempfile::tempdir().unwrap();
    let run = syda(&[
        "generate",
        &example("crm.yaml"),
        "--table",
        "orders",
        "--size",
        "customers=5",
        "--rows",
        "50",
        "--out",
        dir.path().to_str().unwrap(),
        "-q",
    ]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    assert_eq!(files(dir.path()), [dir.path().join("orders.csv")]);
    let ids: std::collections::HashSet<String> = csv::Reader::from_path(dir.path().join("orders.csv"))
        .unwrap()
        .records()
        .map(|r| r.unwrap()[1].to_owned())
        .collect();
    assert!(
        ids.iter().all(|id| (1..=5).contains(&id.parse::<i64>().unwrap())),
        "{ids:?}"
    );
}

#[test]
fn an_invalid_schema_lists_every_problem_and_exits_one_without_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.yaml");
    std::fs::write(
        &bad,
        "tables:\n  people:\n    columns:\n      id: { type: integer, primary_key: true }\n      email: { type: emial }\n      boss: { type: integer, foreign_key: persons.id }\n      age: { type: integer, range: [90, 18] }\n",
    )
    .unwrap();
    for command in ["validate", "generate"] {
        let mut args = vec![command, bad.to_str().unwrap()];
        if command == "generate" {
            args.extend(["--out", dir.path().to_str().unwrap()]);
        }
        let run = syda(&args);
        assert_eq!(run.status.code(), Some(1), "{command}");
        let err = text(&run.stderr);
        assert!(err.contains("bad.yaml: invalid schema (3 problems)"), "{err}");
        assert!(
            err.contains("table `people`, column `email`: unknown type `emial`"),
            "{err}"
        );
        assert!(err.contains("table `people`, column `boss`"), "{err}");
        assert!(err.contains("table `people`, column `age`"), "{err}");
        assert!(!err.contains("panicked") && !err.contains("backtrace"), "{err}");
    }
}

#[test]
fn a_failed_run_leaves_no_files_behind() {
    let dir = tempfile::tempdir().unwrap();
    let schema = dir.path().join("one_to_one.yaml");
    std::fs::write(
        &schema,
        "tables:\n  users:\n    columns:\n      id: { type: integer, primary_key: true }\n  profiles:\n    columns:\n      id: { type: integer, primary_key: true }\n      user_id: { type: integer, unique: true, foreign_key: users.id }\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let run = syda(&[
        "generate",
        schema.to_str().unwrap(),
        "--size",
        "users=3",
        "--size",
        "profiles=4",
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(run.status.code(), Some(1));
    assert!(text(&run.stderr).contains("profiles"), "{}", text(&run.stderr));
    assert!(!out.exists() || files(&out).is_empty(), "{:?}", files(&out));
}

#[test]
fn a_missing_file_is_named_once_with_the_system_reason_once() {
    let run = syda(&["validate", "no/such/schema.yaml"]);
    assert_eq!(run.status.code(), Some(1));
    let stderr = text(&run.stderr);
    assert_eq!(stderr.matches("no/such/schema.yaml").count(), 1, "{stderr}");
    // The I/O error is the syda error's own message and not repeated as its cause.
    assert_eq!(stderr.matches("No such file or directory").count(), 1, "{stderr}");
}

#[test]
fn usage_errors_exit_two() {
    let run = syda(&[
        "generate",
        &example("crm.yaml"),
        "--size",
        "customers",
        "--out",
        "x",
    ]);
    assert_eq!(run.status.code(), Some(2));
    assert!(text(&run.stderr).contains("TABLE=N"), "{}", text(&run.stderr));
}

#[test]
fn many_tables_into_one_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("all.csv");
    let run = syda(&["generate", &example("crm.yaml"), "--out", out.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(1));
    assert!(
        text(&run.stderr).contains("give a directory"),
        "{}",
        text(&run.stderr)
    );
}

#[test]
fn validate_lists_the_relations_inferred_per_table() {
    let run = syda(&["validate", &example("rental_shop.yaml")]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let out = text(&run.stdout);
    for line in [
        "inferred  email = e-mail from first_name + last_name at company's domain",
        "inferred  updated_at ≥ created_at",
        "inferred  line_total = quantity * unit_price - discount",
        "inferred  payment_date ≥ rentals.rental_date",
        "inferred  rental_id agrees with customer_id (same shared parent)",
    ] {
        assert!(out.contains(line), "{line}\n{out}");
    }
}

#[test]
fn check_realism_scores_a_generated_directory() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let schema = example("rental_shop.yaml");
    let run = syda(&[
        "generate",
        &schema,
        "--rows",
        "200",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let run = syda(&["check", "--realism", &schema, out.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stdout));
    let report = text(&run.stdout);
    assert!(report.contains("realism 100.0/100"), "{report}");
    assert!(report.contains("fk diamond"), "{report}");
}
