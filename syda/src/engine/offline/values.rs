//! Built-in value generators: one per semantic kind and per type.
//!
//! Text comes from the `fake` crate (names, companies, addresses, lorem
//! words…), composed here where `fake` has no ready-made faker (e-mail
//! addresses that stay unique at scale, IBANs with valid check digits,
//! ICD-10 codes, sentences built from `fake`'s lorem words without a
//! per-word allocation). Dates are relative to a fixed anchor,
//! [`ANCHOR_DATE`], never "today", so output does not change from one day
//! to the next.

use std::fmt::Write as _;

use fake::Fake;
use fake::faker::address::en as address;
use fake::faker::barcode::en as barcode;
use fake::faker::company::en as company;
use fake::faker::creditcard::en as creditcard;
use fake::faker::currency::en as currency;
use fake::faker::finance::en as finance;
use fake::faker::internet::en as internet;
use fake::faker::job::en as job;
use fake::faker::lorem::en as lorem;
use fake::faker::name::en as name;
use fake::faker::phone_number::en as phone;
use rand::RngExt;

use super::locale;
use crate::engine::EngineRng;
use crate::value::Value;

/// Kinds the offline engine generates that are not in
/// [`crate::schema::KINDS`]; [`super::infer::infer_kind`] may return them.
pub const ENGINE_KINDS: &[&str] = &[
    "brand",
    "budget",
    "bytes",
    "category",
    "code",
    "count",
    "date",
    "datetime",
    "days",
    "department",
    "discount",
    "fee",
    "file_name",
    "film_rating",
    "flag",
    "gender",
    "genre",
    "hours",
    "language",
    "language_code",
    "license",
    "milliseconds",
    "minutes",
    "product_name",
    "rating",
    "salary",
    "score",
    "sku",
    "small_price",
    "stock",
    "tag",
    "title",
    "unit",
    "uuid",
    "version",
    "year",
];

/// The fixed "today" that relative dates are computed from (recent dates end
/// here; birth dates are 18–90 years before it): 2025-12-31.
pub(crate) const ANCHOR_DATE: (i32, u32, u32) = (2025, 12, 31);

/// Recent dates (`*_at`, `*_date`, untyped dates) start here: 2015-01-01.
pub(crate) const RECENT_START: (i32, u32, u32) = (2015, 1, 1);

/// A built-in generator, chosen once per column when rows are planned.
#[derive(Debug, Clone)]
pub(crate) enum Gen {
    /// `start + row index`: sole integer primary keys.
    Sequential { start: i64 },
    /// Uniform integer in `lo..=hi`.
    Int { lo: i64, hi: i64 },
    /// Uniform float in `lo..=hi`, rounded to `decimals`.
    Float { lo: f64, hi: f64, decimals: u32 },
    /// Uniform number in `lo..=hi` as decimal text with `scale` digits.
    Decimal { lo: f64, hi: f64, scale: u32 },
    /// `true` / `false`.
    Bool,
    /// Days since 1970-01-01 in `lo..=hi`, as `YYYY-MM-DD`.
    Date { lo: i64, hi: i64 },
    /// Seconds since the epoch in `lo..=hi`, as `YYYY-MM-DDTHH:MM:SSZ`.
    DateTime { lo: i64, hi: i64 },
    /// Seconds since midnight in `lo..=hi`, as `HH:MM:SS`.
    Time { lo: i64, hi: i64 },
    /// Random (version 4) UUID, hyphenated.
    Uuid,
    /// A small JSON object.
    Json,
    /// One of these values.
    OneOf(Vec<Value>),
    /// A string matching a regular expression.
    Pattern(Box<rand_regex::Regex>),
    /// Text of a semantic kind.
    Text(TextKind),
}

/// Text-valued kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TextKind {
    Address,
    Bic,
    Category,
    City,
    Color,
    Company,
    Country,
    CountryCode,
    CreditCard,
    CurrencyCode,
    Domain,
    Email,
    FirstName,
    Iban,
    Icd10,
    Industry,
    Ipv4,
    Ipv6,
    Isbn,
    JobTitle,
    LastName,
    MacAddress,
    Name,
    Paragraph,
    Password,
    Phone,
    Postcode,
    ProductName,
    Sentence,
    State,
    StreetAddress,
    Url,
    UserAgent,
    Username,
    Word,
    /// Default for text columns without a kind: two or three English words.
    Words,
    Brand,
    Department,
    FileName,
    FilmRating,
    Gender,
    Genre,
    Language,
    LanguageCode,
    License,
    Sku,
    Tag,
    Title,
    Unit,
    Version,
}

/// What a kind generates, before the column's type and constraints shape it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum KindSpec {
    /// Text.
    Text(TextKind),
    /// A number in `lo..=hi` with `decimals` fraction digits (0 = whole).
    Number { lo: f64, hi: f64, decimals: u32 },
    /// A calendar date between two `(y, m, d)` dates, inclusive.
    Date {
        from: (i32, u32, u32),
        to: (i32, u32, u32),
    },
    /// A date and time between two dates.
    DateTime {
        from: (i32, u32, u32),
        to: (i32, u32, u32),
    },
    /// A UUID.
    Uuid,
}

/// What the built-in generator for `kind` produces, or `None` for a kind the
/// engine does not know.
pub(crate) fn kind_spec(kind: &str) -> Option<KindSpec> {
    use KindSpec::{Number, Text};
    use TextKind as T;
    let birth_from = (ANCHOR_DATE.0 - 90, ANCHOR_DATE.1, ANCHOR_DATE.2);
    let birth_to = (ANCHOR_DATE.0 - 18, ANCHOR_DATE.1, ANCHOR_DATE.2);
    let money = |lo, hi| Number { lo, hi, decimals: 2 };
    let whole = |lo, hi| Number { lo, hi, decimals: 0 };
    Some(match kind {
        "address" => Text(T::Address),
        "age" => Number {
            lo: 18.0,
            hi: 90.0,
            decimals: 0,
        },
        "amount" => money(5.0, 2_000.0),
        "bic" => Text(T::Bic),
        "birth_date" => KindSpec::Date {
            from: birth_from,
            to: birth_to,
        },
        "budget" => money(1_000.0, 1_000_000.0),
        "category" => Text(T::Category),
        "city" => Text(T::City),
        "color" => Text(T::Color),
        "company" => Text(T::Company),
        "country" => Text(T::Country),
        "country_code" => Text(T::CountryCode),
        "credit_card" => Text(T::CreditCard),
        "currency_code" => Text(T::CurrencyCode),
        "date" => KindSpec::Date {
            from: RECENT_START,
            to: ANCHOR_DATE,
        },
        "datetime" => KindSpec::DateTime {
            from: RECENT_START,
            to: ANCHOR_DATE,
        },
        "domain" => Text(T::Domain),
        "email" => Text(T::Email),
        "first_name" => Text(T::FirstName),
        "iban" => Text(T::Iban),
        "icd10_code" => Text(T::Icd10),
        "industry" => Text(T::Industry),
        "ipv4" => Text(T::Ipv4),
        "ipv6" => Text(T::Ipv6),
        "isbn" => Text(T::Isbn),
        "job_title" => Text(T::JobTitle),
        "last_name" => Text(T::LastName),
        "latitude" => Number {
            lo: -90.0,
            hi: 90.0,
            decimals: 6,
        },
        "longitude" => Number {
            lo: -180.0,
            hi: 180.0,
            decimals: 6,
        },
        "mac_address" => Text(T::MacAddress),
        "name" => Text(T::Name),
        "paragraph" => Text(T::Paragraph),
        "password" => Text(T::Password),
        "percentage" => money(0.0, 100.0),
        "phone" => Text(T::Phone),
        "postcode" => Text(T::Postcode),
        "price" => money(5.0, 500.0),
        "discount" => money(0.0, 5.0),
        "product_name" => Text(T::ProductName),
        "quantity" => whole(1.0, 20.0),
        "salary" => money(30_000.0, 250_000.0),
        "sentence" => Text(T::Sentence),
        "state" => Text(T::State),
        "street_address" => Text(T::StreetAddress),
        "url" => Text(T::Url),
        "user_agent" => Text(T::UserAgent),
        "username" => Text(T::Username),
        "uuid" => KindSpec::Uuid,
        "word" => Text(T::Word),
        "brand" => Text(T::Brand),
        "department" => Text(T::Department),
        "file_name" => Text(T::FileName),
        "film_rating" => Text(T::FilmRating),
        "gender" => Text(T::Gender),
        "genre" => Text(T::Genre),
        "language" => Text(T::Language),
        "language_code" => Text(T::LanguageCode),
        "license" => Text(T::License),
        "sku" => Text(T::Sku),
        "tag" => Text(T::Tag),
        "title" => Text(T::Title),
        "unit" => Text(T::Unit),
        "version" => Text(T::Version),
        "code" => whole(0.0, 3.0),
        "count" => whole(0.0, 50.0),
        "days" => whole(1.0, 14.0),
        "fee" => money(1.0, 100.0),
        "flag" => whole(0.0, 1.0),
        "hours" => whole(1.0, 12.0),
        "milliseconds" => whole(60_000.0, 420_000.0),
        "bytes" => whole(1_000.0, 10_000_000.0),
        "minutes" => whole(45.0, 180.0),
        "rating" => whole(1.0, 5.0),
        "score" => whole(0.0, 100.0),
        "small_price" => money(0.99, 9.99),
        "stock" => whole(0.0, 500.0),
        "year" => whole(1970.0, 2025.0),
        _ => return None,
    })
}

impl Gen {
    /// One value for row `index`, as [`Gen::generate`] gives it; text is
    /// written into `buffer` (cleared first), whose allocation it keeps.
    pub(crate) fn generate_into(&self, rng: &mut EngineRng, index: u64, mut buffer: String) -> Value {
        buffer.clear();
        match self {
            Gen::Text(kind) => push_text(*kind, rng, &mut buffer),
            Gen::Date { lo, hi } => push_date(&mut buffer, rng.random_range(*lo..=*hi)),
            Gen::DateTime { lo, hi } => push_datetime(&mut buffer, rng.random_range(*lo..=*hi)),
            Gen::Time { lo, hi } => push_time(&mut buffer, rng.random_range(*lo..=*hi)),
            Gen::OneOf(values) => match &values[rng.random_range(0..values.len())] {
                Value::Text(t) => buffer.push_str(t),
                other => return other.clone(),
            },
            _ => return self.generate(rng, index),
        }
        Value::Text(buffer)
    }

    /// One value for row `index`.
    pub(crate) fn generate(&self, rng: &mut EngineRng, index: u64) -> Value {
        match self {
            Gen::Sequential { start } => Value::Int(start.wrapping_add(index as i64)),
            Gen::Int { lo, hi } => Value::Int(rng.random_range(*lo..=*hi)),
            Gen::Float { lo, hi, decimals } => {
                Value::Float(round_to(uniform(rng, *lo, *hi), *decimals).clamp(*lo, *hi))
            }
            Gen::Decimal { lo, hi, scale } => {
                let x = round_to(uniform(rng, *lo, *hi), *scale).clamp(*lo, *hi);
                Value::Text(format!("{x:.prec$}", prec = *scale as usize))
            }
            Gen::Bool => Value::Bool(rng.random()),
            Gen::Date { lo, hi } => {
                let mut s = String::with_capacity(10);
                push_date(&mut s, rng.random_range(*lo..=*hi));
                Value::Text(s)
            }
            Gen::DateTime { lo, hi } => {
                let mut s = String::with_capacity(20);
                push_datetime(&mut s, rng.random_range(*lo..=*hi));
                Value::Text(s)
            }
            Gen::Time { lo, hi } => {
                let mut s = String::with_capacity(8);
                push_time(&mut s, rng.random_range(*lo..=*hi));
                Value::Text(s)
            }
            Gen::Uuid => Value::Text(random_uuid(rng)),
            Gen::Json => {
                let word: &str = lorem::Word().fake_with_rng(rng);
                Value::Json(serde_json::json!({ "id": rng.random_range(1..=1000), "tag": word }))
            }
            Gen::OneOf(values) => values[rng.random_range(0..values.len())].clone(),
            Gen::Pattern(regex) => Value::Text(rng.sample::<String, _>(&**regex)),
            Gen::Text(kind) => Value::Text(text(*kind, rng)),
        }
    }
}

fn uniform(rng: &mut EngineRng, lo: f64, hi: f64) -> f64 {
    if hi > lo && (hi - lo).is_finite() {
        rng.random_range(lo..=hi)
    } else if hi > lo {
        // The span overflows f64 (`range: [-1e308, 1e308]`), which `random_range`
        // rejects with a panic: sample around the midpoint at half scale.
        let (mid, half) = (lo / 2.0 + hi / 2.0, hi / 2.0 - lo / 2.0);
        (mid + half * rng.random_range(-1.0..=1.0)).clamp(lo, hi)
    } else {
        lo
    }
}

pub(crate) fn round_to(x: f64, decimals: u32) -> f64 {
    let p = 10f64.powi(decimals as i32);
    (x * p).round() / p
}

/// Appends text of `kind` to `out`: the common kinds written in place,
/// the others through [`other_text`].
pub(crate) fn push_text(kind: TextKind, rng: &mut EngineRng, out: &mut String) {
    use TextKind as T;
    match kind {
        T::City => locale::push_city(out, rng),
        T::Company => locale::push_company(out, rng),
        T::Email => push_email(out, rng),
        T::FirstName => out.push_str(locale::first_name(rng)),
        T::LastName | T::Brand => out.push_str(locale::last_name(rng)),
        T::Name => {
            out.push_str(locale::first_name(rng));
            out.push(' ');
            out.push_str(locale::last_name(rng));
        }
        T::Sentence => push_english_sentence(out, rng),
        T::StreetAddress => locale::push_street(out, rng),
        T::Word | T::Tag => out.push_str(pick(&vocab().nouns, rng)),
        T::Category => out.push_str(pick(&vocab().categories, rng)),
        T::Department => out.push_str(pick(&vocab().departments, rng)),
        T::Words => {
            let v = vocab();
            push_capitalized(out, pick(&v.adjectives, rng));
            out.push(' ');
            out.push_str(pick(&v.nouns, rng));
        }
        other => out.push_str(&other_text(other, rng)),
    }
}

/// Text of `kind`.
pub(crate) fn text(kind: TextKind, rng: &mut EngineRng) -> String {
    let mut s = String::with_capacity(32);
    push_text(kind, rng, &mut s);
    s
}

/// Text of the kinds [`push_text`] does not write in place.
fn other_text(kind: TextKind, rng: &mut EngineRng) -> String {
    use TextKind as T;
    match kind {
        T::City
        | T::Company
        | T::Email
        | T::FirstName
        | T::LastName
        | T::Brand
        | T::Name
        | T::Sentence
        | T::StreetAddress
        | T::Word
        | T::Tag
        | T::Category
        | T::Department
        | T::Words => text(kind, rng),
        T::Address => {
            let mut s = String::with_capacity(64);
            locale::push_street(&mut s, rng);
            s.push_str(", ");
            locale::push_city(&mut s, rng);
            let state: &str = address::StateAbbr().fake_with_rng(rng);
            let zip: String = address::PostCode().fake_with_rng(rng);
            s.push_str(", ");
            s.push_str(state);
            s.push(' ');
            s.push_str(&zip);
            s
        }
        T::Bic => finance::Bic().fake_with_rng(rng),
        T::Color => COLORS[rng.random_range(0..COLORS.len())].to_owned(),
        T::Country => address::CountryName().fake_with_rng(rng),
        T::CountryCode => address::CountryCode().fake_with_rng(rng),
        T::CreditCard => creditcard::CreditCardNumber().fake_with_rng(rng),
        T::CurrencyCode => currency::CurrencyCode().fake_with_rng(rng),
        T::Domain => {
            let mut s = String::with_capacity(16);
            push_site_name(&mut s, rng);
            let suffix: &str = internet::DomainSuffix().fake_with_rng(rng);
            s.push('.');
            s.push_str(suffix);
            s
        }
        T::Iban => iban(rng),
        T::Icd10 => icd10(rng),
        T::Industry => {
            let s: &str = company::Industry().fake_with_rng(rng);
            s.to_owned()
        }
        T::Ipv4 => internet::IPv4().fake_with_rng(rng),
        T::Ipv6 => internet::IPv6().fake_with_rng(rng),
        T::Isbn => barcode::Isbn13().fake_with_rng(rng),
        T::JobTitle => job::Title().fake_with_rng(rng),
        T::MacAddress => internet::MACAddress().fake_with_rng(rng),
        T::Paragraph => {
            let mut s = String::with_capacity(160);
            let n = rng.random_range(2..=4);
            for i in 0..n {
                if i > 0 {
                    s.push(' ');
                }
                push_english_sentence(&mut s, rng);
            }
            s
        }
        T::Password => internet::Password(10..20).fake_with_rng(rng),
        T::Phone => phone::PhoneNumber().fake_with_rng(rng),
        T::Postcode => address::PostCode().fake_with_rng(rng),
        T::ProductName => {
            let v = vocab();
            let mut s = String::with_capacity(32);
            s.push_str(pick(&v.product_adjectives, rng));
            s.push(' ');
            if rng.random_bool(0.6) {
                s.push_str(pick(&v.materials, rng));
                s.push(' ');
            }
            s.push_str(pick(&v.products, rng));
            s
        }
        T::State => {
            let s: &str = address::StateName().fake_with_rng(rng);
            s.to_owned()
        }
        T::Url => {
            let mut s = String::with_capacity(40);
            s.push_str("https://www.");
            push_site_name(&mut s, rng);
            let suffix: &str = internet::DomainSuffix().fake_with_rng(rng);
            s.push('.');
            s.push_str(suffix);
            s.push('/');
            s.push_str(pick(&vocab().nouns, rng));
            s
        }
        T::UserAgent => {
            let s: &str = internet::UserAgent().fake_with_rng(rng);
            s.to_owned()
        }
        T::Username => internet::Username().fake_with_rng(rng),
        T::Title => {
            let v = vocab();
            let mut s = String::with_capacity(32);
            match rng.random_range(0..4u8) {
                0 => {
                    s.push_str("The ");
                    push_capitalized(&mut s, pick(&v.adjectives, rng));
                    s.push(' ');
                    push_capitalized(&mut s, pick(&v.nouns, rng));
                }
                1 => {
                    let (a, b) = two_nouns(rng);
                    push_capitalized(&mut s, a);
                    s.push_str(" of the ");
                    push_capitalized(&mut s, b);
                }
                2 => {
                    push_capitalized(&mut s, pick(&v.adjectives, rng));
                    s.push(' ');
                    push_capitalized(&mut s, pick(&v.nouns, rng));
                }
                _ => {
                    let (a, b) = two_nouns(rng);
                    push_capitalized(&mut s, a);
                    s.push_str(" and ");
                    push_capitalized(&mut s, b);
                }
            }
            s
        }
        T::FileName => {
            let v = vocab();
            let mut s = String::with_capacity(24);
            s.push_str(pick(&v.nouns, rng));
            s.push('_');
            s.push_str(pick(&v.nouns, rng));
            s.push('.');
            s.push_str(pick(&v.file_extensions, rng));
            s
        }
        T::FilmRating => pick(&vocab().film_ratings, rng).to_owned(),
        T::Gender => pick(&vocab().genders, rng).to_owned(),
        T::Genre => pick(&vocab().genres, rng).to_owned(),
        T::Language => pick(&vocab().languages, rng).0.to_owned(),
        T::LanguageCode => pick(&vocab().languages, rng).1.to_owned(),
        T::License => pick(&vocab().licenses, rng).to_owned(),
        T::Sku => {
            let mut s = String::with_capacity(10);
            for _ in 0..3 {
                s.push(char::from(b'A' + rng.random_range(0..26u8)));
            }
            s.push('-');
            push_digits(&mut s, rng, 5);
            s
        }
        T::Unit => pick(&vocab().units, rng).to_owned(),
        T::Version => {
            let major = rng.random_range(0..6u32);
            format!(
                "{major}.{}.{}",
                rng.random_range(0..20u32),
                rng.random_range(0..30u32)
            )
        }
    }
}

/// The curated word lists of `data/words.txt`.
pub(crate) struct Vocab {
    pub(crate) adjectives: Vec<&'static str>,
    pub(crate) nouns: Vec<&'static str>,
    verbs: Vec<&'static str>,
    objects: Vec<&'static str>,
    pub(crate) products: Vec<&'static str>,
    pub(crate) materials: Vec<&'static str>,
    pub(crate) product_adjectives: Vec<&'static str>,
    genres: Vec<&'static str>,
    categories: Vec<&'static str>,
    languages: Vec<(&'static str, &'static str)>,
    licenses: Vec<&'static str>,
    departments: Vec<&'static str>,
    units: Vec<&'static str>,
    film_ratings: Vec<&'static str>,
    file_extensions: Vec<&'static str>,
    genders: Vec<&'static str>,
}

pub(crate) fn vocab() -> &'static Vocab {
    static VOCAB: std::sync::OnceLock<Vocab> = std::sync::OnceLock::new();
    VOCAB.get_or_init(|| {
        let mut sections: std::collections::HashMap<&'static str, Vec<&'static str>> =
            std::collections::HashMap::new();
        let mut current = "";
        for line in include_str!("../../../data/words.txt").lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                current = name;
                continue;
            }
            let entry = sections.entry(current).or_default();
            if line.contains('|') {
                entry.extend(line.split('|').map(str::trim));
            } else if current == "objects" {
                // "the order the report …": two words each.
                let words: Vec<&'static str> = line.split_whitespace().collect();
                for pair in words.chunks(2) {
                    if let [the, _] = pair {
                        let start = the.as_ptr() as usize - line.as_ptr() as usize;
                        let end = start + pair[0].len() + 1 + pair[1].len();
                        entry.push(&line[start..end]);
                    }
                }
            } else {
                entry.extend(line.split_whitespace());
            }
        }
        let mut take = |name: &str| sections.remove(name).unwrap_or_default();
        Vocab {
            adjectives: take("adjectives"),
            nouns: take("nouns"),
            verbs: take("verbs"),
            objects: take("objects"),
            products: take("products"),
            materials: take("materials"),
            product_adjectives: take("product_adjectives"),
            genres: take("genres"),
            categories: take("categories"),
            languages: take("languages")
                .into_iter()
                .filter_map(|l| l.split_once(':'))
                .collect(),
            licenses: take("licenses"),
            departments: take("departments"),
            units: take("units"),
            film_ratings: take("film_ratings"),
            file_extensions: take("file_extensions"),
            genders: take("genders"),
        }
    })
}

/// Two different nouns.
fn two_nouns(rng: &mut EngineRng) -> (&'static str, &'static str) {
    let nouns = &vocab().nouns;
    let a = rng.random_range(0..nouns.len());
    let b = (a + rng.random_range(1..nouns.len())) % nouns.len();
    (nouns[a], nouns[b])
}

fn pick<T: Copy>(list: &[T], rng: &mut EngineRng) -> T {
    list[rng.random_range(0..list.len())]
}

/// Two nouns run together, as a site name: `riverstone`.
fn push_site_name(s: &mut String, rng: &mut EngineRng) {
    let v = vocab();
    s.push_str(pick(&v.nouns, rng));
    s.push_str(pick(&v.nouns, rng));
}

/// A plain English sentence from the curated lists: "The quiet team
/// reviews the invoice every morning."
fn push_english_sentence(s: &mut String, rng: &mut EngineRng) {
    let v = vocab();
    s.push_str("The ");
    s.push_str(pick(&v.adjectives, rng));
    s.push(' ');
    s.push_str(pick(&v.nouns, rng));
    s.push(' ');
    s.push_str(pick(&v.verbs, rng));
    s.push(' ');
    s.push_str(pick(&v.objects, rng));
    match rng.random_range(0..4u8) {
        0 => s.push_str(" every morning"),
        1 => {
            s.push_str(" near the ");
            s.push_str(pick(&v.nouns, rng));
        }
        2 => s.push_str(" on time"),
        _ => {}
    }
    s.push('.');
}

/// `fake` has no colour names without its `random_color` feature (which
/// yields hex/rgb strings); a short list of CSS colour names.
const COLORS: &[&str] = &[
    "Black",
    "White",
    "Red",
    "Green",
    "Blue",
    "Yellow",
    "Orange",
    "Purple",
    "Pink",
    "Brown",
    "Gray",
    "Navy",
    "Teal",
    "Olive",
    "Maroon",
    "Silver",
    "Gold",
    "Beige",
    "Turquoise",
    "Lavender",
];

/// `first.last@provider`, `firstlast42@provider`, … from `fake`'s names and
/// free e-mail providers; lower-case ASCII only, so always valid syntax.
fn push_email(s: &mut String, rng: &mut EngineRng) {
    let first: &str = name::FirstName().fake_with_rng(rng);
    let last: &str = name::LastName().fake_with_rng(rng);
    push_local(s, first);
    match rng.random_range(0..4u8) {
        0 => s.push('.'),
        1 => s.push('_'),
        _ => {}
    }
    push_local(s, last);
    if rng.random_bool(0.5) {
        s.push_str(itoa::Buffer::new().format(rng.random_range(1..1000u32)));
    }
    s.push('@');
    if rng.random_bool(0.6) {
        let provider: &str = internet::FreeEmailProvider().fake_with_rng(rng);
        s.push_str(provider);
    } else {
        push_site_name(s, rng);
        let suffix: &str = internet::DomainSuffix().fake_with_rng(rng);
        s.push('.');
        s.push_str(suffix);
    }
}

fn push_local(s: &mut String, part: &str) {
    s.extend(
        part.chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase()),
    );
}

/// ICD-10 shape: a letter (A–T, V–Z; U is reserved), two digits and, most of
/// the time, a dot and one to three digits (`J45.909`, `E11`, `M54.5`).
/// `fake` has no ICD-10 data, so codes have the real shape, not
/// necessarily an assigned meaning.
fn icd10(rng: &mut EngineRng) -> String {
    const LETTERS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTVWXYZ";
    let mut s = String::with_capacity(7);
    s.push(LETTERS[rng.random_range(0..LETTERS.len())] as char);
    push_digits(&mut s, rng, 2);
    if rng.random_bool(0.75) {
        s.push('.');
        let n = rng.random_range(1..=3);
        push_digits(&mut s, rng, n);
    }
    s
}

/// An IBAN with valid ISO 13616 check digits for a country whose basic bank
/// account number is all digits. `fake` has no English IBAN faker.
fn iban(rng: &mut EngineRng) -> String {
    const COUNTRIES: &[(&str, usize)] = &[
        ("DE", 18),
        ("BE", 12),
        ("AT", 16),
        ("ES", 20),
        ("PL", 24),
        ("PT", 21),
        ("DK", 14),
        ("FI", 14),
        ("SE", 20),
        ("NO", 11),
    ];
    let (country, len) = COUNTRIES[rng.random_range(0..COUNTRIES.len())];
    let mut bban = String::with_capacity(len);
    push_digits(&mut bban, rng, len);
    let check = 98 - iban_mod97(&bban, country);
    format!("{country}{check:02}{bban}")
}

/// `(bban + country letters as numbers + "00") mod 97`.
pub(crate) fn iban_mod97(bban: &str, country: &str) -> u32 {
    let mut rem = 0u32;
    let mut feed = |d: u32| rem = (rem * 10 + d) % 97;
    for c in bban.chars().chain(country.chars()).chain("00".chars()) {
        match c.to_digit(36) {
            Some(v) if v >= 10 => {
                feed(v / 10);
                feed(v % 10);
            }
            Some(v) => feed(v),
            None => {}
        }
    }
    rem
}

fn push_digits(s: &mut String, rng: &mut EngineRng, n: usize) {
    for _ in 0..n {
        s.push(char::from(b'0' + rng.random_range(0..10u8)));
    }
}

fn push_capitalized(s: &mut String, word: &str) {
    let mut chars = word.chars();
    if let Some(first) = chars.next() {
        s.extend(first.to_uppercase());
        s.push_str(chars.as_str());
    }
}

fn random_uuid(rng: &mut EngineRng) -> String {
    let bytes: [u8; 16] = rng.random();
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .hyphenated()
        .to_string()
}

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
pub(crate) fn days_from_civil(y: i32, m: u32, d: u32) -> i64 {
    let y = i64::from(y) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count since 1970-01-01.
pub(crate) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn push_2(s: &mut String, n: u32) {
    s.push(char::from(b'0' + (n / 10 % 10) as u8));
    s.push(char::from(b'0' + (n % 10) as u8));
}

/// Appends `YYYY-MM-DD`.
pub(crate) fn push_date(s: &mut String, days: i64) {
    let (y, m, d) = civil_from_days(days);
    if (0..10_000).contains(&y) {
        let y = y as u32;
        push_2(s, y / 100);
        push_2(s, y % 100);
    } else {
        let _ = write!(s, "{y:04}");
    }
    s.push('-');
    push_2(s, m);
    s.push('-');
    push_2(s, d);
}

/// Appends `HH:MM:SS`.
pub(crate) fn push_time(s: &mut String, secs: i64) {
    let secs = secs.rem_euclid(86_400) as u32;
    push_2(s, secs / 3600);
    s.push(':');
    push_2(s, secs / 60 % 60);
    s.push(':');
    push_2(s, secs % 60);
}

/// Appends `YYYY-MM-DDTHH:MM:SSZ` (RFC 3339, UTC).
pub(crate) fn push_datetime(s: &mut String, secs: i64) {
    push_date(s, secs.div_euclid(86_400));
    s.push('T');
    push_time(s, secs.rem_euclid(86_400));
    s.push('Z');
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn civil_dates_round_trip() {
        for (y, m, d) in [
            (1970, 1, 1),
            (2000, 2, 29),
            (2025, 12, 31),
            (1935, 3, 1),
            (1900, 1, 1),
        ] {
            let days = days_from_civil(y, m, d);
            assert_eq!(civil_from_days(days), (i64::from(y), m, d));
            let mut s = String::new();
            push_date(&mut s, days);
            assert_eq!(s, format!("{y:04}-{m:02}-{d:02}"));
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        let mut s = String::new();
        push_datetime(&mut s, 86_400 + 3661);
        assert_eq!(s, "1970-01-02T01:01:01Z");
    }

    #[test]
    fn ibans_have_valid_check_digits() {
        let mut rng = EngineRng::seed_from_u64(7);
        for _ in 0..200 {
            let iban = iban(&mut rng);
            // Moving the first four characters to the end gives 1 mod 97.
            let (head, rest) = iban.split_at(4);
            let rearranged = format!("{rest}{head}");
            let mut rem = 0u32;
            for c in rearranged.chars() {
                let v = c.to_digit(36).expect("alphanumeric");
                rem = if v >= 10 {
                    (rem * 100 + v) % 97
                } else {
                    (rem * 10 + v) % 97
                };
            }
            assert_eq!(rem, 1, "{iban}");
        }
    }

    #[test]
    fn every_known_kind_has_a_spec() {
        for kind in crate::schema::KINDS {
            assert!(kind_spec(kind.name).is_some(), "{}", kind.name);
        }
        for kind in ENGINE_KINDS {
            assert!(kind_spec(kind).is_some(), "{kind}");
        }
    }
}
