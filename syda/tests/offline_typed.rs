//! Typed rows: `fixtures::<T>()` and `Generator::rows::<T>()` with a
//! hand-written `Synthetic` impl (what the derive writes).

use std::borrow::Cow;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use syda::engine::Generators;
use syda::{Column, DataType, Error, Generator, Synthetic, Table, Value, fixtures};

/// Flags for [`col`].
const PK: u8 = 1;
const UNIQUE: u8 = 2;
const NULLABLE: u8 = 4;

const fn col(name: &'static str, ty: DataType, flags: u8, kind: Option<&'static str>) -> Column {
    Column {
        name: Cow::Borrowed(name),
        doc: None,
        ty,
        kind: match kind {
            Some(k) => Some(Cow::Borrowed(k)),
            None => None,
        },
        nullable: flags & NULLABLE != 0,
        unique: flags & UNIQUE != 0,
        primary_key: flags & PK != 0,
        foreign_key: None,
        max_length: None,
        range: None,
        one_of: None,
        pattern: None,
        generator: None,
    }
}

const fn table(name: &'static str, columns: &'static [Column]) -> Table {
    Table {
        name: Cow::Borrowed(name),
        doc: None,
        columns: Cow::Borrowed(columns),
        unique: Cow::Borrowed(&[]),
        foreign_keys: Cow::Borrowed(&[]),
    }
}

#[derive(Debug, Deserialize, PartialEq)]
struct Patient {
    patient_id: i64,
    email: String,
    visit_date: NaiveDate,
    seen_at: DateTime<Utc>,
    nickname: Option<String>,
    notes: String,
}

const PATIENT_COLUMNS: &[Column] = &[
    col("patient_id", DataType::Integer, PK, None),
    col("email", DataType::Text, UNIQUE, Some("email")),
    col("visit_date", DataType::Date, 0, None),
    col("seen_at", DataType::DateTime, 0, None),
    col("nickname", DataType::Text, NULLABLE, None),
    col("notes", DataType::Text, 0, None),
];

impl Synthetic for Patient {
    const TABLE: Table = table("patients", PATIENT_COLUMNS);
}

#[test]
fn fixtures_fill_typed_fields() {
    let patients: Vec<Patient> = fixtures(200);
    assert_eq!(patients.len(), 200);
    assert_eq!(patients[0].patient_id, 1);
    assert_eq!(patients[199].patient_id, 200);
    assert!(
        patients
            .iter()
            .all(|p| p.email.contains('@') && !p.notes.is_empty())
    );
    let lo = NaiveDate::from_ymd_opt(2015, 1, 1).expect("date");
    assert!(patients.iter().all(|p| p.visit_date >= lo));
    let nulls = patients.iter().filter(|p| p.nickname.is_none()).count();
    assert!(
        (1..200).contains(&nulls),
        "some but not all nicknames are None: {nulls}"
    );
}

#[test]
fn fixtures_are_the_seed_zero_rows() {
    let a: Vec<Patient> = fixtures(20);
    let b: Vec<Patient> = Generator::new().seed(0).rows(20).expect("rows");
    assert_eq!(a, b);
    let c: Vec<Patient> = Generator::new().seed(1).rows(20).expect("rows");
    assert_ne!(a, c);
}

#[test]
fn the_builder_passes_null_rate_and_generators_on() {
    let mut g = Generators::new();
    g.register_column("patients", "notes", |cx| {
        Value::from(format!("note {}", cx.index()))
    });
    let patients: Vec<Patient> = Generator::new()
        .null_rate(1.0)
        .generators(g)
        .rows(5)
        .expect("rows");
    assert!(patients.iter().all(|p| p.nickname.is_none()));
    assert_eq!(patients[3].notes, "note 3");
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Mismatch {
    id: bool,
}

impl Synthetic for Mismatch {
    const TABLE: Table = table("mismatches", MISMATCH_COLUMNS);
}

const MISMATCH_COLUMNS: &[Column] = &[col("id", DataType::Integer, PK, None)];

#[test]
fn rows_that_do_not_fit_the_type_name_the_row() {
    let err = Generator::new()
        .rows::<Mismatch>(3)
        .expect_err("an integer is not a bool");
    match err {
        Error::Deserialize {
            table,
            row,
            message,
            source,
        } => {
            assert_eq!((table.as_str(), row), ("mismatches", 0));
            assert!(message.contains("bool"), "{message}");
            // serde's own error is kept for callers that inspect it.
            let serde = source
                .as_deref()
                .and_then(|e| e.downcast_ref::<serde_json::Error>());
            assert!(serde.is_some(), "{source:?}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
#[should_panic(expected = "mismatches")]
fn fixtures_panic_with_the_error() {
    let _: Vec<Mismatch> = fixtures(1);
}

#[test]
fn untyped_rows_come_in_column_order() {
    let rows = Generator::new().table_rows(&Patient::TABLE, 3).expect("rows");
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[2][0], Value::Int(3));
    assert_eq!(rows[0].len(), PATIENT_COLUMNS.len());
}
