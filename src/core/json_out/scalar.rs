//! Values written into the buffer: scalars by hand, anything else through `serde_json`.
//!
//! Most of what a body holds is strings, numbers, booleans and nulls. Through `serde_json`'s
//! serializer each string is escaped a byte at a time through its `io::Write` path; here a string
//! with nothing to escape (nearly all of them) is copied whole. Arrays, objects and floats go to
//! `serde_json`, so the text is always what it would have written.

use serde::ser::{self, Impossible, Serialize};

/// `value` as JSON, appended to `out`.
pub(super) fn write_value<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) {
    let start = out.len();
    if value.serialize(Scalar(out)).is_err() {
        // Not a scalar: nothing was written, since only the outermost value can refuse. Cut back
        // anyway, so a future refusal deeper down could not leave half a value behind.
        out.truncate(start);
        // Writing into a `Vec` cannot fail; only a `Serialize` impl can (a map with non-string
        // keys), which is a bug, as `json!` treats it.
        serde_json::to_writer(out, value).expect("the value serializes as JSON");
    }
}

/// `text` as a JSON string.
pub(super) fn write_str(out: &mut Vec<u8>, text: &str) {
    if needs_escape(text.as_bytes()) {
        serde_json::to_writer(out, text).expect("a string serializes as JSON");
    } else {
        out.reserve(text.len() + 2);
        out.push(b'"');
        out.extend_from_slice(text.as_bytes());
        out.push(b'"');
    }
}

/// Whether JSON must escape a byte of `text` (a control character, `"` or `\\`). Looked at
/// eight bytes at a time: every key and formatted value of every body passes here.
#[inline(always)]
pub(super) fn needs_escape(text: &[u8]) -> bool {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    const HIGH_BITS: u64 = ONES * 0x80;
    // The classic "has a byte less than n" test (n <= 128): set high bits mark such bytes.
    let below = |word: u64, n: u8| word.wrapping_sub(ONES * n as u64) & !word & HIGH_BITS;
    let any_in = |word: u64| {
        below(word, 0x20)
            | below(word ^ (ONES * b'"' as u64), 1)
            | below(word ^ (ONES * b'\\' as u64), 1)
            != 0
    };
    let word = |bytes: &[u8]| u64::from_ne_bytes(bytes.try_into().expect("eight bytes"));
    let half = |bytes: &[u8]| u32::from_ne_bytes(bytes.try_into().expect("four bytes")) as u64;
    match text.len() {
        // Two overlapping halves make a word: no copy into a padded buffer.
        4..8 => any_in(half(&text[..4]) | half(&text[text.len() - 4..]) << 32),
        0..4 => text.iter().any(|&b| b < 0x20 || b == b'"' || b == b'\\'),
        _ => {
            let mut chunks = text.chunks_exact(8);
            chunks.by_ref().any(|chunk| any_in(word(chunk)))
                || (!chunks.remainder().is_empty() && any_in(word(&text[text.len() - 8..])))
        }
    }
}

/// A serializer for scalars only; it refuses anything else before writing a byte.
struct Scalar<'a>(&'a mut Vec<u8>);

/// The value is not a scalar this module writes: `serde_json` writes it instead.
#[derive(Debug)]
struct NotScalar;

impl std::fmt::Display for NotScalar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("not a scalar")
    }
}

impl std::error::Error for NotScalar {}

impl ser::Error for NotScalar {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        NotScalar
    }
}

impl Scalar<'_> {
    fn integer(self, n: impl itoa::Integer) -> Result<(), NotScalar> {
        self.0
            .extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
        Ok(())
    }

    fn null(self) -> Result<(), NotScalar> {
        self.0.extend_from_slice(b"null");
        Ok(())
    }
}

impl ser::Serializer for Scalar<'_> {
    type Ok = ();
    type Error = NotScalar;
    type SerializeSeq = Impossible<(), NotScalar>;
    type SerializeTuple = Impossible<(), NotScalar>;
    type SerializeTupleStruct = Impossible<(), NotScalar>;
    type SerializeTupleVariant = Impossible<(), NotScalar>;
    type SerializeMap = Impossible<(), NotScalar>;
    type SerializeStruct = Impossible<(), NotScalar>;
    type SerializeStructVariant = Impossible<(), NotScalar>;

    fn serialize_bool(self, v: bool) -> Result<(), NotScalar> {
        self.0
            .extend_from_slice(if v { b"true" as &[u8] } else { b"false" });
        Ok(())
    }

    fn serialize_i8(self, v: i8) -> Result<(), NotScalar> {
        self.integer(v)
    }

    fn serialize_i16(self, v: i16) -> Result<(), NotScalar> {
        self.integer(v)
    }

    fn serialize_i32(self, v: i32) -> Result<(), NotScalar> {
        self.integer(v)
    }

    fn serialize_i64(self, v: i64) -> Result<(), NotScalar> {
        self.integer(v)
    }

    fn serialize_i128(self, v: i128) -> Result<(), NotScalar> {
        self.integer(v)
    }

    fn serialize_u8(self, v: u8) -> Result<(), NotScalar> {
        self.integer(v)
    }

    fn serialize_u16(self, v: u16) -> Result<(), NotScalar> {
        self.integer(v)
    }

    fn serialize_u32(self, v: u32) -> Result<(), NotScalar> {
        self.integer(v)
    }

    fn serialize_u64(self, v: u64) -> Result<(), NotScalar> {
        self.integer(v)
    }

    fn serialize_u128(self, v: u128) -> Result<(), NotScalar> {
        self.integer(v)
    }

    // Floats (and non-finite ones, which are `null`) are left to `serde_json`'s formatting.
    fn serialize_f32(self, _: f32) -> Result<(), NotScalar> {
        Err(NotScalar)
    }

    fn serialize_f64(self, _: f64) -> Result<(), NotScalar> {
        Err(NotScalar)
    }

    fn serialize_char(self, v: char) -> Result<(), NotScalar> {
        write_str(self.0, v.encode_utf8(&mut [0; 4]));
        Ok(())
    }

    fn serialize_str(self, v: &str) -> Result<(), NotScalar> {
        write_str(self.0, v);
        Ok(())
    }

    fn serialize_bytes(self, _: &[u8]) -> Result<(), NotScalar> {
        Err(NotScalar)
    }

    fn serialize_none(self) -> Result<(), NotScalar> {
        self.null()
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), NotScalar> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), NotScalar> {
        self.null()
    }

    fn serialize_unit_struct(self, _: &'static str) -> Result<(), NotScalar> {
        self.null()
    }

    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), NotScalar> {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), NotScalar> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), NotScalar> {
        Err(NotScalar)
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, NotScalar> {
        Err(NotScalar)
    }

    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, NotScalar> {
        Err(NotScalar)
    }

    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, NotScalar> {
        Err(NotScalar)
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, NotScalar> {
        Err(NotScalar)
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, NotScalar> {
        Err(NotScalar)
    }

    fn serialize_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStruct, NotScalar> {
        Err(NotScalar)
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, NotScalar> {
        Err(NotScalar)
    }
}
