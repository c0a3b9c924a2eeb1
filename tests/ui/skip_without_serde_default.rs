use serde::Deserialize;
use syda::Synthetic;

#[derive(Deserialize, Synthetic)]
struct Customer {
    id: i64,
    #[synthetic(skip)]
    cache: Vec<u8>,
}

fn main() {}
