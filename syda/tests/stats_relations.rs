//! Relations learnt at fit time hold in every synthetic row: exact
//! products, inequalities between dates (with the smallest real gap),
//! functional dependencies between categories.

#![cfg(feature = "stats")]

mod stats_support;

use std::collections::HashMap;

use stats_support::{CITIES, days, hires, orders, rows_of};
use syda::Value;
use syda::engine::stats::{StatsRule, fit};

fn col(names: &[String], name: &str) -> usize {
    names.iter().position(|n| n == name).unwrap()
}

#[test]
fn products_inequalities_and_dependencies_are_found_and_hold_in_every_synthetic_row() {
    let source = orders(3000, 1);
    let model = fit(&source).unwrap();
    let shown: Vec<String> = model.rules.iter().map(|r| r.rule.to_string()).collect();
    assert!(
        shown.contains(&"total = unit_price × units".to_owned()),
        "{shown:?}"
    );
    assert!(shown.contains(&"closed_on ≥ opened_on".to_owned()), "{shown:?}");
    assert!(
        shown
            .iter()
            .any(|s| s.starts_with("city → country (functional dependency")),
        "{shown:?}"
    );
    // Nothing invented: no rule between unrelated columns.
    assert!(
        !shown.iter().any(|s| s.contains("weight") || s.contains("rating")),
        "{shown:?}"
    );
    for r in &model.rules {
        assert!(r.held >= 0.999, "{} held in {}", r.rule, r.held);
    }

    let (names, _) = rows_of(&source);
    let synthetic: Vec<Vec<Value>> = model.sample(5000, 9).collect::<syda::Result<_>>().unwrap();
    let country_of: HashMap<&str, &str> = CITIES.iter().copied().collect();
    let (price, units, total) = (
        col(&names, "unit_price"),
        col(&names, "units"),
        col(&names, "total"),
    );
    let (opened, closed) = (col(&names, "opened_on"), col(&names, "closed_on"));
    let (city, country) = (col(&names, "city"), col(&names, "country"));
    for row in &synthetic {
        let (p, u, t) = (
            stats_support::num(&row[price]).unwrap(),
            row[units].as_i64().unwrap(),
            stats_support::num(&row[total]).unwrap(),
        );
        assert!(
            (t - (p * u as f64 * 100.0).round() / 100.0).abs() < 1e-6,
            "{row:?}"
        );
        assert!(
            days(row[closed].as_str().unwrap()) >= days(row[opened].as_str().unwrap()),
            "{row:?}"
        );
        assert_eq!(
            country_of[row[city].as_str().unwrap()],
            row[country].as_str().unwrap(),
            "{row:?}"
        );
    }
}

#[test]
fn the_smallest_real_gap_is_kept_so_no_hire_is_under_eighteen() {
    let model = fit(&hires(2000, 3)).unwrap();
    let rule = model
        .rules
        .iter()
        .find_map(|r| match &r.rule {
            StatsRule::AtLeast {
                column,
                lower,
                min_gap,
                ..
            } if column == "hired_on" && lower == "born_on" => Some(*min_gap),
            _ => None,
        })
        .expect("hired_on ≥ born_on found");
    assert!((6575.0..6600.0).contains(&rule), "min gap {rule}");
    let rows: Vec<Vec<Value>> = model.sample(4000, 2).collect::<syda::Result<_>>().unwrap();
    let under_18 = rows
        .iter()
        .filter(|r| days(r[2].as_str().unwrap()) - days(r[1].as_str().unwrap()) < 6575)
        .count();
    assert_eq!(under_18, 0);
}

#[test]
fn rules_survive_the_model_file() {
    let model = fit(&orders(1000, 4)).unwrap();
    assert!(!model.rules.is_empty());
    let back = syda::engine::stats::FittedModel::from_json(&model.to_json(), "test").unwrap();
    assert_eq!(back.rules, model.rules);
}

#[test]
fn independent_columns_give_no_rules() {
    let mut rng = stats_support::Rng::new(8);
    let rows = (0..2000)
        .map(|_| {
            vec![
                Value::Float((rng.uniform() * 100.0).round()),
                Value::Float((rng.uniform() * 100.0).round()),
                Value::Float((rng.uniform() * 10_000.0).round()),
                Value::from(["a", "b", "c"][rng.pick(&[1.0, 1.0, 1.0])]),
                Value::from(["x", "y"][rng.pick(&[1.0, 1.0])]),
            ]
        })
        .collect();
    let names = ["p", "q", "r", "s", "t"].map(String::from).to_vec();
    let model = fit(&syda::engine::stats::Source::rows("noise", names, rows)).unwrap();
    assert!(model.rules.is_empty(), "{:?}", model.rules);
}

#[test]
fn the_rules_the_relation_module_expresses_go_through_it_under_the_planner() {
    use syda::relation::Rule;
    let model = fit(&orders(2000, 5)).unwrap();
    let rules = model.relation_rules();
    assert!(
        rules
            .iter()
            .any(|r| matches!(r, Rule::Derived { column, .. } if column == "total")),
        "{rules:?}"
    );
    assert!(
        rules.iter().any(|r| matches!(r, Rule::After { column, after, .. } if column == "closed_on" && after == "opened_on")),
        "{rules:?}"
    );
    let engine = syda::engine::stats::StatsEngine::new(model).with_seed(3);
    let schema = engine.schema();
    let data = syda::plan::Planner::new(&schema)
        .rows(1500)
        .generate(&engine)
        .unwrap();
    let table = data.table("orders").unwrap();
    assert_eq!(table.len(), 1500);
    let checker = syda::relation::RowRules::new(&schema.tables[0], &rules).unwrap();
    for row in table {
        let held = checker.holds(row);
        assert!(held.iter().all(|h| *h != Some(false)), "{row:?}: {held:?}");
        assert!(held.iter().filter(|h| h.is_some()).count() >= 2, "{held:?}");
    }
}

#[test]
fn the_report_checks_each_learnt_rule_on_both_data_sets() {
    let real = orders(2000, 6);
    let model = fit(&real).unwrap();
    let (names, rows) = rows_of(&real);
    let synthetic: Vec<Vec<Value>> = model.sample(2000, 1).collect::<syda::Result<_>>().unwrap();
    let good = syda::report::compare(
        &real,
        &syda::engine::stats::Source::rows("orders", names.clone(), synthetic),
    )
    .unwrap();
    let rules: Vec<&str> = good.relations.iter().map(|r| r.rule.as_str()).collect();
    assert!(rules.contains(&"total = unit_price × units"), "{rules:?}");
    for r in &good.relations {
        assert!(
            r.real >= 0.999 && r.synthetic == 1.0 && r.synthetic_checked > 1000,
            "{r:?}"
        );
    }
    assert!(
        good.to_string()
            .contains("closed_on ≥ opened_on  real 100.0%  synthetic 100.0%"),
        "{good}"
    );
    // Totals shifted by one row break the product in (almost) every row.
    let t = col(&names, "total");
    let mut broken = rows.clone();
    for i in 0..broken.len() {
        broken[i][t] = rows[(i + 1) % rows.len()][t].clone();
    }
    let bad =
        syda::report::compare(&real, &syda::engine::stats::Source::rows("orders", names, broken)).unwrap();
    let product = bad
        .relations
        .iter()
        .find(|r| r.rule == "total = unit_price × units")
        .unwrap();
    assert!(product.synthetic < 0.1, "{product:?}");
    assert!(syda::report::to_html(&bad, "orders").contains("<h2>Relations</h2>"));
}
