use serde::de::DeserializeOwned;

use crate::schema::Table;

/// A Rust type with a static schema descriptor, usually written by
/// `#[derive(Synthetic)]`.
///
/// Generated rows are validated against [`Synthetic::TABLE`] and then
/// deserialised into `Self`, so the type's serde attributes (renames) must
/// agree with the descriptor; the derive takes care of that.
pub trait Synthetic: DeserializeOwned {
    /// The table this type describes: name, docs, columns and constraints.
    const TABLE: Table;

    /// Relations declared on the type (`after`, `expr`, `infer = false`),
    /// beyond those inferred from its field names ([`crate::relation`]).
    /// None by default.
    fn relations() -> Vec<crate::relation::Declared> {
        Vec::new()
    }
}
