//! An uploaded file (text, CSV, XLSX, DOCX, PDF, image), as the REST
//! service reads it: extracted or refused with an error, never a panic,
//! within the service's row and decompressed-size limits.
#![no_main]

use libfuzzer_sys::fuzz_target;

const NAMES: [&str; 6] = ["data.csv", "book.xlsx", "letter.docx", "paper.pdf", "notes.txt", "photo.png"];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let name = NAMES[pick as usize % NAMES.len()];
    let _ = syda_server::extract::extract(body, name, 10_000, 16 << 20);
});
