//! Which slots of a store hold an item, as a Fenwick tree: a slot filled or emptied, a slot
//! appended, and the n-th filled slot found, each in O(log n).

/// `tree[i]` (1-based) counts the filled slots among slots `i - lowbit(i)` to `i - 1` (0-based).
pub(super) struct Ranks {
    tree: Vec<u32>,
}

impl Default for Ranks {
    fn default() -> Self {
        Ranks { tree: vec![0] }
    }
}

fn lowbit(i: usize) -> usize {
    i & i.wrapping_neg()
}

impl Ranks {
    /// `slots` slots, every one filled.
    pub fn all_filled(slots: usize) -> Self {
        let tree = (0..=slots).map(|i| lowbit(i) as u32).collect();
        Ranks { tree }
    }

    /// How many of the first `slots` slots are filled.
    fn filled_before(&self, mut slots: usize) -> u32 {
        let mut sum = 0;
        while slots > 0 {
            sum += self.tree[slots];
            slots -= lowbit(slots);
        }
        sum
    }

    /// Appends a filled slot.
    pub fn push_filled(&mut self) {
        let i = self.tree.len();
        let covered = self.filled_before(i - 1) - self.filled_before(i - lowbit(i));
        self.tree.push(covered + 1);
    }

    /// Empties slot `at`, which was filled.
    pub fn empty(&mut self, at: usize) {
        let mut i = at + 1;
        while i < self.tree.len() {
            self.tree[i] -= 1;
            i += lowbit(i);
        }
    }

    /// The slot of the `n`th filled one (0-based), if there are that many.
    pub fn nth_filled(&self, n: usize) -> Option<usize> {
        let mut wanted = u32::try_from(n).ok()?.checked_add(1)?;
        let mut at = 0;
        let mut step = (self.tree.len() - 1)
            .checked_ilog2()
            .map_or(0, |log| 1 << log);
        while step > 0 {
            if at + step < self.tree.len() && self.tree[at + step] < wanted {
                at += step;
                wanted -= self.tree[at];
            }
            step /= 2;
        }
        (at + 1 < self.tree.len()).then_some(at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_nth_filled_slot_as_a_scan_would() {
        let mut ranks = Ranks::default();
        let mut filled = Vec::new();
        for at in 0..200 {
            ranks.push_filled();
            filled.push(true);
            if at % 3 == 0 || at % 7 == 0 {
                ranks.empty(at);
                filled[at] = false;
            }
            let expected: Vec<usize> = (0..filled.len()).filter(|&i| filled[i]).collect();
            for (n, slot) in expected.iter().enumerate() {
                assert_eq!(ranks.nth_filled(n), Some(*slot), "n {n} after {at}");
            }
            assert_eq!(ranks.nth_filled(expected.len()), None);
        }
        let full = Ranks::all_filled(37);
        assert!((0..37).all(|n| full.nth_filled(n) == Some(n)));
        assert_eq!(full.nth_filled(37), None);
        assert_eq!(Ranks::default().nth_filled(0), None);
    }
}
