use serde::Deserialize;
use syda::Synthetic;

#[derive(Deserialize, Synthetic)]
#[synthetic(crate = "not a path")]
struct Account {
    id: i64,
}

fn main() {}
