use serde::Deserialize;
use syda::Synthetic;

#[derive(Deserialize, Synthetic)]
struct Account {
    #[synthetic(skip)]
    #[serde(skip)]
    cache: Option<String>,
}

fn main() {}
