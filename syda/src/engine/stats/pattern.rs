//! Value templates of identifier-like text: `AB-1234`, `INV2024/0042` →
//! literal parts kept, varying parts as character classes with a length
//! range (`AB-\d{4}`). New values are drawn to match, so none is copied.

use std::fmt::Write as _;

use rand::RngExt;
use serde::{Deserialize, Serialize};

use crate::engine::EngineRng;

/// Runs per value past which text is not an identifier.
const MAX_TOKENS: usize = 16;

/// A class of characters a run of a template is drawn from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CharClass {
    /// `A`–`Z`.
    Upper,
    /// `a`–`z`.
    Lower,
    /// `0`–`9`.
    Digit,
}

/// One part of a [`Pattern`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Token {
    /// Text every value has at this place.
    Literal(String),
    /// A run of `min..=max` characters of one class.
    Run {
        /// The characters.
        class: CharClass,
        /// Shortest run seen.
        min: u32,
        /// Longest run seen.
        max: u32,
    },
}

/// A template every value of an identifier column matched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pattern {
    /// The parts, in order.
    pub tokens: Vec<Token>,
}

impl Pattern {
    /// The template as a regular expression, e.g. `AB\-\d{4}`.
    pub fn regex(&self) -> String {
        let mut out = String::new();
        for token in &self.tokens {
            match token {
                Token::Literal(s) => out.push_str(&regex::escape(s)),
                Token::Run { class, min, max } => {
                    out.push_str(match class {
                        CharClass::Upper => "[A-Z]",
                        CharClass::Lower => "[a-z]",
                        CharClass::Digit => r"\d",
                    });
                    let _ = if min == max {
                        write!(out, "{{{min}}}")
                    } else {
                        write!(out, "{{{min},{max}}}")
                    };
                }
            }
        }
        out
    }

    /// How many distinct values the template can make (saturating).
    pub fn capacity(&self) -> u128 {
        let mut total: u128 = 1;
        for token in &self.tokens {
            if let Token::Run { class, min, max } = token {
                let base: u128 = match class {
                    CharClass::Digit => 10,
                    _ => 26,
                };
                let mut run: u128 = 0;
                for len in *min..=*max {
                    run = run.saturating_add(base.saturating_pow(len));
                }
                total = total.saturating_mul(run);
            }
        }
        total
    }

    /// A new value matching the template.
    pub fn generate(&self, rng: &mut EngineRng, out: &mut String) {
        out.clear();
        for token in &self.tokens {
            match token {
                Token::Literal(s) => out.push_str(s),
                Token::Run { class, min, max } => {
                    let len = rng.random_range(*min..=*max);
                    for _ in 0..len {
                        let c = match class {
                            CharClass::Upper => rng.random_range(b'A'..=b'Z'),
                            CharClass::Lower => rng.random_range(b'a'..=b'z'),
                            CharClass::Digit => rng.random_range(b'0'..=b'9'),
                        };
                        out.push(char::from(c));
                    }
                }
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Upper,
    Lower,
    Digit,
    Other(char),
}

fn class_of(c: char) -> Class {
    match c {
        'A'..='Z' => Class::Upper,
        'a'..='z' => Class::Lower,
        '0'..='9' => Class::Digit,
        c => Class::Other(c),
    }
}

#[derive(Debug, Clone)]
struct TokAcc {
    class: Class,
    min: u32,
    max: u32,
    /// The run's text while every value had the same.
    literal: Option<String>,
}

/// Learns a template from values: the run structure of the first value,
/// and how many later values shared it.
#[derive(Debug, Default)]
pub(crate) struct TemplateAcc {
    tokens: Option<Vec<TokAcc>>,
    pub matched: u64,
    pub mismatched: u64,
}

impl TemplateAcc {
    pub(super) fn push(&mut self, s: &str) {
        let runs = runs(s);
        if runs.is_empty() || runs.len() > MAX_TOKENS {
            self.mismatched += 1;
            return;
        }
        let Some(tokens) = &mut self.tokens else {
            self.tokens = Some(
                runs.iter()
                    .map(|(class, text)| TokAcc {
                        class: *class,
                        min: text.chars().count() as u32,
                        max: text.chars().count() as u32,
                        literal: Some((*text).to_owned()),
                    })
                    .collect(),
            );
            self.matched += 1;
            return;
        };
        let same = tokens.len() == runs.len() && tokens.iter().zip(&runs).all(|(t, (c, _))| t.class == *c);
        if !same {
            self.mismatched += 1;
            return;
        }
        for (t, (_, text)) in tokens.iter_mut().zip(&runs) {
            let len = text.chars().count() as u32;
            t.min = t.min.min(len);
            t.max = t.max.max(len);
            if t.literal.as_deref().is_some_and(|l| l != *text) {
                t.literal = None;
            }
        }
        self.matched += 1;
    }

    /// The template, when at least `share` of the values matched it and it
    /// has at least one varying part.
    pub(super) fn pattern(&self, share: f64) -> Option<Pattern> {
        let tokens = self.tokens.as_ref()?;
        let total = self.matched + self.mismatched;
        if total == 0 || (self.matched as f64) < share * total as f64 {
            return None;
        }
        let mut out: Vec<Token> = Vec::new();
        for t in tokens {
            let token = match (&t.literal, t.class) {
                (Some(l), _) => Token::Literal(l.clone()),
                // Varying punctuation (`-` vs `--`) stays a literal of the shortest run.
                (None, Class::Other(c)) => Token::Literal(c.to_string().repeat(t.min as usize)),
                (None, Class::Upper) => run(CharClass::Upper, t),
                (None, Class::Lower) => run(CharClass::Lower, t),
                (None, Class::Digit) => run(CharClass::Digit, t),
            };
            match (out.last_mut(), token) {
                (Some(Token::Literal(prev)), Token::Literal(next)) => prev.push_str(&next),
                (_, token) => out.push(token),
            }
        }
        out.iter()
            .any(|t| matches!(t, Token::Run { .. }))
            .then_some(Pattern { tokens: out })
    }
}

fn run(class: CharClass, t: &TokAcc) -> Token {
    Token::Run {
        class,
        min: t.min,
        max: t.max,
    }
}

/// Maximal runs of one class (a run of punctuation is one repeated character).
fn runs(s: &str) -> Vec<(Class, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut current: Option<Class> = None;
    for (i, c) in s.char_indices() {
        let class = class_of(c);
        if current != Some(class) {
            if let Some(prev) = current {
                out.push((prev, &s[start..i]));
            }
            start = i;
            current = Some(class);
        }
    }
    if let Some(prev) = current {
        out.push((prev, &s[start..]));
    }
    out
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    fn learn(values: &[&str]) -> Option<Pattern> {
        let mut acc = TemplateAcc::default();
        for v in values {
            acc.push(v);
        }
        acc.pattern(0.99)
    }

    #[test]
    fn constant_prefix_stays_literal_and_digits_become_a_run() {
        let p = learn(&["AB-0012", "AB-9931", "AB-4410"]).unwrap();
        assert_eq!(p.regex(), r"AB\-\d{4}");
        let re = regex::Regex::new(&format!("^{}$", p.regex())).unwrap();
        let mut rng = EngineRng::seed_from_u64(1);
        let mut s = String::new();
        for _ in 0..50 {
            p.generate(&mut rng, &mut s);
            assert!(re.is_match(&s), "{s}");
        }
        assert_eq!(p.capacity(), 10_000);
    }

    #[test]
    fn varying_lengths_become_a_range() {
        let p = learn(&["x1", "y22", "z333"]).unwrap();
        assert_eq!(p.regex(), r"[a-z]{1}\d{1,3}");
    }

    #[test]
    fn values_of_different_shapes_have_no_template() {
        assert!(learn(&["AB-1", "hello world", "12"]).is_none());
        assert!(learn(&["same", "same"]).is_none(), "nothing varies");
    }
}
