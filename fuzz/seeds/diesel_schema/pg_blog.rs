// @generated automatically by Diesel CLI.

diesel::table! {
    /// Registered readers and authors.
    users (id) {
        id -> Int4,
        /// Login e-mail address.
        #[max_length = 255]
        email -> Varchar,
        #[max_length = 100]
        display_name -> Varchar,
        /// Short biography,
        /// written by the user.
        bio -> Nullable<Text>,
        is_admin -> Bool,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    /// Blog posts.
    posts (id) {
        id -> Int8,
        user_id -> Int4,
        #[max_length = 200]
        title -> Varchar,
        body -> Text,
        rating -> Nullable<Numeric>,
        metadata -> Jsonb,
        published_on -> Nullable<Date>,
        tags_cache -> Array<Nullable<Text>>,
    }
}

diesel::table! {
    /// Reader comments on posts.
    comments (id) {
        id -> Uuid,
        post_id -> Int8,
        /// Null for anonymous comments.
        user_id -> Nullable<Int4>,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    tags (id) {
        id -> Int4,
        #[max_length = 50]
        name -> Varchar,
    }
}

diesel::table! {
    /// Which tags a post carries.
    posts_tags (post_id, tag_id) {
        post_id -> Int8,
        tag_id -> Int4,
    }
}

diesel::joinable!(comments -> posts (post_id));
diesel::joinable!(comments -> users (user_id));
diesel::joinable!(posts -> users (user_id));
diesel::joinable!(posts_tags -> posts (post_id));
diesel::joinable!(posts_tags -> tags (tag_id));

diesel::allow_tables_to_appear_in_same_query!(
    comments,
    posts,
    posts_tags,
    tags,
    users,
);
