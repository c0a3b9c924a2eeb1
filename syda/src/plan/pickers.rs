//! How a child row picks its parent: the column generators the planner
//! registers for foreign-key columns.

use std::sync::{Arc, Mutex};

use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};

use super::keys::Keys;
use crate::engine::{EngineRng, GenContext};
use crate::value::Value;

/// How children spread over their parents, per foreign key.
#[derive(Debug, Clone, PartialEq)]
pub enum FanOut {
    /// Each child picks a parent uniformly at random (the default).
    Uniform,
    /// Every parent gets between `min` and `max` children (inclusive). The
    /// child table's size is the sum, whatever size was asked for it.
    PerParent {
        /// Fewest children of a parent.
        min: u32,
        /// Most children of a parent.
        max: u32,
    },
    /// Children per parent follow a normal distribution, rounded and never
    /// negative. The child table's size is the sum.
    Normal {
        /// Average children per parent.
        mean: f64,
        /// Spread around the mean.
        std_dev: f64,
    },
    /// A few parents get most of the children: the parent ranked `k` (in a
    /// random order) is picked with weight `1 / k^exponent`.
    Zipf {
        /// Skew; 1.0 is classic Zipf, larger is more skewed.
        exponent: f64,
    },
}

impl FanOut {
    /// Whether the distribution decides the child table's size.
    pub(crate) fn sets_size(&self) -> bool {
        matches!(self, FanOut::PerParent { .. } | FanOut::Normal { .. })
    }

    /// Children per parent for `parents` parents, when the distribution decides them.
    pub(crate) fn counts(&self, parents: usize, rng: &mut EngineRng) -> Vec<u32> {
        (0..parents)
            .map(|_| match *self {
                FanOut::PerParent { min, max } => rng.random_range(min..=max.max(min)),
                FanOut::Normal { mean, std_dev } => {
                    // Box–Muller: one standard normal from two uniforms.
                    let (u1, u2): (f64, f64) = (rng.random::<f64>().max(f64::MIN_POSITIVE), rng.random());
                    let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
                    (mean + std_dev * z).round().max(0.0) as u32
                }
                FanOut::Uniform | FanOut::Zipf { .. } => 1,
            })
            .collect()
    }
}

/// How a row's parent index is chosen.
pub(crate) enum Choice {
    /// Uniformly from all parents, with the row's own random stream.
    Uniform,
    /// Row `i` gets parent `order[i]`: one-to-one, fan-out counts, join pairs.
    Fixed(Vec<u32>),
    /// Weighted: cumulative weights over parents, searched with a uniform draw.
    Weighted(Vec<f64>),
}

impl Choice {
    /// Each parent at most once, in a random order.
    pub(crate) fn one_to_one(parents: usize, children: usize, rng: &mut EngineRng) -> Choice {
        let mut order: Vec<u32> = (0..parents as u32).collect();
        order.shuffle(rng);
        order.truncate(children);
        Choice::Fixed(order)
    }

    /// Parent `p` repeated `counts[p]` times, shuffled: the parent of each
    /// child row, in row order.
    pub(crate) fn parents_from_counts(counts: &[u32], rng: &mut EngineRng) -> Vec<u32> {
        let mut order: Vec<u32> = counts
            .iter()
            .enumerate()
            .flat_map(|(p, &n)| std::iter::repeat_n(p as u32, n as usize))
            .collect();
        order.shuffle(rng);
        order
    }

    pub(crate) fn zipf(parents: usize, exponent: f64, rng: &mut EngineRng) -> Choice {
        let mut rank: Vec<usize> = (1..=parents).collect();
        rank.shuffle(rng);
        let mut total = 0.0;
        let cumulative = rank
            .iter()
            .map(|&k| {
                total += 1.0 / (k as f64).powf(exponent);
                total
            })
            .collect();
        Choice::Weighted(cumulative)
    }
}

/// The parent picked for the row asked about last: each key column of a
/// row asks, and all of them must get the same parent. The memo is per
/// thread, so threads generating different rows with one engine (parallel
/// chunks) never see each other's picks.
pub(crate) struct PerRow {
    id: u64,
}

impl Default for PerRow {
    fn default() -> Self {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        PerRow {
            id: NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        }
    }
}

/// Memo slots per thread: (memo id, row, pick), most recent first.
const MEMO_SLOTS: usize = 32;

thread_local! {
    static PICKS: std::cell::RefCell<Vec<(u64, u64, Option<usize>)>> = const { std::cell::RefCell::new(Vec::new()) };
}

impl PerRow {
    /// The pick for `row`, made by `pick` the first time the row asks.
    pub(crate) fn get(&self, row: u64, pick: impl FnOnce() -> Option<usize>) -> Option<usize> {
        let memo = PICKS.with(|p| {
            p.borrow()
                .iter()
                .find(|e| e.0 == self.id && e.1 == row)
                .map(|e| e.2)
        });
        if let Some(parent) = memo {
            return parent;
        }
        let parent = pick();
        PICKS.with(|p| {
            let mut p = p.borrow_mut();
            p.retain(|e| e.0 != self.id);
            p.insert(0, (self.id, row, parent));
            p.truncate(MEMO_SLOTS);
        });
        parent
    }
}

/// Picks the parent of each row for one foreign key, once per row, so the
/// key's columns (composite keys) all take their part of the same parent.
pub(crate) struct ParentPicker {
    pub(crate) keys: Arc<Keys>,
    pub(crate) choice: Choice,
    pub(crate) null_rate: f64,
    picked: PerRow,
    /// The table's first row index: a fixed choice is per row from there.
    first: u64,
}

impl ParentPicker {
    pub(crate) fn new(keys: Arc<Keys>, choice: Choice, null_rate: f64) -> ParentPicker {
        ParentPicker {
            keys,
            choice,
            null_rate,
            picked: PerRow::default(),
            first: 0,
        }
    }

    /// Rows are numbered from `first` (a seed continuing a filled table).
    pub(crate) fn numbered_from(mut self, first: u64) -> ParentPicker {
        self.first = first;
        self
    }

    fn pick(&self, ctx: &mut GenContext<'_>) -> Option<usize> {
        let row = ctx.index();
        self.picked.get(row, || {
            if self.null_rate > 0.0 && ctx.rng().random_bool(self.null_rate) {
                return None;
            }
            match &self.choice {
                Choice::Uniform => Some(ctx.rng().random_range(0..self.keys.len())),
                // Rows before `first` are only replayed (to rebuild the
                // values a unique column took) and thrown away.
                Choice::Fixed(order) => order
                    .get(row.saturating_sub(self.first) as usize)
                    .map(|&p| p as usize),
                Choice::Weighted(cumulative) => {
                    let total = cumulative.last().copied().unwrap_or(0.0);
                    let x = ctx.rng().random::<f64>() * total;
                    Some(cumulative.partition_point(|&c| c <= x).min(cumulative.len() - 1))
                }
            }
        })
    }

    /// The value of key component `part` for the current row.
    pub(crate) fn value(&self, ctx: &mut GenContext<'_>, part: usize) -> Value {
        match self.pick(ctx) {
            Some(p) => self.keys.get(p, part),
            None => Value::Null,
        }
    }
}

/// A column referencing its own table's primary key: row `i` points at one
/// of rows `0..i` (or NULL), so the references form a forest, never a cycle.
pub(crate) struct SelfReference {
    pub(crate) key_column: String,
    pub(crate) null_rate: f64,
    /// Primary key of each row generated so far.
    seen: Mutex<Vec<Value>>,
    /// The table's first row index: rows point at rows of this generation
    /// only (earlier indices are not in the database necessarily).
    first: u64,
}

impl SelfReference {
    pub(crate) fn new(key_column: String, null_rate: f64, first: u64) -> SelfReference {
        SelfReference {
            key_column,
            null_rate,
            seen: Mutex::new(Vec::new()),
            first,
        }
    }

    pub(crate) fn value(&self, ctx: &mut GenContext<'_>) -> Value {
        let row = ctx.index().saturating_sub(self.first) as usize;
        let own_key = ctx.value(&self.key_column).cloned().unwrap_or(Value::Null);
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        seen.truncate(row);
        let earlier = seen.len();
        seen.push(own_key);
        if earlier == 0 || ctx.rng().random_bool(self.null_rate) {
            Value::Null
        } else {
            seen[ctx.rng().random_range(0..earlier)].clone()
        }
    }
}

/// A random stream for planning decisions about `table`, fixed by the seed.
pub(crate) fn plan_rng(seed: u64, table: &str, salt: &str) -> EngineRng {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed;
    for b in table.bytes().chain([0]).chain(salt.bytes()) {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    EngineRng::seed_from_u64(h)
}
