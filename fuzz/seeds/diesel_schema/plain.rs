//! A hand-written schema module: old-style `table!`, no foreign keys,
//! renamed tables and columns, no primary key list.

table! {
    /// Key-value settings.
    #[sql_name = "app_settings"]
    settings {
        id -> Integer,
        #[sql_name = "key"]
        setting_key -> Text,
        #[sql_name = "type"]
        #[max_length = 20]
        r#type -> VarChar,
        value -> Nullable<Text>,
    }
}

table! {
    /// Measurements from the weather station.
    readings (station, taken_at) {
        station -> SmallInt,
        taken_at -> Timestamp,
        temperature -> Float4,
        pressure -> Float8,
        raw -> Nullable<Json>,
    }
}

pub mod nested {
    table! {
        audit_log (id) {
            id -> BigInt,
            happened_at -> diesel::sql_types::Timestamptz,
            actor -> Nullable<crate::types::Actor>,
        }
    }
}
