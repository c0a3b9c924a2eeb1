//! A data file handed to `syda fit` (CSV or JSONL, picked by the first
//! byte): fitted, or refused with an error; what fits also samples.
#![no_main]

use std::io::Write;

use libfuzzer_sys::fuzz_target;
use syda::engine::stats::{Source, fit};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let Ok(mut file) = tempfile::NamedTempFile::new() else {
        return;
    };
    if file.write_all(body).is_err() {
        return;
    }
    let path = file.path().to_owned();
    let source = if selector % 2 == 0 { Source::Csv(path) } else { Source::Jsonl(path) };
    if let Ok(model) = fit(&source) {
        for row in model.sample(20, 1).take(20) {
            let _ = row;
        }
    }
});
