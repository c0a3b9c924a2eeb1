//! The LLM engine against a real model: llama.cpp's server with a small
//! instruct model (`scripts/local-llm-env.sh` starts it), decoding under the
//! grammar the answer schema becomes. Asserts validity and completeness,
//! not content. Skipped without `SYDA_TEST_LLM_URL`/`SYDA_TEST_LLM_MODEL`,
//! except under `CI=true`. The server answers one request at a time, so the
//! tests are few and small.
#![cfg(feature = "llm")]

mod llm_support;

use chrono::NaiveDate;
use llm_support::{crm, local_config, local_model};
use syda::engine::llm::LlmEngine;
use syda::plan::Planner;
use syda::{Generator, Schema, Synthetic};

/// A member of a lending library.
#[derive(Debug, Clone, PartialEq, serde::Deserialize, Synthetic)]
#[synthetic(table = "members")]
struct Member {
    #[synthetic(primary_key)]
    id: i64,
    /// Member's email address
    #[synthetic(unique, max_length = 60)]
    email: String,
    /// Full name of the member
    #[synthetic(max_length = 40)]
    name: String,
    /// Membership tier
    #[synthetic(one_of = ["Basic", "Plus", "Family"])]
    tier: String,
    /// Date the member joined
    joined: NaiveDate,
    /// Librarian's notes about the member's reading habits
    #[synthetic(max_length = 30)]
    notes: Option<String>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typed_rows_with_uniques_max_length_not_null_and_enums() {
    let Some((url, model)) = local_model("typed_rows_with_uniques_max_length_not_null_and_enums") else {
        return;
    };
    let out = Generator::llm(local_config(&url, &model).max_attempts(2))
        .prompt("Members of a small town library")
        .rows::<Member>(4)
        .await
        .unwrap();
    assert_eq!(out.rows.len(), 4);
    let emails: std::collections::HashSet<&str> = out.rows.iter().map(|m| m.email.as_str()).collect();
    assert_eq!(emails.len(), 4, "unique");
    for m in &out.rows {
        assert!(["Basic", "Plus", "Family"].contains(&m.tier.as_str()), "{m:?}");
        assert!(
            m.name.chars().count() <= 40 && m.email.chars().count() <= 60,
            "{m:?}"
        );
        assert!(m.notes.as_ref().is_none_or(|n| n.chars().count() <= 30), "{m:?}");
    }
    assert_eq!(out.usage.rows, 4);
    assert!(
        out.usage.requests >= 1 && out.usage.output_tokens > 0,
        "{}",
        out.usage
    );
    eprintln!("members: {}", out.usage);
}

#[test]
fn crm_related_tables_are_valid_and_complete() {
    let Some((url, model)) = local_model("crm_related_tables_are_valid_and_complete") else {
        return;
    };
    let schema = crm();
    let engine =
        LlmEngine::new(local_config(&url, &model).max_attempts(2)).with_prompt("A small B2B software vendor");
    let data = Planner::new(&schema).rows(3).generate(&engine).unwrap();
    for table in &schema.tables {
        assert_eq!(data.table(&table.name).unwrap().len(), 3, "{}", table.name);
    }
    let report = syda::check::check(&data);
    assert!(report.is_clean(), "{report}");
    let usage = engine.usage();
    assert_eq!(usage.rows, 15);
    eprintln!("crm: {usage}");
}

#[test]
fn a_unique_column_the_model_keeps_repeating_is_completed_locally() {
    let Some((url, model)) = local_model("a_unique_column_the_model_keeps_repeating_is_completed_locally")
    else {
        return;
    };
    // Few allowed values and a unique column: a small model repeats itself.
    let schema = Schema::from_yaml_str(
        r#"
tables:
  seats:
    doc: Seats in a small theatre.
    columns:
      id:    { type: integer, primary_key: true }
      seat:  { type: text, unique: true, pattern: "[A-C][1-4]", doc: "Seat: row letter A-C and number 1-4" }
      price: { type: integer, range: [10, 40], doc: Ticket price in EUR }
"#,
    )
    .unwrap();
    let table = schema.table("seats").unwrap();
    let engine = LlmEngine::new(local_config(&url, &model).max_attempts(1).batch_size(6));
    let out = engine.rows_blocking(table, 6).unwrap();
    let data = syda::Dataset::from_tables(schema.clone(), vec![out.rows]).unwrap();
    let report = syda::check::check(&data);
    assert!(report.is_clean(), "{report}");
    assert_eq!(out.usage.rows, 6);
    eprintln!("seats: {}", out.usage);
}
