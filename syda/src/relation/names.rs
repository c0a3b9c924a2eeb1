//! Name normalisation before inference: `PostalCode`, `BillingCity`,
//! `customerEmail`, `EMAIL_ADDR` and `postal-code` all become lower-case
//! snake-case words, with role prefixes (`billing_`, `shipping_`, `home_`…)
//! and type suffixes (`_at`, `_on`, `_ts`, `_addr`) recognised.

/// Prefixes that say whose or which value a column holds, not what it is:
/// `billing_city` is a city.
pub(crate) const ROLE_PREFIXES: &[&str] = &[
    "billing",
    "shipping",
    "delivery",
    "home",
    "work",
    "office",
    "primary",
    "secondary",
    "mailing",
    "personal",
    "main",
    "alt",
    "alternate",
    "current",
    "residence",
    "legal",
    "registered",
];

/// The words of a column or table name, lower-case, split at `_`, `-`,
/// spaces, dots and lower→upper case changes (`PostalCode` → `postal`,
/// `code`; `HTTPServer` → `http`, `server`).
pub(crate) fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        let boundary = c.is_uppercase()
            && !current.is_empty()
            && (chars[i - 1].is_lowercase()
                || chars[i - 1].is_ascii_digit()
                || chars.get(i + 1).is_some_and(|n| n.is_lowercase()));
        if boundary {
            out.push(std::mem::take(&mut current));
        }
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// `words(name)` joined by `_`, with `addr` read as `address`, `ts` and
/// `dt` as `at`: the form every rule and kind is matched against.
pub(crate) fn snake(name: &str) -> String {
    let words: Vec<String> = words(name)
        .into_iter()
        .map(|w| match w.as_str() {
            "addr" => "address".to_owned(),
            "ts" | "dt" | "tstamp" => "at".to_owned(),
            _ => w,
        })
        .collect();
    words.join("_")
}

/// The role prefix of a normalised name (`billing` of `billing_city`), if any.
pub(crate) fn role_prefix(snake: &str) -> Option<&'static str> {
    ROLE_PREFIXES.iter().copied().find(|p| {
        snake
            .strip_prefix(p)
            .is_some_and(|rest| rest.starts_with('_') && rest.len() > 1)
    })
}

/// The normalised name without its role prefix: `billing_city` → `city`.
pub(crate) fn without_role(snake: &str) -> &str {
    match role_prefix(snake) {
        Some(p) => &snake[p.len() + 1..],
        None => snake,
    }
}

/// ASCII-folds `s` for identifiers (e-mail local parts, user names, slugs):
/// `José Müller-Óg` → `josemullerog`; only `a-z0-9` survive.
pub(crate) fn ascii_fold(s: &str, out: &mut String) {
    if s.is_ascii() {
        out.extend(
            s.bytes()
                .filter(u8::is_ascii_alphanumeric)
                .map(|b| char::from(b.to_ascii_lowercase())),
        );
        return;
    }
    for c in s.chars() {
        let base = match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => 'a',
            'ç' | 'Ç' | 'č' | 'Č' | 'ć' => 'c',
            'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' | 'ě' => 'e',
            'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => 'i',
            'ñ' | 'Ñ' | 'ń' => 'n',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' => 'o',
            'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => 'u',
            'ý' | 'ÿ' | 'Ý' => 'y',
            'ß' => {
                out.push_str("ss");
                continue;
            }
            'š' | 'Š' | 'ś' => 's',
            'ž' | 'Ž' | 'ź' | 'ż' => 'z',
            'ł' | 'Ł' => 'l',
            c => c,
        };
        if base.is_ascii_alphanumeric() {
            out.push(base.to_ascii_lowercase());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_case_style_gives_the_same_words() {
        for name in [
            "postal_code",
            "PostalCode",
            "postalCode",
            "POSTAL_CODE",
            "postal-code",
        ] {
            assert_eq!(snake(name), "postal_code", "{name}");
        }
        assert_eq!(snake("EMAIL_ADDR"), "email_address");
        assert_eq!(snake("customerEmail"), "customer_email");
        assert_eq!(snake("HTTPServer"), "http_server");
        assert_eq!(snake("created_ts"), "created_at");
        assert_eq!(snake("Address2"), "address2");
    }

    #[test]
    fn role_prefixes_are_dropped_for_inference() {
        assert_eq!(without_role("billing_city"), "city");
        assert_eq!(without_role(&snake("BillingCountry")), "country");
        assert_eq!(without_role("shipping_postal_code"), "postal_code");
        assert_eq!(without_role("billing"), "billing");
        assert_eq!(role_prefix("home_phone"), Some("home"));
    }

    #[test]
    fn folding_keeps_ascii_letters_and_digits() {
        let mut s = String::new();
        ascii_fold("José Müller-Óg 2", &mut s);
        assert_eq!(s, "josemullerog2");
    }
}
