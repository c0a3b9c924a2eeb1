//! The seed's CRM as derived structs: customers, their contacts, products,
//! orders and order items. Equal to `examples/schemas/crm.yaml`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use syda::Synthetic;

/// Organization or individual client in the CRM system.
/// Represents a business entity that can place orders and have contacts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Synthetic)]
#[synthetic(table = "customers")]
pub struct Customer {
    #[allow(missing_docs)] // the seed gives ids no comment, so the column has no doc
    #[synthetic(primary_key)]
    pub id: i64,
    /// Customer organization name
    #[synthetic(unique, max_length = 100)]
    pub name: String,
    /// Customer's primary industry
    #[synthetic(max_length = 50)]
    pub industry: Option<String>,
    /// Customer's website URL
    #[synthetic(max_length = 100)]
    pub website: Option<String>,
    /// Active, Inactive, Prospect
    #[synthetic(max_length = 20)]
    pub status: Option<String>,
    /// Date when customer was added to CRM
    pub created_at: Option<NaiveDate>,
}

/// Individual person associated with a customer organization.
/// Contacts are the individuals we communicate with at the customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Synthetic)]
#[synthetic(table = "contacts")]
pub struct Contact {
    #[allow(missing_docs)] // the seed gives ids no comment, so the column has no doc
    #[synthetic(primary_key)]
    pub id: i64,
    /// Customer this contact belongs to
    #[synthetic(foreign_key = "customers.id")]
    pub customer_id: i64,
    /// Contact's first name
    #[synthetic(max_length = 50)]
    pub first_name: String,
    /// Contact's last name
    #[synthetic(max_length = 50)]
    pub last_name: String,
    /// Contact's email address
    #[synthetic(unique, max_length = 100)]
    pub email: String,
    /// Contact's phone number
    #[synthetic(max_length = 20)]
    pub phone: Option<String>,
    /// Job title or position
    #[synthetic(max_length = 100)]
    pub position: Option<String>,
    /// Whether this is the primary contact
    pub is_primary: Option<bool>,
}

/// Product or service offered by the company.
/// Products can be ordered by customers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Synthetic)]
#[synthetic(table = "products")]
pub struct Product {
    #[allow(missing_docs)] // the seed gives ids no comment, so the column has no doc
    #[synthetic(primary_key)]
    pub id: i64,
    /// Product name
    #[synthetic(unique, max_length = 100)]
    pub name: String,
    /// Product category
    #[synthetic(max_length = 50)]
    pub category: Option<String>,
    /// Product price in USD
    pub price: f64,
    /// Detailed product description
    pub description: Option<String>,
}

/// Customer order for products or services.
/// Orders contain order items for specific products.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Synthetic)]
#[synthetic(table = "orders")]
pub struct Order {
    #[allow(missing_docs)] // the seed gives ids no comment, so the column has no doc
    #[synthetic(primary_key)]
    pub id: i64,
    /// Customer who placed the order
    #[synthetic(foreign_key = "customers.id")]
    pub customer_id: i64,
    /// Date when order was placed
    pub order_date: NaiveDate,
    /// New, Processing, Shipped, Delivered, Cancelled
    #[synthetic(max_length = 20)]
    pub status: Option<String>,
    /// Total order amount in USD
    pub total_amount: Option<f64>,
}

/// Individual item within an order.
/// Each order item represents a specific product in a specific quantity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Synthetic)]
#[synthetic(table = "order_items")]
pub struct OrderItem {
    #[allow(missing_docs)] // the seed gives ids no comment, so the column has no doc
    #[synthetic(primary_key)]
    pub id: i64,
    /// Order this item belongs to
    #[synthetic(foreign_key = "orders.id")]
    pub order_id: i64,
    /// Product being ordered
    #[synthetic(foreign_key = "products.id")]
    pub product_id: i64,
    /// Quantity of product ordered
    pub quantity: i64,
    /// Price per unit at time of order
    pub unit_price: f64,
}
