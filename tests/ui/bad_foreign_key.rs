use serde::Deserialize;
use syda::Synthetic;

#[derive(Deserialize, Synthetic)]
struct Contact {
    #[synthetic(foreign_key = "customers")]
    customer_id: i64,
}

fn main() {}
