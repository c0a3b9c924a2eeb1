//! The derive input read into a model: a struct with named fields is a
//! table; a unit-only enum or a newtype is a column type. Names resolved
//! (serde renames, snake_case table name), docs collected, types mapped,
//! attributes checked (ours, and the ORM attributes users already wrote).
//! Each part keeps its syn node so errors point at the source.

use std::collections::HashMap;

use syn::ext::IdentExt;
use syn::{Data, DeriveInput, Fields};

use crate::attr::{self, Literal};
use crate::case::snake_case;
use crate::ctxt::Ctxt;
use crate::doc;
use crate::ty::{self, DataType, FieldType};

/// What `#[derive(Synthetic)]` was put on.
pub(crate) enum Item<'a> {
    /// A struct with named fields: a table.
    Table(Table<'a>),
    /// A unit-only enum: a text column whose values are the variants.
    Enum(Enum<'a>),
    /// A struct with one unnamed field: the inner type's column.
    Newtype(Box<Newtype<'a>>),
}

/// A struct read as one table.
pub(crate) struct Table<'a> {
    /// The struct.
    pub input: &'a DeriveInput,
    /// `table = "…"`, else `#[diesel/sea_orm(table_name)]`, else the struct
    /// name in snake_case.
    pub name: String,
    /// `comment = "…"`, else the struct's doc comment.
    pub doc: Option<String>,
    /// Every field not marked `skip`, in declaration order.
    pub columns: Vec<Column<'a>>,
    /// Composite unique keys, as column names.
    pub unique: Vec<Vec<String>>,
    /// `#[synthetic(infer = false)]`: no relation inferred for the table.
    pub no_infer: bool,
}

/// A unit-only enum read as a column type.
pub(crate) struct Enum<'a> {
    /// The enum.
    pub input: &'a DeriveInput,
    /// The enum's name in snake_case.
    pub name: String,
    /// The enum's doc comment.
    pub doc: Option<String>,
    /// Each deserialisable variant's serde name and weight.
    pub values: Vec<(String, u32)>,
}

/// A newtype read as its inner type's column.
pub(crate) struct Newtype<'a> {
    /// The struct.
    pub input: &'a DeriveInput,
    /// The inner field as a column named after the struct.
    pub column: Column<'a>,
}

/// A field read as one column.
pub(crate) struct Column<'a> {
    /// The field.
    pub field: &'a syn::Field,
    /// Column name: the ORM's `column_name`, else serde's name for the field.
    pub name: String,
    /// serde's name for the field, which typed rows are read under.
    pub key: String,
    /// `comment = "…"`, else the field's doc comment.
    pub doc: Option<String>,
    /// Column type.
    pub ty: ColumnType<'a>,
    /// `Option<T>`, `nullable` or `#[sea_orm(nullable)]`.
    pub nullable: bool,
    /// The field's `#[synthetic]` attributes (ORM flags merged in).
    pub attrs: attr::Field,
}

/// Where a column's type comes from.
#[derive(Debug, Clone)]
pub(crate) enum ColumnType<'a> {
    /// The Rust type (its name, or its `SyntheticField` impl).
    Typed(FieldType<'a>),
    /// The Rust type is not one the derive knows but the field names a
    /// kind: the type is the kind's natural type (text for a kind syda
    /// doesn't list), looked up when the constant is evaluated.
    OfKind(String),
    /// `#[serde(flatten)]`: the struct's columns join this table.
    Flatten(&'a syn::Type),
}

/// The `syda` crate's path, `#[synthetic(crate = "…")]` or `::syda`.
pub(crate) fn crate_path(cx: &Ctxt, input: &DeriveInput) -> proc_macro2::TokenStream {
    let container = attr::Container::from_ast(cx, &input.attrs);
    match container.krate {
        Some(path) => quote::quote!(#path),
        None => quote::quote!(::syda),
    }
}

impl<'a> Item<'a> {
    /// Reads the item, recording every problem in `cx`.
    pub(crate) fn from_ast(cx: &Ctxt, input: &'a DeriveInput) -> Option<Item<'a>> {
        if !input.generics.params.is_empty() {
            cx.error_spanned_by(
                &input.generics,
                "#[derive(Synthetic)] does not support generic structs: `Synthetic::TABLE` is one \
                 fixed table, so every column needs a concrete type",
            );
        }
        match &input.data {
            Data::Struct(data) => match &data.fields {
                Fields::Named(_) => Table::from_ast(cx, input).map(Item::Table),
                Fields::Unnamed(fields) if fields.unnamed.len() == 1 => {
                    Newtype::from_ast(cx, input, &fields.unnamed[0]).map(|n| Item::Newtype(Box::new(n)))
                }
                Fields::Unnamed(_) => {
                    attr::Container::from_ast(cx, &input.attrs);
                    cx.error_spanned_by(
                        &input.ident,
                        "#[derive(Synthetic)] needs named fields: each field is a column and \
                         needs a name; only a newtype (a tuple struct of one field) may be unnamed",
                    );
                    None
                }
                Fields::Unit => {
                    attr::Container::from_ast(cx, &input.attrs);
                    cx.error_spanned_by(
                        &input.ident,
                        "#[derive(Synthetic)] needs named fields: a unit struct has no columns",
                    );
                    None
                }
            },
            Data::Enum(_) => Enum::from_ast(cx, input).map(Item::Enum),
            Data::Union(data) => {
                cx.error_spanned_by(
                    data.union_token,
                    "#[derive(Synthetic)] supports structs and unit-only enums, not unions",
                );
                None
            }
        }
    }
}

impl<'a> Enum<'a> {
    fn from_ast(cx: &Ctxt, input: &'a DeriveInput) -> Option<Enum<'a>> {
        let Data::Enum(data) = &input.data else {
            return None;
        };
        let container = attr::Container::from_ast(cx, &input.attrs);
        if let Some(table) = &container.table {
            cx.error_spanned_by(
                &input.ident,
                format!("`table = {table:?}` goes on a struct: an enum is a column type, not a table"),
            );
        }
        if !container.unique.is_empty() {
            cx.error_spanned_by(&input.ident, "`unique(...)` goes on a struct, not an enum");
        }
        let mut values = Vec::new();
        for variant in &data.variants {
            let attrs = attr::Variant::from_ast(cx, &variant.attrs);
            if !matches!(variant.fields, Fields::Unit) {
                cx.error_spanned_by(
                    variant,
                    format!(
                        "#[derive(Synthetic)] on an enum needs unit variants only: the variants \
                         become the column's `one_of`, and `{}` carries data; hold such data in a \
                         `serde_json::Value` field or a struct that derives Synthetic",
                        variant.ident
                    ),
                );
                continue;
            }
            if attrs.serde_skip {
                continue;
            }
            let ident = variant.ident.unraw().to_string();
            let name = match (&attrs.serde_rename, container.rename_all) {
                (Some(rename), _) => rename.clone(),
                (None, Some(rule)) => rule.apply_to_variant(&ident),
                (None, None) => ident,
            };
            values.push((name, attrs.weight.unwrap_or(1)));
        }
        if data.variants.is_empty() {
            cx.error_spanned_by(
                &input.ident,
                "#[derive(Synthetic)] needs an enum with at least one variant",
            );
        } else if values.is_empty() && data.variants.iter().all(|v| matches!(v.fields, Fields::Unit)) {
            cx.error_spanned_by(
                &input.ident,
                "every variant is skipped by serde, so the column would have no values",
            );
        }
        Some(Enum {
            input,
            name: snake_case(&input.ident.unraw().to_string()),
            doc: container.comment.clone().or_else(|| doc::collect(&input.attrs)),
            values,
        })
    }
}

impl<'a> Newtype<'a> {
    fn from_ast(cx: &Ctxt, input: &'a DeriveInput, field: &'a syn::Field) -> Option<Newtype<'a>> {
        let container = attr::Container::from_ast(cx, &input.attrs);
        if container.table.is_some() || !container.unique.is_empty() {
            cx.error_spanned_by(
                &input.ident,
                "a newtype is a column type, not a table: `table` and `unique(...)` go on a \
                 struct with named fields",
            );
        }
        let attrs = attr::Field::from_ast(cx, &field.attrs);
        if attrs.skip.is_some() || attrs.serde_flatten {
            cx.error_spanned_by(
                &field.ty,
                "the field of a newtype is its column: it cannot be skipped or flattened",
            );
        }
        let name = snake_case(&input.ident.unraw().to_string());
        let mut column = Column::from_ast(cx, &input.generics, field, name, attrs)?;
        if column.doc.is_none() {
            column.doc = container.comment.clone().or_else(|| doc::collect(&input.attrs));
        }
        Some(Newtype { input, column })
    }
}

impl<'a> Table<'a> {
    /// Reads the struct, recording every problem in `cx`. `None` when the
    /// item isn't a struct with named fields.
    pub(crate) fn from_ast(cx: &Ctxt, input: &'a DeriveInput) -> Option<Table<'a>> {
        let container = attr::Container::from_ast(cx, &input.attrs);
        let Data::Struct(data) = &input.data else {
            return None;
        };
        let Fields::Named(fields) = &data.fields else {
            return None;
        };

        let mut columns = Vec::new();
        let mut kept = 0;
        for field in &fields.named {
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
            let Some(ident) = field.ident.as_ref() else {
                continue;
            };
            let ident = ident.unraw().to_string();
            let name = match (&attrs.serde_rename, container.rename_all) {
                (Some(rename), _) => rename.clone(),
                (None, Some(rule)) => rule.apply_to_field(&ident),
                (None, None) => ident,
            };
            if let Some(column) = Column::from_ast(cx, &input.generics, field, name, attrs) {
                columns.push(column);
            }
        }
        if kept == 0 {
            cx.error_spanned_by(&input.ident, "#[derive(Synthetic)] needs at least one column");
        }

        let mut seen: HashMap<&str, &syn::Field> = HashMap::new();
        for column in columns.iter().filter(|c| !matches!(c.ty, ColumnType::Flatten(_))) {
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
                .or_else(|| container.orm_table.clone())
                .unwrap_or_else(|| snake_case(&input.ident.unraw().to_string())),
            doc: container
                .comment
                .clone()
                .or_else(|| doc::collect(&input.attrs))
                .or_else(|| container.orm_comment.clone()),
            columns,
            unique,
            no_infer: container.no_infer,
        })
    }
}

impl<'a> Column<'a> {
    fn from_ast(
        cx: &Ctxt,
        container_generics: &syn::Generics,
        field: &'a syn::Field,
        name: String,
        mut attrs: attr::Field,
    ) -> Option<Column<'a>> {
        let key = name;
        let name = attrs.orm_column_name.clone().unwrap_or_else(|| key.clone());
        attrs.primary_key |= attrs.orm_primary_key;
        attrs.unique |= attrs.orm_unique;
        attrs.max_length = attrs.max_length.or(attrs.orm_max_length);
        let inner = ty::option_inner(&field.ty);
        let rust_ty = inner.unwrap_or(&field.ty);
        if attrs.serde_flatten {
            if is_type_parameter(container_generics, rust_ty) {
                return None;
            }
            return Some(Column {
                field,
                name,
                key,
                doc: None,
                ty: ColumnType::Flatten(rust_ty),
                nullable: false,
                attrs,
            });
        }
        let ty = match (ty::field_type(rust_ty), &attrs.kind) {
            (FieldType::Foreign(_), Some(kind)) => ColumnType::OfKind(kind.clone()),
            (FieldType::Foreign(ty), None) if is_type_parameter(container_generics, ty) => {
                // Already reported: the struct is generic.
                return None;
            }
            (typed, _) => ColumnType::Typed(typed),
        };
        if let (ColumnType::Typed(FieldType::Known(k)), Some((min, _))) = (&ty, &attrs.range)
            && k.ty == DataType::Boolean
            && !matches!(min, Literal::Text(_))
        {
            cx.error_spanned_by(&field.ty, "`range` does not apply to a bool column");
        }
        Some(Column {
            field,
            name,
            key,
            doc: attrs
                .comment
                .clone()
                .or_else(|| doc::collect(&field.attrs))
                .or_else(|| attrs.orm_comment.clone()),
            ty,
            nullable: inner.is_some() || attrs.nullable || attrs.orm_nullable,
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

    fn read_item(input: DeriveInput, check: impl FnOnce(Item<'_>)) -> Vec<String> {
        let cx = Ctxt::new();
        let item = Item::from_ast(&cx, &input);
        match cx.check() {
            Ok(()) => {
                check(item.expect("no errors means an item"));
                Vec::new()
            }
            Err(err) => err.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    fn read(input: DeriveInput, check: impl FnOnce(Table<'_>)) -> Vec<String> {
        read_item(input, |item| match item {
            Item::Table(t) => check(t),
            _ => panic!("not a table"),
        })
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
                assert!(
                    matches!(&t.columns[0].ty, ColumnType::Typed(FieldType::Known(k)) if k.ty == DataType::Integer)
                );
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
                assert!(matches!(&t.columns[0].ty, ColumnType::OfKind(k) if k == "email"));
            },
        );
        assert!(errors.is_empty(), "{errors:?}");
    }

    #[test]
    fn unknown_types_are_described_by_their_synthetic_field_impl() {
        let errors = read(
            parse_quote!(
                struct S {
                    a: Email,
                }
            ),
            |t| {
                assert!(matches!(
                    t.columns[0].ty,
                    ColumnType::Typed(FieldType::Foreign(_))
                ))
            },
        );
        assert!(errors.is_empty(), "{errors:?}");
    }

    #[test]
    fn unit_enums_become_their_variants_after_serde_renames_with_weights() {
        let errors = read_item(
            parse_quote! {
                #[serde(rename_all = "snake_case")]
                enum Plan { Free, #[synthetic(weight = 2)] ProPlus, #[serde(rename = "ent")] Enterprise, #[serde(other)] Unknown }
            },
            |item| {
                let Item::Enum(e) = item else { panic!("an enum") };
                assert_eq!(e.name, "plan");
                assert_eq!(
                    e.values,
                    [
                        ("free".to_owned(), 1),
                        ("pro_plus".to_owned(), 2),
                        ("ent".to_owned(), 1)
                    ]
                );
            },
        );
        assert!(errors.is_empty(), "{errors:?}");
    }

    #[test]
    fn data_carrying_enums_are_rejected_per_variant() {
        let errors = read_item(
            parse_quote!(
                enum E {
                    A,
                    B(i32),
                    C { x: i32 },
                }
            ),
            |_| {},
        );
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors[0].contains("needs unit variants only"), "{}", errors[0]);
    }

    #[test]
    fn newtypes_are_their_inner_column_and_wider_tuple_structs_are_rejected() {
        let errors = read_item(
            parse_quote!(
                struct Email(String);
            ),
            |item| {
                let Item::Newtype(n) = item else {
                    panic!("a newtype")
                };
                assert_eq!(n.column.name, "email");
            },
        );
        assert!(errors.is_empty(), "{errors:?}");
        let errors = read_item(
            parse_quote!(
                struct P(i32, i32);
            ),
            |_| {},
        );
        assert_eq!(errors.len(), 1, "{errors:?}");
    }

    #[test]
    fn orm_attributes_name_the_table_and_flag_columns() {
        let errors = read(
            parse_quote! {
                #[diesel(table_name = crate::schema::accounts)]
                struct Account {
                    #[sea_orm(primary_key, auto_increment = false)]
                    id: i64,
                    #[sea_orm(unique, column_type = "String(StringLen::N(40))")]
                    email: String,
                    #[sea_orm(nullable)]
                    note: String,
                }
            },
            |t| {
                assert_eq!(t.name, "accounts");
                assert!(t.columns[0].attrs.primary_key);
                assert!(t.columns[1].attrs.unique);
                assert_eq!(t.columns[1].attrs.max_length, Some(40));
                assert!(t.columns[2].nullable);
            },
        );
        assert!(errors.is_empty(), "{errors:?}");
        let errors = read(
            parse_quote! {
                #[sea_orm(table_name = "cakes")]
                struct Model { id: i64 }
            },
            |t| assert_eq!(t.name, "cakes"),
        );
        assert!(errors.is_empty(), "{errors:?}");
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
