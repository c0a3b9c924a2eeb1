//! Derived structs end to end: typed fixtures, and related tables read back as structs.

use std::collections::HashSet;

use syda::engine::OfflineEngine;
use syda::plan::Planner;
use syda::{Schema, Synthetic};
use syda_rs::crm::{Contact, Customer, Order, OrderItem, Product};
use syda_rs::hr::{Department, Employee};

/// The README's first program, kept compiling and true here.
mod readme {
    use syda::Synthetic;

    /// Company employee with their personal and professional details.
    #[derive(Debug, serde::Deserialize, Synthetic)]
    #[synthetic(table = "employees")]
    pub(crate) struct Employee {
        #[synthetic(primary_key)]
        pub id: i64,
        /// Business email address for communication
        #[synthetic(unique, max_length = 100)]
        pub email: String,
        /// Annual salary in USD
        #[synthetic(range = 30_000.0..=250_000.0)]
        pub salary: Option<f64>,
    }
}

#[test]
fn readme_program_gives_typed_rows_within_constraints() {
    let employees: Vec<readme::Employee> = syda::fixtures(25);
    assert_eq!(employees.len(), 25);
    assert_eq!(
        employees.iter().map(|e| e.id).collect::<Vec<_>>(),
        (1..=25).collect::<Vec<_>>()
    );
    let more = syda::Generator::new()
        .seed(42)
        .rows::<readme::Employee>(1_000)
        .unwrap();
    let emails: HashSet<&str> = more.iter().map(|e| e.email.as_str()).collect();
    assert_eq!(emails.len(), 1_000);
    assert!(more.iter().all(|e| e.email.contains('@') && e.email.len() <= 100));
    assert!(
        more.iter()
            .flat_map(|e| e.salary)
            .all(|s| (30_000.0..=250_000.0).contains(&s))
    );
    assert!(
        more.iter().any(|e| e.salary.is_none()),
        "nullable columns get some NULLs"
    );
}

#[test]
fn related_crm_reads_back_as_structs_with_valid_references() {
    let schema = Schema::new([
        Customer::TABLE,
        Contact::TABLE,
        Product::TABLE,
        Order::TABLE,
        OrderItem::TABLE,
    ]);
    let data = Planner::new(&schema)
        .sizes([
            ("customers", 10),
            ("contacts", 25),
            ("products", 15),
            ("orders", 30),
            ("order_items", 60),
        ])
        .generate(&OfflineEngine::new().with_seed(3))
        .unwrap();
    let customers: Vec<Customer> = data.rows().unwrap();
    let orders: Vec<Order> = data.rows().unwrap();
    let items: Vec<OrderItem> = data.rows().unwrap();
    let products: Vec<Product> = data.rows().unwrap();
    let customer_ids: HashSet<i64> = customers.iter().map(|c| c.id).collect();
    let order_ids: HashSet<i64> = orders.iter().map(|o| o.id).collect();
    let product_ids: HashSet<i64> = products.iter().map(|p| p.id).collect();
    assert!(orders.iter().all(|o| customer_ids.contains(&o.customer_id)));
    assert!(
        items
            .iter()
            .all(|i| order_ids.contains(&i.order_id) && product_ids.contains(&i.product_id))
    );
    assert_eq!((customers.len(), items.len()), (10, 60));
}

#[test]
fn derived_and_yaml_schemas_generate_the_same_rows() {
    let yaml = Schema::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/schemas/hr.yaml")).unwrap();
    let derived = Schema::new([Department::TABLE, Employee::TABLE]);
    let engine = OfflineEngine::new().with_seed(12);
    let a = Planner::new(&yaml).rows(200).generate(&engine).unwrap();
    let b = Planner::new(&derived).rows(200).generate(&engine).unwrap();
    assert_eq!(a, b);
}
