//! The locale of a table's personal text, guessed at fit time from the
//! values of its semantic columns (names, e-mail addresses, phone numbers),
//! and the localized values that replace the offline engine's English ones
//! when sampling: names from the locale's name lists (`fake`'s locale
//! data), e-mail addresses built from the row's names at the locale's mail
//! providers, phone numbers with the country's prefix, streets in the
//! country's form. One identity per row, so the e-mail address still
//! belongs to the row's names. Nothing of the real values is kept: the
//! model stores the locale's name only.

use std::collections::HashSet;
use std::sync::OnceLock;

use fake::locales::{DE_DE, Data, EN, FR_FR, IT_IT, NL_NL, PT_BR, PT_PT};
use rand::RngExt;

use crate::engine::EngineRng;
use crate::value::Value;

/// The locales a model may name (`en` is the offline engine's own).
pub const LOCALES: [&str; 7] = ["en", "fr_FR", "de_DE", "it_IT", "nl_NL", "pt_BR", "pt_PT"];

/// Share of the evidence a locale must win to be kept (else English).
const GUESS_MIN: f64 = 0.3;

/// Values of a column looked at per column.
pub(crate) const SAMPLE: usize = 500;

/// What one locale offers.
struct Locale {
    name: &'static str,
    first: &'static [&'static str],
    last: &'static [&'static str],
    providers: &'static [&'static str],
    /// The e-mail top-level domain and the phone prefix of its country.
    tld: &'static str,
    prefix: &'static str,
    /// A phone number: `#` is a digit.
    phone: &'static str,
    /// Street words, and whether they come before the name (`rue Dupont`)
    /// or are joined after it (`Dupontstraße`).
    streets: &'static [&'static str],
    street_first: bool,
    /// Folded (lowercase ASCII) first and last names, for guessing.
    folded: OnceLock<HashSet<String>>,
}

fn locales() -> &'static [Locale; 7] {
    static ALL: OnceLock<[Locale; 7]> = OnceLock::new();
    ALL.get_or_init(|| {
        let locale = |name, first, last, providers, tld, prefix, phone, streets, street_first| Locale {
            name,
            first,
            last,
            providers,
            tld,
            prefix,
            phone,
            streets,
            street_first,
            folded: OnceLock::new(),
        };
        [
            locale(
                "en",
                EN::NAME_FIRST_NAME,
                EN::NAME_LAST_NAME,
                &[][..],
                ".com",
                "+1",
                "+1 ###-###-####",
                &["Street", "Avenue", "Road", "Lane"][..],
                false,
            ),
            locale(
                "fr_FR",
                FR_FR::NAME_FIRST_NAME,
                FR_FR::NAME_LAST_NAME,
                FR_FR::INTERNET_FREE_EMAIL_PROVIDER,
                ".fr",
                "+33",
                "+33 6 ## ## ## ##",
                &["rue", "avenue", "boulevard", "place", "allée"][..],
                true,
            ),
            locale(
                "de_DE",
                DE_DE::NAME_FIRST_NAME,
                DE_DE::NAME_LAST_NAME,
                &["web.de", "gmx.de", "t-online.de"][..],
                ".de",
                "+49",
                "+49 15# ########",
                &["straße", "weg", "allee", "platz"][..],
                false,
            ),
            locale(
                "it_IT",
                IT_IT::NAME_FIRST_NAME,
                IT_IT::NAME_LAST_NAME,
                IT_IT::INTERNET_FREE_EMAIL_PROVIDER,
                ".it",
                "+39",
                "+39 3## ### ####",
                &["Via", "Viale", "Piazza", "Corso"][..],
                true,
            ),
            locale(
                "nl_NL",
                NL_NL::NAME_FIRST_NAME,
                NL_NL::NAME_LAST_NAME,
                NL_NL::INTERNET_FREE_EMAIL_PROVIDER,
                ".nl",
                "+31",
                "+31 6 ########",
                &["straat", "laan", "weg", "plein"][..],
                false,
            ),
            locale(
                "pt_BR",
                PT_BR::NAME_FIRST_NAME,
                PT_BR::NAME_LAST_NAME,
                PT_BR::INTERNET_FREE_EMAIL_PROVIDER,
                ".br",
                "+55",
                "+55 11 9####-####",
                &["Rua", "Avenida", "Travessa", "Praça"][..],
                true,
            ),
            locale(
                "pt_PT",
                PT_PT::NAME_FIRST_NAME,
                PT_PT::NAME_LAST_NAME,
                PT_PT::INTERNET_FREE_EMAIL_PROVIDER,
                ".pt",
                "+351",
                "+351 9## ### ###",
                &["Rua", "Avenida", "Travessa", "Largo"][..],
                true,
            ),
        ]
    })
}

impl Locale {
    fn folded(&self) -> &HashSet<String> {
        self.folded
            .get_or_init(|| self.first.iter().chain(self.last).map(|n| fold(n)).collect())
    }
}

/// Lowercase ASCII letters of `s`, accents dropped (`Lefèvre` → `lefevre`,
/// `Straße` → `strasse`).
pub(crate) fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        match c {
            'a'..='z' | '0'..='9' => out.push(c),
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ą' => out.push('a'),
            'ç' | 'ć' | 'č' => out.push('c'),
            'è' | 'é' | 'ê' | 'ë' | 'ę' | 'ě' => out.push('e'),
            'ì' | 'í' | 'î' | 'ï' => out.push('i'),
            'ñ' | 'ń' | 'ň' => out.push('n'),
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => out.push('o'),
            'ù' | 'ú' | 'û' | 'ü' | 'ů' => out.push('u'),
            'ý' | 'ÿ' => out.push('y'),
            'ß' => out.push_str("ss"),
            'ł' => out.push('l'),
            'ś' | 'š' => out.push('s'),
            'ź' | 'ż' | 'ž' => out.push('z'),
            'ř' => out.push('r'),
            'æ' => out.push_str("ae"),
            'œ' => out.push_str("oe"),
            _ => {}
        }
    }
    out
}

/// The locale the values of a table's semantic columns point to, `None`
/// for English or when nothing points anywhere: per column, the share of
/// name tokens in each locale's name lists (names; an e-mail address's
/// local part), of e-mail domains under its country's domain, of phone
/// numbers with its prefix; a locale other than English must win the mean
/// share, with at least [`GUESS_MIN`] (30 %) of it.
pub(crate) fn guess(columns: &[(&str, &[String])]) -> Option<String> {
    let all = locales();
    let mut score = [0.0f64; 7];
    let mut evidence = 0usize;
    for (kind, values) in columns {
        if values.is_empty() {
            continue;
        }
        let mut hits = [0usize; 7];
        let mut total = 0usize;
        match *kind {
            "first_name" | "last_name" | "name" => {
                for v in values.iter() {
                    for token in v.split(|c: char| c.is_whitespace() || c == '-') {
                        let t = fold(token);
                        if t.len() < 2 {
                            continue;
                        }
                        total += 1;
                        for (l, locale) in all.iter().enumerate() {
                            hits[l] += usize::from(locale.folded().contains(&t));
                        }
                    }
                }
            }
            "email" => {
                for v in values.iter() {
                    let Some((local, domain)) = v.rsplit_once('@') else {
                        continue;
                    };
                    let domain = domain.to_ascii_lowercase();
                    total += 1;
                    for (l, locale) in all.iter().enumerate().skip(1) {
                        hits[l] += usize::from(domain.ends_with(locale.tld));
                    }
                    // The names in the local part count half as much.
                    for token in local.split(|c: char| !c.is_alphabetic()) {
                        let t = fold(token);
                        if t.len() >= 3 {
                            for (l, locale) in all.iter().enumerate() {
                                hits[l] += usize::from(locale.folded().contains(&t));
                            }
                            total += 1;
                        }
                    }
                }
            }
            "phone" => {
                for v in values.iter() {
                    let compact: String = v.chars().filter(|c| !c.is_whitespace()).collect();
                    let international = compact.replacen("00", "+", usize::from(compact.starts_with("00")));
                    total += 1;
                    for (l, locale) in all.iter().enumerate() {
                        hits[l] += usize::from(international.starts_with(locale.prefix));
                    }
                }
            }
            _ => continue,
        }
        if total == 0 {
            continue;
        }
        evidence += 1;
        for (s, h) in score.iter_mut().zip(hits) {
            *s += h as f64 / total as f64;
        }
    }
    if evidence == 0 {
        return None;
    }
    let (best, share) = score
        .iter()
        .enumerate()
        .map(|(l, s)| (l, s / evidence as f64))
        .fold((0, f64::MIN), |acc, x| if x.1 > acc.1 { x } else { acc });
    (best != 0 && share >= GUESS_MIN).then(|| all[best].name.to_owned())
}

/// The part of a localized identity a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    First,
    Last,
    Full,
    Email { unique: bool },
    Phone,
    Street,
}

/// Localized values for a table's semantic columns.
pub(crate) struct Localizer {
    locale: &'static Locale,
    columns: Vec<(usize, Part)>,
}

impl Localizer {
    /// For the columns `(position, kind, unique)` of a model whose locale is
    /// `locale`; `None` for English, an unknown locale, or no such column.
    pub(crate) fn new<'k>(
        locale: Option<&str>,
        columns: impl IntoIterator<Item = (usize, &'k str, bool)>,
    ) -> Option<Localizer> {
        let locale = locales().iter().skip(1).find(|l| Some(l.name) == locale)?;
        let columns: Vec<(usize, Part)> = columns
            .into_iter()
            .filter_map(|(at, kind, unique)| {
                let part = match kind {
                    "first_name" => Part::First,
                    "last_name" => Part::Last,
                    "name" => Part::Full,
                    "email" => Part::Email { unique },
                    "phone" => Part::Phone,
                    "street_address" => Part::Street,
                    _ => return None,
                };
                Some((at, part))
            })
            .collect();
        (!columns.is_empty()).then_some(Localizer { locale, columns })
    }

    /// This row's localized values, `(position, value)`; row `index` keeps
    /// unique e-mail addresses distinct. `offline` is the value the offline
    /// engine put at a position (its e-mail domain is kept where the locale
    /// lists no providers).
    pub(crate) fn row(
        &self,
        index: u64,
        rng: &mut EngineRng,
        offline: impl Fn(usize) -> Option<Value>,
    ) -> Vec<(usize, Value)> {
        let l = self.locale;
        let first = l.first[rng.random_range(0..l.first.len())];
        let last = l.last[rng.random_range(0..l.last.len())];
        self.columns
            .iter()
            .map(|&(at, part)| {
                let text = match part {
                    Part::First => first.to_owned(),
                    Part::Last => last.to_owned(),
                    Part::Full => format!("{first} {last}"),
                    Part::Email { unique } => {
                        let domain = if l.providers.is_empty() {
                            offline(at)
                                .and_then(|v| {
                                    v.as_str()
                                        .and_then(|e| e.split_once('@'))
                                        .map(|(_, d)| d.to_owned())
                                })
                                .unwrap_or_else(|| format!("example{}", l.tld))
                        } else {
                            l.providers[rng.random_range(0..l.providers.len())].to_owned()
                        };
                        let number = if unique { index.to_string() } else { String::new() };
                        format!("{}.{}{number}@{domain}", fold(first), fold(last))
                    }
                    Part::Phone => l
                        .phone
                        .chars()
                        .map(|c| {
                            if c == '#' {
                                char::from(b'0' + rng.random_range(0..10u8))
                            } else {
                                c
                            }
                        })
                        .collect(),
                    Part::Street => {
                        let word = l.streets[rng.random_range(0..l.streets.len())];
                        let number = rng.random_range(1..200u32);
                        let name = l.last[rng.random_range(0..l.last.len())];
                        if l.street_first {
                            format!("{number} {word} {name}")
                        } else {
                            format!("{name}{word} {number}")
                        }
                    }
                };
                (at, Value::Text(text))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn folding_drops_accents() {
        assert_eq!(fold("Lefèvre"), "lefevre");
        assert_eq!(fold("Straße"), "strasse");
        assert_eq!(fold("Núñez-Ibáñez"), "nunezibanez");
    }

    #[test]
    fn every_listed_locale_is_known() {
        let known: Vec<&str> = locales().iter().map(|l| l.name).collect();
        assert_eq!(known, LOCALES);
    }

    #[test]
    fn phone_prefixes_and_mail_domains_point_to_a_country() {
        let phones = strings(&["+33 6 12 34 56 78", "+33 7 98 76 54 32", "0033 6 11 22 33 44"]);
        assert_eq!(guess(&[("phone", &phones)]).as_deref(), Some("fr_FR"));
        let mails = strings(&["x@web.de", "y@gmx.de", "z@firma.de"]);
        assert_eq!(guess(&[("email", &mails)]).as_deref(), Some("de_DE"));
        let english = strings(&["+1 555 0100", "+1 555 0199"]);
        assert_eq!(guess(&[("phone", &english)]), None);
    }
}
