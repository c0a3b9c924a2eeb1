// @generated automatically by Diesel CLI.

pub mod sql_types {
    #[derive(diesel::query_builder::QueryId, Clone, diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "mood"))]
    pub struct Mood;

    #[derive(diesel::query_builder::QueryId, Clone, diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "ticket_priority", schema = "support"))]
    pub struct TicketPriority;
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Mood;

    /// A person's daily check-in.
    checkins (id) {
        id -> Int4,
        /// How the person feels.
        mood -> Mood,
        note -> Nullable<Text>,
        day -> Date,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::TicketPriority;

    support.tickets (id) {
        id -> Int8,
        priority -> Nullable<TicketPriority>,
        subject -> Text,
        attachment -> Nullable<Bytea>,
        open_for -> Interval,
        client_ip -> Inet,
    }
}
