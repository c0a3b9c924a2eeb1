//! Realism of the offline default on a plain app schema
//! (`examples/schemas/rental_shop.yaml`: names, types and keys only): every
//! inferred relation holds in every row, over 10k rows and several seeds.

use syda::engine::OfflineEngine;
use syda::plan::Planner;
use syda::realism::{self, Score};
use syda::{Dataset, Schema, Value};

fn shop() -> Schema {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/schemas/rental_shop.yaml"
    );
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

#[test]
fn text_outside_free_text_columns_is_not_lorem() {
    let score = score_of(4, 2_000);
    assert!(score.text_cells > 50_000, "{}", score.text_cells);
    assert!(score.lorem_share < 0.01, "{score}");
}

#[test]
fn the_rules_the_issue_names_are_all_inferred_on_the_plain_schema() {
    let score = score_of(5, 500);
    let has = |family: &str, what: &str| score.family(family).any(|c| c.what.contains(what));
    assert!(has(
        "identity",
        "email = e-mail from first_name + last_name at company's domain"
    ));
    assert!(has("identity", "Email = e-mail from FirstName + LastName"));
    assert!(has("place", "BillingCity"));
    assert!(has("time", "updated_at ≥ created_at"));
    assert!(has("time", "return_date ≥ rental_date"));
    assert!(has("time", "HireDate ≥ BirthDate + 18 years"));
    assert!(has("arithmetic", "line_total = quantity * unit_price - discount"));
    assert!(has("child after parent", "payment_date ≥ rentals.rental_date"));
    assert!(has("fk diamond", "rental_id agrees with customer_id"));
    assert!(has("plausible range", "rental_duration within 1–14"));
}

#[test]
fn public_sample_databases_score_full_marks() {
    for name in ["sakila", "chinook"] {
        let path = format!(
            "{}/tests/fixtures/realism/{name}.yaml",
            env!("CARGO_MANIFEST_DIR")
        );
        let schema = Schema::from_path(&path).expect("fixture schema");
        let data = generate(&schema, 11, 2_000);
        print_samples(&data);
        let score = realism::score(&data);
        println!("{name}: {score}");
        for check in &score.checks {
            assert_eq!(check.share(), 1.0, "{name}: {check:?}");
        }
        assert!(score.lorem_share < 0.01, "{name}: {score}");
    }
}

#[test]
fn same_seed_same_bytes_whether_tables_run_concurrently_or_streamed() {
    let schema = shop();
    let engine = OfflineEngine::new().with_seed(9);
    let planner = Planner::new(&schema).rows(300);
    let together = planner.generate(&engine).expect("generates");
    let mut streamed: Vec<(String, Vec<syda::Row>)> = Vec::new();
    planner
        .stream(&engine, |table, rows| {
            streamed.push((table.name.to_string(), rows.collect::<syda::Result<_>>()?));
            Ok(())
        })
        .expect("streams");
    for (name, rows) in streamed {
        assert_eq!(together.table(&name).unwrap(), rows.as_slice(), "{name}");
    }
    let again = planner.generate(&engine).expect("generates");
    for (table, rows) in together.tables() {
        assert_eq!(again.table(&table.name).unwrap(), rows, "{}", table.name);
    }
}

#[test]
fn rows_taken_in_batches_equal_one_pass() {
    let schema = Schema::from_yaml_str(
        "tables:\n  people:\n    columns:\n      first_name: text\n      last_name: text\n      email: { type: text, unique: true }\n      city: text\n      country: text\n      created_at: datetime\n      updated_at: datetime\n",
    )
    .unwrap();
    let customers = schema.table("people").unwrap();
    let engine = OfflineEngine::new().with_seed(3);
    let whole: Vec<syda::Row> = engine
        .rows(customers, 600)
        .unwrap()
        .collect::<syda::Result<_>>()
        .unwrap();
    let mut pieces = Vec::new();
    for start in (0..600).step_by(250) {
        let end = (start + 250).min(600);
        pieces.extend(
            engine
                .rows_range(customers, start..end)
                .unwrap()
                .map(Result::unwrap),
        );
    }
    assert_eq!(whole, pieces);
}

fn invoices() -> Schema {
    Schema::from_yaml_str(
        r#"
tables:
  invoices:
    columns:
      id: { type: integer, primary_key: true }
      issued_on: date
      due_on: { type: date, after: { column: issued_on, min_days: 14, max_days: 30 } }
      total: { type: decimal, expr: sum(invoice_lines.line_total) }
      lines: { type: integer, expr: count(invoice_lines) }
      largest: { type: decimal, nullable: true, expr: max(invoice_lines.line_total) }
  invoice_lines:
    columns:
      id: { type: integer, primary_key: true }
      invoice_id: { type: integer, foreign_key: invoices.id }
      hours: integer
      hourly_rate: decimal
      line_total: { type: decimal, expr: hours * hourly_rate + 10 }
      email: { type: text, infer: false }
      first_name: text
"#,
    )
    .expect("schema")
}

#[test]
fn declared_relations_hold_in_every_row_and_survive_a_round_trip() {
    let schema = invoices();
    let again = Schema::from_yaml_str(&schema.to_yaml()).unwrap();
    assert_eq!(again, schema);
    for seed in [1, 2] {
        let data = generate(&schema, seed, 2_000);
        let score = realism::score(&data);
        for family in ["time", "arithmetic", "aggregate"] {
            assert!(score.family(family).count() >= 1, "{family}: {score}");
        }
        assert_eq!(score.family("aggregate").count(), 3, "{score}");
        for check in &score.checks {
            assert_eq!(check.share(), 1.0, "{check:?}");
        }
        // 14 to 30 days after the issue date, as declared.
        let inv = data.table("invoices").unwrap();
        let days = |v: &Value| chrono::NaiveDate::parse_from_str(v.as_str().unwrap(), "%Y-%m-%d").unwrap();
        for row in inv {
            let gap = (days(&row[2]) - days(&row[1])).num_days();
            assert!((14..=30).contains(&gap), "{gap}");
        }
    }
}

#[test]
fn infer_false_switches_an_inferred_relation_off() {
    let schema = invoices();
    let rules = syda::relation::rules_for(schema.table("invoice_lines").unwrap(), &schema.relations, true);
    assert!(!rules.iter().any(|r| r.target() == "email"), "{rules:?}");
    let plain =
        Schema::from_yaml_str("tables:\n  t:\n    columns:\n      first_name: text\n      email: text\n")
            .unwrap();
    let rules = syda::relation::rules_for(plain.table("t").unwrap(), &plain.relations, true);
    assert!(rules.iter().any(|r| r.target() == "email"), "{rules:?}");
}

#[test]
fn bad_declared_relations_are_named_by_validate() {
    let err = |yaml: &str| Schema::from_yaml_str(yaml).unwrap_err().to_string();
    let cycle = err(
        "tables:\n  t:\n    columns:\n      a: { type: date, after: b }\n      b: { type: date, after: a }\n",
    );
    assert!(
        cycle.contains("cycle") && cycle.contains("table `t`, column `a`"),
        "{cycle}"
    );
    let unknown = err("tables:\n  t:\n    columns:\n      a: { type: decimal, expr: x * 2 }\n");
    assert!(
        unknown.contains("column `a`") && unknown.contains("does not have"),
        "{unknown}"
    );
    let impossible = err(
        "tables:\n  t:\n    columns:\n      a: { type: date, range: [2020-01-01, 2020-12-31], after: b }\n      b: { type: date, range: [2021-01-01, 2021-12-31] }\n",
    );
    assert!(
        impossible.contains("cannot hold") && impossible.contains("column `a`"),
        "{impossible}"
    );
    let child = err(
        "tables:\n  p:\n    columns:\n      id: { type: integer, primary_key: true }\n      n: { type: integer, expr: count(c) }\n  c:\n    columns:\n      id: { type: integer, primary_key: true }\n",
    );
    assert!(child.contains("no foreign key to p"), "{child}");
}

/// An engine that does not apply relations itself: rows straight from an
/// offline engine with inference off, as a model or a fitted sampler would
/// give them.
#[derive(Clone)]
struct Unrelated(OfflineEngine);

impl syda::engine::Engine for Unrelated {
    fn local(&self) -> &OfflineEngine {
        &self.0
    }
    fn local_mut(&mut self) -> &mut OfflineEngine {
        &mut self.0
    }
    fn rows<'a>(&'a self, table: &'a syda::Table, rows: u64) -> syda::Result<syda::engine::RowStream<'a>> {
        let raw = self.0.clone().with_inferred_relations(false);
        let rows: Vec<syda::Result<syda::Row>> = raw.rows(table, rows)?.collect();
        Ok(Box::new(rows.into_iter()))
    }
}

#[test]
fn rows_from_other_engines_pass_through_the_same_relations() {
    let schema = shop();
    let raw = Planner::new(&schema)
        .rows(1_000)
        .infer_relations(false)
        .generate(&OfflineEngine::new().with_seed(2).with_inferred_relations(false))
        .unwrap();
    let before = realism::score(&raw);
    assert!(before.family("time").any(|c| c.share() < 0.7), "{before}");
    assert!(before.family("identity").any(|c| c.share() < 0.1), "{before}");
    let data = Planner::new(&schema)
        .rows(1_000)
        .generate(&Unrelated(OfflineEngine::new().with_seed(2)))
        .unwrap();
    let after = realism::score(&data);
    for check in after.checks.iter().filter(|c| c.family != "plausible range") {
        assert_eq!(check.share(), 1.0, "{check:?}");
    }
    assert!(syda::check::check(&data).is_clean());
}

/// A user account, as a typed fixture.
#[derive(Debug, serde::Deserialize, syda::Synthetic)]
#[synthetic(table = "accounts")]
#[allow(dead_code)]
struct Account {
    #[synthetic(primary_key)]
    id: i64,
    first_name: String,
    last_name: String,
    #[synthetic(unique)]
    email: String,
    created_at: chrono::DateTime<chrono::Utc>,
    updated_at: chrono::DateTime<chrono::Utc>,
}

#[test]
fn typed_fixtures_are_coherent_too() {
    let accounts: Vec<Account> = syda::Generator::new().seed(4).rows(500).unwrap();
    for a in &accounts {
        assert!(a.updated_at >= a.created_at, "{a:?}");
        let local = a.email.split('@').next().unwrap();
        let last: String = a
            .last_name
            .to_lowercase()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        let first: String = a
            .first_name
            .to_lowercase()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        assert!(local.contains(&last) || local.contains(&first), "{a:?}");
    }
}

#[test]
fn a_duration_agrees_with_its_two_dates() {
    let schema = Schema::from_yaml_str(
        "tables:\n  bookings:\n    columns:\n      id: { type: integer, primary_key: true }\n      CheckInDate: date\n      CheckOutDate: date\n      nights: integer\n",
    )
    .unwrap();
    let data = generate(&schema, 6, 3_000);
    let score = realism::score(&data);
    assert!(
        score.family("duration").any(|c| c.what.contains("nights")),
        "{score}"
    );
    assert!(
        score
            .family("time")
            .any(|c| c.what.contains("CheckOutDate ≥ CheckInDate")),
        "{score}"
    );
    for check in &score.checks {
        assert_eq!(check.share(), 1.0, "{check:?}");
    }
}

#[test]
fn infer_false_on_a_key_switches_its_diamond_off() {
    let yaml = |flag: &str| {
        format!(
            "tables:\n  customers:\n    columns:\n      id: {{ type: integer, primary_key: true }}\n  rentals:\n    columns:\n      id: {{ type: integer, primary_key: true }}\n      customer_id: {{ type: integer, foreign_key: customers.id }}\n  payments:\n    columns:\n      id: {{ type: integer, primary_key: true }}\n      customer_id: {{ type: integer, foreign_key: customers.id }}\n      rental_id: {{ type: integer, foreign_key: rentals.id{flag} }}\n"
        )
    };
    let share = |flag: &str| {
        let schema = Schema::from_yaml_str(&yaml(flag)).unwrap();
        let data = generate(&schema, 8, 400);
        let score = realism::score(&data);
        score.family("fk diamond").next().map(|c| c.share()).unwrap()
    };
    assert_eq!(share(""), 1.0);
    assert!(share(", infer: false") < 0.2);
}
