//! Rust types → syda `DataType`s, judged by the last path segment so
//! `chrono::NaiveDate` and a `use`d `NaiveDate` are the same.

use syn::{GenericArgument, PathArguments, Type, TypePath};

/// A `syda::DataType` variant, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DataType {
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
    pub(crate) fn variant(self) -> &'static str {
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
pub(crate) fn option_inner(ty: &Type) -> Option<&Type> {
    single_argument(ty, &["Option"])
}

/// How a Rust type reads a generated value: a `syda::Shape` variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// `Shape::Plain`
    Plain,
    /// `Shape::NaiveDateTime`
    NaiveDateTime,
    /// `Shape::TimeDate`
    TimeDate,
    /// `Shape::TimeOfDay`
    TimeOfDay,
    /// `Shape::TimePrimitiveDateTime`
    TimePrimitiveDateTime,
    /// `Shape::TimeOffsetDateTime`
    TimeOffsetDateTime,
    /// `Shape::Duration`
    Duration,
    /// `Shape::Bytes`
    Bytes,
}

impl Shape {
    /// The variant's name in `syda::Shape`.
    pub(crate) fn variant(self) -> &'static str {
        match self {
            Shape::Plain => "Plain",
            Shape::NaiveDateTime => "NaiveDateTime",
            Shape::TimeDate => "TimeDate",
            Shape::TimeOfDay => "TimeOfDay",
            Shape::TimePrimitiveDateTime => "TimePrimitiveDateTime",
            Shape::TimeOffsetDateTime => "TimeOffsetDateTime",
            Shape::Duration => "Duration",
            Shape::Bytes => "Bytes",
        }
    }
}

/// A type the derive knows by name: its column type, how it reads values,
/// and the constraints its values need (an `u8` holds 0–255).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Known {
    /// Column type.
    pub ty: DataType,
    /// How the type reads a value.
    pub shape: Shape,
    /// Kind implied by the type (`IpAddr` → `ipv4`).
    pub kind: Option<&'static str>,
    /// Inclusive integer bounds the type holds.
    pub range: Option<(i64, i64)>,
    /// Most characters (`char` → 1).
    pub max_length: Option<u32>,
    /// Pattern values follow (`Vec<u8>` is hex text).
    pub pattern: Option<&'static str>,
}

impl Known {
    fn of(ty: DataType) -> Known {
        Known {
            ty,
            shape: Shape::Plain,
            kind: None,
            range: None,
            max_length: None,
            pattern: None,
        }
    }

    fn shape(mut self, shape: Shape) -> Known {
        self.shape = shape;
        self
    }
}

/// What a field's (non-`Option`) type is, as the derive reads it.
#[derive(Debug, Clone)]
pub(crate) enum FieldType<'a> {
    /// A type known by name.
    Known(Known),
    /// `Vec<T>`, `HashSet<T>`, `BTreeSet<T>`, `VecDeque<T>`: a JSON array;
    /// the flag says whether elements are `Option`s.
    List(Box<FieldType<'a>>, bool),
    /// `BTreeMap<String, T>`, `HashMap<String, T>`: a JSON object.
    Map(Box<FieldType<'a>>, bool),
    /// Any other type: its `SyntheticField` impl describes it.
    Foreign(&'a Type),
}

/// Reads a (non-`Option`) field type. `Box`, `Rc` and `Arc` are looked
/// through.
pub(crate) fn field_type(ty: &Type) -> FieldType<'_> {
    if let Some(known) = data_type_known(ty) {
        return FieldType::Known(known);
    }
    let looked_through = single_argument(ty, &["Box", "Rc", "Arc"]);
    if let Some(inner) = looked_through {
        return field_type(inner);
    }
    if let Some(element) = single_argument(ty, &["Vec", "HashSet", "BTreeSet", "VecDeque", "IndexSet"]) {
        let (element, nullable) = match option_inner(element) {
            Some(inner) => (inner, true),
            None => (element, false),
        };
        return FieldType::List(Box::new(field_type(element)), nullable);
    }
    if let Some(value) = map_value(ty) {
        let (value, nullable) = match option_inner(value) {
            Some(inner) => (inner, true),
            None => (value, false),
        };
        return FieldType::Map(Box::new(field_type(value)), nullable);
    }
    FieldType::Foreign(ty)
}

/// `V` for `BTreeMap<String, V>`, `HashMap<String, V>`, `IndexMap<String, V>`.
fn map_value(ty: &Type) -> Option<&Type> {
    let Type::Path(TypePath { qself: None, path }) = ty else {
        return None;
    };
    let last = path.segments.last()?;
    if !["BTreeMap", "HashMap", "IndexMap"]
        .iter()
        .any(|m| last.ident == m)
    {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    let types: Vec<&Type> = args
        .args
        .iter()
        .filter_map(|arg| match arg {
            GenericArgument::Type(ty) => Some(ty),
            _ => None,
        })
        .collect();
    match types.as_slice() {
        [key, value, ..] if matches!(data_type(key), Some(DataType::Text)) => Some(value),
        _ => None,
    }
}

/// The column type of a (non-`Option`) field type, or `None` when the type
/// isn't one the derive knows by name.
pub(crate) fn data_type(ty: &Type) -> Option<DataType> {
    data_type_known(ty).map(|k| k.ty)
}

fn data_type_known(ty: &Type) -> Option<Known> {
    match ty {
        Type::Group(g) => data_type_known(&g.elem),
        Type::Paren(p) => data_type_known(&p.elem),
        Type::Reference(r) => match &*r.elem {
            Type::Path(p) if p.path.is_ident("str") => Some(Known::of(DataType::Text)),
            _ => None,
        },
        Type::Path(TypePath { qself: None, path }) => {
            if let Some(inner) = single_argument(ty, &["Box", "Rc", "Arc"]) {
                return data_type_known(inner);
            }
            if let Some(element) = single_argument(ty, &["Vec"])
                && matches!(element, Type::Path(p) if p.path.is_ident("u8"))
            {
                let mut bytes = Known::of(DataType::Text).shape(Shape::Bytes);
                bytes.pattern = Some("[0-9a-f]{32}");
                return Some(bytes);
            }
            let last = path.segments.last()?;
            let integer = |lo: i64, hi: i64| {
                let mut k = Known::of(DataType::Integer);
                k.range = Some((lo, hi));
                Some(k)
            };
            let name = last.ident.to_string();
            match name.as_str() {
                // Narrow integers keep to what they hold (non-negative: a
                // column of small counts, codes or ages, not of signs).
                "i8" => return integer(0, i64::from(i8::MAX)),
                "u8" => return integer(0, i64::from(u8::MAX)),
                "i16" => return integer(0, i64::from(i16::MAX)),
                "u16" => return integer(0, i64::from(u16::MAX)),
                "char" => {
                    let mut k = Known::of(DataType::Text);
                    k.max_length = Some(1);
                    k.pattern = Some("[A-Za-z]");
                    return Some(k);
                }
                "IpAddr" | "Ipv4Addr" | "Ipv6Addr" | "Url" => {
                    let mut k = Known::of(DataType::Text);
                    k.kind = Some(match name.as_str() {
                        "Ipv6Addr" => "ipv6",
                        "Url" => "url",
                        _ => "ipv4",
                    });
                    return Some(k);
                }
                "Duration" => {
                    let mut k = Known::of(DataType::Integer).shape(Shape::Duration);
                    k.range = Some((0, 86_400));
                    return Some(k);
                }
                "Cow" if !cow_of_str(&last.arguments) => return None,
                _ => {}
            }
            let (ty, shape) = match name.as_str() {
                "i32" | "i64" | "i128" | "u32" | "u64" | "u128" | "isize" | "usize" => {
                    (DataType::Integer, Shape::Plain)
                }
                "f32" | "f64" => (DataType::Float, Shape::Plain),
                "bool" => (DataType::Boolean, Shape::Plain),
                "String" | "str" | "Cow" => (DataType::Text, Shape::Plain),
                "NaiveDate" => (DataType::Date, Shape::Plain),
                "Date" => (DataType::Date, Shape::TimeDate),
                "NaiveDateTime" => (DataType::DateTime, Shape::NaiveDateTime),
                "DateTime" => (DataType::DateTime, Shape::Plain),
                "OffsetDateTime" => (DataType::DateTime, Shape::TimeOffsetDateTime),
                "PrimitiveDateTime" | "UtcDateTime" => (DataType::DateTime, Shape::TimePrimitiveDateTime),
                "NaiveTime" => (DataType::Time, Shape::Plain),
                "Time" => (DataType::Time, Shape::TimeOfDay),
                "Uuid" => (DataType::Uuid, Shape::Plain),
                "Decimal" | "BigDecimal" => (DataType::Decimal, Shape::Plain),
                "Value" => (DataType::Json, Shape::Plain),
                _ => return None,
            };
            Some(Known::of(ty).shape(shape))
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
            parse_quote!(i128),
            parse_quote!(u128),
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
        assert_eq!(mapped(parse_quote!(Vec<String>)), None);
        assert_eq!(mapped(parse_quote!(Email)), None);
        assert_eq!(mapped(parse_quote!((i32, i32))), None);
    }

    #[test]
    fn narrow_integers_get_the_range_they_hold() {
        let FieldType::Known(k) = field_type(&parse_quote!(u8)) else {
            panic!("u8 is known");
        };
        assert_eq!(k.range, Some((0, 255)));
    }

    #[test]
    fn naive_and_time_crate_types_read_their_own_forms() {
        let shape = |ty: Type| match field_type(&ty) {
            FieldType::Known(k) => k.shape,
            other => panic!("{other:?}"),
        };
        assert_eq!(shape(parse_quote!(chrono::NaiveDateTime)), Shape::NaiveDateTime);
        assert_eq!(shape(parse_quote!(DateTime<Utc>)), Shape::Plain);
        assert_eq!(shape(parse_quote!(time::Date)), Shape::TimeDate);
        assert_eq!(shape(parse_quote!(Vec<u8>)), Shape::Bytes);
        assert_eq!(shape(parse_quote!(std::time::Duration)), Shape::Duration);
    }

    #[test]
    fn collections_are_lists_and_maps_of_their_elements() {
        assert!(matches!(
            field_type(&parse_quote!(Vec<String>)),
            FieldType::List(_, false)
        ));
        assert!(matches!(
            field_type(&parse_quote!(HashSet<Option<i32>>)),
            FieldType::List(_, true)
        ));
        assert!(matches!(
            field_type(&parse_quote!(BTreeMap<String, f64>)),
            FieldType::Map(_, false)
        ));
        assert!(matches!(
            field_type(&parse_quote!(BTreeMap<i64, f64>)),
            FieldType::Foreign(_)
        ));
        assert!(matches!(field_type(&parse_quote!(Plan)), FieldType::Foreign(_)));
    }

    #[test]
    fn option_yields_its_inner_type() {
        let ty: Type = parse_quote!(Option<String>);
        let inner: Type = parse_quote!(String);
        assert_eq!(option_inner(&ty), Some(&inner));
        assert_eq!(option_inner(&parse_quote!(String)), None);
    }
}
