//! SeaORM adapter for syda: reads entities into a [`syda::Schema`].
//!
//! Planned (issue 9); nothing is exported yet.
