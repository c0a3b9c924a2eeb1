use serde::Deserialize;
use syda::Synthetic;

#[derive(Deserialize, Synthetic)]
enum Never {}

fn main() {}
