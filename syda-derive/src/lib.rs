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
/// struct with named fields as one table, each field a column.
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
/// - **Table name**: `#[synthetic(table = "...")]`, else the struct name in
///   snake_case (`OrderItem` → `order_item`; no plural is added).
/// - **Docs**: the struct's doc comment is the table doc, each field's doc
///   comment its column doc (one leading space stripped per line, blank
///   lines around the text dropped, lines joined with `\n`).
///   `comment = "..."` replaces either.
/// - **Column names**: serde's: `#[serde(rename = "...")]` on the field,
///   else `#[serde(rename_all = "...")]` on the struct applied to the field
///   name, else the field name (`r#type` → `type`).
/// - **Nullability**: `Option<T>` fields are nullable (typed as `T`), and
///   so is any field marked `nullable`.
/// - **Types**, by the last path segment: integers → `Integer`; `f32`,
///   `f64` → `Float`; `bool` → `Boolean`; `String`, `str`, `&str`,
///   `Cow<str>` → `Text`; `NaiveDate`, `Date` → `Date`; `NaiveDateTime`,
///   `DateTime<_>`, `OffsetDateTime`, `PrimitiveDateTime` → `DateTime`;
///   `NaiveTime`, `Time` → `Time`; `Uuid`; `Decimal`; `Value` → `Json`.
///   `Box`, `Rc` and `Arc` are looked through. Any other type needs
///   `kind = "..."`, and the column then has the kind's natural type (text
///   for a kind syda doesn't list).
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
///
/// Keys may be split over several `#[synthetic(...)]` attributes but given
/// only once each. Unknown keys, repeated keys, values of the wrong kind,
/// enums, unions, tuple, unit and generic structs are compile errors, all
/// reported together.
#[proc_macro_derive(Synthetic, attributes(synthetic))]
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
