//! What `syda_seaorm::table` reads from SeaORM entities: every column type
//! the mapping covers, keys, relations, nullability, uniqueness, enums,
//! comments, and the docs and hints users add.

use syda::{DataType, Literal, Range, Reference};

#[path = "fixtures/everything.rs"]
mod everything;

#[path = "fixtures/staff.rs"]
mod staff;
use staff::{employee, tenant};

fn int_range(min: i64, max: i64) -> Option<Range> {
    Some(Range {
        min: Literal::Int(min),
        max: Literal::Int(max),
    })
}

#[test]
fn every_column_type_maps_to_a_syda_type_with_the_bounds_it_implies() {
    let table = syda_seaorm::table::<everything::Entity>();
    let expected: &[(&str, DataType, Option<u32>, Option<Range>)] = &[
        ("id", DataType::Integer, None, None),
        ("tiny", DataType::Integer, None, int_range(0, 127)),
        ("small", DataType::Integer, None, int_range(0, 32_767)),
        ("int", DataType::Integer, None, None),
        ("big", DataType::Integer, None, None),
        ("tiny_unsigned", DataType::Integer, None, int_range(0, 255)),
        ("small_unsigned", DataType::Integer, None, int_range(0, 65_535)),
        ("unsigned", DataType::Integer, None, None),
        ("big_unsigned", DataType::Integer, None, None),
        ("float", DataType::Float, None, None),
        ("double", DataType::Float, None, None),
        ("string", DataType::Text, Some(255), None),
        ("varchar", DataType::Text, Some(20), None),
        ("text", DataType::Text, None, None),
        ("code", DataType::Text, Some(3), None),
        ("flag", DataType::Boolean, None, None),
        ("bytes", DataType::Text, None, None),
        ("json", DataType::Json, None, None),
        ("jsonb", DataType::Json, None, None),
        ("date", DataType::Date, None, None),
        ("time", DataType::Time, None, None),
        ("datetime", DataType::DateTime, None, None),
        ("datetime_utc", DataType::DateTime, None, None),
        ("datetime_local", DataType::DateTime, None, None),
        ("datetime_tz", DataType::DateTime, None, None),
        ("uuid", DataType::Uuid, None, None),
        ("decimal", DataType::Decimal, None, None),
        (
            "small_decimal",
            DataType::Decimal,
            None,
            Some(Range {
                min: Literal::Int(0),
                max: Literal::Float(999.0),
            }),
        ),
        ("money", DataType::Decimal, None, None),
        // Named `year`: the inferred kind's range (1970–2025, inside YEAR's
        // 1901–2155) stands instead of the type's.
        ("year", DataType::Integer, None, None),
        ("mood", DataType::Text, None, None),
        ("size", DataType::Text, Some(8), None),
        ("rank", DataType::Integer, None, None),
    ];
    let names: Vec<&str> = table.columns.iter().map(|c| c.name.as_ref()).collect();
    let expected_names: Vec<&str> = expected.iter().map(|e| e.0).collect();
    assert_eq!(names, expected_names, "columns in declaration order");
    for (name, ty, max_length, range) in expected {
        let col = table.column(name).unwrap();
        assert_eq!(
            (col.ty, col.max_length, &col.range),
            (*ty, *max_length, range),
            "column {name}"
        );
        assert!(!col.nullable, "{name} is not an Option");
    }
    // Types syda has no exact equivalent for keep their SQL type in the doc.
    let bytes = table.column("bytes").unwrap();
    assert!(
        bytes.doc.as_deref().is_some_and(|d| d.starts_with("SQL type:")),
        "{bytes:?}"
    );
}

#[test]
fn table_comment_becomes_the_table_doc() {
    let table = syda_seaorm::table::<everything::Entity>();
    assert_eq!(table.name, "everything");
    assert_eq!(table.doc.as_deref(), Some("One of each"));
}

#[test]
fn database_enums_become_one_of_their_variants() {
    let table = syda_seaorm::table::<everything::Entity>();
    let mood = table.column("mood").unwrap();
    assert_eq!(
        mood.one_of.as_deref(),
        Some(&[Literal::Text("happy".into()), Literal::Text("grumpy".into())][..])
    );
    // String- and integer-backed enums look like plain columns to SeaORM…
    assert!(table.column("size").unwrap().one_of.is_none());
    assert!(table.column("rank").unwrap().one_of.is_none());
}

#[test]
fn active_enum_names_the_values_of_string_and_integer_enums() {
    let described = syda_seaorm::describe::<everything::Entity>()
        .active_enum::<everything::Size>(everything::Column::Size)
        .active_enum::<everything::Rank>(everything::Column::Rank);
    let table = described.table();
    assert_eq!(
        table.column("size").unwrap().one_of.as_deref(),
        Some(&[Literal::Text("S".into()), Literal::Text("L".into())][..])
    );
    assert_eq!(
        table.column("rank").unwrap().one_of.as_deref(),
        Some(&[Literal::Int(1), Literal::Int(2), Literal::Int(3)][..])
    );
}

#[test]
fn composite_primary_keys_flag_every_key_column() {
    let table = syda_seaorm::table::<tenant::Entity>();
    let key: Vec<&str> = table.primary_key().map(|c| c.name.as_ref()).collect();
    assert_eq!(key, ["region", "number"]);
    assert!(!table.column("name").unwrap().primary_key);
}

#[test]
fn unique_columns_and_composite_unique_keys_are_read() {
    assert!(
        syda_seaorm::table::<tenant::Entity>()
            .column("name")
            .unwrap()
            .unique
    );
    let employee = syda_seaorm::table::<employee::Entity>();
    assert!(!employee.column("badge_prefix").unwrap().unique);
    let keys: Vec<Vec<&str>> = employee
        .unique
        .iter()
        .map(|k| k.iter().map(|c| c.as_ref()).collect())
        .collect();
    assert_eq!(keys, [["badge_prefix", "badge_number"]]);
}

#[test]
fn option_fields_are_nullable_and_the_rest_are_not() {
    let table = syda_seaorm::table::<employee::Entity>();
    for (name, nullable) in [
        ("id", false),
        ("tenant_region", false),
        ("manager_id", true),
        ("email", true),
        ("hired_on", true),
    ] {
        assert_eq!(table.column(name).unwrap().nullable, nullable, "{name}");
    }
}

#[test]
fn self_referencing_relation_is_a_foreign_key_to_the_same_table() {
    let table = syda_seaorm::table::<employee::Entity>();
    assert_eq!(
        table.column("manager_id").unwrap().foreign_key,
        Some(Reference {
            table: "employee".into(),
            column: "id".into()
        })
    );
}

#[test]
fn composite_relation_is_a_composite_foreign_key() {
    let table = syda_seaorm::table::<employee::Entity>();
    let fks = table.all_foreign_keys();
    let tenant = fks.iter().find(|fk| fk.table == "tenant").unwrap();
    assert_eq!(tenant.columns.as_ref(), ["tenant_region", "tenant_number"]);
    assert_eq!(tenant.references.as_ref(), ["region", "number"]);
    assert!(table.column("tenant_region").unwrap().foreign_key.is_none());
}

#[test]
fn has_many_relations_are_not_foreign_keys_of_the_parent() {
    let tenant = syda_seaorm::table::<tenant::Entity>();
    assert!(tenant.all_foreign_keys().is_empty());
}

#[test]
fn column_comments_become_docs_without_renamed_from() {
    let table = syda_seaorm::table::<employee::Entity>();
    assert_eq!(table.column("email").unwrap().doc.as_deref(), Some("Work e-mail"));
    assert_eq!(
        syda_seaorm::table::<tenant::Entity>()
            .column("name")
            .unwrap()
            .doc
            .as_deref(),
        Some("Name shown on invoices")
    );
    assert!(table.column("hired_on").unwrap().doc.is_none());
}

#[test]
fn describe_adds_docs_kinds_and_constraints() {
    let table = syda_seaorm::describe::<employee::Entity>()
        .doc("A person on a tenant's payroll")
        .column_doc(employee::Column::BadgePrefix, "Letters printed on the badge")
        .kind(employee::Column::Email, "email")
        .one_of(employee::Column::BadgePrefix, ["AB", "CD"])
        .range(
            employee::Column::BadgeNumber,
            Literal::Int(100),
            Literal::Int(999),
        )
        .generator(employee::Column::TenantRegion, "region")
        .into_table();
    assert_eq!(table.doc.as_deref(), Some("A person on a tenant's payroll"));
    let prefix = table.column("badge_prefix").unwrap();
    assert_eq!(prefix.doc.as_deref(), Some("Letters printed on the badge"));
    assert_eq!(prefix.one_of.as_ref().map(|v| v.len()), Some(2));
    assert_eq!(table.column("email").unwrap().kind.as_deref(), Some("email"));
    assert_eq!(table.column("badge_number").unwrap().range, int_range(100, 999));
    assert_eq!(
        table.column("tenant_region").unwrap().generator.as_deref(),
        Some("region")
    );
}

#[test]
fn a_kind_replaces_a_range_that_only_came_from_the_sql_type() {
    let plain = syda_seaorm::table::<everything::Entity>();
    assert_eq!(plain.column("small").unwrap().range, int_range(0, 32_767));
    let described = syda_seaorm::describe::<everything::Entity>()
        .kind(everything::Column::Small, "age")
        .into_table();
    assert_eq!(described.column("small").unwrap().range, None);
}

mod note {
    //! A model that is both a SeaORM entity and `#[derive(Synthetic)]`.
    use sea_orm::entity::prelude::*;

    /// A note pinned to the fridge.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Deserialize, syda::Synthetic)]
    #[sea_orm(table_name = "note")]
    #[synthetic(table = "note")]
    pub(crate) struct Model {
        #[sea_orm(primary_key)]
        #[synthetic(primary_key)]
        pub id: i32,
        /// Who wrote the note
        #[synthetic(kind = "email")]
        pub author: String,
        /// How urgent: low, high
        #[synthetic(one_of = ["low", "high"])]
        pub urgency: String,
        #[sea_orm(comment = "The text of the note")]
        pub body: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub(crate) enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

#[test]
fn a_synthetic_derive_on_the_model_adds_docs_and_hints() {
    let table = syda_seaorm::describe::<note::Entity>()
        .synthetic::<note::Model>()
        .into_table();
    assert_eq!(table.doc.as_deref(), Some("A note pinned to the fridge."));
    let author = table.column("author").unwrap();
    assert_eq!(author.doc.as_deref(), Some("Who wrote the note"));
    assert_eq!(author.kind.as_deref(), Some("email"));
    assert_eq!(
        table.column("urgency").unwrap().one_of.as_deref(),
        Some(&[Literal::Text("low".into()), Literal::Text("high".into())][..])
    );
    // SeaORM stays the authority on the database: its comment and nullability.
    let body = table.column("body").unwrap();
    assert_eq!(body.doc.as_deref(), Some("The text of the note"));
    assert!(body.nullable);
}

#[test]
fn a_foreign_key_to_an_entity_that_was_not_added_is_reported() {
    let entities = syda_seaorm::Entities::new().add::<employee::Entity>();
    let err = entities.schema().unwrap_err().to_string();
    assert!(err.contains("employee") && err.contains("tenant"), "{err}");
}

#[test]
fn an_entity_added_twice_is_reported() {
    let entities = syda_seaorm::Entities::new()
        .add::<tenant::Entity>()
        .add::<tenant::Entity>();
    let err = entities.schema().unwrap_err().to_string();
    assert!(err.contains("`tenant` was added twice"), "{err}");
}

#[test]
fn seaorm_comments_reach_the_prompt_description() {
    let prompt = syda_seaorm::describe::<tenant::Entity>()
        .doc("A customer organisation")
        .into_table()
        .describe();
    assert!(
        prompt.starts_with("Model Description: A customer organisation"),
        "{prompt}"
    );
    assert!(
        prompt.contains("- name: text (unique, not_null, max_length=255) - Name shown on invoices"),
        "{prompt}"
    );
}
