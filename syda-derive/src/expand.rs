//! Code generation: the `impl ::syda::Synthetic` with its `TABLE` constant.

use proc_macro2::{Literal as Lit, TokenStream};
use quote::{format_ident, quote};
use syn::DeriveInput;
use syn::ext::IdentExt;

use crate::ast::{Column, ColumnType, Table};
use crate::attr::Literal;
use crate::case::snake_case;
use crate::ctxt::Ctxt;

/// The derive's output for `input`, or every error found in it.
pub fn derive(input: &DeriveInput) -> syn::Result<TokenStream> {
    let cx = Ctxt::new();
    let table = Table::from_ast(&cx, input);
    cx.check()?;
    match table {
        Some(table) => Ok(impl_synthetic(&table)),
        None => Err(syn::Error::new_spanned(
            &input.ident,
            "#[derive(Synthetic)] could not read this item",
        )),
    }
}

/// An impl with an empty table, emitted next to the errors so code using
/// the type doesn't fail a second time for a missing impl. Generic items
/// get none: the impl itself would not compile.
pub fn fallback(input: &DeriveInput) -> TokenStream {
    if !input.generics.params.is_empty() {
        return TokenStream::new();
    }
    let ident = &input.ident;
    let name = snake_case(&ident.unraw().to_string());
    quote! {
        #[allow(unused_qualifications)]
        const _: () = {
            impl ::syda::Synthetic for #ident {
                const TABLE: ::syda::Table = ::syda::Table {
                    name: ::syda::__private::Cow::Borrowed(#name),
                    doc: ::syda::__private::None,
                    columns: ::syda::__private::Cow::Borrowed(&[]),
                    unique: ::syda::__private::Cow::Borrowed(&[]),
                    foreign_keys: ::syda::__private::Cow::Borrowed(&[]),
                };
            }
        };
    }
}

fn impl_synthetic(table: &Table<'_>) -> TokenStream {
    let ident = &table.input.ident;
    let name = text(&table.name);
    let doc = option(table.doc.as_deref().map(text));
    let columns = table.columns.iter().map(column);
    let unique = table.unique.iter().map(|key| {
        let names = key.iter().map(|n| text(n));
        quote!(::syda::__private::Cow::Borrowed(&[#(#names),*]))
    });
    quote! {
        #[allow(unused_qualifications)]
        const _: () = {
            #[automatically_derived]
            impl ::syda::Synthetic for #ident {
                const TABLE: ::syda::Table = ::syda::Table {
                    name: #name,
                    doc: #doc,
                    columns: ::syda::__private::Cow::Borrowed(&[#(#columns),*]),
                    unique: ::syda::__private::Cow::Borrowed(&[#(#unique),*]),
                    foreign_keys: ::syda::__private::Cow::Borrowed(&[]),
                };
            }
        };
    }
}

fn column(col: &Column<'_>) -> TokenStream {
    let a = &col.attrs;
    let name = text(&col.name);
    let doc = option(col.doc.as_deref().map(text));
    let ty = match &col.ty {
        ColumnType::Known(ty) => {
            let variant = format_ident!("{}", ty.variant());
            quote!(::syda::DataType::#variant)
        }
        ColumnType::OfKind(kind) => quote!(::syda::__private::kind_type(#kind)),
    };
    let kind = option(a.kind.as_deref().map(text));
    let nullable = col.nullable;
    let unique = a.unique;
    let primary_key = a.primary_key;
    let foreign_key = option(a.foreign_key.as_ref().map(|(table, column)| {
        let (table, column) = (text(table), text(column));
        quote!(::syda::Reference { table: #table, column: #column })
    }));
    let max_length = option(a.max_length.map(|n| {
        let n = Lit::u32_suffixed(n);
        quote!(#n)
    }));
    let range = option(a.range.as_ref().map(|(min, max)| {
        let (min, max) = (literal(min), literal(max));
        quote!(::syda::Range { min: #min, max: #max })
    }));
    let one_of = option(a.one_of.as_ref().map(|values| {
        let values = values.iter().map(literal);
        quote!(::syda::__private::Cow::Borrowed(&[#(#values),*]))
    }));
    let pattern = option(a.pattern.as_deref().map(text));
    let generator = option(a.generator.as_deref().map(text));
    quote! {
        ::syda::Column {
            name: #name,
            doc: #doc,
            ty: #ty,
            kind: #kind,
            nullable: #nullable,
            unique: #unique,
            primary_key: #primary_key,
            foreign_key: #foreign_key,
            max_length: #max_length,
            range: #range,
            one_of: #one_of,
            pattern: #pattern,
            generator: #generator,
        }
    }
}

/// `Cow::Borrowed("…")`
fn text(s: &str) -> TokenStream {
    quote!(::syda::__private::Cow::Borrowed(#s))
}

/// `Some(…)` or `None`.
fn option(value: Option<TokenStream>) -> TokenStream {
    match value {
        Some(v) => quote!(::syda::__private::Some(#v)),
        None => quote!(::syda::__private::None),
    }
}

fn literal(lit: &Literal) -> TokenStream {
    match lit {
        Literal::Bool(b) => quote!(::syda::Literal::Bool(#b)),
        Literal::Int(n) => {
            let n = Lit::i64_suffixed(*n);
            quote!(::syda::Literal::Int(#n))
        }
        Literal::Float(x) => {
            let x = Lit::f64_suffixed(*x);
            quote!(::syda::Literal::Float(#x))
        }
        Literal::Text(s) => {
            let s = text(s);
            quote!(::syda::Literal::Text(#s))
        }
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
        assert!(
            out.starts_with("# [allow (unused_qualifications)] const _ : () = {"),
            "{out}"
        );
        assert!(out.contains("impl :: syda :: Synthetic for S"), "{out}");
        assert!(out.contains("ty : :: syda :: DataType :: Integer"), "{out}");
    }

    #[test]
    fn every_column_field_is_written_out() {
        let out = expand(parse_quote!(
            struct S {
                id: i64,
            }
        ));
        for field in [
            "name",
            "doc",
            "ty",
            "kind",
            "nullable",
            "unique",
            "primary_key",
            "foreign_key",
            "max_length",
            "range",
            "one_of",
            "pattern",
            "generator",
        ] {
            assert!(out.contains(&format!(" {field} :")), "{field} missing from {out}");
        }
        assert!(!out.contains(".."), "no struct update syntax: {out}");
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
            out.contains("ty : :: syda :: __private :: kind_type (\"age\")"),
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
        assert!(
            fallback(&parse_quote!(
                enum E {
                    A,
                }
            ))
            .to_string()
            .contains("impl :: syda :: Synthetic for E")
        );
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
