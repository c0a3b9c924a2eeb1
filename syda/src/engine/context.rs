//! Parent rows as context: what a child row's foreign keys point at, in a
//! few words an engine can use (the LLM engine puts them in its prompt, so a
//! contact's e-mail can use its customer's domain).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;

use crate::schema::Table;
use crate::value::{Row, Value};

/// Longest summary kept per parent row, in characters.
const SUMMARY_CHARS: usize = 240;

/// For one table, the parent rows its foreign keys reference, summarised.
/// Built by the planner when [`Planner::parent_context`] is on and handed to
/// the engine through [`Engine::set_parent_context`].
///
/// [`Planner::parent_context`]: crate::plan::Planner::parent_context
/// [`Engine::set_parent_context`]: super::Engine::set_parent_context
#[derive(Debug, Clone, Default)]
pub struct ParentContext {
    links: Vec<ParentLink>,
}

#[derive(Debug, Clone)]
struct ParentLink {
    /// The foreign-key columns of the child, by index.
    columns: Vec<usize>,
    parent: String,
    summaries: Arc<Summaries>,
}

/// Summaries of one parent table's rows, by key.
pub(crate) type Summaries = HashMap<String, String>;

impl ParentContext {
    /// Whether there is nothing to tell.
    pub fn is_empty(&self) -> bool {
        self.links.is_empty()
    }

    /// The parents of `row`, one line each: `customers(id=3): name=Acme; website=acme.example`.
    pub fn describe(&self, row: &Row) -> Vec<String> {
        self.links
            .iter()
            .filter_map(|link| {
                let key: Vec<&Value> = link.columns.iter().map(|&c| &row[c]).collect();
                let summary = link.summaries.get(&key_text(&key))?;
                Some(format!("{}: {summary}", link.parent))
            })
            .collect()
    }

    pub(crate) fn link(&mut self, columns: Vec<usize>, parent: &str, summaries: Arc<Summaries>) {
        self.links.push(ParentLink {
            columns,
            parent: parent.to_owned(),
            summaries,
        });
    }
}

/// The text a key is looked up by.
pub(crate) fn key_text(values: &[&Value]) -> String {
    let mut out = String::new();
    for v in values {
        let _ = write!(out, "{v}\u{1f}");
    }
    out
}

/// A short description of `row` of `table`: its key, then its other
/// non-empty values, cut at [`SUMMARY_CHARS`].
pub(crate) fn summarise(table: &Table, key: &[usize], row: &Row) -> String {
    let key_part: Vec<String> = key
        .iter()
        .map(|&c| format!("{}={}", table.columns[c].name, row[c]))
        .collect();
    let mut out = format!("({})", key_part.join(", "));
    let mut first = true;
    for (c, column) in table.columns.iter().enumerate() {
        if key.contains(&c) || row[c].is_null() || column.foreign_key.is_some() {
            continue;
        }
        let piece = format!("{}{}={}", if first { " " } else { "; " }, column.name, row[c]);
        if out.chars().count() + piece.chars().count() > SUMMARY_CHARS {
            out.push_str(" …");
            break;
        }
        out.push_str(&piece);
        first = false;
    }
    out
}
