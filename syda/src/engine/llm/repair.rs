//! Local repairs of a model's near-misses, made only where nothing material
//! is lost: text over `max_length` cut at a word boundary, an enum value's
//! case and spacing folded to the listed one, numbers written with a
//! currency sign or thousands separators, and a repeated value of a unique
//! column whose kind admits a deterministic variant (an email, a username,
//! a slug, a code) given a short numeric suffix that keeps it valid.
//!
//! Every repaired value is checked against the column again; a repair that
//! does not make it valid is not made.

use crate::engine::infer_kind;
use crate::schema::{Column, DataType, Literal, Table};
use crate::value::Value;

/// Kinds whose values are identifiers, not prose: cutting one at a word
/// boundary would make it another (or no) identifier.
const NOT_PROSE: &[&str] = &[
    "email",
    "url",
    "domain",
    "username",
    "password",
    "phone",
    "ipv4",
    "ipv6",
    "mac_address",
    "iban",
    "bic",
    "credit_card",
    "isbn",
    "uuid",
    "postcode",
    "country_code",
    "currency_code",
    "icd10_code",
];

/// `value` repaired to fit `col` of `table`, or `None` when no lossless
/// repair exists. The caller checks the result against the column.
pub(crate) fn near_miss(table: &Table, col: &Column, value: &Value) -> Option<Value> {
    let Value::Text(text) = value else {
        return None;
    };
    if let Some(one_of) = &col.one_of {
        let folded = fold(text);
        return one_of.iter().find_map(|lit| match lit {
            Literal::Text(allowed) if fold(allowed) == folded => Some(Value::Text(allowed.to_string())),
            _ => None,
        });
    }
    if let Some(max) = col.max_length
        && col.ty == DataType::Text
        && text.chars().count() > max as usize
    {
        let kind = col.kind.as_deref().or_else(|| infer_kind(table, col));
        if kind.is_some_and(|k| NOT_PROSE.contains(&k)) || col.pattern.is_some() {
            return None;
        }
        return cut_at_word(text, max as usize).map(Value::Text);
    }
    match col.ty {
        DataType::Integer => plain_number(text)?.parse().ok().map(Value::Int),
        DataType::Float => plain_number(text)?
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .map(Value::Float),
        _ => None,
    }
}

/// Lower case, inner whitespace, `_` and `-` collapsed to one space, trimmed.
fn fold(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c == '_' || c == '-')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// `text` cut to at most `max` characters at the last word boundary, with
/// trailing punctuation and spaces dropped; `None` when that would keep less
/// than half of it (one long word: cutting it would change its meaning).
fn cut_at_word(text: &str, max: usize) -> Option<String> {
    let head: String = text.chars().take(max + 1).collect();
    let boundary = head
        .char_indices()
        .filter(|&(_, c)| c.is_whitespace())
        .map(|(i, _)| i)
        .rfind(|&i| head[..i].chars().count() <= max)?;
    let cut = head[..boundary]
        .trim_end_matches(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | ':' | '-' | '('));
    (cut.chars().count() * 2 >= max).then(|| cut.to_owned())
}

/// `"$1,234.50"` → `"1234.50"`: a currency sign and thousands separators
/// (commas between groups of exactly three digits) dropped; `None` when the
/// text is anything else.
fn plain_number(text: &str) -> Option<String> {
    let t = text
        .trim()
        .trim_start_matches(['$', '€', '£'])
        .trim_end_matches([' ', '$', '€', '£'])
        .trim();
    let (int, frac) = t.split_once('.').map_or((t, None), |(a, b)| (a, Some(b)));
    let groups: Vec<&str> = int.split(',').collect();
    let sign_ok = |g: &str| g.trim_start_matches('-').chars().all(|c| c.is_ascii_digit());
    let grouped = groups.len() > 1
        && !groups[0].trim_start_matches('-').is_empty()
        && groups[0].trim_start_matches('-').len() <= 3
        && groups[1..]
            .iter()
            .all(|g| g.len() == 3 && g.chars().all(|c| c.is_ascii_digit()));
    if !(sign_ok(groups[0]) && (groups.len() == 1 || grouped)) {
        return None;
    }
    if frac.is_some_and(|f| f.is_empty() || !f.chars().all(|c| c.is_ascii_digit())) {
        return None;
    }
    let joined = groups.concat();
    let out = match frac {
        Some(f) => format!("{joined}.{f}"),
        None => joined,
    };
    (out != text).then_some(out)
}

/// How a unique column's repeated value can be varied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Variant {
    /// `local+N@domain`… written as `localN@domain`.
    Email,
    /// `nameN`.
    Username,
    /// `slug-N`.
    Slug,
    /// `CODE-N`.
    Code,
}

/// The variant kind of a unique text column, from its kind or its name.
pub(crate) fn variant_of(table: &Table, col: &Column) -> Option<Variant> {
    if col.ty != DataType::Text || col.one_of.is_some() {
        return None;
    }
    let kind = col.kind.as_deref().or_else(|| infer_kind(table, col));
    match kind {
        Some("email") => return Some(Variant::Email),
        Some("username") => return Some(Variant::Username),
        _ => {}
    }
    let name = col.name.to_ascii_lowercase();
    let last = name
        .rsplit(|c: char| !c.is_ascii_alphanumeric())
        .next()
        .unwrap_or("");
    match last {
        "email" | "mail" => Some(Variant::Email),
        "username" | "login" | "handle" | "nickname" => Some(Variant::Username),
        "slug" => Some(Variant::Slug),
        "code" | "sku" | "reference" | "ref" => Some(Variant::Code),
        _ => None,
    }
}

/// The `n`-th variant of `value` (n ≥ 2), or `None` when `value` does not
/// have the kind's shape (an email without one `@`).
pub(crate) fn variant(kind: Variant, value: &str, n: u32) -> Option<String> {
    match kind {
        Variant::Email => {
            let (local, domain) = value.split_once('@')?;
            if local.is_empty() || domain.is_empty() || domain.contains('@') {
                return None;
            }
            Some(format!("{local}{n}@{domain}"))
        }
        Variant::Username => Some(format!("{value}{n}")),
        Variant::Slug | Variant::Code => Some(format!("{value}-{n}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_cut_at_a_word_boundary_or_not_at_all() {
        let mut col = Column::new("notes", DataType::Text);
        col.max_length = Some(20);
        let long = Value::from("A quiet reader of mystery novels and poetry");
        assert_eq!(
            near_miss(&Table::new("t"), &col, &long),
            Some(Value::from("A quiet reader of"))
        );
        let word = Value::from("Supercalifragilisticexpialidocious");
        assert_eq!(near_miss(&Table::new("t"), &col, &word), None);
        let mut email = Column::new("email", DataType::Text);
        email.max_length = Some(20);
        let long = Value::from("someone.with.a.long.name@example.com and more");
        assert_eq!(
            near_miss(&Table::new("t"), &email, &long),
            None,
            "identifiers are never cut"
        );
    }

    #[test]
    fn enum_values_fold_case_and_spacing_only() {
        let mut col = Column::new("status", DataType::Text);
        col.one_of = Some(vec![Literal::Text("In Progress".into()), Literal::Text("Done".into())].into());
        assert_eq!(
            near_miss(&Table::new("t"), &col, &Value::from(" in_progress ")),
            Some(Value::from("In Progress"))
        );
        assert_eq!(
            near_miss(&Table::new("t"), &col, &Value::from("DONE")),
            Some(Value::from("Done"))
        );
        assert_eq!(near_miss(&Table::new("t"), &col, &Value::from("Finished")), None);
    }

    #[test]
    fn numbers_lose_only_their_decoration() {
        let price = Column::new("price", DataType::Float);
        assert_eq!(
            near_miss(&Table::new("t"), &price, &Value::from("$1,234.50")),
            Some(Value::Float(1234.5))
        );
        assert_eq!(near_miss(&Table::new("t"), &price, &Value::from("1,2345")), None);
        let qty = Column::new("qty", DataType::Integer);
        assert_eq!(
            near_miss(&Table::new("t"), &qty, &Value::from("12,000")),
            Some(Value::Int(12000))
        );
        assert_eq!(near_miss(&Table::new("t"), &qty, &Value::from("twelve")), None);
    }

    #[test]
    fn variants_keep_the_kind_valid() {
        assert_eq!(
            variant(Variant::Email, "charlie.brown@example.com", 2).as_deref(),
            Some("charlie.brown2@example.com")
        );
        assert_eq!(variant(Variant::Email, "no-at-sign", 2), None);
        assert_eq!(
            variant(Variant::Slug, "red-bike", 3).as_deref(),
            Some("red-bike-3")
        );
        let table = Table::new("contacts")
            .with_column(Column::new("email", DataType::Text).unique())
            .with_column(Column::new("product_code", DataType::Text).unique())
            .with_column(Column::new("name", DataType::Text).unique());
        assert_eq!(variant_of(&table, &table.columns[0]), Some(Variant::Email));
        assert_eq!(variant_of(&table, &table.columns[1]), Some(Variant::Code));
        assert_eq!(
            variant_of(&table, &table.columns[2]),
            None,
            "a name has no neutral variant"
        );
    }
}
