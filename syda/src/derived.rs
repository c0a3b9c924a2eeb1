//! `const` constructors for the code `#[derive(Synthetic)]` writes. The
//! derive builds `Table` and `Column` through these instead of struct
//! literals, so a field added to either type later does not break code
//! derived against an older syda. Not a public API.
//!
//! Setters replace a field with `mem::replace` and forget the old value:
//! assigning would drop it, and a destructor cannot run in `const`. Every
//! value forgotten here is borrowed `'static` data, so nothing leaks.

use std::borrow::Cow;
use std::mem::{forget, replace};

use crate::schema::{Column, DataType, List, Literal, Range, Reference, Table, Text};
use crate::synthetic::{Field, Shape};

#[doc(hidden)]
impl Table {
    /// A table named `name` with no columns.
    pub const fn __new(name: &'static str) -> Table {
        Table {
            name: Cow::Borrowed(name),
            doc: None,
            columns: Cow::Borrowed(&[]),
            unique: Cow::Borrowed(&[]),
            foreign_keys: Cow::Borrowed(&[]),
        }
    }

    /// Sets the doc.
    pub const fn __doc(mut self, doc: &'static str) -> Table {
        forget(self.doc.replace(Cow::Borrowed(doc)));
        self
    }

    /// Sets the columns.
    pub const fn __columns(mut self, columns: &'static [Column]) -> Table {
        forget(replace(&mut self.columns, Cow::Borrowed(columns)));
        self
    }

    /// Sets the composite unique keys.
    pub const fn __unique(mut self, unique: &'static [List<Text>]) -> Table {
        forget(replace(&mut self.unique, Cow::Borrowed(unique)));
        self
    }
}

#[doc(hidden)]
impl Column {
    /// A NOT NULL column with no constraints.
    pub const fn __new(name: &'static str, ty: DataType) -> Column {
        Column {
            name: Cow::Borrowed(name),
            doc: None,
            ty,
            kind: None,
            nullable: false,
            unique: false,
            primary_key: false,
            foreign_key: None,
            max_length: None,
            range: None,
            one_of: None,
            pattern: None,
            generator: None,
        }
    }

    /// Renames the column (a field whose type describes its own column).
    pub const fn __name(mut self, name: &'static str) -> Column {
        forget(replace(&mut self.name, Cow::Borrowed(name)));
        self
    }

    /// Sets the doc.
    pub const fn __doc(mut self, doc: &'static str) -> Column {
        forget(self.doc.replace(Cow::Borrowed(doc)));
        self
    }

    /// Sets the type.
    pub const fn __ty(mut self, ty: DataType) -> Column {
        self.ty = ty;
        self
    }

    /// Sets the kind.
    pub const fn __kind(mut self, kind: &'static str) -> Column {
        forget(self.kind.replace(Cow::Borrowed(kind)));
        self
    }

    /// Marks the column nullable.
    pub const fn __nullable(mut self) -> Column {
        self.nullable = true;
        self
    }

    /// Marks the column unique.
    pub const fn __unique(mut self) -> Column {
        self.unique = true;
        self
    }

    /// Marks the column (part of) the primary key.
    pub const fn __primary_key(mut self) -> Column {
        self.primary_key = true;
        self
    }

    /// Points the column at `table.column`.
    pub const fn __foreign_key(mut self, table: &'static str, column: &'static str) -> Column {
        let reference = Reference {
            table: Cow::Borrowed(table),
            column: Cow::Borrowed(column),
        };
        forget(self.foreign_key.replace(reference));
        self
    }

    /// Sets the longest length.
    pub const fn __max_length(mut self, max: u32) -> Column {
        self.max_length = Some(max);
        self
    }

    /// Sets the inclusive bounds.
    pub const fn __range(mut self, min: Literal, max: Literal) -> Column {
        forget(self.range.replace(Range { min, max }));
        self
    }

    /// Sets the allowed values.
    pub const fn __one_of(mut self, values: &'static [Literal]) -> Column {
        forget(self.one_of.replace(Cow::Borrowed(values)));
        self
    }

    /// Sets the pattern.
    pub const fn __pattern(mut self, pattern: &'static str) -> Column {
        forget(self.pattern.replace(Cow::Borrowed(pattern)));
        self
    }

    /// Sets the custom generator's name.
    pub const fn __generator(mut self, name: &'static str) -> Column {
        forget(self.generator.replace(Cow::Borrowed(name)));
        self
    }
}

/// The columns of `parts` one after another: a struct's own columns around
/// those of its `#[serde(flatten)]` fields. `N` is their total count.
pub const fn concat_columns<const N: usize>(parts: &[&'static [Column]]) -> [Column; N] {
    let mut out = [const { Column::__new("", DataType::Text) }; N];
    let (mut at, mut part) = (0, 0);
    while part < parts.len() {
        let mut i = 0;
        while i < parts[part].len() {
            forget(replace(&mut out[at], copy_column(&parts[part][i])));
            at += 1;
            i += 1;
        }
        part += 1;
    }
    assert!(at == N, "syda: flattened column count mismatch");
    out
}

/// The fields of `parts` one after another; `N` is their total count.
pub const fn concat_fields<const N: usize>(parts: &[&'static [Field]]) -> [Field; N] {
    let mut out = [Field::new("", Shape::Plain); N];
    let (mut at, mut part) = (0, 0);
    while part < parts.len() {
        let mut i = 0;
        while i < parts[part].len() {
            out[at] = parts[part][i];
            at += 1;
            i += 1;
        }
        part += 1;
    }
    assert!(at == N, "syda: flattened field count mismatch");
    out
}

/// A copy of a column made of borrowed `'static` data (what the derive
/// writes). Owned data cannot be copied in `const`.
const fn copy_column(c: &Column) -> Column {
    Column {
        name: copy_text(&c.name),
        doc: copy_option_text(&c.doc),
        ty: c.ty,
        kind: copy_option_text(&c.kind),
        nullable: c.nullable,
        unique: c.unique,
        primary_key: c.primary_key,
        foreign_key: match &c.foreign_key {
            Some(r) => Some(Reference {
                table: copy_text(&r.table),
                column: copy_text(&r.column),
            }),
            None => None,
        },
        max_length: c.max_length,
        range: match &c.range {
            Some(r) => Some(Range {
                min: copy_literal(&r.min),
                max: copy_literal(&r.max),
            }),
            None => None,
        },
        one_of: match &c.one_of {
            Some(Cow::Borrowed(values)) => Some(Cow::Borrowed(values)),
            Some(Cow::Owned(_)) => panic!("syda: a derived column holds owned data"),
            None => None,
        },
        pattern: copy_option_text(&c.pattern),
        generator: copy_option_text(&c.generator),
    }
}

const fn copy_text(s: &Text) -> Text {
    match s {
        Cow::Borrowed(s) => Cow::Borrowed(s),
        Cow::Owned(_) => panic!("syda: a derived column holds owned data"),
    }
}

const fn copy_option_text(s: &Option<Text>) -> Option<Text> {
    match s {
        Some(s) => Some(copy_text(s)),
        None => None,
    }
}

const fn copy_literal(l: &Literal) -> Literal {
    match l {
        Literal::Bool(b) => Literal::Bool(*b),
        Literal::Int(i) => Literal::Int(*i),
        Literal::Float(x) => Literal::Float(*x),
        Literal::Text(s) => Literal::Text(copy_text(s)),
    }
}
