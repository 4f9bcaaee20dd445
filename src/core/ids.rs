//! Id generators for every provider's format, drawn from a seeded generator for repeatability.

use compact_str::CompactString;
use rand::distr::{Alphanumeric, SampleString};
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sha2::{Digest, Sha256};

/// A tenant's own random stream: derived from the global seed and the tenant's name, so a tenant's
/// ids and fake data repeat under the same `--seed` no matter how other tenants interleave.
/// Serializable so a snapshot carries on each stream where it stopped (ids stay unique).
#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub struct SeededRng(ChaCha8Rng);

impl SeededRng {
    pub fn derive(seed: u64, scope: &str) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(seed.to_le_bytes());
        hasher.update(scope.as_bytes());
        let digest: [u8; 32] = hasher.finalize().into();
        SeededRng(ChaCha8Rng::from_seed(digest))
    }

    pub fn rng(&mut self) -> &mut ChaCha8Rng {
        &mut self.0
    }

    /// UUID v4 in its canonical dashed form.
    pub fn uuid_v4(&mut self) -> String {
        let mut bytes = [0u8; 16];
        self.0.fill_bytes(&mut bytes);
        let uuid = uuid::Builder::from_random_bytes(bytes).into_uuid();
        uuid.hyphenated()
            .encode_lower(&mut uuid::Uuid::encode_buffer())
            .to_owned()
    }

    /// `len` lowercase hex characters.
    pub fn hex(&mut self, len: usize) -> String {
        let drawn = len.div_ceil(2);
        // One draw of all the bytes, as before: drawing in pieces would change seeded ids.
        let mut out = if drawn <= 32 {
            let mut bytes = [0u8; 32];
            self.0.fill_bytes(&mut bytes[..drawn]);
            lower_hex(&bytes[..drawn])
        } else {
            let mut bytes = vec![0u8; drawn];
            self.0.fill_bytes(&mut bytes);
            lower_hex(&bytes)
        };
        out.truncate(len);
        out
    }

    /// A token such as `kyc_doc_` followed by `len` alphanumeric characters.
    pub fn prefixed(&mut self, prefix: &str, len: usize) -> String {
        let mut token = String::with_capacity(prefix.len() + len);
        token.push_str(prefix);
        Alphanumeric.append_string(&mut self.0, &mut token, len);
        token
    }

    /// `prefix`, then `len` characters of Crockford base32 (ULID alphabet), as in `kyc_doc_01J…`
    /// ids, in one allocation.
    pub fn crockford(&mut self, prefix: &str, len: usize) -> String {
        const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
        let mut text = Vec::with_capacity(prefix.len() + len);
        text.extend_from_slice(prefix.as_bytes());
        // The top five bits of a 32-bit draw: what `random_range(0..32)` returns for the same
        // draw (a power-of-two range never rejects), without its general range arithmetic and
        // a `char` pushed at a time. `crockford_is_random_range_over_the_alphabet` holds the two
        // together, so ids under a seed stay the same.
        text.extend((0..len).map(|_| ALPHABET[(self.0.next_u32() >> 27) as usize]));
        String::from_utf8(text).expect("the prefix is text and the alphabet ASCII")
    }

    /// `len` decimal digits, never starting with zero.
    pub fn digits(&mut self, len: usize) -> CompactString {
        let mut out = CompactString::with_capacity(len);
        out.push(char::from(b'1' + self.0.random_range(0..9u8)));
        for _ in 1..len {
            out.push(char::from(b'0' + self.0.random_range(0..10u8)));
        }
        out
    }

    /// URL-safe secret of `len` characters (tickets, tokens).
    pub fn secret(&mut self, len: usize) -> String {
        Alphanumeric.sample_string(&mut self.0, len)
    }
}

/// `bytes` as lowercase hex. Written digit by digit: `hex::encode` goes through a char iterator,
/// which cost a Rebilly upload more than hashing its file (and a KYCAID create makes several ids).
pub fn lower_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let text: Vec<u8> = bytes
        .iter()
        .flat_map(|&byte| {
            [
                DIGITS[usize::from(byte >> 4)],
                DIGITS[usize::from(byte & 0xf)],
            ]
        })
        .collect();
    String::from_utf8(text).expect("hex digits are ASCII")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lower_hex_is_what_the_hex_crate_writes() {
        let every_byte: Vec<u8> = (0..=255).collect();
        assert_eq!(lower_hex(&every_byte), hex::encode(&every_byte));
        assert_eq!(lower_hex(&[]), "");
    }

    #[test]
    fn crockford_is_random_range_over_the_alphabet() {
        let alphabet = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
        let mut fast = SeededRng::derive(7, "crockford");
        let mut reference = SeededRng::derive(7, "crockford");
        for _ in 0..1000 {
            let expected: String = (0..26)
                .map(|_| char::from(alphabet[reference.0.random_range(0..alphabet.len())]))
                .collect();
            assert_eq!(fast.crockford("file_", 26), format!("file_{expected}"));
        }
    }

    #[test]
    fn same_seed_and_scope_repeat() {
        let mut a = SeededRng::derive(7, "sumvin-abc");
        let mut b = SeededRng::derive(7, "sumvin-abc");
        assert_eq!(a.uuid_v4(), b.uuid_v4());
        assert_eq!(a.hex(36), b.hex(36));
        let mut c = SeededRng::derive(7, "sumvin-abd");
        assert_ne!(a.hex(36), c.hex(36));
    }

    #[test]
    fn formats() {
        let mut r = SeededRng::derive(1, "x");
        let hex36 = r.hex(36);
        assert_eq!(hex36.len(), 36);
        assert!(hex36
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        let id = r.prefixed("kyc_doc_", 16);
        assert!(id.starts_with("kyc_doc_") && id.len() == 24);
        let uuid = r.uuid_v4();
        assert_eq!(uuid::Uuid::parse_str(&uuid).unwrap().get_version_num(), 4);
        let digits = r.digits(10);
        assert!(digits.len() == 10 && !digits.starts_with('0'));
    }

    #[test]
    fn hex_ids_are_the_random_bytes_in_lowercase_hex() {
        for len in [0usize, 1, 7, 36, 64] {
            let mut ids = SeededRng::derive(3, "hex");
            let mut bytes = SeededRng::derive(3, "hex");
            let mut raw = vec![0u8; len.div_ceil(2)];
            bytes.0.fill_bytes(&mut raw);
            let mut expected = hex::encode(raw);
            expected.truncate(len);
            assert_eq!(ids.hex(len), expected);
        }
    }
}
