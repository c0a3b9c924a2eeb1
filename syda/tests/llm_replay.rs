//! The record/replay cache: typed fixtures from answers recorded once and
//! committed under `tests/fixtures/syda/`, with no server and no key.
#![cfg(feature = "llm")]

mod llm_support;

use std::path::PathBuf;

use chrono::NaiveDate;
use llm_support::{Call, Fake, MODEL, Reply, good};
use serde_json::json;
use syda::engine::llm::{CacheMode, LlmConfig, LlmEngine, Provider, RowFormat};
use syda::{Error, Generator, Synthetic};

/// Organization or individual client in the CRM system.
/// Represents a business entity that can place orders and have contacts.
#[derive(Debug, Clone, PartialEq, serde::Deserialize, Synthetic)]
#[synthetic(table = "customers")]
struct Customer {
    #[synthetic(primary_key)]
    id: i64,
    /// Customer organization name
    #[synthetic(unique, max_length = 100)]
    name: String,
    /// Customer's primary industry
    #[synthetic(max_length = 50)]
    industry: Option<String>,
    /// Customer's website URL
    #[synthetic(max_length = 100)]
    website: Option<String>,
    /// Active, Inactive, Prospect
    #[synthetic(max_length = 20)]
    status: Option<String>,
    /// Date when customer was added to CRM
    created_at: Option<NaiveDate>,
}

const PROMPT: &str = "B2B software customers across Europe, mostly mid-sized companies";

fn committed() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/syda"))
}

/// The configuration the fixtures were recorded with; the base URL and key
/// are not part of the cache key, so replay needs neither.
fn config(base_url: &str, mode: CacheMode) -> LlmConfig {
    LlmConfig::new(Provider::OpenAi, MODEL)
        .base_url(base_url)
        .batch_size(6)
        .concurrency(2)
        .cache(mode, committed())
}

#[tokio::test]
async fn typed_fixtures_replay_from_the_committed_cache() {
    // Nothing listens on port 9: any request that misses the cache fails.
    let generator = Generator::llm(config("http://127.0.0.1:9/v1", CacheMode::ReplayOnly)).prompt(PROMPT);
    let out = generator.rows::<Customer>(12).await.unwrap();
    assert_eq!(out.rows.len(), 12);
    assert_eq!(out.usage.requests, 0);
    assert_eq!(out.usage.cache_hits, 2);
    assert_eq!(out.rows[0].id, 1);
    assert_eq!(out.rows[0].name, "Nordlicht Software GmbH");
    assert_eq!(out.rows[6].name, "Alpenblick Manufacturing AG");
    assert_eq!(out.rows[9].website, None);
    assert_eq!(out.rows[11].created_at, None);
    assert_eq!(out.rows[3].created_at, NaiveDate::from_ymd_opt(2021, 9, 30));
    // The same every time.
    let again = generator.rows::<Customer>(12).await.unwrap();
    assert_eq!(out.rows, again.rows);
}

#[tokio::test]
async fn a_replay_miss_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let config =
        config("http://127.0.0.1:9/v1", CacheMode::ReplayOnly).cache(CacheMode::ReplayOnly, dir.path());
    let err = Generator::llm(config)
        .prompt(PROMPT)
        .rows::<Customer>(3)
        .await
        .unwrap_err();
    let Error::CacheMiss { path } = &err else {
        panic!("{err:?}")
    };
    assert!(path.starts_with(dir.path()));
    assert!(err.to_string().contains("read-write"), "{err}");
}

#[tokio::test]
async fn recorded_answers_replay_without_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let table = Customer::TABLE;
    let fake = Fake::start(Provider::Anthropic, &table, RowFormat::Compact, good).await;
    let record = fake
        .config(Provider::Anthropic, RowFormat::Compact)
        .batch_size(4)
        .cache(CacheMode::ReadWrite, dir.path());
    let first = LlmEngine::new(record.clone())
        .rows_async(&table, 10)
        .await
        .unwrap();
    assert_eq!(first.usage.requests, 3);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 3);
    // Read-write replays what it has.
    let second = LlmEngine::new(record.clone())
        .rows_async(&table, 10)
        .await
        .unwrap();
    assert_eq!(second.usage.requests, 0);
    assert_eq!(second.rows, first.rows);
    drop(fake);
    // Replay-only with the server gone and no key.
    let mut replay = record.cache(CacheMode::ReplayOnly, dir.path());
    replay.api_key = None;
    let third = LlmEngine::new(replay).rows_async(&table, 10).await.unwrap();
    assert_eq!(third.rows, first.rows);
    assert_eq!(fake_free_cost(&third.usage), 0);
}

fn fake_free_cost(usage: &syda::engine::llm::Usage) -> u64 {
    usage.requests + usage.input_tokens + usage.output_tokens
}

/// Realistic answers for the committed fixtures (what a model wrote).
fn customers_answer(call: &Call) -> Reply {
    let first = json!([
        [
            "Nordlicht Software GmbH",
            "Software",
            "https://nordlicht-software.de",
            "Active",
            "2023-03-14"
        ],
        [
            "Baltic Freight Systems",
            "Logistics",
            "https://balticfreight.lt",
            "Active",
            "2022-11-02"
        ],
        [
            "Iberia Health Analytics",
            "Healthcare",
            "https://iberiahealth.es",
            "Prospect",
            "2024-06-21"
        ],
        [
            "Vltava Payments s.r.o.",
            "Financial Services",
            "https://vltavapay.cz",
            "Active",
            "2021-09-30"
        ],
        [
            "Fjord Energy Data AS",
            "Energy",
            "https://fjordenergy.no",
            "Inactive",
            "2020-04-17"
        ],
        [
            "Lumen Retail Cloud",
            "Retail",
            "https://lumenretail.fr",
            null,
            "2024-01-08"
        ]
    ]);
    let second = json!([
        [
            "Alpenblick Manufacturing AG",
            "Manufacturing",
            "https://alpenblick.ch",
            "Active",
            "2022-05-19"
        ],
        [
            "Tagus Legal Tech",
            "Legal Services",
            "https://taguslegal.pt",
            "Prospect",
            "2025-02-03"
        ],
        [
            "Helsinki Edu Platforms Oy",
            "Education",
            "https://edu-platforms.fi",
            "Active",
            "2023-08-11"
        ],
        [
            "Danube Agritech Kft.",
            "Agriculture",
            null,
            "Prospect",
            "2024-10-27"
        ],
        [
            "Celtic Insurance Systems",
            "Insurance",
            "https://celticinsure.ie",
            "Active",
            "2021-12-06"
        ],
        [
            "Adriatic Travel Software d.o.o.",
            "Travel",
            "https://adriatictravel.hr",
            "Inactive",
            null
        ]
    ]);
    let rows = if call.prompt.contains("batch 1 of 2") {
        first
    } else {
        second
    };
    // OpenAI is asked for objects (its strict mode has no positional schemas).
    let names = ["name", "industry", "website", "status", "created_at"];
    let objects = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            let values = row.as_array().unwrap();
            names
                .iter()
                .map(|n| n.to_string())
                .zip(values.iter().cloned())
                .collect()
        })
        .collect();
    Reply::Rows(objects)
}

/// Re-records `tests/fixtures/syda/` from a mock server. With a real key,
/// the same workflow records real answers: set the provider's key, run with
/// `CacheMode::ReadWrite`, commit the files.
#[tokio::test]
#[ignore = "writes tests/fixtures/syda; run by hand to re-record"]
async fn record_committed_fixtures() {
    let table = Customer::TABLE;
    let fake = Fake::start(Provider::OpenAi, &table, RowFormat::Objects, customers_answer).await;
    let config = config(&format!("{}/v1", fake.server.uri()), CacheMode::ReadWrite).api_key(llm_support::KEY);
    let out = Generator::llm(config)
        .prompt(PROMPT)
        .rows::<Customer>(12)
        .await
        .unwrap();
    assert_eq!(out.usage.requests, 2);
}
