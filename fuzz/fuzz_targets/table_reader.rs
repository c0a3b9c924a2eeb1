//! A data file handed to `syda check` (CSV, JSON or JSONL, picked by the
//! first byte): read into rows or refused with an error.
#![no_main]

use std::io::Write;

use libfuzzer_sys::fuzz_target;
use syda::output::{Format, read_table};
use syda::{Column, DataType, Table};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let format = match selector % 3 {
        0 => Format::Csv,
        1 => Format::Json,
        _ => Format::Jsonl,
    };
    let table = Table::new("t")
        .with_column(Column::new("id", DataType::Integer).primary_key())
        .with_column(Column::new("name", DataType::Text).nullable())
        .with_column(Column::new("price", DataType::Decimal))
        .with_column(Column::new("at", DataType::DateTime).nullable())
        .with_column(Column::new("ok", DataType::Boolean))
        .with_column(Column::new("doc", DataType::Json).nullable());
    let Ok(mut file) = tempfile::NamedTempFile::new() else {
        return;
    };
    if file.write_all(body).is_ok() {
        let _ = read_table(file.path(), format, &table);
    }
});
