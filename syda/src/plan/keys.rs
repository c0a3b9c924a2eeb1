//! Parent keys remembered while a parent table is generated, so children can
//! sample them without the parent's rows staying in memory.

use crate::engine::{Summaries, key_text, summarise};
use crate::schema::Table;
use crate::value::{Row, Value};

/// The keys of one parent (table, columns) in generation order.
#[derive(Debug, Clone)]
pub(crate) enum Keys {
    /// Consecutive integers `start, start+1, …` (the default primary key):
    /// kept as two numbers however many rows there are.
    Sequence { start: i64, len: usize },
    /// Single-column keys.
    List(Vec<Value>),
    /// Composite keys.
    Tuples(Vec<Vec<Value>>),
}

impl Keys {
    pub(crate) fn len(&self) -> usize {
        match self {
            Keys::Sequence { len, .. } => *len,
            Keys::List(v) => v.len(),
            Keys::Tuples(v) => v.len(),
        }
    }

    /// Component `part` of key number `index`.
    pub(crate) fn get(&self, index: usize, part: usize) -> Value {
        match self {
            Keys::Sequence { start, .. } => Value::Int(start + index as i64),
            Keys::List(v) => v[index].clone(),
            Keys::Tuples(v) => v[index][part].clone(),
        }
    }
}

/// Collects the key columns `columns` of each row a parent table produces.
/// Rows with a NULL in the key are skipped: nothing can reference them.
#[derive(Debug)]
pub(crate) struct KeyCapture {
    pub(crate) columns: Vec<usize>,
    keys: Keys,
    /// A summary of each row by key, for parent context; `None` when off.
    summaries: Option<Summaries>,
}

impl KeyCapture {
    pub(crate) fn new(columns: Vec<usize>) -> KeyCapture {
        let keys = if columns.len() == 1 {
            Keys::Sequence { start: 0, len: 0 }
        } else {
            Keys::Tuples(Vec::new())
        };
        KeyCapture {
            columns,
            keys,
            summaries: None,
        }
    }

    /// The capture of a key column that counts `start, start + 1, …` over
    /// `len` rows, known without generating them.
    pub(crate) fn sequence(column: usize, start: i64, len: usize) -> KeyCapture {
        KeyCapture {
            columns: vec![column],
            keys: Keys::Sequence { start, len },
            summaries: None,
        }
    }

    /// Also keeps a summary of each row, for [`crate::engine::ParentContext`].
    pub(crate) fn with_summaries(mut self) -> KeyCapture {
        self.summaries = Some(Summaries::new());
        self
    }

    /// Remembers `row` of `table`.
    pub(crate) fn push_row(&mut self, table: &Table, row: &Row) {
        if let Some(summaries) = &mut self.summaries
            && self.columns.iter().all(|&c| !row[c].is_null())
        {
            let key: Vec<&Value> = self.columns.iter().map(|&c| &row[c]).collect();
            summaries.insert(key_text(&key), summarise(table, &self.columns, row));
        }
        self.push(row);
    }

    pub(crate) fn push(&mut self, row: &Row) {
        if self.columns.iter().any(|&c| row[c].is_null()) {
            return;
        }
        match &mut self.keys {
            Keys::Sequence { start, len } => match row[self.columns[0]] {
                Value::Int(v) if *len == 0 => {
                    *start = v;
                    *len = 1;
                }
                Value::Int(v) if v == *start + *len as i64 => *len += 1,
                ref other => {
                    let mut list: Vec<Value> = (0..*len).map(|i| Value::Int(*start + i as i64)).collect();
                    list.push(other.clone());
                    self.keys = Keys::List(list);
                }
            },
            Keys::List(v) => v.push(row[self.columns[0]].clone()),
            Keys::Tuples(v) => v.push(self.columns.iter().map(|&c| row[c].clone()).collect()),
        }
    }

    pub(crate) fn finish(self) -> (Keys, Option<Summaries>) {
        (self.keys, self.summaries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consecutive_integers_stay_a_sequence() {
        let mut capture = KeyCapture::new(vec![0]);
        for i in 1..=1000 {
            capture.push(&vec![Value::Int(i)]);
        }
        let (keys, _) = capture.finish();
        assert!(matches!(keys, Keys::Sequence { start: 1, len: 1000 }));
        assert_eq!(keys.get(999, 0), Value::Int(1000));
    }

    #[test]
    fn a_gap_turns_the_sequence_into_a_list_without_losing_keys() {
        let mut capture = KeyCapture::new(vec![0]);
        for v in [5, 6, 9, 10] {
            capture.push(&vec![Value::Int(v)]);
        }
        capture.push(&vec![Value::Null]);
        let (keys, _) = capture.finish();
        assert_eq!(keys.len(), 4);
        let all: Vec<Value> = (0..4).map(|i| keys.get(i, 0)).collect();
        assert_eq!(all, [5, 6, 9, 10].map(Value::Int));
    }

    #[test]
    fn composite_keys_keep_tuples() {
        let mut capture = KeyCapture::new(vec![1, 0]);
        capture.push(&vec![Value::from("a"), Value::Int(1)]);
        let (keys, _) = capture.finish();
        assert_eq!(
            (keys.get(0, 0), keys.get(0, 1)),
            (Value::Int(1), Value::from("a"))
        );
    }
}
