//! The adapter's error type.

/// Result with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What can go wrong while introspecting, generating or seeding.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Generation failed (an impossible constraint, a custom generator that
    /// keeps repeating itself in a unique column, an invalid schema, …).
    #[error(transparent)]
    Syda(#[from] syda::Error),

    /// A generated value does not fit the Rust type of the entity's field.
    #[error("table `{table}`, column `{column}`, row {row}: {message}")]
    Convert {
        /// Table (entity) being filled.
        table: String,
        /// Column whose value did not fit.
        column: String,
        /// Row index, from 0.
        row: u64,
        /// What was generated and what the field expects.
        message: String,
    },

    /// The database refused a statement. Seeding rolled back: no rows stay.
    #[error("{context}: {source}")]
    Database {
        /// What was being done: `inserting rows 500..1000 of table `cake``.
        context: String,
        /// SeaORM's error.
        source: sea_orm::DbErr,
    },

    /// The entities cannot be seeded as given (a table listed twice, a
    /// foreign key to an entity that was not added, …).
    #[error("{0}")]
    Setup(String),
}

impl Error {
    pub(crate) fn db(context: impl Into<String>) -> impl FnOnce(sea_orm::DbErr) -> Error {
        let context = context.into();
        move |source| Error::Database { context, source }
    }
}
