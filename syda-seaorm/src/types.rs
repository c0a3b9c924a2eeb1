//! SeaORM column types → syda types, and generated values → SeaORM values.

use std::borrow::Cow;
use std::str::FromStr;

use sea_orm::sea_query::{ArrayType, ColumnType, Enum, OptionEnum, StringLen, Value as SeaValue};
use syda::{Column, DataType, Literal, Range, Value};

/// What a column type becomes: the syda type plus the constraints the SQL
/// type itself implies.
pub(crate) struct Mapped {
    pub ty: DataType,
    pub max_length: Option<u32>,
    pub range: Option<Range>,
    pub one_of: Option<Vec<Literal>>,
    /// The SQL type, noted in the doc when syda has no exact type for it.
    pub note: Option<String>,
}

impl Mapped {
    fn of(ty: DataType) -> Mapped {
        Mapped {
            ty,
            max_length: None,
            range: None,
            one_of: None,
            note: None,
        }
    }

    fn max(mut self, n: u32) -> Mapped {
        self.max_length = Some(n);
        self
    }

    fn range(mut self, min: i64, max: i64) -> Mapped {
        self.range = Some(Range {
            min: Literal::Int(min),
            max: Literal::Int(max),
        });
        self
    }

    fn note(mut self, sql: impl Into<String>) -> Mapped {
        self.note = Some(sql.into());
        self
    }
}

/// MySQL's width for a `String(StringLen::None)` (`VARCHAR(255)`); the other
/// backends take any length, so this keeps values valid everywhere.
const DEFAULT_VARCHAR: u32 = 255;

/// Maps a SeaORM column type. Small integer types get their positive range,
/// so generated values fit the column.
pub(crate) fn map_column_type(ty: &ColumnType) -> Mapped {
    match ty {
        ColumnType::Char(n) => Mapped::of(DataType::Text).max(n.unwrap_or(1)),
        ColumnType::String(StringLen::N(n)) => Mapped::of(DataType::Text).max(*n),
        ColumnType::String(StringLen::None) => Mapped::of(DataType::Text).max(DEFAULT_VARCHAR),
        ColumnType::String(StringLen::Max) | ColumnType::Text => Mapped::of(DataType::Text),
        ColumnType::TinyInteger => Mapped::of(DataType::Integer).range(0, i8::MAX.into()),
        ColumnType::SmallInteger => Mapped::of(DataType::Integer).range(0, i16::MAX.into()),
        ColumnType::TinyUnsigned => Mapped::of(DataType::Integer).range(0, u8::MAX.into()),
        ColumnType::SmallUnsigned => Mapped::of(DataType::Integer).range(0, u16::MAX.into()),
        ColumnType::Integer | ColumnType::BigInteger | ColumnType::Unsigned | ColumnType::BigUnsigned => {
            Mapped::of(DataType::Integer)
        }
        ColumnType::Year => Mapped::of(DataType::Integer).range(1901, 2155),
        ColumnType::Float | ColumnType::Double => Mapped::of(DataType::Float),
        ColumnType::Decimal(precision) | ColumnType::Money(precision) => {
            let mut mapped = Mapped::of(DataType::Decimal);
            // Keep values inside DECIMAL(p, s), below 10^(p-s), when the
            // engine's defaults (up to about 2·10^7) would not fit.
            if let Some((p, s)) = precision
                && p > s
                && p - s <= 7
            {
                mapped.range = Some(Range {
                    min: Literal::Int(0),
                    max: Literal::Float(10f64.powi((p - s) as i32) - 1.0),
                });
            }
            mapped
        }
        ColumnType::Boolean => Mapped::of(DataType::Boolean),
        ColumnType::Date => Mapped::of(DataType::Date),
        ColumnType::Time => Mapped::of(DataType::Time),
        ColumnType::DateTime | ColumnType::Timestamp | ColumnType::TimestampWithTimeZone => {
            Mapped::of(DataType::DateTime)
        }
        ColumnType::Json | ColumnType::JsonBinary => Mapped::of(DataType::Json),
        ColumnType::Uuid => Mapped::of(DataType::Uuid),
        ColumnType::Enum { variants, .. } => {
            let mut mapped = Mapped::of(DataType::Text);
            mapped.one_of = Some(
                variants
                    .iter()
                    .map(|v| Literal::Text(Cow::Owned(v.to_string())))
                    .collect(),
            );
            mapped
        }
        ColumnType::Binary(n) => Mapped::of(DataType::Text).max(*n).note("Binary"),
        ColumnType::VarBinary(StringLen::N(n)) => Mapped::of(DataType::Text).max(*n).note("VarBinary"),
        ColumnType::Blob | ColumnType::VarBinary(_) => Mapped::of(DataType::Text).note("Blob"),
        ColumnType::Array(_) => Mapped::of(DataType::Json).note("Array"),
        ColumnType::Custom(name) => Mapped::of(DataType::Text).note(name.to_string()),
        other => Mapped::of(DataType::Text).note(format!("{other:?}")),
    }
}

/// The widest integer range a field of this Rust type holds, for keys
/// counted from an offset.
pub(crate) fn integer_limit(ty: &ArrayType) -> Option<i64> {
    Some(match ty {
        ArrayType::TinyInt => i8::MAX.into(),
        ArrayType::SmallInt => i16::MAX.into(),
        ArrayType::Int => i32::MAX.into(),
        ArrayType::BigInt | ArrayType::BigUnsigned => i64::MAX,
        ArrayType::TinyUnsigned => u8::MAX.into(),
        ArrayType::SmallUnsigned => u16::MAX.into(),
        ArrayType::Unsigned => u32::MAX.into(),
        _ => return None,
    })
}

/// The typed NULL for a field of this Rust type.
pub(crate) fn null_of(ty: &ArrayType) -> Result<SeaValue, String> {
    Ok(match ty {
        ArrayType::Bool => SeaValue::Bool(None),
        ArrayType::TinyInt => SeaValue::TinyInt(None),
        ArrayType::SmallInt => SeaValue::SmallInt(None),
        ArrayType::Int => SeaValue::Int(None),
        ArrayType::BigInt => SeaValue::BigInt(None),
        ArrayType::TinyUnsigned => SeaValue::TinyUnsigned(None),
        ArrayType::SmallUnsigned => SeaValue::SmallUnsigned(None),
        ArrayType::Unsigned => SeaValue::Unsigned(None),
        ArrayType::BigUnsigned => SeaValue::BigUnsigned(None),
        ArrayType::Float => SeaValue::Float(None),
        ArrayType::Double => SeaValue::Double(None),
        ArrayType::String => SeaValue::String(None),
        ArrayType::Enum(name) => SeaValue::Enum(OptionEnum::None((**name).clone())),
        ArrayType::Char => SeaValue::Char(None),
        ArrayType::Bytes => SeaValue::Bytes(None),
        ArrayType::Json => SeaValue::Json(None),
        ArrayType::ChronoDate => SeaValue::ChronoDate(None),
        ArrayType::ChronoTime => SeaValue::ChronoTime(None),
        ArrayType::ChronoDateTime => SeaValue::ChronoDateTime(None),
        ArrayType::ChronoDateTimeUtc => SeaValue::ChronoDateTimeUtc(None),
        ArrayType::ChronoDateTimeLocal => SeaValue::ChronoDateTimeLocal(None),
        ArrayType::ChronoDateTimeWithTimeZone => SeaValue::ChronoDateTimeWithTimeZone(None),
        ArrayType::Uuid => SeaValue::Uuid(None),
        ArrayType::Decimal => SeaValue::Decimal(None),
        // Reached when another crate enables more of sea-query's value types.
        #[allow(unreachable_patterns)]
        other => return Err(format!("fields of type {other:?} are not supported")),
    })
}

/// Converts a generated value into the SeaORM value a field of Rust type
/// `ty` accepts. The message of an `Err` says what was generated and what
/// was expected.
pub(crate) fn to_sea(value: &Value, ty: &ArrayType, column: &Column) -> Result<SeaValue, String> {
    if value.is_null() {
        return null_of(ty);
    }
    let mismatch = || format!("generated {value:?}, which does not fit a {ty:?} field");
    let int = || -> Result<i64, String> {
        match value {
            Value::Int(i) => Ok(*i),
            Value::Float(x) if x.fract() == 0.0 => Ok(*x as i64),
            Value::Text(s) => s.trim().parse().map_err(|_| mismatch()),
            Value::Bool(b) => Ok(i64::from(*b)),
            _ => Err(mismatch()),
        }
    };
    let float = || -> Result<f64, String> {
        match value {
            Value::Int(i) => Ok(*i as f64),
            Value::Float(x) => Ok(*x),
            Value::Text(s) => s.trim().parse().map_err(|_| mismatch()),
            _ => Err(mismatch()),
        }
    };
    let text = || -> String {
        match value {
            Value::Text(s) => s.clone(),
            Value::Json(v) => v.to_string(),
            other => other.to_string(),
        }
    };
    Ok(match ty {
        ArrayType::Bool => SeaValue::Bool(Some(match value {
            Value::Bool(b) => *b,
            Value::Int(i) => *i != 0,
            Value::Text(s) if s == "true" || s == "false" => s == "true",
            _ => return Err(mismatch()),
        })),
        ArrayType::TinyInt => SeaValue::TinyInt(Some(narrow(int()?, value, ty)?)),
        ArrayType::SmallInt => SeaValue::SmallInt(Some(narrow(int()?, value, ty)?)),
        ArrayType::Int => SeaValue::Int(Some(narrow(int()?, value, ty)?)),
        ArrayType::BigInt => SeaValue::BigInt(Some(int()?)),
        ArrayType::TinyUnsigned => SeaValue::TinyUnsigned(Some(narrow(int()?, value, ty)?)),
        ArrayType::SmallUnsigned => SeaValue::SmallUnsigned(Some(narrow(int()?, value, ty)?)),
        ArrayType::Unsigned => SeaValue::Unsigned(Some(narrow(int()?, value, ty)?)),
        ArrayType::BigUnsigned => SeaValue::BigUnsigned(Some(narrow(int()?, value, ty)?)),
        ArrayType::Float => SeaValue::Float(Some(float()? as f32)),
        ArrayType::Double => SeaValue::Double(Some(float()?)),
        ArrayType::String => SeaValue::String(Some(text())),
        ArrayType::Char => {
            let s = text();
            let mut chars = s.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => SeaValue::Char(Some(c)),
                _ => return Err(format!("generated {s:?}, but a char field holds one character")),
            }
        }
        ArrayType::Bytes => SeaValue::Bytes(Some(text().into_bytes())),
        ArrayType::Enum(name) => SeaValue::Enum(OptionEnum::Some(Box::new(Enum {
            type_name: (**name).clone(),
            value: Cow::Owned(text()),
        }))),
        ArrayType::Json => SeaValue::Json(Some(Box::new(match value {
            Value::Json(v) => v.clone(),
            other => other.to_json(),
        }))),
        ArrayType::ChronoDate => SeaValue::ChronoDate(Some(parse_date(&text()).ok_or_else(mismatch)?)),
        ArrayType::ChronoTime => SeaValue::ChronoTime(Some(parse_time(&text()).ok_or_else(mismatch)?)),
        ArrayType::ChronoDateTime => {
            SeaValue::ChronoDateTime(Some(parse_datetime(&text()).ok_or_else(mismatch)?.naive_utc()))
        }
        ArrayType::ChronoDateTimeUtc => {
            SeaValue::ChronoDateTimeUtc(Some(parse_datetime(&text()).ok_or_else(mismatch)?.to_utc()))
        }
        ArrayType::ChronoDateTimeLocal => SeaValue::ChronoDateTimeLocal(Some(
            parse_datetime(&text())
                .ok_or_else(mismatch)?
                .with_timezone(&chrono::Local),
        )),
        ArrayType::ChronoDateTimeWithTimeZone => {
            SeaValue::ChronoDateTimeWithTimeZone(Some(parse_datetime(&text()).ok_or_else(mismatch)?))
        }
        ArrayType::Uuid => SeaValue::Uuid(Some(uuid::Uuid::parse_str(&text()).map_err(|_| mismatch())?)),
        ArrayType::Decimal => SeaValue::Decimal(Some(match value {
            Value::Int(i) => rust_decimal::Decimal::from(*i),
            Value::Float(x) => rust_decimal::Decimal::try_from(*x).map_err(|_| mismatch())?,
            _ => rust_decimal::Decimal::from_str(text().trim()).map_err(|_| mismatch())?,
        })),
        #[allow(unreachable_patterns)]
        other => {
            return Err(format!(
                "column `{}`: fields of type {other:?} are not supported; register a custom generator \
                 and use a supported field type",
                column.name
            ));
        }
    })
}

fn narrow<T: TryFrom<i64>>(i: i64, value: &Value, ty: &ArrayType) -> Result<T, String> {
    T::try_from(i).map_err(|_| format!("generated {value:?}, out of range for a {ty:?} field"))
}

fn parse_date(s: &str) -> Option<chrono::NaiveDate> {
    let s = s.trim();
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .or_else(|| parse_datetime(s).map(|d| d.date_naive()))
}

fn parse_time(s: &str) -> Option<chrono::NaiveTime> {
    let s = s.trim();
    chrono::NaiveTime::parse_from_str(s, "%H:%M:%S%.f").ok()
}

/// RFC 3339, or a date-time without offset (taken as UTC).
fn parse_datetime(s: &str) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    let s = s.trim();
    if let Ok(d) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(d);
    }
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"]
        .iter()
        .find_map(|f| chrono::NaiveDateTime::parse_from_str(s, f).ok())
        .or_else(|| {
            chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })
        .map(|n| n.and_utc().fixed_offset())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col() -> Column {
        Column::new("c", DataType::Text)
    }

    #[test]
    fn nulls_carry_the_field_type() {
        assert_eq!(
            to_sea(&Value::Null, &ArrayType::Int, &col()),
            Ok(SeaValue::Int(None))
        );
        let name: sea_orm::sea_query::EnumTypeName = "mood".into();
        assert_eq!(
            to_sea(&Value::Null, &ArrayType::Enum(Box::new(name.clone())), &col()),
            Ok(SeaValue::Enum(OptionEnum::None(name)))
        );
    }

    #[test]
    fn integers_that_do_not_fit_the_field_are_errors() {
        let err = to_sea(&Value::Int(300), &ArrayType::TinyInt, &col()).unwrap_err();
        assert!(err.contains("out of range"), "{err}");
        assert!(to_sea(&Value::Int(-1), &ArrayType::BigUnsigned, &col()).is_err());
        assert_eq!(
            to_sea(&Value::Int(127), &ArrayType::TinyInt, &col()),
            Ok(SeaValue::TinyInt(Some(127)))
        );
        assert_eq!(
            to_sea(&Value::from("42"), &ArrayType::BigInt, &col()),
            Ok(SeaValue::BigInt(Some(42)))
        );
    }

    #[test]
    fn text_that_is_not_a_number_is_an_error_for_a_number_field() {
        let err = to_sea(&Value::from("many"), &ArrayType::Int, &col()).unwrap_err();
        assert!(err.contains("does not fit a Int field"), "{err}");
    }

    #[test]
    fn date_times_are_read_with_or_without_offset() {
        let utc = |s: &str| match to_sea(&Value::from(s), &ArrayType::ChronoDateTimeUtc, &col()) {
            Ok(SeaValue::ChronoDateTimeUtc(Some(d))) => d.to_rfc3339(),
            other => panic!("{other:?}"),
        };
        assert_eq!(utc("2020-01-02T03:04:05Z"), "2020-01-02T03:04:05+00:00");
        assert_eq!(utc("2020-01-02T05:04:05+02:00"), "2020-01-02T03:04:05+00:00");
        assert_eq!(utc("2020-01-02 03:04:05"), "2020-01-02T03:04:05+00:00");
        assert_eq!(utc("2020-01-02"), "2020-01-02T00:00:00+00:00");
        assert!(to_sea(&Value::from("yesterday"), &ArrayType::ChronoDate, &col()).is_err());
    }

    #[test]
    fn decimals_keep_their_digits() {
        assert_eq!(
            to_sea(&Value::from("12.50"), &ArrayType::Decimal, &col()),
            Ok(SeaValue::Decimal(Some(rust_decimal::Decimal::new(1250, 2))))
        );
    }

    #[test]
    fn a_char_field_takes_one_character() {
        assert_eq!(
            to_sea(&Value::from("x"), &ArrayType::Char, &col()),
            Ok(SeaValue::Char(Some('x')))
        );
        assert!(to_sea(&Value::from("xy"), &ArrayType::Char, &col()).is_err());
    }

    #[test]
    fn decimal_columns_are_bounded_only_when_the_defaults_would_overflow() {
        assert!(
            map_column_type(&ColumnType::Decimal(Some((10, 2))))
                .range
                .is_none()
        );
        let small = map_column_type(&ColumnType::Decimal(Some((5, 2)))).range.unwrap();
        assert_eq!(small.max, Literal::Float(999.0));
    }
}
