//! `#[synthetic(...)]` (and the parts of `#[serde(...)]` that decide column
//! names) read into plain values. Every key is named once below; every parse
//! branch says the syntax it accepts. Unknown and duplicate keys and values
//! of the wrong kind are reported through [`Ctxt`] with a span, and parsing
//! goes on so that every mistake is reported in one compile.

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::meta::ParseNestedMeta;
use syn::{Attribute, Expr, ExprArray, ExprLit, ExprRange, ExprUnary, Lit, LitStr, RangeLimits, Token, UnOp};

use crate::case::RenameRule;
use crate::ctxt::Ctxt;

/// `#[synthetic(...)]`
pub(crate) const SYNTHETIC: &str = "synthetic";
/// `#[serde(...)]`
pub(crate) const SERDE: &str = "serde";

/// Container: `table = "name"`.
pub(crate) const TABLE: &str = "table";
/// Container and field: `comment = "text"`.
pub(crate) const COMMENT: &str = "comment";
/// Container: `unique(a, b)`; field: `unique`.
pub(crate) const UNIQUE: &str = "unique";
/// Field: `nullable`.
pub(crate) const NULLABLE: &str = "nullable";
/// Field: `primary_key`.
pub(crate) const PRIMARY_KEY: &str = "primary_key";
/// Field: `foreign_key = "table.column"`.
pub(crate) const FOREIGN_KEY: &str = "foreign_key";
/// Field: `max_length = 100`.
pub(crate) const MAX_LENGTH: &str = "max_length";
/// Field: `range = 1..=10`.
pub(crate) const RANGE: &str = "range";
/// Field: `one_of = ["a", "b"]`.
pub(crate) const ONE_OF: &str = "one_of";
/// Field: `pattern = "regex"`.
pub(crate) const PATTERN: &str = "pattern";
/// Field: `kind = "email"`.
pub(crate) const KIND: &str = "kind";
/// Field: `generator = "name"`.
pub(crate) const GENERATOR: &str = "generator";
/// Field: `skip`.
pub(crate) const SKIP: &str = "skip";
/// Container: `crate = "path"`.
pub(crate) const CRATE: &str = "crate";
/// Variant: `weight = 3`.
pub(crate) const WEIGHT: &str = "weight";
/// Field: `after = "created_at"` (not before that column).
pub(crate) const AFTER: &str = "after";
/// Field: `expr = "quantity * unit_price"` (derived from the row).
pub(crate) const EXPR: &str = "expr";
/// Container and field: `infer = false` (no relation inferred).
pub(crate) const INFER: &str = "infer";
/// `#[diesel(...)]`
pub(crate) const DIESEL: &str = "diesel";
/// `#[sea_orm(...)]`
pub(crate) const SEA_ORM: &str = "sea_orm";

const CONTAINER_KEYS: &[&str] = &[TABLE, COMMENT, UNIQUE, CRATE, INFER];
const VARIANT_KEYS: &[&str] = &[COMMENT, WEIGHT];
const FIELD_KEYS: &[&str] = &[
    COMMENT,
    UNIQUE,
    NULLABLE,
    PRIMARY_KEY,
    FOREIGN_KEY,
    MAX_LENGTH,
    RANGE,
    ONE_OF,
    PATTERN,
    KIND,
    GENERATOR,
    SKIP,
    AFTER,
    EXPR,
    INFER,
];

/// A constant written in an attribute: a `one_of` member or a range bound.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Literal {
    /// `true`
    Bool(bool),
    /// `-3`
    Int(i64),
    /// `2.5`
    Float(f64),
    /// `"text"`
    Text(String),
}

/// Attributes on the struct.
#[derive(Debug, Default)]
pub(crate) struct Container {
    /// `#[synthetic(table = "…")]`
    pub table: Option<String>,
    /// `#[synthetic(comment = "…")]`
    pub comment: Option<String>,
    /// `#[synthetic(unique(a, b))]`, one entry per attribute, as written.
    pub unique: Vec<Vec<syn::Ident>>,
    /// `#[serde(rename_all = "…")]`
    pub rename_all: Option<RenameRule>,
    /// `#[serde(default)]` on the struct: every field may be missing.
    pub serde_default: bool,
    /// `#[synthetic(crate = "path")]`: where the `syda` crate is.
    pub krate: Option<syn::Path>,
    /// `#[diesel(table_name = …)]` or `#[sea_orm(table_name = "…")]`.
    pub orm_table: Option<String>,
    /// `#[sea_orm(comment = "…")]`: the table doc when there is no other.
    pub orm_comment: Option<String>,
    /// `infer = false`: no relation is inferred for the table.
    pub no_infer: bool,
}

/// Attributes on one enum variant.
#[derive(Debug, Default)]
pub(crate) struct Variant {
    /// `comment = "…"` (read for symmetry with fields; variants have no doc column).
    pub comment: Option<String>,
    /// `weight = N`: how often the variant is picked relative to the others.
    pub weight: Option<u32>,
    /// `#[serde(rename = "…")]`
    pub serde_rename: Option<String>,
    /// `#[serde(skip)]`, `skip_deserializing` or `other`: never generated.
    pub serde_skip: bool,
}

/// Attributes on one field.
#[derive(Debug, Default)]
pub(crate) struct Field {
    /// `comment = "…"`
    pub comment: Option<String>,
    /// `unique`
    pub unique: bool,
    /// `nullable`
    pub nullable: bool,
    /// `primary_key`
    pub primary_key: bool,
    /// `foreign_key = "table.column"`, split.
    pub foreign_key: Option<(String, String)>,
    /// `max_length = N`
    pub max_length: Option<u32>,
    /// `range = min..=max`
    pub range: Option<(Literal, Literal)>,
    /// `one_of = [...]`
    pub one_of: Option<Vec<Literal>>,
    /// `pattern = "…"`
    pub pattern: Option<String>,
    /// `kind = "…"`
    pub kind: Option<String>,
    /// `generator = "…"`
    pub generator: Option<String>,
    /// `skip`, with the key's tokens for error spans.
    pub skip: Option<TokenStream>,
    /// `after = "column"`
    pub after: Option<String>,
    /// `expr = "a * b"`
    pub expr: Option<String>,
    /// `infer = false`
    pub no_infer: bool,
    /// `#[serde(rename = "…")]` (or `rename(deserialize = "…")`).
    pub serde_rename: Option<String>,
    /// `#[serde(skip)]`, `#[serde(skip_deserializing)]` or `#[serde(default)]`:
    /// the field may be missing from a generated row.
    pub serde_default: bool,
    /// `#[serde(flatten)]`: the field's struct adds its columns.
    pub serde_flatten: bool,
    /// `#[sea_orm(primary_key)]`
    pub orm_primary_key: bool,
    /// `#[sea_orm(unique)]`
    pub orm_unique: bool,
    /// `#[sea_orm(nullable)]`
    pub orm_nullable: bool,
    /// `#[sea_orm(column_type = "String(StringLen::N(40))")]`: the length.
    pub orm_max_length: Option<u32>,
    /// `#[sea_orm(column_name = "…")]` or `#[diesel(column_name = …)]`.
    pub orm_column_name: Option<String>,
    /// `#[sea_orm(comment = "…")]`: the column doc when there is no other.
    pub orm_comment: Option<String>,
}

/// One attribute key that may be given once.
struct Once<'c, T> {
    cx: &'c Ctxt,
    name: &'static str,
    value: Option<T>,
}

impl<'c, T> Once<'c, T> {
    fn new(cx: &'c Ctxt, name: &'static str) -> Self {
        Once {
            cx,
            name,
            value: None,
        }
    }

    /// Keeps `value`, or reports a duplicate at `key`.
    fn set(&mut self, key: impl ToTokens, value: T) {
        if self.value.is_some() {
            self.cx
                .error_spanned_by(key, format!("duplicate synthetic attribute `{}`", self.name));
        } else {
            self.value = Some(value);
        }
    }

    fn get(self) -> Option<T> {
        self.value
    }
}

impl Container {
    /// Reads the struct's attributes.
    pub(crate) fn from_ast(cx: &Ctxt, attrs: &[Attribute]) -> Container {
        let mut table = Once::new(cx, TABLE);
        let mut comment = Once::new(cx, COMMENT);
        let mut unique = Vec::new();
        let mut krate = Once::new(cx, CRATE);
        let mut infer = Once::new(cx, INFER);
        let mut out = Container::default();

        for attr in attrs {
            if attr.path().is_ident(SYNTHETIC) {
                let parsed = attr.parse_nested_meta(|meta| {
                    if meta.path.is_ident(TABLE) {
                        // #[synthetic(table = "name")]
                        if let Some(s) = string_value(cx, TABLE, &meta)? {
                            if s.value().trim().is_empty() {
                                cx.error_spanned_by(&s, "`table` must not be empty");
                            }
                            table.set(&meta.path, s.value());
                        }
                    } else if meta.path.is_ident(COMMENT) {
                        // #[synthetic(comment = "what a row is")]
                        if let Some(s) = string_value(cx, COMMENT, &meta)? {
                            comment.set(&meta.path, s.value());
                        }
                    } else if meta.path.is_ident(INFER) {
                        // #[synthetic(infer = false)]
                        if let Some(value) = bool_value(cx, INFER, &meta)? {
                            infer.set(&meta.path, value);
                        }
                    } else if meta.path.is_ident(CRATE) {
                        // #[synthetic(crate = "my_reexport::syda")]
                        if let Some(s) = string_value(cx, CRATE, &meta)? {
                            match s.parse::<syn::Path>() {
                                Ok(path) => krate.set(&meta.path, path),
                                Err(_) => cx.error_spanned_by(
                                    &s,
                                    format!(
                                        "`crate` takes a path, like `crate = \"my_crate::syda\"`, found {:?}",
                                        s.value()
                                    ),
                                ),
                            }
                        }
                    } else if meta.path.is_ident(UNIQUE) {
                        // #[synthetic(unique(field_a, field_b))]
                        if !meta.input.peek(syn::token::Paren) {
                            cx.error_spanned_by(
                                &meta.path,
                                "expected `unique(field_a, field_b)` on a struct; \
                                 mark a single field with `#[synthetic(unique)]`",
                            );
                            return skip_value(&meta);
                        }
                        let mut fields = Vec::new();
                        meta.parse_nested_meta(|inner| {
                            fields.push(inner.path.require_ident()?.clone());
                            Ok(())
                        })?;
                        if fields.len() < 2 {
                            cx.error_spanned_by(
                                &meta.path,
                                "`unique(...)` on a struct needs two or more fields; \
                                 mark a single field with `#[synthetic(unique)]`",
                            );
                        }
                        unique.push(fields);
                    } else {
                        unknown_key(cx, &meta, "struct", CONTAINER_KEYS);
                        return skip_value(&meta);
                    }
                    Ok(())
                });
                if let Err(err) = parsed {
                    cx.syn_error(err);
                }
            } else if attr.path().is_ident(SERDE) {
                // Malformed serde attributes are serde_derive's to report.
                let _ = attr.parse_nested_meta(|meta| {
                    if meta.path.is_ident("rename_all") {
                        // #[serde(rename_all = "camelCase")] or
                        // #[serde(rename_all(deserialize = "camelCase"))]
                        if let Some(rule) = serde_deserialize_name(&meta)? {
                            out.rename_all = RenameRule::from_name(&rule);
                        }
                    } else if meta.path.is_ident("default") {
                        // #[serde(default)] or #[serde(default = "path")]
                        out.serde_default = true;
                        skip_value(&meta)?;
                    } else {
                        skip_value(&meta)?;
                    }
                    Ok(())
                });
            } else if attr.path().is_ident(DIESEL) || attr.path().is_ident(SEA_ORM) {
                // #[diesel(table_name = users)], #[diesel(table_name = crate::schema::users)],
                // #[sea_orm(table_name = "users")]. Malformed ones are the ORM's to report.
                let _ = attr.parse_nested_meta(|meta| {
                    if meta.path.is_ident("table_name") {
                        out.orm_table = orm_name(&meta)?.or(out.orm_table.take());
                    } else if meta.path.is_ident("comment") && attr.path().is_ident(SEA_ORM) {
                        out.orm_comment = orm_text(&meta)?.or(out.orm_comment.take());
                    } else {
                        skip_value(&meta)?;
                    }
                    Ok(())
                });
            }
        }
        out.krate = krate.get();
        out.no_infer = infer.get() == Some(false);
        out.table = table.get();
        out.comment = comment.get();
        out.unique = unique;
        out
    }
}

impl Field {
    /// Reads one field's attributes.
    pub(crate) fn from_ast(cx: &Ctxt, attrs: &[Attribute]) -> Field {
        let mut comment = Once::new(cx, COMMENT);
        let mut unique = Once::new(cx, UNIQUE);
        let mut nullable = Once::new(cx, NULLABLE);
        let mut primary_key = Once::new(cx, PRIMARY_KEY);
        let mut foreign_key = Once::new(cx, FOREIGN_KEY);
        let mut max_length = Once::new(cx, MAX_LENGTH);
        let mut range = Once::new(cx, RANGE);
        let mut one_of = Once::new(cx, ONE_OF);
        let mut pattern = Once::new(cx, PATTERN);
        let mut kind = Once::new(cx, KIND);
        let mut generator = Once::new(cx, GENERATOR);
        let mut skip = Once::new(cx, SKIP);
        let mut after = Once::new(cx, AFTER);
        let mut expr_rel = Once::new(cx, EXPR);
        let mut infer = Once::new(cx, INFER);
        let mut out = Field::default();

        for attr in attrs {
            if attr.path().is_ident(SYNTHETIC) {
                let parsed = attr.parse_nested_meta(|meta| {
                    let key = &meta.path;
                    if key.is_ident(COMMENT) {
                        // comment = "what the column holds"
                        if let Some(s) = string_value(cx, COMMENT, &meta)? {
                            comment.set(key, s.value());
                        }
                    } else if key.is_ident(UNIQUE) {
                        // unique
                        flag(cx, UNIQUE, &meta)?;
                        unique.set(key, ());
                    } else if key.is_ident(NULLABLE) {
                        // nullable
                        flag(cx, NULLABLE, &meta)?;
                        nullable.set(key, ());
                    } else if key.is_ident(PRIMARY_KEY) {
                        // primary_key
                        flag(cx, PRIMARY_KEY, &meta)?;
                        primary_key.set(key, ());
                    } else if key.is_ident(SKIP) {
                        // skip
                        flag(cx, SKIP, &meta)?;
                        skip.set(key, key.to_token_stream());
                    } else if key.is_ident(FOREIGN_KEY) {
                        // foreign_key = "table.column"
                        if let Some(s) = string_value(cx, FOREIGN_KEY, &meta)? {
                            match split_reference(&s.value()) {
                                Some(target) => foreign_key.set(key, target),
                                None => cx.error_spanned_by(
                                    &s,
                                    format!("`foreign_key` must be \"table.column\", found {:?}", s.value()),
                                ),
                            }
                        }
                    } else if key.is_ident(MAX_LENGTH) {
                        // max_length = 100
                        let expr: Expr = meta.value()?.parse()?;
                        match &expr {
                            Expr::Lit(ExprLit { lit: Lit::Int(n), .. })
                                if n.base10_parse::<u32>().is_ok() =>
                            {
                                max_length.set(key, n.base10_parse::<u32>()?);
                            }
                            _ => cx.error_spanned_by(
                                &expr,
                                "`max_length` takes a whole number of characters, like `max_length = 100`",
                            ),
                        }
                    } else if key.is_ident(RANGE) {
                        // range = 1..=10 | range = 0.5..=2.5 | range = "2020-01-01"..="2024-12-31"
                        let expr: Expr = meta.value()?.parse()?;
                        if let Some(bounds) = range_value(cx, &expr) {
                            range.set(key, bounds);
                        }
                    } else if key.is_ident(ONE_OF) {
                        // one_of = ["a", "b"] | one_of = [1, 2, 3] | one_of = [true]
                        let expr: Expr = meta.value()?.parse()?;
                        if let Some(values) = one_of_value(cx, &expr) {
                            one_of.set(key, values);
                        }
                    } else if key.is_ident(PATTERN) {
                        // pattern = "[A-Z]{3}-[0-9]{4}"
                        if let Some(s) = string_value(cx, PATTERN, &meta)? {
                            pattern.set(key, s.value());
                        }
                    } else if key.is_ident(KIND) {
                        // kind = "email"
                        if let Some(s) = name_value(cx, KIND, &meta)? {
                            kind.set(key, s);
                        }
                    } else if key.is_ident(GENERATOR) {
                        // generator = "registered_name"
                        if let Some(s) = name_value(cx, GENERATOR, &meta)? {
                            generator.set(key, s);
                        }
                    } else if key.is_ident(AFTER) {
                        // after = "created_at"
                        if let Some(s) = name_value(cx, AFTER, &meta)? {
                            after.set(key, s);
                        }
                    } else if key.is_ident(EXPR) {
                        // expr = "quantity * unit_price" | expr = "sum(lines.total)"
                        if let Some(s) = string_value(cx, EXPR, &meta)? {
                            expr_rel.set(key, s.value());
                        }
                    } else if key.is_ident(INFER) {
                        // infer = false
                        if let Some(value) = bool_value(cx, INFER, &meta)? {
                            infer.set(key, value);
                        }
                    } else {
                        unknown_key(cx, &meta, "field", FIELD_KEYS);
                        return skip_value(&meta);
                    }
                    Ok(())
                });
                if let Err(err) = parsed {
                    cx.syn_error(err);
                }
            } else if attr.path().is_ident(SERDE) {
                // Malformed serde attributes are serde_derive's to report.
                let _ = attr.parse_nested_meta(|meta| {
                    if meta.path.is_ident("rename") {
                        // #[serde(rename = "name")] or #[serde(rename(deserialize = "name"))]
                        if let Some(name) = serde_deserialize_name(&meta)? {
                            out.serde_rename = Some(name);
                        }
                    } else if meta.path.is_ident("skip")
                        || meta.path.is_ident("skip_deserializing")
                        || meta.path.is_ident("default")
                    {
                        // #[serde(skip)], #[serde(skip_deserializing)],
                        // #[serde(default)], #[serde(default = "path")]
                        out.serde_default = true;
                        skip_value(&meta)?;
                    } else if meta.path.is_ident("flatten") {
                        // #[serde(flatten)]
                        out.serde_flatten = true;
                    } else {
                        skip_value(&meta)?;
                    }
                    Ok(())
                });
            } else if attr.path().is_ident(SEA_ORM) || attr.path().is_ident(DIESEL) {
                // #[sea_orm(primary_key, unique, nullable, column_type = "…", column_name = "…")],
                // #[diesel(column_name = name)]. Other keys (and malformed attributes) are the
                // ORM's business.
                let _ = attr.parse_nested_meta(|meta| {
                    if meta.path.is_ident("column_name") {
                        out.orm_column_name = orm_name(&meta)?.or(out.orm_column_name.take());
                    } else if !attr.path().is_ident(SEA_ORM) {
                        skip_value(&meta)?;
                    } else if meta.path.is_ident("primary_key") {
                        out.orm_primary_key = true;
                    } else if meta.path.is_ident("unique") {
                        out.orm_unique = true;
                    } else if meta.path.is_ident("nullable") {
                        out.orm_nullable = true;
                    } else if meta.path.is_ident("comment") {
                        out.orm_comment = orm_text(&meta)?.or(out.orm_comment.take());
                    } else if meta.path.is_ident("column_type") {
                        if let Some(column_type) = orm_text(&meta)? {
                            out.orm_max_length = string_len(&column_type);
                        }
                    } else {
                        skip_value(&meta)?;
                    }
                    Ok(())
                });
            }
        }
        out.comment = comment.get();
        out.unique = unique.get().is_some();
        out.nullable = nullable.get().is_some();
        out.primary_key = primary_key.get().is_some();
        out.foreign_key = foreign_key.get();
        out.max_length = max_length.get();
        out.range = range.get();
        out.one_of = one_of.get();
        out.pattern = pattern.get();
        out.kind = kind.get();
        out.generator = generator.get();
        out.skip = skip.get();
        out.after = after.get();
        out.expr = expr_rel.get();
        out.no_infer = infer.get() == Some(false);
        out
    }
}

/// `key = "text"` or `key = path` (its last segment): how Diesel and SeaORM
/// name tables and columns. `None` for another kind of value.
fn orm_name(meta: &ParseNestedMeta<'_>) -> syn::Result<Option<String>> {
    Ok(match meta.value()?.parse()? {
        Expr::Lit(ExprLit { lit: Lit::Str(s), .. }) => Some(s.value()),
        Expr::Path(p) => p.path.segments.last().map(|s| s.ident.unraw().to_string()),
        _ => None,
    })
}

/// `key = "text"`; `None` for another kind of value.
fn orm_text(meta: &ParseNestedMeta<'_>) -> syn::Result<Option<String>> {
    Ok(match meta.value()?.parse()? {
        Expr::Lit(ExprLit { lit: Lit::Str(s), .. }) => Some(s.value()),
        _ => None,
    })
}

impl Variant {
    /// Reads one enum variant's attributes.
    pub(crate) fn from_ast(cx: &Ctxt, attrs: &[Attribute]) -> Variant {
        let mut comment = Once::new(cx, COMMENT);
        let mut weight = Once::new(cx, WEIGHT);
        let mut out = Variant::default();
        for attr in attrs {
            if attr.path().is_ident(SYNTHETIC) {
                let parsed = attr.parse_nested_meta(|meta| {
                    let key = &meta.path;
                    if key.is_ident(COMMENT) {
                        // comment = "text"
                        if let Some(s) = string_value(cx, COMMENT, &meta)? {
                            comment.set(key, s.value());
                        }
                    } else if key.is_ident(WEIGHT) {
                        // weight = 3
                        let expr: Expr = meta.value()?.parse()?;
                        match &expr {
                            Expr::Lit(ExprLit { lit: Lit::Int(n), .. })
                                if n.base10_parse::<u32>().is_ok_and(|w| (1..=100).contains(&w)) =>
                            {
                                weight.set(key, n.base10_parse::<u32>()?);
                            }
                            _ => cx.error_spanned_by(
                                &expr,
                                "`weight` takes a whole number from 1 to 100, like `weight = 3`",
                            ),
                        }
                    } else {
                        unknown_key(cx, &meta, "variant", VARIANT_KEYS);
                        return skip_value(&meta);
                    }
                    Ok(())
                });
                if let Err(err) = parsed {
                    cx.syn_error(err);
                }
            } else if attr.path().is_ident(SERDE) {
                let _ = attr.parse_nested_meta(|meta| {
                    if meta.path.is_ident("rename") {
                        if let Some(name) = serde_deserialize_name(&meta)? {
                            out.serde_rename = Some(name);
                        }
                    } else if meta.path.is_ident("skip")
                        || meta.path.is_ident("skip_deserializing")
                        || meta.path.is_ident("other")
                    {
                        out.serde_skip = true;
                        skip_value(&meta)?;
                    } else {
                        skip_value(&meta)?;
                    }
                    Ok(())
                });
            }
        }
        out.comment = comment.get();
        out.weight = weight.get();
        out
    }
}

/// `N` of SeaORM's `String(StringLen::N(40))` / `Char(Some(2))` column types.
fn string_len(column_type: &str) -> Option<u32> {
    let digits: String = column_type
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(char::is_ascii_digit)
        .collect();
    let text_like = column_type.starts_with("String") || column_type.starts_with("Char");
    text_like.then(|| digits.parse().ok()).flatten()
}

/// Reports a key this position doesn't accept, listing the ones it does.
fn unknown_key(cx: &Ctxt, meta: &ParseNestedMeta<'_>, position: &str, known: &[&str]) {
    let name = meta.path.to_token_stream().to_string().replace(' ', "");
    let mut message = format!("unknown synthetic {position} attribute `{name}`");
    if position == "struct" && FIELD_KEYS.contains(&name.as_str()) {
        message.push_str(&format!("; `{name}` goes on a field"));
    } else if position == "field" && CONTAINER_KEYS.contains(&name.as_str()) {
        message.push_str(&format!("; `{name}` goes on the struct"));
    }
    if let Some(close) = known.iter().find(|k| similar(&name, k)) {
        message.push_str(&format!("; did you mean `{close}`?"));
    }
    message.push_str(&format!("\nexpected one of: {}", known.join(", ")));
    cx.error_spanned_by(&meta.path, message);
}

/// Whether `typed` looks like a misspelling of `known`: one is a prefix of
/// the other, or they are at most two edits apart.
fn similar(typed: &str, known: &str) -> bool {
    if typed.len() >= 3 && (known.starts_with(typed) || typed.starts_with(known)) {
        return true;
    }
    let (a, b): (Vec<char>, Vec<char>) = (typed.chars().collect(), known.chars().collect());
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut row = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            row.push((prev[j] + cost).min(prev[j + 1] + 1).min(row[j] + 1));
        }
        prev = row;
    }
    prev[b.len()] <= 2
}

/// Consumes whatever follows a key (`= expr` or `(...)`), so parsing can
/// go on to the next key.
fn skip_value(meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
    if meta.input.peek(Token![=]) {
        meta.value()?.parse::<Expr>()?;
    } else if meta.input.peek(syn::token::Paren) {
        let content;
        syn::parenthesized!(content in meta.input);
        content.parse::<TokenStream>()?;
    }
    Ok(())
}

/// A key that takes no value: `unique`.
fn flag(cx: &Ctxt, name: &str, meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
    if meta.input.peek(Token![=]) || meta.input.peek(syn::token::Paren) {
        cx.error_spanned_by(
            &meta.path,
            format!("`{name}` takes no value; write `#[synthetic({name})]`"),
        );
        skip_value(meta)?;
    }
    Ok(())
}

/// `key = "text"`; a value of another kind is reported and yields `None`.
fn string_value(cx: &Ctxt, name: &str, meta: &ParseNestedMeta<'_>) -> syn::Result<Option<LitStr>> {
    let expr: Expr = meta.value()?.parse()?;
    match expr {
        Expr::Lit(ExprLit { lit: Lit::Str(s), .. }) => Ok(Some(s)),
        other => {
            cx.error_spanned_by(
                &other,
                format!("`{name}` takes a string, like `{name} = \"...\"`"),
            );
            Ok(None)
        }
    }
}

/// `key = true` or `key = false`; a value of another kind is reported and yields `None`.
fn bool_value(cx: &Ctxt, name: &str, meta: &ParseNestedMeta<'_>) -> syn::Result<Option<bool>> {
    let expr: Expr = meta.value()?.parse()?;
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Bool(b), ..
        }) => Ok(Some(b.value)),
        other => {
            cx.error_spanned_by(
                &other,
                format!("`{name}` takes `true` or `false`, like `{name} = false`"),
            );
            Ok(None)
        }
    }
}

/// `key = "name"` where the name must not be blank.
fn name_value(cx: &Ctxt, name: &str, meta: &ParseNestedMeta<'_>) -> syn::Result<Option<String>> {
    let Some(s) = string_value(cx, name, meta)? else {
        return Ok(None);
    };
    let value = s.value();
    if value.trim().is_empty() {
        cx.error_spanned_by(&s, format!("`{name}` must not be empty"));
        return Ok(None);
    }
    Ok(Some(value))
}

/// `rename = "x"` or `rename(deserialize = "x", serialize = "y")`: the name
/// serde reads, which is the one generated rows must use.
fn serde_deserialize_name(meta: &ParseNestedMeta<'_>) -> syn::Result<Option<String>> {
    if meta.input.peek(Token![=]) {
        let s: LitStr = meta.value()?.parse()?;
        return Ok(Some(s.value()));
    }
    let mut name = None;
    meta.parse_nested_meta(|inner| {
        if inner.path.is_ident("deserialize") {
            let s: LitStr = inner.value()?.parse()?;
            name = Some(s.value());
        } else {
            skip_value(&inner)?;
        }
        Ok(())
    })?;
    Ok(name)
}

/// `"table.column"` → `("table", "column")`.
pub(crate) fn split_reference(target: &str) -> Option<(String, String)> {
    let (table, column) = target.split_once('.')?;
    let ok = |s: &str| !s.is_empty() && !s.contains('.') && !s.contains(char::is_whitespace);
    (ok(table) && ok(column)).then(|| (table.to_owned(), column.to_owned()))
}

/// A literal constant: string, integer, float or bool, optionally negated.
pub(crate) fn literal(expr: &Expr) -> Option<Literal> {
    match expr {
        Expr::Lit(ExprLit { lit, .. }) => match lit {
            Lit::Str(s) => Some(Literal::Text(s.value())),
            Lit::Bool(b) => Some(Literal::Bool(b.value)),
            Lit::Int(n) => n.base10_parse().ok().map(Literal::Int),
            Lit::Float(x) => x
                .base10_parse()
                .ok()
                .filter(|x: &f64| x.is_finite())
                .map(Literal::Float),
            _ => None,
        },
        Expr::Unary(ExprUnary {
            op: UnOp::Neg(_),
            expr,
            ..
        }) => match literal(expr)? {
            Literal::Int(n) => n.checked_neg().map(Literal::Int),
            Literal::Float(x) => Some(Literal::Float(-x)),
            _ => None,
        },
        Expr::Group(g) => literal(&g.expr),
        Expr::Paren(p) => literal(&p.expr),
        _ => None,
    }
}

/// `min..=max` with two numbers or two strings.
fn range_value(cx: &Ctxt, expr: &Expr) -> Option<(Literal, Literal)> {
    const EXPECTED: &str = "`range` takes an inclusive range of numbers or ISO 8601 strings, \
                            like `range = 1..=10` or `range = \"2020-01-01\"..=\"2024-12-31\"`";
    let Expr::Range(ExprRange {
        start: Some(start),
        limits: RangeLimits::Closed(_),
        end: Some(end),
        ..
    }) = expr
    else {
        cx.error_spanned_by(expr, EXPECTED);
        return None;
    };
    let (Some(min), Some(max)) = (literal(start), literal(end)) else {
        cx.error_spanned_by(expr, EXPECTED);
        return None;
    };
    let numeric = |l: &Literal| matches!(l, Literal::Int(_) | Literal::Float(_));
    let text = |l: &Literal| matches!(l, Literal::Text(_));
    let as_f64 = |l: &Literal| match *l {
        Literal::Int(n) => n as f64,
        Literal::Float(x) => x,
        _ => 0.0,
    };
    if numeric(&min) && numeric(&max) {
        if as_f64(&min) > as_f64(&max) {
            cx.error_spanned_by(expr, "`range` minimum is greater than its maximum");
            return None;
        }
    } else if text(&min) && text(&max) {
        if let (Literal::Text(a), Literal::Text(b)) = (&min, &max)
            && a.len() == b.len()
            && a > b
        {
            cx.error_spanned_by(expr, "`range` minimum is after its maximum");
            return None;
        }
    } else {
        cx.error_spanned_by(expr, EXPECTED);
        return None;
    }
    Some((min, max))
}

/// `[a, b, c]` of literals.
fn one_of_value(cx: &Ctxt, expr: &Expr) -> Option<Vec<Literal>> {
    let Expr::Array(ExprArray { elems, .. }) = expr else {
        cx.error_spanned_by(
            expr,
            "`one_of` takes a list of literals, like `one_of = [\"Active\", \"Inactive\"]`",
        );
        return None;
    };
    if elems.is_empty() {
        cx.error_spanned_by(expr, "`one_of` needs at least one value");
        return None;
    }
    let mut values = Vec::with_capacity(elems.len());
    let mut ok = true;
    for elem in elems {
        match literal(elem) {
            Some(value) => values.push(value),
            None => {
                cx.error_spanned_by(
                    elem,
                    "`one_of` members must be string, integer, float or bool literals",
                );
                ok = false;
            }
        }
    }
    ok.then_some(values)
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    fn field(attrs: Vec<Attribute>) -> Result<Field, Vec<String>> {
        let cx = Ctxt::new();
        let field = Field::from_ast(&cx, &attrs);
        match cx.check() {
            Ok(()) => Ok(field),
            Err(err) => Err(err.into_iter().map(|e| e.to_string()).collect()),
        }
    }

    fn field_errors(attrs: Vec<Attribute>) -> Vec<String> {
        field(attrs).err().unwrap_or_default()
    }

    #[test]
    fn flags_and_values_are_read() {
        let f = field(vec![
            parse_quote!(#[synthetic(unique, nullable, primary_key)]),
            parse_quote!(#[synthetic(max_length = 20, pattern = "[A-Z]+", kind = "email", generator = "g")]),
            parse_quote!(#[synthetic(foreign_key = "customers.id", comment = "text")]),
        ])
        .expect("valid attributes");
        assert!(f.unique && f.nullable && f.primary_key);
        assert_eq!(f.max_length, Some(20));
        assert_eq!(f.pattern.as_deref(), Some("[A-Z]+"));
        assert_eq!(f.kind.as_deref(), Some("email"));
        assert_eq!(f.generator.as_deref(), Some("g"));
        assert_eq!(f.foreign_key, Some(("customers".into(), "id".into())));
        assert_eq!(f.comment.as_deref(), Some("text"));
    }

    #[test]
    fn ranges_accept_negative_ints_floats_and_strings() {
        let int = field(vec![parse_quote!(#[synthetic(range = -5..=5)])]).expect("int range");
        assert_eq!(int.range, Some((Literal::Int(-5), Literal::Int(5))));
        let float = field(vec![parse_quote!(#[synthetic(range = 0.5..=2.5)])]).expect("float range");
        assert_eq!(float.range, Some((Literal::Float(0.5), Literal::Float(2.5))));
        let date = field(vec![
            parse_quote!(#[synthetic(range = "2020-01-01"..="2024-12-31")]),
        ])
        .expect("date range");
        assert_eq!(
            date.range,
            Some((
                Literal::Text("2020-01-01".into()),
                Literal::Text("2024-12-31".into())
            ))
        );
    }

    #[test]
    fn half_open_or_reversed_or_mixed_ranges_are_rejected() {
        assert_eq!(
            field_errors(vec![parse_quote!(#[synthetic(range = 1..10)])]).len(),
            1
        );
        assert_eq!(
            field_errors(vec![parse_quote!(#[synthetic(range = 10..=1)])]).len(),
            1
        );
        assert_eq!(
            field_errors(vec![parse_quote!(#[synthetic(range = 1..="z")])]).len(),
            1
        );
    }

    #[test]
    fn one_of_reads_mixed_literals() {
        let f = field(vec![parse_quote!(#[synthetic(one_of = ["a", 1, 2.5, true])])]).expect("valid");
        assert_eq!(
            f.one_of,
            Some(vec![
                Literal::Text("a".into()),
                Literal::Int(1),
                Literal::Float(2.5),
                Literal::Bool(true)
            ])
        );
    }

    #[test]
    fn every_bad_key_in_one_attribute_is_reported() {
        let errors = field_errors(vec![parse_quote!(
            #[synthetic(colour = "red", max_length = "x", unique, unique, foreign_key = "nodot")]
        )]);
        assert_eq!(errors.len(), 4, "{errors:#?}");
        assert!(errors[0].starts_with("unknown synthetic field attribute `colour`"));
        assert!(errors[1].starts_with("`max_length` takes a whole number"));
        assert_eq!(errors[2], "duplicate synthetic attribute `unique`");
        assert!(errors[3].starts_with("`foreign_key` must be \"table.column\""));
    }

    #[test]
    fn serde_rename_and_defaults_are_read_and_other_serde_keys_ignored() {
        let f = field(vec![
            parse_quote!(#[serde(with = "x", rename = "Name", skip_serializing_if = "Option::is_none")]),
            parse_quote!(#[serde(default)]),
        ])
        .expect("valid");
        assert_eq!(f.serde_rename.as_deref(), Some("Name"));
        assert!(f.serde_default);
        let f = field(vec![
            parse_quote!(#[serde(rename(serialize = "a", deserialize = "b"))]),
        ])
        .expect("valid");
        assert_eq!(f.serde_rename.as_deref(), Some("b"));
    }

    #[test]
    fn container_reads_table_comment_unique_and_rename_all() {
        let cx = Ctxt::new();
        let attrs: Vec<Attribute> = vec![
            parse_quote!(#[synthetic(table = "people", comment = "A person.")]),
            parse_quote!(#[synthetic(unique(a, b))]),
            parse_quote!(#[serde(deny_unknown_fields, rename_all = "camelCase")]),
        ];
        let c = Container::from_ast(&cx, &attrs);
        assert!(cx.check().is_ok());
        assert_eq!(c.table.as_deref(), Some("people"));
        assert_eq!(c.comment.as_deref(), Some("A person."));
        let unique: Vec<Vec<String>> = c
            .unique
            .iter()
            .map(|k| k.iter().map(ToString::to_string).collect())
            .collect();
        assert_eq!(unique, [["a", "b"]]);
        assert_eq!(c.rename_all, Some(RenameRule::Camel));
    }

    #[test]
    fn field_keys_on_the_struct_are_rejected_with_a_hint() {
        let cx = Ctxt::new();
        let attrs: Vec<Attribute> = vec![parse_quote!(#[synthetic(primary_key)])];
        Container::from_ast(&cx, &attrs);
        let errors: Vec<String> = cx
            .check()
            .err()
            .into_iter()
            .flatten()
            .map(|e| e.to_string())
            .collect();
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].contains("`primary_key` goes on a field"),
            "{}",
            errors[0]
        );
    }

    #[test]
    fn misspelt_keys_get_a_suggestion() {
        let errors = field_errors(vec![parse_quote!(#[synthetic(max_len = 5, primary = 1, colour)])]);
        assert!(errors[0].contains("did you mean `max_length`?"), "{}", errors[0]);
        assert!(errors[1].contains("did you mean `primary_key`?"), "{}", errors[1]);
        assert!(!errors[2].contains("did you mean"), "{}", errors[2]);
    }

    #[test]
    fn references_need_exactly_one_dot_between_two_names() {
        assert_eq!(split_reference("orders.id"), Some(("orders".into(), "id".into())));
        assert_eq!(split_reference("orders"), None);
        assert_eq!(split_reference("orders."), None);
        assert_eq!(split_reference("a.b.c"), None);
    }
}
