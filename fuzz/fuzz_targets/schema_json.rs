//! A schema file in JSON: loads or fails cleanly, never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = syda::Schema::from_json_str(text);
    }
});
