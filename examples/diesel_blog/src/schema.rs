// @generated automatically by Diesel CLI (and trimmed to types every backend shares).

diesel::table! {
    /// People who write posts and comments.
    users (id) {
        id -> Integer,
        /// Public handle, unique.
        #[max_length = 50]
        username -> Varchar,
        /// Login e-mail address, unique.
        #[max_length = 255]
        email -> Varchar,
        /// Name shown next to posts.
        #[max_length = 100]
        display_name -> Varchar,
        /// A short self-description.
        bio -> Nullable<Text>,
        birth_date -> Nullable<Date>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// Blog posts.
    posts (id) {
        id -> Integer,
        user_id -> Integer,
        #[max_length = 200]
        title -> Varchar,
        /// URL path segment, unique.
        #[max_length = 200]
        slug -> Varchar,
        body -> Text,
        published -> Bool,
        published_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    /// Readers' comments on posts.
    comments (id) {
        id -> Integer,
        post_id -> Integer,
        user_id -> Integer,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// Topics posts are filed under.
    tags (id) {
        id -> Integer,
        #[max_length = 50]
        name -> Varchar,
    }
}

diesel::table! {
    /// Which post carries which tag.
    posts_tags (post_id, tag_id) {
        post_id -> Integer,
        tag_id -> Integer,
    }
}

diesel::joinable!(posts -> users (user_id));
diesel::joinable!(comments -> posts (post_id));
diesel::joinable!(comments -> users (user_id));
diesel::joinable!(posts_tags -> posts (post_id));
diesel::joinable!(posts_tags -> tags (tag_id));

diesel::allow_tables_to_appear_in_same_query!(users, posts, comments, tags, posts_tags);
