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
       bt.typname::text AS type_name, bt.typtype::text AS type_kind,
       CASE WHEN t.typtype = 'd' AND a.atttypmod < 0 THEN t.typtypmod ELSE a.atttypmod END AS typmod,
       (a.attnotnull OR (t.typtype = 'd' AND t.typnotnull)) AS strict,
       CASE WHEN t.typtype = 'd' THEN ARRAY(SELECT pg_get_constraintdef(dc.oid) FROM pg_constraint dc
            WHERE dc.contypid = t.oid AND dc.contype = 'c' ORDER BY dc.conname) END AS domain_checks,
       a.attgenerated::text AS generated,
       et.typname::text AS elem_name, et.typtype::text AS elem_kind,
       CASE WHEN bt.typtype = 'e' THEN ARRAY(SELECT e.enumlabel::text FROM pg_enum e WHERE e.enumtypid = bt.oid ORDER BY e.enumsortorder) END AS labels,
       CASE WHEN et.typtype = 'e' THEN ARRAY(SELECT e.enumlabel::text FROM pg_enum e WHERE e.enumtypid = et.oid ORDER BY e.enumsortorder) END AS elem_labels,
       a.atthasdef AS has_default, a.attidentity::text AS identity,
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
SELECT CASE WHEN c.relispartition THEN (SELECT r.relname::text FROM pg_class r WHERE r.oid = pg_partition_root(c.oid))
            ELSE c.relname::text END AS table_name,
       c.relispartition AS on_partition, con.conparentid <> 0 AS inherited, con.contype::text AS kind,
       ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(num, pos)
             JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num ORDER BY k.pos) AS columns,
       fn.nspname::text AS parent_schema, fc.relname::text AS parent,
       ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(num, pos)
             JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num ORDER BY k.pos) AS references,
       pg_get_constraintdef(con.oid) AS definition, con.condeferrable AS deferrable
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class fc ON fc.oid = con.confrelid
LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
WHERE n.nspname = $1 AND con.contype IN ('p', 'u', 'f', 'c')
ORDER BY c.relname, con.contype, con.conname"#;

/// Unique indexes that are not constraints. A partial index counts as
/// unique over all rows (stricter than the database asks); an expression
/// index (`lower(name)`, `btrim(lower(email))`) as unique over the columns
/// its expressions read.
const UNIQUE_INDEXES: &str = r#"
SELECT c.relname::text AS table_name,
       ARRAY(SELECT a.attname::text FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(num, pos)
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.num ORDER BY k.pos) AS columns,
       ARRAY(SELECT a.attname::text FROM pg_depend d
             JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
             WHERE d.classid = 'pg_class'::regclass AND d.objid = i.indexrelid
               AND d.refobjid = i.indrelid AND d.refobjsubid > 0
               AND NOT a.attnum = ANY (i.indkey::int2[])
             ORDER BY a.attnum) AS expression_columns,
       i.indexprs IS NOT NULL AS has_expressions,
       i.indpred IS NOT NULL AS partial
FROM pg_index i
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_class ic ON ic.oid = i.indexrelid
WHERE n.nspname = $1 AND i.indisunique AND NOT i.indisprimary AND c.relkind IN ('r', 'p')
  AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid)
ORDER BY c.relname, ic.relname"#;

/// Range and list partitions of the partitioned tables: their bounds and
/// the parent's partition key.
const PARTITIONS: &str = r#"
SELECT p.relname::text AS table_name, pg_get_partkeydef(p.oid) AS key,
       pg_get_expr(c.relpartbound, c.oid) AS bound
FROM pg_inherits h
JOIN pg_class c ON c.oid = h.inhrelid
JOIN pg_class p ON p.oid = h.inhparent
JOIN pg_namespace n ON n.oid = p.relnamespace
WHERE n.nspname = $1 AND p.relkind = 'p' AND NOT p.relispartition
ORDER BY p.relname, c.relname"#;

/// Row-level INSERT triggers of the schema's tables and their functions'
/// source: what they insert into, which columns a BEFORE trigger sets.
const TRIGGERS: &str = r#"
SELECT c.relname::text AS table_name, tg.tgname::text AS trigger_name,
       (tg.tgtype & 2) <> 0 AS before, p.prosrc AS source
FROM pg_trigger tg
JOIN pg_class c ON c.oid = tg.tgrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_proc p ON p.oid = tg.tgfoid
WHERE n.nspname = $1 AND NOT tg.tgisinternal AND (tg.tgtype & 1) <> 0 AND (tg.tgtype & 4) <> 0
ORDER BY c.relname, tg.tgname"#;

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
            patterns: Vec::new(),
            filled_by_trigger: None,
            trigger_targets: Vec::new(),
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
        let name: String = r.get("name");
        let generated: String = r.get("generated");
        let sequence = nextval_sequence(&default_expr);
        for check in r
            .get::<Option<Vec<String>>, _>("domain_checks")
            .unwrap_or_default()
        {
            let clause = replace_value(&check, &super::ident::quote(super::Backend::Postgres, &name));
            match regex_check(&clause) {
                Some((col, regex)) => tables[t].patterns.push((col, regex)),
                None => tables[t].checks.push(clause),
            }
        }
        tables[t].columns.push(DbColumn {
            name,
            ty,
            sql: r.get("sql"),
            nullable: !r.get::<bool, _>("strict"),
            has_default: r.get::<bool, _>("has_default") || !identity.is_empty(),
            auto: !identity.is_empty() || sequence.is_some(),
            comment: r.get("comment"),
            sequence,
            filled_by_db: (!generated.is_empty())
                .then(|| "a generated column (GENERATED ALWAYS AS … STORED)".to_owned()),
            byte_length: None,
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
        let kind: &str = r.get("kind");
        // A partition's own keys and checks hold per partition only; its
        // foreign keys hold for the parent's rows: lifted, once.
        if r.get::<bool, _>("inherited") || (r.get::<bool, _>("on_partition") && kind != "f") {
            continue;
        }
        match kind {
            "p" => table.primary_key = columns,
            "u" => table.unique.push(columns),
            "f" => {
                let fk = DbForeignKey {
                    columns,
                    schema: r.get::<Option<String>, _>("parent_schema").unwrap_or_default(),
                    table: r.get::<Option<String>, _>("parent").unwrap_or_default(),
                    references: r.get("references"),
                    deferrable: r.get("deferrable"),
                };
                let known = table
                    .foreign_keys
                    .iter()
                    .any(|k| k.columns == fk.columns && k.table == fk.table && k.references == fk.references);
                if !known {
                    table.foreign_keys.push(fk);
                }
            }
            _ => {
                let definition: String = r.get("definition");
                if let Some((col, n)) = byte_length_check(&definition)
                    && let Some(c) = table.columns.iter_mut().find(|c| c.name == col)
                {
                    c.byte_length = Some(n);
                } else if let Some((col, regex)) = regex_check(&definition) {
                    table.patterns.push((col, regex));
                } else {
                    table.checks.push(definition);
                }
            }
        }
    }

    for r in sqlx::query(UNIQUE_INDEXES)
        .bind(schema)
        .fetch_all(pool)
        .await
        .map_err(fail("unique indexes"))?
    {
        if let Some(t) = find(&mut tables, r.get::<&str, _>("table_name")) {
            let mut columns: Vec<String> = r.get("columns");
            if r.get::<bool, _>("has_expressions") {
                columns.extend(r.get::<Vec<String>, _>("expression_columns"));
            }
            if !columns.is_empty() && !tables[t].unique.contains(&columns) {
                tables[t].unique.push(columns);
            }
        }
    }

    let mut bounds: Vec<(String, String, String)> = Vec::new();
    for r in sqlx::query(PARTITIONS)
        .bind(schema)
        .fetch_all(pool)
        .await
        .map_err(fail("partitions"))?
    {
        bounds.push((r.get("table_name"), r.get("key"), r.get("bound")));
    }
    for t in tables.iter_mut() {
        let mine: Vec<&(String, String, String)> = bounds.iter().filter(|(n, ..)| *n == t.name).collect();
        if let Some((_, key, _)) = mine.first()
            && let Some(clause) =
                partition_check(key, &mine.iter().map(|(_, _, b)| b.as_str()).collect::<Vec<_>>())
        {
            t.checks.push(clause);
        }
    }

    for r in sqlx::query(TRIGGERS)
        .bind(schema)
        .fetch_all(pool)
        .await
        .map_err(fail("triggers"))?
    {
        let table_name: String = r.get("table_name");
        let trigger: String = r.get("trigger_name");
        let source: String = r.get("source");
        let Some(t) = find(&mut tables, &table_name) else {
            continue;
        };
        if r.get::<bool, _>("before") {
            for col in super::catalog::assigned_new_columns(&source, false) {
                if let Some(c) = tables[t]
                    .columns
                    .iter_mut()
                    .find(|c| c.name.eq_ignore_ascii_case(&col))
                    && !c.auto
                {
                    c.filled_by_db = Some(format!("set by the BEFORE INSERT trigger `{trigger}`"));
                }
            }
        }
        for target in super::catalog::insert_targets(&source) {
            if target == table_name {
                continue;
            }
            tables[t].trigger_targets.push(target.clone());
            if let Some(p) = find(&mut tables, &target) {
                tables[p].filled_by_trigger = Some(format!("the trigger `{trigger}` on `{table_name}`"));
            }
        }
    }
    Ok(tables)
}

/// The sequence of `nextval('actor_actor_id_seq'::regclass)`.
fn nextval_sequence(default: &str) -> Option<String> {
    let rest = default.trim().strip_prefix("nextval(")?;
    let end = rest.rfind(')')?;
    let arg = rest[..end].trim();
    let arg = arg.strip_suffix("::regclass").unwrap_or(arg);
    let name = arg.strip_prefix('\'')?.strip_suffix('\'')?;
    Some(name.replace("''", "'"))
}

/// A domain CHECK with `VALUE` replaced by the column (outside quotes).
fn replace_value(clause: &str, column: &str) -> String {
    let mut out = String::with_capacity(clause.len());
    let mut quoted = false;
    let bytes = clause.as_bytes();
    let mut i = 0;
    while i < clause.len() {
        let c = bytes[i] as char;
        if c == '\'' {
            quoted = !quoted;
        }
        let word = !quoted
            && clause[i..].starts_with("VALUE")
            && (i == 0 || !(bytes[i - 1] as char).is_ascii_alphanumeric() && bytes[i - 1] != b'_')
            && clause[i + 5..]
                .chars()
                .next()
                .is_none_or(|n| !n.is_ascii_alphanumeric() && n != '_');
        if word {
            out.push_str(column);
            i += 5;
        } else {
            let ch = clause[i..].chars().next().unwrap_or(' ');
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

/// `CHECK ((col)::text ~ '^[A-Z]+$'::text)` → (col, regex).
fn regex_check(clause: &str) -> Option<(String, String)> {
    let body = clause.trim().strip_prefix("CHECK")?.trim();
    let body = strip_parens(body);
    let (left, right) = body.split_once(" ~ ")?;
    let col = column_of(left)?;
    let right = right.trim();
    let right = right.strip_suffix("::text").unwrap_or(right);
    let regex = right.strip_prefix('\'')?.strip_suffix('\'')?;
    if regex.contains('\'') && !regex.contains("''") {
        return None;
    }
    Some((col, regex.replace("''", "'")))
}

/// `CHECK ((octet_length(col) = 32))` → (col, 32); also `length(col)`.
fn byte_length_check(clause: &str) -> Option<(String, u32)> {
    let body = strip_parens(clause.trim().strip_prefix("CHECK")?.trim());
    let (left, right) = body.split_once(" = ")?;
    let left = left.trim();
    let inner = left
        .strip_prefix("octet_length(")
        .or_else(|| left.strip_prefix("length("))?
        .strip_suffix(')')?;
    Some((column_of(inner)?, right.trim().parse().ok()?))
}

fn strip_parens(mut s: &str) -> &str {
    while let Some(inner) = s.strip_prefix('(').and_then(|x| x.strip_suffix(')')) {
        s = inner.trim();
    }
    s
}

/// `(col)::text`, `col`, `"Col"` → the column name.
fn column_of(expr: &str) -> Option<String> {
    let expr = expr.trim();
    let expr = match expr.find("::") {
        Some(i) => &expr[..i],
        None => expr,
    };
    let expr = strip_parens(expr.trim());
    if let Some(q) = expr.strip_prefix('"').and_then(|e| e.strip_suffix('"')) {
        return Some(q.replace("\"\"", "\""));
    }
    expr.chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_')
        .then(|| expr.to_owned())
        .filter(|e| !e.is_empty())
}

/// A CHECK clause in the form `check::parse` reads, from a table's
/// partition key and its partitions' bounds: one range over the longest run
/// of adjacent range partitions, or the values of list partitions. `None`
/// when a DEFAULT partition takes any row, or for hash partitions.
fn partition_check(key: &str, bounds: &[&str]) -> Option<String> {
    let (method, rest) = key.split_once(' ')?;
    let column = column_of(strip_parens(rest.trim()))?;
    if bounds.iter().any(|b| b.trim() == "DEFAULT") {
        return None;
    }
    let quoted = super::ident::quote(super::Backend::Postgres, &column);
    match method {
        "RANGE" => {
            let mut ranges: Vec<(String, String)> = bounds
                .iter()
                .filter_map(|b| {
                    let rest = b.trim().strip_prefix("FOR VALUES FROM (")?;
                    let (from, to) = rest.split_once(") TO (")?;
                    let to = to.strip_suffix(')')?;
                    (!from.contains(',') && !to.contains(','))
                        .then(|| (from.trim().to_owned(), to.trim().to_owned()))
                })
                .collect();
            if ranges.len() != bounds.len() || ranges.is_empty() {
                return None;
            }
            ranges.sort_by_key(|(from, _)| bound_key(from));
            // The longest run of partitions where one ends as the next starts.
            let mut best = (0, 0);
            let mut start = 0;
            for i in 1..=ranges.len() {
                if i == ranges.len() || ranges[i].0 != ranges[i - 1].1 {
                    if i - start > best.1 - best.0 {
                        best = (start, i);
                    }
                    start = i;
                }
            }
            let (from, to) = (&ranges[best.0].0, &ranges[best.1 - 1].1);
            if from == "MINVALUE" || to == "MAXVALUE" {
                return None;
            }
            // Timestamps and dates as RFC 3339 / ISO dates, the end made
            // inclusive (a second or a day before the exclusive bound).
            match (temporal(from, false), temporal(to, true)) {
                (Some(lo), Some(hi)) => Some(format!("CHECK ({quoted} >= '{lo}' AND {quoted} <= '{hi}')")),
                _ => Some(format!("CHECK ({quoted} >= {from} AND {quoted} < {to})")),
            }
        }
        "LIST" => {
            let mut values = Vec::new();
            for b in bounds {
                let inner = b.trim().strip_prefix("FOR VALUES IN (")?.strip_suffix(')')?;
                values.push(inner.to_owned());
            }
            Some(format!("CHECK ({quoted} IN ({}))", values.join(", ")))
        }
        _ => None,
    }
}

/// A quoted timestamp or date bound in the engine's form; `end` moves an
/// exclusive end one second (a day for dates) back.
fn temporal(literal: &str, end: bool) -> Option<String> {
    let text = literal.strip_prefix('\'')?.strip_suffix('\'')?;
    if let Ok(date) = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        let date = if end { date.pred_opt()? } else { date };
        return Some(date.format("%Y-%m-%d").to_string());
    }
    let utc = chrono::DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%#z")
        .map(|t| t.naive_utc())
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S"))
        .ok()?;
    let utc = if end {
        utc - chrono::Duration::seconds(1)
    } else {
        utc
    };
    Some(utc.format("%Y-%m-%dT%H:%M:%SZ").to_string())
}

/// Sort key of a bound literal: numbers by value, text as is.
fn bound_key(literal: &str) -> (i64, String) {
    (literal.parse::<i64>().unwrap_or(i64::MIN), literal.to_owned())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nextval_defaults_name_their_sequence() {
        assert_eq!(
            nextval_sequence("nextval('actor_actor_id_seq'::regclass)").as_deref(),
            Some("actor_actor_id_seq")
        );
        assert_eq!(
            nextval_sequence("nextval('\"Odd\".\"it''s\"'::regclass)").as_deref(),
            Some("\"Odd\".\"it's\"")
        );
        assert_eq!(nextval_sequence("now()"), None);
    }

    #[test]
    fn domain_checks_name_the_column_instead_of_value() {
        let clause = replace_value(
            "CHECK (((VALUE >= 1901) AND (VALUE <= 2155) AND (VALUE <> 'VALUE'::text)))",
            "\"release_year\"",
        );
        assert_eq!(
            clause,
            "CHECK (((\"release_year\" >= 1901) AND (\"release_year\" <= 2155) AND (\"release_year\" <> 'VALUE'::text)))"
        );
        let parsed = crate::db::check::parse(&replace_value(
            "CHECK (((VALUE >= 1901) AND (VALUE <= 2155)))",
            "y",
        ))
        .unwrap();
        assert_eq!(parsed[0].0, "y");
    }

    #[test]
    fn regex_and_length_checks() {
        assert_eq!(
            regex_check("CHECK (((VALUE)::text ~ '^[A-Z]{2,6}$'::text))"),
            Some(("VALUE".to_owned(), "^[A-Z]{2,6}$".to_owned()))
        );
        assert_eq!(
            byte_length_check("CHECK ((octet_length(poster_hash) = 32))"),
            Some(("poster_hash".to_owned(), 32))
        );
        assert_eq!(byte_length_check("CHECK ((octet_length(a) > 32))"), None);
    }

    #[test]
    fn partition_bounds_become_one_range_over_the_longest_adjacent_run() {
        let bounds = [
            "FOR VALUES FROM ('2022-02-01 00:00:00+00') TO ('2022-03-01 00:00:00+00')",
            "FOR VALUES FROM ('2022-01-01 00:00:00+00') TO ('2022-02-01 00:00:00+00')",
            "FOR VALUES FROM ('2023-01-01 00:00:00+00') TO ('2023-02-01 00:00:00+00')",
        ];
        assert_eq!(
            partition_check("RANGE (payment_date)", &bounds).as_deref(),
            Some(
                "CHECK (\"payment_date\" >= '2022-01-01T00:00:00Z' AND \"payment_date\" <= '2022-02-28T23:59:59Z')"
            )
        );
        let ints = ["FOR VALUES FROM (1) TO (100)", "FOR VALUES FROM (100) TO (200)"];
        let clause = partition_check("RANGE (id)", &ints).unwrap();
        let parsed = crate::db::check::parse(&clause).unwrap();
        assert_eq!(parsed[0].0, "id");
        assert_eq!(
            partition_check(
                "LIST (region)",
                &["FOR VALUES IN ('eu', 'us')", "FOR VALUES IN ('apac')"]
            )
            .as_deref(),
            Some("CHECK (\"region\" IN ('eu', 'us', 'apac'))")
        );
        assert_eq!(
            partition_check(
                "RANGE (d)",
                &["FOR VALUES FROM ('2022-01-01') TO ('2022-02-01')", "DEFAULT"]
            ),
            None
        );
        assert_eq!(
            partition_check("HASH (id)", &["FOR VALUES WITH (modulus 2, remainder 0)"]),
            None
        );
    }
}
