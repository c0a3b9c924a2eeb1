//! Cycles of NOT NULL foreign keys: the statements every sink runs to let a
//! row reference a row inserted later in the transaction, and to prove
//! afterwards that nothing was left pointing nowhere. One wording for the
//! sqlx, Diesel and SeaORM sinks.
//!
//! - PostgreSQL defers its `DEFERRABLE` constraints to the commit
//!   (`SET CONSTRAINTS ALL DEFERRED`); a constraint that is not deferrable
//!   is an error before anything is inserted ([`PG_NOT_DEFERRABLE_SQL`],
//!   [`not_deferrable`]).
//! - MySQL and MariaDB cannot defer: the session's checks go off
//!   (`SET FOREIGN_KEY_CHECKS = 0`) inside the transaction, every foreign
//!   key of the seeded tables is checked by query before the commit
//!   ([`orphans_sql`]), and the checks go back on ([`restore_sql`]) — on
//!   rollback too, since the setting outlives the transaction.
//! - SQLite defers every check to the commit (`PRAGMA defer_foreign_keys`,
//!   reset by the commit itself).

use crate::error::Problem;
use crate::output::Dialect;
use crate::plan::DeferredKey;
use crate::schema::{ForeignKey, Schema};

/// The statement that relaxes the foreign-key checks for the rest of the
/// transaction.
///
/// ```
/// use syda::output::Dialect;
/// assert_eq!(syda::seed::relax_sql(Dialect::MySql), "SET FOREIGN_KEY_CHECKS = 0");
/// ```
pub fn relax_sql(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Postgres => "SET CONSTRAINTS ALL DEFERRED",
        Dialect::MySql => "SET FOREIGN_KEY_CHECKS = 0",
        Dialect::Sqlite => "PRAGMA defer_foreign_keys = ON",
    }
}

/// The statement that turns the checks back on, where they do not come
/// back by themselves at the end of the transaction (MySQL's session
/// setting). Run it after a rollback too.
pub fn restore_sql(dialect: Dialect) -> Option<&'static str> {
    (dialect == Dialect::MySql).then_some("SET FOREIGN_KEY_CHECKS = 1")
}

/// Whether the database itself checks the relaxed keys at the commit
/// (PostgreSQL, SQLite); where it does not (MySQL), the sink runs
/// [`orphans_sql`] for every foreign key before committing.
pub fn checked_at_commit(dialect: Dialect) -> bool {
    dialect != Dialect::MySql
}

/// A query counting the rows of `child` whose foreign key `fk` is set and
/// matches no row of `parent` (both quoted, qualified names): one BIGINT
/// column named `v`.
///
/// ```
/// use syda::output::Dialect;
/// use syda::schema::ForeignKey;
/// let fk = ForeignKey {
///     columns: vec!["store_id".into()].into(),
///     table: "store".into(),
///     references: vec!["store_id".into()].into(),
/// };
/// assert_eq!(
///     syda::seed::orphans_sql(Dialect::MySql, "`staff`", &fk, "`store`"),
///     "SELECT CAST(COUNT(*) AS SIGNED) AS v FROM `staff` c WHERE c.`store_id` IS NOT NULL \
///      AND NOT EXISTS (SELECT 1 FROM `store` p WHERE p.`store_id` = c.`store_id`)"
/// );
/// ```
pub fn orphans_sql(dialect: Dialect, child: &str, fk: &ForeignKey, parent: &str) -> String {
    let q = |c: &str| dialect.quote(c);
    let set: Vec<String> = fk
        .columns
        .iter()
        .map(|c| format!("c.{} IS NOT NULL", q(c)))
        .collect();
    let joined: Vec<String> = fk
        .columns
        .iter()
        .zip(fk.references.iter())
        .map(|(c, r)| format!("p.{} = c.{}", q(r), q(c)))
        .collect();
    let count = match dialect {
        Dialect::MySql => "CAST(COUNT(*) AS SIGNED)",
        Dialect::Postgres | Dialect::Sqlite => "CAST(COUNT(*) AS BIGINT)",
    };
    format!(
        "SELECT {count} AS v FROM {child} c WHERE {} AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE {})",
        set.join(" AND "),
        joined.join(" AND ")
    )
}

/// MySQL: every foreign key the current database declares, one line per
/// column (`child`, constraint, column, parent, referenced column,
/// tab-separated, in key order) in one text column named `v`; read with
/// [`declared_foreign_keys`]. The orphan check uses the database's keys,
/// not only the schema's: a key syda was not told of is proved too.
pub const MYSQL_FOREIGN_KEYS_SQL: &str = "SELECT CONCAT_WS(CHAR(9), TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, \
     REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME) AS v FROM information_schema.KEY_COLUMN_USAGE \
     WHERE TABLE_SCHEMA = DATABASE() AND REFERENCED_TABLE_NAME IS NOT NULL \
     ORDER BY TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION";

/// The lines of [`MYSQL_FOREIGN_KEYS_SQL`] as (child table, key), for the
/// child tables of `schema` (the only ones a seed inserts into).
///
/// ```
/// let schema = syda::Schema::from_yaml_str(
///     "tables:\n  staff:\n    columns:\n      staff_id: { type: integer, primary_key: true }\n",
/// )?;
/// let lines = ["staff\tfk_store\tstore_id\tstore\tstore_id".to_owned(), "film\tfk_lang\tlanguage_id\tlanguage\tid".to_owned()];
/// let keys = syda::seed::declared_foreign_keys(&lines, &schema);
/// assert_eq!(keys.len(), 1);
/// assert_eq!((keys[0].0.as_str(), keys[0].1.table.as_ref()), ("staff", "store"));
/// # Ok::<(), syda::Error>(())
/// ```
pub fn declared_foreign_keys(lines: &[String], schema: &Schema) -> Vec<(String, ForeignKey)> {
    let mut keys: Vec<(String, String, ForeignKey)> = Vec::new();
    for line in lines {
        let [child, name, column, parent, referenced] = line.split('\t').collect::<Vec<_>>()[..] else {
            continue;
        };
        if schema.table(child).is_none() {
            continue;
        }
        match keys.last_mut() {
            Some((c, n, fk)) if c == child && n == name => {
                fk.columns.to_mut().push(column.to_owned().into());
                fk.references.to_mut().push(referenced.to_owned().into());
            }
            _ => keys.push((
                child.to_owned(),
                name.to_owned(),
                ForeignKey {
                    columns: vec![column.to_owned().into()].into(),
                    table: parent.to_owned().into(),
                    references: vec![referenced.to_owned().into()].into(),
                },
            )),
        }
    }
    keys.into_iter().map(|(child, _, fk)| (child, fk)).collect()
}

/// What the orphan check says of a key that `orphans` rows break.
pub fn orphans_message(child: &str, fk: &ForeignKey, orphans: i64) -> String {
    format!(
        "foreign key `{child}.({})` → `{}`: {orphans} rows point at no row (checked before the commit, the checks being off for a cycle of NOT NULL keys)",
        fk.columns.join(", "),
        fk.table
    )
}

/// PostgreSQL: counts the foreign keys of table `$1` to table `$2` (text
/// the server parses as names, `"schema"."table"`) on exactly the columns
/// `$3` (comma-separated) that are not `DEFERRABLE`: one BIGINT column `v`.
pub const PG_NOT_DEFERRABLE_SQL: &str = "SELECT CAST(COUNT(*) AS BIGINT) AS v FROM pg_constraint c \
     WHERE c.contype = 'f' AND NOT c.condeferrable \
     AND c.conrelid = to_regclass($1) AND c.confrelid = to_regclass($2) \
     AND ARRAY(SELECT a.attname::text FROM pg_attribute a \
               WHERE a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey) ORDER BY 1) \
       = ARRAY(SELECT unnest(string_to_array($3, ',')) ORDER BY 1)";

/// The problem of a NOT NULL key of a cycle that PostgreSQL cannot defer:
/// names the column and the way out.
pub fn not_deferrable(key: &DeferredKey) -> Problem {
    Problem::column(
        &key.table,
        &key.columns.join(", "),
        format!(
            "closes a cycle of NOT NULL foreign keys (to `{}`), which PostgreSQL can only insert with the constraint \
             DEFERRABLE; `ALTER TABLE … ALTER CONSTRAINT … DEFERRABLE`, or make a column of the cycle nullable",
            key.parent
        ),
    )
}
