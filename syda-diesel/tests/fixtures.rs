//! Realistic `schema.rs` files read into schemas, compared with snapshots of
//! `Schema::to_yaml()`.

use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn yaml(name: &str) -> String {
    match syda_diesel::schema_from_file(fixture(name)) {
        Ok(schema) => {
            let yaml = schema.to_yaml();
            // The YAML loads back into an equal schema.
            let back = syda::Schema::from_yaml_str(&yaml).expect("the YAML loads back");
            assert_eq!(back, schema, "{name}: YAML round trip");
            yaml
        }
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn postgres_blog() {
    insta::assert_snapshot!(yaml("pg_blog.rs"));
}

#[test]
fn mysql_shop() {
    insta::assert_snapshot!(yaml("mysql_shop.rs"));
}

#[test]
fn postgres_custom_enums() {
    insta::assert_snapshot!(yaml("pg_enums.rs"));
}

#[test]
fn plain_tables_sql_names_and_nested_modules() {
    insta::assert_snapshot!(yaml("plain.rs"));
}

#[test]
fn sql_names_with_joinable() {
    insta::assert_snapshot!(yaml("renamed.rs"));
}
