//! Examples and cross-crate integration tests for syda.
//!
//! The seed's models, written as Rust structs with `#[derive(Synthetic)]`.
//! Doc comments are the table and column docs; `Option` fields are
//! nullable; constraints are `#[synthetic(...)]` attributes. Each module's
//! tables equal the schema file of the same name in `examples/schemas/`:
//!
//! - [`crm`]: customers, contacts, products, orders, order items
//!   (`examples/schemas/crm.yaml`).
//! - [`hr`]: departments and employees (`examples/schemas/hr.yaml`).
//!
//! ```
//! use syda::Synthetic;
//! use syda_rs::hr::Employee;
//!
//! let table = Employee::TABLE;
//! let email = table.column("email").expect("a field of Employee");
//! assert!(email.unique);
//! assert_eq!(email.doc.as_deref(), Some("Business email address for communication"));
//! ```

pub mod crm;
pub mod hr;
