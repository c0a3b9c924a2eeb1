use serde::Deserialize;
use syda::Synthetic;

#[derive(Deserialize, Synthetic)]
struct Customer {
    #[synthetic(max_len = 100)]
    name: String,
}

fn main() {}
