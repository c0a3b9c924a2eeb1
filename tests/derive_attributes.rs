//! What `#[derive(Synthetic)]` writes into `TABLE` for each attribute and
//! each serde rename. One behaviour per test.

use std::borrow::Cow;

use serde::Deserialize;
use syda::{Column, DataType, Literal, Range, Reference, Synthetic, Table};

fn column(table: &Table, name: &str) -> Column {
    table
        .column(name)
        .unwrap_or_else(|| panic!("no column {name} in {:?}", table.columns))
        .clone()
}

fn column_names(table: &Table) -> Vec<String> {
    table.columns.iter().map(|c| c.name.to_string()).collect()
}

#[derive(Deserialize, Synthetic)]
#[allow(dead_code)]
struct LoyaltyAccount {
    id: i64,
}

#[test]
fn table_name_defaults_to_snake_case_struct_name() {
    assert_eq!(LoyaltyAccount::TABLE.name, "loyalty_account");
}

/// A row.
#[derive(Deserialize, Synthetic)]
#[synthetic(table = "accounts", comment = "An account, from the attribute.")]
#[allow(dead_code)]
struct Account {
    id: i64,
}

#[test]
fn table_attribute_names_the_table_and_comment_overrides_the_doc() {
    assert_eq!(Account::TABLE.name, "accounts");
    assert_eq!(
        Account::TABLE.doc.as_deref(),
        Some("An account, from the attribute.")
    );
}

#[derive(Deserialize, Synthetic)]
#[allow(dead_code)]
struct Documented {
    ///   Indented first line.
    ///
    /// Second paragraph.
    notes: String,
    /// Ignored: the attribute wins.
    #[synthetic(comment = "From the attribute")]
    label: String,
    bare: String,
}

#[test]
fn field_doc_comments_become_column_docs_line_by_line() {
    let table = Documented::TABLE;
    assert_eq!(
        column(&table, "notes").doc.as_deref(),
        Some("  Indented first line.\n\nSecond paragraph.")
    );
}

#[test]
fn field_comment_attribute_overrides_the_doc_comment() {
    assert_eq!(
        column(&Documented::TABLE, "label").doc.as_deref(),
        Some("From the attribute")
    );
}

#[test]
fn undocumented_field_has_no_doc() {
    assert_eq!(column(&Documented::TABLE, "bare").doc, None);
}

#[derive(Deserialize, Synthetic)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct Person {
    first_name: String,
    #[serde(rename = "surname")]
    last_name: String,
    r#type: String,
}

#[test]
fn column_names_are_the_names_serde_reads() {
    assert_eq!(column_names(&Person::TABLE), ["firstName", "surname", "type"]);
}

#[test]
fn a_row_with_the_column_names_deserialises() {
    let row = serde_json::json!({ "firstName": "Ada", "surname": "Lovelace", "type": "x" });
    let person: Person = serde_json::from_value(row).expect("column names are serde's names");
    assert_eq!(person.last_name, "Lovelace");
}

#[derive(Deserialize, Synthetic)]
#[serde(rename_all = "SCREAMING-KEBAB-CASE")]
#[allow(dead_code)]
struct Shouting {
    order_id: i64,
}

#[test]
fn rename_all_screaming_kebab_case_applies_to_columns() {
    assert_eq!(column_names(&Shouting::TABLE), ["ORDER-ID"]);
}

#[derive(Deserialize, Synthetic)]
#[allow(dead_code)]
struct Cached {
    id: i64,
    #[synthetic(skip)]
    #[serde(skip)]
    cache: Vec<u8>,
    #[synthetic(skip)]
    #[serde(default)]
    hits: u32,
}

#[test]
fn skipped_fields_are_not_columns() {
    assert_eq!(column_names(&Cached::TABLE), ["id"]);
}

#[derive(Deserialize, Synthetic)]
#[allow(dead_code)]
struct Nullables {
    maybe: Option<String>,
    always: String,
    #[synthetic(nullable)]
    #[serde(default)]
    flagged: String,
}

#[test]
fn option_fields_are_nullable_and_others_are_not() {
    let table = Nullables::TABLE;
    assert!(column(&table, "maybe").nullable);
    assert_eq!(column(&table, "maybe").ty, DataType::Text);
    assert!(!column(&table, "always").nullable);
}

#[test]
fn nullable_attribute_makes_a_non_option_field_nullable() {
    assert!(column(&Nullables::TABLE, "flagged").nullable);
}

#[derive(Deserialize, Synthetic)]
#[allow(dead_code)]
struct Constrained {
    #[synthetic(range = 18..=65)]
    age: u8,
    #[synthetic(range = -0.5..=99.5)]
    score: f64,
    #[synthetic(range = "2020-01-01"..="2024-12-31")]
    joined: chrono::NaiveDate,
    #[synthetic(one_of = ["Active", "Inactive", "On leave"])]
    status: String,
    #[synthetic(one_of = [1, 2.5, true])]
    mixed: serde_json::Value,
    #[synthetic(pattern = "EMP-[0-9]{5}", unique, max_length = 9)]
    badge: String,
    #[synthetic(kind = "email")]
    email: String,
    #[synthetic(generator = "loyalty_tier")]
    tier: String,
    #[synthetic(foreign_key = "accounts.id")]
    account_id: i64,
}

#[test]
fn integer_range_renders_as_int_bounds() {
    let range = column(&Constrained::TABLE, "age").range;
    assert_eq!(
        range,
        Some(Range {
            min: Literal::Int(18),
            max: Literal::Int(65)
        })
    );
}

#[test]
fn float_range_renders_as_float_bounds_including_negatives() {
    let range = column(&Constrained::TABLE, "score").range;
    assert_eq!(
        range,
        Some(Range {
            min: Literal::Float(-0.5),
            max: Literal::Float(99.5)
        })
    );
}

#[test]
fn date_range_renders_as_iso_text_bounds() {
    let col = column(&Constrained::TABLE, "joined");
    assert_eq!(col.ty, DataType::Date);
    assert_eq!(
        col.range,
        Some(Range {
            min: Literal::Text(Cow::Borrowed("2020-01-01")),
            max: Literal::Text(Cow::Borrowed("2024-12-31")),
        })
    );
}

#[test]
fn one_of_renders_each_literal_with_its_type() {
    let status = column(&Constrained::TABLE, "status").one_of.expect("one_of set");
    let texts: Vec<String> = status.iter().map(ToString::to_string).collect();
    assert_eq!(texts, ["Active", "Inactive", "On leave"]);
    let mixed = column(&Constrained::TABLE, "mixed").one_of.expect("one_of set");
    assert_eq!(
        &*mixed,
        [Literal::Int(1), Literal::Float(2.5), Literal::Bool(true)]
    );
}

#[test]
fn pattern_unique_and_max_length_render_together() {
    let badge = column(&Constrained::TABLE, "badge");
    assert_eq!(badge.pattern.as_deref(), Some("EMP-[0-9]{5}"));
    assert!(badge.unique);
    assert_eq!(badge.max_length, Some(9));
}

#[test]
fn kind_on_a_known_type_keeps_the_rust_type() {
    let email = column(&Constrained::TABLE, "email");
    assert_eq!(email.kind.as_deref(), Some("email"));
    assert_eq!(email.ty, DataType::Text);
}

#[test]
fn generator_names_the_custom_generator() {
    assert_eq!(
        column(&Constrained::TABLE, "tier").generator.as_deref(),
        Some("loyalty_tier")
    );
}

#[test]
fn foreign_key_renders_as_a_reference() {
    let fk = column(&Constrained::TABLE, "account_id").foreign_key;
    assert_eq!(
        fk,
        Some(Reference {
            table: Cow::Borrowed("accounts"),
            column: Cow::Borrowed("id")
        })
    );
}

/// Whole years, deserialised from an integer.
#[derive(Deserialize)]
struct Years(#[allow(dead_code)] u16);

/// Text in a newtype.
#[derive(Deserialize)]
struct Tier(#[allow(dead_code)] String);

#[derive(Deserialize, Synthetic)]
#[allow(dead_code)]
struct Typed {
    #[synthetic(kind = "age")]
    age: Years,
    #[synthetic(kind = "loyalty_tier")]
    tier: Tier,
}

#[test]
fn kind_on_an_unknown_type_gives_the_kinds_natural_type() {
    let age = column(&Typed::TABLE, "age");
    assert_eq!(age.ty, DataType::Integer);
    assert_eq!(age.kind.as_deref(), Some("age"));
}

#[test]
fn unlisted_kind_on_an_unknown_type_gives_text() {
    assert_eq!(column(&Typed::TABLE, "tier").ty, DataType::Text);
}

#[derive(Deserialize, Synthetic)]
#[synthetic(unique(department_id, badge))]
#[synthetic(unique(first, last))]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct Badge {
    department_id: i64,
    badge: String,
    first: String,
    last: String,
}

#[test]
fn composite_unique_keys_list_column_names_in_order() {
    let keys: Vec<Vec<String>> = Badge::TABLE
        .unique
        .iter()
        .map(|k| k.iter().map(ToString::to_string).collect())
        .collect();
    assert_eq!(keys, [["departmentId", "badge"], ["first", "last"]]);
}

#[derive(Deserialize, Synthetic)]
#[allow(dead_code)]
struct AllTypes {
    a: i32,
    b: u64,
    c: f32,
    d: bool,
    e: String,
    f: Cow<'static, str>,
    g: chrono::NaiveDate,
    h: chrono::NaiveDateTime,
    i: chrono::DateTime<chrono::Utc>,
    j: chrono::NaiveTime,
    k: serde_json::Value,
}

#[test]
fn rust_types_map_to_column_types() {
    let types: Vec<DataType> = AllTypes::TABLE.columns.iter().map(|c| c.ty).collect();
    use DataType::*;
    assert_eq!(
        types,
        [
            Integer, Integer, Float, Boolean, Text, Text, Date, DateTime, DateTime, Time, Json
        ]
    );
}

/// A crate that re-exports syda under another path, as applications and
/// frameworks do; `#[synthetic(crate = "…")]` points the derive at it.
mod reexport {
    pub(crate) use ::syda as inner;
}

#[derive(Deserialize, reexport::inner::Synthetic)]
#[synthetic(crate = "crate::reexport::inner", table = "notes")]
#[allow(dead_code)]
struct Note {
    #[synthetic(primary_key)]
    id: i64,
    body: String,
}

#[test]
fn the_crate_path_override_builds_against_a_reexport() {
    assert_eq!(Note::TABLE.name, "notes");
    let notes: Vec<Note> = syda::fixtures(3);
    assert_eq!(notes.len(), 3);
}

// A SeaORM-style model and a Diesel-style insertable: their own attributes
// give the table name, docs and column flags without repeating them for
// syda. (The derive accepts `sea_orm` and `diesel` attributes itself, so
// these compile here without the ORMs' derives.) A doc comment would win
// over the SeaORM comment.
#[derive(Deserialize, Synthetic)]
#[sea_orm(table_name = "cakes", comment = "A cake on the menu")]
#[allow(dead_code)]
struct CakeModel {
    #[sea_orm(primary_key, auto_increment = false)]
    id: i64,
    #[sea_orm(unique, column_type = "String(StringLen::N(40))", column_name = "cake_name")]
    name: String,
    #[sea_orm(nullable, comment = "What goes on top")]
    #[serde(default)]
    topping: String,
}

#[derive(Deserialize, Synthetic)]
#[diesel(table_name = crate::schema::posts)]
#[allow(dead_code)]
struct NewPost {
    #[diesel(column_name = headline)]
    title: String,
}

#[test]
fn orm_attributes_name_tables_and_flag_columns() {
    let cake = CakeModel::TABLE;
    assert_eq!(cake.name, "cakes");
    assert!(cake.column("id").is_some_and(|c| c.primary_key));
    let name = cake.column("cake_name").expect("the ORM's column name");
    assert!(name.unique);
    assert_eq!(name.max_length, Some(40));
    assert!(cake.column("topping").is_some_and(|c| c.nullable));
    assert_eq!(cake.doc.as_deref(), Some("A cake on the menu"));
    assert_eq!(
        cake.column("topping").and_then(|c| c.doc.as_deref()),
        Some("What goes on top")
    );
    assert_eq!(NewPost::TABLE.name, "posts");
    assert_eq!(NewPost::TABLE.columns[0].name, "headline");
    // Typed rows read each column under the field's serde name.
    let cakes: Vec<CakeModel> = syda::fixtures(20);
    assert!(
        cakes
            .iter()
            .all(|c| !c.name.is_empty() && c.name.chars().count() <= 40)
    );
    let posts: Vec<NewPost> = syda::fixtures(2);
    assert!(!posts[0].title.is_empty());
}
