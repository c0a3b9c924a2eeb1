//! Reading a model's answer: find the rows in whatever text came back (prose
//! around the JSON, a reply cut off mid-row), decode each row on its own,
//! coerce values where nothing is lost, and validate them against the schema.

use serde_json::Value as Json;

use super::repair::near_miss;
use crate::check::value_problem;
use crate::schema::{Column, DataType, Table};
use crate::value::{Row, Value};

/// The rows found in one reply: each element of the `rows` array, parsed
/// on its own, or why it could not be.
#[derive(Debug, Default)]
pub(crate) struct Salvage {
    pub(crate) rows: Vec<Result<Json, String>>,
    /// The text ended inside the array (a cut-off reply).
    pub(crate) truncated: bool,
}

/// Finds the array of rows in `text` and parses its elements one by one, so
/// one broken row (or a reply cut off in the middle) costs only that row.
///
/// The array is the one after a `"rows"` key, else the first `[` of the
/// text; a lone object is taken as one row.
pub(crate) fn salvage(text: &str) -> Salvage {
    let bytes = text.as_bytes();
    let start = find_rows_key(text)
        .and_then(|after| text[after..].find('[').map(|i| after + i))
        .or_else(|| text.find('['));
    let Some(start) = start else {
        // No array at all: maybe a single object.
        if let Some(open) = text.find('{') {
            let (end, complete) = scan_value(bytes, open);
            let mut out = Salvage {
                truncated: !complete,
                ..Salvage::default()
            };
            if complete {
                out.rows.push(parse(&text[open..end]));
            }
            return out;
        }
        return Salvage::default();
    };
    let mut out = Salvage::default();
    let mut i = start + 1;
    loop {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b',') {
            i += 1;
        }
        if i >= bytes.len() {
            out.truncated = true;
            return out;
        }
        if bytes[i] == b']' {
            return out;
        }
        let (end, complete) = scan_value(bytes, i);
        if !complete {
            out.truncated = true;
            return out;
        }
        if end == i {
            // A stray `}` where the array's `]` belongs: the array is over.
            return out;
        }
        out.rows.push(parse(&text[i..end]));
        i = end;
    }
}

/// Where the text after the `"rows"` key (and its colon) starts.
fn find_rows_key(text: &str) -> Option<usize> {
    let at = text.find("\"rows\"")?;
    let rest = &text[at + 6..];
    let colon = rest.find(':')?;
    rest[..colon].trim().is_empty().then_some(at + 6 + colon + 1)
}

fn parse(slice: &str) -> Result<Json, String> {
    serde_json::from_str(slice).map_err(|e| format!("not valid JSON ({e}): {}", cut(slice, 120)))
}

/// The end of the JSON value starting at `start` (an object, an array, a
/// string or a scalar), and whether it is complete.
fn scan_value(bytes: &[u8], start: usize) -> (usize, bool) {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut i = start;
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
                if depth == 0 {
                    return (i + 1, true);
                }
            }
        } else {
            match b {
                b'"' => in_string = true,
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    if depth == 0 {
                        return (i, true); // a scalar ended by the enclosing array
                    }
                    depth -= 1;
                    if depth == 0 {
                        return (i + 1, true);
                    }
                }
                b',' if depth == 0 => return (i, true),
                _ => {}
            }
        }
        i += 1;
    }
    (bytes.len(), false)
}

/// The values of the model's columns `cols` in one row, coerced, repaired
/// where nothing material is lost ([`super::repair::near_miss`]) and
/// validated, with how many values were repaired; an `Err` says what is
/// wrong with the row. Objects and arrays are both accepted whatever format
/// was asked for; extra keys are ignored; a missing key of a nullable
/// column is NULL.
pub(crate) fn decode_row(
    table: &Table,
    cols: &[usize],
    patterns: &[Option<regex::Regex>],
    row: &Json,
) -> Result<(Vec<Value>, u64), String> {
    let mut out = Vec::with_capacity(cols.len());
    let mut repaired = 0;
    for (k, &c) in cols.iter().enumerate() {
        let col = &table.columns[c];
        let raw = match row {
            Json::Object(map) => match map.get(col.name.as_ref()) {
                Some(v) => v,
                None if col.nullable => &Json::Null,
                None => return Err(format!("`{}` is missing", col.name)),
            },
            Json::Array(items) if items.len() == cols.len() => &items[k],
            Json::Array(items) => {
                return Err(format!(
                    "a record has {} values, {} were asked for",
                    items.len(),
                    cols.len()
                ));
            }
            other => {
                return Err(format!(
                    "a record is not an object or an array: {}",
                    cut(&other.to_string(), 80)
                ));
            }
        };
        let value = match coerce(col, raw) {
            Ok(value) => value,
            Err(why) => match near_miss(
                table,
                col,
                &Value::Text(raw.as_str().unwrap_or_default().to_owned()),
            ) {
                Some(fixed) if raw.is_string() => {
                    repaired += 1;
                    fixed
                }
                _ => return Err(format!("`{}`: {why}", col.name)),
            },
        };
        let value = match value_problem(col, patterns[k].as_ref(), &value) {
            None => value,
            Some((_, why)) => match near_miss(table, col, &value) {
                Some(fixed) if value_problem(col, patterns[k].as_ref(), &fixed).is_none() => {
                    repaired += 1;
                    fixed
                }
                _ => return Err(format!("`{}`: {why}", col.name)),
            },
        };
        out.push(value);
    }
    Ok((out, repaired))
}

/// A JSON value as the column's [`Value`], converting only where nothing is
/// lost: `"42"` → 42 for integers, `42` → `"42"` for text, `3.0` → 3,
/// `"true"` → true.
pub(crate) fn coerce(col: &Column, raw: &Json) -> Result<Value, String> {
    let wrong = || format!("{} is not a {}", cut(&raw.to_string(), 60), col.ty);
    Ok(match (col.ty, raw) {
        (_, Json::Null) => Value::Null,
        (DataType::Json, Json::String(s)) => {
            serde_json::from_str(s).map_or_else(|_| Value::Json(raw.clone()), Value::Json)
        }
        (DataType::Json, other) => Value::Json(other.clone()),
        (DataType::Integer, Json::Number(n)) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => Value::Int(i),
            (None, Some(x)) if x.fract() == 0.0 && x.abs() < 9.0e15 => Value::Int(x as i64),
            _ => return Err(wrong()),
        },
        (DataType::Integer, Json::String(s)) => Value::Int(s.trim().parse().map_err(|_| wrong())?),
        (DataType::Float, Json::Number(n)) => Value::Float(n.as_f64().ok_or_else(wrong)?),
        (DataType::Float, Json::String(s)) => {
            let x: f64 = s.trim().parse().map_err(|_| wrong())?;
            if !x.is_finite() {
                return Err(wrong());
            }
            Value::Float(x)
        }
        (DataType::Decimal, Json::Number(n)) => Value::Text(n.to_string()),
        (DataType::Boolean, Json::Bool(b)) => Value::Bool(*b),
        (DataType::Boolean, Json::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => return Err(wrong()),
        },
        (DataType::Text, Json::Number(n)) => Value::Text(n.to_string()),
        (DataType::Text, Json::Bool(b)) => Value::Text(b.to_string()),
        (DataType::Decimal, Json::String(s)) => Value::Text(s.trim().to_owned()),
        (
            DataType::Text | DataType::Date | DataType::DateTime | DataType::Time | DataType::Uuid,
            Json::String(s),
        ) => Value::Text(s.clone()),
        _ => return Err(wrong()),
    })
}

/// The rows as the model would write them: `{"rows":[…]}` in `format`, no
/// spaces. Used to measure formats and by tests' mock servers.
pub(crate) fn encode_rows(table: &Table, cols: &[usize], rows: &[Row], objects: bool) -> String {
    let rows: Vec<Json> = rows
        .iter()
        .map(|row| {
            if objects {
                Json::Object(
                    cols.iter()
                        .map(|&c| (table.columns[c].name.to_string(), row[c].to_json()))
                        .collect(),
                )
            } else {
                Json::Array(cols.iter().map(|&c| row[c].to_json()).collect())
            }
        })
        .collect();
    serde_json::json!({ "rows": rows }).to_string()
}

/// `text` cut to at most `max` characters, with how much was left out.
pub(crate) fn cut(text: &str, max: usize) -> String {
    let count = text.chars().count();
    if count <= max {
        return text.to_owned();
    }
    let head: String = text.chars().take(max).collect();
    format!("{head}… ({} more characters)", count - max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_array_closed_by_a_brace_ends_instead_of_looping() {
        // Found by fuzzing (fuzz/fuzz_targets/llm_reply.rs): the stray `}`
        // used to be read as an empty value, forever.
        let text = r#"{"rows": [["Acme Corp", "Retail", "https://acme.example", "Activ[", "11 Main St"]}"#;
        let found = salvage(text);
        assert_eq!(found.rows.len(), 1);
        assert!(found.rows[0].is_ok());
        for text in ["[}", "[ , }", r#"{"rows": [}"#, "[1, }]"] {
            assert!(salvage(text).rows.len() <= 1, "{text}");
        }
    }

    #[test]
    fn rows_are_found_behind_prose_and_code_fences() {
        let text = "Sure! Here you go:\n```json\n{\"rows\": [[\"a\", 1], [\"b\", 2]]}\n```\nEnjoy.";
        let found = salvage(text);
        assert!(!found.truncated);
        assert_eq!(found.rows.len(), 2);
        assert_eq!(found.rows[1].as_ref().unwrap(), &serde_json::json!(["b", 2]));
    }

    #[test]
    fn a_reply_cut_mid_row_keeps_the_complete_rows() {
        let text = r#"{"rows": [{"name": "a"}, {"name": "b, \"quoted]"}, {"name": "c"#;
        let found = salvage(text);
        assert!(found.truncated);
        assert_eq!(found.rows.len(), 2);
        assert_eq!(found.rows[1].as_ref().unwrap()["name"], "b, \"quoted]");
    }

    #[test]
    fn one_broken_row_does_not_spoil_the_others() {
        let found = salvage(r#"{"rows": [{"a": 1}, {"a": 2,,}, {"a": 3}]}"#);
        assert_eq!(found.rows.len(), 3);
        assert!(found.rows[1].is_err());
        assert!(found.rows[2].is_ok());
    }

    #[test]
    fn lossless_coercions_only() {
        let int = Column::new("n", DataType::Integer);
        assert_eq!(coerce(&int, &serde_json::json!("42")).unwrap(), Value::Int(42));
        assert_eq!(coerce(&int, &serde_json::json!(7.0)).unwrap(), Value::Int(7));
        assert!(coerce(&int, &serde_json::json!(7.5)).is_err());
        assert!(coerce(&int, &serde_json::json!("forty")).is_err());
        let text = Column::new("t", DataType::Text);
        assert_eq!(coerce(&text, &serde_json::json!(12)).unwrap(), Value::from("12"));
        let flag = Column::new("b", DataType::Boolean);
        assert_eq!(
            coerce(&flag, &serde_json::json!("TRUE")).unwrap(),
            Value::Bool(true)
        );
        assert!(coerce(&flag, &serde_json::json!(1)).is_err());
        let date = Column::new("d", DataType::Date);
        assert!(coerce(&date, &serde_json::json!(20240101)).is_err());
    }
}
