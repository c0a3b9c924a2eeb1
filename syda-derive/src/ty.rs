//! Rust types → syda `DataType`s, judged by the last path segment so
//! `chrono::NaiveDate` and a `use`d `NaiveDate` are the same.

use syn::{GenericArgument, PathArguments, Type, TypePath};

/// A `syda::DataType` variant, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataType {
    /// `DataType::Integer`
    Integer,
    /// `DataType::Float`
    Float,
    /// `DataType::Decimal`
    Decimal,
    /// `DataType::Boolean`
    Boolean,
    /// `DataType::Text`
    Text,
    /// `DataType::Date`
    Date,
    /// `DataType::DateTime`
    DateTime,
    /// `DataType::Time`
    Time,
    /// `DataType::Uuid`
    Uuid,
    /// `DataType::Json`
    Json,
}

impl DataType {
    /// The variant's name in `syda::DataType`.
    pub fn variant(self) -> &'static str {
        match self {
            DataType::Integer => "Integer",
            DataType::Float => "Float",
            DataType::Decimal => "Decimal",
            DataType::Boolean => "Boolean",
            DataType::Text => "Text",
            DataType::Date => "Date",
            DataType::DateTime => "DateTime",
            DataType::Time => "Time",
            DataType::Uuid => "Uuid",
            DataType::Json => "Json",
        }
    }
}

/// `T` for `Option<T>` (the column is nullable), else `None`.
pub fn option_inner(ty: &Type) -> Option<&Type> {
    single_argument(ty, &["Option"])
}

/// The column type of a (non-`Option`) field type, or `None` when the type
/// isn't one the derive knows. `Box`, `Rc` and `Arc` are looked through.
pub fn data_type(ty: &Type) -> Option<DataType> {
    match ty {
        Type::Group(g) => data_type(&g.elem),
        Type::Paren(p) => data_type(&p.elem),
        Type::Reference(r) => match &*r.elem {
            Type::Path(p) if p.path.is_ident("str") => Some(DataType::Text),
            _ => None,
        },
        Type::Path(TypePath { qself: None, path }) => {
            if let Some(inner) = single_argument(ty, &["Box", "Rc", "Arc"]) {
                return data_type(inner);
            }
            let last = path.segments.last()?;
            let ty = match last.ident.to_string().as_str() {
                "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64" | "isize" | "usize" => {
                    DataType::Integer
                }
                "f32" | "f64" => DataType::Float,
                "bool" => DataType::Boolean,
                "String" | "str" => DataType::Text,
                "Cow" if cow_of_str(&last.arguments) => DataType::Text,
                "NaiveDate" | "Date" => DataType::Date,
                "NaiveDateTime" | "DateTime" | "OffsetDateTime" | "PrimitiveDateTime" | "UtcDateTime" => {
                    DataType::DateTime
                }
                "NaiveTime" | "Time" => DataType::Time,
                "Uuid" => DataType::Uuid,
                "Decimal" => DataType::Decimal,
                "Value" => DataType::Json,
                _ => return None,
            };
            Some(ty)
        }
        _ => None,
    }
}

/// `Cow<'_, str>`.
fn cow_of_str(arguments: &PathArguments) -> bool {
    let PathArguments::AngleBracketed(args) = arguments else {
        return false;
    };
    args.args
        .iter()
        .any(|arg| matches!(arg, GenericArgument::Type(Type::Path(p)) if p.path.is_ident("str")))
}

/// `T` for `Wrapper<T>` when the last segment is one of `wrappers`.
fn single_argument<'a>(ty: &'a Type, wrappers: &[&str]) -> Option<&'a Type> {
    let Type::Path(TypePath { qself: None, path }) = ty else {
        return None;
    };
    let last = path.segments.last()?;
    if !wrappers.iter().any(|w| last.ident == w) {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    let mut types = args.args.iter().filter_map(|arg| match arg {
        GenericArgument::Type(ty) => Some(ty),
        _ => None,
    });
    let inner = types.next()?;
    types.next().is_none().then_some(inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    fn mapped(ty: Type) -> Option<DataType> {
        data_type(&ty)
    }

    #[test]
    fn integer_types_map_to_integer() {
        for ty in [
            parse_quote!(i8),
            parse_quote!(i16),
            parse_quote!(i32),
            parse_quote!(i64),
            parse_quote!(u8),
            parse_quote!(u16),
            parse_quote!(u32),
            parse_quote!(u64),
            parse_quote!(isize),
            parse_quote!(usize),
        ] {
            assert_eq!(mapped(ty), Some(DataType::Integer));
        }
    }

    #[test]
    fn floats_and_bool_map_to_float_and_boolean() {
        assert_eq!(mapped(parse_quote!(f32)), Some(DataType::Float));
        assert_eq!(mapped(parse_quote!(f64)), Some(DataType::Float));
        assert_eq!(mapped(parse_quote!(bool)), Some(DataType::Boolean));
    }

    #[test]
    fn string_types_map_to_text() {
        assert_eq!(mapped(parse_quote!(String)), Some(DataType::Text));
        assert_eq!(mapped(parse_quote!(std::string::String)), Some(DataType::Text));
        assert_eq!(mapped(parse_quote!(&'static str)), Some(DataType::Text));
        assert_eq!(mapped(parse_quote!(Cow<'static, str>)), Some(DataType::Text));
        assert_eq!(mapped(parse_quote!(Box<str>)), Some(DataType::Text));
    }

    #[test]
    fn cow_of_something_other_than_str_is_unknown() {
        assert_eq!(mapped(parse_quote!(Cow<'static, [u8]>)), None);
    }

    #[test]
    fn chrono_and_time_types_map_by_last_segment() {
        assert_eq!(mapped(parse_quote!(chrono::NaiveDate)), Some(DataType::Date));
        assert_eq!(mapped(parse_quote!(time::Date)), Some(DataType::Date));
        assert_eq!(mapped(parse_quote!(NaiveDateTime)), Some(DataType::DateTime));
        assert_eq!(mapped(parse_quote!(DateTime<Utc>)), Some(DataType::DateTime));
        assert_eq!(
            mapped(parse_quote!(time::OffsetDateTime)),
            Some(DataType::DateTime)
        );
        assert_eq!(
            mapped(parse_quote!(time::PrimitiveDateTime)),
            Some(DataType::DateTime)
        );
        assert_eq!(mapped(parse_quote!(chrono::NaiveTime)), Some(DataType::Time));
        assert_eq!(mapped(parse_quote!(time::Time)), Some(DataType::Time));
    }

    #[test]
    fn uuid_decimal_and_json_values_map_to_their_types() {
        assert_eq!(mapped(parse_quote!(uuid::Uuid)), Some(DataType::Uuid));
        assert_eq!(
            mapped(parse_quote!(rust_decimal::Decimal)),
            Some(DataType::Decimal)
        );
        assert_eq!(mapped(parse_quote!(serde_json::Value)), Some(DataType::Json));
    }

    #[test]
    fn unknown_types_are_not_mapped() {
        assert_eq!(mapped(parse_quote!(Vec<u8>)), None);
        assert_eq!(mapped(parse_quote!(Email)), None);
        assert_eq!(mapped(parse_quote!((i32, i32))), None);
    }

    #[test]
    fn option_yields_its_inner_type() {
        let ty: Type = parse_quote!(Option<String>);
        let inner: Type = parse_quote!(String);
        assert_eq!(option_inner(&ty), Some(&inner));
        assert_eq!(option_inner(&parse_quote!(String)), None);
    }
}
