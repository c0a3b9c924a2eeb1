use serde::Deserialize;
use syda::Synthetic;

const ACTIVE: &str = "Active";

#[derive(Deserialize, Synthetic)]
struct Customer {
    #[synthetic(one_of = [ACTIVE, "Inactive"])]
    status: String,
}

fn main() {}
