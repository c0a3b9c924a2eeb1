//! Small reading behaviours not covered by the fixtures.

use syda::DataType;

fn read(text: &str) -> syda::Schema {
    syda_diesel::schema_from_str(text).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn doc_before_use_statements_and_raw_identifiers() {
    let schema = read(
        "table! {\n    /// Orders placed.\n    use diesel::sql_types::*;\n    #[sql_name = \"order\"]\n    r#order (r#ref) {\n        r#ref -> Int4,\n    }\n}\n",
    );
    let table = schema.table("order").expect("order");
    assert_eq!(table.doc.as_deref(), Some("Orders placed."));
    let pk: Vec<&str> = table.primary_key().map(|c| c.name.as_ref()).collect();
    assert_eq!(pk, ["ref"]);
}

#[test]
fn block_doc_comments_and_blank_doc_lines() {
    let schema = read(
        "table! {\n    /** Line one.\n     Line two. */\n    t {\n        ///\n        id -> Int4,\n        ///  indented\n        x -> Int4,\n    }\n}\n",
    );
    let t = schema.table("t").expect("t");
    assert_eq!(t.doc.as_deref(), Some("Line one.\n    Line two."));
    assert_eq!(t.column("id").and_then(|c| c.doc.as_deref()), None);
    assert_eq!(t.column("x").and_then(|c| c.doc.as_deref()), Some("indented"));
}

#[test]
fn macros_other_than_table_and_joinable_are_ignored() {
    let schema = read(
        "macro_rules! m { () => {} }\nm!();\ntable! { t { id -> Int4, } }\nallow_tables_to_appear_in_same_query!(t,);\nfn f() { table! { ignored { id -> Int4, } } }\n",
    );
    assert_eq!(schema.tables.len(), 1);
    assert_eq!(
        schema.table("t").and_then(|t| t.column("id")).map(|c| c.ty),
        Some(DataType::Integer)
    );
}

#[test]
fn a_column_joined_to_two_tables_takes_the_first_join() {
    // A polymorphic owner column, as real schema.rs files have it.
    let schema = read(concat!(
        "table! { posts { id -> Int4, } }\n",
        "table! { photos { id -> Int4, } }\n",
        "table! { comments { id -> Int4, owner_id -> Int4, } }\n",
        "joinable!(comments -> posts (owner_id));\n",
        "joinable!(comments -> photos (owner_id));\n",
        "allow_tables_to_appear_in_same_query!(posts, photos, comments);\n",
    ));
    let owner = schema.table("comments").unwrap().column("owner_id").unwrap();
    let fk = owner.foreign_key.as_ref().expect("a foreign key");
    assert_eq!((fk.table.as_ref(), fk.column.as_ref()), ("posts", "id"));
}
