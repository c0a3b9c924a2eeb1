//! Same schema and seed, same rows — however the rows are taken.

use syda::engine::OfflineEngine;
use syda::{Row, Schema, Table};

const SCHEMA: &str = r#"
tables:
  customers:
    columns:
      id:         { type: integer, primary_key: true }
      name:       { type: text }
      email:      { type: email, unique: true }
      code:       { type: text, unique: true, max_length: 3 }
      score:      { type: integer, unique: true, range: [1, 1200] }
      status:     { type: text, doc: "Customer status: Active, Inactive, Prospect" }
      nickname:   { type: text, nullable: true }
      created_at: { type: datetime }
      ref:        { type: uuid }
"#;

fn table() -> Table {
    Schema::from_yaml_str(SCHEMA).expect("schema").tables[0].clone()
}

fn all(engine: &OfflineEngine, table: &Table, n: u64) -> Vec<Row> {
    engine
        .rows(table, n)
        .expect("plan")
        .collect::<syda::Result<_>>()
        .expect("rows")
}

#[test]
fn same_seed_gives_identical_rows() {
    let table = table();
    let a = all(&OfflineEngine::new().with_seed(9), &table, 1000);
    let b = all(&OfflineEngine::new().with_seed(9), &table, 1000);
    assert_eq!(a, b);
}

#[test]
fn different_seeds_give_different_rows() {
    let table = table();
    let a = all(&OfflineEngine::new().with_seed(1), &table, 100);
    let b = all(&OfflineEngine::new().with_seed(2), &table, 100);
    let differing = a.iter().zip(&b).filter(|(x, y)| x[2] != y[2]).count();
    assert!(differing > 90, "only {differing} of 100 emails differ");
}

#[test]
fn fewer_rows_are_a_prefix_of_more_rows() {
    let table = table();
    let engine = OfflineEngine::new().with_seed(3);
    let long = all(&engine, &table, 1000);
    let short = all(&engine, &table, 10);
    assert_eq!(short, long[..10]);
}

#[test]
fn taking_rows_in_batches_changes_nothing() {
    let table = table();
    let engine = OfflineEngine::new().with_seed(5);
    let whole = all(&engine, &table, 1000);
    let mut stream = engine.rows(&table, 1000).expect("plan");
    let mut batched = Vec::new();
    for size in [1, 99, 100, 300, 500] {
        batched.extend(stream.next_batch(size).expect("batch"));
    }
    assert!(stream.next_batch(10).expect("empty batch").is_empty());
    assert_eq!(batched, whole);
}

#[test]
fn ranges_of_rows_match_a_single_pass() {
    let table = table();
    let engine = OfflineEngine::new().with_seed(11);
    let whole = all(&engine, &table, 1000);
    let mut chunked = Vec::new();
    for start in (0..1000).step_by(100) {
        let chunk: Vec<Row> = engine
            .rows_range(&table, start..start + 100)
            .expect("plan")
            .collect::<syda::Result<_>>()
            .expect("rows");
        assert_eq!(chunk.len(), 100);
        chunked.extend(chunk);
    }
    assert_eq!(chunked, whole);
}

#[test]
fn rows_of_one_table_do_not_depend_on_other_tables() {
    let schema = Schema::from_yaml_str(
        "tables:\n  a:\n    columns:\n      email: email\n  b:\n    columns:\n      email: email\n",
    )
    .expect("schema");
    let engine = OfflineEngine::new();
    let a = all(&engine, &schema.tables[0], 50);
    let b = all(&engine, &schema.tables[1], 50);
    assert_ne!(a, b, "tables get their own streams");
    assert_eq!(a, all(&engine, &schema.tables[0], 50));
}

#[test]
fn unique_columns_without_a_range_do_not_depend_on_the_row_count() {
    let table = syda::Table::new("t")
        .with_column(syda::Column::new("n", syda::DataType::Integer).unique())
        .with_column(syda::Column::new("x", syda::DataType::Float).unique())
        .with_column(syda::Column::new("d", syda::DataType::Decimal).unique());
    let engine = OfflineEngine::new();
    let few = all(&engine, &table, 5);
    let many = engine
        .rows(&table, 10_000_000)
        .expect("plan")
        .take(5)
        .collect::<syda::Result<Vec<_>>>()
        .expect("rows");
    assert_eq!(few, many);
}
