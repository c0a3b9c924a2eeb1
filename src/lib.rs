//! Examples and cross-crate integration tests for syda. Nothing to use here.
