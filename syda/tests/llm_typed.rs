//! Typed rows through the LLM engine (a fake model behind a mock server):
//! the model's date-times, enum values and newtypes read into their Rust
//! types, structured JSON columns (lists, nested structs) filled locally by
//! `typed_generators`.
#![cfg(feature = "llm")]

mod llm_support;

use chrono::{DateTime, NaiveDateTime, Utc};
use llm_support::{Call, Fake, Reply};
use syda::engine::llm::{Provider, RowFormat};
use syda::{Generator, Synthetic};

/// Subscription tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, Synthetic)]
#[serde(rename_all = "lowercase")]
enum Tier {
    Free,
    Team,
    Enterprise,
}

/// A work e-mail address.
#[derive(Debug, serde::Deserialize, Synthetic)]
struct Email(#[synthetic(kind = "email")] String);

/// Where the account is billed.
#[derive(Debug, serde::Deserialize, Synthetic)]
struct Address {
    city: String,
    country: String,
}

/// A customer account.
#[derive(Debug, serde::Deserialize, Synthetic)]
#[synthetic(table = "accounts")]
struct Account {
    #[synthetic(primary_key)]
    id: i64,
    /// Company name
    name: String,
    tier: Tier,
    email: Email,
    signed_up: NaiveDateTime,
    last_seen: Option<DateTime<Utc>>,
    token: uuid::Uuid,
    tags: Vec<String>,
    billing: Address,
}

/// The fake model's valid rows, without the columns filled locally.
fn model_rows(call: &Call) -> Reply {
    let rows = call
        .good
        .iter()
        .cloned()
        .map(|mut row| {
            if let Some(fields) = row.as_object_mut() {
                fields.remove("tags");
                fields.remove("billing");
            }
            row
        })
        .collect();
    Reply::Rows(rows)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_typed_rows_through_a_mock_model() {
    let table = Account::TABLE;
    let fake = Fake::start(Provider::OpenAi, &table, RowFormat::Objects, model_rows).await;
    let config = fake
        .config(Provider::OpenAi, RowFormat::Objects)
        .batch_size(200)
        .concurrency(4);
    let out = Generator::llm(config)
        .generators(syda::typed_generators::<Account>())
        .rows::<Account>(10_000)
        .await
        .expect("every row reads into Account");
    assert_eq!(out.rows.len(), 10_000);
    assert!(out.usage.requests >= 50, "{}", out.usage);
    for (i, a) in out.rows.iter().enumerate() {
        assert_eq!(a.id, i as i64 + 1);
        assert!(a.email.0.contains('@'));
        assert!((1..=3).contains(&a.tags.len()));
        assert!(!a.billing.city.is_empty() && !a.billing.country.is_empty());
        assert!(!a.name.is_empty());
        assert!((2015..=2025).contains(&chrono::Datelike::year(&a.signed_up)));
        assert_eq!(a.token.get_version_num(), 4);
    }
    assert!(out.rows.iter().any(|a| a.tier == Tier::Enterprise));
    assert!(out.rows.iter().any(|a| a.last_seen.is_some()));
}
