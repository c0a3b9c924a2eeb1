//! Run with: cargo run --example crm
//!
//! The seed's CRM example: five related models (derived structs in
//! `src/crm.rs`) generated offline in foreign-key order, with the seed's
//! sizes and custom generators, then checked and written to CSV.

use std::error::Error;

use rand::RngExt;
use syda::engine::{Generators, OfflineEngine};
use syda::output::Format;
use syda::plan::Planner;
use syda::{Schema, Synthetic, Value};
use syda_rs::crm::{Contact, Customer, Order, OrderItem, Product};

fn main() -> Result<(), Box<dyn Error>> {
    let schema = Schema::new([
        Customer::TABLE,
        Contact::TABLE,
        Product::TABLE,
        Order::TABLE,
        OrderItem::TABLE,
    ]);

    // The seed's custom generators: a status from three values, prices with two decimals.
    let mut generators = Generators::new();
    generators
        .register_column("customers", "status", |cx| {
            let statuses = ["Active", "Inactive", "Prospect"];
            Value::from(statuses[cx.rng().random_range(0..statuses.len())])
        })
        .register_column("products", "price", |cx| {
            Value::Float((cx.rng().random_range(50.0..5000.0_f64) * 100.0).round() / 100.0)
        });
    let engine = OfflineEngine::new().with_seed(42).with_generators(generators);

    let data = Planner::new(&schema)
        .sizes([
            ("customers", 10),
            ("contacts", 25),
            ("products", 15),
            ("orders", 30),
            ("order_items", 60),
        ])
        .generate(&engine)?;

    let report = syda::check::check(&data);
    print!("{report}");

    let customers: Vec<Customer> = data.rows()?;
    let items: Vec<OrderItem> = data.rows()?;
    for customer in customers.iter().take(3) {
        println!("{:>3}  {:<40} {:?}", customer.id, customer.name, customer.status);
    }
    println!("{} order items, first: {:?}", items.len(), items[0]);

    let dir = std::env::temp_dir().join("syda_crm_data");
    for path in data.write_dir(&dir, Format::Csv)? {
        println!("wrote {}", path.display());
    }
    Ok(())
}
