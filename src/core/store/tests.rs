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

fn ids<T>(s: &Store<T>) -> Vec<&str> {
    s.entries().map(|(id, _)| id).collect()
}

#[test]
fn an_id_stored_again_keeps_its_place_and_one_removed_comes_back_last() {
    let mut s = store(3);
    s.insert("id0", 10);
    assert_eq!(ids(&s), ["id0", "id1", "id2"]);
    assert_eq!(s["id0"], 10);
    s.remove("id0");
    s.insert("id0", 20);
    assert_eq!(ids(&s), ["id1", "id2", "id0"]);
    assert_eq!(s.page(0, 10, false).items, [&1, &2, &20]);
    assert_eq!(s.page(1, 1, true).items, [&2]);
    assert_eq!((s.len(), s.remove("absent")), (3, None));
}

#[test]
fn pages_skip_removed_items_before_and_after_compaction() {
    let mut s = store(1000);
    let mut kept: Vec<usize> = (0..1000).collect();
    // Enough removals to compact more than once, with pages checked in between.
    for (round, gone) in (0..1000).filter(|i| i % 4 != 1).enumerate() {
        assert_eq!(s.remove(&format!("id{gone}")), Some(gone));
        kept.retain(|&k| k != gone);
        if round % 97 == 0 {
            for (offset, newest_first) in [(0, false), (5, false), (0, true), (7, true)] {
                let page = s.page(offset, 10, newest_first);
                let expected: Vec<&usize> = if newest_first {
                    kept.iter().rev().skip(offset).take(10).collect()
                } else {
                    kept.iter().skip(offset).take(10).collect()
                };
                assert_eq!((page.items, page.total), (expected, kept.len()));
            }
        }
    }
    assert!(
        s.slots.len() < 2 * s.len() + MIN_EMPTY_TO_COMPACT,
        "compacted"
    );
    assert_eq!(s.values().copied().collect::<Vec<_>>(), kept);
    assert_eq!(
        s.values().rev().copied().collect::<Vec<_>>(),
        kept.iter().rev().copied().collect::<Vec<_>>()
    );
    assert_eq!(s.values().len(), kept.len());
    assert!(kept.iter().all(|k| s.get(&format!("id{k}")) == Some(k)));
    assert!(!s.contains("id0") && s.contains("id1"));
}

#[test]
fn serializes_as_the_ordered_map_it_replaced() {
    let mut s = store(4);
    s.remove("id1");
    *s.get_mut("id3").unwrap() = 33;
    let json = serde_json::to_string(&s).unwrap();
    assert_eq!(json, r#"{"id0":0,"id2":2,"id3":33}"#);
    let back: Store<usize> = serde_json::from_str(&json).unwrap();
    assert_eq!(serde_json::to_string(&back).unwrap(), json);
    assert_eq!(format!("{back:?}"), r#"{"id0": 0, "id2": 2, "id3": 33}"#);
    assert_eq!(serde_json::to_string(&back.clone()).unwrap(), json);
}

#[test]
fn small_and_large_stores_find_the_same_ids() {
    for size in [0, 1, LINEAR_UP_TO, LINEAR_UP_TO + 1, 40] {
        let mut s = store(size);
        for i in (0..size).step_by(2) {
            s.remove(&format!("id{i}"));
        }
        for i in 0..size {
            assert_eq!(
                s.get(&format!("id{i}")).is_some(),
                i % 2 == 1,
                "{size}: id{i}"
            );
        }
        // A removed slot's id is cleared; an empty id must not find it.
        assert!(!s.contains("") && s.get("absent").is_none());
    }
}
