use serde::Deserialize;
use syda::Synthetic;

#[derive(Deserialize, Synthetic)]
#[synthetic(unique(email))]
struct Account {
    id: i64,
    email: String,
}

fn main() {}
