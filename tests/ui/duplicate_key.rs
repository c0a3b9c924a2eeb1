use serde::Deserialize;
use syda::Synthetic;

#[derive(Deserialize, Synthetic)]
struct Customer {
    #[synthetic(max_length = 100)]
    #[synthetic(unique, max_length = 50)]
    name: String,
}

fn main() {}
