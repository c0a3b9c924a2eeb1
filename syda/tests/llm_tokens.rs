//! Output tokens per row, JSON objects against the compact format (arrays of
//! values in a fixed column order), on the seed's CRM customers table.
//! Counted with tiktoken's `o200k_base` (GPT-4o's tokenizer) and, for
//! comparison, estimated as bytes / 4.
//!
//! Run `cargo test -p syda --features llm --test llm_tokens -- --nocapture`
//! to see the figures.
#![cfg(feature = "llm")]

mod llm_support;

use llm_support::crm;
use syda::engine::OfflineEngine;
use syda::engine::llm::{LlmConfig, LlmEngine, Provider, RowFormat};

const ROWS: u64 = 200;

#[test]
fn compact_rows_cost_fewer_output_tokens_and_decode_the_same() {
    let schema = crm();
    let customers = schema.table("customers").unwrap();
    let rows: Vec<syda::Row> = OfflineEngine::new()
        .with_seed(1)
        .rows(customers, ROWS)
        .unwrap()
        .collect::<syda::Result<_>>()
        .unwrap();
    let engine = LlmEngine::new(LlmConfig::new(Provider::OpenAi, "gpt-4o-mini"));
    let objects = engine.encode_answer(customers, &rows, RowFormat::Objects);
    let compact = engine.encode_answer(customers, &rows, RowFormat::Compact);

    let bpe = tiktoken_rs::o200k_base().unwrap();
    let per_row = |text: &str| bpe.encode_with_special_tokens(text).len() as f64 / ROWS as f64;
    let bytes_per_row = |text: &str| text.len() as f64 / 4.0 / ROWS as f64;
    let (obj_tokens, compact_tokens) = (per_row(&objects), per_row(&compact));
    println!(
        "customers, {ROWS} rows, output tokens per row (o200k_base): objects {obj_tokens:.1}, compact {compact_tokens:.1} \
         ({:.0}% fewer); bytes/4 estimate: objects {:.1}, compact {:.1}",
        100.0 * (1.0 - compact_tokens / obj_tokens),
        bytes_per_row(&objects),
        bytes_per_row(&compact),
    );
    assert!(
        compact_tokens < obj_tokens * 0.8,
        "compact {compact_tokens} vs objects {obj_tokens}"
    );

    // Both decode to the same, valid values: the cheaper one loses nothing.
    let from_objects = engine.decode_answer(customers, &objects);
    let from_compact = engine.decode_answer(customers, &compact);
    assert_eq!(from_objects.len(), ROWS as usize);
    assert!(
        from_compact.iter().all(Result::is_ok),
        "{:?}",
        from_compact.iter().find(|r| r.is_err())
    );
    assert_eq!(from_objects, from_compact);
    assert_eq!(
        RowFormat::default(),
        RowFormat::Compact,
        "the cheaper format is the default"
    );
}
