use serde::Deserialize;
use syda::Synthetic;

#[derive(Deserialize, Synthetic)]
struct Employee {
    #[synthetic(range = 18..65)]
    age: u8,
}

fn main() {}
