//! `fake`'s English locale data, sampled directly.
//!
//! `fake` builds company, city and street names by `str::replace` on a
//! template, one new `String` per placeholder. These functions make the
//! same draws from the random stream, in the same order, and append the
//! same text to a buffer the caller reuses, so their values are exactly
//! `fake`'s (the golden tests hold them to it) at a fraction of the cost.

use fake::locales::{Data, EN};
use rand::RngExt;
use rand::seq::IndexedRandom;

use crate::engine::EngineRng;

/// One entry of a locale list, drawn as `fake` draws it (`choose`).
pub(crate) fn choose(list: &'static [&'static str], rng: &mut EngineRng) -> &'static str {
    list.choose(rng).copied().unwrap_or_default()
}

/// A locale template cut once into text and placeholders.
struct Template(Vec<Piece>);

enum Piece {
    Text(&'static str),
    /// The value of the key at this position in the list given to `parse`.
    Slot(usize),
}

impl Template {
    /// `template` with the `{key}`s among `keys` as slots (others as text).
    fn parse(template: &'static str, keys: &[&str]) -> Template {
        let mut pieces = Vec::new();
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            let tail = &rest[open..];
            let Some(close) = tail.find('}') else { break };
            match keys.iter().position(|k| *k == &tail[..=close]) {
                Some(slot) => {
                    pieces.push(Piece::Text(&rest[..open]));
                    pieces.push(Piece::Slot(slot));
                }
                None => pieces.push(Piece::Text(&rest[..open + close + 1])),
            }
            rest = &tail[close + 1..];
        }
        pieces.push(Piece::Text(rest));
        Template(pieces)
    }

    /// Appends the template with each slot replaced by its value. The
    /// values hold no braces, so this is `fake`'s chain of `replace` calls.
    fn render(&self, s: &mut String, values: &[&str]) {
        for piece in &self.0 {
            match piece {
                Piece::Text(t) => s.push_str(t),
                Piece::Slot(i) => s.push_str(values[*i]),
            }
        }
    }
}

/// The templates used here, parsed once.
struct Templates {
    company: Vec<(&'static str, Template)>,
    name: Template,
    city: Template,
    city_with_prefix: Template,
    street: Template,
}

fn templates() -> &'static Templates {
    static TEMPLATES: std::sync::OnceLock<Templates> = std::sync::OnceLock::new();
    TEMPLATES.get_or_init(|| Templates {
        company: EN::COMPANY_NAME_TPLS
            .iter()
            .map(|t| (*t, Template::parse(t, &["{Name_1}", "{Name_2}", "{Suffix}"])))
            .collect(),
        name: Template::parse(EN::NAME_TPL, &["{FirstName}", "{LastName}"]),
        city: Template::parse(EN::ADDRESS_CITY_TPL, &["{CityName}", "{CitySuffix}"]),
        city_with_prefix: Template::parse(
            EN::ADDRESS_CITY_WITH_PREFIX_TPL,
            &["{CityPrefix}", "{CityName}", "{CitySuffix}"],
        ),
        street: Template::parse(EN::ADDRESS_STREET_TPL, &["{StreetName}", "{StreetSuffix}"]),
    })
}

/// A first name (`fake::faker::name::en::FirstName`).
pub(crate) fn first_name(rng: &mut EngineRng) -> &'static str {
    choose(EN::NAME_FIRST_NAME, rng)
}

/// A last name (`fake::faker::name::en::LastName`).
pub(crate) fn last_name(rng: &mut EngineRng) -> &'static str {
    choose(EN::NAME_LAST_NAME, rng)
}

/// `fake::faker::company::en::CompanyName`: "Kozey and Sons", "Hane and
/// Bosco LLC".
pub(crate) fn push_company(s: &mut String, rng: &mut EngineRng) {
    let template = choose(EN::COMPANY_NAME_TPLS, rng);
    let first = last_name(rng);
    let second = last_name(rng);
    let suffix = choose(EN::COMPANY_SUFFIX, rng);
    if let Some((_, t)) = templates().company.iter().find(|(text, _)| *text == template) {
        t.render(s, &[first, second, suffix]);
    }
}

/// `fake::faker::address::en::CityName`: "Port Daisha Kautzerborough",
/// "Lindgrenview".
pub(crate) fn push_city(s: &mut String, rng: &mut EngineRng) {
    let t = templates();
    match rng.random_range(0..5u8) {
        0 => {
            let prefix = choose(EN::ADDRESS_CITY_PREFIX, rng);
            let mut name = String::with_capacity(24);
            let first = first_name(rng);
            let last = last_name(rng);
            t.name.render(&mut name, &[first, last]);
            let suffix = choose(EN::ADDRESS_CITY_SUFFIX, rng);
            t.city_with_prefix.render(s, &[prefix, &name, suffix]);
        }
        1 => {
            let name = first_name(rng);
            let suffix = choose(EN::ADDRESS_CITY_SUFFIX, rng);
            t.city.render(s, &[name, suffix]);
        }
        _ => {
            let name = last_name(rng);
            let suffix = choose(EN::ADDRESS_CITY_SUFFIX, rng);
            t.city.render(s, &[name, suffix]);
        }
    }
}

/// `fake::faker::address::en::BuildingNumber`, a space, then
/// `StreetName` (whose names already end in a suffix): "4821 Konopelski
/// Forest".
pub(crate) fn push_street(s: &mut String, rng: &mut EngineRng) {
    for c in choose(EN::ADDRESS_BUILDING_NUMBER_FORMATS, rng).chars() {
        match c {
            '#' => s.push(char::from(b'0' + rng.random_range(0..10u32) as u8)),
            '^' => s.push(char::from(b'0' + rng.random_range(1..10u32) as u8)),
            other => s.push(other),
        }
    }
    s.push(' ');
    let name = if rng.random::<bool>() {
        first_name(rng)
    } else {
        last_name(rng)
    };
    let suffix = choose(EN::ADDRESS_STREET_SUFFIX, rng);
    templates().street.render(s, &[name, suffix]);
}

/// `list` without repeated entries, in its order.
fn distinct(list: &'static [&'static str]) -> Vec<&'static str> {
    let mut seen = std::collections::HashSet::new();
    list.iter().copied().filter(|w| seen.insert(*w)).collect()
}

/// The distinct last names and company suffixes.
fn company_parts() -> &'static (Vec<&'static str>, Vec<&'static str>) {
    static PARTS: std::sync::OnceLock<(Vec<&'static str>, Vec<&'static str>)> = std::sync::OnceLock::new();
    PARTS.get_or_init(|| (distinct(EN::NAME_LAST_NAME), distinct(EN::COMPANY_SUFFIX)))
}

/// How many company names `fake`'s two templates can make:
/// `{last} {suffix}` and `{last} and {last} {suffix}`.
pub(crate) fn company_count() -> u64 {
    let (names, suffixes) = company_parts();
    let (n, s) = (names.len() as u64, suffixes.len() as u64);
    n * s + n * n * s
}

/// The longest company name, in bytes.
pub(crate) fn longest_company() -> usize {
    let (names, suffixes) = company_parts();
    let longest = |l: &[&str]| l.iter().map(|w| w.len()).max().unwrap_or(0);
    2 * longest(names) + longest(suffixes) + " and  ".len()
}

/// Company name number `k` (below [`company_count`]): every name and
/// suffix appears in both templates.
pub(crate) fn push_nth_company(s: &mut String, k: u64) {
    let (names, suffixes) = company_parts();
    let (n, sn) = (names.len() as u64, suffixes.len() as u64);
    if k < n * sn {
        s.push_str(names[(k / sn) as usize]);
        s.push(' ');
        s.push_str(suffixes[(k % sn) as usize]);
    } else {
        let k = k - n * sn;
        let (pair, suffix) = (k / sn, k % sn);
        s.push_str(names[(pair / n) as usize]);
        s.push_str(" and ");
        s.push_str(names[(pair % n) as usize]);
        s.push(' ');
        s.push_str(suffixes[suffix as usize]);
    }
}

#[cfg(test)]
mod tests {
    use fake::Fake;
    use fake::faker::address::en as address;
    use fake::faker::company::en as company;
    use rand::SeedableRng;

    use super::*;

    /// Each function gives `fake`'s value and leaves the stream where
    /// `fake` leaves it.
    fn same_as_fake(ours: fn(&mut String, &mut EngineRng), theirs: fn(&mut EngineRng) -> String) {
        for seed in 0..2000 {
            let (mut a, mut b) = (EngineRng::seed_from_u64(seed), EngineRng::seed_from_u64(seed));
            let mut s = String::new();
            ours(&mut s, &mut a);
            assert_eq!(s, theirs(&mut b), "seed {seed}");
            assert_eq!(
                a.random::<u64>(),
                b.random::<u64>(),
                "seed {seed}: streams differ after"
            );
        }
    }

    #[test]
    fn companies_are_fakes() {
        same_as_fake(push_company, |rng| company::CompanyName().fake_with_rng(rng));
    }

    #[test]
    fn cities_are_fakes() {
        same_as_fake(push_city, |rng| address::CityName().fake_with_rng(rng));
    }

    #[test]
    fn streets_are_fakes() {
        same_as_fake(push_street, |rng| {
            let number: String = address::BuildingNumber().fake_with_rng(rng);
            let street: String = address::StreetName().fake_with_rng(rng);
            format!("{number} {street}")
        });
    }

    #[test]
    fn templates_render_every_placeholder() {
        let mut s = String::new();
        Template::parse("{A}-{B} {A}{Z}{C", &["{A}", "{B}"]).render(&mut s, &["x", "y"]);
        assert_eq!(s, "x-y x{Z}{C");
    }
}
