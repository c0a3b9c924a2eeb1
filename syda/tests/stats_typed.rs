//! Typed rows through the statistical engine: a model fitted on rows of a
//! derived struct samples look-alike rows that read back into the struct,
//! with structured JSON columns filled locally by `typed_generators`.
#![cfg(feature = "stats")]

use chrono::NaiveDateTime;
use syda::engine::stats::{Source, StatsEngine, fit};
use syda::engine::{Engine, OfflineEngine};
use syda::plan::Planner;
use syda::{Generator, Schema, Synthetic};

/// Subscription tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, Synthetic)]
enum Tier {
    Free,
    Team,
    Enterprise,
}

/// Where the account is billed.
#[derive(Debug, serde::Deserialize, Synthetic)]
struct Address {
    city: String,
}

/// A customer account.
#[derive(Debug, serde::Deserialize, Synthetic)]
#[synthetic(table = "accounts")]
struct Account {
    #[synthetic(primary_key)]
    id: i64,
    tier: Tier,
    #[synthetic(range = 0.0..=5_000.0)]
    balance: f64,
    seats: u16,
    signed_up: NaiveDateTime,
    trial_ends: Option<chrono::NaiveDate>,
    tags: Vec<String>,
    billing: Address,
}

#[test]
fn ten_thousand_typed_rows_sampled_from_a_fitted_model() {
    let table = Account::TABLE;
    let real = Generator::new()
        .seed(1)
        .generators(syda::typed_generators::<Account>())
        .table_rows(&table, 2_000)
        .expect("real rows");
    let columns = table.columns.iter().map(|c| c.name.to_string()).collect();
    let model = fit(&Source::rows("accounts", columns, real)).expect("fits");
    let mut engine = StatsEngine::new(model).with_local(OfflineEngine::new().with_seed(2));
    engine
        .local_mut()
        .generators_mut()
        .extend(syda::typed_generators::<Account>());

    let schema = Schema::new([Account::TABLE]);
    let data = Planner::new(&schema)
        .sizes([("accounts", 10_000)])
        .generate(&engine)
        .expect("samples");
    let report = syda::check::check(&data);
    assert!(report.is_clean(), "{report}");
    let accounts: Vec<Account> = data.rows().expect("every row reads into Account");
    assert_eq!(accounts.len(), 10_000);
    for (i, a) in accounts.iter().enumerate() {
        assert_eq!(a.id, i as i64 + 1);
        assert!((0.0..=5_000.0).contains(&a.balance));
        assert!((1..=3).contains(&a.tags.len()));
        assert!(!a.billing.city.is_empty());
        assert!((2015..=2025).contains(&chrono::Datelike::year(&a.signed_up)));
    }
    assert!(
        accounts.iter().any(|a| a.trial_ends.is_none()),
        "the fitted null share"
    );
    assert!(accounts.iter().any(|a| a.seats > 1_000), "seats spread over u16");
    assert!(accounts.iter().any(|a| a.tier == Tier::Enterprise));
}
