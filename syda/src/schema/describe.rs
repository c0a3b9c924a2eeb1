//! The human (and LLM) readable description of a table, in the shape the
//! Python `syda` uses for its prompts.

use std::fmt::Write;

use super::model::{Column, DataType, Table};

impl Table {
    /// Renders the table the way the LLM engine shows it to a model:
    ///
    /// ```text
    /// Model Description: Company employee with their personal and professional details.
    ///
    /// Fields:
    /// - id: number (primary_key)
    /// - email: text (unique, not_null, max_length=100) - Business email address
    /// - department_id: foreign_key - Department where employee works
    /// ```
    pub fn describe(&self) -> String {
        let mut out = String::new();
        if let Some(doc) = &self.doc {
            let _ = writeln!(out, "Model Description: {}\n", doc.trim());
        }
        out.push_str("Fields:\n");
        for col in self.columns.iter() {
            let _ = writeln!(out, "{}", describe_column(self, col));
        }
        out
    }
}

/// One `- name: type (constraints) - doc` line.
pub(crate) fn describe_column(table: &Table, col: &Column) -> String {
    let ty = if col.foreign_key.is_some() {
        "foreign_key".to_owned()
    } else if let Some(kind) = &col.kind {
        kind.to_string()
    } else {
        prompt_type(col.ty).to_owned()
    };
    let mut tags: Vec<String> = Vec::new();
    if col.primary_key {
        tags.push("primary_key".into());
    } else {
        if col.unique {
            tags.push("unique".into());
        }
        if !col.nullable && col.foreign_key.is_none() {
            tags.push("not_null".into());
        }
    }
    if let Some(fk) = &col.foreign_key {
        tags.push(format!("references {fk}"));
    }
    if let Some(max) = col.max_length {
        tags.push(format!("max_length={max}"));
    }
    if let Some(range) = &col.range {
        tags.push(format!("between {} and {}", range.min, range.max));
    }
    if let Some(one_of) = &col.one_of {
        let values: Vec<String> = one_of.iter().map(ToString::to_string).collect();
        tags.push(format!("one of: {}", values.join(", ")));
    }
    if let Some(pattern) = &col.pattern {
        tags.push(format!("matches /{pattern}/"));
    }
    for key in table.unique.iter().filter(|k| k.contains(&col.name)) {
        tags.push(format!("unique together with ({})", key.join(", ")));
    }
    let mut line = format!("- {}: {ty}", col.name);
    if !tags.is_empty() {
        let _ = write!(line, " ({})", tags.join(", "));
    }
    if let Some(doc) = &col.doc {
        let _ = write!(line, " - {}", doc.trim());
    }
    line
}

/// The seed's type vocabulary: integers are `number`.
fn prompt_type(ty: DataType) -> &'static str {
    match ty {
        DataType::Integer => "number",
        other => other.name(),
    }
}
