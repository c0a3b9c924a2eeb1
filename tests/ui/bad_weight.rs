use serde::Deserialize;
use syda::Synthetic;

#[derive(Deserialize, Synthetic)]
enum Plan {
    #[synthetic(weight = 0)]
    Free,
    Pro,
}

fn main() {}
