use serde::Deserialize;
use syda::Synthetic;

#[derive(Deserialize)]
struct Email(String);

#[derive(Deserialize, Synthetic)]
struct Contact {
    id: i64,
    email: Email,
}

fn main() {}
