//! Unique columns that are unique by construction, with nothing remembered.
//!
//! Where a built-in generator's values can be numbered (an integer, date or
//! time range, steps of a decimal range, UUIDs, company and product names),
//! row `i` of a unique column takes value number `p(i)` of that space, `p`
//! a keyed permutation ([`super::permute`]). Past the end of a text space
//! the values repeat with a round number (`"Kozey and Sons 2"`), which no
//! value of the space ends with. Memory does not grow with rows, and a
//! table with such columns can start at any row (threads, shards).
//!
//! Every other unique column (patterns, `one_of`, custom generators, other
//! text kinds) keeps a hash of each value taken ([`super::constraints::Seen`]).

use super::constraints::mix;
use super::locale;
use super::permute::{Permutation, digits};
use super::values::{Gen, TextKind, push_date, push_datetime, push_time, vocab};
use crate::value::Value;

/// Longest round suffix: a space and the digits of `u64::MAX`.
const ROUND_ROOM: usize = 21;

/// A numbered value space.
#[derive(Debug, Clone)]
enum Space {
    Ints {
        lo: i64,
    },
    Dates {
        lo: i64,
    },
    DateTimes {
        lo: i64,
    },
    Times {
        lo: i64,
    },
    /// `(lo + k) / 10^scale`, as a float or as decimal text.
    Steps {
        lo: i64,
        scale: u32,
        float: bool,
    },
    Uuids,
    Companies,
    Products,
}

/// The unique values of one column, from the row index.
#[derive(Debug, Clone)]
pub(crate) struct Structural {
    space: Space,
    permutation: Permutation,
    key: u64,
}

impl Structural {
    /// The structural form of `generator` in a column of at most
    /// `max_length` characters, keyed by the column's random stream; `None`
    /// when its values cannot be numbered (or would not fit).
    pub(crate) fn new(generator: &Gen, max_length: Option<u32>, key: u64) -> Option<Structural> {
        let span = |lo: i64, hi: i64| u64::try_from(i128::from(hi) - i128::from(lo) + 1).ok();
        let fits = |longest: usize| max_length.is_none_or(|m| m as usize >= longest + ROUND_ROOM);
        // Values of the other spaces as text (in a text column) are never cut.
        let longest_text = match generator {
            Gen::Uuid => 36,
            Gen::Date { .. } => 10,
            Gen::DateTime { .. } => 20,
            Gen::Time { .. } => 8,
            _ => 24,
        };
        if !matches!(generator, Gen::Text(_)) && max_length.is_some_and(|m| (m as usize) < longest_text) {
            return None;
        }
        let (space, n) = match generator {
            Gen::Int { lo, hi } => (Space::Ints { lo: *lo }, span(*lo, *hi)?),
            Gen::Date { lo, hi } => (Space::Dates { lo: *lo }, span(*lo, *hi)?),
            Gen::DateTime { lo, hi } => (Space::DateTimes { lo: *lo }, span(*lo, *hi)?),
            Gen::Time { lo, hi } => (Space::Times { lo: *lo }, span(*lo, *hi)?),
            Gen::Float { lo, hi, decimals }
            | Gen::Decimal {
                lo,
                hi,
                scale: decimals,
            } => {
                let p = 10f64.powi(*decimals as i32);
                let (lo_i, hi_i) = ((lo * p).ceil(), (hi * p).floor());
                // Exact integers only, so that distinct steps are distinct numbers.
                if !(lo_i.abs() < 2f64.powi(52) && hi_i.abs() < 2f64.powi(52)) || hi_i < lo_i {
                    return None;
                }
                let float = matches!(generator, Gen::Float { .. });
                let space = Space::Steps {
                    lo: lo_i as i64,
                    scale: *decimals,
                    float,
                };
                (space, span(lo_i as i64, hi_i as i64)?)
            }
            Gen::Uuid => (Space::Uuids, 1 << 62),
            Gen::Text(TextKind::Company) if fits(locale::longest_company()) => {
                (Space::Companies, locale::company_count())
            }
            Gen::Text(TextKind::ProductName) if fits(longest_product()) => (Space::Products, product_count()),
            _ => return None,
        };
        Some(Structural {
            space,
            permutation: Permutation::new(n, key),
            key,
        })
    }

    /// The value of row `index`.
    pub(crate) fn value(&self, index: u64) -> Value {
        let k = self.permutation.apply(index);
        let text = |f: &dyn Fn(&mut String)| {
            let mut s = String::with_capacity(40);
            f(&mut s);
            let round = index / self.permutation.len();
            if round > 0 {
                s.push(' ');
                s.push_str(itoa::Buffer::new().format(round + 1));
            }
            Value::Text(s)
        };
        match self.space {
            Space::Ints { lo } => Value::Int(lo.wrapping_add(k as i64)),
            Space::Dates { lo } => {
                let mut s = String::with_capacity(10);
                push_date(&mut s, lo.wrapping_add(k as i64));
                Value::Text(s)
            }
            Space::DateTimes { lo } => {
                let mut s = String::with_capacity(20);
                push_datetime(&mut s, lo.wrapping_add(k as i64));
                Value::Text(s)
            }
            Space::Times { lo } => {
                let mut s = String::with_capacity(8);
                push_time(&mut s, lo.wrapping_add(k as i64));
                Value::Text(s)
            }
            Space::Steps { lo, scale, float } => {
                let x = (lo + k as i64) as f64 / 10f64.powi(scale as i32);
                if float {
                    Value::Float(x)
                } else {
                    Value::Text(format!("{x:.prec$}", prec = scale as usize))
                }
            }
            Space::Uuids => {
                // 62 bits from the permutation (distinct per row), the rest
                // from a hash of the row; version 4, RFC 4122 variant.
                let high = mix(index ^ self.key).to_be_bytes();
                let low = k.to_be_bytes();
                let mut bytes = [0u8; 16];
                bytes[..8].copy_from_slice(&high);
                bytes[8..].copy_from_slice(&low);
                bytes[6] = (bytes[6] & 0x0f) | 0x40;
                bytes[8] = (bytes[8] & 0x3f) | 0x80;
                Value::Text(uuid::Uuid::from_bytes(bytes).hyphenated().to_string())
            }
            Space::Companies => text(&|s| locale::push_nth_company(s, k)),
            Space::Products => text(&|s| push_nth_product(s, k)),
        }
    }
}

/// Product names as a space: adjective, optional material, product.
fn product_count() -> u64 {
    let v = vocab();
    (v.product_adjectives.len() * (v.materials.len() + 1) * v.products.len()) as u64
}

fn longest_product() -> usize {
    let v = vocab();
    let longest = |l: &[&str]| l.iter().map(|w| w.len()).max().unwrap_or(0);
    longest(&v.product_adjectives) + longest(&v.materials) + longest(&v.products) + 2
}

fn push_nth_product(s: &mut String, k: u64) {
    let v = vocab();
    let [a, m, p] = digits(
        k,
        [
            v.product_adjectives.len() as u64,
            v.materials.len() as u64 + 1,
            v.products.len() as u64,
        ],
    );
    s.push_str(v.product_adjectives[a as usize]);
    s.push(' ');
    if let Some(material) = m.checked_sub(1) {
        s.push_str(v.materials[material as usize]);
        s.push(' ');
    }
    s.push_str(v.products[p as usize]);
}

/// The digits of a row-derived tag that keeps a value unique: rows 0–9 get
/// 0–9 in a keyed order, rows 10–99 get 10–99, and so on, so the tag of
/// row `i` has as many digits as `i` and no two rows share one.
pub(crate) fn row_tag(index: u64, key: u64) -> u64 {
    let (mut lo, mut width) = (0u64, 10u64);
    while index - lo >= width {
        lo += width;
        match lo.checked_mul(9) {
            Some(w) => width = w,
            // The last block: up to u64::MAX.
            None => {
                width = u64::MAX - lo;
                break;
            }
        }
    }
    lo + Permutation::new(width, mix(key ^ lo)).apply(index - lo)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn company_and_product_spaces_are_injective() {
        let companies: HashSet<String> = (0..locale::company_count())
            .map(|k| {
                let mut s = String::new();
                locale::push_nth_company(&mut s, k);
                s
            })
            .collect();
        assert_eq!(companies.len() as u64, locale::company_count());
        assert!(companies.iter().all(|c| c.len() <= locale::longest_company()));
        let products: HashSet<String> = (0..product_count())
            .map(|k| {
                let mut s = String::new();
                push_nth_product(&mut s, k);
                s
            })
            .collect();
        assert_eq!(products.len() as u64, product_count());
        assert!(products.iter().all(|p| p.len() <= longest_product()));
    }

    #[test]
    fn values_past_the_space_take_a_round_number() {
        let g = Structural::new(&Gen::Text(TextKind::ProductName), Some(100), 7).unwrap();
        let n = g.permutation.len();
        let values: HashSet<String> = (0..3 * n).map(|i| g.value(i).to_string()).collect();
        assert_eq!(values.len() as u64, 3 * n);
        assert!(g.value(2 * n).as_str().unwrap().ends_with(" 3"));
    }

    #[test]
    fn short_columns_keep_hashes() {
        assert!(Structural::new(&Gen::Text(TextKind::Company), Some(30), 1).is_none());
        assert!(Structural::new(&Gen::Text(TextKind::Sentence), None, 1).is_none());
    }

    #[test]
    fn numbers_dates_and_uuids_are_distinct() {
        for g in [
            Gen::Int { lo: -5, hi: 994 },
            Gen::Date { lo: 0, hi: 999 },
            Gen::Float {
                lo: 0.0,
                hi: 9.99,
                decimals: 2,
            },
            Gen::Decimal {
                lo: 1.0,
                hi: 10.99,
                scale: 2,
            },
            Gen::Uuid,
        ] {
            let s = Structural::new(&g, None, 3).unwrap();
            let values: HashSet<String> = (0..1000).map(|i| s.value(i).to_string()).collect();
            assert_eq!(values.len(), 1000, "{g:?}");
        }
        let ints = Structural::new(&Gen::Int { lo: -5, hi: 994 }, None, 3).unwrap();
        assert!((0..1000).all(|i| matches!(ints.value(i), Value::Int(v) if (-5..=994).contains(&v))));
    }

    #[test]
    fn row_tags_are_distinct_and_as_long_as_the_row_number() {
        let tags: HashSet<u64> = (0..20_000).map(|i| row_tag(i, 9)).collect();
        assert_eq!(tags.len(), 20_000);
        assert!((100..1000).all(|i| (100..1000).contains(&row_tag(i, 9))));
        assert!(row_tag(u64::MAX - 1, 9) >= 10u64.pow(19));
    }
}
