//! PostgreSQL: catalog queries (pg_catalog) and the COPY loader.

use sqlx::{PgPool, Row as _};

use super::catalog::{DbColumn, DbForeignKey, DbTable, SqlType};
use super::db_error;
use crate::error::Result;

const TABLES: &str = r#"
SELECT c.relname::text AS name, obj_description(c.oid, 'pg_class') AS comment
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition
ORDER BY c.relname"#;

const COLUMNS: &str = r#"
SELECT c.relname::text AS table_name, a.attname::text AS name,
       format_type(a.atttypid, a.atttypmod) AS sql,
       bt.typname::text AS type_name, bt.typtype::text AS type_kind, a.atttypmod AS typmod,
       et.typname::text AS elem_name, et.typtype::text AS elem_kind,
       CASE WHEN bt.typtype = 'e' THEN ARRAY(SELECT e.enumlabel::text FROM pg_enum e WHERE e.enumtypid = bt.oid ORDER BY e.enumsortorder) END AS labels,
       CASE WHEN et.typtype = 'e' THEN ARRAY(SELECT e.enumlabel::text FROM pg_enum e WHERE e.enumtypid = et.oid ORDER BY e.enumsortorder) END AS elem_labels,
       a.attnotnull AS not_null, a.atthasdef AS has_default, a.attidentity::text AS identity,
       coalesce(pg_get_expr(d.adbin, d.adrelid), '') AS default_expr,
       col_description(c.oid, a.attnum) AS comment
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid
JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
LEFT JOIN pg_type et ON et.oid = bt.typelem AND bt.typcategory = 'A'
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY c.relname, a.attnum"#;

const CONSTRAINTS: &str = r#"
SELECT c.relname::text AS table_name, con.contype::text AS kind,
       ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(num, pos)
             JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num ORDER BY k.pos) AS columns,
       fn.nspname::text AS parent_schema, fc.relname::text AS parent,
       ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(num, pos)
             JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num ORDER BY k.pos) AS references,
       pg_get_constraintdef(con.oid) AS definition
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class fc ON fc.oid = con.confrelid
LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
WHERE n.nspname = $1 AND con.contype IN ('p', 'u', 'f', 'c')
ORDER BY c.relname, con.contype, con.conname"#;

/// Unique indexes that are not constraints (plain columns, no predicate).
const UNIQUE_INDEXES: &str = r#"
SELECT c.relname::text AS table_name,
       ARRAY(SELECT a.attname::text FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(num, pos)
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.num ORDER BY k.pos) AS columns
FROM pg_index i
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_class ic ON ic.oid = i.indexrelid
WHERE n.nspname = $1 AND i.indisunique AND NOT i.indisprimary AND i.indpred IS NULL
  AND i.indexprs IS NULL
  AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid)
ORDER BY c.relname, ic.relname"#;

pub(crate) async fn read_catalog(pool: &PgPool, schema: &str) -> Result<Vec<DbTable>> {
    let fail = |what: &str| {
        let context = format!("reading the PostgreSQL catalog ({what}) of schema `{schema}`");
        move |e| db_error(context, e)
    };
    let mut tables: Vec<DbTable> = sqlx::query(TABLES)
        .bind(schema)
        .fetch_all(pool)
        .await
        .map_err(fail("tables"))?
        .into_iter()
        .map(|r| DbTable {
            schema: schema.to_owned(),
            name: r.get("name"),
            comment: r.get("comment"),
            columns: Vec::new(),
            primary_key: Vec::new(),
            unique: Vec::new(),
            foreign_keys: Vec::new(),
            checks: Vec::new(),
        })
        .collect();
    let find = |tables: &mut Vec<DbTable>, name: &str| tables.iter().position(|t| t.name == name);

    for r in sqlx::query(COLUMNS)
        .bind(schema)
        .fetch_all(pool)
        .await
        .map_err(fail("columns"))?
    {
        let Some(t) = find(&mut tables, r.get::<&str, _>("table_name")) else {
            continue;
        };
        let type_name: String = r.get("type_name");
        let type_kind: String = r.get("type_kind");
        let typmod: i32 = r.get("typmod");
        let ty = match r.get::<Option<String>, _>("elem_name") {
            Some(elem) => {
                let kind: Option<String> = r.get("elem_kind");
                let labels: Option<Vec<String>> = r.get("elem_labels");
                SqlType::Array(Box::new(map_type(
                    &elem,
                    kind.as_deref().unwrap_or("b"),
                    -1,
                    labels,
                )))
            }
            None => map_type(&type_name, &type_kind, typmod, r.get("labels")),
        };
        let identity: String = r.get("identity");
        let default_expr: String = r.get("default_expr");
        tables[t].columns.push(DbColumn {
            name: r.get("name"),
            ty,
            sql: r.get("sql"),
            nullable: !r.get::<bool, _>("not_null"),
            has_default: r.get::<bool, _>("has_default") || !identity.is_empty(),
            auto: !identity.is_empty() || default_expr.starts_with("nextval("),
            comment: r.get("comment"),
        });
    }

    for r in sqlx::query(CONSTRAINTS)
        .bind(schema)
        .fetch_all(pool)
        .await
        .map_err(fail("constraints"))?
    {
        let Some(t) = find(&mut tables, r.get::<&str, _>("table_name")) else {
            continue;
        };
        let columns: Vec<String> = r.get("columns");
        let table = &mut tables[t];
        match r.get::<&str, _>("kind") {
            "p" => table.primary_key = columns,
            "u" => table.unique.push(columns),
            "f" => table.foreign_keys.push(DbForeignKey {
                columns,
                schema: r.get::<Option<String>, _>("parent_schema").unwrap_or_default(),
                table: r.get::<Option<String>, _>("parent").unwrap_or_default(),
                references: r.get("references"),
            }),
            _ => table.checks.push(r.get("definition")),
        }
    }

    for r in sqlx::query(UNIQUE_INDEXES)
        .bind(schema)
        .fetch_all(pool)
        .await
        .map_err(fail("unique indexes"))?
    {
        if let Some(t) = find(&mut tables, r.get::<&str, _>("table_name")) {
            let columns: Vec<String> = r.get("columns");
            if !columns.is_empty() && !tables[t].unique.contains(&columns) {
                tables[t].unique.push(columns);
            }
        }
    }
    Ok(tables)
}

fn map_type(name: &str, kind: &str, typmod: i32, labels: Option<Vec<String>>) -> SqlType {
    if kind == "e" {
        return SqlType::Enum(labels.unwrap_or_default());
    }
    let modifier = (typmod >= 4).then(|| (typmod - 4) as u32);
    match name {
        "int2" => SqlType::SmallInt { unsigned: false },
        "int4" | "oid" => SqlType::Int { unsigned: false },
        "int8" => SqlType::BigInt,
        "bool" => SqlType::Bool,
        "float4" | "float8" => SqlType::Float,
        "numeric" | "money" => SqlType::Decimal {
            precision: modifier.map(|m| (m >> 16) & 0xffff),
            scale: modifier.map(|m| m & 0xffff),
        },
        "varchar" | "bpchar" => SqlType::Text { max: modifier },
        "text" | "name" | "citext" => SqlType::Text { max: None },
        "date" => SqlType::Date,
        "time" | "timetz" => SqlType::Time,
        "timestamp" | "timestamptz" => SqlType::Timestamp,
        "uuid" => SqlType::Uuid,
        "json" | "jsonb" => SqlType::Json,
        "bytea" => SqlType::Bytes,
        other => SqlType::Other(other.to_owned()),
    }
}
