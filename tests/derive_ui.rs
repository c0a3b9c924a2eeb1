//! Every `#[derive(Synthetic)]` diagnostic, as the compiler shows it
//! (`tests/ui/*.rs` with the expected `.stderr` beside each).

#[test]
fn derive_diagnostics() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
