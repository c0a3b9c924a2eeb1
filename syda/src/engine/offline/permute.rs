//! Keyed pseudo-random permutations of `0..n`: unique values from the row
//! index alone, with nothing remembered.
//!
//! Row `i` of a unique column takes value number `p(i)` of the column's
//! value space, where `p` is a bijection: distinct rows get distinct values
//! by construction, in any order, on any thread or shard, and row `i` never
//! depends on how many rows are asked for.

use super::constraints::mix;

/// A bijection of `0..n`: a four-round Feistel network over the smallest
/// even number of bits that holds `n`, walking the cycle until the value
/// falls below `n` (fewer than four steps on average, since `n` is more than
/// a quarter of the bit space).
#[derive(Debug, Clone)]
pub(crate) struct Permutation {
    n: u64,
    half: u32,
    mask: u64,
    keys: [u64; 4],
}

impl Permutation {
    /// A permutation of `0..n` (`n` at least 1) chosen by `key`.
    pub(crate) fn new(n: u64, key: u64) -> Permutation {
        let bits = 64 - n.saturating_sub(1).leading_zeros();
        let half = bits.div_ceil(2).max(1);
        let mut k = key;
        let keys = [0, 1, 2, 3].map(|_| {
            k = mix(k);
            k
        });
        Permutation {
            n: n.max(1),
            half,
            mask: (1u64 << half) - 1,
            keys,
        }
    }

    /// How many values it permutes.
    pub(crate) fn len(&self) -> u64 {
        self.n
    }

    /// The image of `i` (taken modulo `n`).
    pub(crate) fn apply(&self, i: u64) -> u64 {
        let mut x = i % self.n;
        loop {
            x = self.feistel(x);
            if x < self.n {
                return x;
            }
        }
    }

    fn feistel(&self, x: u64) -> u64 {
        let (mut left, mut right) = (x >> self.half, x & self.mask);
        for key in self.keys {
            let f = mix(right ^ key) & self.mask;
            (left, right) = (right, left ^ f);
        }
        (left << self.half) | right
    }
}

/// The digits of a number written in mixed radix: `index` split into one
/// digit per radix, least significant first.
pub(crate) fn digits<const N: usize>(mut index: u64, radixes: [u64; N]) -> [u64; N] {
    radixes.map(|r| {
        let d = index % r;
        index /= r;
        d
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permutations_are_bijections() {
        for n in [1, 2, 3, 7, 64, 100, 1000, 4097] {
            let p = Permutation::new(n, n * 31);
            let mut seen = vec![false; n as usize];
            for i in 0..n {
                let j = p.apply(i) as usize;
                assert!(!seen[j], "n = {n}: {j} twice");
                seen[j] = true;
            }
        }
    }

    #[test]
    fn permutations_of_huge_spaces_stay_in_range() {
        let p = Permutation::new(u64::MAX, 5);
        assert!(p.apply(123) < u64::MAX);
        let p = Permutation::new(3 << 40, 9);
        assert!((0..1000).all(|i| p.apply(i) < 3 << 40));
    }

    #[test]
    fn keys_choose_different_orders() {
        let (a, b) = (Permutation::new(1000, 1), Permutation::new(1000, 2));
        assert!((0..1000).any(|i| a.apply(i) != b.apply(i)));
        // Not the identity either.
        assert!((0..1000).filter(|&i| a.apply(i) == i).count() < 20);
    }

    #[test]
    fn mixed_radix_digits() {
        assert_eq!(digits(1 + 2 * 10 + 3 * 10 * 7, [10, 7, 5]), [1, 2, 3]);
    }
}
