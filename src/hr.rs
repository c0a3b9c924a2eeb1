//! The seed's departments and employees as derived structs. Equal to
//! `examples/schemas/hr.yaml`.

use serde::{Deserialize, Serialize};
use syda::Synthetic;

/// Organizational department that groups employees by business function.
/// Departments are the primary organizational units within the company structure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Synthetic)]
#[synthetic(table = "departments")]
pub struct Department {
    #[allow(missing_docs)] // the seed gives ids no comment, so the column has no doc
    #[synthetic(primary_key)]
    pub id: i64,
    /// Official department name (e.g. Engineering, Marketing)
    #[synthetic(unique, max_length = 100)]
    pub name: String,
    /// Primary office location of this department
    #[synthetic(max_length = 100)]
    pub location: Option<String>,
    /// Annual budget allocation in USD
    pub budget: Option<f64>,
}

/// Company employee with their personal and professional details.
/// Each employee belongs to a specific department and has associated job information.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Synthetic)]
#[synthetic(table = "employees")]
pub struct Employee {
    #[allow(missing_docs)] // the seed gives ids no comment, so the column has no doc
    #[synthetic(primary_key)]
    pub id: i64,
    /// Employee's given name
    #[synthetic(max_length = 50)]
    pub first_name: String,
    /// Employee's family name
    #[synthetic(max_length = 50)]
    pub last_name: String,
    /// Business email address for communication
    #[synthetic(unique, max_length = 100)]
    pub email: String,
    /// Department where employee works
    #[synthetic(foreign_key = "departments.id")]
    pub department_id: Option<i64>,
    /// Job title or position within the company
    #[synthetic(max_length = 100)]
    pub role: Option<String>,
    /// Annual salary in USD
    pub salary: Option<f64>,
}
