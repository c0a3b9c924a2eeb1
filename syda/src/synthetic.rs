//! The traits `#[derive(Synthetic)]` implements, and what it records about
//! fields beyond their column: how the Rust type reads a generated value.

use serde::de::DeserializeOwned;

use crate::schema::{Column, Table};

/// A Rust type with a static schema descriptor, usually written by
/// `#[derive(Synthetic)]`.
///
/// Generated rows are validated against [`Synthetic::TABLE`] and then
/// deserialised into `Self`, so the type's serde attributes (renames) must
/// agree with the descriptor; the derive takes care of that.
pub trait Synthetic: DeserializeOwned {
    /// The table this type describes: name, docs, columns and constraints.
    const TABLE: Table;

    /// The columns whose Rust type reads a value in another form than the
    /// one generated (a `NaiveDateTime` wants no offset, a `Vec<T>` a JSON
    /// array of `T`, …), by column name. Columns not listed are read as they
    /// are. The derive lists them; a hand-written impl rarely needs any.
    const FIELDS: &'static [Field] = &[];

    /// Relations declared on the type with `#[synthetic(after = "…")]`,
    /// `#[synthetic(expr = "…")]` and `#[synthetic(infer = false)]`, beyond
    /// those inferred from its field names ([`crate::relation`]). None by
    /// default. An `Err` names the field whose declaration does not parse.
    fn relations() -> crate::Result<Vec<crate::relation::Declared>> {
        Ok(Vec::new())
    }
}

/// A Rust type usable as the type of a field of a `#[derive(Synthetic)]`
/// struct that the derive cannot read from the type's name: a unit-only
/// enum (its variants are the column's `one_of`), a newtype (its inner
/// type's column), a struct (a JSON object column). `#[derive(Synthetic)]`
/// implements it.
#[diagnostic::on_unimplemented(
    message = "cannot tell which column type `{Self}` is",
    label = "syda does not know this type",
    note = "add `#[derive(syda::Synthetic)]` to `{Self}` (a unit-only enum, a newtype or a struct), \
            or name the column's kind on the field, e.g. `#[synthetic(kind = \"email\")]`"
)]
pub trait SyntheticField {
    /// The column a field of this type becomes. Its name is replaced by the
    /// field's; its doc is used when the field has none.
    const COLUMN: Column;

    /// How the type reads the generated value.
    const SHAPE: Shape = Shape::Plain;

    /// A struct's own columns: what a `#[serde(flatten)]` field of this
    /// type adds to the outer table. Empty for other types.
    const COLUMNS: &'static [Column] = &[];

    /// A struct's [`Synthetic::FIELDS`], for `#[serde(flatten)]`.
    const FIELDS: &'static [Field] = &[];
}

/// One column whose value a Rust type reads in a particular form or under
/// another name.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// The column name.
    pub column: &'static str,
    /// The name serde reads the value under, when it is not the column's
    /// (an ORM's `column_name` differs from the field's serde name).
    pub key: Option<&'static str>,
    /// The form the field's type wants.
    pub shape: Shape,
}

impl Field {
    /// A column read in `shape` under its own name.
    pub const fn new(column: &'static str, shape: Shape) -> Field {
        Field {
            column,
            key: None,
            shape,
        }
    }

    /// Reads the column under `key` instead.
    pub const fn with_key(mut self, key: &'static str) -> Field {
        self.key = Some(key);
        self
    }
}

/// The form a Rust type reads a generated value in. Generated values are
/// canonical text (dates, times, UUIDs, decimals), numbers, booleans or
/// JSON; a few types read something else.
#[derive(Debug, Clone, Copy)]
pub enum Shape {
    /// The value as it is.
    Plain,
    /// A date-time without offset (`chrono::NaiveDateTime`):
    /// `2024-05-01T10:00:00`.
    NaiveDateTime,
    /// `time::Date`: serde's tuple form `[year, ordinal]`.
    TimeDate,
    /// `time::Time`: `[hour, minute, second, nanosecond]`.
    TimeOfDay,
    /// `time::PrimitiveDateTime` and `time::UtcDateTime`: `[year, ordinal,
    /// hour, minute, second, nanosecond]`.
    TimePrimitiveDateTime,
    /// `time::OffsetDateTime`: the primitive form plus `[0, 0, 0]` (UTC).
    TimeOffsetDateTime,
    /// `std::time::Duration` from whole seconds: `{secs, nanos}`.
    Duration,
    /// `Vec<u8>` from hexadecimal text: an array of bytes.
    Bytes,
    /// `Vec<T>`, `HashSet<T>`, `BTreeSet<T>`: a JSON array of elements.
    List(&'static Element),
    /// `BTreeMap<String, T>`, `HashMap<String, T>`: a JSON object.
    Map(&'static Element),
    /// A struct that derives `Synthetic` held in one JSON column.
    Object(&'static Nested),
}

/// The element of a list or map column: how one is generated and read.
#[derive(Debug)]
pub struct Element {
    /// The column one element would be (its name is not used).
    pub column: Column,
    /// How the element's type reads it.
    pub shape: Shape,
}

/// A struct stored as a JSON object in one column.
#[derive(Debug)]
pub struct Nested {
    /// The struct's table: the object's keys.
    pub table: Table,
    /// The struct's [`Synthetic::FIELDS`].
    pub fields: &'static [Field],
}

impl Shape {
    /// Whether the column's generated values must be built as JSON of a
    /// particular structure (lists, maps, objects), not left to the engine.
    pub fn is_structured(&self) -> bool {
        matches!(self, Shape::List(_) | Shape::Map(_) | Shape::Object(_))
    }
}
