//! Values in the form each backend takes them, converted for the column's
//! real SQL type. A value that cannot fit its column is an error naming
//! the table and column.

use std::borrow::Cow;

use super::catalog::SqlType;
use crate::error::{Error, Result};
use crate::value::Value;

/// Where a value goes, for error messages.
pub(crate) struct Cell<'a> {
    pub(crate) table: &'a str,
    pub(crate) column: &'a str,
    pub(crate) ty: &'a SqlType,
    pub(crate) sql: &'a str,
}

impl Cell<'_> {
    fn error(&self, value: &Value, expected: &str) -> Error {
        Error::Database {
            source: None,
            context: format!("loading table `{}`", self.table),
            message: format!(
                "column `{}` is {}: cannot store `{}` ({expected})",
                self.column,
                self.sql,
                shorten(&value.to_string())
            ),
        }
    }
}

fn shorten(s: &str) -> Cow<'_, str> {
    match s.char_indices().nth(60) {
        Some((i, _)) => Cow::Owned(format!("{}…", &s[..i])),
        None => Cow::Borrowed(s),
    }
}

/// PostgreSQL's text input form of a value (what COPY and `$1::type` take);
/// `None` is NULL.
pub(crate) fn pg_text<'v>(value: &'v Value, cell: &Cell<'_>) -> Result<Option<Cow<'v, str>>> {
    Ok(Some(match (value, cell.ty) {
        (Value::Null, _) => return Ok(None),
        (Value::Bool(b), t) if t.is_integer() => Cow::Borrowed(if *b { "1" } else { "0" }),
        (Value::Bool(b), _) => Cow::Borrowed(if *b { "t" } else { "f" }),
        (Value::Int(i), _) => Cow::Owned(i.to_string()),
        (Value::Float(x), t) if t.is_integer() && x.fract() != 0.0 => {
            return Err(cell.error(value, "expected a whole number"));
        }
        (Value::Float(x), _) if x.is_nan() => Cow::Borrowed("NaN"),
        (Value::Float(x), _) if x.is_infinite() => {
            Cow::Borrowed(if *x > 0.0 { "Infinity" } else { "-Infinity" })
        }
        (Value::Float(x), _) => Cow::Owned(x.to_string()),
        (Value::Text(s), t) if t.is_integer() && s.trim().parse::<i64>().is_err() => {
            return Err(cell.error(value, "expected a whole number"));
        }
        (Value::Text(s), _) if s.contains('\0') => {
            return Err(cell.error(value, "PostgreSQL text cannot hold a NUL character"));
        }
        (Value::Text(s), _) => Cow::Borrowed(s.as_str()),
        (Value::Json(doc), SqlType::Array(_)) => match doc {
            serde_json::Value::Array(_) => Cow::Owned(pg_array(doc)),
            _ => return Err(cell.error(value, "an array column takes a JSON array")),
        },
        (Value::Json(doc), _) => Cow::Owned(doc.to_string()),
    }))
}

/// A JSON array as a PostgreSQL array literal: `{1,"a b",NULL,{2,3}}`.
fn pg_array(doc: &serde_json::Value) -> String {
    fn push(out: &mut String, v: &serde_json::Value) {
        match v {
            serde_json::Value::Null => out.push_str("NULL"),
            serde_json::Value::Bool(b) => out.push_str(if *b { "t" } else { "f" }),
            serde_json::Value::Number(n) => out.push_str(&n.to_string()),
            serde_json::Value::Array(items) => {
                out.push('{');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    push(out, item);
                }
                out.push('}');
            }
            other => {
                let text = match other {
                    serde_json::Value::String(s) => s.clone(),
                    doc => doc.to_string(),
                };
                out.push('"');
                for ch in text.chars() {
                    if ch == '"' || ch == '\\' {
                        out.push('\\');
                    }
                    out.push(ch);
                }
                out.push('"');
            }
        }
    }
    let mut out = String::new();
    push(&mut out, doc);
    out
}

/// Appends one field of PostgreSQL's CSV COPY format: NULL is an empty
/// unquoted field; text is always quoted (so `""` is the empty string and
/// a lone `\.` is data, not the end marker).
pub(crate) fn pg_csv_field(buf: &mut Vec<u8>, value: &Value, cell: &Cell<'_>) -> Result<()> {
    let Some(text) = pg_text(value, cell)? else {
        return Ok(());
    };
    match value {
        Value::Int(_) | Value::Float(_) | Value::Bool(_) => buf.extend_from_slice(text.as_bytes()),
        _ => {
            buf.push(b'"');
            for &b in text.as_bytes() {
                if b == b'"' {
                    buf.push(b'"');
                }
                buf.push(b);
            }
            buf.push(b'"');
        }
    }
    Ok(())
}

/// A value ready to bind to a MySQL or SQLite statement.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Bind {
    Null,
    Int(i64),
    Float(f64),
    Bool(bool),
    Text(String),
}

impl Bind {
    /// Roughly how many bytes the value takes on the wire.
    pub(crate) fn size(&self) -> usize {
        match self {
            Bind::Text(s) => s.len() + 9,
            _ => 9,
        }
    }
}

/// The value to bind for a MySQL / SQLite column: dates and times in the
/// `YYYY-MM-DD HH:MM:SS` form both take, JSON as text.
pub(crate) fn bind_value(value: &Value, cell: &Cell<'_>) -> Result<Bind> {
    Ok(match (value, cell.ty) {
        (Value::Null, _) => Bind::Null,
        (Value::Bool(b), _) => Bind::Bool(*b),
        (Value::Int(i), _) => Bind::Int(*i),
        (Value::Float(x), t) if t.is_integer() => {
            if x.fract() != 0.0 {
                return Err(cell.error(value, "expected a whole number"));
            }
            Bind::Int(*x as i64)
        }
        (Value::Float(x), _) => Bind::Float(*x),
        (Value::Text(s), t) if t.is_integer() => match s.trim().parse() {
            Ok(i) => Bind::Int(i),
            Err(_) => return Err(cell.error(value, "expected a whole number")),
        },
        (Value::Text(s), SqlType::Timestamp) => Bind::Text(crate::seed::sql_datetime(s).into_owned()),
        (Value::Text(s), _) => Bind::Text(s.clone()),
        (Value::Json(doc), _) => Bind::Text(doc.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(ty: &SqlType) -> Cell<'_> {
        Cell {
            table: "t",
            column: "c",
            ty,
            sql: "x",
        }
    }

    #[test]
    fn csv_fields_quote_text_and_leave_null_empty() {
        let text = SqlType::Text { max: None };
        let mut buf = Vec::new();
        for v in [
            Value::Null,
            Value::from(""),
            Value::from("a\"b,c"),
            Value::Int(7),
            Value::from("\\."),
        ] {
            pg_csv_field(&mut buf, &v, &cell(&text)).unwrap();
            buf.push(b'|');
        }
        assert_eq!(String::from_utf8(buf).unwrap(), "|\"\"|\"a\"\"b,c\"|7|\"\\.\"|");
    }

    #[test]
    fn json_arrays_become_postgres_array_literals() {
        let ty = SqlType::Array(Box::new(SqlType::Text { max: None }));
        let v = Value::Json(serde_json::json!(["a b", "q\"", null, [1, 2]]));
        assert_eq!(
            pg_text(&v, &cell(&ty)).unwrap().unwrap(),
            r#"{"a b","q\"",NULL,{1,2}}"#
        );
        let err = pg_text(&Value::Json(serde_json::json!({"a": 1})), &cell(&ty)).unwrap_err();
        assert!(err.to_string().contains("column `c`"), "{err}");
    }

    #[test]
    fn text_in_an_integer_column_is_an_error_naming_the_column() {
        let ty = SqlType::Int { unsigned: false };
        let err = bind_value(&Value::from("abc"), &cell(&ty))
            .unwrap_err()
            .to_string();
        assert!(err.contains("table `t`") && err.contains("column `c`"), "{err}");
        assert_eq!(bind_value(&Value::from("42"), &cell(&ty)).unwrap(), Bind::Int(42));
    }
}
