//! Code generation: `impl Synthetic` (with its `TABLE` and `FIELDS`) for a
//! struct, `impl SyntheticField` for every item. Everything is built
//! through syda's `const` constructors (`Table::__new`, `Column::__new` and
//! their setters), never struct literals, so a field added to `Table` or
//! `Column` later does not break derived code. Slices are named constants
//! of the anonymous block: a `const fn` argument cannot borrow a temporary
//! that has a destructor.

use proc_macro2::{Literal as Lit, TokenStream};
use quote::{format_ident, quote};
use syn::DeriveInput;
use syn::ext::IdentExt;

use crate::ast::{self, Column, ColumnType, Enum, Item, Newtype, Table};
use crate::attr::Literal;
use crate::case::snake_case;
use crate::ctxt::Ctxt;
use crate::ty::{FieldType, Known, Shape};

/// The derive's output for `input`, or every error found in it.
pub(crate) fn derive(input: &DeriveInput) -> syn::Result<TokenStream> {
    let cx = Ctxt::new();
    let item = Item::from_ast(&cx, input);
    cx.check()?;
    let krate = krate(input);
    match item {
        Some(Item::Table(table)) => Ok(impl_table(&krate, &table)),
        Some(Item::Enum(e)) => Ok(impl_enum(&krate, &e)),
        Some(Item::Newtype(n)) => Ok(impl_newtype(&krate, &n)),
        None => Err(syn::Error::new_spanned(
            &input.ident,
            "#[derive(Synthetic)] could not read this item",
        )),
    }
}

/// The `syda` path (errors in the attributes are reported by `derive`).
fn krate(input: &DeriveInput) -> TokenStream {
    let cx = Ctxt::new();
    let path = ast::crate_path(&cx, input);
    let _ = cx.check();
    path
}

/// Impls with an empty table and a text column, emitted next to the
/// errors so code using the type doesn't fail a second time for a missing
/// impl. Generic items get none: the impl itself would not compile.
pub(crate) fn fallback(input: &DeriveInput) -> TokenStream {
    if !input.generics.params.is_empty() {
        return TokenStream::new();
    }
    let k = krate(input);
    let ident = &input.ident;
    let name = snake_case(&ident.unraw().to_string());
    let table = matches!(&input.data, syn::Data::Struct(s) if matches!(s.fields, syn::Fields::Named(_)));
    let synthetic = table.then(|| {
        quote! {
            impl #k::Synthetic for #ident {
                const TABLE: #k::Table = #k::Table::__new(#name);
            }
        }
    });
    quote! {
        #[allow(unused_qualifications)]
        const _: () = {
            #synthetic
            impl #k::SyntheticField for #ident {
                const COLUMN: #k::Column = #k::Column::__new(#name, #k::DataType::Text);
            }
        };
    }
}

/// Named constants hoisted out of column expressions.
struct Hoist<'k> {
    krate: &'k TokenStream,
    items: Vec<TokenStream>,
}

impl<'k> Hoist<'k> {
    fn new(krate: &'k TokenStream) -> Self {
        Hoist {
            krate,
            items: Vec::new(),
        }
    }

    /// `const __SYDA_n: &[Literal] = &[…];`, returning its name.
    fn literals(&mut self, values: impl Iterator<Item = TokenStream>) -> TokenStream {
        let k = self.krate;
        let ident = format_ident!("__SYDA_LITERALS_{}", self.items.len());
        self.items
            .push(quote!(const #ident: &[#k::Literal] = &[#(#values),*];));
        quote!(#ident)
    }

    /// `const __SYDA_COLUMNS_n: &[Column] = &[…];`
    fn columns(&mut self, columns: Vec<TokenStream>) -> TokenStream {
        let k = self.krate;
        let ident = format_ident!("__SYDA_COLUMNS_{}", self.items.len());
        self.items
            .push(quote!(const #ident: &[#k::Column] = &[#(#columns),*];));
        quote!(#ident)
    }

    /// `const __SYDA_SHAPE_n: Shape = …;`: a shape holding `&Element`
    /// cannot be a `const fn` argument, but may be a constant.
    fn shape(&mut self, shape: TokenStream) -> TokenStream {
        let k = self.krate;
        let ident = format_ident!("__SYDA_SHAPE_{}", self.items.len());
        self.items.push(quote!(const #ident: #k::Shape = #shape;));
        quote!(#ident)
    }

    /// `const __SYDA_FIELDS_n: &[Field] = &[…];`
    fn fields(&mut self, fields: Vec<TokenStream>) -> TokenStream {
        let k = self.krate;
        let ident = format_ident!("__SYDA_FIELDS_{}", self.items.len());
        self.items
            .push(quote!(const #ident: &[#k::Field] = &[#(#fields),*];));
        quote!(#ident)
    }
}

/// `fn relations()` for the relations declared with `after`, `expr` and
/// `infer = false`, as `(column, key, value)` triples that `syda` parses
/// (one grammar for schema files and the derive); nothing when none are.
/// `after` may name a field or its column.
fn declared_relations(k: &TokenStream, table: &Table<'_>) -> Option<TokenStream> {
    let column_of = |name: &str| {
        table
            .columns
            .iter()
            .find(|c| c.field.ident.as_ref().is_some_and(|i| i.unraw() == name))
            .map_or_else(|| name.to_owned(), |c| c.name.clone())
    };
    let mut triples = Vec::new();
    if table.no_infer {
        triples.push(quote!((#k::__private::None, "infer", "false")));
    }
    for col in &table.columns {
        let name = &col.name;
        if let Some(after) = &col.attrs.after {
            let after = column_of(after);
            triples.push(quote!((#k::__private::Some(#name), "after", #after)));
        }
        if let Some(expr) = &col.attrs.expr {
            triples.push(quote!((#k::__private::Some(#name), "expr", #expr)));
        }
        if col.attrs.no_infer {
            triples.push(quote!((#k::__private::Some(#name), "infer", "false")));
        }
    }
    if triples.is_empty() {
        return None;
    }
    let table_name = &table.name;
    Some(quote! {
        fn relations() -> #k::Result<::std::vec::Vec<#k::relation::Declared>> {
            #k::__private::declared_relations(#table_name, &[#(#triples),*])
        }
    })
}

fn impl_table(k: &TokenStream, table: &Table<'_>) -> TokenStream {
    let ident = &table.input.ident;
    let name = &table.name;
    let mut hoist = Hoist::new(k);

    // Own columns and fields, split where a flattened struct's come in.
    let (mut column_parts, mut field_parts) = (Vec::new(), Vec::new());
    let (mut columns, mut fields) = (Vec::new(), Vec::new());
    let (mut column_count, mut field_count) = (Vec::new(), Vec::new());
    for col in &table.columns {
        if let ColumnType::Flatten(ty) = &col.ty {
            let n = columns.len();
            column_parts.push(hoist.columns(std::mem::take(&mut columns)));
            column_count.push(quote!(#n));
            let n = fields.len();
            field_parts.push(hoist.fields(std::mem::take(&mut fields)));
            field_count.push(quote!(#n));
            column_parts.push(quote!(<#ty as #k::SyntheticField>::COLUMNS));
            column_count.push(quote!(<#ty as #k::SyntheticField>::COLUMNS.len()));
            field_parts.push(quote!(<#ty as #k::SyntheticField>::FIELDS));
            field_count.push(quote!(<#ty as #k::SyntheticField>::FIELDS.len()));
            continue;
        }
        columns.push(column(&mut hoist, col));
        let shape = field_shape(&mut hoist, col);
        if shape.is_some() || col.key != col.name {
            let column_name = &col.name;
            let shape = match shape {
                Some(shape) => hoist.shape(shape),
                None => quote!(#k::Shape::Plain),
            };
            let key = (col.key != col.name).then(|| {
                let key = &col.key;
                quote!(.with_key(#key))
            });
            fields.push(quote!(#k::Field::new(#column_name, #shape) #key));
        }
    }
    let flattened = !column_parts.is_empty();
    let (n_columns, n_fields) = (columns.len(), fields.len());
    let own_columns = hoist.columns(columns);
    let own_fields = hoist.fields(fields);
    let (all_columns, all_fields) = if flattened {
        column_parts.push(own_columns);
        column_count.push(quote!(#n_columns));
        field_parts.push(own_fields);
        field_count.push(quote!(#n_fields));
        (
            quote!(&#k::__private::concat_columns::<{ #(#column_count)+* }>(&[#(#column_parts),*])),
            quote!(&#k::__private::concat_fields::<{ #(#field_count)+* }>(&[#(#field_parts),*])),
        )
    } else {
        (own_columns, own_fields)
    };

    let unique = table
        .unique
        .iter()
        .map(|key| quote!(#k::__private::Cow::Borrowed(&[#(#k::__private::Cow::Borrowed(#key)),*])));
    let table_doc = table.doc.as_ref().map(|d| quote!(.__doc(#d)));
    let column_doc = table.doc.as_ref().map(|d| quote!(.__doc(#d)));
    let relations = declared_relations(k, table);
    let hoisted = &hoist.items;
    quote! {
        #[allow(unused_qualifications, non_upper_case_globals)]
        const _: () = {
            #(#hoisted)*
            const __SYDA_COLUMNS: &[#k::Column] = #all_columns;
            const __SYDA_FIELDS: &[#k::Field] = #all_fields;
            const __SYDA_UNIQUE: &[#k::__private::Cow<'static, [#k::__private::Cow<'static, str>]>] = &[#(#unique),*];
            #[automatically_derived]
            impl #k::Synthetic for #ident {
                const TABLE: #k::Table = #k::Table::__new(#name)
                    #table_doc
                    .__columns(__SYDA_COLUMNS)
                    .__unique(__SYDA_UNIQUE);
                const FIELDS: &'static [#k::Field] = __SYDA_FIELDS;
                #relations
            }
            #[automatically_derived]
            impl #k::SyntheticField for #ident {
                const COLUMN: #k::Column = #k::Column::__new(#name, #k::DataType::Json) #column_doc;
                const SHAPE: #k::Shape = #k::Shape::Object(&#k::Nested {
                    table: <#ident as #k::Synthetic>::TABLE,
                    fields: __SYDA_FIELDS,
                });
                const COLUMNS: &'static [#k::Column] = __SYDA_COLUMNS;
                const FIELDS: &'static [#k::Field] = __SYDA_FIELDS;
            }
        };
    }
}

fn impl_enum(k: &TokenStream, e: &Enum<'_>) -> TokenStream {
    let ident = &e.input.ident;
    let name = &e.name;
    let mut hoist = Hoist::new(k);
    let values = e.values.iter().flat_map(|(value, weight)| {
        let text = quote!(#k::Literal::Text(#k::__private::Cow::Borrowed(#value)));
        std::iter::repeat_n(text, *weight as usize)
    });
    let one_of = hoist.literals(values);
    let doc = e.doc.as_ref().map(|d| quote!(.__doc(#d)));
    let hoisted = &hoist.items;
    quote! {
        #[allow(unused_qualifications, non_upper_case_globals)]
        const _: () = {
            #(#hoisted)*
            #[automatically_derived]
            impl #k::SyntheticField for #ident {
                const COLUMN: #k::Column = #k::Column::__new(#name, #k::DataType::Text)
                    #doc
                    .__one_of(#one_of);
            }
        };
    }
}

fn impl_newtype(k: &TokenStream, n: &Newtype<'_>) -> TokenStream {
    let ident = &n.input.ident;
    let mut hoist = Hoist::new(k);
    let column = column(&mut hoist, &n.column);
    let shape = field_shape(&mut hoist, &n.column).unwrap_or_else(|| quote!(#k::Shape::Plain));
    let hoisted = &hoist.items;
    quote! {
        #[allow(unused_qualifications, non_upper_case_globals)]
        const _: () = {
            #(#hoisted)*
            #[automatically_derived]
            impl #k::SyntheticField for #ident {
                const COLUMN: #k::Column = #column;
                const SHAPE: #k::Shape = #shape;
            }
        };
    }
}

/// The column's expression: a constructor and setters.
fn column(hoist: &mut Hoist<'_>, col: &Column<'_>) -> TokenStream {
    let k = hoist.krate.clone();
    let a = &col.attrs;
    let name = &col.name;
    let mut out = match &col.ty {
        ColumnType::Typed(FieldType::Known(known)) => known_column(&k, name, known, col),
        ColumnType::Typed(FieldType::List(..) | FieldType::Map(..)) => {
            quote!(#k::Column::__new(#name, #k::DataType::Json))
        }
        ColumnType::Typed(FieldType::Foreign(ty)) => {
            quote!(<#ty as #k::SyntheticField>::COLUMN.__name(#name))
        }
        ColumnType::OfKind(kind) => quote!(#k::Column::__new(#name, #k::__private::kind_type(#kind))),
        ColumnType::Flatten(_) => return TokenStream::new(),
    };
    if let Some(doc) = &col.doc {
        out.extend(quote!(.__doc(#doc)));
    }
    if col.nullable {
        out.extend(quote!(.__nullable()));
    }
    if a.unique {
        out.extend(quote!(.__unique()));
    }
    if a.primary_key {
        out.extend(quote!(.__primary_key()));
    }
    if let Some((table, column)) = &a.foreign_key {
        out.extend(quote!(.__foreign_key(#table, #column)));
    }
    if let Some(generator) = &a.generator {
        out.extend(quote!(.__generator(#generator)));
    }
    // Value constraints on a list or map column are its elements'.
    if !matches!(
        &col.ty,
        ColumnType::Typed(FieldType::List(..) | FieldType::Map(..))
    ) {
        out.extend(value_constraints(hoist, col));
    }
    out
}

/// `Column::__new` for a type known by name, with the constraints the type
/// itself needs unless the field states its own.
fn known_column(k: &TokenStream, name: &str, known: &Known, col: &Column<'_>) -> TokenStream {
    let a = &col.attrs;
    let variant = format_ident!("{}", known.ty.variant());
    let mut out = quote!(#k::Column::__new(#name, #k::DataType::#variant));
    if let (Some(kind), None) = (known.kind, &a.kind) {
        out.extend(quote!(.__kind(#kind)));
    }
    if let (Some((lo, hi)), None, None) = (known.range, &a.range, &a.one_of) {
        let (lo, hi) = (Lit::i64_suffixed(lo), Lit::i64_suffixed(hi));
        out.extend(quote!(.__range(#k::Literal::Int(#lo), #k::Literal::Int(#hi))));
    }
    if let (Some(max), None) = (known.max_length, a.max_length) {
        let max = Lit::u32_suffixed(max);
        out.extend(quote!(.__max_length(#max)));
    }
    if let (Some(pattern), None, None) = (known.pattern, &a.pattern, &a.one_of) {
        out.extend(quote!(.__pattern(#pattern)));
    }
    out
}

/// `kind`, `max_length`, `range`, `one_of`, `pattern` setters.
fn value_constraints(hoist: &mut Hoist<'_>, col: &Column<'_>) -> TokenStream {
    let k = hoist.krate.clone();
    let a = &col.attrs;
    let mut out = TokenStream::new();
    if let Some(kind) = &a.kind
        && !matches!(col.ty, ColumnType::OfKind(_))
    {
        out.extend(quote!(.__kind(#kind)));
    }
    if let ColumnType::OfKind(kind) = &col.ty {
        out.extend(quote!(.__kind(#kind)));
    }
    if let Some(max) = a.max_length {
        let max = Lit::u32_suffixed(max);
        out.extend(quote!(.__max_length(#max)));
    }
    if let Some((min, max)) = &a.range {
        let (min, max) = (literal(&k, min), literal(&k, max));
        out.extend(quote!(.__range(#min, #max)));
    }
    if let Some(values) = &a.one_of {
        let values: Vec<TokenStream> = values.iter().map(|v| literal(&k, v)).collect();
        let one_of = hoist.literals(values.into_iter());
        out.extend(quote!(.__one_of(#one_of)));
    }
    if let Some(pattern) = &a.pattern {
        out.extend(quote!(.__pattern(#pattern)));
    }
    out
}

/// The column's `Shape` when it is not `Plain` (or not known to be).
fn field_shape(hoist: &mut Hoist<'_>, col: &Column<'_>) -> Option<TokenStream> {
    match &col.ty {
        ColumnType::Typed(ty) => type_shape(hoist, ty, Some(col)),
        ColumnType::OfKind(_) | ColumnType::Flatten(_) => None,
    }
}

/// The shape of a field type; `col` carries the field's value constraints,
/// which a list's or map's elements take.
fn type_shape(hoist: &mut Hoist<'_>, ty: &FieldType<'_>, col: Option<&Column<'_>>) -> Option<TokenStream> {
    let k = hoist.krate.clone();
    match ty {
        FieldType::Known(known) if known.shape == Shape::Plain => None,
        FieldType::Known(known) => {
            let variant = format_ident!("{}", known.shape.variant());
            Some(quote!(#k::Shape::#variant))
        }
        FieldType::Foreign(ty) => Some(quote!(<#ty as #k::SyntheticField>::SHAPE)),
        FieldType::List(element, nullable) | FieldType::Map(element, nullable) => {
            let mut column = match &**element {
                FieldType::Known(known) => match col {
                    Some(col) => known_column(&k, "", known, col),
                    None => {
                        let variant = format_ident!("{}", known.ty.variant());
                        quote!(#k::Column::__new("", #k::DataType::#variant))
                    }
                },
                FieldType::List(..) | FieldType::Map(..) => quote!(#k::Column::__new("", #k::DataType::Json)),
                FieldType::Foreign(ty) => quote!(<#ty as #k::SyntheticField>::COLUMN),
            };
            if *nullable {
                column.extend(quote!(.__nullable()));
            }
            if let Some(col) = col
                && !matches!(&**element, FieldType::List(..) | FieldType::Map(..))
            {
                column.extend(value_constraints(hoist, col));
            }
            let shape = type_shape(hoist, element, None).unwrap_or_else(|| quote!(#k::Shape::Plain));
            let variant = if matches!(ty, FieldType::List(..)) {
                format_ident!("List")
            } else {
                format_ident!("Map")
            };
            Some(quote!(#k::Shape::#variant(&#k::Element { column: #column, shape: #shape })))
        }
    }
}

fn literal(k: &TokenStream, lit: &Literal) -> TokenStream {
    match lit {
        Literal::Bool(b) => quote!(#k::Literal::Bool(#b)),
        Literal::Int(n) => {
            let n = Lit::i64_suffixed(*n);
            quote!(#k::Literal::Int(#n))
        }
        Literal::Float(x) => {
            let x = Lit::f64_suffixed(*x);
            quote!(#k::Literal::Float(#x))
        }
        Literal::Text(s) => quote!(#k::Literal::Text(#k::__private::Cow::Borrowed(#s))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    fn expand(input: DeriveInput) -> String {
        derive(&input).expect("valid input").to_string()
    }

    #[test]
    fn the_impl_names_everything_by_absolute_path_inside_an_anonymous_const() {
        let out = expand(parse_quote!(
            struct S {
                id: i64,
            }
        ));
        assert!(out.starts_with("# [allow (unused_qualifications"), "{out}");
        assert!(out.contains("impl :: syda :: Synthetic for S"), "{out}");
        assert!(out.contains("impl :: syda :: SyntheticField for S"), "{out}");
        assert!(
            out.contains(":: syda :: Column :: __new (\"id\" , :: syda :: DataType :: Integer)"),
            "{out}"
        );
    }

    #[test]
    fn columns_are_built_by_constructor_not_struct_literal() {
        let out = expand(parse_quote!(
            struct S {
                #[synthetic(primary_key, range = 1..=9)]
                id: i64,
                note: Option<String>,
            }
        ));
        assert!(!out.contains(":: syda :: Column {"), "{out}");
        assert!(!out.contains(":: syda :: Table {"), "{out}");
        assert!(out.contains(". __primary_key ()"), "{out}");
        assert!(out.contains(". __nullable ()"), "{out}");
    }

    #[test]
    fn the_crate_path_can_be_overridden() {
        let out = expand(parse_quote!(
            #[synthetic(crate = "my_app::syda")]
            struct S {
                id: i64,
            }
        ));
        assert!(out.contains("impl my_app :: syda :: Synthetic for S"), "{out}");
        assert!(!out.replace("my_app :: syda", "").contains("syda"), "{out}");
    }

    #[test]
    fn a_kind_on_an_unknown_type_is_resolved_when_the_constant_is_evaluated() {
        let out = expand(parse_quote!(
            struct S {
                #[synthetic(kind = "age")]
                a: Years,
            }
        ));
        assert!(
            out.contains(":: syda :: __private :: kind_type (\"age\")"),
            "{out}"
        );
        assert!(!out.contains("Years as"), "{out}");
    }

    #[test]
    fn an_unknown_type_is_described_by_its_synthetic_field_impl() {
        let out = expand(parse_quote!(
            struct S {
                plan: Plan,
            }
        ));
        assert!(
            out.contains("< Plan as :: syda :: SyntheticField > :: COLUMN . __name (\"plan\")"),
            "{out}"
        );
        assert!(
            out.contains("< Plan as :: syda :: SyntheticField > :: SHAPE"),
            "{out}"
        );
    }

    #[test]
    fn negative_and_float_literals_keep_their_type() {
        let out = expand(parse_quote!(
            struct S {
                #[synthetic(range = -1.5..=2.0)]
                a: f64,
            }
        ));
        assert!(
            out.contains("Float (- 1.5f64)") || out.contains("Float (-1.5f64)"),
            "{out}"
        );
        assert!(
            out.contains("Float (2f64)") || out.contains("Float (2.0f64)"),
            "{out}"
        );
    }

    #[test]
    fn errors_yield_a_fallback_impl_for_non_generic_items_only() {
        let e = fallback(&parse_quote!(
            enum E {
                A(i32),
            }
        ))
        .to_string();
        assert!(e.contains("impl :: syda :: SyntheticField for E"), "{e}");
        assert!(!e.contains("impl :: syda :: Synthetic for E"), "{e}");
        assert!(
            fallback(&parse_quote!(
                struct G<T> {
                    a: T,
                }
            ))
            .is_empty()
        );
    }
}
