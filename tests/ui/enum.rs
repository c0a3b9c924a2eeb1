use serde::Deserialize;
use syda::Synthetic;

#[derive(Deserialize, Synthetic)]
enum Shape {
    Point,
    Circle(f64),
    Square { side: f64 },
}

fn main() {}
