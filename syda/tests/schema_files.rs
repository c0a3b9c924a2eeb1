//! Loading schema files: the three shapes, round trips and error reports.

use syda::{DataType, Error, Schema};

fn examples() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/schemas")
}

#[test]
fn crm_example_loads_with_foreign_keys_and_docs() {
    let schema = Schema::from_path(examples().join("crm.yaml")).expect("crm.yaml is valid");
    let names: Vec<_> = schema.tables.iter().map(|t| t.name.as_ref()).collect();
    assert_eq!(
        names,
        ["customers", "contacts", "products", "orders", "order_items"]
    );
    let items = schema.table("order_items").unwrap();
    let product = items.column("product_id").unwrap();
    assert_eq!(product.foreign_key.as_ref().unwrap().to_string(), "products.id");
    assert!(
        schema
            .table("customers")
            .unwrap()
            .doc
            .as_deref()
            .unwrap()
            .starts_with("Organization or individual")
    );
}

#[test]
fn seed_flat_map_form_loads_types_and_kinds() {
    let schema = Schema::from_path(examples().join("patients.yaml")).unwrap();
    let table = &schema.tables[0];
    assert_eq!(table.name, "patients", "named after the file stem");
    let col = |n: &str| table.column(n).unwrap();
    assert_eq!(col("patient_id").ty, DataType::Integer);
    assert_eq!(
        (col("diagnosis_code").ty, col("diagnosis_code").kind.as_deref()),
        (DataType::Text, Some("icd10_code"))
    );
    assert_eq!(col("email").kind.as_deref(), Some("email"));
    assert_eq!(col("visit_date").ty, DataType::Date);
    assert_eq!(col("notes").ty, DataType::Text);
}

#[test]
fn seed_foreign_key_type_finds_its_parent_by_name() {
    let schema = Schema::from_yaml_str(
        "tables:\n  departments:\n    columns:\n      id: { type: integer, primary_key: true }\n  employees:\n    columns:\n      department_id: foreign_key\n  categories:\n    columns:\n      code: { type: integer, primary_key: true }\n  products:\n    columns:\n      category_id: foreign_key\n",
    )
    .unwrap();
    let fk = |t: &str, c: &str| {
        schema
            .table(t)
            .unwrap()
            .column(c)
            .unwrap()
            .foreign_key
            .as_ref()
            .unwrap()
            .to_string()
    };
    assert_eq!(fk("employees", "department_id"), "departments.id");
    assert_eq!(fk("products", "category_id"), "categories.code");
}

#[test]
fn single_table_file_uses_its_name_key() {
    let schema =
        Schema::from_yaml_str("name: books\ndoc: A book.\ncolumns:\n  isbn: { kind: isbn, unique: true }\n")
            .unwrap();
    assert_eq!(schema.tables[0].name, "books");
    assert_eq!(schema.tables[0].column("isbn").unwrap().ty, DataType::Text);
}

#[test]
fn json_schemas_load_like_yaml() {
    let yaml = Schema::from_path(examples().join("crm.yaml")).unwrap();
    let json = serde_json::to_string(&yaml).unwrap();
    assert_eq!(Schema::from_json_str(&json).unwrap(), yaml);
}

#[test]
fn yaml_round_trip_keeps_every_detail() {
    let text = r#"
tables:
  people:
    doc: A person.
    columns:
      id: { type: uuid, primary_key: true }
      email: { type: text, kind: email, unique: true, max_length: 80, doc: Work address }
      boss: { type: uuid, nullable: true, foreign_key: people.id }
      age: { type: integer, range: [18, 99] }
      score: { type: float, range: { min: 0.5, max: 9.5 } }
      born: { type: date, range: ["1950-01-01", "2005-12-31"] }
      status: { type: text, one_of: [Active, Inactive] }
      badge: { type: text, pattern: "EMP-[0-9]{5}", generator: badge }
  memberships:
    columns:
      person_id: { type: uuid, foreign_key: people.id }
      club: text
      since: datetime
    primary_key: [person_id, club]
    unique: [[club, since]]
  notes:
    columns:
      person_id: uuid
      club: text
    foreign_keys:
      - { columns: [person_id, club], references: { table: memberships, columns: [person_id, club] } }
"#;
    let schema = Schema::from_yaml_str(text).unwrap();
    let again = Schema::from_yaml_str(&schema.to_yaml()).unwrap();
    assert_eq!(again, schema);
    let members = again.table("memberships").unwrap();
    assert_eq!(
        members.primary_key().map(|c| c.name.as_ref()).collect::<Vec<_>>(),
        ["person_id", "club"]
    );
}

#[test]
fn every_mistake_is_reported_at_once_with_file_table_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.yaml");
    std::fs::write(
        &path,
        r#"
tables:
  employees:
    columns:
      id: { type: integer, primary_key: true }
      email: { type: emial, unique: yes }
      dept_id: { type: integer, foreign_key: departmnts.id }
      badge: { type: text, pattern: "EMP-[0-9{5}" }
      status: { type: text, one_of: [] }
      salary: { type: float, range: [100, 10] }
      colour: { type: text, max_len: 3 }
"#,
    )
    .unwrap();
    let err = Schema::from_path(&path).unwrap_err();
    let Error::InvalidSchema { origin, problems } = &err else {
        panic!("{err}")
    };
    assert!(origin.ends_with("bad.yaml"));
    let text = err.to_string();
    for expected in [
        "table `employees`, column `email`: unknown type `emial`",
        "table `employees`, column `email`: `unique` must be true or false",
        "table `employees`, column `dept_id`: foreign key to `departmnts.id`: table `departmnts` does not exist",
        "table `employees`, column `badge`: `pattern` \"EMP-[0-9{5}\" is not a valid regular expression",
        "table `employees`, column `status`: `one_of` is empty",
        "table `employees`, column `salary`: `range` minimum 100 is greater than maximum 10",
        "table `employees`, column `colour`: unknown key `max_len`",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    assert_eq!(problems.len(), 7, "{text}");
}

#[test]
fn duplicate_columns_are_rejected() {
    let err =
        Schema::from_yaml_str("tables:\n  t:\n    columns:\n      a: text\n      a: integer\n").unwrap_err();
    assert!(err.to_string().contains("duplicate"), "{err}");
}

#[test]
fn required_foreign_key_cycle_is_accepted() {
    let text = "tables:\n  a:\n    columns:\n      id: { type: integer, primary_key: true }\n      b_id: { type: integer, foreign_key: b.id }\n  b:\n    columns:\n      id: { type: integer, primary_key: true }\n      a_id: { type: integer, foreign_key: a.id }\n";
    let schema = Schema::from_yaml_str(text).expect("the planner breaks a required cycle");
    assert!(!schema.table("a").unwrap().column("b_id").unwrap().nullable);
}

#[test]
fn self_reference_must_be_nullable() {
    let err = Schema::from_yaml_str("tables:\n  e:\n    columns:\n      id: { type: integer, primary_key: true }\n      boss: { type: integer, foreign_key: e.id }\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("e.boss → e"), "{err}");
}

#[test]
fn parse_errors_name_the_origin_and_line() {
    let err = Schema::from_yaml_str("tables: [unclosed")
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("<yaml>: not a valid schema file"), "{err}");
    assert!(err.contains("line"), "{err}");
}

#[test]
fn schemas_beyond_the_size_limits_are_refused_with_the_limit_named() {
    let mut yaml = String::from("tables:\n");
    for t in 0..=syda::schema::MAX_TABLES {
        yaml.push_str(&format!("  t{t}: {{ columns: {{ id: integer }} }}\n"));
    }
    let err = Schema::from_yaml_str(&yaml).unwrap_err().to_string();
    assert!(
        err.contains("10001 tables; a schema may have at most 10000"),
        "{err}"
    );

    let columns: Vec<String> = (0..=syda::schema::MAX_COLUMNS)
        .map(|c| format!("c{c}: integer"))
        .collect();
    let yaml = format!("tables:\n  wide:\n    columns: {{ {} }}\n", columns.join(", "));
    let err = Schema::from_yaml_str(&yaml).unwrap_err().to_string();
    assert!(err.contains("table `wide`"), "{err}");
    assert!(err.contains("10001 columns"), "{err}");
}

/// A file that is not YAML at all: the error names the origin and keeps
/// the parser's own error, with its position, for callers that inspect it.
#[test]
fn a_broken_schema_file_keeps_the_parsers_error() {
    let err = syda::Schema::parse("tables:\n  users: [unclosed\n", "shop.yaml", "table").unwrap_err();
    assert!(matches!(err, syda::Error::Parse { .. }), "{err:?}");
    assert!(
        err.to_string().starts_with("shop.yaml: not a valid schema file"),
        "{err}"
    );
    let yaml = err
        .get_ref()
        .and_then(|e| e.downcast_ref::<serde_yaml_ng::Error>())
        .expect("the YAML parser's error");
    assert!(yaml.location().is_some_and(|l| l.line() >= 2), "{yaml:?}");
}
