//! The planner: many tables in foreign-key order, every reference valid.

use std::collections::{HashMap, HashSet};

use syda::check::{Rule, check};
use syda::engine::OfflineEngine;
use syda::plan::{FanOut, Planner, generate_related};
use syda::{Error, Schema, Value};

fn crm() -> Schema {
    Schema::from_path(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/schemas/crm.yaml"
    ))
    .unwrap()
}

fn column(data: &syda::Dataset, table: &str, column: &str) -> Vec<Value> {
    let index = data.schema().table(table).unwrap().column_index(column).unwrap();
    data.table(table)
        .unwrap()
        .iter()
        .map(|r| r[index].clone())
        .collect()
}

#[test]
fn crm_with_the_seeds_sizes_is_referentially_intact() {
    let schema = crm();
    let sizes = [
        ("customers", 10),
        ("contacts", 25),
        ("products", 15),
        ("orders", 30),
        ("order_items", 60),
    ];
    let data = generate_related(&schema, sizes, &OfflineEngine::new().with_seed(1)).unwrap();
    for (table, n) in sizes {
        assert_eq!(data.table(table).unwrap().len() as u64, n, "{table}");
    }
    let report = check(&data);
    assert!(report.is_clean(), "{report}");
}

#[test]
fn parents_come_before_children_in_declaration_order() {
    let schema = crm();
    let order = Planner::new(&schema).order().unwrap();
    let names: Vec<&str> = order
        .tables
        .iter()
        .map(|&t| schema.tables[t].name.as_ref())
        .collect();
    assert_eq!(
        names,
        ["customers", "contacts", "products", "orders", "order_items"]
    );
    assert!(order.deferred.is_empty());
}

#[test]
fn a_hundred_thousand_order_items_all_reference_real_orders_and_products() {
    let schema = crm();
    let data = Planner::new(&schema)
        .sizes([
            ("customers", 2_000),
            ("contacts", 100),
            ("products", 500),
            ("orders", 20_000),
            ("order_items", 100_000),
        ])
        .generate(&OfflineEngine::new().with_seed(9))
        .unwrap();
    let report = check(&data);
    assert!(report.is_clean(), "{report}");
    assert_eq!(data.table("order_items").unwrap().len(), 100_000);
    let used: HashSet<String> = column(&data, "order_items", "order_id")
        .iter()
        .map(Value::to_string)
        .collect();
    assert!(
        used.len() > 18_000,
        "uniform sampling reaches most orders, got {}",
        used.len()
    );
}

#[test]
fn same_seed_same_data_set() {
    let schema = crm();
    let make = |seed| {
        Planner::new(&schema)
            .rows(50)
            .generate(&OfflineEngine::new().with_seed(seed))
            .unwrap()
    };
    assert_eq!(make(3), make(3));
    assert_ne!(make(3).table("orders"), make(4).table("orders"));
}

const EMPLOYEES: &str = r#"
tables:
  employees:
    columns:
      id: { type: integer, primary_key: true }
      name: { kind: name }
      manager_id: { type: integer, nullable: true, foreign_key: employees.id }
"#;

#[test]
fn self_references_point_at_earlier_rows_and_form_a_tree() {
    let schema = Schema::from_yaml_str(EMPLOYEES).unwrap();
    let data = Planner::new(&schema)
        .rows(2_000)
        .generate(&OfflineEngine::new().with_seed(5))
        .unwrap();
    assert!(check(&data).is_clean());
    let ids = column(&data, "employees", "id");
    let managers = column(&data, "employees", "manager_id");
    let position: HashMap<String, usize> = ids.iter().enumerate().map(|(i, v)| (v.to_string(), i)).collect();
    assert!(
        managers[0].is_null(),
        "the first employee has nobody to report to"
    );
    let mut with_manager = 0;
    for (i, m) in managers.iter().enumerate() {
        if m.is_null() {
            continue;
        }
        with_manager += 1;
        let at = position[&m.to_string()];
        assert!(at < i, "row {i} references row {at} which is not earlier");
    }
    assert!(
        with_manager > 1_500,
        "most employees have a manager: {with_manager}"
    );
}

const CYCLE: &str = r#"
tables:
  departments:
    columns:
      id: { type: integer, primary_key: true }
      head_id: { type: integer, nullable: true, foreign_key: employees.id }
  employees:
    columns:
      id: { type: integer, primary_key: true }
      department_id: { type: integer, foreign_key: departments.id }
"#;

#[test]
fn a_cycle_is_broken_at_its_nullable_edge_and_recorded() {
    let schema = Schema::from_yaml_str(CYCLE).unwrap();
    let order = Planner::new(&schema).order().unwrap();
    assert_eq!(order.deferred.len(), 1);
    assert_eq!(
        (
            order.deferred[0].table.as_str(),
            order.deferred[0].columns.as_slice(),
            order.deferred[0].parent.as_str()
        ),
        ("departments", ["head_id".to_owned()].as_slice(), "employees")
    );
    let data = Planner::new(&schema)
        .sizes([("departments", 20), ("employees", 200)])
        .generate(&OfflineEngine::new().with_seed(2).with_null_rate(0.0))
        .unwrap();
    assert!(check(&data).is_clean(), "{}", check(&data));
    assert_eq!(data.deferred(), order.deferred.as_slice());
    assert!(
        column(&data, "departments", "head_id")
            .iter()
            .all(|v| !v.is_null()),
        "filled after employees exist"
    );
}

#[test]
fn a_cycle_without_a_nullable_edge_is_an_error_naming_it() {
    let schema_text = CYCLE.replace("nullable: true, ", "");
    let err = Schema::from_yaml_str(&schema_text).unwrap_err().to_string();
    assert!(err.contains("cycle"), "{err}");
    assert!(
        err.contains("departments.head_id → employees.department_id → departments"),
        "{err}"
    );
}

const ONE_TO_ONE: &str = r#"
tables:
  users:
    columns:
      id: { type: integer, primary_key: true }
  profiles:
    columns:
      id: { type: integer, primary_key: true }
      user_id: { type: integer, unique: true, foreign_key: users.id }
"#;

#[test]
fn one_to_one_references_use_each_parent_once() {
    let schema = Schema::from_yaml_str(ONE_TO_ONE).unwrap();
    let data = Planner::new(&schema)
        .sizes([("users", 100), ("profiles", 100)])
        .generate(&OfflineEngine::new())
        .unwrap();
    assert!(check(&data).is_clean(), "{}", check(&data));
    let users: HashSet<String> = column(&data, "profiles", "user_id")
        .iter()
        .map(Value::to_string)
        .collect();
    assert_eq!(users.len(), 100, "every user has exactly one profile");
}

#[test]
fn more_one_to_one_children_than_parents_is_a_clear_error() {
    let schema = Schema::from_yaml_str(ONE_TO_ONE).unwrap();
    let err = Planner::new(&schema)
        .sizes([("users", 10), ("profiles", 11)])
        .generate(&OfflineEngine::new())
        .unwrap_err();
    assert!(matches!(err, Error::Unsatisfiable { .. }), "{err}");
    let text = err.to_string();
    assert!(
        text.contains("profiles") && text.contains("user_id") && text.contains("10 rows"),
        "{text}"
    );
}

const MANY_TO_MANY: &str = r#"
tables:
  students:
    columns:
      id: { type: integer, primary_key: true }
  courses:
    columns:
      id: { type: integer, primary_key: true }
  enrollments:
    columns:
      student_id: { type: integer, foreign_key: students.id }
      course_id: { type: integer, foreign_key: courses.id }
    primary_key: [student_id, course_id]
"#;

#[test]
fn join_tables_get_distinct_pairs() {
    let schema = Schema::from_yaml_str(MANY_TO_MANY).unwrap();
    for enrollments in [30, 190, 200] {
        let data = Planner::new(&schema)
            .sizes([("students", 20), ("courses", 10), ("enrollments", enrollments)])
            .generate(&OfflineEngine::new())
            .unwrap();
        let report = check(&data);
        assert!(report.is_clean(), "{enrollments} pairs: {report}");
        assert_eq!(data.table("enrollments").unwrap().len(), enrollments as usize);
    }
}

#[test]
fn more_join_rows_than_pairs_is_a_clear_error() {
    let schema = Schema::from_yaml_str(MANY_TO_MANY).unwrap();
    let err = Planner::new(&schema)
        .sizes([("students", 20), ("courses", 10), ("enrollments", 201)])
        .generate(&OfflineEngine::new())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("enrollments") && err.contains("20 × 10 = 200"),
        "{err}"
    );
}

#[test]
fn composite_foreign_keys_pick_a_whole_parent_tuple() {
    let schema = Schema::from_yaml_str(
        r#"
tables:
  shelves:
    columns:
      aisle: { type: integer, range: [1, 40] }
      slot: { type: integer, range: [1, 40] }
      label: text
    primary_key: [aisle, slot]
  books:
    columns:
      id: { type: integer, primary_key: true }
      aisle: integer
      slot: integer
    foreign_keys:
      - { columns: [aisle, slot], references: { table: shelves, columns: [aisle, slot] } }
"#,
    )
    .unwrap();
    let data = Planner::new(&schema)
        .sizes([("shelves", 50), ("books", 1_000)])
        .generate(&OfflineEngine::new().with_seed(4))
        .unwrap();
    let report = check(&data);
    assert!(report.is_clean(), "{report}");
    assert_eq!(report.count("books", Rule::ForeignKey), 0);
}

#[test]
fn fan_out_per_parent_gives_each_parent_its_range_of_children() {
    let schema = crm();
    let data = Planner::new(&schema)
        .size("customers", 1_000)
        .fan_out("contacts", "customer_id", FanOut::PerParent { min: 1, max: 5 })
        .generate(&OfflineEngine::new().with_seed(8))
        .unwrap();
    assert!(check(&data).is_clean());
    let mut per_customer: HashMap<String, usize> = HashMap::new();
    for id in column(&data, "contacts", "customer_id") {
        *per_customer.entry(id.to_string()).or_default() += 1;
    }
    assert_eq!(
        per_customer.len(),
        1_000,
        "every customer has at least one contact"
    );
    assert!(per_customer.values().all(|&n| (1..=5).contains(&n)));
    let mean = data.table("contacts").unwrap().len() as f64 / 1_000.0;
    assert!((2.8..3.2).contains(&mean), "uniform 1–5 averages 3, got {mean}");
}

#[test]
fn zipf_fan_out_concentrates_children_on_few_parents() {
    let schema = crm();
    let counts = |fan_out| {
        let data = Planner::new(&schema)
            .sizes([("customers", 100), ("orders", 10_000)])
            .fan_out("orders", "customer_id", fan_out)
            .generate(&OfflineEngine::new().with_seed(6))
            .unwrap();
        let mut per: HashMap<String, usize> = HashMap::new();
        for id in column(&data, "orders", "customer_id") {
            *per.entry(id.to_string()).or_default() += 1;
        }
        let mut counts: Vec<usize> = per.into_values().collect();
        counts.sort_unstable_by(|a, b| b.cmp(a));
        counts
    };
    let zipf = counts(FanOut::Zipf { exponent: 1.2 });
    let uniform = counts(FanOut::Uniform);
    let top10 = |c: &[usize]| c.iter().take(10).sum::<usize>();
    assert!(
        top10(&zipf) > 5_000,
        "top 10 customers hold most orders under zipf: {}",
        top10(&zipf)
    );
    assert!(
        top10(&uniform) < 2_000,
        "but not under uniform: {}",
        top10(&uniform)
    );
}

#[test]
fn normal_fan_out_centres_on_its_mean() {
    let schema = crm();
    let data = Planner::new(&schema)
        .size("orders", 2_000)
        .fan_out(
            "order_items",
            "order_id",
            FanOut::Normal {
                mean: 4.0,
                std_dev: 1.0,
            },
        )
        .generate(&OfflineEngine::new().with_seed(10))
        .unwrap();
    assert!(check(&data).is_clean());
    let mean = data.table("order_items").unwrap().len() as f64 / 2_000.0;
    assert!((3.8..4.2).contains(&mean), "{mean}");
}

#[test]
fn unknown_table_in_sizes_is_named() {
    let schema = crm();
    let err = Planner::new(&schema)
        .size("custmers", 3)
        .generate(&OfflineEngine::new())
        .unwrap_err()
        .to_string();
    assert!(err.contains("custmers") && err.contains("customers"), "{err}");
}

#[test]
fn a_parent_with_no_rows_cannot_be_referenced() {
    let schema = crm();
    let err = Planner::new(&schema)
        .size("customers", 0)
        .generate(&OfflineEngine::new())
        .unwrap_err()
        .to_string();
    assert!(err.contains("customers") && err.contains("no rows"), "{err}");
}

fn orders_with_contacts() -> Schema {
    Schema::from_yaml_str(
        r#"
tables:
  customers:
    columns:
      id: { type: integer, primary_key: true }
      name: company
  contacts:
    columns:
      id: { type: integer, primary_key: true }
      customer_id: { type: integer, foreign_key: customers.id }
      email: { kind: email }
  orders:
    columns:
      id: { type: integer, primary_key: true }
      contact_id: { type: integer, foreign_key: contacts.id }
      customer_id: { type: integer, foreign_key: customers.id }
"#,
    )
    .unwrap()
}

#[test]
fn a_consistent_key_names_a_child_of_the_rows_other_parent() {
    let schema = orders_with_contacts();
    let data = Planner::new(&schema)
        .size("customers", 20)
        .size("contacts", 40)
        .size("orders", 500)
        .consistent("orders", "contact_id", "customer_id")
        .generate(&OfflineEngine::new().with_seed(3))
        .unwrap();
    let contacts = column(&data, "orders", "contact_id");
    let customers = column(&data, "orders", "customer_id");
    for (contact, customer) in contacts.iter().zip(&customers) {
        assert_eq!(&owner_of(&data, contact), customer, "contact {contact:?}");
    }
    // Without the rule (declared or inferred from the FK diamond) the two
    // keys are drawn independently and disagree.
    let free = Planner::new(&schema)
        .size("customers", 20)
        .size("contacts", 40)
        .size("orders", 500)
        .infer_relations(false)
        .generate(&OfflineEngine::new().with_seed(3))
        .unwrap();
    let disagree = column(&free, "orders", "contact_id")
        .iter()
        .zip(column(&free, "orders", "customer_id"))
        .filter(|(contact, customer)| owner_of(&free, contact) != *customer)
        .count();
    assert!(disagree > 400, "{disagree}");
    assert!(check(&data).is_clean());
}

#[test]
fn fk_diamonds_are_consistent_without_being_declared() {
    let schema = orders_with_contacts();
    let data = Planner::new(&schema)
        .size("customers", 20)
        .size("contacts", 40)
        .size("orders", 500)
        .generate(&OfflineEngine::new().with_seed(3))
        .unwrap();
    let contacts = column(&data, "orders", "contact_id");
    let customers = column(&data, "orders", "customer_id");
    for (contact, customer) in contacts.iter().zip(&customers) {
        assert_eq!(&owner_of(&data, contact), customer, "contact {contact:?}");
    }
    assert!(check(&data).is_clean());
}

fn owner_of(data: &syda::Dataset, contact: &Value) -> Value {
    let ids = column(data, "contacts", "id");
    let owners = column(data, "contacts", "customer_id");
    owners[ids.iter().position(|id| id == contact).unwrap()].clone()
}

#[test]
fn a_consistent_rule_without_a_path_between_the_keys_is_named() {
    let schema = crm();
    let err = Planner::new(&schema)
        .consistent("order_items", "product_id", "order_id")
        .generate(&OfflineEngine::new())
        .unwrap_err();
    let message = err.to_string();
    assert!(message.contains("order_items"), "{message}");
    assert!(
        message.contains("products has no foreign key to orders"),
        "{message}"
    );
}

#[test]
fn distinct_keys_to_one_table_never_name_the_same_parent() {
    let schema = Schema::from_yaml_str(
        r#"
tables:
  users:
    columns:
      id: { type: integer, primary_key: true }
  messages:
    columns:
      id: { type: integer, primary_key: true }
      sender_id: { type: integer, foreign_key: users.id }
      recipient_id: { type: integer, foreign_key: users.id }
"#,
    )
    .unwrap();
    let planner = |users| {
        Planner::new(&schema)
            .size("users", users)
            .size("messages", 2000)
            .distinct("messages", ["sender_id", "recipient_id"])
    };
    let data = planner(3).generate(&OfflineEngine::new().with_seed(9)).unwrap();
    let senders = column(&data, "messages", "sender_id");
    let recipients = column(&data, "messages", "recipient_id");
    assert!(senders.iter().zip(&recipients).all(|(s, r)| s != r));
    let distinct: HashSet<String> = recipients.iter().map(|v| format!("{v:?}")).collect();
    assert_eq!(distinct.len(), 3);
    assert!(check(&data).is_clean());

    let err = planner(1).generate(&OfflineEngine::new()).unwrap_err();
    assert!(err.to_string().contains("recipient_id"), "{err}");
    assert!(err.to_string().contains("only 1 rows"), "{err}");
}

#[test]
fn in_memory_generation_equals_the_streamed_tables() {
    let schema = crm();
    let planner = Planner::new(&schema).rows(300);
    let engine = OfflineEngine::new().with_seed(11);
    let data = planner.generate(&engine).unwrap();
    let mut streamed = Vec::new();
    planner
        .stream(&engine, |table, rows| {
            streamed.push((table.name.to_string(), rows.collect::<syda::Result<Vec<_>>>()?));
            Ok(())
        })
        .unwrap();
    assert_eq!(streamed.len(), 5);
    for (name, rows) in streamed {
        assert_eq!(data.table(&name).unwrap(), &rows[..], "{name}");
    }
}

#[test]
fn independent_tables_are_generated_at_the_same_time() {
    use std::sync::{Arc, Mutex};
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if cores < 2 {
        eprintln!("skipped: one core, tables are generated one at a time");
        return;
    }
    // customers and products have no foreign keys: the same level.
    let threads = Arc::new(Mutex::new(HashMap::new()));
    let mut engine = OfflineEngine::new();
    for table in ["customers", "products"] {
        let threads = Arc::clone(&threads);
        engine
            .generators_mut()
            .register_column(table, "name", move |ctx| {
                threads.lock().unwrap().insert(table, std::thread::current().id());
                Value::from(format!("{table} {}", ctx.index()))
            });
    }
    let schema = crm();
    Planner::new(&schema).rows(50).generate(&engine).unwrap();
    let threads = threads.lock().unwrap();
    assert_ne!(threads["customers"], threads["products"]);
}
