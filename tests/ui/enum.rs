use serde::Deserialize;
use syda::Synthetic;

#[derive(Deserialize, Synthetic)]
enum Status {
    Active,
    Inactive,
}

fn main() {}
