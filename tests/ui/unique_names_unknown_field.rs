use serde::Deserialize;
use syda::Synthetic;

#[derive(Deserialize, Synthetic)]
#[synthetic(unique(department_id, badge_number))]
struct Employee {
    department_id: i64,
    badge: String,
}

fn main() {}
