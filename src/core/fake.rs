//! Seeded fake people: the identity a provider "extracts" from uploaded documents.

use chrono::NaiveDate;
use fake::faker::address::en::{CityName, StreetName, ZipCode};
use fake::faker::internet::en::SafeEmail;
use fake::faker::name::en::{FirstName, LastName};
use fake::Fake;
use rand::Rng;
use serde::Serialize;

use super::ids::SeededRng;

#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct FakePerson {
    pub first_name: String,
    pub last_name: String,
    pub date_of_birth: NaiveDate,
    pub email: String,
    pub street: String,
    pub city: String,
    pub postal_code: String,
    pub document_number: String,
}

impl FakePerson {
    pub fn generate(rng: &mut SeededRng) -> Self {
        let rng = rng.rng();
        let first_name: String = FirstName().fake_with_rng(rng);
        let last_name: String = LastName().fake_with_rng(rng);
        let year = rng.random_range(1950..=2004);
        let ordinal = rng.random_range(1..=365);
        let date_of_birth = NaiveDate::from_yo_opt(year, ordinal).unwrap_or_default();
        let email: String = SafeEmail().fake_with_rng(rng);
        let number: u32 = rng.random_range(1..=250);
        let street_name: String = StreetName().fake_with_rng(rng);
        let city: String = CityName().fake_with_rng(rng);
        let postal_code: String = ZipCode().fake_with_rng(rng);
        let letters: String = (0..2)
            .map(|_| char::from(b'A' + rng.random_range(0..26u8)))
            .collect();
        let document_number = format!("{letters}{:07}", rng.random_range(0..10_000_000u32));
        FakePerson {
            first_name,
            last_name,
            date_of_birth,
            email,
            street: format!("{number} {street_name}"),
            city,
            postal_code,
            document_number,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_person() {
        let a = FakePerson::generate(&mut SeededRng::derive(42, "t"));
        let b = FakePerson::generate(&mut SeededRng::derive(42, "t"));
        assert_eq!(a, b);
        let c = FakePerson::generate(&mut SeededRng::derive(43, "t"));
        assert_ne!(a, c);
        assert!(!a.first_name.is_empty() && a.document_number.len() == 9);
    }
}
