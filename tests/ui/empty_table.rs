use serde::Deserialize;
use syda::Synthetic;

#[derive(Deserialize, Synthetic)]
#[synthetic(table = "")]
struct Account {
    id: i64,
}

fn main() {}
