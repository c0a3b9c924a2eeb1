use serde::Deserialize;
use syda::Synthetic;

#[derive(Deserialize)]
struct Money(f64);

#[derive(Deserialize, Synthetic)]
#[synthetic(table = 42)]
struct Order {
    #[synthetic(primary_key, primary_key)]
    id: i64,
    #[synthetic(foreign_key = "customers_id")]
    customer_id: i64,
    total: Money,
    #[synthetic(colour = "red", max_length = -1)]
    status: String,
}

fn main() {}
