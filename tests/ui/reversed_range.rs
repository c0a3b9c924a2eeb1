use serde::Deserialize;
use syda::Synthetic;

#[derive(Deserialize, Synthetic)]
struct Account {
    #[synthetic(range = 10..=1)]
    age: i64,
}

fn main() {}
