//! Realism of the offline default on a plain app schema
//! (`examples/schemas/rental_shop.yaml`: names, types and keys only): every
//! inferred relation holds in every row, over 10k rows and several seeds.

use syda::engine::OfflineEngine;
use syda::plan::Planner;
use syda::realism::{self, Score};
use syda::{Dataset, Schema, Value};

fn shop() -> Schema {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/schemas/rental_shop.yaml");
    Schema::from_path(path).expect("the example schema loads")
}

fn generate(schema: &Schema, seed: u64, rows: u64) -> Dataset {
    Planner::new(schema)
        .rows(rows)
        .generate(&OfflineEngine::new().with_seed(seed))
        .expect("generates")
}

fn print_samples(data: &Dataset) {
    if std::env::var_os("SYDA_PRINT_SAMPLES").is_none() {
        return;
    }
    for (table, rows) in data.tables() {
        println!("## {}", table.name);
        let names: Vec<&str> = table.columns.iter().map(|c| c.name.as_ref()).collect();
        println!("{}", names.join(" | "));
        for row in rows.iter().take(5) {
            let cells: Vec<String> = row.iter().map(Value::to_string).collect();
            println!("{}", cells.join(" | "));
        }
    }
}

fn score_of(seed: u64, rows: u64) -> Score {
    let data = generate(&shop(), seed, rows);
    print_samples(&data);
    realism::score(&data)
}

#[test]
fn every_inferred_relation_holds_over_ten_thousand_rows_and_several_seeds() {
    for seed in [1, 2, 3] {
        let score = score_of(seed, 10_000);
        println!("{score}");
        for check in &score.checks {
            assert_eq!(check.share(), 1.0, "seed {seed}: {check:?}");
        }
    }
}
