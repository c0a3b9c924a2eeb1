use serde::Deserialize;
use syda::Synthetic;

#[derive(Deserialize, Synthetic)]
struct Customer {
    #[synthetic(unique = true)]
    name: String,
}

fn main() {}
