//! MySQL / MariaDB: information_schema queries.

use sqlx::{MySqlPool, Row as _};

use super::catalog::{self, DbColumn, DbForeignKey, DbTable, SqlType};
use super::db_error;
use crate::error::Result;

// Every column is CAST: information_schema column types differ between
// MySQL and MariaDB versions (and sqlx decodes strictly).
const TABLES: &str = "
SELECT CAST(TABLE_NAME AS CHAR) AS name, CAST(TABLE_COMMENT AS CHAR) AS comment
FROM information_schema.TABLES
WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE'
ORDER BY TABLE_NAME";

const COLUMNS: &str = "
SELECT CAST(TABLE_NAME AS CHAR) AS table_name, CAST(COLUMN_NAME AS CHAR) AS name,
       CAST(DATA_TYPE AS CHAR) AS data_type, CAST(COLUMN_TYPE AS CHAR) AS column_type,
       CAST(IS_NULLABLE AS CHAR) AS is_nullable, CAST(COLUMN_DEFAULT AS CHAR) AS column_default,
       CAST(EXTRA AS CHAR) AS extra,
       CAST(CHARACTER_MAXIMUM_LENGTH AS SIGNED) AS max_length,
       CAST(NUMERIC_PRECISION AS SIGNED) AS num_precision, CAST(NUMERIC_SCALE AS SIGNED) AS num_scale,
       CAST(COLUMN_COMMENT AS CHAR) AS comment
FROM information_schema.COLUMNS
WHERE TABLE_SCHEMA = ?
ORDER BY TABLE_NAME, ORDINAL_POSITION";

const KEYS: &str = "
SELECT CAST(tc.TABLE_NAME AS CHAR) AS table_name, CAST(tc.CONSTRAINT_NAME AS CHAR) AS constraint_name,
       CAST(tc.CONSTRAINT_TYPE AS CHAR) AS kind, CAST(k.COLUMN_NAME AS CHAR) AS column_name,
       CAST(k.REFERENCED_TABLE_SCHEMA AS CHAR) AS parent_schema,
       CAST(k.REFERENCED_TABLE_NAME AS CHAR) AS parent,
       CAST(k.REFERENCED_COLUMN_NAME AS CHAR) AS parent_column
FROM information_schema.TABLE_CONSTRAINTS tc
JOIN information_schema.KEY_COLUMN_USAGE k
  ON k.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA AND k.TABLE_NAME = tc.TABLE_NAME
 AND k.CONSTRAINT_NAME = tc.CONSTRAINT_NAME
WHERE tc.TABLE_SCHEMA = ? AND tc.CONSTRAINT_TYPE IN ('PRIMARY KEY', 'UNIQUE', 'FOREIGN KEY')
ORDER BY tc.TABLE_NAME, tc.CONSTRAINT_TYPE, tc.CONSTRAINT_NAME, k.ORDINAL_POSITION";

// MariaDB names CHECK constraints per table (CHECK_CONSTRAINTS has a
// TABLE_NAME); MySQL per schema (it has none).
const CHECKS_MARIADB: &str = "
SELECT CAST(TABLE_NAME AS CHAR) AS table_name, CAST(CHECK_CLAUSE AS CHAR) AS clause
FROM information_schema.CHECK_CONSTRAINTS
WHERE CONSTRAINT_SCHEMA = ?
ORDER BY TABLE_NAME, CONSTRAINT_NAME";

const CHECKS_MYSQL: &str = "
SELECT CAST(tc.TABLE_NAME AS CHAR) AS table_name, CAST(cc.CHECK_CLAUSE AS CHAR) AS clause
FROM information_schema.TABLE_CONSTRAINTS tc
JOIN information_schema.CHECK_CONSTRAINTS cc
  ON cc.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA AND cc.CONSTRAINT_NAME = tc.CONSTRAINT_NAME
WHERE tc.TABLE_SCHEMA = ? AND tc.CONSTRAINT_TYPE = 'CHECK'
ORDER BY tc.TABLE_NAME, tc.CONSTRAINT_NAME";

const TRIGGERS: &str = "
SELECT CAST(EVENT_OBJECT_TABLE AS CHAR) AS table_name, CAST(TRIGGER_NAME AS CHAR) AS trigger_name,
       CAST(ACTION_TIMING AS CHAR) AS timing, CAST(ACTION_STATEMENT AS CHAR) AS source
FROM information_schema.TRIGGERS
WHERE TRIGGER_SCHEMA = ? AND EVENT_MANIPULATION = 'INSERT'
ORDER BY EVENT_OBJECT_TABLE, TRIGGER_NAME";

/// Whether the server is MariaDB.
pub(crate) async fn is_mariadb(pool: &MySqlPool) -> Result<bool> {
    let version: String = sqlx::query_scalar("SELECT CAST(VERSION() AS CHAR)")
        .fetch_one(pool)
        .await
        .map_err(|e| db_error("reading the server version", e))?;
    Ok(version.to_ascii_lowercase().contains("mariadb"))
}

/// The database `schema` names, or the connection's current one.
pub(crate) async fn current_schema(pool: &MySqlPool, schema: Option<&str>) -> Result<String> {
    if let Some(s) = schema {
        return Ok(s.to_owned());
    }
    let current: Option<String> = sqlx::query_scalar("SELECT CAST(DATABASE() AS CHAR)")
        .fetch_one(pool)
        .await
        .map_err(|e| db_error("reading the current database", e))?;
    current.ok_or_else(|| crate::error::Error::Database {
        source: None,
        context: "reading the MySQL catalog".to_owned(),
        message: "the URL names no database; add one (mysql://host/db) or pass a schema".to_owned(),
    })
}

pub(crate) async fn read_catalog(pool: &MySqlPool, schema: Option<&str>) -> Result<Vec<DbTable>> {
    let schema = current_schema(pool, schema).await?;
    let fail = |what: &str| {
        let context = format!("reading the MySQL catalog ({what}) of database `{schema}`");
        move |e| db_error(context, e)
    };
    let mut tables: Vec<DbTable> = sqlx::query(TABLES)
        .bind(&schema)
        .fetch_all(pool)
        .await
        .map_err(fail("tables"))?
        .into_iter()
        .map(|r| DbTable {
            schema: schema.clone(),
            name: r.get("name"),
            comment: r.get::<Option<String>, _>("comment").filter(|c| !c.is_empty()),
            columns: Vec::new(),
            primary_key: Vec::new(),
            unique: Vec::new(),
            foreign_keys: Vec::new(),
            checks: Vec::new(),
            patterns: Vec::new(),
            filled_by_trigger: None,
            trigger_targets: Vec::new(),
        })
        .collect();
    let find = |tables: &Vec<DbTable>, name: &str| tables.iter().position(|t| t.name == name);

    for r in sqlx::query(COLUMNS)
        .bind(&schema)
        .fetch_all(pool)
        .await
        .map_err(fail("columns"))?
    {
        let Some(t) = find(&tables, r.get::<&str, _>("table_name")) else {
            continue;
        };
        let data_type: String = r.get("data_type");
        let column_type: String = r.get("column_type");
        let extra: String = r.get::<Option<String>, _>("extra").unwrap_or_default();
        let default: Option<String> = r.get("column_default");
        let nullable = r.get::<&str, _>("is_nullable") == "YES";
        let ty = map_type(
            &data_type,
            &column_type,
            r.get("max_length"),
            r.get("num_precision"),
            r.get("num_scale"),
        );
        let extra = extra.to_ascii_lowercase();
        let auto = extra.contains("auto_increment");
        let generated = extra.contains("generated") || extra.contains("persistent");
        tables[t].columns.push(DbColumn {
            name: r.get("name"),
            ty,
            sql: column_type,
            nullable,
            // MariaDB reports a nullable column without default as 'NULL'.
            has_default: default.is_some() || auto || generated,
            auto,
            comment: r.get::<Option<String>, _>("comment").filter(|c| !c.is_empty()),
            sequence: None,
            filled_by_db: generated.then(|| "a generated column (GENERATED ALWAYS AS …)".to_owned()),
            byte_length: None,
        });
    }

    let mut last: Option<(String, String)> = None;
    for r in sqlx::query(KEYS)
        .bind(&schema)
        .fetch_all(pool)
        .await
        .map_err(fail("keys"))?
    {
        let table_name: String = r.get("table_name");
        let Some(t) = find(&tables, &table_name) else {
            continue;
        };
        let constraint: String = r.get("constraint_name");
        let column: String = r.get("column_name");
        let same = last.as_ref() == Some(&(table_name.clone(), constraint.clone()));
        last = Some((table_name, constraint));
        let table = &mut tables[t];
        match r.get::<&str, _>("kind") {
            "PRIMARY KEY" => table.primary_key.push(column),
            "UNIQUE" => match table.unique.last_mut() {
                Some(key) if same => key.push(column),
                _ => table.unique.push(vec![column]),
            },
            _ => {
                let parent_column: String = r.get("parent_column");
                match table.foreign_keys.last_mut() {
                    Some(fk) if same => {
                        fk.columns.push(column);
                        fk.references.push(parent_column);
                    }
                    _ => table.foreign_keys.push(DbForeignKey {
                        columns: vec![column],
                        schema: r.get("parent_schema"),
                        table: r.get("parent"),
                        references: vec![parent_column],
                        deferrable: true,
                    }),
                }
            }
        }
    }

    let checks = if is_mariadb(pool).await? {
        CHECKS_MARIADB
    } else {
        CHECKS_MYSQL
    };
    for r in sqlx::query(checks)
        .bind(&schema)
        .fetch_all(pool)
        .await
        .map_err(fail("checks"))?
    {
        let Some(t) = find(&tables, r.get::<&str, _>("table_name")) else {
            continue;
        };
        let clause: String = r.get("clause");
        // MariaDB's JSON is LONGTEXT with a json_valid(`col`) CHECK.
        if let Some(col) = json_valid_column(&clause) {
            if let Some(c) = tables[t].columns.iter_mut().find(|c| c.name == col) {
                c.ty = SqlType::Json;
            }
            continue;
        }
        tables[t].checks.push(clause);
    }

    for r in sqlx::query(TRIGGERS)
        .bind(&schema)
        .fetch_all(pool)
        .await
        .map_err(fail("triggers"))?
    {
        let table_name: String = r.get("table_name");
        let trigger: String = r.get("trigger_name");
        let source: String = r.get("source");
        let Some(t) = find(&tables, &table_name) else {
            continue;
        };
        if r.get::<&str, _>("timing").eq_ignore_ascii_case("BEFORE") {
            for col in catalog::assigned_new_columns(&source, true) {
                if let Some(c) = tables[t]
                    .columns
                    .iter_mut()
                    .find(|c| c.name.eq_ignore_ascii_case(&col))
                    && !c.auto
                    && !c.nullable
                    && !c.has_default
                {
                    c.filled_by_db = Some(format!("set by the BEFORE INSERT trigger `{trigger}`"));
                }
            }
        }
        for target in catalog::insert_targets(&source) {
            if target == table_name {
                continue;
            }
            tables[t].trigger_targets.push(target.clone());
            if let Some(p) = find(&tables, &target) {
                tables[p].filled_by_trigger = Some(format!("the trigger `{trigger}` on `{table_name}`"));
            }
        }
    }
    Ok(tables)
}

/// `json_valid(`col`)` → `col`.
fn json_valid_column(clause: &str) -> Option<String> {
    let inner = clause
        .trim()
        .strip_prefix("json_valid(")?
        .strip_suffix(')')?
        .trim();
    let name = inner.strip_prefix('`')?.strip_suffix('`')?;
    Some(name.replace("``", "`"))
}

fn map_type(
    data_type: &str,
    column_type: &str,
    max_length: Option<i64>,
    precision: Option<i64>,
    scale: Option<i64>,
) -> SqlType {
    let unsigned = column_type.to_ascii_lowercase().contains("unsigned");
    match data_type.to_ascii_lowercase().as_str() {
        "tinyint" if column_type.to_ascii_lowercase().starts_with("tinyint(1)") => SqlType::Bool,
        "bool" | "boolean" => SqlType::Bool,
        "tinyint" => SqlType::TinyInt { unsigned },
        "smallint" => SqlType::SmallInt { unsigned },
        "mediumint" | "int" | "integer" => SqlType::Int { unsigned },
        "bigint" => SqlType::BigInt,
        "float" | "double" | "real" => SqlType::Float,
        "decimal" | "numeric" => SqlType::Decimal {
            precision: precision.map(|p| p as u32),
            scale: scale.map(|s| s as u32),
        },
        "char" | "varchar" => SqlType::Text {
            max: max_length.and_then(|n| u32::try_from(n).ok()),
        },
        "tinytext" | "text" | "mediumtext" | "longtext" => SqlType::Text { max: None },
        "date" => SqlType::Date,
        "time" => SqlType::Time,
        "datetime" | "timestamp" => SqlType::Timestamp,
        "year" => SqlType::Year,
        "json" => SqlType::Json,
        "uuid" => SqlType::Uuid,
        "enum" => {
            let body = column_type
                .find('(')
                .and_then(|i| column_type.rfind(')').map(|j| &column_type[i + 1..j]));
            match body.and_then(catalog::quoted_list) {
                Some(values) => SqlType::Enum(values),
                None => SqlType::Other(column_type.to_owned()),
            }
        }
        "set" => {
            let body = column_type
                .find('(')
                .and_then(|i| column_type.rfind(')').map(|j| &column_type[i + 1..j]));
            match body.and_then(catalog::quoted_list) {
                // One member is a valid SET value.
                Some(values) => SqlType::Enum(values),
                None => SqlType::Other(column_type.to_owned()),
            }
        }
        "binary" | "varbinary" | "tinyblob" | "blob" | "mediumblob" | "longblob" => SqlType::Bytes,
        other => SqlType::Other(other.to_owned()),
    }
}
