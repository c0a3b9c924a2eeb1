//! Related tables through the LLM engine: the seed's CRM schema generated
//! against a mock model with every foreign key valid, and parent rows given
//! to the model as context when asked.
#![cfg(feature = "llm")]

mod llm_support;

use llm_support::{Call, Fake, Reply, crm};
use syda::engine::llm::{LlmConfig, LlmEngine, Provider, RowFormat};
use syda::engine::{Engine, OfflineEngine};
use syda::plan::Planner;
use syda::{Schema, Value};

/// A model that answers for whichever table the prompt names: fresh offline
/// rows of that table, encoded as the model would send them.
fn any_table(schema: Schema) -> impl Fn(&Call) -> Reply + Send + Sync + 'static {
    let encoder = LlmEngine::new(LlmConfig::new(Provider::OpenAi, llm_support::MODEL));
    move |call: &Call| {
        let name = call
            .prompt
            .lines()
            .find_map(|l| l.strip_prefix("Table: "))
            .expect("the prompt names its table");
        let table = schema.table(name.trim()).expect("a table of the schema");
        let mut source = OfflineEngine::new().with_seed(1000 + call.index as u64);
        // Keys are the engine's job, not the model's: left empty here.
        for fk in table.all_foreign_keys() {
            for column in fk.columns.iter() {
                source
                    .generators_mut()
                    .register_column(&table.name, column, |_| Value::Null);
            }
        }
        let rows: Vec<_> = Engine::rows(&source, table, call.asked as u64)
            .unwrap()
            .collect::<syda::Result<_>>()
            .unwrap();
        Reply::Text(encoder.encode_answer(table, &rows, RowFormat::Compact))
    }
}

#[test]
fn the_crm_schema_through_a_mock_model_is_referentially_intact() {
    let schema = crm();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let customers = schema.table("customers").unwrap();
    let fake = runtime.block_on(Fake::start(
        Provider::OpenAi,
        customers,
        RowFormat::Compact,
        any_table(schema.clone()),
    ));
    let engine =
        LlmEngine::new(fake.config(Provider::OpenAi, RowFormat::Compact).batch_size(10)).with_seed(5);
    let sizes = [
        ("customers", 12),
        ("contacts", 30),
        ("products", 15),
        ("orders", 25),
        ("order_items", 50),
    ];
    let data = Planner::new(&schema).sizes(sizes).generate(&engine).unwrap();
    for (table, n) in sizes {
        assert_eq!(data.table(table).unwrap().len() as u64, n, "{table}");
    }
    let report = syda::check::check(&data);
    assert!(report.is_clean(), "{report}");
    // Every table's described columns came from the model.
    let usage = engine.usage();
    assert!(usage.requests >= 14, "{usage:?}");
    assert_eq!(usage.rows, 132);
}

const SHOP: &str = r#"
tables:
  customers:
    columns:
      id:    { type: integer, primary_key: true }
      name:  { type: text, unique: true, doc: Full name }
      city:  { type: text, doc: City of residence }
  orders:
    columns:
      id:          { type: integer, primary_key: true }
      customer_id: { type: integer, foreign_key: customers.id }
      item:        { type: text, doc: What was bought }
"#;

fn shop(parent_context: bool) -> (syda::Dataset, Vec<String>) {
    let schema = Schema::from_yaml_str(SHOP).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let fake = runtime.block_on(Fake::start(
        Provider::OpenAi,
        schema.table("customers").unwrap(),
        RowFormat::Compact,
        any_table(schema.clone()),
    ));
    let engine = LlmEngine::new(fake.config(Provider::OpenAi, RowFormat::Compact).batch_size(4)).with_seed(2);
    let data = Planner::new(&schema)
        .size("customers", 6)
        .size("orders", 12)
        .parent_context(parent_context)
        .generate(&engine)
        .unwrap();
    let prompts = fake
        .model
        .bodies
        .lock()
        .unwrap()
        .iter()
        .map(|b| {
            b["messages"][1]["content"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .filter(|p| p.contains("Table: orders"))
        .collect();
    (data, prompts)
}

#[test]
fn with_parent_context_each_record_is_shown_the_parent_it_belongs_to() {
    let (data, prompts) = shop(true);
    let customers = data.table("customers").unwrap();
    let orders = data.table("orders").unwrap();
    assert_eq!(prompts.len(), 3, "12 orders in batches of 4");
    for prompt in &prompts {
        let batch: usize = prompt
            .split("(batch ")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap();
        assert!(
            prompt.contains("Each record belongs to the parent records below"),
            "{prompt}"
        );
        for k in 1..=4 {
            let order = &orders[(batch - 1) * 4 + k - 1];
            let Value::Int(customer_id) = order[1] else {
                panic!("{order:?}")
            };
            let customer = &customers[customer_id as usize - 1];
            let line = format!(
                "Record {k}: customers: (id={customer_id}) name={}; city={}",
                customer[1], customer[2]
            );
            assert!(prompt.contains(&line), "missing {line:?} in\n{prompt}");
        }
    }
}

#[test]
fn without_parent_context_no_parent_rows_are_sent() {
    let (_, prompts) = shop(false);
    assert_eq!(prompts.len(), 3);
    assert!(prompts.iter().all(|p| !p.contains("Record 1:")));
}
