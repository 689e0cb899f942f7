//! The search page's filters: how many of a query's matches have each
//! technology, tag and year. They were a tantivy terms aggregation over the
//! query, which ran the whole plan again through tantivy's scorers: at 100k
//! posts a search page took 23-40 ms against 4-13 ms for the same page of
//! hits without filters, and the start page 22-27 ms. Here the matches come
//! from the search's own pass, as a bit per document, and each value's
//! postings (the fields are indexed as whole values) are counted against
//! them: 10-24 ms for a search page, 6-10 ms for the start page. Reading
//! each match's values from the fast fields instead cost about the same.

use std::collections::HashMap;

use serde::Serialize;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, SegmentReader, TantivyError};

use crate::error::Result;
use crate::extract::technologies;

/// How many incidents among all matches have each technology, tag and
/// year: the filters of the search page.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Facets {
    pub technologies: Vec<(String, u64)>,
    pub tags: Vec<(String, u64)>,
    pub years: Vec<(String, u64)>,
}

/// Technologies and tags shown: the commonest.
const FACET_SIZE: usize = 12;
/// Years shown: the latest.
const YEARS_SHOWN: usize = 30;

/// The fast fields counted, as the index names them.
const FIELDS: [&str; 3] = ["technologies", "tags", "year"];

/// Counts, per field, how many matches have each value.
#[derive(Default)]
pub(super) struct FacetCounter {
    counts: [HashMap<String, u64>; 3],
    /// The matches of the segment at hand, a bit each (reused).
    matched: Vec<u64>,
}

impl FacetCounter {
    /// Counts the values of `docs`, documents of `segment`.
    /// `docs` in increasing order.
    pub(super) fn add_segment(&mut self, segment: &SegmentReader, docs: &[DocId]) -> Result<()> {
        self.matched.clear();
        self.matched.resize(segment.max_doc() as usize / 64 + 1, 0);
        for &doc in docs {
            self.matched[doc as usize / 64] |= 1 << (doc % 64);
        }
        let schema = segment.schema();
        for (name, counts) in FIELDS.iter().zip(self.counts.iter_mut()) {
            let Ok(field) = schema.get_field(name) else {
                continue;
            };
            let inverted = segment.inverted_index(field)?;
            let mut values = inverted.terms().stream().map_err(TantivyError::from)?;
            while values.advance() {
                let mut postings = inverted
                    .read_block_postings_from_terminfo(values.value(), IndexRecordOption::Basic)
                    .map_err(TantivyError::from)?;
                let mut count = 0;
                loop {
                    let docs = postings.docs();
                    if docs.is_empty() {
                        break;
                    }
                    for &doc in docs {
                        count += (self.matched[doc as usize / 64] >> (doc % 64)) & 1;
                    }
                    postings.advance();
                }
                if count > 0 {
                    let value = String::from_utf8_lossy(values.key());
                    *counts.entry(value.into_owned()).or_default() += count;
                }
            }
        }
        Ok(())
    }

    /// Counts known already, for the tests' oracle to be ranked and cut
    /// the same way.
    #[cfg(test)]
    pub(super) fn set_counts(&mut self, counts: [Vec<(String, u64)>; 3]) {
        self.counts = counts.map(|values| values.into_iter().collect());
    }

    /// The commonest technologies and tags (ties by name), the latest
    /// years.
    pub(super) fn facets(self) -> Facets {
        let [technologies, tags, years] = self.counts;
        let commonest = |counts: HashMap<String, u64>| -> Vec<(String, u64)> {
            let mut all: Vec<(String, u64)> = counts.into_iter().collect();
            all.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            all.truncate(FACET_SIZE);
            all
        };
        let mut years: Vec<(String, u64)> = years.into_iter().collect();
        years.sort_by(|a, b| b.0.cmp(&a.0));
        years.truncate(YEARS_SHOWN);
        Facets {
            technologies: commonest(technologies)
                .into_iter()
                .map(|(name, n)| {
                    (
                        technologies::canonical(&name).map_or(name, str::to_string),
                        n,
                    )
                })
                .collect(),
            tags: commonest(tags),
            years,
        }
    }
}
