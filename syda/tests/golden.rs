//! Golden bytes: a small committed output that must come back byte for byte.
//!
//! "Same schema and seed, same bytes" is a promise across platforms and
//! versions, so it rests on a portable random number generator
//! ([`syda::engine::EngineRng`]) and fixed algorithms. Any change that alters
//! output (a new RNG, a dependency update that changes a sampler, a new
//! inference rule) fails here, on purpose: look at the diff, and when the
//! change is intended, rewrite the files with
//! `SYDA_BLESS=1 cargo test -p syda --test golden` and commit them.

use std::fs;
use std::path::{Path, PathBuf};

use syda::Schema;
use syda::engine::OfflineEngine;
use syda::output::Format;
use syda::plan::{FanOut, Planner};

fn golden_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name)
}

fn example(name: &str) -> Schema {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/schemas")
        .join(name);
    Schema::from_path(&path).unwrap()
}

/// Compares every file `write` puts in a fresh directory with the committed
/// ones (same names, same bytes), or rewrites them under `SYDA_BLESS=1`.
fn assert_golden(name: &str, write: impl FnOnce(&Path)) {
    let out = tempfile::tempdir().unwrap();
    write(out.path());
    let golden = golden_dir(name);
    let mut produced: Vec<_> = fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    produced.sort();
    if std::env::var_os("SYDA_BLESS").is_some() {
        let _ = fs::remove_dir_all(&golden);
        fs::create_dir_all(&golden).unwrap();
        for file in &produced {
            fs::copy(out.path().join(file), golden.join(file)).unwrap();
        }
        return;
    }
    let mut committed: Vec<_> = fs::read_dir(&golden)
        .unwrap_or_else(|e| panic!("{}: {e}; run with SYDA_BLESS=1 to create it", golden.display()))
        .map(|e| e.unwrap().file_name())
        .collect();
    committed.sort();
    assert_eq!(produced, committed, "files of {name}");
    for file in &produced {
        let got = fs::read_to_string(out.path().join(file)).unwrap();
        let want = fs::read_to_string(golden.join(file)).unwrap();
        if got != want {
            let line = got
                .lines()
                .zip(want.lines())
                .position(|(g, w)| g != w)
                .map_or_else(|| "the line count".to_string(), |i| format!("line {}", i + 1));
            panic!(
                "{name}/{}: output differs from the committed golden file at {line}\n\
                 got:\n{got}\nwant:\n{want}\n\
                 If the change is intended: SYDA_BLESS=1 cargo test -p syda --test golden",
                file.to_string_lossy()
            );
        }
    }
}

#[test]
fn crm_related_tables_are_byte_identical() {
    let schema = example("crm.yaml");
    assert_golden("crm", |dir| {
        let data = Planner::new(&schema)
            .sizes([
                ("customers", 6),
                ("contacts", 10),
                ("products", 6),
                ("orders", 10),
            ])
            .fan_out("order_items", "order_id", FanOut::PerParent { min: 1, max: 3 })
            .generate(&OfflineEngine::new().with_seed(42))
            .unwrap();
        data.write_dir(dir, Format::Csv).unwrap();
    });
}

#[test]
fn hr_and_patients_are_byte_identical_as_jsonl() {
    for (name, seed) in [("hr.yaml", 7), ("patients.yaml", 1)] {
        let schema = example(name);
        assert_golden(name.trim_end_matches(".yaml"), |dir| {
            let data = Planner::new(&schema)
                .rows(8)
                .generate(&OfflineEngine::new().with_seed(seed).with_null_rate(0.25))
                .unwrap();
            data.write_dir(dir, Format::Jsonl).unwrap();
        });
    }
}
