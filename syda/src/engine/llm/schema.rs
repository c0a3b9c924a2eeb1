//! The JSON schema of a model's answer, one sub-schema per column (type,
//! nullability, enum, numeric bounds, string length, format, pattern), in
//! the dialect each provider enforces.
//!
//! A server that decodes under a grammar (llama.cpp, vLLM, Ollama, OpenAI
//! strict mode, Gemini, Anthropic strict tools) can then enforce each column
//! while the model writes, instead of letting any cell be any scalar. What a
//! dialect cannot say stays in the prompt and is always checked locally.

use serde_json::{Map, Value as Json, json};

use super::config::RowFormat;
use crate::engine::infer_kind;
use crate::schema::{Column, DataType, Literal, Table};

/// The JSON Schema flavour a provider accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    /// OpenAI structured outputs, strict: every property required,
    /// `additionalProperties: false`, nullable as `["type", "null"]`; no
    /// `maxLength`/`minLength` and no `prefixItems` (strict mode rejects them).
    OpenAiStrict,
    /// Full JSON Schema, `prefixItems` included: what llama.cpp, vLLM and
    /// Ollama turn into a decoding grammar.
    JsonSchema,
    /// Anthropic strict tool input: no numeric bounds, no string lengths, no
    /// `minItems` above 1, `additionalProperties: false` on every object.
    AnthropicStrict,
    /// Gemini `responseJsonSchema`: type lists, `enum`, `minimum`/`maximum`,
    /// `format` date/date-time/time, `prefixItems`, `minItems`/`maxItems`,
    /// `propertyOrdering`; no `pattern` or string lengths.
    Gemini,
}

impl Dialect {
    /// Whether rows can be positional arrays with a schema per position.
    pub(crate) fn has_prefix_items(self) -> bool {
        matches!(self, Dialect::JsonSchema | Dialect::Gemini)
    }
}

/// The schema of the whole answer: `{"rows": [row, …]}` with exactly `rows`
/// rows, so a grammar-constrained server cannot stop early (or answer `[]`).
pub(crate) fn answer_schema(
    table: &Table,
    cols: &[usize],
    format: RowFormat,
    dialect: Dialect,
    rows: usize,
) -> Json {
    let row = match format {
        RowFormat::Objects => {
            let mut properties = Map::new();
            for &c in cols {
                let col = &table.columns[c];
                properties.insert(col.name.to_string(), column_schema(table, col));
            }
            let required: Vec<&str> = cols.iter().map(|&c| table.columns[c].name.as_ref()).collect();
            json!({
                "type": "object",
                "properties": properties,
                "required": required,
                "additionalProperties": false,
            })
        }
        RowFormat::Compact if dialect.has_prefix_items() => {
            let items: Vec<Json> = cols
                .iter()
                .map(|&c| column_schema(table, &table.columns[c]))
                .collect();
            json!({
                "type": "array",
                "prefixItems": items,
                "minItems": cols.len(),
                "maxItems": cols.len(),
            })
        }
        RowFormat::Compact => {
            // No positional schemas in this dialect: each cell may be any of
            // the row's types; the prompt gives the order, local checks the rest.
            let mut kinds: Vec<&str> = Vec::new();
            for &c in cols {
                let col = &table.columns[c];
                let kind = match base_type(col.ty).0 {
                    "integer" | "number" => "number",
                    other => other,
                };
                if !kinds.contains(&kind) {
                    kinds.push(kind);
                }
                if col.nullable && !kinds.contains(&"null") {
                    kinds.push("null");
                }
            }
            let any_of: Vec<Json> = kinds.iter().map(|k| json!({ "type": k })).collect();
            json!({
                "type": "array",
                "items": { "anyOf": any_of },
                "minItems": cols.len(),
                "maxItems": cols.len(),
            })
        }
    };
    let schema = json!({
        "type": "object",
        "properties": { "rows": { "type": "array", "items": row, "minItems": rows, "maxItems": rows } },
        "required": ["rows"],
        "additionalProperties": false,
    });
    adapt(schema, dialect)
}

/// `(JSON type, format)` of a column's values.
fn base_type(ty: DataType) -> (&'static str, Option<&'static str>) {
    match ty {
        DataType::Integer => ("integer", None),
        DataType::Float => ("number", None),
        DataType::Boolean => ("boolean", None),
        DataType::Date => ("string", Some("date")),
        DataType::DateTime => ("string", Some("date-time")),
        DataType::Time => ("string", Some("time")),
        DataType::Uuid => ("string", Some("uuid")),
        DataType::Decimal | DataType::Text | DataType::Json => ("string", None),
    }
}

/// A column's schema in plain JSON Schema, every constraint included.
pub(crate) fn column_schema(table: &Table, col: &Column) -> Json {
    let (ty, format) = base_type(col.ty);
    let mut schema = Map::new();
    schema.insert(
        "type".into(),
        if col.nullable {
            json!([ty, "null"])
        } else {
            json!(ty)
        },
    );
    let mut description = col.doc.as_deref().map(str::trim).unwrap_or_default().to_owned();
    match col.ty {
        DataType::Decimal => {
            schema.insert("pattern".into(), json!("^-?[0-9]+(\\.[0-9]+)?$"));
        }
        DataType::Json => {
            description = format!("{description} (a JSON document written as text)")
                .trim()
                .to_owned();
        }
        _ => {}
    }
    if !description.is_empty() {
        schema.insert("description".into(), json!(description));
    }
    let kind = col.kind.as_deref().or_else(|| infer_kind(table, col));
    let format = format.or((col.ty == DataType::Text && kind == Some("email")).then_some("email"));
    if let Some(format) = format {
        schema.insert("format".into(), json!(format));
    }
    if let Some(values) = &col.one_of {
        let mut list: Vec<Json> = values.iter().map(|l| literal_json(col.ty, l)).collect();
        if col.nullable {
            list.push(Json::Null);
        }
        schema.insert("enum".into(), Json::Array(list));
    }
    if let Some(range) = col.range.as_ref().filter(|_| col.ty.is_numeric()) {
        if let Some(min) = range.min.as_f64() {
            schema.insert("minimum".into(), number(min));
        }
        if let Some(max) = range.max.as_f64() {
            schema.insert("maximum".into(), number(max));
        }
    }
    if let Some(max) = col.max_length.filter(|_| col.ty == DataType::Text) {
        schema.insert("maxLength".into(), json!(max));
    }
    if let Some(pattern) = &col.pattern {
        // A plain group: grammar builders (llama.cpp) read `(…)` but not `(?:…)`.
        schema.insert("pattern".into(), json!(format!("^({pattern})$")));
    }
    Json::Object(schema)
}

fn number(x: f64) -> Json {
    if x.fract() == 0.0 && x.abs() < 9.0e15 {
        json!(x as i64)
    } else {
        json!(x)
    }
}

fn literal_json(ty: DataType, lit: &Literal) -> Json {
    match lit {
        Literal::Bool(b) => json!(b),
        Literal::Int(i) if ty == DataType::Text || ty == DataType::Decimal => json!(i.to_string()),
        Literal::Int(i) => json!(i),
        Literal::Float(x) if ty == DataType::Text || ty == DataType::Decimal => json!(x.to_string()),
        Literal::Float(x) => json!(x),
        Literal::Text(s) => json!(s),
    }
}

/// Removes or rewrites what `dialect` does not accept. Keywords are
/// rewritten only where a schema stands (the schema itself, `items`,
/// `prefixItems`, `anyOf`, each value of `properties`): a column named
/// `type`, `format` or `enum` is a property name, not a keyword.
pub(crate) fn adapt(schema: Json, dialect: Dialect) -> Json {
    let Json::Object(map) = schema else {
        return schema;
    };
    let mut out = Map::new();
    let is_array = map.get("type").is_some_and(|t| t == "array");
    for (key, value) in map {
        match (dialect, key.as_str()) {
            // Sub-schemas: adapted in turn.
            (_, "properties") => {
                let props = match value {
                    Json::Object(props) => props
                        .into_iter()
                        .map(|(name, sub)| (name, adapt(sub, dialect)))
                        .collect(),
                    other => return other,
                };
                out.insert(key, Json::Object(props));
            }
            (_, "items") => {
                out.insert(key, adapt(value, dialect));
            }
            (_, "prefixItems" | "anyOf") => {
                let list = match value {
                    Json::Array(items) => items.into_iter().map(|v| adapt(v, dialect)).collect(),
                    other => vec![other],
                };
                out.insert(key, Json::Array(list));
            }
            // Keywords a dialect does not take.
            (Dialect::OpenAiStrict, "maxLength" | "minLength") => {}
            (Dialect::AnthropicStrict, "maxLength" | "minLength" | "minimum" | "maximum") => {}
            (Dialect::AnthropicStrict, "minItems" | "maxItems") if is_array => {}
            (Dialect::Gemini, "pattern" | "maxLength" | "minLength") => {}
            (Dialect::Gemini, "format") if !matches!(value.as_str(), Some("date" | "date-time" | "time")) => {
            }
            _ => {
                out.insert(key, value);
            }
        }
    }
    if dialect == Dialect::Gemini
        && let Some(Json::Object(props)) = out.get("properties")
    {
        let order: Vec<Json> = props.keys().map(|k| json!(k)).collect();
        out.insert("propertyOrdering".into(), Json::Array(order));
    }
    Json::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_named_like_keywords_keep_their_schemas() {
        let mut kind = Column::new("type", DataType::Text);
        kind.max_length = Some(10);
        let table = Table::new("t")
            .with_column(kind)
            .with_column(Column::new("format", DataType::Integer))
            .with_column(Column::new("enum", DataType::Date).nullable());
        for dialect in [
            Dialect::OpenAiStrict,
            Dialect::JsonSchema,
            Dialect::AnthropicStrict,
            Dialect::Gemini,
        ] {
            let schema = answer_schema(&table, &[0, 1, 2], RowFormat::Objects, dialect, 3);
            let props = &schema["properties"]["rows"]["items"]["properties"];
            assert_eq!(props["type"]["type"], "string", "{dialect:?}");
            assert_eq!(props["format"]["type"], "integer", "{dialect:?}");
            assert_eq!(props["enum"]["format"], "date", "{dialect:?}");
            assert_eq!(props["enum"]["type"], json!(["string", "null"]), "{dialect:?}");
        }
    }
}
