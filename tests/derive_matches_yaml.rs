//! The derived seed models equal the schema files that describe the same
//! tables: docs, types, nullability, constraints and foreign keys.

use syda::{Schema, Synthetic};
use syda_rs::crm::{Contact, Customer, Order, OrderItem, Product};
use syda_rs::hr::{Department, Employee};

#[test]
fn crm_structs_equal_crm_yaml() {
    let derived = Schema::new([
        Customer::TABLE,
        Contact::TABLE,
        Product::TABLE,
        Order::TABLE,
        OrderItem::TABLE,
    ]);
    let file = Schema::from_path("examples/schemas/crm.yaml").expect("crm.yaml loads");
    assert_eq!(derived, file);
}

#[test]
fn hr_structs_equal_hr_yaml() {
    let derived = Schema::new([Department::TABLE, Employee::TABLE]);
    let file = Schema::from_path("examples/schemas/hr.yaml").expect("hr.yaml loads");
    assert_eq!(derived, file);
}

#[test]
fn derived_crm_schema_is_valid() {
    let derived = Schema::new([
        Customer::TABLE,
        Contact::TABLE,
        Product::TABLE,
        Order::TABLE,
        OrderItem::TABLE,
    ]);
    assert_eq!(derived.problems(), []);
}

#[test]
fn a_row_with_the_yaml_column_names_deserialises_into_the_struct() {
    let row = serde_json::json!({
        "id": 1,
        "customer_id": 7,
        "order_date": "2024-03-01",
        "status": null,
        "total_amount": 19.5,
    });
    let order: Order = serde_json::from_value(row).expect("row matches the struct");
    assert_eq!(order.order_date.to_string(), "2024-03-01");
    assert_eq!(order.status, None);
}
