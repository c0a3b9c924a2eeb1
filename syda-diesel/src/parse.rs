//! Reading `table!`, `joinable!` and `sql_types` out of a Rust file.

use std::borrow::Cow;
use std::collections::HashMap;

use proc_macro2::Span;
use syda::{Column, Reference, Schema, Table};
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Attribute, Expr, Ident, Item, ItemUse, Lit, Meta, Token, Type, UseTree};

use crate::error::Problem;
use crate::types::{self, Custom};

/// One `table!` body.
struct TableDecl {
    attrs: Vec<Attribute>,
    uses: Vec<ItemUse>,
    name: Ident,
    primary_key: Option<Vec<Ident>>,
    columns: Vec<ColumnDecl>,
}

/// One `name -> Type` line of a `table!`.
struct ColumnDecl {
    attrs: Vec<Attribute>,
    name: Ident,
    ty: Type,
}

/// `joinable!(child -> parent (foreign_key))`.
struct JoinDecl {
    child: Ident,
    parent: Ident,
    column: Ident,
}

impl Parse for TableDecl {
    fn parse(input: ParseStream<'_>) -> syn::Result<TableDecl> {
        // Attributes and `use` statements, in any order; only doc comments
        // and `sql_name` are read from the attributes.
        let mut uses = Vec::new();
        let mut attrs = Vec::new();
        loop {
            attrs.extend(Attribute::parse_outer(input)?);
            if input.peek(Token![use]) {
                uses.push(input.parse::<ItemUse>()?);
            } else {
                break;
            }
        }
        let mut name = Ident::parse_any(input)?;
        if input.peek(Token![.]) {
            // `schema_name.table_name`: the table keeps its own name.
            input.parse::<Token![.]>()?;
            name = Ident::parse_any(input)?;
        }
        let primary_key = if input.peek(syn::token::Paren) {
            let content;
            syn::parenthesized!(content in input);
            let keys = Punctuated::<Ident, Token![,]>::parse_terminated_with(&content, Ident::parse_any)?;
            Some(keys.into_iter().collect())
        } else {
            None
        };
        let content;
        syn::braced!(content in input);
        let columns = Punctuated::<ColumnDecl, Token![,]>::parse_terminated(&content)?;
        if !input.is_empty() {
            return Err(input.error("unexpected tokens after the table's columns"));
        }
        Ok(TableDecl {
            attrs,
            uses,
            name,
            primary_key,
            columns: columns.into_iter().collect(),
        })
    }
}

impl Parse for ColumnDecl {
    fn parse(input: ParseStream<'_>) -> syn::Result<ColumnDecl> {
        Ok(ColumnDecl {
            attrs: Attribute::parse_outer(input)?,
            name: Ident::parse_any(input)?,
            ty: {
                input.parse::<Token![->]>()?;
                input.parse()?
            },
        })
    }
}

impl Parse for JoinDecl {
    fn parse(input: ParseStream<'_>) -> syn::Result<JoinDecl> {
        let child = Ident::parse_any(input)?;
        input.parse::<Token![->]>()?;
        let parent = Ident::parse_any(input)?;
        let content;
        syn::parenthesized!(content in input);
        let column = Ident::parse_any(&content)?;
        content.parse::<Option<Token![,]>>()?;
        if !content.is_empty() {
            return Err(content.error("expected one foreign key column"));
        }
        Ok(JoinDecl {
            child,
            parent,
            column,
        })
    }
}

/// Everything of interest found in a file.
#[derive(Default)]
struct Found {
    tables: Vec<TableDecl>,
    joins: Vec<JoinDecl>,
    custom: Custom,
}

fn problem(e: &syn::Error) -> Problem {
    Problem::at(e.span(), e.to_string())
}

fn collect(items: &[Item], found: &mut Found, problems: &mut Vec<Problem>) {
    for item in items {
        match item {
            Item::Mod(m) => {
                let Some((_, content)) = &m.content else {
                    continue;
                };
                if m.ident == "sql_types" {
                    for inner in content {
                        if let Item::Struct(s) = inner {
                            found.custom.declared.insert(s.ident.unraw().to_string());
                        }
                    }
                }
                collect(content, found, problems);
            }
            Item::Macro(m) => {
                let Some(last) = m.mac.path.segments.last() else {
                    continue;
                };
                if last.ident == "table" {
                    match m.mac.parse_body::<TableDecl>() {
                        Ok(t) => found.tables.push(t),
                        Err(e) => problems.extend(e.into_iter().map(|e| problem(&e))),
                    }
                } else if last.ident == "joinable" {
                    match m.mac.parse_body::<JoinDecl>() {
                        Ok(j) => found.joins.push(j),
                        Err(e) => problems.extend(e.into_iter().map(|e| problem(&e))),
                    }
                }
            }
            _ => {}
        }
    }
}

/// `///` comments joined: one leading space stripped per line, trimmed.
fn doc(attrs: &[Attribute]) -> Option<String> {
    let mut lines = Vec::new();
    for attr in attrs {
        if let Some(Lit::Str(s)) = name_value(attr, "doc") {
            lines.extend(
                s.value()
                    .lines()
                    .map(|l| l.strip_prefix(' ').unwrap_or(l).to_owned()),
            );
        }
    }
    let text = lines.join("\n");
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// The literal of `#[name = literal]`.
fn name_value<'a>(attr: &'a Attribute, name: &str) -> Option<&'a Lit> {
    match &attr.meta {
        Meta::NameValue(nv) if nv.path.is_ident(name) => match &nv.value {
            Expr::Lit(l) => Some(&l.lit),
            _ => None,
        },
        _ => None,
    }
}

/// `#[sql_name = "…"]`, or the Rust name.
fn sql_name(attrs: &[Attribute], ident: &Ident, problems: &mut Vec<Problem>) -> String {
    for attr in attrs {
        match name_value(attr, "sql_name") {
            Some(Lit::Str(s)) => return s.value(),
            Some(other) => problems.push(Problem::at(
                other.span(),
                "`sql_name` takes a string: #[sql_name = \"name\"]",
            )),
            None => {}
        }
    }
    ident.unraw().to_string()
}

/// `#[max_length = N]`.
fn max_length(attrs: &[Attribute]) -> Result<Option<u32>, Problem> {
    for attr in attrs {
        match name_value(attr, "max_length") {
            Some(Lit::Int(n)) => {
                return n
                    .base10_parse::<u32>()
                    .map(Some)
                    .map_err(|e| Problem::at(n.span(), format!("`max_length`: {e}")));
            }
            Some(other) => {
                return Err(Problem::at(
                    other.span(),
                    "`max_length` takes a whole number: #[max_length = 255]",
                ));
            }
            None => {}
        }
    }
    Ok(None)
}

/// Names a non-glob `use` brings in, unless it imports from `diesel`.
fn imported(tree: &UseTree, from_diesel: bool, out: &mut Vec<String>) {
    match tree {
        UseTree::Path(p) => imported(&p.tree, from_diesel, out),
        UseTree::Name(n) if !from_diesel => out.push(n.ident.unraw().to_string()),
        UseTree::Rename(r) if !from_diesel => out.push(r.rename.unraw().to_string()),
        UseTree::Group(g) => g.items.iter().for_each(|t| imported(t, from_diesel, out)),
        _ => {}
    }
}

fn starts_with_diesel(tree: &UseTree) -> bool {
    match tree {
        UseTree::Path(p) => p.ident == "diesel",
        _ => false,
    }
}

/// A table built from its declaration, with how Rust names map to SQL names.
struct Built {
    rust_name: String,
    table: Table,
    /// Rust column name → index in `table.columns`.
    columns: HashMap<String, usize>,
}

fn build(decl: &TableDecl, custom: &Custom, problems: &mut Vec<Problem>) -> Built {
    let name = sql_name(&decl.attrs, &decl.name, problems);
    let mut custom_here = custom.clone();
    for u in &decl.uses {
        let mut names = Vec::new();
        imported(&u.tree, starts_with_diesel(&u.tree), &mut names);
        custom_here.imported.extend(names);
    }

    let mut table = Table::new(name.clone());
    table.doc = doc(&decl.attrs).map(Cow::Owned);
    let mut columns = HashMap::new();
    let mut list = Vec::with_capacity(decl.columns.len());
    for c in &decl.columns {
        let col_name = sql_name(&c.attrs, &c.name, problems);
        let span = c.name.span();
        let mapped = match types::map(&c.ty, &custom_here) {
            Ok(m) => m,
            Err((span, message)) => {
                problems.push(Problem::at(span, message).in_table(&name).in_column(&col_name));
                continue;
            }
        };
        let mut column = Column::new(col_name.clone(), mapped.ty);
        column.nullable = mapped.nullable;
        column.doc = match (doc(&c.attrs), mapped.note) {
            (Some(d), Some(t)) => Some(format!("{d} (SQL type: {t})")),
            (None, Some(t)) => Some(format!("SQL type: {t}")),
            (d, None) => d,
        }
        .map(Cow::Owned);
        match max_length(&c.attrs) {
            Ok(n) => column.max_length = n,
            Err(p) => problems.push(p.in_table(&name).in_column(&col_name)),
        }
        let rust = c.name.unraw().to_string();
        if columns.insert(rust.clone(), list.len()).is_some() {
            problems.push(Problem::at(span, format!("column `{rust}` is declared twice")).in_table(&name));
        }
        list.push(column);
    }

    // Diesel's default primary key is `id`.
    let pk: Vec<(String, Span)> = match &decl.primary_key {
        Some(keys) => keys.iter().map(|k| (k.unraw().to_string(), k.span())).collect(),
        None => vec![("id".to_owned(), decl.name.span())],
    };
    for (key, span) in pk {
        match columns.get(&key) {
            Some(&i) => list[i].primary_key = true,
            None if decl.primary_key.is_none() => problems.push(
                Problem::at(
                    span,
                    "no primary key listed and no `id` column (Diesel's default primary key)",
                )
                .in_table(&name),
            ),
            None => problems.push(
                Problem::at(span, format!("primary key column `{key}` is not a column")).in_table(&name),
            ),
        }
    }
    table.columns = Cow::Owned(list);
    Built {
        rust_name: decl.name.unraw().to_string(),
        table,
        columns,
    }
}

fn join(join: &JoinDecl, built: &mut [Built], problems: &mut Vec<Problem>) {
    let find = |ident: &Ident| {
        let name = ident.unraw().to_string();
        built.iter().position(|b| b.rust_name == name)
    };
    let (child, parent) = (find(&join.child), find(&join.parent));
    for (found, ident, role) in [(child, &join.child, "child"), (parent, &join.parent, "parent")] {
        if found.is_none() {
            problems.push(Problem::at(
                ident.span(),
                format!(
                    "joinable!: unknown {role} table `{}` (no table! declares it)",
                    ident.unraw()
                ),
            ));
        }
    }
    let (Some(child), Some(parent)) = (child, parent) else {
        return;
    };
    let parent_table = &built[parent].table;
    let pk: Vec<&Column> = parent_table.primary_key().collect();
    let target = match pk.as_slice() {
        [one] => Reference {
            table: parent_table.name.clone(),
            column: one.name.clone(),
        },
        _ => {
            problems.push(
                Problem::at(
                    join.parent.span(),
                    format!(
                        "joinable!: parent table has {} primary key columns; a foreign key needs exactly one",
                        pk.len()
                    ),
                )
                .in_table(&parent_table.name),
            );
            return;
        }
    };
    let child = &mut built[child];
    let column = join.column.unraw().to_string();
    match child.columns.get(&column) {
        Some(&i) => {
            let col = &mut child.table.columns.to_mut()[i];
            // A column joined to several tables (a polymorphic owner) can
            // carry no database foreign key; Diesel accepts it, and the
            // first `joinable!` is the one values are drawn from.
            if col.foreign_key.is_none() {
                col.foreign_key = Some(target);
            }
        }
        None => problems.push(
            Problem::at(
                join.column.span(),
                format!("joinable!: no column `{column}` in this table"),
            )
            .in_table(&child.table.name),
        ),
    }
}

/// Reads a Rust file's Diesel declarations into a schema, or every problem.
pub(crate) fn read(text: &str) -> Result<Schema, Vec<Problem>> {
    let file = syn::parse_file(text).map_err(|e| vec![problem(&e)])?;
    let mut problems = Vec::new();
    let mut found = Found::default();
    collect(&file.items, &mut found, &mut problems);
    if found.tables.is_empty() && problems.is_empty() {
        problems.push(Problem {
            location: None,
            table: None,
            column: None,
            message: "no `table!` declarations found".to_owned(),
        });
    }
    let mut built: Vec<Built> = found
        .tables
        .iter()
        .map(|t| build(t, &found.custom, &mut problems))
        .collect();
    for j in &found.joins {
        join(j, &mut built, &mut problems);
    }
    let schema = Schema::new(built.into_iter().map(|b| b.table));
    // Validation runs only on a complete read: a half-built schema would
    // report the reader's problems a second time, less precisely.
    if problems.is_empty() {
        match schema.validate() {
            Ok(()) => {}
            Err(syda::Error::InvalidSchema { problems: found, .. }) => {
                problems.extend(found.into_iter().map(Problem::from));
            }
            Err(other) => problems.push(Problem {
                location: None,
                table: None,
                column: None,
                message: other.to_string(),
            }),
        }
    }
    if problems.is_empty() {
        Ok(schema)
    } else {
        Err(problems)
    }
}
