//! Insertion-ordered collections: O(1) by id, insert and remove; pages in O(limit) (O(limit log n)
//! while removed slots wait to be compacted away).
//!
//! A resource lives in a slot of a `Vec`, in the order it was created; a hash table maps its id to
//! the slot. Removing one empties its slot rather than moving every later one down (what
//! `IndexMap::shift_remove` did, O(n) per delete); while any slot is empty, a count of the filled
//! ones, kept in a Fenwick tree, still finds the n-th resource for a page. Once half the slots
//! are empty the rest are moved down in one pass, which costs O(1) per removal over time.

use std::hash::BuildHasher;

use compact_str::CompactString;
use hashbrown::HashTable;
use serde::de::{Deserialize, Deserializer};
use serde::ser::{Serialize, SerializeMap, Serializer};

mod ranks;

use self::ranks::Ranks;

/// Ids are the sandbox's own (or a client's, bounded by the body limit), and a store lives on
/// localhost: foldhash, several times quicker than SipHash on every lookup, is enough.
type IdHasher = foldhash::fast::RandomState;

pub struct Store<T> {
    slots: Vec<Slot<T>>,
    /// The slot of each stored id, beside the id's hash: growing the table then moves entries
    /// without hashing every id again (and reading every slot to find it).
    by_id: HashTable<Indexed>,
    hasher: IdHasher,
    /// Which slots are filled, to find the n-th stored item; kept only while some slot is empty
    /// (otherwise the n-th item is in slot n, and an insert need not touch it).
    filled: Option<Ranks>,
    len: usize,
}

#[derive(Clone, Copy)]
struct Indexed {
    hash: u64,
    at: usize,
}

impl Indexed {
    /// Whether this entry is `id`'s. The hashes are compared first: a table of a million ids
    /// finds a candidate with a matching tag on one probe in ten, and reading its slot's id is a
    /// cache miss.
    #[inline]
    fn names<T>(&self, hash: u64, id: &str, slots: &[Slot<T>]) -> bool {
        self.hash == hash && slots[self.at].id == id
    }
}

struct Slot<T> {
    /// Kept in place when at most 24 bytes long (Sumvin's 10-digit image ids are; the UUIDs and
    /// prefixed ids of the other providers are longer and keep their own allocation).
    id: CompactString,
    /// `None` once removed, until the next compaction.
    item: Option<T>,
}

/// Stores of up to this many slots are searched by comparing ids.
const LINEAR_UP_TO: usize = 4;

/// Fewer empty slots than this are left alone: compacting a small store gains nothing.
const MIN_EMPTY_TO_COMPACT: usize = 64;

impl<T> Default for Store<T> {
    fn default() -> Self {
        Store {
            slots: Vec::new(),
            by_id: HashTable::new(),
            hasher: IdHasher::default(),
            filled: None,
            len: 0,
        }
    }
}

/// One page of a list, plus the total the provider reports in its headers or body.
#[derive(Debug)]
pub struct Page<'a, T> {
    pub items: Vec<&'a T>,
    pub total: usize,
}

impl<T> Store<T> {
    /// Stores `item` under `id`: after the others, or in place of the item already stored there.
    pub fn insert(&mut self, id: impl Into<CompactString>, item: T) {
        let id = id.into();
        let hash = self.hasher.hash_one(id.as_str());
        let slots = &self.slots;
        if let Some(&Indexed { at, .. }) = self.by_id.find(hash, |e| e.names(hash, &id, slots)) {
            self.slots[at].item = Some(item);
            return;
        }
        let at = self.slots.len();
        self.by_id
            .insert_unique(hash, Indexed { hash, at }, |e| e.hash);
        self.slots.push(Slot {
            id,
            item: Some(item),
        });
        if let Some(filled) = &mut self.filled {
            filled.push_filled();
        }
        self.len += 1;
    }

    #[inline]
    fn slot_of(&self, id: &str) -> Option<usize> {
        // A test's tenant holds a resource or two of a kind: comparing is quicker than hashing.
        if self.slots.len() <= LINEAR_UP_TO {
            return self
                .slots
                .iter()
                .position(|slot| slot.id == id && slot.item.is_some());
        }
        let hash = self.hasher.hash_one(id);
        self.by_id
            .find(hash, |e| e.names(hash, id, &self.slots))
            .map(|e| e.at)
    }

    #[inline]
    pub fn get(&self, id: &str) -> Option<&T> {
        self.slot_of(id).and_then(|at| self.slots[at].item.as_ref())
    }

    #[inline]
    pub fn get_mut(&mut self, id: &str) -> Option<&mut T> {
        let at = self.slot_of(id)?;
        self.slots[at].item.as_mut()
    }

    #[inline]
    pub fn contains(&self, id: &str) -> bool {
        self.slot_of(id).is_some()
    }

    /// Keeps the order of the others.
    pub fn remove(&mut self, id: &str) -> Option<T> {
        let hash = self.hasher.hash_one(id);
        let slots = &self.slots;
        let at = self
            .by_id
            .find_entry(hash, |e| e.names(hash, id, slots))
            .ok()?
            .remove()
            .0
            .at;
        let slot = &mut self.slots[at];
        let item = slot.item.take();
        slot.id = CompactString::default();
        let slots = self.slots.len();
        self.filled
            .get_or_insert_with(|| Ranks::all_filled(slots))
            .empty(at);
        self.len -= 1;
        let empty = self.slots.len() - self.len;
        if empty >= MIN_EMPTY_TO_COMPACT && empty > self.len {
            self.compact();
        }
        item
    }

    /// Moves the stored items down over the empty slots, keeping their order. The table keeps
    /// its entries and their hashes; only the slot each names changes.
    fn compact(&mut self) {
        let mut moved_to = Vec::with_capacity(self.slots.len());
        let mut kept = 0;
        for slot in &self.slots {
            moved_to.push(kept);
            kept += usize::from(slot.item.is_some());
        }
        for entry in self.by_id.iter_mut() {
            entry.at = moved_to[entry.at];
        }
        self.slots.retain(|slot| slot.item.is_some());
        self.filled = None;
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn values(&self) -> Values<'_, T> {
        Values {
            slots: self.slots.iter(),
            left: self.len,
        }
    }

    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut T> {
        self.slots.iter_mut().filter_map(|slot| slot.item.as_mut())
    }

    fn entries(&self) -> impl Iterator<Item = (&str, &T)> {
        self.slots
            .iter()
            .filter_map(|slot| Some((slot.id.as_str(), slot.item.as_ref()?)))
    }

    /// The `n`th stored item, oldest first.
    fn nth(&self, n: usize) -> Option<&T> {
        let at = if self.slots.len() == self.len {
            n
        } else {
            self.filled.as_ref()?.nth_filled(n)?
        };
        self.slots.get(at)?.item.as_ref()
    }

    /// Oldest first (`newest_first == false`) or newest first; touches only the items returned.
    pub fn page(&self, offset: usize, limit: usize, newest_first: bool) -> Page<'_, T> {
        let total = self.len;
        let start = offset.min(total);
        let end = start.saturating_add(limit).min(total);
        let items = (start..end)
            .filter_map(|i| self.nth(if newest_first { total - 1 - i } else { i }))
            .collect();
        Page { items, total }
    }
}

/// The stored items in order, either way.
pub struct Values<'a, T> {
    slots: std::slice::Iter<'a, Slot<T>>,
    left: usize,
}

impl<'a, T> Iterator for Values<'a, T> {
    type Item = &'a T;

    fn next(&mut self) -> Option<&'a T> {
        let item = self.slots.by_ref().find_map(|slot| slot.item.as_ref())?;
        self.left -= 1;
        Some(item)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl<T> DoubleEndedIterator for Values<'_, T> {
    fn next_back(&mut self) -> Option<Self::Item> {
        let item = self
            .slots
            .by_ref()
            .rev()
            .find_map(|slot| slot.item.as_ref())?;
        self.left -= 1;
        Some(item)
    }
}

impl<T> ExactSizeIterator for Values<'_, T> {}

/// Like `HashMap`'s: panics on a missing id, so use it only right after a lookup or an insert.
impl<T> std::ops::Index<&str> for Store<T> {
    type Output = T;

    fn index(&self, id: &str) -> &T {
        self.get(id).expect("the id is stored")
    }
}

impl<T: Clone> Clone for Store<T> {
    fn clone(&self) -> Self {
        self.entries()
            .map(|(id, item)| (id.to_owned(), item.clone()))
            .collect()
    }
}

impl<T> FromIterator<(String, T)> for Store<T> {
    fn from_iter<I: IntoIterator<Item = (String, T)>>(entries: I) -> Self {
        let mut store = Store::default();
        for (id, item) in entries {
            store.insert(id, item);
        }
        store
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for Store<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.entries()).finish()
    }
}

/// A JSON object of id to item, in order, as the `IndexMap` it replaced wrote it (snapshots).
impl<T: Serialize> Serialize for Store<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.len))?;
        for (id, item) in self.entries() {
            map.serialize_entry(id, item)?;
        }
        map.end()
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Store<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let entries = indexmap::IndexMap::<String, T>::deserialize(deserializer)?;
        Ok(entries.into_iter().collect())
    }
}

#[cfg(test)]
mod tests;
