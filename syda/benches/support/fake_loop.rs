//! The baseline of the scale benchmarks: a plain loop over the `fake` crate
//! writing the 10 columns of `examples/schemas/people10.yaml` as CSV.

use std::fmt::Write as _;

use fake::Fake;
use fake::faker::address::en::CityName;
use fake::faker::chrono::en::DateTimeBetween;
use fake::faker::company::en::CompanyName;
use fake::faker::internet::en::SafeEmail;
use fake::faker::lorem::en::Sentence;
use fake::faker::name::en::{FirstName, LastName};
use rand::SeedableRng;
use rand::rngs::SmallRng;
use rand::seq::IndexedRandom;

/// Writes `rows` rows to `out` and hands it back.
pub(crate) fn write<W: std::io::Write>(rows: u64, out: W) -> W {
    let mut rng = SmallRng::seed_from_u64(0);
    let mut w = csv::Writer::from_writer(out);
    let mut scratch = String::new();
    let start = chrono::DateTime::parse_from_rfc3339("2015-01-01T00:00:00Z")
        .expect("date")
        .to_utc();
    let end = chrono::DateTime::parse_from_rfc3339("2025-12-31T23:59:59Z")
        .expect("date")
        .to_utc();
    let field = |w: &mut csv::Writer<W>, s: &str| w.write_field(s).expect("write");
    for id in 1..=rows {
        scratch.clear();
        let _ = write!(scratch, "{id}");
        field(&mut w, &scratch);
        let first: &str = FirstName().fake_with_rng(&mut rng);
        field(&mut w, first);
        let last: &str = LastName().fake_with_rng(&mut rng);
        field(&mut w, last);
        let email: String = SafeEmail().fake_with_rng(&mut rng);
        field(&mut w, &email);
        let company: String = CompanyName().fake_with_rng(&mut rng);
        field(&mut w, &company);
        let created: chrono::DateTime<chrono::Utc> = DateTimeBetween(start, end).fake_with_rng(&mut rng);
        field(
            &mut w,
            &created.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        );
        let salary: f64 = (30_000.0..250_000.0).fake_with_rng(&mut rng);
        scratch.clear();
        let _ = write!(scratch, "{}", (salary * 100.0).round() / 100.0);
        field(&mut w, &scratch);
        let status = ["Active", "Inactive", "Prospect"]
            .choose(&mut rng)
            .expect("non-empty");
        field(&mut w, status);
        let city: String = CityName().fake_with_rng(&mut rng);
        field(&mut w, &city);
        let notes: String = Sentence(5..13).fake_with_rng(&mut rng);
        field(&mut w, &notes);
        w.write_record(None::<&[u8]>).expect("write");
    }
    w.into_inner().map_err(|e| e.into_error()).expect("flush")
}
