//! One application struct with a field of every common Rust type, generated
//! as typed fixtures: each value must deserialise into its field (a
//! `NaiveDateTime` panicked here before), hold its type's range, and keep
//! the constraints the derive read from enums, newtypes and nested structs.

// Most fields are only deserialised: that they parse is the point.
#![allow(dead_code)]

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use chrono::{DateTime, FixedOffset, Local, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;
use syda::{DataType, Synthetic, SyntheticField};
use uuid::Uuid;

/// Subscription plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Synthetic)]
#[serde(rename_all = "snake_case")]
enum Plan {
    Free,
    #[synthetic(weight = 3)]
    ProPlus,
    #[serde(rename = "ent", alias = "enterprise")]
    Enterprise,
}

/// A verified e-mail address.
#[derive(Debug, Deserialize, Synthetic)]
#[serde(transparent)]
struct Email(#[synthetic(kind = "email")] String);

/// A postal address.
#[derive(Debug, Deserialize, Synthetic)]
struct Address {
    street: String,
    city: String,
    postcode: String,
}

/// When the row was written.
#[derive(Debug, Deserialize, Synthetic)]
struct Audit {
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// An application's account, with a field of every type syda reads.
#[derive(Debug, Deserialize, Synthetic)]
#[synthetic(table = "accounts")]
struct Account {
    #[synthetic(primary_key)]
    id: u64,
    tiny: i8,
    small: i16,
    int: i32,
    big: i64,
    huge: i128,
    ubyte: u8,
    ushort: u16,
    uint: u32,
    ulong: u64,
    uhuge: u128,
    size: usize,
    ratio: f32,
    score: f64,
    active: bool,
    initial: char,
    name: String,
    nickname: Box<str>,
    bio: Cow<'static, str>,
    born_on: NaiveDate,
    wakes_at: NaiveTime,
    last_login: NaiveDateTime,
    seen_utc: DateTime<Utc>,
    seen_fixed: DateTime<FixedOffset>,
    seen_local: DateTime<Local>,
    t_date: time::Date,
    t_time: time::Time,
    t_primitive: time::PrimitiveDateTime,
    t_offset: time::OffsetDateTime,
    token: Uuid,
    balance: Decimal,
    settings: serde_json::Value,
    avatar: Vec<u8>,
    ip: IpAddr,
    ipv4: Ipv4Addr,
    ipv6: Ipv6Addr,
    timeout: Duration,
    homepage: url::Url,
    plan: Plan,
    email: Email,
    tags: Vec<String>,
    lucky: HashSet<i32>,
    limits: BTreeMap<String, f64>,
    plans: Vec<Plan>,
    address: Address,
    #[serde(flatten)]
    audit: Audit,
    maybe_tiny: Option<u8>,
    maybe_initial: Option<char>,
    maybe_login: Option<NaiveDateTime>,
    maybe_seen: Option<DateTime<Utc>>,
    maybe_t_date: Option<time::Date>,
    maybe_t_offset: Option<time::OffsetDateTime>,
    maybe_token: Option<Uuid>,
    maybe_balance: Option<Decimal>,
    maybe_avatar: Option<Vec<u8>>,
    maybe_ip: Option<IpAddr>,
    maybe_timeout: Option<Duration>,
    maybe_homepage: Option<url::Url>,
    maybe_plan: Option<Plan>,
    maybe_email: Option<Email>,
    maybe_tags: Option<Vec<String>>,
    maybe_address: Option<Address>,
}

const ROWS: usize = 10_000;

#[test]
fn every_field_type_round_trips_through_ten_thousand_typed_rows() {
    let accounts = syda::Generator::new()
        .seed(19)
        .rows::<Account>(ROWS)
        .expect("every value fits its field");
    assert_eq!(accounts.len(), ROWS);

    for (i, a) in accounts.iter().enumerate() {
        assert_eq!(a.id, i as u64 + 1);
        assert!(a.tiny >= 0 && a.small >= 0, "narrow integers are non-negative");
        assert!(a.initial.is_ascii_alphabetic());
        assert!(a.timeout <= Duration::from_secs(86_400));
        assert!(!a.avatar.is_empty());
        assert!(!a.ipv4.is_unspecified());
        assert!(a.ip.is_ipv4());
        assert_eq!(a.ipv6.segments().len(), 8);
        assert!(a.homepage.scheme().starts_with("http"), "{}", a.homepage);
        assert!(a.email.0.contains('@'), "{:?}", a.email);
        assert!((1..=3).contains(&a.tags.len()));
        assert!(!a.lucky.is_empty() && a.lucky.len() <= 3);
        assert!((1..=3).contains(&a.limits.len()));
        assert!(!a.address.city.is_empty());
        assert!((2015..=2025).contains(&a.t_date.year()));
        assert_eq!(a.t_offset.offset(), time::UtcOffset::UTC);
    }

    let plans: HashSet<Plan> = accounts.iter().map(|a| a.plan).collect();
    assert_eq!(
        plans,
        HashSet::from([Plan::Free, Plan::ProPlus, Plan::Enterprise])
    );
    let pro = accounts.iter().filter(|a| a.plan == Plan::ProPlus).count();
    assert!(pro > ROWS / 2, "weight 3 of 5: {pro} of {ROWS}");
    assert!(accounts.iter().any(|a| a.maybe_login.is_none()));
    assert!(accounts.iter().any(|a| a.maybe_t_offset.is_some()));
    assert!(
        accounts.iter().any(|a| a.maybe_plan.is_none()) && accounts.iter().any(|a| a.maybe_plan.is_some())
    );
    // Structured JSON columns get their NULLs too.
    assert!(
        accounts.iter().any(|a| a.maybe_address.is_none())
            && accounts.iter().any(|a| a.maybe_address.is_some())
    );
    assert!(accounts.iter().any(|a| a.maybe_tags.is_none()));
}

#[test]
fn the_descriptor_maps_each_type_to_its_column() {
    let table = Account::TABLE;
    let ty = |name: &str| table.column(name).unwrap_or_else(|| panic!("column {name}")).ty;
    assert_eq!(ty("last_login"), DataType::DateTime);
    assert_eq!(ty("t_date"), DataType::Date);
    assert_eq!(ty("balance"), DataType::Decimal);
    assert_eq!(ty("tags"), DataType::Json);
    assert_eq!(ty("address"), DataType::Json);
    assert_eq!(ty("timeout"), DataType::Integer);
    assert_eq!(ty("avatar"), DataType::Text);
    let plan = table.column("plan").expect("plan");
    let values: Vec<String> = plan
        .one_of
        .iter()
        .flat_map(|v| v.iter().map(ToString::to_string))
        .collect();
    assert_eq!(values, ["free", "pro_plus", "pro_plus", "pro_plus", "ent"]);
    assert_eq!(plan.doc.as_deref(), Some("Subscription plan."));
    assert_eq!(
        table.column("email").and_then(|c| c.kind.as_deref()),
        Some("email")
    );
    assert_eq!(table.column("ip").and_then(|c| c.kind.as_deref()), Some("ipv4"));
    assert!(table.column("maybe_address").is_some_and(|c| c.nullable));
    // The flattened struct's columns are the outer table's, in place.
    let names: Vec<&str> = table.columns.iter().map(|c| c.name.as_ref()).collect();
    let at = names.iter().position(|n| *n == "created_at").expect("flattened");
    assert_eq!(names[at - 1], "address");
    assert_eq!(names[at + 1], "updated_at");
    assert!(!names.contains(&"audit"));
    syda::Schema::new([table])
        .validate()
        .expect("the derived table is valid");
    assert_eq!(<Plan as SyntheticField>::COLUMN.ty, DataType::Text);
}

#[test]
fn related_generation_reads_derived_rows_back_with_the_typed_generators() {
    let schema = syda::Schema::new([Account::TABLE]);
    let mut engine = syda::engine::OfflineEngine::new().with_seed(3);
    engine
        .generators_mut()
        .extend(syda::typed_generators::<Account>());
    let data = syda::plan::Planner::new(&schema)
        .sizes([("accounts", 500)])
        .generate(&engine)
        .expect("generates");
    let accounts: Vec<Account> = data.rows().expect("typed rows");
    assert_eq!(accounts.len(), 500);
    assert!(syda::check::check(&data).is_clean());
}

/// The realism rules apply to typed fixtures too: time runs forwards
/// (`updated_at ≥ created_at`), inferred from the field names alone.
#[test]
fn typed_fixtures_follow_the_realism_rules() {
    let accounts = syda::Generator::new()
        .seed(19)
        .rows::<Account>(ROWS)
        .expect("generates");
    for (i, a) in accounts.iter().enumerate() {
        assert!(a.audit.updated_at >= a.audit.created_at, "row {i}: {:?}", a.audit);
    }
}

#[test]
fn structured_columns_generated_without_the_typed_generators_say_what_is_missing() {
    let schema = syda::Schema::new([Account::TABLE]);
    let data = syda::plan::Planner::new(&schema)
        .sizes([("accounts", 3)])
        .generate(&syda::engine::OfflineEngine::new())
        .expect("generates");
    let err = data
        .rows::<Account>()
        .expect_err("plain JSON is no Vec<String>")
        .to_string();
    assert!(err.contains("table `accounts`, row 0"), "{err}");
    assert!(err.contains("syda::typed_generators"), "{err}");
}
