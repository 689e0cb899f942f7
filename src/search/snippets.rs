//! The snippet under each hit: the window of its body, at most
//! `SNIPPET_CHARS` bytes, where the query's terms weigh most, the rarer
//! the better, with those terms marked. This is tantivy's
//! `SnippetGenerator` (the same window and marks, a test holds the two
//! equal) without its per-word costs: it lowercased every word of every
//! body again and looked each up in a sorted map (the string comparisons
//! alone were 12% of a served search's CPU in a `perf record`). Here only
//! words that could be a query term (see `snippet_analyzer`) are looked
//! up, in a hash map.

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;

use foldhash::fast::RandomState;
use tantivy::query::Query;
use tantivy::schema::Field;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Score, Searcher};

use crate::index::snippet_analyzer;

/// Longer than a line of a postmortem, shorter than a paragraph.
pub const SNIPPET_CHARS: usize = 220;

pub struct Snippets {
    /// Each term of the query in the body field, weighted 1 / (1 + its
    /// document frequency).
    weights: HashMap<String, Score, RandomState>,
    analyzer: TextAnalyzer,
    max_bytes: usize,
}

/// A window of a body and the byte ranges of the terms in it, both
/// relative to the body.
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    pub range: Range<usize>,
    pub marks: Vec<Range<usize>>,
    score: Score,
}

impl Window {
    fn new(start: usize) -> Window {
        Window {
            range: start..start,
            marks: Vec::new(),
            score: 0.0,
        }
    }

    /// Whether this window beats `best`, as tantivy chooses: the higher
    /// score, then the earlier window, then the later found.
    fn beats(&self, best: &Window) -> bool {
        match self.score.partial_cmp(&best.score) {
            Some(std::cmp::Ordering::Greater) => true,
            Some(std::cmp::Ordering::Less) => false,
            _ => (self.range.start, self.range.end) <= (best.range.start, best.range.end),
        }
    }
}

impl Snippets {
    /// The query's terms in `field`; `None` when their frequencies cannot
    /// be read.
    pub fn new(searcher: &Searcher, query: &dyn Query, field: Field) -> Option<Snippets> {
        let mut terms = BTreeSet::new();
        query.query_terms(&mut |term, _| {
            if term.field() == field {
                terms.insert(term.clone());
            }
        });
        let mut weights = HashMap::default();
        for term in &terms {
            let value = term.value();
            let Some(text) = value.as_str() else {
                continue;
            };
            let doc_freq = searcher.doc_freq(term).ok()?;
            if doc_freq > 0 {
                weights.insert(text.to_string(), 1.0 / (1.0 + doc_freq as Score));
            }
        }
        Some(Snippets {
            analyzer: snippet_analyzer(weights.keys().map(String::as_str)),
            weights,
            max_bytes: SNIPPET_CHARS,
        })
    }

    /// The best window of `body`, if any term of the query is in it.
    pub fn window(&mut self, body: &str) -> Option<Window> {
        let mut best: Option<Window> = None;
        let mut current = Window::new(0);
        let mut stream = self.analyzer.token_stream(body);
        while let Some(token) = stream.next() {
            if token.offset_to - current.range.start > self.max_bytes {
                let next = Window::new(token.offset_from);
                let done = std::mem::replace(&mut current, next);
                if done.score > 0.0 && best.as_ref().is_none_or(|b| done.beats(b)) {
                    best = Some(done);
                }
            }
            current.range.end = token.offset_to;
            if token.text.is_empty() {
                continue;
            }
            if let Some(&weight) = self.weights.get(token.text.as_str()) {
                current.score += weight;
                current.marks.push(token.offset_from..token.offset_to);
            }
        }
        if current.score > 0.0 && best.as_ref().is_none_or(|b| current.beats(b)) {
            best = Some(current);
        }
        best
    }

    /// The best window of `body` as HTML, its terms in `<mark>`; empty
    /// when no term of the query is in it.
    pub fn html(&mut self, body: &str) -> String {
        let Some(window) = self.window(body) else {
            return String::new();
        };
        let mut html = String::with_capacity(window.range.len() + 16 * window.marks.len());
        let mut from = window.range.start;
        for mark in &window.marks {
            html.push_str(&super::html_escape(&body[from..mark.start]));
            html.push_str("<mark>");
            html.push_str(&super::html_escape(&body[mark.clone()]));
            html.push_str("</mark>");
            from = mark.end;
        }
        html.push_str(&super::html_escape(&body[from..window.range.end]));
        html
    }
}
