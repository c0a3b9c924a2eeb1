//! SQLite: sqlite_master and the table-valued pragmas.

use sqlx::{Row as _, SqlitePool};

use super::catalog::{DbColumn, DbForeignKey, DbTable, SqlType};
use super::db_error;
use crate::error::Result;

pub(crate) async fn read_catalog(pool: &SqlitePool) -> Result<Vec<DbTable>> {
    let fail = |what: String| move |e| db_error(format!("reading the SQLite catalog ({what})"), e);
    let rows = sqlx::query(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .fetch_all(pool)
    .await
    .map_err(fail("tables".to_owned()))?;
    let mut tables = Vec::with_capacity(rows.len());
    for r in rows {
        let name: String = r.get("name");
        let sql: String = r.get::<Option<String>, _>("sql").unwrap_or_default();
        let mut table = DbTable {
            schema: String::new(),
            name: name.clone(),
            comment: None,
            columns: Vec::new(),
            primary_key: Vec::new(),
            unique: Vec::new(),
            foreign_keys: Vec::new(),
            checks: check_clauses(&sql),
            patterns: Vec::new(),
            filled_by_trigger: None,
            trigger_targets: Vec::new(),
        };
        let columns = sqlx::query(
            r#"SELECT name, type, "notnull", dflt_value, pk, hidden FROM pragma_table_xinfo(?) ORDER BY cid"#,
        )
        .bind(&name)
        .fetch_all(pool)
        .await
        .map_err(fail(format!("columns of `{name}`")))?;
        let mut pk: Vec<(i64, String)> = Vec::new();
        let key_count = columns.iter().filter(|c| c.get::<i64, _>("pk") > 0).count();
        for c in columns {
            let column: String = c.get("name");
            let declared: String = c.get::<Option<String>, _>("type").unwrap_or_default();
            let position: i64 = c.get("pk");
            if position > 0 {
                pk.push((position, column.clone()));
            }
            // INTEGER PRIMARY KEY is the rowid: SQLite assigns it.
            let auto = position > 0 && key_count == 1 && declared.eq_ignore_ascii_case("integer");
            table.columns.push(DbColumn {
                name: column,
                ty: map_type(&declared),
                sql: declared,
                nullable: c.get::<i64, _>("notnull") == 0 && !auto,
                has_default: c.get::<Option<String>, _>("dflt_value").is_some() || auto,
                auto,
                comment: None,
                sequence: None,
                // 2 and 3: VIRTUAL and STORED generated columns.
                filled_by_db: matches!(c.get::<i64, _>("hidden"), 2 | 3)
                    .then(|| "a generated column (GENERATED ALWAYS AS …)".to_owned()),
                byte_length: None,
            });
        }
        pk.sort();
        table.primary_key = pk.into_iter().map(|(_, c)| c).collect();

        let indexes =
            sqlx::query(r#"SELECT name, "unique", origin FROM pragma_index_list(?) ORDER BY seq DESC"#)
                .bind(&name)
                .fetch_all(pool)
                .await
                .map_err(fail(format!("indexes of `{name}`")))?;
        for index in indexes {
            let origin: String = index.get("origin");
            if index.get::<i64, _>("unique") == 0 || origin == "pk" {
                continue;
            }
            let index_name: String = index.get("name");
            let cols: Vec<String> = sqlx::query_scalar::<_, Option<String>>(
                "SELECT name FROM pragma_index_info(?) ORDER BY seqno",
            )
            .bind(&index_name)
            .fetch_all(pool)
            .await
            .map_err(fail(format!("index `{index_name}`")))?
            .into_iter()
            .flatten()
            .collect();
            if !cols.is_empty() && !table.unique.contains(&cols) {
                table.unique.push(cols);
            }
        }

        let fks = sqlx::query(
            r#"SELECT id, "table", "from", "to" FROM pragma_foreign_key_list(?) ORDER BY id, seq"#,
        )
        .bind(&name)
        .fetch_all(pool)
        .await
        .map_err(fail(format!("foreign keys of `{name}`")))?;
        let mut last_id = None;
        let mut pending: Vec<(DbForeignKey, Vec<Option<String>>)> = Vec::new();
        for fk in fks {
            let id: i64 = fk.get("id");
            let from: String = fk.get("from");
            let to: Option<String> = fk.get("to");
            if last_id == Some(id) {
                if let Some((key, targets)) = pending.last_mut() {
                    key.columns.push(from);
                    targets.push(to);
                }
            } else {
                pending.push((
                    DbForeignKey {
                        columns: vec![from],
                        schema: String::new(),
                        table: fk.get("table"),
                        references: Vec::new(),
                        deferrable: true,
                    },
                    vec![to],
                ));
            }
            last_id = Some(id);
        }
        tables.push((table, pending));
    }
    let triggers = sqlx::query(
        "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger' AND sql IS NOT NULL ORDER BY name",
    )
    .fetch_all(pool)
    .await
    .map_err(fail("triggers".to_owned()))?;
    for r in triggers {
        let trigger: String = r.get("name");
        let on: String = r.get("tbl_name");
        let sql: String = r.get("sql");
        // The body only: the header names the trigger's own table.
        let upper = sql.to_ascii_uppercase();
        if !upper.contains(" INSERT ON ") && !upper.contains(" INSERT\nON ") {
            continue;
        }
        let body = upper.find("BEGIN").map_or("", |i| &sql[i..]);
        let targets = super::catalog::insert_targets(body);
        if let Some((t, _)) = tables.iter_mut().find(|(t, _)| t.name == on) {
            t.trigger_targets
                .extend(targets.iter().filter(|n| **n != on).cloned());
        }
        for target in targets.into_iter().filter(|n| *n != on) {
            if let Some((t, _)) = tables
                .iter_mut()
                .find(|(t, _)| t.name.eq_ignore_ascii_case(&target))
            {
                t.filled_by_trigger = Some(format!("the trigger `{trigger}` on `{on}`"));
            }
        }
    }
    // A foreign key without target columns means the parent's primary key.
    let primary_keys: Vec<(String, Vec<String>)> = tables
        .iter()
        .map(|(t, _)| (t.name.clone(), t.primary_key.clone()))
        .collect();
    Ok(tables
        .into_iter()
        .map(|(mut table, pending)| {
            // pragma_foreign_key_list lists the last declared key first.
            for (mut fk, targets) in pending.into_iter().rev() {
                let parent_pk = primary_keys
                    .iter()
                    .find(|(n, _)| *n == fk.table)
                    .map(|(_, pk)| pk.clone())
                    .unwrap_or_default();
                fk.references = targets
                    .into_iter()
                    .enumerate()
                    .map(|(i, t)| t.unwrap_or_else(|| parent_pk.get(i).cloned().unwrap_or_default()))
                    .collect();
                table.foreign_keys.push(fk);
            }
            table
        })
        .collect())
}

/// SQLite type affinity rules, refined by the common declared names.
fn map_type(declared: &str) -> SqlType {
    let upper = declared.to_ascii_uppercase();
    let length = || {
        let open = upper.find('(')?;
        let close = upper[open..].find(')')? + open;
        upper[open + 1..close].split(',').next()?.trim().parse().ok()
    };
    let has = |s: &str| upper.contains(s);
    if has("BOOL") {
        SqlType::Bool
    } else if has("INT") {
        SqlType::BigInt
    } else if has("UUID") {
        SqlType::Uuid
    } else if has("JSON") {
        SqlType::Json
    } else if has("CHAR") || has("CLOB") || has("TEXT") {
        SqlType::Text { max: length() }
    } else if has("BLOB") || upper.is_empty() {
        SqlType::Bytes
    } else if has("REAL") || has("FLOA") || has("DOUB") {
        SqlType::Float
    } else if has("DATETIME") || has("TIMESTAMP") {
        SqlType::Timestamp
    } else if has("DATE") {
        SqlType::Date
    } else if has("TIME") {
        SqlType::Time
    } else if has("NUMERIC") || has("DECIMAL") {
        SqlType::Decimal {
            precision: None,
            scale: None,
        }
    } else {
        SqlType::Other(declared.to_owned())
    }
}

/// The bodies of the CHECK constraints of a CREATE TABLE statement.
fn check_clauses(sql: &str) -> Vec<String> {
    let chars: Vec<char> = sql.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            q @ ('\'' | '"' | '`') => {
                i += 1;
                while i < chars.len() && chars[i] != q {
                    i += 1;
                }
                i += 1;
            }
            '[' => {
                while i < chars.len() && chars[i] != ']' {
                    i += 1;
                }
                i += 1;
            }
            c if c.is_alphabetic() || c == '_' => {
                let start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                if !word.eq_ignore_ascii_case("check") {
                    continue;
                }
                while i < chars.len() && chars[i].is_whitespace() {
                    i += 1;
                }
                if chars.get(i) != Some(&'(') {
                    continue;
                }
                let body_start = i + 1;
                let mut depth = 0;
                while i < chars.len() {
                    match chars[i] {
                        '(' => depth += 1,
                        ')' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        q @ ('\'' | '"' | '`') => {
                            i += 1;
                            while i < chars.len() && chars[i] != q {
                                i += 1;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
                out.push(chars[body_start..i.min(chars.len())].iter().collect());
                i += 1;
            }
            _ => i += 1,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_bodies_come_out_of_create_table() {
        let sql = r#"CREATE TABLE "order" (id INTEGER PRIMARY KEY, "check" TEXT DEFAULT 'check (x)',
            qty INT NOT NULL CHECK (qty > 0), CONSTRAINT c CHECK(price BETWEEN 1 AND (10)))"#;
        assert_eq!(check_clauses(sql), ["qty > 0", "price BETWEEN 1 AND (10)"]);
    }

    #[test]
    fn declared_types_map_by_affinity() {
        assert_eq!(map_type("VARCHAR(20)"), SqlType::Text { max: Some(20) });
        assert_eq!(map_type("integer"), SqlType::BigInt);
        assert_eq!(map_type("DATETIME"), SqlType::Timestamp);
        assert_eq!(map_type("date"), SqlType::Date);
        assert_eq!(map_type("boolean"), SqlType::Bool);
    }
}
