//! Float ranges at the edge of f64: a span wider than f64 can hold is
//! sampled (not a panic), and bounds that are not finite are refused by
//! validation, naming the column.

use syda::engine::OfflineEngine;
use syda::{Column, DataType, Literal, Range, Schema, Table, Value};

const WIDE: &str = "tables:\n  t:\n    columns:\n      x: { type: float, range: [-1e308, 1e308] }\n      d: { type: decimal, range: [-1e308, 1e308] }\n";

#[test]
fn a_range_wider_than_f64_spans_gives_finite_values_across_it() {
    let schema = Schema::from_yaml_str(WIDE).expect("schema");
    let table = schema.table("t").expect("table");
    let rows: Vec<_> = OfflineEngine::new()
        .with_seed(3)
        .rows(table, 200)
        .expect("plan")
        .collect::<syda::Result<_>>()
        .expect("rows");
    let xs: Vec<f64> = rows
        .iter()
        .map(|r| match &r[0] {
            Value::Float(x) => *x,
            other => panic!("not a float: {other:?}"),
        })
        .collect();
    assert!(xs.iter().all(|x| x.is_finite() && x.abs() <= 1e308), "{xs:?}");
    assert!(
        xs.iter().any(|x| *x < -1e307) && xs.iter().any(|x| *x > 1e307),
        "spread: {xs:?}"
    );
}

#[test]
fn infinite_range_bounds_are_refused_naming_the_column() {
    let mut x = Column::new("x", DataType::Float);
    x.range = Some(Range {
        min: Literal::Float(f64::NEG_INFINITY),
        max: Literal::Float(1.0),
    });
    let schema = Schema::new([Table::new("t").with_column(x)]);
    let err = schema.validate().expect_err("infinite bound").to_string();
    assert!(err.contains("column `x`") && err.contains("finite"), "{err}");
}
