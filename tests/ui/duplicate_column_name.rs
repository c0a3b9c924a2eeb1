use serde::Deserialize;
use syda::Synthetic;

#[derive(Deserialize, Synthetic)]
struct Employee {
    name: String,
    #[serde(rename = "name")]
    full_name: String,
}

fn main() {}
