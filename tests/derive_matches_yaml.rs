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
