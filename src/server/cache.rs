//! Answers to recent searches, kept while the index stays the same.
//!
//! During an incident many people search for the same thing at once (the
//! page that alerts everyone names the symptom), and the search page asks
//! again for each page of results. A search over a large knowledge base
//! costs milliseconds of CPU; a repeated one should not. Entries are keyed
//! by the index generation, so a new import is visible at once: the old
//! answers simply stop being asked for, and age out.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::search::SearchResults;

/// What identifies an answer: the index it came from and the request.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    pub generation: u64,
    pub query: String,
    pub limit: usize,
    pub offset: usize,
}

/// A bounded map that forgets the least recently used answer when full.
pub struct SearchCache {
    capacity: usize,
    entries: Mutex<Entries>,
}

#[derive(Default)]
struct Entries {
    map: HashMap<Key, (Arc<SearchResults>, u64)>,
    clock: u64,
}

impl SearchCache {
    /// `capacity` 0 turns the cache off.
    pub fn new(capacity: usize) -> SearchCache {
        SearchCache {
            capacity,
            entries: Mutex::new(Entries::default()),
        }
    }

    pub fn get(&self, key: &Key) -> Option<Arc<SearchResults>> {
        if self.capacity == 0 {
            return None;
        }
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.clock += 1;
        let now = entries.clock;
        let (results, used) = entries.map.get_mut(key)?;
        *used = now;
        Some(results.clone())
    }

    pub fn put(&self, key: Key, results: Arc<SearchResults>) {
        if self.capacity == 0 {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.map.len() >= self.capacity && !entries.map.contains_key(&key) {
            // A scan of a few hundred entries costs far less than the search
            // whose answer is being stored.
            let oldest = entries
                .map
                .iter()
                .min_by_key(|(_, (_, used))| *used)
                .map(|(key, _)| key.clone());
            if let Some(oldest) = oldest {
                entries.map.remove(&oldest);
            }
        }
        entries.clock += 1;
        let now = entries.clock;
        entries.map.insert(key, (results, now));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(query: &str, generation: u64) -> Key {
        Key {
            generation,
            query: query.into(),
            limit: 10,
            offset: 0,
        }
    }

    fn results(query: &str) -> Arc<SearchResults> {
        Arc::new(SearchResults {
            query: query.into(),
            total: 0,
            took_ms: 0.0,
            near_spellings: false,
            hits: Vec::new(),
        })
    }

    #[test]
    fn forgets_the_least_recently_used_and_never_grows_past_capacity() {
        let cache = SearchCache::new(2);
        cache.put(key("a", 1), results("a"));
        cache.put(key("b", 1), results("b"));
        assert!(cache.get(&key("a", 1)).is_some());
        cache.put(key("c", 1), results("c"));
        assert!(
            cache.get(&key("b", 1)).is_none(),
            "b was least recently used"
        );
        assert_eq!(
            cache.get(&key("a", 1)).map(|r| r.query.clone()),
            Some("a".into())
        );
        assert!(cache.get(&key("c", 1)).is_some());
        assert!(
            cache.get(&key("a", 2)).is_none(),
            "another index generation"
        );
    }

    #[test]
    fn capacity_zero_stores_nothing() {
        let cache = SearchCache::new(0);
        cache.put(key("a", 1), results("a"));
        assert!(cache.get(&key("a", 1)).is_none());
    }
}
