//! Schemas users of the Python syda already have: a directory with one
//! table file per table, read as-is, then generated and checked.

use syda::engine::OfflineEngine;
use syda::plan::Planner;
use syda::{DataType, Schema};

const INVENTORY: &str = "tests/fixtures/sydapy/inventory";

#[test]
fn a_syda_py_directory_loads_with_every_foreign_key_form_resolved() {
    let loaded = Schema::load(INVENTORY).expect("the directory loads");
    let schema = &loaded.schema;
    let names: Vec<&str> = schema.tables.iter().map(|t| t.name.as_ref()).collect();
    assert_eq!(names, ["categories", "inventory", "product", "supplier"]);
    let fk = |table: &str, column: &str| {
        schema
            .table(table)
            .and_then(|t| t.column(column))
            .and_then(|c| c.foreign_key.as_ref())
            .map(ToString::to_string)
    };
    // `references: {schema: Category}` → the file `category.yml` named `categories`.
    assert_eq!(fk("product", "category_id").as_deref(), Some("categories.id"));
    // `__foreign_keys__: {supplier_id: [Supplier, id]}`.
    assert_eq!(fk("product", "supplier_id").as_deref(), Some("supplier.id"));
    // `product_id: foreign_key`, found from the name.
    assert_eq!(fk("inventory", "product_id").as_deref(), Some("product.id"));

    let product = schema.table("product").expect("product");
    assert_eq!(
        product.doc.as_deref(),
        Some("Products in the inventory management system")
    );
    let price = product.column("price").expect("price");
    assert_eq!(price.ty, DataType::Float);
    assert!(price.range.is_some());
    let category = schema.table("categories").expect("categories");
    let name = category.column("name").expect("flat constraints");
    assert!(name.unique);
    assert_eq!(name.max_length, Some(100));
    let supplier = schema.table("supplier").expect("supplier");
    assert_eq!(
        supplier.column("email").and_then(|c| c.kind.as_deref()),
        Some("email")
    );
    assert_eq!(
        supplier
            .column("payment_terms")
            .and_then(|c| c.one_of.as_ref())
            .map(|v| v.len()),
        Some(5)
    );
    assert!(
        schema
            .table("inventory")
            .and_then(|t| t.column("last_checked"))
            .is_some_and(|c| c.nullable)
    );

    let notes: Vec<String> = loaded.notes.iter().map(ToString::to_string).collect();
    assert!(
        notes
            .iter()
            .any(|n| n.contains("table `inventory`") && n.contains("`__template__`")),
        "{notes:#?}"
    );
    assert!(notes.iter().any(|n| n.contains("`min_length`")), "{notes:#?}");
    assert!(
        notes
            .iter()
            .any(|n| n.contains("column `location`") && n.contains("format")),
        "{notes:#?}"
    );
}

#[test]
fn the_converted_schema_is_the_golden_syda_yaml_and_reads_back_equal() {
    let schema = Schema::from_path(INVENTORY).expect("loads");
    let yaml = schema.to_yaml();
    insta::assert_snapshot!("sydapy_inventory_as_syda_yaml", yaml);
    assert_eq!(Schema::from_yaml_str(&yaml).expect("the YAML reads back"), schema);
}

#[test]
fn a_syda_py_directory_generates_related_rows_that_pass_the_check() {
    let schema = Schema::from_path(INVENTORY).expect("loads");
    let data = Planner::new(&schema)
        .sizes([
            ("supplier", 10),
            ("categories", 8),
            ("product", 40),
            ("inventory", 120),
        ])
        .generate(&OfflineEngine::new().with_seed(5))
        .expect("generates");
    let report = syda::check::check(&data);
    assert!(report.is_clean(), "{report}");
}

#[test]
fn a_broken_directory_names_each_file_table_and_column() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("a.yml"),
        "__table_name__: shared\nid: { type: integer, colour: red }\n",
    )
    .expect("write");
    std::fs::write(dir.path().join("b.yml"), "__table_name__: shared\nid: integer\nref: { type: foreign_key, references: { schema: Nowhere, field: id } }\n").expect("write");
    std::fs::write(dir.path().join("notes.txt"), "not a schema").expect("write");
    std::fs::write(dir.path().join("c.yml"), "__depends_on__: [Ghost]\nid: integer\n").expect("write");
    let err = Schema::from_path(dir.path()).expect_err("invalid").to_string();
    assert!(
        err.contains("table `shared`, column `id`: unknown field key `colour`"),
        "{err}"
    );
    assert!(
        err.contains("table `shared`: defined twice, in a.yml and in b.yml"),
        "{err}"
    );
    assert!(err.contains("table `c`: `__depends_on__` names `Ghost`"), "{err}");

    let empty = tempfile::tempdir().expect("temp dir");
    let err = Schema::from_path(empty.path()).expect_err("no files").to_string();
    assert!(err.contains("no schema files"), "{err}");
}
