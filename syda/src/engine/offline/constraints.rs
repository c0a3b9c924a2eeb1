//! Constraints that hold across rows: uniqueness (64-bit hashes of the
//! values seen, never the values), max_length, and the deterministic
//! per-cell random streams everything is drawn from.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hash, Hasher};

use super::values::Gen;
use crate::engine::EngineRng;
use crate::value::Value;

/// SplitMix64's finaliser: a cheap, well-mixed 64-bit permutation.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The stream of a table: from the engine seed and the table name.
pub(crate) fn table_stream(seed: u64, table: &str) -> u64 {
    // FNV-1a over the name, then mixed with the seed.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in table.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01B3);
    }
    mix(seed ^ mix(h))
}

/// The seed of one cell: row `index`, column `column`, try `attempt`. Row i
/// never depends on how many rows were asked for before it.
pub(crate) fn cell_seed(table: u64, index: u64, column: usize, attempt: u32) -> u64 {
    let k = index.wrapping_mul(0xD6E8_FEB8_6659_FD93)
        ^ (column as u64 + 1).wrapping_mul(0xA076_1D64_78BD_642F)
        ^ u64::from(attempt).wrapping_mul(0xE703_7ED1_A0B4_28DB);
    mix(table ^ mix(k))
}

/// The random stream of one cell: the 128-bit state straight from the
/// cell's seed and its mix (`seed_from_u64` would first run four steps of
/// another generator to expand the seed).
pub(crate) fn cell_rng(table: u64, index: u64, column: usize, attempt: u32) -> EngineRng {
    let seed = cell_seed(table, index, column, attempt);
    EngineRng::new((u128::from(mix(seed)) << 64) | u128::from(seed))
}

/// Whether the cell is NULL, at `threshold / 2^64`; its own stream, so the
/// decision never shifts the values drawn.
pub(crate) fn is_null(table: u64, index: u64, column: usize, threshold: u64) -> bool {
    threshold > 0 && cell_seed(table ^ 0x6E75_6C6C, index, column, u32::MAX) < threshold
}

/// The null threshold for a rate in `0..=1`.
pub(crate) fn null_threshold(rate: f64) -> u64 {
    if rate.is_nan() || rate <= 0.0 {
        0
    } else if rate >= 1.0 {
        u64::MAX
    } else {
        (rate * u64::MAX as f64) as u64
    }
}

/// A hasher that passes an already well-mixed `u64` through.
#[derive(Default)]
pub(crate) struct IdentityHasher(u64);

impl Hasher for IdentityHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 << 8) | u64::from(*b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Hashes remembered exactly before a bounded [`Seen`] turns to its Bloom
/// filter: about 18 MB.
const EXACT_LIMIT: usize = 1 << 20;
/// The Bloom filter's size in 64-bit words: 2^27 bits, 16 MiB.
const BLOOM_WORDS: usize = 1 << 21;
/// Bits set per value.
const BLOOM_BITS: u64 = 6;

/// The values a unique column (or a composite key) has taken, as 64-bit
/// hashes, never the values. Exact up to [`EXACT_LIMIT`] values; past that
/// a bounded `Seen` moves to a fixed 16 MiB Bloom filter, so memory stays
/// flat in rows. A filter never forgets a value, so uniqueness still
/// holds; it only answers "taken" falsely now and then (0.2% of tries at
/// 10 million values, 4% at 20 million), which costs the column another
/// try. An unbounded `Seen` (a value space small enough to be used up, where
/// a false "taken" could make the last values unreachable) stays exact.
#[derive(Default)]
pub(crate) struct Seen {
    exact: HashSet<u64, BuildHasherDefault<IdentityHasher>>,
    bloom: Option<Box<[u64]>>,
    bounded: bool,
}

impl Seen {
    /// A `Seen` that turns to a Bloom filter past [`EXACT_LIMIT`] values.
    pub(crate) fn bounded() -> Seen {
        Seen {
            bounded: true,
            ..Seen::default()
        }
    }

    /// Records `value`; false if it (or a value with the same hash) was seen.
    pub(crate) fn insert(&mut self, value: &Value) -> bool {
        self.insert_hash(value_hash(value))
    }

    /// Records a hash; false if it was seen.
    pub(crate) fn insert_hash(&mut self, hash: u64) -> bool {
        if let Some(bloom) = &mut self.bloom {
            return bloom_insert(bloom, hash);
        }
        if !self.exact.insert(hash) {
            return false;
        }
        if self.bounded && self.exact.len() > EXACT_LIMIT {
            let mut bloom = vec![0u64; BLOOM_WORDS].into_boxed_slice();
            for &h in &self.exact {
                bloom_insert(&mut bloom, h);
            }
            self.exact = HashSet::default();
            self.bloom = Some(bloom);
        }
        true
    }

    /// Whether `value` was seen.
    pub(crate) fn contains(&self, value: &Value) -> bool {
        let hash = value_hash(value);
        match &self.bloom {
            Some(bloom) => bloom_positions(hash).all(|(w, bit)| bloom[w] & bit != 0),
            None => self.exact.contains(&hash),
        }
    }
}

/// The filter's bits for `hash` (double hashing: `h1 + i·h2`).
fn bloom_positions(hash: u64) -> impl Iterator<Item = (usize, u64)> {
    let step = mix(hash) | 1;
    let bits = (BLOOM_WORDS as u64) * 64;
    (0..BLOOM_BITS).map(move |i| {
        let at = hash.wrapping_add(i.wrapping_mul(step)) % bits;
        ((at / 64) as usize, 1u64 << (at % 64))
    })
}

/// Sets `hash`'s bits; false if every one was set already.
fn bloom_insert(bloom: &mut [u64], hash: u64) -> bool {
    let mut new = false;
    for (w, bit) in bloom_positions(hash) {
        new |= bloom[w] & bit == 0;
        bloom[w] |= bit;
    }
    new
}

/// A stable 64-bit hash of a value (fixed-key SipHash, then mixed).
pub(crate) fn value_hash(value: &Value) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    match value {
        Value::Null => 0u8.hash(&mut h),
        Value::Bool(b) => (1u8, b).hash(&mut h),
        Value::Int(i) => (2u8, i).hash(&mut h),
        Value::Float(x) => (3u8, x.to_bits()).hash(&mut h),
        Value::Text(s) => (4u8, s.as_str()).hash(&mut h),
        Value::Json(j) => (5u8, j.to_string()).hash(&mut h),
    }
    mix(h.finish())
}

/// Cuts `s` to at most `max` characters, on a character boundary.
pub(crate) fn truncate_chars(s: &mut String, max: usize) {
    if s.len() <= max {
        return;
    }
    if let Some((at, _)) = s.char_indices().nth(max) {
        s.truncate(at);
    }
}

/// Number of characters, counted only as far as needed.
pub(crate) fn exceeds(s: &str, max: usize) -> bool {
    s.len() > max && s.chars().nth(max).is_some()
}

/// How many distinct values the built-in generator can give, when small
/// enough to matter (`None`: effectively unlimited).
pub(crate) fn capacity(generator: &Gen, max_length: Option<u32>) -> Option<u128> {
    let span = |lo: i64, hi: i64| Some((i128::from(hi) - i128::from(lo) + 1).max(0) as u128);
    match generator {
        Gen::Bool => Some(2),
        Gen::OneOf(values) => {
            let mut hashes: Vec<u64> = values.iter().map(value_hash).collect();
            hashes.sort_unstable();
            hashes.dedup();
            Some(hashes.len() as u128)
        }
        Gen::Int { lo, hi } | Gen::Date { lo, hi } | Gen::DateTime { lo, hi } | Gen::Time { lo, hi } => {
            span(*lo, *hi)
        }
        Gen::Float { lo, hi, decimals }
        | Gen::Decimal {
            lo,
            hi,
            scale: decimals,
        } => {
            let steps = (hi - lo) * 10f64.powi(*decimals as i32);
            (steps < 1e30).then(|| steps.floor() as u128 + 1)
        }
        Gen::Text(_) | Gen::Pattern(_) => max_length.map(|m| 36u128.saturating_pow(m)),
        Gen::Sequential { .. } | Gen::Uuid | Gen::Json => None,
    }
}

/// Digits of `n` in base 36 (`0-9a-z`).
fn base36(mut n: u64) -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// A deterministic variant of `value` for a unique column after random
/// retries collided: the next free number, day, second or step in range,
/// the next unused `one_of` value, or text with a counter (before the `@`
/// of an e-mail address, within `max_length`). `None` when no variant is
/// free or the generator has no such variants (patterns, custom generators).
pub(crate) fn make_unique(
    value: &Value,
    generator: Option<&Gen>,
    max_length: Option<u32>,
    counter: &mut u64,
    seen: &Seen,
) -> Option<Value> {
    const PROBES: u64 = 1 << 24;
    let probe_ints = |start: i64, lo: i64, hi: i64, make: &dyn Fn(i64) -> Value| {
        let span = (i128::from(hi) - i128::from(lo) + 1) as u128;
        let limit = u64::try_from(span).unwrap_or(u64::MAX).min(PROBES);
        (1..=limit).find_map(|k| {
            let off = ((i128::from(start) - i128::from(lo) + i128::from(k)) as u128 % span) as i128;
            let v = make((i128::from(lo) + off) as i64);
            (!seen.contains(&v)).then_some(v)
        })
    };
    match (generator, value) {
        (Some(Gen::Int { lo, hi }), Value::Int(i)) => probe_ints(*i, *lo, *hi, &Value::Int),
        (Some(Gen::Date { lo, hi }), Value::Text(s)) => {
            let start = super::parse_date(s)?;
            probe_ints(start, *lo, *hi, &|d| {
                let mut s = String::with_capacity(10);
                super::values::push_date(&mut s, d);
                Value::Text(s)
            })
        }
        (Some(Gen::DateTime { lo, hi }), Value::Text(s)) => {
            let start = super::parse_datetime(s)?;
            probe_ints(start, *lo, *hi, &|t| {
                let mut s = String::with_capacity(20);
                super::values::push_datetime(&mut s, t);
                Value::Text(s)
            })
        }
        (Some(Gen::Time { lo, hi }), Value::Text(s)) => {
            let start = super::parse_time(s)?;
            probe_ints(start, *lo, *hi, &|t| {
                let mut s = String::with_capacity(8);
                super::values::push_time(&mut s, t);
                Value::Text(s)
            })
        }
        (Some(Gen::Float { lo, hi, decimals }), Value::Float(x)) => {
            let p = 10f64.powi(*decimals as i32);
            let (lo_i, hi_i) = ((lo * p).ceil() as i64, (hi * p).floor() as i64);
            probe_ints((x * p).round() as i64, lo_i, hi_i, &|n| {
                Value::Float(n as f64 / p)
            })
        }
        (Some(Gen::Decimal { lo, hi, scale }), Value::Text(s)) => {
            let p = 10f64.powi(*scale as i32);
            let x: f64 = s.parse().ok()?;
            let (lo_i, hi_i) = ((lo * p).ceil() as i64, (hi * p).floor() as i64);
            probe_ints((x * p).round() as i64, lo_i, hi_i, &|n| {
                Value::Text(format!("{:.prec$}", n as f64 / p, prec = *scale as usize))
            })
        }
        (Some(Gen::Bool), Value::Bool(b)) => {
            let other = Value::Bool(!b);
            (!seen.contains(&other)).then_some(other)
        }
        (Some(Gen::OneOf(values)), _) => {
            let start = values.iter().position(|v| v == value).unwrap_or(0);
            (1..=values.len())
                .map(|k| &values[(start + k) % values.len()])
                .find(|v| !seen.contains(v))
                .cloned()
        }
        (Some(Gen::Text(_)), Value::Text(s)) => {
            for _ in 0..PROBES {
                *counter += 1;
                let candidate = Value::Text(with_suffix(s, &base36(*counter), max_length)?);
                if !seen.contains(&candidate) {
                    return Some(candidate);
                }
            }
            None
        }
        _ => None,
    }
}

/// `s` with `suffix` added (before the `@` of an e-mail address, after a
/// space in multi-word text), cut to fit `max_length`.
fn with_suffix(s: &str, suffix: &str, max_length: Option<u32>) -> Option<String> {
    let max = max_length.map_or(usize::MAX, |m| m as usize);
    if suffix.len() > max {
        return None;
    }
    let (head, tail, sep) = match s.rsplit_once('@') {
        Some((local, domain)) if !local.is_empty() => (local, format!("@{domain}"), ""),
        _ if s.contains(' ') => (s, String::new(), " "),
        _ => (s, String::new(), ""),
    };
    let fixed = suffix.len() + sep.len() + tail.chars().count();
    if fixed <= max {
        let mut head = head.to_owned();
        truncate_chars(&mut head, max - fixed);
        Some(format!("{head}{sep}{suffix}{tail}"))
    } else {
        // No room for the domain: a shorter plain value.
        let mut head = s.to_owned();
        truncate_chars(&mut head, max - suffix.len());
        Some(format!("{head}{suffix}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Past the exact limit the memory is the fixed filter, every value
    /// taken is still known (uniqueness holds), and fresh values are
    /// rarely taken for seen ones.
    #[test]
    fn a_bounded_seen_turns_to_a_filter_that_never_forgets() {
        let n = EXACT_LIMIT as u64 * 2;
        let hash = |i: u64| mix(i ^ 0x5eed);
        let mut seen = Seen::bounded();
        for i in 0..n {
            assert!(seen.insert_hash(hash(i)), "value {i} was new");
        }
        assert!(seen.bloom.is_some() && seen.exact.capacity() == 0);
        assert!(
            (0..n).step_by(97).all(|i| !seen.insert_hash(hash(i))),
            "a taken value was forgotten"
        );
        let fresh = 100_000;
        let falsely_taken = (n..n + fresh).filter(|&i| !seen.insert_hash(hash(i))).count();
        assert!(
            falsely_taken < (fresh / 1_000) as usize,
            "{falsely_taken} of {fresh}"
        );

        let mut exact = Seen::default();
        for i in 0..EXACT_LIMIT as u64 + 10 {
            exact.insert_hash(hash(i));
        }
        assert!(exact.bloom.is_none(), "an unbounded Seen stays exact");
    }

    #[test]
    fn suffixes_go_before_the_at_sign_and_respect_max_length() {
        assert_eq!(with_suffix("ann@x.com", "1", None).as_deref(), Some("ann1@x.com"));
        assert_eq!(with_suffix("Acme Inc", "2", None).as_deref(), Some("Acme Inc 2"));
        assert_eq!(with_suffix("abcdef", "z", Some(4)).as_deref(), Some("abcz"));
        assert_eq!(with_suffix("émile", "10", Some(4)).as_deref(), Some("ém10"));
        assert_eq!(with_suffix("a", "100", Some(2)), None);
    }

    #[test]
    fn base36_counts() {
        assert_eq!(base36(0), "0");
        assert_eq!(base36(35), "z");
        assert_eq!(base36(36), "10");
    }

    #[test]
    fn truncation_is_on_char_boundaries() {
        let mut s = "héllo".to_owned();
        truncate_chars(&mut s, 2);
        assert_eq!(s, "hé");
        assert!(exceeds("héllo", 4));
        assert!(!exceeds("héllo", 5));
    }

    #[test]
    fn cell_seeds_differ_by_row_column_and_attempt() {
        let t = table_stream(0, "t");
        let a = cell_seed(t, 1, 0, 0);
        assert_ne!(a, cell_seed(t, 2, 0, 0));
        assert_ne!(a, cell_seed(t, 1, 1, 0));
        assert_ne!(a, cell_seed(t, 1, 0, 1));
        assert_ne!(t, table_stream(1, "t"));
        assert_ne!(t, table_stream(0, "u"));
    }
}
