//! `#[derive(Synthetic)]` for syda. Use it through `syda::Synthetic`; the
//! attribute syntax is documented on the re-export.

#![warn(clippy::unwrap_used)]

mod ast;
mod attr;
mod case;
mod ctxt;
mod doc;
mod expand;
mod ty;

use proc_macro::TokenStream;
use syn::{DeriveInput, parse_macro_input};

/// Derives `syda::Synthetic`: a `const TABLE: syda::Table` describing a
/// struct with named fields as one table, each field a column; and
/// `syda::SyntheticField`, which lets the struct, a unit-only enum or a
/// newtype be the type of another derived struct's field.
///
/// ```ignore
/// use serde::Deserialize;
/// use syda::Synthetic;
///
/// /// Company employee with their personal and professional details.
/// #[derive(Deserialize, Synthetic)]
/// #[synthetic(table = "employees")]
/// struct Employee {
///     #[synthetic(primary_key)]
///     id: i64,
///     /// Business email address for communication
///     #[synthetic(unique, max_length = 100, kind = "email")]
///     email: String,
///     /// Department where employee works
///     #[synthetic(foreign_key = "departments.id")]
///     department_id: Option<i64>,
/// }
/// ```
///
/// (Checked examples live in the workspace's root crate: `src/hr.rs`,
/// `src/crm.rs` and `tests/derive_attributes.rs`.)
///
/// # What is read
///
/// - **Table name**: `#[synthetic(table = "...")]`, else the ORM's
///   `table_name`, else the struct name in snake_case (`OrderItem` → `order_item`; no plural is added).
/// - **Docs**: the struct's doc comment is the table doc, each field's doc
///   comment its column doc (one leading space stripped per line, blank
///   lines around the text dropped, lines joined with `\n`).
///   `comment = "..."` replaces either.
/// - **Column names**: serde's: `#[serde(rename = "...")]` on the field,
///   else `#[serde(rename_all = "...")]` on the struct applied to the field
///   name, else the field name (`r#type` → `type`).
/// - **Nullability**: `Option<T>` fields are nullable (typed as `T`), and
///   so is any field marked `nullable` (or `#[sea_orm(nullable)]`).
/// - **ORM attributes** already on the struct: `#[diesel(table_name = …)]`
///   and `#[sea_orm(table_name = "…")]` name the table (`table = …` wins);
///   `#[sea_orm(primary_key)]`, `unique`, `nullable` and the length of
///   `column_type = "String(StringLen::N(40))"` apply to their field, and
///   `#[sea_orm(column_name = "…")]` / `#[diesel(column_name = …)]` name the
///   column (typed rows still read it under the field's serde name). Other
///   ORM keys are left to the ORM.
///
/// # Rust types → columns
///
/// Types are judged by the last path segment (so `chrono::NaiveDate` and a
/// `use`d `NaiveDate` are the same); `Box`, `Rc` and `Arc` are looked
/// through; `Option<T>` is `T`, nullable. Typed rows read each value in the
/// form its type's `Deserialize` wants (the "reads" column).
///
/// | Rust type | column | reads |
/// |---|---|---|
/// | `i32`, `i64`, `i128`, `u32`, `u64`, `u128`, `isize`, `usize` | `integer` (1–1 000 000 unless `range`) | the number |
/// | `i8`, `u8`, `i16`, `u16` | `integer`, `range` 0–the type's max unless given | the number |
/// | `f32`, `f64` | `float` | the number |
/// | `bool` | `boolean` | |
/// | `char` | `text`, `max_length = 1`, pattern `[A-Za-z]` | one character |
/// | `String`, `&str`, `Box<str>`, `Cow<str>` | `text` | |
/// | `chrono::NaiveDate` | `date` | `2024-05-01` |
/// | `chrono::NaiveTime` | `time` | `10:20:30` |
/// | `chrono::NaiveDateTime` | `datetime` | `2024-05-01T10:20:30` (no offset) |
/// | `chrono::DateTime<Utc \| FixedOffset \| Local>` | `datetime` | RFC 3339 |
/// | `time::Date`, `time::Time` | `date`, `time` | serde's tuple form |
/// | `time::PrimitiveDateTime`, `time::UtcDateTime`, `time::OffsetDateTime` | `datetime` | serde's tuple form (UTC) |
/// | `uuid::Uuid` | `uuid` | hyphenated |
/// | `rust_decimal::Decimal`, `BigDecimal` | `decimal` | decimal text |
/// | `serde_json::Value` | `json` | any JSON |
/// | `Vec<u8>` | `text`, 32 hex digits | 16 bytes |
/// | `IpAddr`, `Ipv4Addr` / `Ipv6Addr` | `text`, kind `ipv4` / `ipv6` | the address |
/// | `std::time::Duration` | `integer` seconds, 0–86 400 | `{secs, nanos}` |
/// | `url::Url` | `text`, kind `url` | the URL |
/// | `Vec<T>`, `VecDeque<T>`, `HashSet<T>`, `BTreeSet<T>` | `json` array of 1–3 `T` | the array |
/// | `BTreeMap<String, T>`, `HashMap<String, T>` | `json` object of 1–3 `T` | the object |
/// | a unit-only enum deriving `Synthetic` | `text`, `one_of` its variants | the variant name |
/// | a newtype deriving `Synthetic` (`struct Email(String)`) | the inner type's column | the inner value |
/// | a struct deriving `Synthetic` | `json` object of its columns | the object |
/// | the same, with `#[serde(flatten)]` | its columns, in place | |
/// | any other type | needs `kind = "…"` (the kind's type) or a `SyntheticField` impl | as generated |
///
/// A list's or map's value constraints (`kind`, `range`, `one_of`,
/// `max_length`, `pattern`) apply to its elements. Structured JSON columns
/// are filled by `syda::typed_generators::<T>()`, which
/// `Generator::rows` registers itself; register them on another engine
/// (`engine.generators_mut().extend(syda::typed_generators::<T>())`) to
/// read a planner's rows back with `Dataset::rows::<T>()`.
///
/// # Enums and newtypes
///
/// `#[derive(Synthetic)]` on a unit-only enum makes it a field type: its
/// variants, named as serde names them (`rename`, `rename_all`; variants
/// with `skip`, `skip_deserializing` or `other` left out; an `alias` is
/// accepted when reading but never generated), are the column's `one_of`,
/// and `#[synthetic(weight = 3)]` on a variant makes it three times as
/// likely. Variants that carry data are an error. On a newtype the single
/// field's attributes (`kind`, `max_length`, …) describe the column.
///
/// # Attributes
///
/// On the struct:
///
/// | syntax | meaning |
/// |---|---|
/// | `table = "name"` | table name |
/// | `comment = "text"` | table doc |
/// | `unique(field_a, field_b)` | composite unique key (repeatable; Rust field names) |
/// | `crate = "path::to::syda"` | where `syda` is, for code that re-exports it (as serde's `crate`) |
/// | `infer = false` | no relation is inferred for the table (docs/realism.md) |
///
/// On a field:
///
/// | syntax | meaning |
/// |---|---|
/// | `comment = "text"` | column doc |
/// | `primary_key` | (part of) the primary key |
/// | `unique` | every value distinct |
/// | `nullable` | may be null |
/// | `foreign_key = "table.column"` | references a parent column |
/// | `max_length = 100` | most characters |
/// | `range = 1..=10`, `range = 0.5..=2.5`, `range = "2020-01-01"..="2024-12-31"` | inclusive bounds |
/// | `one_of = ["a", "b"]` | allowed values (string, integer, float, bool literals) |
/// | `pattern = "regex"` | every value matches |
/// | `kind = "email"` | semantic kind |
/// | `generator = "name"` | a registered custom generator fills the column |
/// | `skip` | not a column; needs `#[serde(skip)]` or `#[serde(default)]` |
/// | `after = "created_at"` | never before that field (or column) of the row |
/// | `expr = "quantity * unit_price"` | derived from the row; or `sum(lines.total)`, `count(lines)` over a child table |
/// | `infer = false` | no relation is inferred for the column |
///
/// `after`, `expr` and `infer` read exactly as the same keys of a schema
/// file; a declaration that does not parse is an error from
/// `Generator::rows` naming the table and column.
///
/// On an enum variant: `weight = N` (1–100) and `comment = "text"`.
///
/// Keys may be split over several `#[synthetic(...)]` attributes but given
/// only once each. Unknown keys, repeated keys, values of the wrong kind,
/// keys on the wrong item, data-carrying enums, unions, unit and generic
/// structs and tuple structs of more than one field are compile errors,
/// all reported together (`tests/ui` holds a case for each). The generated
/// code builds `Table` and `Column` through constructors, so it keeps
/// compiling when syda adds a field to either.
#[proc_macro_derive(Synthetic, attributes(synthetic, diesel, sea_orm))]
pub fn derive_synthetic(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::derive(&input)
        .unwrap_or_else(|err| {
            let mut out = err.into_compile_error();
            out.extend(expand::fallback(&input));
            out
        })
        .into()
}
