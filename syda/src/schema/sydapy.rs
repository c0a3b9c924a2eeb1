//! The Python syda's table files, read as they are: one YAML (or JSON) file
//! per table, columns at the top level next to `__dunder__` table keys.
//!
//! ```yaml
//! __table_name__: products            # else the file stem
//! __description__: Products we sell   # or __table_description__
//! __foreign_keys__:
//!   supplier_id: [Supplier, id]       # or "Supplier.id", or { table, column }
//! __depends_on__: [category]          # generation order only
//! id:
//!   type: number
//!   constraints: { primary_key: true }
//! name:
//!   type: string
//!   description: Product name
//!   constraints: { not_null: true, unique: true, max_length: 150 }
//! price: { type: number, min: 1, max: 500, decimals: 2 }   # constraints may sit on the field
//! category_id:
//!   type: foreign_key
//!   references: { schema: Category, field: id }
//! supplier_id: foreign_key            # target found from the name when not given
//! ```
//!
//! Foreign-key targets name tables as syda-py does (`Category`); they are
//! matched to the loaded tables ignoring case and a plural `s`/`es`/`ies`.
//! Document-template keys (`__template__`, `__template_source__`,
//! `__input_file_type__`, `__output_file_type__`) are reported as notes: the
//! table still loads, without the template.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::kinds;
use super::model::{Column, DataType, Literal, Range, Reference, Schema, Table};
use crate::error::Problem;

/// Table-level keys of a syda-py file.
const TABLE_KEYS: &[&str] = &[
    "__table_name__",
    "__description__",
    "__table_description__",
    "__foreign_keys__",
    "__depends_on__",
];
/// Keys syda-py uses for document templates, which syda-rs does not generate.
const TEMPLATE_KEYS: &[&str] = &[
    "__template__",
    "__template_source__",
    "__input_file_type__",
    "__output_file_type__",
];
/// Keys of a field mapping besides its constraints.
const FIELD_KEYS: &[&str] = &["type", "description", "constraints", "references"];
/// Constraint keys, inside `constraints:` or flat on the field.
const CONSTRAINT_KEYS: &[&str] = &[
    "not_null",
    "nullable",
    "unique",
    "primary_key",
    "min",
    "max",
    "min_length",
    "max_length",
    "length",
    "pattern",
    "enum",
    "format",
    "decimals",
    "references",
    "items",
];
/// Field-level keys the syda-rs format shares, accepted in syda-py files too.
const DESCRIPTION_KEYS: &[&str] = &["doc"];

/// Whether a parsed document is a syda-py table file: a `__dunder__` key at
/// the top, or a field written with `description`, `constraints` or
/// `references`.
pub(crate) fn is_sydapy(doc: &Value) -> bool {
    let Some(top) = doc.as_object() else {
        return false;
    };
    if top.contains_key("tables") || top.contains_key("columns") {
        return false;
    }
    top.keys().any(|k| is_dunder(k))
        || top.values().any(|v| {
            v.as_object().is_some_and(|f| {
                f.contains_key("description") || f.contains_key("constraints") || f.contains_key("references")
            })
        })
}

fn is_dunder(key: &str) -> bool {
    key.len() > 4 && key.starts_with("__") && key.ends_with("__")
}

/// One syda-py table file as a schema of one table. `default_name` (the
/// file stem) names it when `__table_name__` does not. Problems make the
/// load fail; notes are keys read but not acted on.
pub(crate) fn interpret(doc: &Value, default_name: &str, notes: &mut Vec<Problem>) -> (Schema, Vec<Problem>) {
    let mut problems = Vec::new();
    let Some(top) = doc.as_object() else {
        problems.push(Problem::schema("expected a mapping of field names to fields"));
        return (Schema::default(), problems);
    };
    let name = match top.get("__table_name__") {
        Some(Value::String(name)) if !name.trim().is_empty() => name.clone(),
        Some(other) => {
            problems.push(Problem::schema(format!(
                "`__table_name__` must be a table name, found {other}"
            )));
            default_name.to_owned()
        }
        None => default_name.to_owned(),
    };
    let mut table = Table::new(name.clone());
    let table_problem = |msg: String| Problem::table(&name, msg);

    for key in top.keys().filter(|k| is_dunder(k)) {
        if TEMPLATE_KEYS.contains(&key.as_str()) {
            notes.push(table_problem(format!(
                "`{key}` (a document template) is not supported by syda-rs and is ignored; the table's fields load as data columns"
            )));
        } else if !TABLE_KEYS.contains(&key.as_str()) {
            problems.push(table_problem(format!(
                "unknown table key `{key}`; expected one of {}, or a field",
                TABLE_KEYS.join(", ")
            )));
        }
    }
    for key in ["__description__", "__table_description__"] {
        match top.get(key) {
            Some(Value::String(doc)) if table.doc.is_none() => table.doc = Some(Cow::Owned(doc.clone())),
            Some(Value::String(_)) | None => {}
            Some(other) => problems.push(table_problem(format!("`{key}` must be text, found {other}"))),
        }
    }
    if let Some(depends) = top.get("__depends_on__") {
        let ok = match depends {
            Value::String(_) => true,
            Value::Array(items) => items.iter().all(Value::is_string),
            _ => false,
        };
        if !ok {
            problems.push(table_problem(format!(
                "`__depends_on__` must be a table name or a list of them, found {depends}"
            )));
        }
    }

    let mut columns = Vec::new();
    for (field, spec) in top.iter().filter(|(k, _)| !is_dunder(k)) {
        columns.push(column(&name, field, spec, &mut problems, notes));
    }
    if let Some(fks) = top.get("__foreign_keys__") {
        match fks.as_object() {
            Some(fks) => {
                for (field, target) in fks {
                    let Some(col) = columns.iter_mut().find(|c| c.name == *field) else {
                        problems.push(table_problem(format!(
                            "`__foreign_keys__` names field `{field}`, which the table does not have"
                        )));
                        continue;
                    };
                    match reference(target) {
                        Some(r) => {
                            col.foreign_key = Some(r);
                            col.kind = None;
                        }
                        None => problems.push(Problem::column(
                            &name,
                            field,
                            format!(
                                "bad `__foreign_keys__` target {target}: expected [Table, column], \"Table.column\" or {{ table, column }}"
                            ),
                        )),
                    }
                }
            }
            None => problems.push(table_problem(format!(
                "`__foreign_keys__` must map fields to [Table, column], found {fks}"
            ))),
        }
    }
    table.columns = Cow::Owned(columns);
    (Schema::new([table]), problems)
}

fn column(
    table: &str,
    name: &str,
    spec: &Value,
    problems: &mut Vec<Problem>,
    notes: &mut Vec<Problem>,
) -> Column {
    let mut col = Column::new(name.to_owned(), DataType::Text);
    let at = |msg: String| Problem::column(table, name, msg);
    let fields = match spec {
        Value::String(type_name) => {
            apply_type(&mut col, type_name, problems, at);
            return col;
        }
        Value::Object(fields) => fields,
        other => {
            problems.push(at(format!(
                "expected a type name (e.g. `string`, `email`) or a mapping with `type:`, found {other}"
            )));
            return col;
        }
    };
    for key in fields.keys() {
        let k = key.as_str();
        if !FIELD_KEYS.contains(&k) && !CONSTRAINT_KEYS.contains(&k) && !DESCRIPTION_KEYS.contains(&k) {
            problems.push(at(format!(
                "unknown field key `{key}`; expected {} or a constraint ({})",
                FIELD_KEYS.join(", "),
                CONSTRAINT_KEYS.join(", ")
            )));
        }
    }
    match fields.get("type") {
        Some(Value::String(type_name)) => apply_type(&mut col, type_name, problems, at),
        Some(other) => problems.push(at(format!("`type` must be a type name, found {other}"))),
        None => problems.push(at("missing `type`".to_owned())),
    }
    for key in ["description", "doc"] {
        match fields.get(key) {
            Some(Value::String(doc)) if col.doc.is_none() => col.doc = Some(Cow::Owned(doc.clone())),
            Some(Value::String(_)) | None => {}
            Some(other) => problems.push(at(format!("`{key}` must be text, found {other}"))),
        }
    }
    // Constraints nested under `constraints:`, else flat on the field; both may mix.
    let mut constraints: Map<String, Value> = fields
        .iter()
        .filter(|(k, _)| CONSTRAINT_KEYS.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    match fields.get("constraints") {
        Some(Value::Object(nested)) => {
            for (k, v) in nested {
                if !CONSTRAINT_KEYS.contains(&k.as_str()) {
                    problems.push(at(format!(
                        "unknown constraint `{k}`; expected one of {}",
                        CONSTRAINT_KEYS.join(", ")
                    )));
                }
                constraints.insert(k.clone(), v.clone());
            }
        }
        Some(Value::Null) | None => {}
        Some(other) => problems.push(at(format!("`constraints` must be a mapping, found {other}"))),
    }
    apply_constraints(&mut col, &constraints, problems, notes, at);
    col
}

fn apply_type(
    col: &mut Column,
    type_name: &str,
    problems: &mut Vec<Problem>,
    at: impl Fn(String) -> Problem,
) {
    let lower = type_name.to_ascii_lowercase();
    match lower.as_str() {
        "array" | "object" => col.ty = DataType::Json,
        "foreign_key" => {
            col.ty = DataType::Integer;
            // Resolved from the column name unless a reference is given.
            col.kind = Some(Cow::Borrowed("foreign_key"));
        }
        _ => {
            if let Some(ty) = DataType::from_name(&lower) {
                col.ty = ty;
            } else if let Some(k) = kinds::kind(&lower) {
                col.ty = k.ty;
                col.kind = Some(Cow::Owned(lower));
            } else {
                problems.push(at(format!(
                    "unknown type `{type_name}`; expected a syda type (string, text, integer, number, float, boolean, date, datetime, array, object, foreign_key) or a kind such as email, phone, address, url"
                )));
            }
        }
    }
}

fn apply_constraints(
    col: &mut Column,
    c: &Map<String, Value>,
    problems: &mut Vec<Problem>,
    notes: &mut Vec<Problem>,
    at: impl Fn(String) -> Problem,
) {
    let flag = |key: &str, problems: &mut Vec<Problem>| match c.get(key) {
        Some(Value::Bool(b)) => Some(*b),
        Some(other) => {
            problems.push(at(format!("`{key}` must be true or false, found {other}")));
            None
        }
        None => None,
    };
    if let Some(not_null) = flag("not_null", problems) {
        col.nullable = !not_null;
    }
    if let Some(nullable) = flag("nullable", problems) {
        col.nullable = nullable;
    }
    col.unique = flag("unique", problems).unwrap_or(false);
    col.primary_key = flag("primary_key", problems).unwrap_or(false);
    let length = |key: &str, problems: &mut Vec<Problem>| match c.get(key) {
        Some(v) => match v.as_u64().and_then(|n| u32::try_from(n).ok()) {
            Some(n) => Some(n),
            None => {
                problems.push(at(format!(
                    "`{key}` must be a whole number of characters, found {v}"
                )));
                None
            }
        },
        None => None,
    };
    col.max_length = length("max_length", problems).or(length("length", problems));
    if length("min_length", problems).is_some_and(|n| n > 1) {
        notes.push(at(
            "`min_length` is not a syda-rs constraint; values are not padded to it".to_owned(),
        ));
    }
    if let Some(pattern) = c.get("pattern") {
        match pattern.as_str() {
            Some(p) => col.pattern = Some(Cow::Owned(p.to_owned())),
            None => problems.push(at(format!(
                "`pattern` must be a regular expression, found {pattern}"
            ))),
        }
    }
    if let Some(values) = c.get("enum") {
        match values
            .as_array()
            .map(|v| v.iter().map(literal).collect::<Option<Vec<_>>>())
        {
            Some(Some(values)) => col.one_of = Some(Cow::Owned(values)),
            _ => problems.push(at(format!(
                "`enum` must be a list of plain values, found {values}"
            ))),
        }
    }
    if let Some(format) = c.get("format") {
        match format.as_str().map(str::to_ascii_lowercase).as_deref() {
            Some("email") => col.kind = Some(Cow::Borrowed("email")),
            Some("phone") => col.kind = Some(Cow::Borrowed("phone")),
            Some("uri" | "url") => col.kind = Some(Cow::Borrowed("url")),
            Some("ipv4") => col.kind = Some(Cow::Borrowed("ipv4")),
            Some("ipv6") => col.kind = Some(Cow::Borrowed("ipv6")),
            Some("uuid") => col.ty = DataType::Uuid,
            Some("date") => col.ty = DataType::Date,
            Some("date-time" | "datetime") => col.ty = DataType::DateTime,
            Some("time") => col.ty = DataType::Time,
            _ => notes.push(at(format!(
                "`format: {format}` is not one syda-rs knows (email, phone, uri, ipv4, ipv6, uuid, date, date-time, time); ignored"
            ))),
        }
    }
    if c.contains_key("decimals") && col.ty == DataType::Integer {
        // syda-py's `number` is any number; decimals make it a float.
        col.ty = DataType::Float;
    }
    if c.contains_key("items") {
        notes.push(at(
            "`items` is not read: the array's elements are generated as JSON".to_owned(),
        ));
    }
    if let Some(target) = c.get("references") {
        match reference(target) {
            Some(r) => {
                col.foreign_key = Some(r);
                if col.kind.as_deref() == Some("foreign_key") {
                    col.kind = None;
                }
            }
            None => problems.push(at(format!(
                "bad `references` {target}: expected {{ schema: Table, field: column }}, [Table, column] or \"Table.column\""
            ))),
        }
    }
    let bound = |key: &str, problems: &mut Vec<Problem>| match c.get(key) {
        Some(v) => match literal(v) {
            Some(Literal::Bool(_)) | None => {
                problems.push(at(format!("`{key}` must be a number or a date, found {v}")));
                None
            }
            Some(l) => Some(l),
        },
        None => None,
    };
    let (min, max) = (bound("min", problems), bound("max", problems));
    if let Some(l) = min.as_ref().or(max.as_ref())
        && col.ty == DataType::Integer
        && matches!(l, Literal::Float(_))
    {
        col.ty = DataType::Float;
    }
    col.range = match (min, max) {
        (Some(min), Some(max)) => Some(Range { min, max }),
        (Some(min), None) => Some(Range {
            max: open_bound(&min, true),
            min,
        }),
        (None, Some(max)) => Some(Range {
            min: open_bound(&max, false),
            max,
        }),
        (None, None) => None,
    };
}

/// The other end of a one-sided `min`/`max`: a million past it for
/// numbers, the engine's date window (2015–2025) for dates.
fn open_bound(given: &Literal, upper: bool) -> Literal {
    match (given, upper) {
        (Literal::Int(n), true) => Literal::Int(n.saturating_add(1_000_000).max(*n)),
        (Literal::Int(n), false) => Literal::Int((*n).min(0)),
        (Literal::Float(x), true) => Literal::Float(x + 1_000_000.0),
        (Literal::Float(x), false) => Literal::Float(x.min(0.0)),
        (Literal::Text(s), true) => Literal::Text(Cow::Owned(later(s, "2025-12-31"))),
        (Literal::Text(s), false) => Literal::Text(Cow::Owned(earlier(s, "2015-01-01"))),
        (other, _) => other.clone(),
    }
}

fn later(s: &str, default: &str) -> String {
    if s.get(..10).is_some_and(|d| d > default) {
        s.to_owned()
    } else {
        default.to_owned()
    }
}

fn earlier(s: &str, default: &str) -> String {
    if s.get(..10).is_some_and(|d| d < default) {
        s.to_owned()
    } else {
        default.to_owned()
    }
}

/// `[Table, column]`, `"Table.column"`, `{ schema, field }` or `{ table, column }`.
fn reference(value: &Value) -> Option<Reference> {
    let (table, column) = match value {
        Value::Array(pair) if pair.len() == 2 => (pair[0].as_str()?, pair[1].as_str()?),
        Value::String(s) => s.split_once('.')?,
        Value::Object(m) => (
            m.get("schema").or_else(|| m.get("table"))?.as_str()?,
            m.get("field").or_else(|| m.get("column"))?.as_str()?,
        ),
        _ => return None,
    };
    (!table.is_empty() && !column.is_empty()).then(|| Reference {
        table: Cow::Owned(table.to_owned()),
        column: Cow::Owned(column.to_owned()),
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

/// Points foreign keys written with syda-py's table names (`Category`) at
/// the loaded table they mean (`category`, `categories`): same name
/// ignoring case, or its plural. Targets already naming a table are kept.
pub(crate) fn resolve_table_names(schema: &mut Schema) {
    let names: Vec<String> = schema.tables.iter().map(|t| t.name.to_string()).collect();
    for table in &mut schema.tables {
        for col in table.columns.to_mut() {
            if let Some(r) = &mut col.foreign_key
                && !names.iter().any(|n| *n == r.table)
                && let Some(found) = table_named(&names, &r.table)
            {
                r.table = Cow::Owned(found.to_owned());
            }
        }
    }
}

/// The table of `names` that syda-py's `wanted` means: the same name
/// ignoring case, or its plural.
pub(crate) fn table_named<'n>(names: &'n [String], wanted: &str) -> Option<&'n str> {
    let lower = wanted.to_ascii_lowercase();
    let plural_y = lower.strip_suffix('y').map(|b| format!("{b}ies"));
    let candidates = [
        Some(lower.clone()),
        Some(format!("{lower}s")),
        Some(format!("{lower}es")),
        plural_y,
    ];
    names
        .iter()
        .find(|n| {
            let n = n.to_ascii_lowercase();
            candidates.iter().flatten().any(|c| *c == n)
        })
        .map(String::as_str)
}

/// The tables a syda-py file's `__depends_on__` names (none for other files).
pub(crate) fn depends_on(doc: &Value) -> Vec<String> {
    match doc.get("__depends_on__") {
        Some(Value::String(name)) => vec![name.clone()],
        Some(Value::Array(names)) => names
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(doc: Value) -> (Table, Vec<Problem>, Vec<Problem>) {
        let mut notes = Vec::new();
        let (mut schema, problems) = interpret(&doc, "product", &mut notes);
        (schema.tables.remove(0), problems, notes)
    }

    #[test]
    fn nested_and_flat_constraints_read_alike() {
        let (t, problems, _) = read(json!({
            "__description__": "Products",
            "name": { "type": "string", "description": "Name", "constraints": { "not_null": true, "unique": true, "max_length": 50 } },
            "sku": { "type": "string", "unique": true, "max_length": 12, "pattern": "[A-Z]{3}-[0-9]{4}" },
            "price": { "type": "number", "min": 1, "max": 500, "decimals": 2 },
            "status": { "type": "text", "constraints": { "enum": ["active", "retired"] } },
        }));
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(t.doc.as_deref(), Some("Products"));
        let name = t.column("name").expect("name");
        assert!(name.unique && !name.nullable);
        assert_eq!(name.max_length, Some(50));
        let sku = t.column("sku").expect("sku");
        assert!(sku.unique && sku.pattern.is_some());
        assert_eq!(t.column("price").map(|c| c.ty), Some(DataType::Float));
        assert_eq!(
            t.column("status")
                .and_then(|c| c.one_of.as_ref())
                .map(|v| v.len()),
            Some(2)
        );
    }

    #[test]
    fn all_three_foreign_key_forms_are_read() {
        let (t, problems, _) = read(json!({
            "__foreign_keys__": { "supplier_id": ["Supplier", "id"] },
            "supplier_id": "integer",
            "category_id": { "type": "foreign_key", "references": { "schema": "Category", "field": "id" } },
            "brand_id": "foreign_key",
        }));
        assert!(problems.is_empty(), "{problems:?}");
        let fk = |c: &str| {
            t.column(c)
                .and_then(|c| c.foreign_key.as_ref())
                .map(ToString::to_string)
        };
        assert_eq!(fk("supplier_id").as_deref(), Some("Supplier.id"));
        assert_eq!(fk("category_id").as_deref(), Some("Category.id"));
        assert_eq!(
            t.column("brand_id").and_then(|c| c.kind.as_deref()),
            Some("foreign_key")
        );
    }

    #[test]
    fn template_keys_are_notes_and_unknown_keys_are_problems() {
        let (t, problems, notes) = read(json!({
            "__template__": true,
            "__template_source__": "invoice.html",
            "__colour__": "red",
            "id": { "type": "integer", "constraints": { "primary_key": true, "colour": 1 } },
        }));
        assert_eq!(t.columns.len(), 1);
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(notes[0].message.contains("not supported"), "{}", notes[0]);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems.iter().any(|p| p.message.contains("`__colour__`")));
        assert!(
            problems
                .iter()
                .any(|p| p.message.contains("unknown constraint `colour`"))
        );
    }

    #[test]
    fn table_names_resolve_ignoring_case_and_plural() {
        let mut schema = Schema::new([
            Table::new("categories").with_column(Column::new("id", DataType::Integer).primary_key()),
            Table::new("product")
                .with_column(Column::new("category_id", DataType::Integer).references("Category", "id")),
        ]);
        resolve_table_names(&mut schema);
        let fk = schema.tables[1].columns[0]
            .foreign_key
            .as_ref()
            .map(ToString::to_string);
        assert_eq!(fk.as_deref(), Some("categories.id"));
    }

    #[test]
    fn syda_py_files_are_told_apart_from_syda_rs_files() {
        assert!(is_sydapy(&json!({ "__table_name__": "t", "id": "integer" })));
        assert!(is_sydapy(
            &json!({ "id": { "type": "integer", "description": "key" } })
        ));
        assert!(!is_sydapy(&json!({ "id": "integer", "email": "email" })));
        assert!(!is_sydapy(&json!({ "columns": { "id": "integer" } })));
    }
}
