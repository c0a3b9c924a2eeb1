use serde::Deserialize;
use syda::Synthetic;

#[derive(Deserialize, Synthetic)]
#[synthetic(primary_key)]
struct Customer {
    id: i64,
}

fn main() {}
