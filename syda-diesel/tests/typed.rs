//! Typed seeding: a struct deriving both `Synthetic` and Diesel's
//! `Insertable`, into the blog example's `users` table on every backend.

#[macro_use]
mod common;

use common::{TestDb, count, migrate};
use syda::Generator;
use syda_diesel::SeedConnection;

/// The example's schema.rs, compiled by Diesel: it is real Diesel code.
mod schema {
    include!("../../examples/diesel_blog/src/schema.rs");
}

use schema::users;

#[derive(Debug, Clone, PartialEq, syda::Synthetic, diesel::Insertable, serde::Deserialize)]
#[synthetic(table = "users")]
#[diesel(table_name = users)]
struct NewUser {
    #[synthetic(kind = "username", unique, max_length = 50)]
    username: String,
    #[synthetic(kind = "email", unique, max_length = 255)]
    email: String,
    #[synthetic(kind = "name", max_length = 100)]
    display_name: String,
    bio: Option<String>,
}

fn typed_rows_are_inserted_and_returned<C>(db: &mut TestDb<C>)
where
    C: SeedConnection + syda_diesel::seed::InsertRows<NewUser, users::table>,
{
    migrate(&mut db.conn, &db.migrations);
    let inserted = syda_diesel::seed::<NewUser, _>(&mut db.conn, users::table, 40).unwrap();
    assert_eq!(inserted.len(), 40);
    assert_eq!(count(&mut db.conn, "users"), 40);
    // What was returned is what the database holds, row for row.
    let emails = db
        .conn
        .texts("SELECT email AS v FROM users ORDER BY id", Vec::new())
        .unwrap();
    let returned: Vec<&str> = inserted.iter().map(|u| u.email.as_str()).collect();
    assert_eq!(emails, returned, "{}", db.backend);
}

fn typed_rows_fail_whole<C>(db: &mut TestDb<C>)
where
    C: SeedConnection + syda_diesel::seed::InsertRows<NewUser, users::table>,
{
    migrate(&mut db.conn, &db.migrations);
    // One existing row takes an e-mail the seeded rows will repeat.
    let generator = Generator::new().seed(11);
    let first: Vec<NewUser> = generator.rows(1).unwrap();
    db.conn
        .batch_execute(&format!(
            "INSERT INTO users (username, email, display_name, created_at) VALUES ('x', '{}', 'X', '2020-01-01 00:00:00')",
            first[0].email
        ))
        .unwrap();
    let err = syda_diesel::seed_with::<NewUser, _>(&mut db.conn, users::table, 30, &generator)
        .expect_err("a repeated e-mail must fail");
    assert!(
        err.to_string()
            .starts_with("table `users`: inserting rows 1..=30"),
        "{err}"
    );
    assert_eq!(
        count(&mut db.conn, "users"),
        1,
        "{}: the batch was kept",
        db.backend
    );
}

on_every_backend!(typed_rows_are_inserted_and_returned, typed_rows_fail_whole);
