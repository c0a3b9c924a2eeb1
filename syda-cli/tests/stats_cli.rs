//! `syda fit`, `syda generate --engine stats` and `syda report` end to end.

use std::path::Path;
use std::process::{Command, Output};

fn syda(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_syda"))
        .args(args)
        .output()
        .expect("the syda binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// 1 000 rows: `a` and `b` move together, `kind` is categorical, `ref` an identifier.
fn write_real(path: &Path) {
    let mut csv = String::from("id,a,b,kind,ref\n");
    let mut state: u64 = 7;
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    for i in 1..=1000 {
        let a = next() * 100.0;
        let b = a * 2.0 + next() * 20.0;
        let kind = ["red", "green", "blue"][(next() * 3.0) as usize];
        csv.push_str(&format!(
            "{i},{a:.2},{b:.2},{kind},R{:05}\n",
            (next() * 99_999.0) as u32
        ));
    }
    std::fs::write(path, csv).unwrap();
}

#[test]
fn fit_generate_report_without_a_schema() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("points.csv");
    write_real(&real);
    let model = dir.path().join("model.json");
    let run = syda(&["fit", real.to_str().unwrap(), "--out", model.to_str().unwrap()]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let summary = text(&run.stdout);
    assert!(
        summary.contains("kind") && summary.contains("categorical"),
        "{summary}"
    );
    assert!(summary.contains(r"pattern R\d{5}"), "{summary}");

    let out = dir.path().join("out");
    let run = syda(&[
        "generate",
        "--engine",
        "stats",
        "--fitted",
        model.to_str().unwrap(),
        "--rows",
        "800",
        "--seed",
        "3",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let synthetic = out.join("points.csv");
    let written = std::fs::read_to_string(&synthetic).unwrap();
    assert_eq!(written.lines().count(), 801);
    assert!(written.starts_with("id,a,b,kind,ref\n1,"));

    let html = dir.path().join("report.html");
    let run = syda(&[
        "report",
        real.to_str().unwrap(),
        synthetic.to_str().unwrap(),
        "--html",
        html.to_str().unwrap(),
    ]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let printed = text(&run.stdout);
    let overall: f64 = printed
        .split_once("Quality: ")
        .and_then(|(_, rest)| rest.split_once('%'))
        .and_then(|(n, _)| n.parse().ok())
        .unwrap_or_else(|| panic!("{printed}"));
    assert!(overall > 85.0, "{printed}");
    assert!(printed.contains("exact copies of real rows: 0.0%"), "{printed}");
    assert!(std::fs::read_to_string(&html).unwrap().contains("<svg"));
}

#[test]
fn stats_engine_without_a_model_says_how_to_make_one() {
    let dir = tempfile::tempdir().unwrap();
    let run = syda(&[
        "generate",
        "--engine",
        "stats",
        "x.yaml",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(1));
    assert!(text(&run.stderr).contains("syda fit"), "{}", text(&run.stderr));
    let run = syda(&["fit", "missing.csv", "--out", "m.json"]);
    assert_eq!(run.status.code(), Some(1));
    assert!(text(&run.stderr).contains("missing.csv"), "{}", text(&run.stderr));
}
