//! The fault matrix: whatever the server or the model does wrong, the caller
//! gets valid rows or a clear error — never a row that breaks the schema.
#![cfg(feature = "llm")]

mod llm_support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use llm_support::{Call, Fake, FakeModel, Reply, employees, good};
use serde_json::{Value as Json, json};
use syda::engine::llm::{LlmConfig, LlmEngine, LlmOutput, OnStall, Provider, RowFormat};
use syda::{Dataset, Error, Row, Value};

type Outcome = syda::Result<LlmOutput<Vec<Row>>>;

async fn run(
    provider: Provider,
    format: RowFormat,
    rows: usize,
    tune: impl FnOnce(LlmConfig) -> LlmConfig,
    script: impl Fn(&Call) -> Reply + Send + Sync + 'static,
) -> (Outcome, Arc<FakeModel>) {
    let schema = employees();
    let table = schema.table("employees").unwrap();
    let fake = Fake::start(provider, table, format, script).await;
    let engine = LlmEngine::new(tune(fake.config(provider, format)));
    let out = engine.rows_async(table, rows).await;
    (out, Arc::clone(&fake.model))
}

/// The rows satisfy every constraint of the schema.
fn assert_valid(rows: &[Row], expected: usize) {
    assert_eq!(rows.len(), expected);
    let data = Dataset::from_tables(employees(), vec![rows.to_vec()]).unwrap();
    let report = syda::check::check(&data);
    assert!(report.is_clean(), "{report}");
}

fn objects(call: &Call) -> Vec<Json> {
    call.good.clone()
}

#[tokio::test]
async fn rate_limit_waits_for_retry_after() {
    let started = Instant::now();
    let (out, model) = run(
        Provider::OpenAi,
        RowFormat::Compact,
        5,
        |c| c,
        |call| {
            if call.index == 0 {
                Reply::Status(429, Some("1"))
            } else {
                good(call)
            }
        },
    )
    .await;
    let out = out.unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After: 1 was honoured"
    );
    assert_valid(&out.rows, 5);
    assert_eq!(out.usage.retries, 1);
    assert_eq!(out.usage.requests, 2);
    assert_eq!(model.calls(), 2);
}

#[tokio::test]
async fn server_error_then_success() {
    for provider in [Provider::OpenAi, Provider::Anthropic, Provider::Gemini] {
        let (out, _) = run(
            provider,
            RowFormat::Compact,
            5,
            |c| c,
            |call| match call.index {
                0 => Reply::Status(500, None),
                1 => Reply::Status(503, None),
                _ => good(call),
            },
        )
        .await;
        let out = out.unwrap();
        assert_valid(&out.rows, 5);
        assert_eq!(out.usage.retries, 2, "{provider}");
    }
}

#[tokio::test]
async fn a_request_that_times_out_is_retried() {
    let started = Instant::now();
    let (out, model) = run(
        Provider::OpenAi,
        RowFormat::Compact,
        5,
        |c| c.timeout(Duration::from_millis(300)),
        |call| {
            if call.index == 0 {
                Reply::Slow(Duration::from_secs(3), Box::new(good(call)))
            } else {
                good(call)
            }
        },
    )
    .await;
    assert_valid(&out.unwrap().rows, 5);
    assert_eq!(model.calls(), 2);
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn a_server_that_never_answers_in_time_is_a_network_error() {
    let (out, model) = run(
        Provider::Gemini,
        RowFormat::Compact,
        5,
        |c| c.timeout(Duration::from_millis(200)).retries(1),
        |call| Reply::Slow(Duration::from_secs(3), Box::new(good(call))),
    )
    .await;
    let err = out.unwrap_err();
    assert!(matches!(err, Error::Network { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("gemini") && text.contains("timed out") && text.contains("2 attempts"),
        "{text}"
    );
    assert_eq!(model.calls(), 2);
}

#[tokio::test]
async fn a_reply_cut_mid_json_keeps_its_complete_rows_and_asks_only_for_the_rest() {
    for provider in [Provider::OpenAi, Provider::Gemini, Provider::Anthropic] {
        let (out, model) = run(
            provider,
            RowFormat::Compact,
            10,
            |c| c,
            |call| {
                if call.index == 0 {
                    // Six complete rows, then the seventh cut in the middle.
                    let rows: Vec<String> = call.good.iter().map(|r| r.to_string()).collect();
                    let cut = &rows[6][..rows[6].len() / 2];
                    Reply::Truncated(format!("{{\"rows\":[{},{cut}", rows[..6].join(",")))
                } else {
                    good(call)
                }
            },
        )
        .await;
        let out = out.unwrap();
        assert_valid(&out.rows, 10);
        assert_eq!(model.calls(), 2, "{provider}");
        let second = model.bodies.lock().unwrap()[1].to_string();
        assert!(
            second.contains("Generate 4 records"),
            "{provider}: only the missing rows are asked again"
        );
    }
}

#[tokio::test]
async fn wrong_types_are_rejected_or_coerced_without_loss() {
    let (out, model) = run(
        Provider::OpenAi,
        RowFormat::Objects,
        6,
        |c| c,
        |call| {
            let mut rows = objects(call);
            if call.index == 0 {
                rows[1]["age"] = json!("forty");
                rows[2]["age"] = json!("42");
                rows[3]["salary"] = json!("high");
                rows[4]["status"] = json!(true);
            }
            Reply::Rows(rows)
        },
    )
    .await;
    let out = out.unwrap();
    assert_valid(&out.rows, 6);
    // Row 1 was rejected, so the "42" row fills slot 1.
    assert_eq!(out.rows[1][2], Value::Int(42), "\"42\" became 42");
    assert_eq!(out.usage.rejected_rows, 3);
    assert_eq!(model.calls(), 2);
}

#[tokio::test]
async fn missing_fields_are_null_when_allowed_and_rejected_otherwise() {
    let (out, _) = run(
        Provider::Anthropic,
        RowFormat::Objects,
        4,
        |c| c,
        |call| {
            let mut rows = objects(call);
            if call.index == 0 {
                rows[0].as_object_mut().unwrap().remove("email");
                rows[1].as_object_mut().unwrap().remove("salary");
            }
            Reply::Rows(rows)
        },
    )
    .await;
    let out = out.unwrap();
    assert_valid(&out.rows, 4);
    assert_eq!(out.usage.rejected_rows, 1);
    assert_eq!(out.rows[0][5], Value::Null, "missing nullable salary is NULL");
}

#[tokio::test]
async fn extra_fields_are_ignored() {
    let (out, model) = run(
        Provider::Gemini,
        RowFormat::Objects,
        4,
        |c| c,
        |call| {
            let mut rows = objects(call);
            for row in &mut rows {
                row["nickname"] = json!("Ace");
            }
            Reply::Rows(rows)
        },
    )
    .await;
    let out = out.unwrap();
    assert_valid(&out.rows, 4);
    assert_eq!(out.usage.rejected_rows, 0);
    assert_eq!(model.calls(), 1);
    assert!(out.rows.iter().all(|r| r.len() == 6));
}

#[tokio::test]
async fn repeated_emails_are_varied_and_other_repeats_dropped_and_asked_again() {
    let first_emails = Arc::new(std::sync::Mutex::new(Vec::<Json>::new()));
    let seen = Arc::clone(&first_emails);
    let (out, model) = run(
        Provider::OpenAi,
        RowFormat::Objects,
        10,
        |c| c.batch_size(5).concurrency(1),
        move |call| {
            let mut rows = objects(call);
            if call.index == 0 {
                *seen.lock().unwrap() = rows.iter().map(|r| r["email"].clone()).collect();
            } else if call.index == 1 {
                let taken = seen.lock().unwrap();
                rows[0]["email"] = taken[0].clone();
                rows[3]["email"] = taken[4].clone();
                rows[4]["badge"] = rows[2]["badge"].clone(); // a repeat inside one reply
            }
            Reply::Rows(rows)
        },
    )
    .await;
    let out = out.unwrap();
    assert_valid(&out.rows, 10);
    // The two repeated emails get a suffix that keeps them emails; the
    // repeated badge (a pattern, no neutral variant) costs its row.
    assert_eq!(out.usage.repaired_values, 2);
    assert_eq!(out.usage.rejected_rows, 1);
    assert_eq!(out.usage.completed_rows, 0);
    let taken = first_emails.lock().unwrap();
    let email = |i: usize| out.rows[i][1].as_str().unwrap().to_owned();
    let first = taken[0].as_str().unwrap();
    let (local, domain) = first.split_once('@').unwrap();
    assert_eq!(email(5), format!("{local}2@{domain}"));
    assert_eq!(model.calls(), 3);
    let bodies = model.bodies.lock().unwrap();
    let second = bodies[1].to_string();
    assert!(
        second.contains("already taken"),
        "the second batch is told the used values"
    );
    assert!(second.contains(first), "{second}");
    assert!(bodies[2].to_string().contains("Generate 1 record "));
}

#[tokio::test]
async fn fewer_rows_than_asked_are_completed() {
    let (out, model) = run(
        Provider::OpenAi,
        RowFormat::Compact,
        10,
        |c| c,
        |call| {
            let mut rows = call.good.clone();
            if call.index == 0 {
                rows.truncate(3);
            }
            Reply::Rows(rows)
        },
    )
    .await;
    assert_valid(&out.unwrap().rows, 10);
    assert!(
        model.bodies.lock().unwrap()[1]
            .to_string()
            .contains("Generate 7 records")
    );
}

#[tokio::test]
async fn prose_around_the_json_is_skipped() {
    for provider in [Provider::OpenAi, Provider::Anthropic, Provider::Gemini] {
        let (out, model) = run(
            provider,
            RowFormat::Compact,
            5,
            |c| c,
            |call| {
                let rows = json!({ "rows": call.good }).to_string();
                Reply::Text(format!(
                    "Sure! Here are the records:\n```json\n{rows}\n```\nLet me know if you need more."
                ))
            },
        )
        .await;
        assert_valid(&out.unwrap().rows, 5);
        assert_eq!(model.calls(), 1, "{provider}");
    }
}

#[tokio::test]
async fn a_model_that_never_complies_ends_in_an_error_with_its_reply() {
    let (out, model) = run(
        Provider::OpenAi,
        RowFormat::Compact,
        5,
        |c| c.max_attempts(3).on_stall(OnStall::Fail),
        |_| Reply::Text("I'm sorry, but I can't help with generating personal data.".to_owned()),
    )
    .await;
    let err = out.unwrap_err();
    let Error::LlmReply { table, raw, message } = &err else {
        panic!("expected LlmReply, got {err:?}")
    };
    assert_eq!(table, "employees");
    assert!(raw.contains("can't help"), "{raw}");
    assert!(message.contains("5 rows still missing"), "{message}");
    assert_eq!(model.calls(), 3, "three answers without progress, then stop");
}

#[tokio::test]
async fn values_that_never_fit_end_in_an_error_naming_the_rule() {
    let (out, model) = run(
        Provider::Gemini,
        RowFormat::Objects,
        3,
        |c| c.max_attempts(2).on_stall(OnStall::Fail),
        |call| {
            let mut rows = objects(call);
            for row in &mut rows {
                row["age"] = json!(500);
            }
            Reply::Rows(rows)
        },
    )
    .await;
    let text = out.unwrap_err().to_string();
    assert!(text.contains("`age`: 500 is outside 18..=70"), "{text}");
    assert!(text.contains("last reply"), "{text}");
    assert_eq!(model.calls(), 2);
}

#[tokio::test]
async fn a_bad_request_is_not_retried() {
    let (out, model) = run(
        Provider::Anthropic,
        RowFormat::Compact,
        3,
        |c| c,
        |_| Reply::Status(400, None),
    )
    .await;
    let err = out.unwrap_err();
    assert!(matches!(err, Error::Provider { status: 400, .. }), "{err:?}");
    assert!(err.to_string().contains("fake error 400"));
    assert_eq!(model.calls(), 1);
}

#[tokio::test]
async fn a_rate_limit_that_never_lifts_ends_after_the_retries() {
    let (out, model) = run(
        Provider::OpenAi,
        RowFormat::Compact,
        3,
        |c| c.retries(2),
        |_| Reply::Status(429, None),
    )
    .await;
    let err = out.unwrap_err();
    assert!(
        matches!(
            err,
            Error::RateLimited {
                status: 429,
                retries: 2,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(model.calls(), 3);
}

#[tokio::test]
async fn composite_unique_keys_hold_across_local_and_model_columns() {
    use syda::engine::Generators;
    let schema = syda::Schema::from_yaml_str(
        r#"
tables:
  players:
    unique: [[team, name]]
    columns:
      id:   { type: integer, primary_key: true }
      team: { type: text, generator: team }
      name: { type: text, doc: Player name }
"#,
    )
    .unwrap();
    let table = schema.table("players").unwrap();
    let fake = Fake::start(Provider::OpenAi, table, RowFormat::Compact, |call| {
        // Every reply repeats "Ada" once: the same (team, name) pair is refused.
        let rows: Vec<Json> = (0..call.asked)
            .map(|i| {
                if i < 2 && call.index == 0 {
                    json!(["Ada"])
                } else {
                    json!([format!("Player {}-{i}", call.index)])
                }
            })
            .collect();
        Reply::Rows(rows)
    })
    .await;
    let mut generators = Generators::new();
    generators.register_named("team", |_| Value::from("Red"));
    let engine =
        LlmEngine::new(fake.config(Provider::OpenAi, RowFormat::Compact)).with_generators(generators);
    assert_eq!(engine.llm_columns(table), ["name"]);
    let out = engine.rows_async(table, 4).await.unwrap();
    let data = Dataset::from_tables(schema.clone(), vec![out.rows]).unwrap();
    let report = syda::check::check(&data);
    assert!(report.is_clean(), "{report}");
    assert_eq!(out.usage.rejected_rows, 1);
    let second = fake.model.bodies.lock().unwrap()[1].to_string();
    assert!(
        second.contains("Generate 1 record (batch 1 of 1, attempt 2)"),
        "{second}"
    );
}

#[tokio::test]
async fn usage_counts_requests_of_a_failed_run() {
    let schema = employees();
    let table = schema.table("employees").unwrap();
    let fake = Fake::start(Provider::OpenAi, table, RowFormat::Compact, |_| {
        Reply::Text("no".into())
    })
    .await;
    let engine = LlmEngine::new(
        fake.config(Provider::OpenAi, RowFormat::Compact)
            .max_attempts(2)
            .on_stall(OnStall::Fail),
    );
    assert!(engine.rows_async(table, 3).await.is_err());
    let usage = engine.usage();
    assert_eq!(usage.requests, 2);
    assert_eq!(usage.rows, 0);
    assert!(usage.input_tokens > 0);
}

#[tokio::test]
async fn a_reply_larger_than_the_limit_is_refused_not_read_into_memory() {
    let huge = "x".repeat(syda::engine::llm::MAX_REPLY_BYTES + 1);
    let (out, model) = run(
        Provider::OpenAi,
        RowFormat::Compact,
        2,
        |c| c.retries(1),
        move |_| Reply::Text(huge.clone()),
    )
    .await;
    let err = out.unwrap_err().to_string();
    assert!(err.contains("the most read is 16777216"), "{err}");
    assert_eq!(model.calls(), 2, "refused, retried once, refused again");
}

#[tokio::test]
async fn a_model_that_never_complies_is_asked_for_fewer_rows_then_completed_offline() {
    let (out, model) = run(
        Provider::OpenAi,
        RowFormat::Compact,
        5,
        |c| c.max_attempts(3),
        |_| Reply::Text("I'm sorry, but I can't help with generating personal data.".to_owned()),
    )
    .await;
    let out = out.unwrap();
    assert_valid(&out.rows, 5);
    assert_eq!(out.usage.completed_rows, 5);
    assert_eq!(out.usage.rows, 5);
    assert!(
        out.usage.to_string().contains("5 rows completed locally"),
        "{}",
        out.usage
    );
    let asked: Vec<usize> = model
        .bodies
        .lock()
        .unwrap()
        .iter()
        .map(llm_support::asked)
        .collect();
    assert_eq!(asked, [5, 2, 1], "each miss halves the ask");
}

#[tokio::test]
async fn a_few_stubborn_values_cost_their_rows_only() {
    // The model keeps repeating one badge in one row: the other rows are
    // the model's, that one is completed locally.
    let (out, _) = run(
        Provider::OpenAi,
        RowFormat::Objects,
        4,
        |c| c.max_attempts(2).concurrency(1),
        |call| {
            let mut rows = objects(call);
            for row in &mut rows {
                row["badge"] = json!("EMP-0001");
            }
            Reply::Rows(rows)
        },
    )
    .await;
    let out = out.unwrap();
    assert_valid(&out.rows, 4);
    assert_eq!(out.rows[0][4], Value::from("EMP-0001"));
    assert_eq!(out.usage.completed_rows, 3);
}

#[tokio::test]
async fn near_misses_are_repaired_where_nothing_material_is_lost() {
    let (out, model) = run(
        Provider::Anthropic,
        RowFormat::Objects,
        3,
        |c| c,
        |call| {
            let mut rows = objects(call);
            if call.index > 0 {
                return Reply::Rows(rows);
            }
            rows[0]["status"] = json!(" active");
            rows[1]["email"] = json!(format!(
                "{} and then some words that run well past the sixty characters allowed",
                "x@y.z"
            ));
            rows[2]["salary"] = json!("$120,000.50");
            Reply::Rows(rows)
        },
    )
    .await;
    let out = out.unwrap();
    assert_valid(&out.rows, 3);
    assert_eq!(out.usage.repaired_values, 2);
    assert_eq!(out.rows[0][3], Value::from("Active"));
    assert_eq!(
        out.rows[1][5],
        Value::Float(120000.5),
        "the dropped row's slot takes the next"
    );
    // An email is an identifier: cut short it would be another one, so the
    // row is dropped and asked again instead.
    assert_eq!(out.usage.rejected_rows, 1);
    assert_eq!(model.calls(), 2);
}
