//! Places whose parts agree: city, region, postal code shape, country,
//! country code and phone prefix, from `data/places.txt`.

use std::sync::OnceLock;

use fake::Fake;
use fake::faker::address::en as address;
use rand::RngExt;

use super::PlacePart;
use crate::engine::EngineRng;

/// A country and the shapes of its codes.
pub(crate) struct Country {
    pub(crate) code: &'static str,
    pub(crate) name: &'static str,
    pub(crate) phone_prefix: &'static str,
    postcode: &'static str,
    phone: &'static str,
}

/// A city in a country.
pub(crate) struct City {
    pub(crate) name: &'static str,
    pub(crate) region: &'static str,
    region_code: &'static str,
    postcode_start: &'static str,
    pub(crate) country: usize,
}

pub(crate) struct Places {
    pub(crate) countries: Vec<Country>,
    pub(crate) cities: Vec<City>,
}

pub(crate) fn places() -> &'static Places {
    static PLACES: OnceLock<Places> = OnceLock::new();
    PLACES.get_or_init(|| {
        let mut places = Places {
            countries: Vec::new(),
            cities: Vec::new(),
        };
        for line in include_str!("../../data/places.txt").lines() {
            let f: Vec<&'static str> = line.split('|').collect();
            match f.as_slice() {
                ["country", code, name, prefix, postcode, phone] => places.countries.push(Country {
                    code,
                    name,
                    phone_prefix: prefix,
                    postcode,
                    phone,
                }),
                ["city", name, region, region_code, start] if !places.countries.is_empty() => {
                    places.cities.push(City {
                        name,
                        region,
                        region_code,
                        postcode_start: start,
                        country: places.countries.len() - 1,
                    });
                }
                _ => {}
            }
        }
        places
    })
}

/// One place for a row: a city (and so its country), and a street.
pub(crate) struct Place {
    city: &'static City,
    postcode: String,
    street: String,
}

impl Place {
    /// A random place; US places are half of all, as in most app data.
    pub(crate) fn random(rng: &mut EngineRng) -> Place {
        let p = places();
        let us = p.cities.iter().take_while(|c| c.country == 0).count();
        let city = if rng.random_bool(0.5) && us > 0 {
            &p.cities[rng.random_range(0..us)]
        } else {
            &p.cities[rng.random_range(0..p.cities.len())]
        };
        let country = &p.countries[city.country];
        let mut postcode = String::with_capacity(10);
        let mut start = city.postcode_start.chars();
        for c in country.postcode.chars() {
            match c {
                '#' | '@' => match start.next() {
                    Some(s) if (c == '#') == s.is_ascii_digit() => postcode.push(s),
                    _ if c == '#' => postcode.push(char::from(b'0' + rng.random_range(0..10u8))),
                    _ => postcode.push(char::from(b'A' + rng.random_range(0..26u8))),
                },
                other => postcode.push(other),
            }
        }
        let number: String = address::BuildingNumber().fake_with_rng(rng);
        let street: String = address::StreetName().fake_with_rng(rng);
        Place {
            city,
            postcode,
            street: format!("{number} {street}"),
        }
    }

    fn country(&self) -> &'static Country {
        &places().countries[self.city.country]
    }

    /// The text of `part`.
    pub(crate) fn part(&self, part: PlacePart, rng: &mut EngineRng) -> String {
        let country = self.country();
        match part {
            PlacePart::City => self.city.name.to_owned(),
            PlacePart::Region => self.city.region.to_owned(),
            PlacePart::Postcode => self.postcode.clone(),
            PlacePart::Country => country.name.to_owned(),
            PlacePart::CountryCode => country.code.to_owned(),
            PlacePart::Phone => {
                let mut s = String::with_capacity(20);
                s.push_str(country.phone_prefix);
                s.push(' ');
                for c in country.phone.chars() {
                    if c == '#' {
                        s.push(char::from(b'0' + rng.random_range(0..10u8)));
                    } else {
                        s.push(c);
                    }
                }
                s
            }
            PlacePart::Street => self.street.clone(),
            PlacePart::Address => match country.code {
                "US" | "CA" | "AU" => format!(
                    "{}, {}, {} {}",
                    self.street, self.city.name, self.city.region_code, self.postcode
                ),
                "GB" | "IE" => format!("{}, {}, {}", self.street, self.city.name, self.postcode),
                _ => format!("{}, {} {}", self.street, self.postcode, self.city.name),
            },
        }
    }
}

/// The country a country name or code is, if known.
pub(crate) fn country_index(value: &str) -> Option<usize> {
    places()
        .countries
        .iter()
        .position(|c| c.name.eq_ignore_ascii_case(value) || c.code.eq_ignore_ascii_case(value))
}

/// The countries a city name belongs to (most names belong to one).
pub(crate) fn city_countries(value: &str) -> Vec<usize> {
    places()
        .cities
        .iter()
        .filter(|c| c.name.eq_ignore_ascii_case(value))
        .map(|c| c.country)
        .collect()
}

/// Whether the non-empty parts given agree, as far as the data knows: a
/// city and country that are both known must be of one country; a known
/// country's phone must carry its prefix. Unknown names cannot be judged
/// and count as agreeing.
pub(crate) fn parts_agree(parts: &[(PlacePart, &str)]) -> bool {
    let mut country: Option<usize> = None;
    for (part, value) in parts {
        if matches!(part, PlacePart::Country | PlacePart::CountryCode) {
            match (country, country_index(value)) {
                (Some(a), Some(b)) if a != b => return false,
                (None, Some(b)) => country = Some(b),
                _ => {}
            }
        }
    }
    let Some(country) = country else {
        return true;
    };
    let c = &places().countries[country];
    parts.iter().all(|(part, value)| match part {
        PlacePart::City => {
            let of = city_countries(value);
            of.is_empty() || of.contains(&country)
        }
        PlacePart::Phone => !value.starts_with('+') || value.starts_with(c.phone_prefix),
        _ => true,
    })
}
