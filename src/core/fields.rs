//! A request body's top-level JSON members, in the order sent, for bodies read field by field.
//!
//! A create's body holds a handful of fields, each looked up a few times. `serde_json::Map`
//! hashes every key with SipHash and allocates an index besides its entries; for four fields
//! that cost more than comparing names does. A body with many members (a client's mistake, or
//! a hostile one) gets a hash index too, so a lookup never walks thousands of names.

use std::fmt;
use std::hash::BuildHasher;

use hashbrown::HashTable;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::{Map, Value};

/// Bodies with more members than this are also indexed by name.
const LINEAR_UP_TO: usize = 16;

type NameHasher = foldhash::fast::RandomState;

#[derive(Default)]
pub struct Fields {
    entries: Vec<(String, Value)>,
    index: Option<Index>,
}

struct Index {
    table: HashTable<usize>,
    hasher: NameHasher,
}

impl Fields {
    pub fn new() -> Self {
        Fields::default()
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.position(name).map(|at| &self.entries[at].1)
    }

    pub fn get_mut(&mut self, name: &str) -> Option<&mut Value> {
        self.position(name).map(|at| &mut self.entries[at].1)
    }

    pub fn contains_key(&self, name: &str) -> bool {
        self.position(name).is_some()
    }

    /// As `serde_json::Map` does: a name given again keeps its first position and takes the new
    /// value.
    pub fn insert(&mut self, name: String, value: Value) {
        match self.position(&name) {
            Some(at) => self.entries[at].1 = value,
            None => {
                let at = self.entries.len();
                if let Some(index) = &mut self.index {
                    index.add(&self.entries, &name, at);
                }
                self.entries.push((name, value));
                if self.index.is_none() && self.entries.len() > LINEAR_UP_TO {
                    self.index = Some(Index::of(&self.entries));
                }
            }
        }
    }

    /// Takes a field out; the others keep their order.
    pub fn remove(&mut self, name: &str) -> Option<Value> {
        let at = self.position(name)?;
        let (_, value) = self.entries.remove(at);
        if self.index.is_some() {
            self.index = Some(Index::of(&self.entries));
        }
        Some(value)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.into_iter()
    }

    fn position(&self, name: &str) -> Option<usize> {
        match &self.index {
            None => self.entries.iter().position(|(n, _)| n == name),
            Some(index) => index.find(&self.entries, name),
        }
    }
}

impl Index {
    fn of(entries: &[(String, Value)]) -> Index {
        let mut index = Index {
            table: HashTable::with_capacity(entries.len() * 2),
            hasher: NameHasher::default(),
        };
        for (at, (name, _)) in entries.iter().enumerate() {
            index.add(entries, name, at);
        }
        index
    }

    fn add(&mut self, entries: &[(String, Value)], name: &str, at: usize) {
        let hasher = &self.hasher;
        self.table.insert_unique(hasher.hash_one(name), at, |&i| {
            let known: &str = if i == at { name } else { &entries[i].0 };
            hasher.hash_one(known)
        });
    }

    fn find(&self, entries: &[(String, Value)], name: &str) -> Option<usize> {
        self.table
            .find(self.hasher.hash_one(name), |&i| entries[i].0 == name)
            .copied()
    }
}

/// Where checks look a body's fields up: the top level of a body, or an object inside it.
pub trait Lookup {
    fn lookup(&self, name: &str) -> Option<&Value>;
}

impl Lookup for Fields {
    fn lookup(&self, name: &str) -> Option<&Value> {
        self.get(name)
    }
}

impl Lookup for Map<String, Value> {
    fn lookup(&self, name: &str) -> Option<&Value> {
        self.get(name)
    }
}

impl std::ops::Index<&str> for Fields {
    type Output = Value;

    fn index(&self, name: &str) -> &Value {
        self.get(name).expect("no such field")
    }
}

impl FromIterator<(String, Value)> for Fields {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(items: I) -> Self {
        let mut fields = Fields::new();
        for (name, value) in items {
            fields.insert(name, value);
        }
        fields
    }
}

impl IntoIterator for Fields {
    type Item = (String, Value);
    type IntoIter = std::vec::IntoIter<(String, Value)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl<'a> IntoIterator for &'a Fields {
    type Item = (&'a String, &'a Value);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (String, Value)>,
        fn(&'a (String, Value)) -> (&'a String, &'a Value),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|(name, value)| (name, value))
    }
}

impl fmt::Debug for Fields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// Deserializes from a JSON object only; nested values are ordinary `Value`s.
impl<'de> Deserialize<'de> for Fields {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(FieldsVisitor)
    }
}

struct FieldsVisitor;

impl<'de> Visitor<'de> for FieldsVisitor {
    type Value = Fields;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Fields, A::Error> {
        let mut fields = Fields {
            entries: Vec::with_capacity(access.size_hint().unwrap_or(8).min(LINEAR_UP_TO)),
            index: None,
        };
        while let Some((name, value)) = access.next_entry::<String, Value>()? {
            fields.insert(name, value);
        }
        Ok(fields)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// What `serde_json`'s own map makes of the same text, to compare with.
    fn as_map(fields: Fields) -> Map<String, Value> {
        fields.into_iter().collect()
    }

    #[test]
    fn a_repeated_name_keeps_its_place_and_takes_the_last_value() {
        let fields: Fields = serde_json::from_str(r#"{"a": 1, "b": 2, "a": 3}"#).unwrap();
        let names: Vec<_> = fields.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
        assert_eq!(fields["a"], json!(3));
        let map: Map<String, Value> = serde_json::from_str(r#"{"a": 1, "b": 2, "a": 3}"#).unwrap();
        assert_eq!(as_map(fields), map);
    }

    #[test]
    fn many_members_are_found_through_the_index() {
        let text = format!(
            "{{{}}}",
            (0..1000)
                .map(|i| format!("\"k{}\": {i}", i % 700))
                .collect::<Vec<_>>()
                .join(",")
        );
        let fields: Fields = serde_json::from_str(&text).unwrap();
        assert!(fields.index.is_some());
        assert_eq!(fields.len(), 700);
        assert_eq!(fields["k5"], json!(705));
        assert_eq!(fields["k699"], json!(699));
        assert!(fields.get("k700").is_none());
        let map: Map<String, Value> = serde_json::from_str(&text).unwrap();
        assert_eq!(as_map(fields), map);
    }

    #[test]
    fn only_objects_are_fields() {
        assert!(serde_json::from_str::<Fields>("[1, 2]").is_err());
        assert!(serde_json::from_str::<Fields>("\"a\"").is_err());
    }
}
