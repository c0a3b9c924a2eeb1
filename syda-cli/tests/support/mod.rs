//! What the live-database CLI tests share: running the binary, reading its
//! output, awaiting sqlx on a current-thread runtime.

use std::process::{Command, Output};

pub(crate) fn syda(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_syda"))
        .args(args)
        .output()
        .expect("the syda binary runs")
}

pub(crate) fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

pub(crate) fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}
