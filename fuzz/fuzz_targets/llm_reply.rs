//! A model's reply, whatever bytes arrive: salvaged into records that
//! satisfy the table, or rejected; never a panic. Every record kept, put
//! into a row, must pass `syda check`. The first byte picks the table
//! (the CRM example's tables without foreign keys).
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use syda::check::check;
use syda::engine::llm::{LlmConfig, LlmEngine, Provider};
use syda::engine::OfflineEngine;
use syda::{Dataset, Row, Schema};

static SCHEMA: LazyLock<Schema> = LazyLock::new(|| {
    Schema::from_yaml_str(include_str!("../../examples/schemas/crm.yaml")).expect("the CRM example loads")
});

static ENGINE: LazyLock<LlmEngine> = LazyLock::new(|| LlmEngine::new(LlmConfig::new(Provider::OpenAi, "gpt-4o-mini")));

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(body) else {
        return;
    };
    let parentless: Vec<_> = SCHEMA.tables.iter().filter(|t| t.all_foreign_keys().is_empty()).collect();
    let table = parentless[pick as usize % parentless.len()];
    let columns: Vec<usize> = ENGINE
        .llm_columns(table)
        .iter()
        .map(|name| table.column_index(name).expect("a column of the table"))
        .collect();
    let base: Row = OfflineEngine::new()
        .rows(table, 1)
        .expect("the table generates")
        .next()
        .expect("one row")
        .expect("a valid row");
    for record in ENGINE.decode_answer(table, text).into_iter().flatten() {
        assert_eq!(record.len(), columns.len(), "one value per model column");
        let mut row = base.clone();
        for (&c, value) in columns.iter().zip(record) {
            row[c] = value;
        }
        let only = Schema::new([table.clone()]);
        let data = Dataset::from_tables(only, vec![vec![row]]).expect("one table, one row");
        let report = check(&data);
        assert!(report.is_clean(), "a decoded record breaks the schema: {report}");
    }
});
