//! What the model is told: which columns it fills, the prompt text in the
//! seed's shape, and the JSON schema of its answer in each provider's dialect.

use std::fmt::Write;

use super::config::RowFormat;
use crate::engine::{OfflineEngine, infer_kind, infer_one_of};
use crate::schema::describe::describe_column;
use crate::schema::{DataType, Table};

/// The system message of every request.
pub(crate) const SYSTEM: &str = "You generate realistic synthetic data for a database table. \
Every record must satisfy every constraint listed for its fields. Reply with JSON only.";

/// Positions of the columns the model fills, in column order. The others are
/// filled locally by the offline engine: columns with a custom generator
/// (for the column, by `generator:` name or for its kind), foreign keys, and
/// a sole integer or UUID primary key (the offline engine counts or draws them).
pub(crate) fn llm_columns(local: &OfflineEngine, table: &Table) -> Vec<usize> {
    let gens = local.generators();
    let keys = table.primary_key().count();
    let composite_fk: Vec<&str> = table
        .foreign_keys
        .iter()
        .flat_map(|fk| fk.columns.iter().map(|c| c.as_ref()))
        .collect();
    (0..table.columns.len())
        .filter(|&i| {
            let col = &table.columns[i];
            let custom = gens.column(&table.name, &col.name).is_some()
                || col.generator.is_some()
                || col.kind.as_deref().is_some_and(|k| gens.kind(k).is_some())
                || (col.kind.is_none() && infer_kind(table, col).is_some_and(|k| gens.kind(k).is_some()));
            let foreign = col.foreign_key.is_some() || composite_fk.contains(&col.name.as_ref());
            let plain = col.one_of.is_none()
                && col.pattern.is_none()
                && col.kind.is_none()
                && infer_one_of(col).is_none();
            let local_key =
                keys == 1 && col.primary_key && plain && matches!(col.ty, DataType::Integer | DataType::Uuid);
            !(custom || foreign || local_key)
        })
        .collect()
}

/// Characters of taken values quoted per unique column.
const USED_CHARS: usize = 1500;

/// Values of a unique column the model must not repeat: the most recent
/// ones, and how many older ones were left out of the prompt.
#[derive(Debug)]
pub(crate) struct Used<'a> {
    pub(crate) column: &'a str,
    pub(crate) values: Vec<String>,
    pub(crate) more: usize,
}

/// Which request of a table's run this is.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Batch {
    /// From 1.
    pub(crate) number: usize,
    /// Batches of the run.
    pub(crate) of: usize,
    /// 1 for the first request of the batch, then 2, 3, … for re-asks.
    pub(crate) attempt: u32,
}

/// What the request is told besides the table: unique values already
/// taken, and each record's parent rows (empty without parent context).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Known<'a> {
    pub(crate) used: &'a [Used<'a>],
    pub(crate) parents: &'a [Vec<String>],
}

/// The user message: the table in the seed's shape (only the model's
/// columns), the caller's prompt, how many records, the answer's layout,
/// and the unique values already taken.
pub(crate) fn user_prompt(
    table: &Table,
    cols: &[usize],
    prompt: Option<&str>,
    rows: usize,
    batch: Batch,
    format: RowFormat,
    known: Known<'_>,
) -> String {
    let Known { used, parents } = known;
    let mut out = String::new();
    if let Some(doc) = &table.doc {
        let _ = writeln!(out, "Model Description: {}\n", doc.trim());
    }
    let _ = writeln!(out, "Table: {}\n", table.name);
    out.push_str("Fields:\n");
    for &c in cols {
        let _ = writeln!(out, "{}", describe_column(table, &table.columns[c]));
    }
    if let Some(prompt) = prompt.map(str::trim).filter(|p| !p.is_empty()) {
        let _ = writeln!(out, "\n{prompt}");
    }
    let plural = if rows == 1 { "" } else { "s" };
    // The batch number keeps the requests of one table distinct, so the
    // replay cache holds one answer per batch.
    let _ = write!(
        out,
        "\nGenerate {rows} record{plural} (batch {} of {}",
        batch.number, batch.of
    );
    if batch.attempt > 1 {
        let _ = write!(out, ", attempt {}", batch.attempt);
    }
    out.push_str(").\n");
    let names: Vec<&str> = cols.iter().map(|&c| table.columns[c].name.as_ref()).collect();
    match format {
        RowFormat::Compact => {
            let _ = writeln!(
                out,
                "Answer with {{\"rows\": [...]}} where each record is an array of its values in this order: [{}]. \
                 Use null for an empty value of a nullable field.",
                names.join(", ")
            );
        }
        RowFormat::Objects => {
            let _ = writeln!(
                out,
                "Answer with {{\"rows\": [...]}} where each record is an object with exactly these keys: {}. \
                 Use null for an empty value of a nullable field.",
                names.join(", ")
            );
        }
    }
    if parents.iter().any(|p| !p.is_empty()) {
        out.push_str(
            "\nEach record belongs to the parent records below; keep its values consistent with them \
             (names, e-mail domains, places, dates):\n",
        );
        for (i, lines) in parents.iter().enumerate() {
            let _ = writeln!(out, "Record {}: {}", i + 1, lines.join(" | "));
        }
    }
    let used: Vec<&Used<'_>> = used.iter().filter(|u| !u.values.is_empty()).collect();
    if !used.is_empty() {
        out.push_str("\nThese values are already taken; unique fields must not repeat them:\n");
        for u in used {
            // The most recent values that fit the budget, oldest first.
            let mut budget = USED_CHARS;
            let mut quoted: Vec<String> = Vec::new();
            for v in u.values.iter().rev() {
                let q = format!("{v:?}");
                if q.len() > budget {
                    break;
                }
                budget -= q.len();
                quoted.push(q);
            }
            quoted.reverse();
            let _ = write!(out, "- {}: {}", u.column, quoted.join(", "));
            let more = u.more + u.values.len() - quoted.len();
            if more > 0 {
                let _ = write!(out, " (and {more} more)");
            }
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Column;

    #[test]
    fn taken_values_are_quoted_within_a_budget_newest_kept() {
        let table = Table::new("t").with_column(Column::new("code", DataType::Text).unique());
        let values: Vec<String> = (0..60).map(|i| format!("{i:03}-{}", "x".repeat(60))).collect();
        let used = [Used {
            column: "code",
            values,
            more: 40,
        }];
        let batch = Batch {
            number: 2,
            of: 3,
            attempt: 1,
        };
        let prompt = user_prompt(
            &table,
            &[0],
            None,
            5,
            batch,
            RowFormat::Compact,
            Known {
                used: &used,
                parents: &[],
            },
        );
        let line = prompt.lines().find(|l| l.starts_with("- code: \"")).unwrap();
        assert!(line.len() < USED_CHARS + 100, "{}", line.len());
        assert!(line.contains("059-"), "the newest value is kept");
        assert!(!line.contains("\"000-"), "the oldest is dropped");
        let more: usize = line
            .rsplit("(and ")
            .next()
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let quoted = line.matches("-xxx").count();
        assert_eq!(more + quoted, 100);
        assert!(prompt.contains("Generate 5 records (batch 2 of 3)."));
    }
}
