// Rust names that differ from SQL names: `joinable!` and primary key lists
// use the Rust names, the schema the SQL ones.

pub mod schema {
    diesel::table! {
        /// People who can sign in.
        #[sql_name = "user_accounts"]
        accounts (account_id) {
            #[sql_name = "id"]
            account_id -> Int4,
            #[sql_name = "login"]
            #[max_length = 64]
            username -> Varchar,
            /// Free-form role name:
            ///   `admin`, `editor` or `viewer`.
            #[max_length = 16]
            r#type -> Varchar,
        }
    }

    diesel::table! {
        /// Audit trail of account changes.
        account_events (id) {
            id -> Int8,
            #[sql_name = "account"]
            account_id -> Int4,
            #[sql_name = "when"]
            happened_at -> Timestamptz,
            #[max_length = 1]
            code -> Bpchar,
            details -> Nullable<Citext>,
        }
    }

    diesel::joinable!(account_events -> accounts (account_id));
    diesel::allow_tables_to_appear_in_same_query!(account_events, accounts);
}
