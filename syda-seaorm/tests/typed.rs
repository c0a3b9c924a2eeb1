//! Typed fixtures: SeaORM `Model`s from the offline engine, no database.

#[path = "fixtures/everything.rs"]
mod everything;

#[allow(dead_code)] // The migration and other entities serve the example and other tests.
#[path = "../examples/seaorm_bakery/entities/mod.rs"]
mod tutorial;

use syda::engine::OfflineEngine;
use tutorial::{baker, cake, cakes_bakers, customer};

fn described_everything() -> syda_seaorm::Describe<everything::Entity> {
    syda_seaorm::describe::<everything::Entity>()
        .active_enum::<everything::Size>(everything::Column::Size)
        .active_enum::<everything::Rank>(everything::Column::Rank)
}

#[test]
fn every_field_type_is_filled_within_its_column_bounds() {
    let engine = OfflineEngine::new().with_seed(3);
    let rows = described_everything().generate(&engine, 200).unwrap();
    assert_eq!(rows.len(), 200);
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(row.id, i as i64 + 1);
        assert!((0..=127).contains(&row.tiny), "{row:?}");
        assert!(row.small >= 0, "{row:?}");
        assert!(row.varchar.chars().count() <= 20, "{row:?}");
        assert!(row.code.chars().count() <= 3, "{row:?}");
        assert!(row.string.chars().count() <= 255, "{row:?}");
        assert!(
            row.small_decimal < sea_orm::prelude::Decimal::from(1000),
            "{row:?}"
        );
        assert!((1901..=2155).contains(&row.year), "{row:?}");
        assert!(row.json.is_object(), "{row:?}");
        assert!(!row.uuid.is_nil(), "{row:?}");
    }
    // Every variant of each enum turns up.
    for mood in [everything::Mood::Happy, everything::Mood::Grumpy] {
        assert!(rows.iter().any(|r| r.mood == mood), "{mood:?}");
    }
    for rank in [
        everything::Rank::First,
        everything::Rank::Second,
        everything::Rank::Third,
    ] {
        assert!(rows.iter().any(|r| r.rank == rank), "{rank:?}");
    }
    assert!(rows.iter().any(|r| r.size == everything::Size::Large));
}

#[test]
fn the_same_seed_gives_the_same_models() {
    let engine = OfflineEngine::new().with_seed(11);
    let a = described_everything().generate(&engine, 20).unwrap();
    let b = described_everything().generate(&engine, 20).unwrap();
    assert_eq!(a, b);
    let c = described_everything()
        .generate(&OfflineEngine::new().with_seed(12), 20)
        .unwrap();
    assert_ne!(a, c);
}

#[test]
fn a_string_enum_without_its_values_is_an_error_naming_the_column() {
    let err = syda_seaorm::generate::<everything::Entity>(&OfflineEngine::new(), 5)
        .unwrap_err()
        .to_string();
    assert!(err.contains("table `everything`, column `size`, row 0"), "{err}");
}

/// The documented pattern (docs/seaorm.md): a test gets `Vec<cake::Model>`
/// from the offline engine, with keys that match their parents.
#[test]
fn typed_related_fixtures_come_from_the_offline_engine() {
    let entities = tutorial::entities();
    let data = entities
        .generate(&OfflineEngine::new().with_seed(1), |plan| {
            plan.rows(8).size("bakery", 3).size("cakes_bakers", 12)
        })
        .unwrap();
    let cakes: Vec<cake::Model> = syda_seaorm::models::<cake::Entity>(&data).unwrap();
    let bakers: Vec<baker::Model> = syda_seaorm::models::<baker::Entity>(&data).unwrap();
    let pairs: Vec<cakes_bakers::Model> = syda_seaorm::models::<cakes_bakers::Entity>(&data).unwrap();
    assert_eq!((cakes.len(), bakers.len(), pairs.len()), (8, 8, 12));
    assert!(cakes.iter().all(|c| (1..=3).contains(&c.bakery_id)));
    for pair in &pairs {
        assert!(cakes.iter().any(|c| c.id == pair.cake_id), "{pair:?}");
        assert!(bakers.iter().any(|b| b.id == pair.baker_id), "{pair:?}");
    }
    let distinct: std::collections::HashSet<_> = pairs.iter().map(|p| (p.cake_id, p.baker_id)).collect();
    assert_eq!(distinct.len(), pairs.len(), "join rows are distinct pairs");
    assert!(syda::check::check(&data).is_clean());
}

#[test]
fn one_entity_alone_gets_a_tree_of_self_references() {
    let bakers = syda_seaorm::generate::<baker::Entity>(&OfflineEngine::new().with_seed(5), 30).unwrap();
    assert_eq!(bakers.len(), 30);
    assert!(bakers.iter().all(|b| b.manager_id.is_none_or(|m| m < b.id)));
    assert!(bakers.iter().any(|b| b.manager_id.is_some()));
}

#[test]
fn described_kinds_shape_the_values() {
    let customers = tutorial::entities()
        .generate(&OfflineEngine::new(), |plan| plan.rows(20))
        .and_then(|data| syda_seaorm::models::<customer::Entity>(&data))
        .unwrap();
    assert!(
        customers
            .iter()
            .all(|c| c.email.contains('@') && c.email.len() <= 120)
    );
    let emails: std::collections::HashSet<_> = customers.iter().map(|c| &c.email).collect();
    assert_eq!(emails.len(), customers.len(), "customer.email is unique");
}
