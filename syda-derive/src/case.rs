//! Name conversions: serde's `rename_all` rules for column names, and the
//! snake_case default table name.

/// A serde `rename_all` rule, applied to field names (which are snake_case).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RenameRule {
    /// `lowercase`
    Lower,
    /// `UPPERCASE`
    Upper,
    /// `PascalCase`
    Pascal,
    /// `camelCase`
    Camel,
    /// `snake_case`
    Snake,
    /// `SCREAMING_SNAKE_CASE`
    ScreamingSnake,
    /// `kebab-case`
    Kebab,
    /// `SCREAMING-KEBAB-CASE`
    ScreamingKebab,
}

impl RenameRule {
    /// The rule serde spells `name`, or `None` for a name serde doesn't know
    /// (serde itself reports that).
    pub(crate) fn from_name(name: &str) -> Option<RenameRule> {
        Some(match name {
            "lowercase" => RenameRule::Lower,
            "UPPERCASE" => RenameRule::Upper,
            "PascalCase" => RenameRule::Pascal,
            "camelCase" => RenameRule::Camel,
            "snake_case" => RenameRule::Snake,
            "SCREAMING_SNAKE_CASE" => RenameRule::ScreamingSnake,
            "kebab-case" => RenameRule::Kebab,
            "SCREAMING-KEBAB-CASE" => RenameRule::ScreamingKebab,
            _ => return None,
        })
    }

    /// The name serde gives a field called `field` under this rule.
    pub(crate) fn apply_to_field(self, field: &str) -> String {
        match self {
            RenameRule::Lower | RenameRule::Snake => field.to_owned(),
            RenameRule::Upper | RenameRule::ScreamingSnake => field.to_ascii_uppercase(),
            RenameRule::Pascal => pascal(field),
            RenameRule::Camel => {
                let pascal = pascal(field);
                let mut chars = pascal.chars();
                match chars.next() {
                    Some(first) => first.to_lowercase().chain(chars).collect(),
                    None => String::new(),
                }
            }
            RenameRule::Kebab => field.replace('_', "-"),
            RenameRule::ScreamingKebab => field.to_ascii_uppercase().replace('_', "-"),
        }
    }
}

impl RenameRule {
    /// The name serde gives a variant called `variant` (PascalCase) under
    /// this rule.
    pub(crate) fn apply_to_variant(self, variant: &str) -> String {
        let snake = || {
            let mut out = String::with_capacity(variant.len() + 4);
            for (i, ch) in variant.char_indices() {
                if i > 0 && ch.is_uppercase() {
                    out.push('_');
                }
                out.push(ch.to_ascii_lowercase());
            }
            out
        };
        match self {
            RenameRule::Pascal => variant.to_owned(),
            RenameRule::Lower => variant.to_ascii_lowercase(),
            RenameRule::Upper => variant.to_ascii_uppercase(),
            RenameRule::Camel => {
                let mut chars = variant.chars();
                match chars.next() {
                    Some(first) => first.to_lowercase().chain(chars).collect(),
                    None => String::new(),
                }
            }
            RenameRule::Snake => snake(),
            RenameRule::ScreamingSnake => snake().to_ascii_uppercase(),
            RenameRule::Kebab => snake().replace('_', "-"),
            RenameRule::ScreamingKebab => snake().to_ascii_uppercase().replace('_', "-"),
        }
    }
}

/// `first_name` → `FirstName`, as serde does it.
fn pascal(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    let mut capitalize = true;
    for ch in field.chars() {
        if ch == '_' {
            capitalize = true;
        } else if capitalize {
            out.extend(ch.to_uppercase());
            capitalize = false;
        } else {
            out.push(ch);
        }
    }
    out
}

/// A type name in snake_case: `OrderItem` → `order_item`,
/// `HTTPRequest` → `http_request`.
pub(crate) fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &ch) in chars.iter().enumerate() {
        if ch.is_uppercase() && i > 0 {
            let prev = chars[i - 1];
            let next_is_lower = chars.get(i + 1).is_some_and(|c| c.is_lowercase());
            if prev.is_lowercase() || prev.is_ascii_digit() || (prev.is_uppercase() && next_is_lower) {
                out.push('_');
            }
        }
        out.extend(ch.to_lowercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_serde_rename_all_rule_renames_a_snake_case_field() {
        let cases = [
            ("lowercase", "first_name"),
            ("UPPERCASE", "FIRST_NAME"),
            ("PascalCase", "FirstName"),
            ("camelCase", "firstName"),
            ("snake_case", "first_name"),
            ("SCREAMING_SNAKE_CASE", "FIRST_NAME"),
            ("kebab-case", "first-name"),
            ("SCREAMING-KEBAB-CASE", "FIRST-NAME"),
        ];
        for (rule, expected) in cases {
            let rule = RenameRule::from_name(rule).expect(rule);
            assert_eq!(rule.apply_to_field("first_name"), expected, "{rule:?}");
        }
    }

    #[test]
    fn every_serde_rename_all_rule_renames_a_pascal_case_variant() {
        let cases = [
            ("lowercase", "proplus"),
            ("UPPERCASE", "PROPLUS"),
            ("PascalCase", "ProPlus"),
            ("camelCase", "proPlus"),
            ("snake_case", "pro_plus"),
            ("SCREAMING_SNAKE_CASE", "PRO_PLUS"),
            ("kebab-case", "pro-plus"),
            ("SCREAMING-KEBAB-CASE", "PRO-PLUS"),
        ];
        for (rule, expected) in cases {
            let rule = RenameRule::from_name(rule).expect(rule);
            assert_eq!(rule.apply_to_variant("ProPlus"), expected, "{rule:?}");
        }
    }

    #[test]
    fn unknown_rename_all_rule_is_not_recognised() {
        assert_eq!(RenameRule::from_name("Title Case"), None);
    }

    #[test]
    fn camel_case_of_a_single_word_is_the_word() {
        assert_eq!(RenameRule::Camel.apply_to_field("id"), "id");
    }

    #[test]
    fn struct_names_become_snake_case_with_acronyms_kept_together() {
        assert_eq!(snake_case("Customer"), "customer");
        assert_eq!(snake_case("OrderItem"), "order_item");
        assert_eq!(snake_case("HTTPRequest"), "http_request");
        assert_eq!(snake_case("Icd10Code"), "icd10_code");
    }
}
