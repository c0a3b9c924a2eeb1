//! Relations declared on a derived struct: `after`, `expr` and `infer = false`
//! hold in every generated row, exactly as the same keys do in schema files.

#![allow(dead_code)] // the structs exist to be generated; not every field is read back

use syda::Synthetic;

/// A shipment: names nothing would infer a relation from.
#[derive(Debug, serde::Deserialize, Synthetic)]
struct Shipment {
    #[synthetic(primary_key)]
    id: i64,
    placed: chrono::NaiveDate,
    /// Never before the field `placed`.
    #[synthetic(after = "placed")]
    dispatched: chrono::NaiveDate,
    #[synthetic(range = 1..=20)]
    crates: i64,
    #[synthetic(range = 5.0..=50.0)]
    crate_cost: f64,
    #[synthetic(expr = "crates * crate_cost")]
    charge: f64,
}

#[test]
fn declared_after_and_expr_hold_in_every_row() {
    let rows = syda::Generator::new().seed(5).rows::<Shipment>(2_000).unwrap();
    for (i, s) in rows.iter().enumerate() {
        assert!(s.dispatched >= s.placed, "row {i}: {s:?}");
        let want = s.crates as f64 * s.crate_cost;
        assert!((s.charge - want).abs() < 0.01, "row {i}: {s:?}");
    }
}

#[derive(Debug, serde::Deserialize, Synthetic)]
struct Audited {
    #[synthetic(primary_key)]
    id: i64,
    created_at: chrono::DateTime<chrono::Utc>,
    /// Left alone: the inferred "not before created_at" is switched off.
    #[synthetic(infer = false)]
    updated_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, serde::Deserialize, Synthetic)]
struct AuditedByDefault {
    #[synthetic(primary_key)]
    id: i64,
    created_at: chrono::DateTime<chrono::Utc>,
    updated_at: chrono::DateTime<chrono::Utc>,
}

#[test]
fn infer_false_switches_the_inferred_relation_off() {
    let ordered = syda::Generator::new()
        .seed(9)
        .rows::<AuditedByDefault>(500)
        .unwrap();
    assert!(ordered.iter().all(|r| r.updated_at >= r.created_at));
    let free = syda::Generator::new().seed(9).rows::<Audited>(500).unwrap();
    let backwards = free.iter().filter(|r| r.updated_at < r.created_at).count();
    assert!(backwards > 0, "with infer = false the two dates are independent");
}

#[derive(Debug, serde::Deserialize, Synthetic)]
#[synthetic(table = "broken")]
struct Broken {
    #[synthetic(primary_key)]
    id: i64,
    #[synthetic(expr = "id * (")]
    total: f64,
}

#[test]
fn a_declaration_that_does_not_parse_is_an_error_naming_table_and_column() {
    let err = syda::Generator::new().rows::<Broken>(3).unwrap_err().to_string();
    assert!(err.contains("broken"), "{err}");
    assert!(err.contains("total"), "{err}");
    assert!(err.contains("expr"), "{err}");
}
