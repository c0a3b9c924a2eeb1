// @generated automatically by Diesel CLI.

pub mod sql_types {
    #[derive(diesel::sql_types::SqlType)]
    #[diesel(mysql_type(name = "Enum"))]
    pub struct OrdersStatusEnum;
}

diesel::table! {
    customers (id) {
        id -> Unsigned<Bigint>,
        #[max_length = 191]
        email -> Varchar,
        age -> Nullable<Unsigned<Tinyint>>,
        balance -> Decimal,
        newsletter -> Bool,
        signed_up_at -> Datetime,
        avatar -> Nullable<Blob>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::OrdersStatusEnum;

    orders (id) {
        id -> Unsigned<Bigint>,
        customer_id -> Unsigned<Bigint>,
        #[max_length = 9]
        status -> OrdersStatusEnum,
        total -> Decimal,
        weight_kg -> Nullable<Float>,
        distance_km -> Double,
        placed_at -> Datetime,
        ships_at -> Nullable<Time>,
    }
}

diesel::joinable!(orders -> customers (customer_id));

diesel::allow_tables_to_appear_in_same_query!(customers, orders,);
