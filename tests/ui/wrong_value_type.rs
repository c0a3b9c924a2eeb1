use serde::Deserialize;
use syda::Synthetic;

#[derive(Deserialize, Synthetic)]
struct Customer {
    #[synthetic(max_length = "x")]
    name: String,
}

fn main() {}
