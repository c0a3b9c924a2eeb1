use serde::Deserialize;
use syda::Synthetic;

#[derive(Deserialize, Synthetic)]
enum Plan {
    #[synthetic(primary_key)]
    Free,
    Pro,
}

fn main() {}
