//! Diesel SQL types → syda [`DataType`]s.

use std::collections::HashSet;

use proc_macro2::Span;
use syda::DataType;
use syn::spanned::Spanned;
use syn::{GenericArgument, PathArguments, Type};

/// What a column's Diesel type maps to.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Mapped {
    /// syda storage type.
    pub ty: DataType,
    /// `Nullable<…>` at the top.
    pub nullable: bool,
    /// The Diesel type, when the mapping loses information (binary,
    /// arrays, ranges, custom types, …); appended to the column doc.
    pub note: Option<String>,
}

/// Types the file makes known besides Diesel's own.
#[derive(Debug, Default, Clone)]
pub(crate) struct Custom {
    /// Structs declared in a `sql_types` module of the file.
    pub declared: HashSet<String>,
    /// Names imported by a non-glob `use` inside the `table!` (other than
    /// from `diesel::…`).
    pub imported: HashSet<String>,
}

/// How a Diesel type name maps, without generics.
enum Simple {
    /// Exact mapping.
    Exact(DataType),
    /// Mapping that loses information: keep the Diesel name in the doc.
    Lossy(DataType),
}

fn simple(name: &str) -> Option<Simple> {
    use DataType::*;
    use Simple::{Exact, Lossy};
    Some(match name {
        "Int2" | "SmallInt" | "Smallint" | "Int4" | "Integer" | "Int8" | "BigInt" | "Bigint" | "TinyInt"
        | "Tinyint" | "Oid" => Exact(Integer),
        "Float4" | "Float" | "Float8" | "Double" => Exact(Float),
        "Numeric" | "Decimal" => Exact(Decimal),
        "Money" => Lossy(Decimal),
        "Bool" => Exact(Boolean),
        "Text" | "Varchar" | "VarChar" | "Char" | "Bpchar" | "Citext" | "Tinytext" | "Mediumtext"
        | "Longtext" => Exact(Text),
        // syda has no bytes type yet.
        "Bytea" | "Binary" | "Varbinary" | "Blob" | "Tinyblob" | "Mediumblob" | "Longblob" => Lossy(Text),
        "Interval" | "Inet" | "Cidr" | "MacAddr" | "MacAddr8" => Lossy(Text),
        "Date" => Exact(Date),
        "Timestamp" | "Timestamptz" | "TimestamptzSqlite" | "Datetime" => Exact(DateTime),
        "Time" => Exact(Time),
        "Uuid" => Exact(Uuid),
        "Json" | "Jsonb" => Exact(Json),
        _ => return None,
    })
}

/// Maps a column's Diesel type. The error is where the offending type
/// starts and a message naming it.
pub(crate) fn map(ty: &Type, custom: &Custom) -> Result<Mapped, (Span, String)> {
    let mut mapped = map_inner(ty, custom, true)?;
    if mapped.note.is_some() {
        // The note names the type without its `Nullable<…>` wrapper.
        mapped.note = Some(render(unwrap_nullable(ty)));
    }
    Ok(mapped)
}

fn unwrap_nullable(ty: &Type) -> &Type {
    match split(ty) {
        Some((name, args)) if name == "Nullable" && args.len() == 1 => args[0],
        _ => ty,
    }
}

fn map_inner(ty: &Type, custom: &Custom, top: bool) -> Result<Mapped, (Span, String)> {
    let fail = |message: String| Err((ty.span(), message));
    let path = match ty {
        Type::Path(p) if p.qself.is_none() => &p.path,
        Type::Group(g) => return map_inner(&g.elem, custom, top),
        Type::Paren(p) => return map_inner(&p.elem, custom, top),
        _ => return fail(format!("`{}` is not a Diesel SQL type", render(ty))),
    };
    let Some(last) = path.segments.last() else {
        return fail("empty type".to_owned());
    };
    let name = last.ident.to_string();
    let args = type_args(&last.arguments);
    let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    let from_diesel = segments.len() > 1 && segments[0] == "diesel";
    let exact = |ty| Mapped {
        ty,
        nullable: false,
        note: None,
    };
    let lossy = |ty| Mapped {
        ty,
        nullable: false,
        note: Some(String::new()),
    };

    // A type the file declares itself wins over a Diesel name.
    if !from_diesel && args.is_empty() && custom.declared.contains(&name) {
        return Ok(lossy(DataType::Text));
    }
    match (name.as_str(), args.as_slice()) {
        ("Nullable", [inner]) => {
            if !top {
                // `Array<Nullable<T>>`: elements may be NULL, the column not.
                return map_inner(inner, custom, false);
            }
            let mut m = map_inner(inner, custom, false)?;
            m.nullable = true;
            Ok(m)
        }
        ("Unsigned", [inner]) => {
            let m = map_inner(inner, custom, false)?;
            if m.ty == DataType::Integer {
                Ok(exact(DataType::Integer))
            } else {
                fail(format!("`{}`: `Unsigned` only wraps integer types", render(ty)))
            }
        }
        ("Array" | "Range" | "Multirange", [inner]) => {
            map_inner(inner, custom, false)?;
            Ok(lossy(DataType::Json))
        }
        (_, []) => {
            if let Some(s) = simple(&name) {
                return Ok(match s {
                    Simple::Exact(t) => exact(t),
                    Simple::Lossy(t) => lossy(t),
                });
            }
            // Declared elsewhere: imported by name, or named by a path that
            // is not Diesel's.
            if custom.imported.contains(&name) || (segments.len() > 1 && !from_diesel) {
                return Ok(lossy(DataType::Text));
            }
            fail(format!(
                "unknown SQL type `{}`: not a Diesel SQL type and not declared in a `sql_types` module",
                render(ty)
            ))
        }
        _ => fail(format!("unknown SQL type `{}`", render(ty))),
    }
}

fn type_args(args: &PathArguments) -> Vec<&Type> {
    match args {
        PathArguments::AngleBracketed(a) => a
            .args
            .iter()
            .filter_map(|g| match g {
                GenericArgument::Type(t) => Some(t),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn split(ty: &Type) -> Option<(String, Vec<&Type>)> {
    match ty {
        Type::Path(p) if p.qself.is_none() => {
            let last = p.path.segments.last()?;
            Some((last.ident.to_string(), type_args(&last.arguments)))
        }
        _ => None,
    }
}

/// `Array<Nullable<Text>>`: the last path segment of each type, with its
/// type arguments.
pub(crate) fn render(ty: &Type) -> String {
    match ty {
        Type::Path(p) if p.qself.is_none() => {
            let Some(last) = p.path.segments.last() else {
                return String::new();
            };
            let args = type_args(&last.arguments);
            if args.is_empty() {
                last.ident.to_string()
            } else {
                let inner: Vec<String> = args.iter().map(|t| render(t)).collect();
                format!("{}<{}>", last.ident, inner.join(", "))
            }
        }
        Type::Group(g) => render(&g.elem),
        Type::Paren(p) => render(&p.elem),
        other => quote::ToTokens::to_token_stream(other).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn custom() -> Custom {
        Custom {
            declared: ["Mood".to_owned()].into(),
            imported: ["Imported".to_owned()].into(),
        }
    }

    fn map_str(ty: &str) -> Result<(DataType, bool, Option<String>), String> {
        let ty: Type = syn::parse_str(ty).map_err(|e| e.to_string())?;
        map(&ty, &custom())
            .map(|m| (m.ty, m.nullable, m.note))
            .map_err(|(_, m)| m)
    }

    #[test]
    fn exact_mappings() {
        use DataType::*;
        let table: &[(&[&str], DataType)] = &[
            (
                &[
                    "Int2", "SmallInt", "Smallint", "Int4", "Integer", "Int8", "BigInt", "Bigint", "TinyInt",
                    "Tinyint", "Oid",
                ],
                Integer,
            ),
            (
                &["Unsigned<TinyInt>", "Unsigned<Integer>", "Unsigned<Bigint>"],
                Integer,
            ),
            (&["Float4", "Float", "Float8", "Double"], Float),
            (&["Numeric", "Decimal"], Decimal),
            (&["Bool"], Boolean),
            (
                &[
                    "Text",
                    "Varchar",
                    "VarChar",
                    "Char",
                    "Bpchar",
                    "Citext",
                    "Tinytext",
                    "Mediumtext",
                    "Longtext",
                ],
                Text,
            ),
            (&["Date"], Date),
            (
                &["Timestamp", "Timestamptz", "TimestamptzSqlite", "Datetime"],
                DateTime,
            ),
            (&["Time"], Time),
            (&["Uuid"], Uuid),
            (&["Json", "Jsonb"], Json),
        ];
        for (names, expected) in table {
            for name in *names {
                assert_eq!(map_str(name), Ok((*expected, false, None)), "{name}");
                let nullable = format!("Nullable<{name}>");
                assert_eq!(map_str(&nullable), Ok((*expected, true, None)), "{nullable}");
            }
        }
        assert_eq!(map_str("diesel::sql_types::Int4"), Ok((Integer, false, None)));
        assert_eq!(
            map_str("diesel::pg::sql_types::Timestamptz"),
            Ok((DateTime, false, None))
        );
    }

    #[test]
    fn lossy_mappings_keep_the_diesel_type() {
        use DataType::*;
        let cases = [
            ("Bytea", Text, "Bytea"),
            ("Nullable<Blob>", Text, "Blob"),
            ("Longblob", Text, "Longblob"),
            ("Interval", Text, "Interval"),
            ("Inet", Text, "Inet"),
            ("Money", Decimal, "Money"),
            ("Array<Int4>", Json, "Array<Int4>"),
            ("Array<Nullable<Text>>", Json, "Array<Nullable<Text>>"),
            ("Nullable<Range<Timestamptz>>", Json, "Range<Timestamptz>"),
            ("Mood", Text, "Mood"),
            ("super::sql_types::Mood", Text, "Mood"),
            ("Nullable<Imported>", Text, "Imported"),
            ("crate::types::Elsewhere", Text, "Elsewhere"),
        ];
        for (ty, expected, note) in cases {
            let (got, _, got_note) = map_str(ty).unwrap_or_else(|e| panic!("{ty}: {e}"));
            assert_eq!((got, got_note.as_deref()), (expected, Some(note)), "{ty}");
        }
    }

    #[test]
    fn unknown_types_are_errors() {
        for (ty, message) in [
            ("Unknown", "unknown SQL type `Unknown`"),
            ("diesel::sql_types::Unknown", "unknown SQL type `Unknown`"),
            ("Array<Unknown>", "unknown SQL type `Unknown`"),
            ("Unsigned<Text>", "`Unsigned` only wraps integer types"),
            ("Nullable<Int4, Text>", "unknown SQL type `Nullable<Int4, Text>`"),
            ("(Int4, Text)", "is not a Diesel SQL type"),
        ] {
            let e = map_str(ty).expect_err(ty);
            assert!(e.contains(message), "{ty}: {e}");
        }
    }
}
