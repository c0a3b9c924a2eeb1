//! Deferred foreign keys (the ones that break a cycle between tables):
//! a unique one takes each parent at most once, a required one is filled
//! in every row.

use std::collections::HashSet;

use syda::Schema;
use syda::check::check;
use syda::engine::OfflineEngine;
use syda::plan::Planner;

/// Sakila's staff/store pair: every store has one manager, a member of staff.
const STAFF_STORE: &str = r#"
tables:
  staff:
    columns:
      staff_id: { type: integer, primary_key: true }
      store_id: { type: integer, foreign_key: store.store_id }
  store:
    columns:
      store_id: { type: integer, primary_key: true }
      manager_staff_id: { type: integer, nullable: true, unique: true, foreign_key: staff.staff_id }
"#;

fn values(data: &syda::Dataset, table: &str, column: &str) -> Vec<syda::Value> {
    let i = data.schema().table(table).unwrap().column_index(column).unwrap();
    data.table(table).unwrap().iter().map(|r| r[i].clone()).collect()
}

#[test]
fn a_unique_deferred_key_never_repeats_a_parent() {
    let schema = Schema::from_yaml_str(STAFF_STORE).unwrap();
    for seed in 0..5 {
        let data = Planner::new(&schema)
            .rows(100)
            .generate(&OfflineEngine::new().with_seed(seed))
            .unwrap();
        let report = check(&data);
        assert!(report.is_clean(), "seed {seed}: {report}");
        let managers: Vec<_> = values(&data, "store", "manager_staff_id")
            .into_iter()
            .filter(|v| !v.is_null())
            .collect();
        let distinct: HashSet<String> = managers.iter().map(ToString::to_string).collect();
        assert_eq!(distinct.len(), managers.len(), "seed {seed}: repeated managers");
        assert!(
            managers.len() > 50,
            "most stores get a manager: {}",
            managers.len()
        );
    }
}

#[test]
fn more_children_than_parents_leaves_the_rest_of_a_unique_deferred_key_null() {
    let schema = Schema::from_yaml_str(STAFF_STORE).unwrap();
    let data = Planner::new(&schema)
        .sizes([("staff", 10), ("store", 40)])
        .generate(&OfflineEngine::new().with_seed(3).with_null_rate(0.0))
        .unwrap();
    assert!(check(&data).is_clean(), "{}", check(&data));
    let set = values(&data, "store", "manager_staff_id")
        .iter()
        .filter(|v| !v.is_null())
        .count();
    assert_eq!(set, 10, "each of the 10 staff manages one store");
}

#[test]
fn a_required_unique_cycle_fills_every_row_once() {
    let schema = Schema::from_yaml_str(&STAFF_STORE.replace("nullable: true, ", "")).unwrap();
    let order = Planner::new(&schema).order().unwrap();
    assert_eq!(order.deferred.len(), 1);
    assert!(order.deferred[0].required);
    let data = Planner::new(&schema)
        .sizes([("staff", 50), ("store", 20)])
        .generate(&OfflineEngine::new().with_seed(9))
        .unwrap();
    assert!(check(&data).is_clean(), "{}", check(&data));
    let d = &order.deferred[0];
    assert!(
        values(&data, &d.table, &d.columns[0])
            .iter()
            .all(|v| !v.is_null())
    );
}

#[test]
fn a_required_unique_cycle_with_too_few_parents_is_an_error_naming_the_column() {
    let schema = Schema::from_yaml_str(&STAFF_STORE.replace("nullable: true, ", "")).unwrap();
    let order = Planner::new(&schema).order().unwrap();
    let d = &order.deferred[0];
    assert_eq!((d.table.as_str(), d.parent.as_str()), ("store", "staff"));
    let err = Planner::new(&schema)
        .sizes([("store", 30), ("staff", 5)])
        .generate(&OfflineEngine::new().with_seed(1))
        .map(|_| ())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("manager_staff_id") && err.contains("more rows than parents"),
        "{err}"
    );
}
