use serde::Deserialize;
use syda::Synthetic;

#[derive(Deserialize, Synthetic)]
struct Account {
    #[synthetic(one_of = [])]
    status: String,
}

fn main() {}
