//! Timestamps written digit by digit. chrono's `format` parses its pattern on every call, which
//! was about a twentieth of a KYCAID read that shows three timestamps.

use std::fmt;

use chrono::{DateTime, Datelike, Timelike, Utc};

/// `YYYY-MM-DD<separator>HH:MM:SS<suffix>` in UTC, whole seconds: KYCAID's `2026-01-01 00:00:00`
/// (`' '`, `""`), RFC 3339's `2026-01-01T00:00:00Z` (`'T'`, `"Z"`).
pub fn seconds_text(at: DateTime<Utc>, separator: u8, suffix: &'static str) -> SecondsText {
    SecondsText {
        at,
        separator,
        suffix,
    }
}

pub struct SecondsText {
    at: DateTime<Utc>,
    separator: u8,
    suffix: &'static str,
}

impl SecondsText {
    /// The date and time part, for a year of four digits (`None` for others, which chrono can
    /// hold too).
    fn digits(&self) -> Option<[u8; 19]> {
        let t = self.at.naive_utc();
        let year = u32::try_from(t.year()).ok().filter(|year| *year <= 9999)?;
        let mut text = *b"0000-00-00 00:00:00";
        put_pair(&mut text[0..2], year / 100);
        put_pair(&mut text[2..4], year % 100);
        put_pair(&mut text[5..7], t.month());
        put_pair(&mut text[8..10], t.day());
        text[10] = self.separator;
        put_pair(&mut text[11..13], t.hour());
        put_pair(&mut text[14..16], t.minute());
        put_pair(&mut text[17..19], t.second());
        Some(text)
    }

    /// Appends the text to `out`, without going through `fmt`: a response shows several times.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        match self.digits() {
            Some(text) => {
                out.extend_from_slice(&text);
                out.extend_from_slice(self.suffix.as_bytes());
            }
            None => {
                use std::io::Write as _;
                write!(out, "{self}").expect("writing into a Vec cannot fail");
            }
        }
    }
}

impl fmt::Display for SecondsText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.digits() {
            Some(text) => {
                f.write_str(std::str::from_utf8(&text).map_err(|_| fmt::Error)?)?;
                f.write_str(self.suffix)
            }
            None => {
                // Years chrono can hold but four digits cannot: its own formatting.
                let pattern = format!("%Y-%m-%d{}%H:%M:%S", self.separator as char);
                write!(f, "{}{}", self.at.format(&pattern), self.suffix)
            }
        }
    }
}

/// `value` (below 100) as two digits, from a table: a timestamp is seven such pairs.
fn put_pair(slot: &mut [u8], value: u32) {
    const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
        2021222324252627282930313233343536373839\
        4041424344454647484950515253545556575859\
        6061626364656667686970717273747576777879\
        8081828384858687888990919293949596979899";
    let at = 2 * value as usize;
    slot.copy_from_slice(&PAIRS[at..at + 2]);
}

/// `value` in decimal, right-aligned and zero-padded to the slot's width.
pub fn put_digits(slot: &mut [u8], mut value: u32) {
    for digit in slot.iter_mut().rev() {
        *digit = b'0' + (value % 10) as u8;
        value /= 10;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn matches_chronos_own_formatting() {
        for at in [
            Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(1999, 12, 31, 23, 59, 59).unwrap(),
            Utc.with_ymd_and_hms(7, 3, 9, 4, 5, 6).unwrap(),
            Utc.with_ymd_and_hms(2026, 6, 15, 12, 30, 45).unwrap()
                + chrono::Duration::milliseconds(987),
        ] {
            assert_eq!(
                seconds_text(at, b' ', "").to_string(),
                at.format("%Y-%m-%d %H:%M:%S").to_string()
            );
            assert_eq!(
                seconds_text(at, b'T', "Z").to_string(),
                at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
            );
        }
    }

    #[test]
    fn every_pair_of_digits_matches_chrono_across_centuries() {
        let start = Utc.with_ymd_and_hms(1900, 1, 1, 0, 0, 0).unwrap();
        for step in 0..20_000 {
            // A stride prime to every unit, so seconds, minutes, hours, days and months all vary.
            let at = start + chrono::Duration::seconds(step * 1_987_651);
            assert_eq!(
                seconds_text(at, b'T', "Z").to_string(),
                at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
            );
        }
    }

    #[test]
    fn years_past_four_digits_fall_back_to_chrono() {
        let far = Utc.with_ymd_and_hms(12345, 1, 2, 3, 4, 5).unwrap();
        assert_eq!(
            seconds_text(far, b'T', "Z").to_string(),
            far.format("%Y-%m-%dT%H:%M:%SZ").to_string()
        );
    }

    #[test]
    fn written_bytes_are_the_displayed_text() {
        for at in [
            Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(12345, 1, 2, 3, 4, 5).unwrap(),
        ] {
            let text = seconds_text(at, b'T', "Z");
            let mut out = b"x".to_vec();
            text.write_to(&mut out);
            assert_eq!(out, format!("x{text}").into_bytes());
        }
    }
}
