//! Insertion-ordered collections: O(1) by id, pages in O(limit).

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Store<T> {
    items: IndexMap<String, T, IdHasher>,
}

/// Ids are the sandbox's own (or a client's, bounded by the body limit), and a store lives on
/// localhost: foldhash, several times quicker than SipHash on every lookup, is enough.
type IdHasher = foldhash::fast::RandomState;

impl<T> Default for Store<T> {
    fn default() -> Self {
        Store {
            items: IndexMap::default(),
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
    pub fn insert(&mut self, id: String, item: T) {
        self.items.insert(id, item);
    }

    pub fn get(&self, id: &str) -> Option<&T> {
        self.items.get(id)
    }

    pub fn get_mut(&mut self, id: &str) -> Option<&mut T> {
        self.items.get_mut(id)
    }

    pub fn contains(&self, id: &str) -> bool {
        self.items.contains_key(id)
    }

    /// Keeps the order of the others.
    pub fn remove(&mut self, id: &str) -> Option<T> {
        self.items.shift_remove(id)
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &T> + ExactSizeIterator {
        self.items.values()
    }

    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut T> {
        self.items.values_mut()
    }

    /// Oldest first (`newest_first == false`) or newest first; touches only the items returned.
    pub fn page(&self, offset: usize, limit: usize, newest_first: bool) -> Page<'_, T> {
        let total = self.items.len();
        let start = offset.min(total);
        let end = start.saturating_add(limit).min(total);
        let items = (start..end)
            .filter_map(|i| {
                let index = if newest_first { total - 1 - i } else { i };
                self.items.get_index(index).map(|(_, v)| v)
            })
            .collect();
        Page { items, total }
    }
}

/// Like `HashMap`'s: panics on a missing id, so use it only right after a lookup or an insert.
impl<T> std::ops::Index<&str> for Store<T> {
    type Output = T;

    fn index(&self, id: &str) -> &T {
        &self.items[id]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(n: usize) -> Store<usize> {
        let mut s = Store::default();
        for i in 0..n {
            s.insert(format!("id{i}"), i);
        }
        s
    }

    #[test]
    fn pages_both_ways() {
        let s = store(5);
        let p = s.page(1, 2, false);
        assert_eq!((p.items, p.total), (vec![&1, &2], 5));
        assert_eq!(s.page(0, 2, true).items, vec![&4, &3]);
        assert!(s.page(9, 2, false).items.is_empty());
        assert_eq!(s.page(4, 100, false).items, vec![&4]);
    }

    #[test]
    fn remove_keeps_order() {
        let mut s = store(4);
        assert_eq!(s.remove("id1"), Some(1));
        assert_eq!(s.values().copied().collect::<Vec<_>>(), vec![0, 2, 3]);
        assert!(s.get("id1").is_none() && s.contains("id2"));
    }
}
