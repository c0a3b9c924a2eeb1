//! Bad input: every problem is reported, with `file:line:column` where the
//! source has a position.

use std::path::PathBuf;

use syda_diesel::{Error, Location};

fn err(text: &str) -> Error {
    match syda_diesel::schema_from_str(text) {
        Ok(schema) => panic!("expected an error, got {schema:?}"),
        Err(e) => e,
    }
}

fn problems(e: &Error) -> &[syda_diesel::Problem] {
    match e {
        Error::Invalid { problems, .. } => problems,
        other => panic!("expected Error::Invalid, got {other:?}"),
    }
}

#[test]
fn unparseable_file_names_file_line_and_column() {
    let dir = std::env::temp_dir().join(format!("syda-diesel-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path: PathBuf = dir.join("schema.rs");
    std::fs::write(
        &path,
        "diesel::table! {\n    users (id) {\n        id -> Int4,\n    }\n}\n\nfn broken( {\n",
    )
    .expect("write");
    let e = syda_diesel::schema_from_file(&path).expect_err("a syntax error");
    let message = e.to_string();
    let location = problems(&e)[0].location.expect("a location");
    assert_eq!(location.line, 7, "{message}");
    assert!(
        message.contains(&format!(
            "{}:{}:{}",
            path.display(),
            location.line,
            location.column
        )),
        "{message}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn malformed_table_body_has_a_position() {
    let e = err("diesel::table! {\n    users (id) {\n        id => Int4,\n    }\n}\n");
    let message = e.to_string();
    assert_eq!(
        problems(&e)[0].location,
        Some(Location { line: 3, column: 12 }),
        "{message}"
    );
    assert!(message.contains("<string>:3:12: expected `->`"), "{message}");
}

#[test]
fn joinable_to_unknown_table_names_it() {
    let e = err(
        "diesel::table! {\n    posts (id) {\n        id -> Int4,\n        author_id -> Int4,\n    }\n}\ndiesel::joinable!(posts -> authors (author_id));\n",
    );
    let message = e.to_string();
    assert!(message.contains("<string>:7:28:"), "{message}");
    assert!(message.contains("unknown parent table `authors`"), "{message}");
}

#[test]
fn joinable_problems_with_columns_and_composite_keys() {
    let e = err(concat!(
        "table! { a (x, y) { x -> Int4, y -> Int4, } }\n",
        "table! { b (id) { id -> Int4, a_x -> Int4, } }\n",
        "joinable!(b -> a (a_x));\n",
        "joinable!(b -> b (missing));\n",
    ));
    let message = e.to_string();
    assert_eq!(problems(&e).len(), 2, "{message}");
    assert!(
        message.contains("table `a`: joinable!: parent table has 2 primary key columns"),
        "{message}"
    );
    assert!(
        message.contains("<string>:4:19: table `b`: joinable!: no column `missing`"),
        "{message}"
    );
}

#[test]
fn unknown_sql_type_names_table_column_and_type() {
    let e = err(
        "diesel::table! {\n    users (id) {\n        id -> Int4,\n        mood -> Nullable<Mood>,\n    }\n}\n",
    );
    let message = e.to_string();
    assert!(
        message.contains(
            "<string>:4:26: table `users`, column `mood`: unknown SQL type `Mood`: not a Diesel SQL type and not declared in a `sql_types` module"
        ),
        "{message}"
    );
}

#[test]
fn every_problem_is_reported() {
    let e = err(concat!(
        "table! { t { id -> Int4, a -> Foo, b -> Bar, #[max_length = \"x\"] c -> Text, } }\n",
        "table! { u (nope) { id -> Int4, } }\n",
        "table! { v { x -> Int4, } }\n",
        "joinable!(w -> t (id));\n",
    ));
    let message = e.to_string();
    assert_eq!(problems(&e).len(), 6, "{message}");
    for needle in [
        "column `a`: unknown SQL type `Foo`",
        "column `b`: unknown SQL type `Bar`",
        "column `c`: `max_length` takes a whole number",
        "table `u`: primary key column `nope` is not a column",
        "table `v`: no primary key listed and no `id` column",
        "unknown child table `w`",
    ] {
        assert!(message.contains(needle), "{needle} in {message}");
    }
}

#[test]
fn schema_validation_problems_are_reported() {
    // A duplicate table name is fine for Rust (different modules) but not
    // for a schema.
    let e = err("mod a { table! { t { id -> Int4, } } }\nmod b { table! { t { id -> Int4, } } }\n");
    let message = e.to_string();
    assert!(
        message.contains("table `t`: declared more than once"),
        "{message}"
    );
}

#[test]
fn a_file_without_tables_is_an_error() {
    let message = err("fn main() {}\n").to_string();
    assert!(message.contains("no `table!` declarations found"), "{message}");
}

#[test]
fn missing_file_is_an_io_error() {
    let e = syda_diesel::schema_from_file("/nonexistent/schema.rs").expect_err("missing");
    assert!(matches!(e, Error::Io { .. }), "{e:?}");
    assert!(e.to_string().starts_with("/nonexistent/schema.rs: "), "{e}");
}
