use serde::Deserialize;
use syda::Synthetic;

#[derive(Deserialize, Synthetic)]
#[synthetic(table = "emails")]
struct Email(String);

fn main() {}
