//! The prompt description of a derived table, pinned as a snapshot.

use syda::Synthetic;
use syda_rs::hr::Employee;

#[test]
fn employee_description_matches_snapshot() {
    insta::assert_snapshot!(Employee::TABLE.describe());
}
