//! The scale benchmark's baseline as a whole process, to time end to end
//! against `syda generate examples/schemas/people10.yaml` (docs/scale.md):
//!
//! Run with: `cargo bench -p syda --bench fake_loop -- ROWS OUT.csv`
//!
//! Without a row count and a file it writes nothing (so that a plain
//! `cargo bench` passes over it).

#[path = "support/fake_loop.rs"]
mod fake_loop;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let (Some(rows), Some(path)) = (args.first().and_then(|r| r.parse().ok()), args.get(1)) else {
        eprintln!("usage: fake_loop ROWS OUT.csv");
        return;
    };
    let file = std::fs::File::create(path).expect("create the output file");
    let mut out = fake_loop::write(rows, std::io::BufWriter::with_capacity(1 << 20, file));
    std::io::Write::flush(&mut out).expect("write the output file");
}
