//! First pass over the data: what each column holds.

use std::collections::HashMap;

use super::pattern::TemplateAcc;
use super::source::Cell;
use crate::engine::offline::{parse_date, parse_datetime};

/// Distinct values remembered per column; past this a column is neither
/// categorical nor a small discrete number.
pub(crate) const DISTINCT_CAP: usize = 5_000;

/// What one column's values look like, accumulated value by value.
#[derive(Debug)]
pub(crate) struct Profile {
    pub count: u64,
    pub nulls: u64,
    bool_ok: bool,
    int_ok: bool,
    float_ok: bool,
    date_ok: bool,
    datetime_ok: bool,
    uuid_ok: bool,
    /// Any value came as text (not a JSON number or boolean).
    pub decimals: u32,
    /// Distinct values and their counts, `None` past [`DISTINCT_CAP`].
    pub distinct: Option<HashMap<String, u64>>,
    pub template: TemplateAcc,
    pub words: (u64, u64, u64),
    pub chars: (u64, u64),
    /// `T` between date and time, and a trailing `Z`, in the first date-time seen.
    pub datetime_style: Option<(bool, bool)>,
}

/// The type a column was found to have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Inferred {
    Empty,
    Boolean,
    Integer,
    Float,
    Date,
    DateTime,
    Uuid,
    Text,
}

impl Profile {
    pub fn new() -> Profile {
        Profile {
            count: 0,
            nulls: 0,
            bool_ok: true,
            int_ok: true,
            float_ok: true,
            date_ok: true,
            datetime_ok: true,
            uuid_ok: true,
            decimals: 0,
            distinct: Some(HashMap::new()),
            template: TemplateAcc::default(),
            words: (u64::MAX, 0, 0),
            chars: (u64::MAX, 0),
            datetime_style: None,
        }
    }

    pub fn push(&mut self, cell: Cell<'_>) {
        self.count += 1;
        let text: String;
        let key: &str = match cell {
            Cell::Null => {
                self.nulls += 1;
                return;
            }
            Cell::Bool(b) => {
                self.not(&[Kind::Int, Kind::Float, Kind::Date, Kind::DateTime, Kind::Uuid]);
                if b { "true" } else { "false" }
            }
            Cell::Int(i) => {
                self.not(&[Kind::Bool, Kind::Date, Kind::DateTime, Kind::Uuid]);
                if self.distinct.is_none() {
                    return;
                }
                text = i.to_string();
                &text
            }
            Cell::Float(x) => {
                // A typed float (`1.0` in JSON) says float, even when whole.
                self.not(&[Kind::Bool, Kind::Int, Kind::Date, Kind::DateTime, Kind::Uuid]);
                // Formatting is the slow part: the first values tell the decimals.
                if self.distinct.is_none() {
                    return;
                }
                text = x.to_string();
                self.decimals = self.decimals.max(decimals(&text));
                &text
            }
            Cell::Text(s) => {
                self.text(s.trim());
                s.trim()
            }
        };
        if let Some(map) = &mut self.distinct {
            if let Some(n) = map.get_mut(key) {
                *n += 1;
            } else if map.len() < DISTINCT_CAP {
                map.insert(key.to_owned(), 1);
            } else {
                self.distinct = None;
            }
        }
    }

    fn text(&mut self, s: &str) {
        if self.bool_ok && parse_bool(s).is_none() {
            self.bool_ok = false;
        }
        if self.int_ok && s.parse::<i64>().is_err() {
            self.int_ok = false;
        }
        if self.float_ok {
            match s.parse::<f64>() {
                Ok(x) if x.is_finite() => self.decimals = self.decimals.max(decimals(s)),
                _ => self.float_ok = false,
            }
        }
        if self.date_ok && !(s.len() == 10 && parse_date(s).is_some()) {
            self.date_ok = false;
        }
        if self.datetime_ok {
            if s.len() > 10 && parse_datetime(s).is_some() {
                if self.datetime_style.is_none() {
                    self.datetime_style = Some((s.as_bytes().get(10) == Some(&b'T'), s.ends_with('Z')));
                }
            } else {
                self.datetime_ok = false;
            }
        }
        if self.uuid_ok && !(s.len() == 36 && uuid::Uuid::parse_str(s).is_ok()) {
            self.uuid_ok = false;
        }
        // Shape and length only matter for text: skip values of another type.
        if self.bool_ok || self.int_ok || self.float_ok || self.date_ok || self.datetime_ok || self.uuid_ok {
            return;
        }
        self.template.push(s);
        let words = s.split_whitespace().count() as u64;
        let chars = s.chars().count() as u64;
        self.words = (
            self.words.0.min(words),
            self.words.1.max(words),
            self.words.2 + words,
        );
        self.chars = (self.chars.0.min(chars), self.chars.1.max(chars));
    }

    fn not(&mut self, kinds: &[Kind]) {
        for k in kinds {
            match k {
                Kind::Bool => self.bool_ok = false,
                Kind::Int => self.int_ok = false,
                Kind::Float => self.float_ok = false,
                Kind::Date => self.date_ok = false,
                Kind::DateTime => self.datetime_ok = false,
                Kind::Uuid => self.uuid_ok = false,
            }
        }
    }

    pub fn non_null(&self) -> u64 {
        self.count - self.nulls
    }

    /// The narrowest type every non-null value fits.
    pub fn inferred(&self) -> Inferred {
        if self.non_null() == 0 {
            Inferred::Empty
        } else if self.bool_ok {
            Inferred::Boolean
        } else if self.int_ok {
            Inferred::Integer
        } else if self.float_ok {
            Inferred::Float
        } else if self.date_ok {
            Inferred::Date
        } else if self.datetime_ok {
            Inferred::DateTime
        } else if self.uuid_ok {
            Inferred::Uuid
        } else {
            Inferred::Text
        }
    }
}

enum Kind {
    Bool,
    Int,
    Float,
    Date,
    DateTime,
    Uuid,
}

/// `true`/`false`, `yes`/`no`, `t`/`f` in any case. `0`/`1` stay numbers.
pub(crate) fn parse_bool(s: &str) -> Option<bool> {
    match s.to_ascii_lowercase().as_str() {
        "true" | "t" | "yes" | "y" => Some(true),
        "false" | "f" | "no" | "n" => Some(false),
        _ => None,
    }
}

/// Digits after the decimal point of a number's text (0 with an exponent).
fn decimals(s: &str) -> u32 {
    if s.contains(['e', 'E']) {
        return 0;
    }
    s.split_once('.').map_or(0, |(_, f)| f.len() as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn infer(values: &[&str]) -> Inferred {
        let mut p = Profile::new();
        for v in values {
            p.push(if v.is_empty() { Cell::Null } else { Cell::Text(v) });
        }
        p.inferred()
    }

    #[test]
    fn types_are_the_narrowest_that_fit_every_value() {
        assert_eq!(infer(&["1", "", "-3"]), Inferred::Integer);
        assert_eq!(infer(&["1", "2.5"]), Inferred::Float);
        assert_eq!(infer(&["true", "False"]), Inferred::Boolean);
        assert_eq!(infer(&["0", "1"]), Inferred::Integer);
        assert_eq!(infer(&["2024-01-02", "2023-12-31"]), Inferred::Date);
        assert_eq!(
            infer(&["2024-01-02T10:00:00Z", "2024-01-02 10:00:00"]),
            Inferred::DateTime
        );
        assert_eq!(infer(&["2024-01-02", "soon"]), Inferred::Text);
        assert_eq!(infer(&["67e55044-10b1-426f-9247-bb680e5fe0c8"]), Inferred::Uuid);
        assert_eq!(infer(&["", ""]), Inferred::Empty);
    }

    #[test]
    fn float_decimals_are_the_most_seen() {
        let mut p = Profile::new();
        for v in ["1.5", "2.25", "3"] {
            p.push(Cell::Text(v));
        }
        assert_eq!(p.decimals, 2);
    }
}
