//! Parquet files with typed columns, through the `parquet` crate's
//! low-level writer (no Arrow arrays). Rows are buffered column by column
//! and written a row group at a time, so memory is bounded by the row group.

use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use parquet::basic::{Compression, LogicalType, Repetition, TimeUnit, Type as Physical};
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, DoubleType, Int32Type, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::file::writer::SerializedFileWriter;
use parquet::record::Field;
use parquet::schema::types::Type;
use tempfile::NamedTempFile;

use crate::error::{Error, Result};
use crate::schema::{DataType, Table};
use crate::value::{Row, Value};

/// Rows per row group: a few MB of buffered values for a typical table.
const ROW_GROUP_ROWS: usize = 64 * 1024;
/// Buffered text bytes that close a row group early (wide text columns).
const ROW_GROUP_BYTES: usize = 64 * 1024 * 1024;
/// Decimal precision: values are stored as INT64 unscaled numbers.
const DECIMAL_PRECISION: i32 = 18;
/// Decimal scale when the first row group has no value to learn it from.
const DEFAULT_SCALE: u32 = 2;

type Writer = SerializedFileWriter<BufWriter<NamedTempFile>>;

enum Values {
    Bool(Vec<bool>),
    I32(Vec<i32>),
    I64(Vec<i64>),
    F64(Vec<f64>),
    Bytes(Vec<ByteArray>),
}

struct ColumnBuffer {
    name: String,
    ty: DataType,
    required: bool,
    defs: Vec<i16>,
    values: Values,
    /// Decimals: unscaled numbers with this many decimal places, fixed by
    /// the first row group (every row group of a file shares the schema).
    scale: Option<u32>,
    /// Decimal text kept until the scale is known.
    pending_decimals: Vec<String>,
}

/// A Parquet file being written: the rows of one table.
pub(crate) struct ParquetSink {
    dest: PathBuf,
    table: String,
    columns: Vec<ColumnBuffer>,
    buffered: usize,
    buffered_bytes: usize,
    temp: Option<NamedTempFile>,
    writer: Option<Writer>,
}

impl ParquetSink {
    pub(crate) fn new(temp: NamedTempFile, dest: &Path, table: &Table) -> Result<ParquetSink> {
        let columns = table
            .columns
            .iter()
            .map(|c| ColumnBuffer {
                name: c.name.to_string(),
                ty: c.ty,
                required: !c.nullable || c.primary_key,
                defs: Vec::new(),
                values: match c.ty {
                    DataType::Boolean => Values::Bool(Vec::new()),
                    DataType::Date => Values::I32(Vec::new()),
                    DataType::Integer | DataType::Decimal | DataType::DateTime | DataType::Time => {
                        Values::I64(Vec::new())
                    }
                    DataType::Float => Values::F64(Vec::new()),
                    DataType::Text | DataType::Uuid | DataType::Json => Values::Bytes(Vec::new()),
                },
                scale: None,
                pending_decimals: Vec::new(),
            })
            .collect();
        Ok(ParquetSink {
            dest: dest.to_owned(),
            table: table.name.to_string(),
            columns,
            buffered: 0,
            buffered_bytes: 0,
            temp: Some(temp),
            writer: None,
        })
    }

    pub(crate) fn push(&mut self, row: &Row) -> Result<()> {
        for (column, value) in self.columns.iter_mut().zip(row) {
            self.buffered_bytes += column
                .push(value)
                .map_err(|message| value_error(&self.table, &column.name, message))?;
        }
        self.buffered += 1;
        if self.buffered >= ROW_GROUP_ROWS || self.buffered_bytes >= ROW_GROUP_BYTES {
            self.flush()?;
        }
        Ok(())
    }

    /// Writes the buffered rows as one row group.
    fn flush(&mut self) -> Result<()> {
        if self.writer.is_none() {
            for column in &mut self.columns {
                column
                    .settle_scale()
                    .map_err(|m| value_error(&self.table, &column.name, m))?;
            }
            let temp = self
                .temp
                .take()
                .ok_or_else(|| self.error("the file was already closed".to_owned()))?;
            let schema = self.schema()?;
            let props = WriterProperties::builder()
                .set_compression(Compression::SNAPPY)
                .set_created_by(concat!("syda ", env!("CARGO_PKG_VERSION")).to_owned())
                .build();
            let out = BufWriter::with_capacity(1024 * 1024, temp);
            self.writer = Some(
                SerializedFileWriter::new(out, Arc::new(schema), Arc::new(props))
                    .map_err(|e| self.error(e.to_string()))?,
            );
        }
        let (dest, table) = (self.dest.clone(), self.table.clone());
        let error = |e: parquet::errors::ParquetError| Error::Io {
            path: dest.clone(),
            source: std::io::Error::other(format!("writing table `{table}` as Parquet: {e}")),
        };
        let writer = self.writer.as_mut().ok_or_else(|| Error::Io {
            path: self.dest.clone(),
            source: std::io::Error::other("the Parquet writer is gone"),
        })?;
        let mut group = writer.next_row_group().map_err(error)?;
        for column in &mut self.columns {
            column
                .finish_decimals()
                .map_err(|m| value_error(&self.table, &column.name, m))?;
            let mut out = group.next_column().map_err(error)?.ok_or_else(|| Error::Io {
                path: self.dest.clone(),
                source: std::io::Error::other("fewer Parquet columns than table columns"),
            })?;
            let defs = (!column.required).then_some(column.defs.as_slice());
            match &mut column.values {
                Values::Bool(v) => out.typed::<BoolType>().write_batch(v, defs, None),
                Values::I32(v) => out.typed::<Int32Type>().write_batch(v, defs, None),
                Values::I64(v) => out.typed::<Int64Type>().write_batch(v, defs, None),
                Values::F64(v) => out.typed::<DoubleType>().write_batch(v, defs, None),
                Values::Bytes(v) => out.typed::<ByteArrayType>().write_batch(v, defs, None),
            }
            .map_err(error)?;
            out.close().map_err(error)?;
            column.clear();
        }
        group.close().map_err(error)?;
        self.buffered = 0;
        self.buffered_bytes = 0;
        Ok(())
    }

    pub(crate) fn finish(mut self) -> Result<NamedTempFile> {
        if self.buffered > 0 || self.writer.is_none() {
            self.flush()?;
        }
        let writer = self
            .writer
            .take()
            .ok_or_else(|| self.error("the Parquet writer is gone".to_owned()))?;
        let out = writer.into_inner().map_err(|e| self.error(e.to_string()))?;
        out.into_inner().map_err(|e| Error::Io {
            path: self.dest.clone(),
            source: e.into_error(),
        })
    }

    fn schema(&self) -> Result<Type> {
        let fields = self
            .columns
            .iter()
            .map(|c| {
                let (physical, logical) = match c.ty {
                    DataType::Integer => (Physical::INT64, None),
                    DataType::Float => (Physical::DOUBLE, None),
                    DataType::Decimal => (
                        Physical::INT64,
                        Some(LogicalType::decimal(
                            c.scale.unwrap_or(DEFAULT_SCALE) as i32,
                            DECIMAL_PRECISION,
                        )),
                    ),
                    DataType::Boolean => (Physical::BOOLEAN, None),
                    DataType::Date => (Physical::INT32, Some(LogicalType::Date)),
                    DataType::DateTime => (
                        Physical::INT64,
                        Some(LogicalType::timestamp(true, TimeUnit::MICROS)),
                    ),
                    DataType::Time => (Physical::INT64, Some(LogicalType::time(false, TimeUnit::MICROS))),
                    DataType::Text | DataType::Uuid | DataType::Json => {
                        (Physical::BYTE_ARRAY, Some(LogicalType::String))
                    }
                };
                let mut builder = Type::primitive_type_builder(&c.name, physical)
                    .with_repetition(if c.required {
                        Repetition::REQUIRED
                    } else {
                        Repetition::OPTIONAL
                    })
                    .with_logical_type(logical);
                if c.ty == DataType::Decimal {
                    builder = builder
                        .with_precision(DECIMAL_PRECISION)
                        .with_scale(c.scale.unwrap_or(DEFAULT_SCALE) as i32);
                }
                builder.build().map(Arc::new)
            })
            .collect::<parquet::errors::Result<Vec<_>>>()
            .map_err(|e| self.error(e.to_string()))?;
        Type::group_type_builder(&self.table)
            .with_fields(fields)
            .build()
            .map_err(|e| self.error(e.to_string()))
    }

    fn error(&self, message: String) -> Error {
        Error::Io {
            path: self.dest.clone(),
            source: std::io::Error::other(format!("writing table `{}` as Parquet: {message}", self.table)),
        }
    }
}

fn value_error(table: &str, column: &str, message: String) -> Error {
    Error::Generate {
        table: table.to_owned(),
        column: column.to_owned(),
        message: format!("cannot be written to Parquet: {message}"),
    }
}

impl ColumnBuffer {
    /// Buffers one value; returns the bytes it adds (text only).
    fn push(&mut self, value: &Value) -> std::result::Result<usize, String> {
        if value.is_null() {
            if self.required {
                return Err("NULL in a NOT NULL column".to_owned());
            }
            self.defs.push(0);
            return Ok(0);
        }
        self.defs.push(1);
        let wrong = |expected: &str| format!("expected {expected}, got `{value}`");
        match (&mut self.values, self.ty) {
            (Values::Bool(v), _) => match value {
                Value::Bool(b) => v.push(*b),
                _ => return Err(wrong("a boolean")),
            },
            (Values::I32(v), _) => {
                let days = value
                    .as_str()
                    .and_then(date_days)
                    .ok_or_else(|| wrong("a date YYYY-MM-DD"))?;
                v.push(days);
            }
            (Values::I64(v), DataType::Integer) => match value {
                Value::Int(i) => v.push(*i),
                Value::Text(s) => v.push(s.trim().parse().map_err(|_| wrong("an integer"))?),
                _ => return Err(wrong("an integer")),
            },
            (Values::I64(_), DataType::Decimal) => {
                let text = match value {
                    Value::Text(s) => s.trim().to_owned(),
                    Value::Int(i) => i.to_string(),
                    Value::Float(x) if x.is_finite() => x.to_string(),
                    _ => return Err(wrong("a decimal number")),
                };
                if decimal_parts(&text).is_none() {
                    return Err(wrong("a decimal number"));
                }
                self.pending_decimals.push(text);
            }
            (Values::I64(v), DataType::DateTime) => {
                let micros = value
                    .as_str()
                    .and_then(timestamp_micros)
                    .ok_or_else(|| wrong("an RFC 3339 date-time"))?;
                v.push(micros);
            }
            (Values::I64(v), _) => {
                let micros = value
                    .as_str()
                    .and_then(time_micros)
                    .ok_or_else(|| wrong("a time HH:MM:SS"))?;
                v.push(micros);
            }
            (Values::F64(v), _) => match value {
                Value::Float(x) => v.push(*x),
                Value::Int(i) => v.push(*i as f64),
                Value::Text(s) => v.push(s.trim().parse().map_err(|_| wrong("a number"))?),
                _ => return Err(wrong("a number")),
            },
            (Values::Bytes(v), _) => {
                let bytes = match value {
                    Value::Text(s) => s.as_bytes().to_vec(),
                    Value::Json(j) => j.to_string().into_bytes(),
                    other => other.to_string().into_bytes(),
                };
                let n = bytes.len();
                v.push(ByteArray::from(bytes));
                return Ok(n);
            }
        }
        Ok(0)
    }

    /// The decimal scale of the file: the most decimal places in the first row group.
    fn settle_scale(&mut self) -> std::result::Result<(), String> {
        if self.ty == DataType::Decimal && self.scale.is_none() {
            let most = self
                .pending_decimals
                .iter()
                .filter_map(|s| decimal_parts(s))
                .map(|(_, frac)| frac.len() as u32)
                .max()
                .unwrap_or(DEFAULT_SCALE);
            self.scale = Some(most.min(DECIMAL_PRECISION as u32));
        }
        Ok(())
    }

    /// Turns the buffered decimal text into unscaled numbers.
    fn finish_decimals(&mut self) -> std::result::Result<(), String> {
        let Values::I64(out) = &mut self.values else {
            return Ok(());
        };
        if self.ty != DataType::Decimal {
            return Ok(());
        }
        let scale = self.scale.unwrap_or(DEFAULT_SCALE);
        for text in self.pending_decimals.drain(..) {
            out.push(unscaled(&text, scale).ok_or_else(|| {
                format!(
                    "`{text}` does not fit DECIMAL({DECIMAL_PRECISION}, {scale}); the scale is the most \
                     decimal places in the file's first row group"
                )
            })?);
        }
        Ok(())
    }

    fn clear(&mut self) {
        self.defs.clear();
        match &mut self.values {
            Values::Bool(v) => v.clear(),
            Values::I32(v) => v.clear(),
            Values::I64(v) => v.clear(),
            Values::F64(v) => v.clear(),
            Values::Bytes(v) => v.clear(),
        }
    }
}

/// Sign-and-integer digits and fraction digits of a plain decimal.
fn decimal_parts(s: &str) -> Option<(&str, &str)> {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let digits = int.strip_prefix(['-', '+']).unwrap_or(int);
    let ok = !(digits.is_empty() && frac.is_empty())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit());
    ok.then_some((int, frac))
}

/// `s` times 10^scale as an integer, if exact and within the precision.
fn unscaled(s: &str, scale: u32) -> Option<i64> {
    let (int, frac) = decimal_parts(s)?;
    let frac = frac.trim_end_matches('0');
    if frac.len() > scale as usize {
        return None;
    }
    let negative = int.starts_with('-');
    let digits = int.trim_start_matches(['-', '+']);
    let mut all = String::with_capacity(digits.len() + scale as usize);
    all.push_str(digits);
    all.push_str(frac);
    all.extend(std::iter::repeat_n('0', scale as usize - frac.len()));
    let all = all.trim_start_matches('0');
    if all.len() > DECIMAL_PRECISION as usize {
        return None;
    }
    let n: i64 = if all.is_empty() { 0 } else { all.parse().ok()? };
    Some(if negative { -n } else { n })
}

fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()
}

fn date_days(s: &str) -> Option<i32> {
    let d = NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok()?;
    i32::try_from(d.signed_duration_since(epoch()).num_days()).ok()
}

fn timestamp_micros(s: &str) -> Option<i64> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp_micros());
    }
    let s = s.trim_end_matches('Z');
    [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ]
    .iter()
    .find_map(|layout| NaiveDateTime::parse_from_str(s, layout).ok())
    .or_else(|| {
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()?
            .and_hms_opt(0, 0, 0)
    })
    .map(|t| t.and_utc().timestamp_micros())
}

fn time_micros(s: &str) -> Option<i64> {
    let t = ["%H:%M:%S%.f", "%H:%M"]
        .iter()
        .find_map(|layout| NaiveTime::parse_from_str(s, layout).ok())?;
    Some(i64::from(t.num_seconds_from_midnight()) * 1_000_000 + i64::from(t.nanosecond() / 1000))
}

/// Reads a Parquet file of `table` rows back, by column name, into the
/// values syda generates: dates, times and date-times as ISO 8601 text,
/// decimals as plain text, JSON columns parsed.
pub(crate) fn read(path: &Path, table: &Table) -> Result<Vec<Row>> {
    let bad = |message: String| Error::Parse {
        source: None,
        origin: path.display().to_string(),
        message,
    };
    let file = std::fs::File::open(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })?;
    let reader = SerializedFileReader::new(file).map_err(|e| bad(format!("not a Parquet file: {e}")))?;
    let fields = reader
        .metadata()
        .file_metadata()
        .schema_descr()
        .root_schema()
        .get_fields()
        .to_vec();
    let positions: Vec<Option<usize>> = table
        .columns
        .iter()
        .map(|c| fields.iter().position(|f| f.name() == c.name))
        .collect();
    let mut rows = Vec::new();
    for record in reader.get_row_iter(None).map_err(|e| bad(e.to_string()))? {
        let record = record.map_err(|e| bad(e.to_string()))?;
        let values: Vec<&Field> = record.get_column_iter().map(|(_, f)| f).collect();
        let row = table
            .columns
            .iter()
            .zip(&positions)
            .map(|(col, pos)| match pos.and_then(|p| values.get(p)) {
                None => Value::Null,
                Some(field) => field_value(col.ty, field),
            })
            .collect();
        rows.push(row);
    }
    Ok(rows)
}

fn field_value(ty: DataType, field: &Field) -> Value {
    let text = |s: String| Value::Text(s);
    match field {
        Field::Null => Value::Null,
        Field::Bool(b) => Value::Bool(*b),
        Field::Byte(i) => Value::Int(i64::from(*i)),
        Field::Short(i) => Value::Int(i64::from(*i)),
        Field::Int(i) => Value::Int(i64::from(*i)),
        Field::Long(i) => Value::Int(*i),
        Field::UByte(i) => Value::Int(i64::from(*i)),
        Field::UShort(i) => Value::Int(i64::from(*i)),
        Field::UInt(i) => Value::Int(i64::from(*i)),
        Field::ULong(i) => i64::try_from(*i).map_or_else(|_| text(i.to_string()), Value::Int),
        Field::Float(x) => Value::Float(f64::from(*x)),
        Field::Double(x) => Value::Float(*x),
        Field::Decimal(d) => text(decimal_text(d.data(), d.scale())),
        Field::Str(s) if ty == DataType::Json => {
            serde_json::from_str(s).map_or_else(|_| text(s.clone()), Value::Json)
        }
        Field::Str(s) => text(s.clone()),
        Field::Date(days) => {
            let d = epoch() + chrono::Duration::days(i64::from(*days));
            text(d.format("%Y-%m-%d").to_string())
        }
        Field::TimestampMicros(us) => match DateTime::from_timestamp_micros(*us) {
            Some(t) if us % 1_000_000 == 0 => text(t.format("%Y-%m-%dT%H:%M:%SZ").to_string()),
            Some(t) => text(t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()),
            None => text(us.to_string()),
        },
        Field::TimestampMillis(ms) => match DateTime::from_timestamp_millis(*ms) {
            Some(t) => text(t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()),
            None => text(ms.to_string()),
        },
        Field::TimeMicros(us) => {
            let (secs, frac) = (us.div_euclid(1_000_000), us.rem_euclid(1_000_000));
            let base = format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60);
            text(if frac == 0 {
                base
            } else {
                format!("{base}.{frac:06}")
            })
        }
        other => text(other.to_string()),
    }
}

/// Big-endian two's-complement unscaled bytes as plain decimal text.
fn decimal_text(bytes: &[u8], scale: i32) -> String {
    let negative = bytes.first().is_some_and(|b| b & 0x80 != 0);
    let mut n: i128 = if negative { -1 } else { 0 };
    for &b in bytes {
        n = (n << 8) | i128::from(b);
    }
    let digits = n.unsigned_abs().to_string();
    let scale = scale.max(0) as usize;
    let sign = if negative { "-" } else { "" };
    if scale == 0 {
        return format!("{sign}{digits}");
    }
    let padded = format!("{digits:0>width$}", width = scale + 1);
    let (int, frac) = padded.split_at(padded.len() - scale);
    format!("{sign}{int}.{frac}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_scale_exactly() {
        assert_eq!(unscaled("12.5", 2), Some(1250));
        assert_eq!(unscaled("-0.07", 2), Some(-7));
        assert_eq!(unscaled("3", 2), Some(300));
        assert_eq!(unscaled("1.234", 2), None);
        assert_eq!(unscaled("1.230", 2), Some(123));
        assert_eq!(unscaled("abc", 2), None);
        assert_eq!(decimal_text(&1250i64.to_be_bytes(), 2), "12.50");
        assert_eq!(decimal_text(&(-7i64).to_be_bytes(), 2), "-0.07");
    }

    #[test]
    fn temporal_text_converts_both_ways() {
        assert_eq!(date_days("1970-01-02"), Some(1));
        assert_eq!(timestamp_micros("1970-01-01T00:00:01Z"), Some(1_000_000));
        assert_eq!(time_micros("01:00:00"), Some(3_600_000_000));
    }
}
