//! A schema file in YAML: loads or fails cleanly; what loads survives a
//! YAML round trip and generates a few rows (or fails cleanly).
#![no_main]

use libfuzzer_sys::fuzz_target;
use syda::Schema;
use syda::engine::OfflineEngine;
use syda::plan::Planner;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(schema) = Schema::from_yaml_str(text) else {
        return;
    };
    let again = Schema::from_yaml_str(&schema.to_yaml()).expect("to_yaml output must load");
    assert_eq!(again, schema, "YAML round trip changed the schema");
    let _ = Planner::new(&schema).rows(3).generate(&OfflineEngine::new());
});
