//! Output tokens per row, JSON objects against the compact format (arrays of
//! values in a fixed column order), on every table of the seed's CRM.
//! Counted with tiktoken's `o200k_base` (GPT-4o's tokenizer) and, for
//! comparison, estimated as bytes / 4.
//!
//! Run `cargo test -p syda --features llm --test llm_tokens -- --nocapture`
//! to see the figures (they are in `docs/llm.md`).
#![cfg(feature = "llm")]

mod llm_support;

use llm_support::crm;
use syda::engine::OfflineEngine;
use syda::engine::llm::{LlmConfig, LlmEngine, Provider, RowFormat};
use syda::plan::Planner;

const ROWS: u64 = 200;

#[test]
fn compact_rows_cost_fewer_output_tokens_on_every_crm_table_and_decode_the_same() {
    let schema = crm();
    let data = Planner::new(&schema)
        .rows(ROWS)
        .generate(&OfflineEngine::new().with_seed(1))
        .unwrap();
    let engine = LlmEngine::new(LlmConfig::new(Provider::OpenAi, "gpt-4o-mini"));
    let bpe = tiktoken_rs::o200k_base().unwrap();
    let per_row = |text: &str| bpe.encode_with_special_tokens(text).len() as f64 / ROWS as f64;
    println!("| table | model columns | objects | compact | saved |");
    println!("|---|---|---|---|---|");
    for table in &schema.tables {
        let rows = data.table(&table.name).unwrap();
        let objects = engine.encode_answer(table, rows, RowFormat::Objects);
        let compact = engine.encode_answer(table, rows, RowFormat::Compact);
        let (obj_tokens, compact_tokens) = (per_row(&objects), per_row(&compact));
        println!(
            "| {} | {} | {obj_tokens:.1} ({:.1} bytes/4) | {compact_tokens:.1} ({:.1} bytes/4) | {:.0}% |",
            table.name,
            engine.llm_columns(table).len(),
            objects.len() as f64 / 4.0 / ROWS as f64,
            compact.len() as f64 / 4.0 / ROWS as f64,
            100.0 * (1.0 - compact_tokens / obj_tokens),
        );
        assert!(
            compact_tokens < obj_tokens * 0.9,
            "{}: compact {compact_tokens} vs objects {obj_tokens}",
            table.name
        );
        // Both decode to the same, valid values: the cheaper one loses nothing.
        let from_objects = engine.decode_answer(table, &objects);
        let from_compact = engine.decode_answer(table, &compact);
        assert_eq!(from_objects.len(), ROWS as usize);
        assert!(
            from_compact.iter().all(Result::is_ok),
            "{}: {:?}",
            table.name,
            from_compact.iter().find(|r| r.is_err())
        );
        assert_eq!(from_objects, from_compact);
    }
}
