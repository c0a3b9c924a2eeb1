//! Diesel adapter for syda: reads `table!` definitions into a [`syda::Schema`].
//!
//! Planned (issue 8); nothing is exported yet.
