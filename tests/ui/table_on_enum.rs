use serde::Deserialize;
use syda::Synthetic;

#[derive(Deserialize, Synthetic)]
#[synthetic(table = "plans")]
enum Plan {
    Free,
    Pro,
}

fn main() {}
