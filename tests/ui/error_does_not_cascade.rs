use serde::Deserialize;
use syda::Synthetic;

#[derive(Deserialize, Synthetic)]
struct Customer {
    #[synthetic(max_length = "100")]
    name: String,
}

fn table_of<T: Synthetic>() -> syda::Table {
    T::TABLE
}

fn main() {
    // Only the attribute error above is reported, not a missing impl here.
    let _ = table_of::<Customer>();
}
