use serde::Deserialize;
use syda::Synthetic;

#[derive(Deserialize, Synthetic)]
struct Account {
    #[synthetic(range = 0..=1)]
    active: bool,
}

fn main() {}
