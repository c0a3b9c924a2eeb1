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

/// Customers and their orders, each order after its customer signed up,
/// `total = qty × price` in every row.
fn write_shop(dir: &Path) {
    let mut customers = String::from("id,segment,signed_up\n");
    let mut orders = String::from("id,customer_id,qty,price,total,placed_on\n");
    let mut state: u64 = 11;
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut order = 0;
    for c in 1..=400 {
        let enterprise = next() < 0.25;
        let day = 1 + (next() * 27.0) as u32;
        customers.push_str(&format!(
            "{c},{},2024-01-{day:02}\n",
            if enterprise { "enterprise" } else { "smb" }
        ));
        for _ in 0..(next() * if enterprise { 6.0 } else { 3.0 }) as u32 {
            order += 1;
            let qty = 1 + (next() * 5.0) as u32;
            let price = ((if enterprise { 400.0 } else { 40.0 }) * (0.5 + next()) * 100.0).round() / 100.0;
            let total = (f64::from(qty) * price * 100.0).round() / 100.0;
            let placed = day + (next() * 60.0) as u32;
            let (month, d) = (2 + (placed - 1) / 28, 1 + (placed - 1) % 28);
            orders.push_str(&format!(
                "{order},{c},{qty},{price:.2},{total:.2},2024-{month:02}-{d:02}\n"
            ));
        }
    }
    std::fs::write(dir.join("customers.csv"), customers).unwrap();
    std::fs::write(dir.join("orders.csv"), orders).unwrap();
}

#[test]
fn a_directory_of_tables_is_fitted_rebuilt_at_scale_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real");
    std::fs::create_dir(&real).unwrap();
    write_shop(&real);
    let model = dir.path().join("shop.json");
    let fk = "orders.customer_id=customers.id";
    let fit = syda(&[
        "fit",
        real.to_str().unwrap(),
        "--foreign-key",
        fk,
        "--out",
        model.to_str().unwrap(),
    ]);
    assert!(fit.status.success(), "{}", text(&fit.stderr));
    let shown = text(&fit.stdout);
    assert!(shown.contains("rule: total = qty × price"), "{shown}");
    assert!(shown.contains("customer_id → customers.id"), "{shown}");

    let out = dir.path().join("synthetic");
    let generated = syda(&[
        "generate",
        "--engine",
        "stats",
        "--fitted",
        model.to_str().unwrap(),
        "--scale",
        "2",
        "--seed",
        "4",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(generated.status.success(), "{}", text(&generated.stderr));
    let customers = std::fs::read_to_string(out.join("customers.csv")).unwrap();
    assert_eq!(
        customers.lines().count(),
        801,
        "twice the customers, and a header"
    );

    let report = syda(&[
        "report",
        real.to_str().unwrap(),
        out.to_str().unwrap(),
        "--foreign-key",
        fk,
    ]);
    assert!(report.status.success(), "{}", text(&report.stderr));
    let report = text(&report.stdout);
    assert!(report.contains("keys valid 100.0%"), "{report}");
    assert!(
        report.contains("placed_on ≥ customers.signed_up: real 100.0%, synthetic 100.0%"),
        "{report}"
    );
    assert!(
        report.contains("total = qty × price  real 100.0%  synthetic 100.0%"),
        "{report}"
    );

    // A key to a table with no file is refused, naming it.
    let bad = syda(&[
        "fit",
        real.to_str().unwrap(),
        "--foreign-key",
        "lines.order_id=orders.id",
        "--out",
        model.to_str().unwrap(),
    ]);
    assert!(!bad.status.success());
    assert!(text(&bad.stderr).contains("lines"), "{}", text(&bad.stderr));
}
