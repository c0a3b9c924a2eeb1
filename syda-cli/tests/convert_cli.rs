//! `syda convert`, and `validate`/`generate`/`check` on a Python syda
//! schema directory, end to end through the binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn syda(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_syda"))
        .args(args)
        .output()
        .expect("the syda binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn repo(path: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(path)
        .display()
        .to_string()
}

fn inventory() -> String {
    repo("tests/fixtures/sydapy/inventory")
}

#[test]
fn a_syda_py_directory_validates_generates_and_its_output_passes_check() {
    let dir = inventory();
    let run = syda(&["validate", &dir]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let stdout = text(&run.stdout);
    assert!(
        stdout.contains("product") && stdout.contains("supplier"),
        "{stdout}"
    );
    let stderr = text(&run.stderr);
    assert!(
        stderr.contains("note: table `inventory`") && stderr.contains("`__template__`"),
        "{stderr}"
    );

    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("out");
    let out_arg = format!("{}/", out.display());
    let run = syda(&["generate", &dir, "--rows", "40", "--seed", "9", "--out", &out_arg]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let mut written: Vec<PathBuf> = std::fs::read_dir(&out)
        .expect("out exists")
        .map(|e| e.expect("entry").path())
        .collect();
    written.sort();
    assert_eq!(written.len(), 4, "{written:?}");

    let run = syda(&["check", &dir, &out.display().to_string()]);
    assert!(run.status.success(), "{}{}", text(&run.stdout), text(&run.stderr));
}

#[test]
fn convert_writes_syda_yaml_that_loads_back_as_the_same_schema() {
    let dir = inventory();
    let run = syda(&["convert", &dir]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let yaml = text(&run.stdout);
    assert!(yaml.starts_with("tables:"), "{yaml}");
    let converted = syda::Schema::from_yaml_str(&yaml).expect("the output is a syda schema");
    assert_eq!(converted, syda::Schema::from_path(&dir).expect("loads"));

    let tmp = tempfile::tempdir().expect("temp dir");
    let file = tmp.path().join("schema.yaml");
    let run = syda(&["convert", &dir, "--out", &file.display().to_string()]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    assert_eq!(std::fs::read_to_string(&file).expect("written"), yaml);
}

#[test]
fn convert_reads_a_diesel_schema_rs() {
    let run = syda(&["convert", &repo("examples/diesel_blog/src/schema.rs")]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let schema = syda::Schema::from_yaml_str(&text(&run.stdout)).expect("a syda schema");
    let posts = schema.table("posts").expect("posts");
    assert_eq!(
        posts
            .column("user_id")
            .and_then(|c| c.foreign_key.as_ref())
            .map(ToString::to_string)
            .as_deref(),
        Some("users.id")
    );
}

#[cfg(feature = "db")]
#[test]
fn convert_reads_a_live_database() {
    use sqlx::ConnectOptions as _;
    use std::str::FromStr;

    let tmp = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", tmp.path().join("shop.db").display());
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(async {
            let mut conn = sqlx::sqlite::SqliteConnectOptions::from_str(&url)
                .expect("url")
                .create_if_missing(true)
                .connect()
                .await
                .expect("connects");
            sqlx::raw_sql(
                "CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE);
                 CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers (id));",
            )
            .execute(&mut conn)
            .await
            .expect("creates");
        });
    let run = syda(&["convert", "--database-url", &url]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let schema = syda::Schema::from_yaml_str(&text(&run.stdout)).expect("a syda schema");
    let orders = schema.table("orders").expect("orders");
    assert_eq!(
        orders
            .column("customer_id")
            .and_then(|c| c.foreign_key.as_ref())
            .map(ToString::to_string)
            .as_deref(),
        Some("customers.id")
    );
}

#[test]
fn convert_of_a_bad_input_names_the_file_and_writes_nothing() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let bad = tmp.path().join("orders.yml");
    std::fs::write(
        &bad,
        "__table_name__: orders\nid: { type: integer, constraints: { primary_key: maybe } }\n",
    )
    .expect("write");
    let file = tmp.path().join("schema.yaml");
    let run = syda(&[
        "convert",
        &bad.display().to_string(),
        "--out",
        &file.display().to_string(),
    ]);
    assert_eq!(run.status.code(), Some(1));
    let stderr = text(&run.stderr);
    assert!(stderr.contains("orders.yml"), "{stderr}");
    assert!(
        stderr.contains("table `orders`, column `id`: `primary_key` must be true or false"),
        "{stderr}"
    );
    assert!(!file.exists());
    let run = syda(&["convert"]);
    assert_eq!(run.status.code(), Some(2), "a usage error: {}", text(&run.stderr));
}
