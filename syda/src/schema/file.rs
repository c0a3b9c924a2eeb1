//! The schema file format (YAML or JSON) and its conversion to and from the
//! model. Interpretation walks a JSON value tree by hand, so that every
//! problem is collected with its table and column instead of stopping at the
//! first one.
//!
//! Three shapes are accepted:
//! - `tables: { name: { doc, columns, unique, primary_key, foreign_keys } }`
//! - one table: `{ name?, doc?, columns: { … } }` (named by `name` or the file stem)
//! - the seed's flat map: `{ patient_id: number, email: email, … }`

use std::borrow::Cow;

use serde_json::{Map, Value, json};

use super::kinds;
use super::model::{Column, DataType, ForeignKey, List, Literal, Range, Reference, Schema, Table, Text};
use crate::error::Problem;

const TABLE_KEYS: &[&str] = &[
    "name",
    "doc",
    "columns",
    "unique",
    "primary_key",
    "foreign_keys",
    "infer",
];
const COLUMN_KEYS: &[&str] = &[
    "type",
    "kind",
    "doc",
    "nullable",
    "unique",
    "primary_key",
    "foreign_key",
    "max_length",
    "range",
    "one_of",
    "pattern",
    "generator",
    // Declared relations (`super::declared`).
    "after",
    "expr",
    "infer",
];

/// Turns a parsed document into a schema plus every problem met on the way.
/// `default_name` names a single-table document that has no `name:`.
pub(crate) fn interpret(doc: &Value, default_name: &str) -> (Schema, Vec<Problem>) {
    let mut problems = Vec::new();
    let Some(top) = doc.as_object() else {
        problems.push(Problem::schema(format!(
            "expected a mapping at the top level (`tables:`, `columns:` or `column: type` pairs), found {}",
            describe_value(doc)
        )));
        return (Schema::default(), problems);
    };
    let mut schema = Schema::default();
    if let Some(tables) = top.get("tables") {
        for key in top.keys().filter(|k| *k != "tables") {
            problems.push(Problem::schema(format!(
                "unknown top-level key `{key}`; expected only `tables`"
            )));
        }
        match tables.as_object() {
            Some(tables) => {
                for (name, spec) in tables {
                    schema.tables.push(table(name, spec, &mut problems));
                }
            }
            None => problems.push(Problem::schema(format!(
                "`tables` must map table names to table definitions, found {}",
                describe_value(tables)
            ))),
        }
    } else if top.contains_key("columns") {
        let name = match top.get("name") {
            Some(Value::String(name)) => name.as_str(),
            Some(other) => {
                problems.push(Problem::schema(format!(
                    "`name` must be text, found {}",
                    describe_value(other)
                )));
                default_name
            }
            None => default_name,
        };
        schema.tables.push(table(name, doc, &mut problems));
    } else {
        let columns = top
            .iter()
            .map(|(name, spec)| column(default_name, name, spec, &mut problems))
            .collect::<Vec<_>>();
        schema.tables.push(Table {
            columns: Cow::Owned(columns),
            ..Table::new(default_name.to_owned())
        });
    }
    resolve_implicit_foreign_keys(&mut schema, &mut problems);
    schema.relations = super::declared::read(doc, &schema, &mut problems);
    (schema, problems)
}

fn table(name: &str, spec: &Value, problems: &mut Vec<Problem>) -> Table {
    let mut table = Table::new(name.to_owned());
    let Some(spec) = spec.as_object() else {
        problems.push(Problem::table(
            name,
            format!(
                "expected a mapping with `columns:`, found {}",
                describe_value(spec)
            ),
        ));
        return table;
    };
    unknown_keys(spec, TABLE_KEYS, problems, |msg| Problem::table(name, msg));
    table.doc = text_field(spec, "doc", problems, |msg| Problem::table(name, msg));
    let mut columns = Vec::new();
    match spec.get("columns") {
        Some(Value::Object(cols)) => {
            for (col_name, col_spec) in cols {
                columns.push(column(name, col_name, col_spec, problems));
            }
        }
        Some(other) => problems.push(Problem::table(
            name,
            format!(
                "`columns` must map column names to types, found {}",
                describe_value(other)
            ),
        )),
        None => problems.push(Problem::table(name, "missing `columns`")),
    }
    if let Some(pk) = spec.get("primary_key") {
        match name_list(pk) {
            Some(pk) => {
                for col in pk {
                    match columns.iter_mut().find(|c| c.name == col) {
                        Some(c) => c.primary_key = true,
                        None => problems.push(Problem::table(
                            name,
                            format!("`primary_key` names column `{col}`, which the table does not have"),
                        )),
                    }
                }
            }
            None => problems.push(Problem::table(
                name,
                format!(
                    "`primary_key` must be a list of column names, found {}",
                    describe_value(pk)
                ),
            )),
        }
    }
    if let Some(unique) = spec.get("unique") {
        let keys = unique
            .as_array()
            .and_then(|keys| keys.iter().map(name_list).collect::<Option<Vec<_>>>());
        match keys {
            Some(keys) => {
                table.unique = Cow::Owned(
                    keys.into_iter()
                        .map(|k| Cow::Owned(k.into_iter().map(Cow::Owned).collect()))
                        .collect(),
                );
            }
            None => problems.push(Problem::table(
                name,
                format!(
                    "`unique` must be a list of column lists such as [[a, b]], found {}",
                    describe_value(unique)
                ),
            )),
        }
    }
    if let Some(fks) = spec.get("foreign_keys") {
        match fks.as_array() {
            Some(fks) => {
                let parsed = fks
                    .iter()
                    .filter_map(|fk| composite_foreign_key(name, fk, problems));
                table.foreign_keys = Cow::Owned(parsed.collect());
            }
            None => problems.push(Problem::table(
                name,
                format!("`foreign_keys` must be a list, found {}", describe_value(fks)),
            )),
        }
    }
    table.columns = Cow::Owned(columns);
    table
}

/// `{ columns: [a, b], references: { table: t, columns: [x, y] } }`
fn composite_foreign_key(table: &str, spec: &Value, problems: &mut Vec<Problem>) -> Option<ForeignKey> {
    let expected = "expected `{ columns: [a, b], references: { table: t, columns: [x, y] } }`";
    let columns = spec.get("columns").and_then(name_list);
    let references = spec.get("references");
    let parent = references.and_then(|r| r.get("table")).and_then(Value::as_str);
    let parent_columns = references.and_then(|r| r.get("columns")).and_then(name_list);
    match (columns, parent, parent_columns) {
        (Some(columns), Some(parent), Some(parent_columns)) => Some(ForeignKey {
            columns: Cow::Owned(columns.into_iter().map(Cow::Owned).collect()),
            table: Cow::Owned(parent.to_owned()),
            references: Cow::Owned(parent_columns.into_iter().map(Cow::Owned).collect()),
        }),
        _ => {
            problems.push(Problem::table(
                table,
                format!("bad foreign key {}: {expected}", compact(spec)),
            ));
            None
        }
    }
}

fn column(table: &str, name: &str, spec: &Value, problems: &mut Vec<Problem>) -> Column {
    let mut col = Column::new(name.to_owned(), DataType::Text);
    let at = |msg: String| Problem::column(table, name, msg);
    match spec {
        Value::String(type_name) => {
            apply_type_name(&mut col, type_name, problems, at);
            return col;
        }
        Value::Object(_) => {}
        other => {
            problems.push(at(format!(
                "expected a type name (e.g. `text`, `email`) or a mapping with `type:`, found {}",
                describe_value(other)
            )));
            return col;
        }
    }
    let Some(spec) = spec.as_object() else { return col };
    unknown_keys(spec, COLUMN_KEYS, problems, at);

    col.kind = text_field(spec, "kind", problems, at);
    match spec.get("type") {
        Some(Value::String(type_name)) => apply_type_name(&mut col, type_name, problems, at),
        Some(other) => problems.push(at(format!(
            "`type` must be a type name, found {}",
            describe_value(other)
        ))),
        None => {
            if let Some(k) = col.kind.as_deref().and_then(kinds::kind) {
                col.ty = k.ty;
            } else if spec.contains_key("foreign_key") {
                col.ty = DataType::Integer;
            } else if col.kind.is_none() {
                problems.push(at("missing `type` (or `kind`)".to_owned()));
            }
        }
    }
    col.doc = text_field(spec, "doc", problems, at);
    col.nullable = bool_field(spec, "nullable", problems, at);
    col.unique = bool_field(spec, "unique", problems, at);
    col.primary_key = bool_field(spec, "primary_key", problems, at);
    col.pattern = text_field(spec, "pattern", problems, at);
    col.generator = text_field(spec, "generator", problems, at);
    if let Some(fk) = spec.get("foreign_key") {
        col.foreign_key = reference(fk);
        if col.foreign_key.is_none() {
            problems.push(at(format!(
                "`foreign_key` must be `table.column` or {{ table, column }}, found {}",
                compact(fk)
            )));
        }
    }
    if let Some(max) = spec.get("max_length") {
        match max.as_u64().and_then(|m| u32::try_from(m).ok()) {
            Some(m) => col.max_length = Some(m),
            None => problems.push(at(format!(
                "`max_length` must be a positive whole number, found {}",
                compact(max)
            ))),
        }
    }
    if let Some(range) = spec.get("range") {
        col.range = parse_range(range);
        if col.range.is_none() {
            problems.push(at(format!(
                "`range` must be `[min, max]` or `{{ min, max }}` with numbers or dates, found {}",
                compact(range)
            )));
        }
    }
    if let Some(one_of) = spec.get("one_of") {
        match one_of
            .as_array()
            .map(|v| v.iter().map(literal).collect::<Option<Vec<_>>>())
        {
            Some(Some(values)) => col.one_of = Some(Cow::Owned(values)),
            _ => problems.push(at(format!(
                "`one_of` must be a list of plain values, found {}",
                compact(one_of)
            ))),
        }
    }
    col
}

/// A bare name in type position: a type (`date`), a kind (`email`), or the
/// seed's `foreign_key` (its target is inferred from the column name later).
fn apply_type_name(
    col: &mut Column,
    type_name: &str,
    problems: &mut Vec<Problem>,
    at: impl Fn(String) -> Problem,
) {
    if let Some(ty) = DataType::from_name(type_name) {
        col.ty = ty;
    } else if let Some(k) = kinds::kind(type_name) {
        col.ty = k.ty;
        col.kind = Some(Cow::Owned(type_name.to_owned()));
    } else if type_name == "foreign_key" {
        col.ty = DataType::Integer;
        col.kind = Some(Cow::Borrowed("foreign_key"));
    } else {
        let types: Vec<_> = DataType::ALL.iter().map(|t| t.name()).collect();
        problems.push(at(format!(
            "unknown type `{type_name}`; expected a type ({}), `foreign_key`, or a kind such as email, phone, icd10_code (see `syda kinds`)",
            types.join(", ")
        )));
    }
}

/// The seed writes `department_id: foreign_key` without a target; find the
/// table the name points at (`department_id` → `departments.id` or `department.id`).
fn resolve_implicit_foreign_keys(schema: &mut Schema, problems: &mut Vec<Problem>) {
    let names: Vec<(String, Option<String>)> = schema
        .tables
        .iter()
        .map(|t| {
            (
                t.name.to_string(),
                t.primary_key().next().map(|c| c.name.to_string()),
            )
        })
        .collect();
    for table in &mut schema.tables {
        let table_name = table.name.to_string();
        for col in table.columns.to_mut() {
            if col.kind.as_deref() != Some("foreign_key") {
                continue;
            }
            col.kind = None;
            if col.foreign_key.is_some() {
                continue;
            }
            let stem = col.name.strip_suffix("_id").unwrap_or(&col.name);
            let candidates = [
                stem.to_owned(),
                format!("{stem}s"),
                format!("{stem}es"),
                plural_y(stem),
            ];
            let target = names
                .iter()
                .find(|(name, _)| candidates.iter().any(|c| c == name))
                .map(|(name, pk)| (name.clone(), pk.clone().unwrap_or_else(|| "id".to_owned())));
            match target {
                Some((parent, pk)) => {
                    col.foreign_key = Some(Reference {
                        table: Cow::Owned(parent),
                        column: Cow::Owned(pk),
                    })
                }
                None => problems.push(Problem::column(
                    &table_name,
                    &col.name,
                    format!(
                        "`foreign_key` without a target, and no table named like `{stem}`; write `{{ type: integer, foreign_key: table.column }}`"
                    ),
                )),
            }
        }
    }
}

fn plural_y(stem: &str) -> String {
    match stem.strip_suffix('y') {
        Some(base) => format!("{base}ies"),
        None => String::new(),
    }
}

fn reference(value: &Value) -> Option<Reference> {
    let (table, column) = match value {
        Value::String(s) => s.split_once('.')?,
        Value::Object(m) => (m.get("table")?.as_str()?, m.get("column")?.as_str()?),
        _ => return None,
    };
    (!table.is_empty() && !column.is_empty()).then(|| Reference {
        table: Cow::Owned(table.to_owned()),
        column: Cow::Owned(column.to_owned()),
    })
}

fn parse_range(value: &Value) -> Option<Range> {
    let (min, max) = match value {
        Value::Array(v) if v.len() == 2 => (&v[0], &v[1]),
        Value::Object(m) if m.len() == 2 => (m.get("min")?, m.get("max")?),
        _ => return None,
    };
    let bound = |v: &Value| match literal(v)? {
        Literal::Bool(_) => None,
        other => Some(other),
    };
    Some(Range {
        min: bound(min)?,
        max: bound(max)?,
    })
}

fn literal(value: &Value) -> Option<Literal> {
    Some(match value {
        Value::Bool(b) => Literal::Bool(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Literal::Int(i),
            None => Literal::Float(n.as_f64()?),
        },
        Value::String(s) => Literal::Text(Cow::Owned(s.clone())),
        _ => return None,
    })
}

fn name_list(value: &Value) -> Option<Vec<String>> {
    value
        .as_array()?
        .iter()
        .map(|v| v.as_str().map(str::to_owned))
        .collect()
}

fn unknown_keys(
    spec: &Map<String, Value>,
    known: &[&str],
    problems: &mut Vec<Problem>,
    at: impl Fn(String) -> Problem,
) {
    for key in spec.keys().filter(|k| !known.contains(&k.as_str())) {
        problems.push(at(format!(
            "unknown key `{key}`; expected one of: {}",
            known.join(", ")
        )));
    }
}

fn text_field(
    spec: &Map<String, Value>,
    key: &str,
    problems: &mut Vec<Problem>,
    at: impl Fn(String) -> Problem,
) -> Option<Text> {
    match spec.get(key)? {
        Value::String(s) => Some(Cow::Owned(s.trim().to_owned())),
        other => {
            problems.push(at(format!(
                "`{key}` must be text, found {}",
                describe_value(other)
            )));
            None
        }
    }
}

fn bool_field(
    spec: &Map<String, Value>,
    key: &str,
    problems: &mut Vec<Problem>,
    at: impl Fn(String) -> Problem,
) -> bool {
    match spec.get(key) {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(other) => {
            problems.push(at(format!(
                "`{key}` must be true or false, found {}",
                describe_value(other)
            )));
            false
        }
    }
}

fn describe_value(value: &Value) -> String {
    match value {
        Value::Null => "nothing (null)".to_owned(),
        Value::Bool(_) | Value::Number(_) | Value::String(_) => compact(value),
        Value::Array(_) => "a list".to_owned(),
        Value::Object(_) => "a mapping".to_owned(),
    }
}

fn compact(value: &Value) -> String {
    let s = value.to_string();
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(60).collect::<String>())
    } else {
        s
    }
}

/// The schema in file form, ready to write as YAML or JSON. Reading it back
/// gives an equal schema.
pub(crate) fn to_value(schema: &Schema) -> Value {
    let tables: Map<String, Value> = schema
        .tables
        .iter()
        .map(|t| (t.name.to_string(), table_value(t)))
        .collect();
    let mut doc = json!({ "tables": tables });
    super::declared::write(schema, &mut doc);
    doc
}

fn table_value(table: &Table) -> Value {
    let mut out = Map::new();
    if let Some(doc) = &table.doc {
        out.insert("doc".into(), doc.as_ref().into());
    }
    let composite_pk = table.primary_key().count() > 1;
    let columns: Map<String, Value> = table
        .columns
        .iter()
        .map(|c| (c.name.to_string(), column_value(c, composite_pk)))
        .collect();
    out.insert("columns".into(), Value::Object(columns));
    if composite_pk {
        out.insert(
            "primary_key".into(),
            table.primary_key().map(|c| c.name.as_ref()).collect(),
        );
    }
    if !table.unique.is_empty() {
        out.insert("unique".into(), table.unique.iter().map(names_value).collect());
    }
    if !table.foreign_keys.is_empty() {
        let fks = table.foreign_keys.iter().map(|fk| {
            json!({
                "columns": names_value(&fk.columns),
                "references": { "table": fk.table.as_ref(), "columns": names_value(&fk.references) },
            })
        });
        out.insert("foreign_keys".into(), fks.collect());
    }
    Value::Object(out)
}

fn column_value(col: &Column, composite_pk: bool) -> Value {
    let mut out = Map::new();
    out.insert("type".into(), col.ty.name().into());
    if let Some(kind) = &col.kind {
        out.insert("kind".into(), kind.as_ref().into());
    }
    let flags = [
        ("primary_key", col.primary_key && !composite_pk),
        ("nullable", col.nullable),
        ("unique", col.unique),
    ];
    for (key, set) in flags {
        if set {
            out.insert(key.into(), true.into());
        }
    }
    if let Some(fk) = &col.foreign_key {
        out.insert("foreign_key".into(), fk.to_string().into());
    }
    if let Some(max) = col.max_length {
        out.insert("max_length".into(), max.into());
    }
    if let Some(range) = &col.range {
        out.insert(
            "range".into(),
            json!([literal_value(&range.min), literal_value(&range.max)]),
        );
    }
    if let Some(one_of) = &col.one_of {
        out.insert("one_of".into(), one_of.iter().map(literal_value).collect());
    }
    if let Some(pattern) = &col.pattern {
        out.insert("pattern".into(), pattern.as_ref().into());
    }
    if let Some(generator) = &col.generator {
        out.insert("generator".into(), generator.as_ref().into());
    }
    if let Some(doc) = &col.doc {
        out.insert("doc".into(), doc.as_ref().into());
    }
    Value::Object(out)
}

fn names_value(names: &List<Text>) -> Value {
    names.iter().map(|n| Value::from(n.as_ref())).collect()
}

fn literal_value(lit: &Literal) -> Value {
    match lit {
        Literal::Bool(b) => (*b).into(),
        Literal::Int(i) => (*i).into(),
        Literal::Float(x) => (*x).into(),
        Literal::Text(s) => s.as_ref().into(),
    }
}
