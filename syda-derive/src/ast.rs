//! The derive input read into a table model: names resolved (serde renames,
//! snake_case table name), docs collected, types mapped, attributes checked.
//! Each part keeps its syn node so errors point at the source.

use std::collections::HashMap;

use quote::ToTokens;
use syn::ext::IdentExt;
use syn::{Data, DeriveInput, Fields};

use crate::attr::{self, Literal};
use crate::case::snake_case;
use crate::ctxt::Ctxt;
use crate::doc;
use crate::ty::{self, DataType};

/// A struct read as one table.
pub struct Table<'a> {
    /// The struct.
    pub input: &'a DeriveInput,
    /// `table = "…"`, else the struct name in snake_case.
    pub name: String,
    /// `comment = "…"`, else the struct's doc comment.
    pub doc: Option<String>,
    /// Every field not marked `skip`, in declaration order.
    pub columns: Vec<Column<'a>>,
    /// Composite unique keys, as column names.
    pub unique: Vec<Vec<String>>,
}

/// A field read as one column.
pub struct Column<'a> {
    /// The field.
    pub field: &'a syn::Field,
    /// Column name: serde's name for the field.
    pub name: String,
    /// `comment = "…"`, else the field's doc comment.
    pub doc: Option<String>,
    /// Column type.
    pub ty: ColumnType,
    /// `Option<T>` or `nullable`.
    pub nullable: bool,
    /// The field's `#[synthetic]` attributes.
    pub attrs: attr::Field,
}

/// Where a column's type comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnType {
    /// The Rust type maps to this type.
    Known(DataType),
    /// The Rust type is not one the derive knows; the type is the kind's
    /// natural type (text for a kind syda doesn't list), looked up when the
    /// constant is evaluated.
    OfKind(String),
}

impl<'a> Table<'a> {
    /// Reads the struct, recording every problem in `cx`. `None` when the
    /// item isn't a struct with named fields.
    pub fn from_ast(cx: &Ctxt, input: &'a DeriveInput) -> Option<Table<'a>> {
        let container = attr::Container::from_ast(cx, &input.attrs);
        let fields = match &input.data {
            Data::Struct(data) => match &data.fields {
                Fields::Named(named) => Some(&named.named),
                Fields::Unnamed(_) => {
                    cx.error_spanned_by(
                        &input.ident,
                        "#[derive(Synthetic)] needs named fields: each field is a column and \
                         needs a name; tuple structs are not supported",
                    );
                    None
                }
                Fields::Unit => {
                    cx.error_spanned_by(
                        &input.ident,
                        "#[derive(Synthetic)] needs named fields: a unit struct has no columns",
                    );
                    None
                }
            },
            Data::Enum(data) => {
                cx.error_spanned_by(
                    data.enum_token,
                    "#[derive(Synthetic)] supports structs with named fields, not enums: \
                     a table is one struct, each field a column",
                );
                None
            }
            Data::Union(data) => {
                cx.error_spanned_by(
                    data.union_token,
                    "#[derive(Synthetic)] supports structs with named fields, not unions",
                );
                None
            }
        };
        if !input.generics.params.is_empty() {
            cx.error_spanned_by(
                &input.generics,
                "#[derive(Synthetic)] does not support generic structs: `Synthetic::TABLE` is one \
                 fixed table, so every column needs a concrete type",
            );
        }
        let fields = fields?;

        let mut columns = Vec::new();
        let mut kept = 0;
        for field in fields {
            let attrs = attr::Field::from_ast(cx, &field.attrs);
            if let Some(skip) = &attrs.skip {
                if !attrs.serde_default && !container.serde_default {
                    cx.error_spanned_by(
                        skip,
                        "a `skip`ped field is left out of generated rows, so serde must be able \
                         to fill it: add `#[serde(skip)]` or `#[serde(default)]` to the field",
                    );
                }
                continue;
            }
            kept += 1;
            if let Some(column) = Column::from_ast(cx, &container, &input.generics, field, attrs) {
                columns.push(column);
            }
        }
        if kept == 0 {
            cx.error_spanned_by(&input.ident, "#[derive(Synthetic)] needs at least one column");
        }

        let mut seen: HashMap<&str, &syn::Field> = HashMap::new();
        for column in &columns {
            if seen.insert(&column.name, column.field).is_some() {
                cx.error_spanned_by(
                    column.field.ident.as_ref(),
                    format!(
                        "column `{}` is already the name of another field; \
                         give one of them another name with `#[serde(rename = \"...\")]`",
                        column.name
                    ),
                );
            }
        }

        let unique = container
            .unique
            .iter()
            .map(|key| {
                key.iter()
                    .filter_map(|ident| {
                        let found = columns
                            .iter()
                            .find(|c| c.field.ident.as_ref().is_some_and(|i| i == ident));
                        if found.is_none() {
                            cx.error_spanned_by(
                                ident,
                                format!(
                                    "`unique(...)` names `{ident}`, which is not a column of this struct"
                                ),
                            );
                        }
                        found.map(|c| c.name.clone())
                    })
                    .collect()
            })
            .collect();

        Some(Table {
            input,
            name: container
                .table
                .clone()
                .unwrap_or_else(|| snake_case(&input.ident.unraw().to_string())),
            doc: container.comment.clone().or_else(|| doc::collect(&input.attrs)),
            columns,
            unique,
        })
    }
}

impl<'a> Column<'a> {
    fn from_ast(
        cx: &Ctxt,
        container: &attr::Container,
        container_generics: &syn::Generics,
        field: &'a syn::Field,
        attrs: attr::Field,
    ) -> Option<Column<'a>> {
        let ident = field.ident.as_ref()?.unraw().to_string();
        let name = match (&attrs.serde_rename, container.rename_all) {
            (Some(rename), _) => rename.clone(),
            (None, Some(rule)) => rule.apply_to_field(&ident),
            (None, None) => ident,
        };
        let inner = ty::option_inner(&field.ty);
        let rust_ty = inner.unwrap_or(&field.ty);
        let ty = match (ty::data_type(rust_ty), &attrs.kind) {
            (Some(known), _) => ColumnType::Known(known),
            (None, Some(kind)) => ColumnType::OfKind(kind.clone()),
            (None, None) if is_type_parameter(container_generics, rust_ty) => {
                // Already reported: the struct is generic.
                return None;
            }
            (None, None) => {
                let shown = rust_ty.to_token_stream().to_string();
                cx.error_spanned_by(
                    rust_ty,
                    format!(
                        "cannot tell which column type `{shown}` is; name its kind, \
                         e.g. `#[synthetic(kind = \"email\")]`, or use a type syda knows \
                         (integers, floats, bool, String, dates and times, Uuid, Decimal, serde_json::Value)"
                    ),
                );
                return None;
            }
        };
        if let (ColumnType::Known(DataType::Boolean), Some((min, _))) = (&ty, &attrs.range)
            && !matches!(min, Literal::Text(_))
        {
            cx.error_spanned_by(&field.ty, "`range` does not apply to a bool column");
        }
        Some(Column {
            field,
            name,
            doc: attrs.comment.clone().or_else(|| doc::collect(&field.attrs)),
            ty,
            nullable: inner.is_some() || attrs.nullable,
            attrs,
        })
    }
}

/// `T` where the struct declares `<T>`.
fn is_type_parameter(generics: &syn::Generics, ty: &syn::Type) -> bool {
    let syn::Type::Path(path) = ty else {
        return false;
    };
    generics
        .type_params()
        .any(|param| path.qself.is_none() && path.path.is_ident(&param.ident))
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    fn read(input: DeriveInput, check: impl FnOnce(Table<'_>)) -> Vec<String> {
        let cx = Ctxt::new();
        let table = Table::from_ast(&cx, &input);
        match cx.check() {
            Ok(()) => {
                check(table.expect("no errors means a table"));
                Vec::new()
            }
            Err(err) => err.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn table_name_defaults_to_the_struct_name_in_snake_case() {
        let errors = read(
            parse_quote!(
                struct OrderItem {
                    id: i64,
                }
            ),
            |t| {
                assert_eq!(t.name, "order_item");
            },
        );
        assert!(errors.is_empty(), "{errors:?}");
    }

    #[test]
    fn column_names_follow_serde_rename_then_rename_all() {
        let errors = read(
            parse_quote! {
                #[serde(rename_all = "camelCase")]
                struct S { first_name: String, #[serde(rename = "SURNAME")] last_name: String, r#type: String }
            },
            |t| {
                let names: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
                assert_eq!(names, ["firstName", "SURNAME", "type"]);
            },
        );
        assert!(errors.is_empty(), "{errors:?}");
    }

    #[test]
    fn option_fields_are_nullable_and_typed_by_their_inner_type() {
        let errors = read(
            parse_quote!(
                struct S {
                    a: Option<i32>,
                    b: i32,
                }
            ),
            |t| {
                assert!(t.columns[0].nullable);
                assert!(!t.columns[1].nullable);
                assert_eq!(t.columns[0].ty, ColumnType::Known(DataType::Integer));
            },
        );
        assert!(errors.is_empty(), "{errors:?}");
    }

    #[test]
    fn unknown_type_with_a_kind_takes_the_kind() {
        let errors = read(
            parse_quote!(
                struct S {
                    #[synthetic(kind = "email")]
                    a: Email,
                }
            ),
            |t| {
                assert_eq!(t.columns[0].ty, ColumnType::OfKind("email".into()));
            },
        );
        assert!(errors.is_empty(), "{errors:?}");
    }

    #[test]
    fn unknown_type_without_a_kind_is_an_error() {
        let errors = read(
            parse_quote!(
                struct S {
                    a: Email,
                }
            ),
            |_| {},
        );
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].starts_with("cannot tell which column type `Email` is"),
            "{}",
            errors[0]
        );
    }

    #[test]
    fn enums_are_rejected() {
        let errors = read(
            parse_quote!(
                enum E {
                    A,
                }
            ),
            |_| {},
        );
        assert_eq!(errors.len(), 1, "{errors:?}");
    }

    #[test]
    fn tuple_structs_are_rejected() {
        let errors = read(
            parse_quote!(
                struct T(i32);
            ),
            |_| {},
        );
        assert_eq!(errors.len(), 1, "{errors:?}");
    }

    #[test]
    fn generic_structs_are_rejected_once_not_again_per_generic_field() {
        let errors = read(
            parse_quote!(
                struct G<T> {
                    a: T,
                }
            ),
            |_| {},
        );
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].contains("does not support generic structs"),
            "{}",
            errors[0]
        );
    }

    #[test]
    fn skipped_fields_are_left_out_but_need_a_serde_default() {
        let errors = read(
            parse_quote!(
                struct S {
                    id: i64,
                    #[synthetic(skip)]
                    #[serde(skip)]
                    cache: Vec<u8>,
                }
            ),
            |t| assert_eq!(t.columns.len(), 1),
        );
        assert!(errors.is_empty(), "{errors:?}");
        let errors = read(
            parse_quote!(
                struct S {
                    id: i64,
                    #[synthetic(skip)]
                    cache: Vec<u8>,
                }
            ),
            |_| {},
        );
        assert_eq!(errors.len(), 1);
    }

    #[test]
    fn composite_unique_keys_name_columns_after_renames() {
        let errors = read(
            parse_quote! {
                #[synthetic(unique(a, b_c))]
                #[serde(rename_all = "camelCase")]
                struct S { a: i64, b_c: i64 }
            },
            |t| assert_eq!(t.unique, [["a", "bC"]]),
        );
        assert!(errors.is_empty(), "{errors:?}");
        let errors = read(
            parse_quote!(
                #[synthetic(unique(a, nope))]
                struct S {
                    a: i64,
                }
            ),
            |_| {},
        );
        assert_eq!(errors.len(), 1);
    }
}
