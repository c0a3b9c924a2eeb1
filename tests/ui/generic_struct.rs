use serde::Deserialize;
use syda::Synthetic;

#[derive(Deserialize, Synthetic)]
struct Wrapper<T> {
    id: i64,
    value: T,
}

fn main() {}
