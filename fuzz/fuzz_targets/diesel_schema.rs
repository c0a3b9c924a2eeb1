//! A Diesel `schema.rs`: read into a schema or refused with an error.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = syda_diesel::schema_from_str(text);
    }
});
