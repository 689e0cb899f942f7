//! The snippet under each hit: the window of its body, at most
//! `SNIPPET_CHARS` bytes, where the query's terms weigh most, the rarer
//! the better, with those terms marked. This is tantivy's
//! `SnippetGenerator` (the same window and marks, a test holds the two
//! equal) without its per-word costs: it lowercased every word of every
//! body again and looked each up in a sorted map (the string comparisons
//! alone were 12% of a served search's CPU in a `perf record`). Here only
//! words that could be a query term (see `TermFinder`) are looked
//! up, in a hash map.
//!
//! Beyond tantivy's, it also looks for phrases the body is not searched
//! for (synonyms of several words: "disk full" meets "No space left on
//! device"), each marked whole and only where its words stand together:
//! marked one by one they lit up "not" and "out" in every sentence.

use std::collections::{HashMap, VecDeque};
use std::ops::Range;

use foldhash::fast::RandomState;
use tantivy::schema::Field;
use tantivy::{Score, Searcher, Term};

use crate::index::{first_token_ending_after, last_token_end, token_between, TermFinder};

/// What a typed phrase adds to a window, beyond its words: above any
/// one word's weight.
const TYPED_PHRASE: Score = 1.0;

/// A word of the body that is not a word of any phrase.
const NOT_IN_A_PHRASE: u32 = u32::MAX;

/// Longer than a line of a postmortem, shorter than a paragraph.
pub const SNIPPET_CHARS: usize = 220;

pub struct Snippets {
    /// Each term of the query in the body field, weighted 1 / (1 + its
    /// document frequency).
    weights: HashMap<String, Score, RandomState>,
    /// The words of the phrases, numbered: a body's words are compared
    /// by number while looking for the phrases.
    phrase_words: HashMap<String, u32, RandomState>,
    /// Each phrase as its words' numbers, and what an occurrence adds to
    /// a window (see `new`).
    phrases: Vec<(Vec<u32>, Score)>,
    /// The longest phrase, in words.
    longest: usize,
    finder: TermFinder,
    max_bytes: usize,
}

/// A phrase to look for in bodies.
pub struct Phrase {
    /// Its words, analyzed as the body's.
    pub words: Vec<String>,
    /// Whether it was typed (rather than a synonym of what was).
    pub typed: bool,
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
    /// Looks for `words` and `phrases` (analyzed as `field`'s) in bodies;
    /// `None` when their frequencies cannot be read. A word weighs
    /// 1 / (1 + its document frequency), as in tantivy's generator; a
    /// phrase weighs what its words would one by one, and a phrase typed
    /// more than any word can: the words someone typed, together, say best
    /// why a hit matched ("too many open files" rather than the rarer
    /// "ULIMIT" nearby).
    pub fn new(
        searcher: &Searcher,
        field: Field,
        words: &[String],
        phrases: &[Phrase],
    ) -> Option<Snippets> {
        let weight_of = |word: &str| -> Option<(Score, u64)> {
            let doc_freq = searcher
                .doc_freq(&Term::from_field_text(field, word))
                .ok()?;
            Some((1.0 / (1.0 + doc_freq as Score), doc_freq))
        };
        let mut weights = HashMap::default();
        for word in words {
            let (weight, doc_freq) = weight_of(word)?;
            if doc_freq > 0 {
                weights.insert(word.clone(), weight);
            }
        }
        let mut phrase_words: HashMap<String, u32, RandomState> = HashMap::default();
        let mut numbered = Vec::new();
        for phrase in phrases.iter().filter(|p| p.words.len() > 1) {
            let mut numbers = Vec::with_capacity(phrase.words.len());
            let mut weight = if phrase.typed { TYPED_PHRASE } else { 0.0 };
            for word in &phrase.words {
                let next = phrase_words.len() as u32;
                numbers.push(*phrase_words.entry(word.clone()).or_insert(next));
                weight += weight_of(word)?.0;
            }
            numbered.push((numbers, weight));
        }
        let longest = numbered.iter().map(|(w, _)| w.len()).max().unwrap_or(0);
        let candidates = weights.keys().chain(phrase_words.keys());
        Some(Snippets {
            finder: TermFinder::new(candidates.map(String::as_str)),
            weights,
            phrase_words,
            phrases: numbered,
            longest,
            max_bytes: SNIPPET_CHARS,
        })
    }

    /// The best window of `body`, if any term of the query is in it.
    /// Windows are cut as tantivy's generator cuts them, reading every
    /// word: a window ends before the first word that would take it past
    /// `max_bytes`. Here only the words that could be terms are read (see
    /// `TermFinder`); the cuts between them are found from where the
    /// window could reach, and a phrase's words are next to each other
    /// when no word lies between them.
    pub fn window(&mut self, body: &str) -> Option<Window> {
        let Snippets {
            weights,
            phrase_words,
            phrases,
            longest,
            finder,
            max_bytes,
        } = self;
        let (longest, max_bytes) = (*longest, *max_bytes);
        let mut best: Option<Window> = None;
        let mut current = Window::new(0);
        // The last words read, as (phrase word number, where it starts),
        // for the phrases; `NOT_IN_A_PHRASE` for any other word, and one
        // for all the words between two that could be terms.
        let mut recent: VecDeque<(u32, usize)> = VecDeque::with_capacity(longest);
        let mut last_end: Option<usize> = None;
        finder.for_each(body, |word, text| {
            while word.end - current.range.start > max_bytes {
                let Some(cut) = first_token_ending_after(body, current.range.start + max_bytes)
                else {
                    break;
                };
                let done = std::mem::replace(&mut current, Window::new(cut.start));
                if done.score > 0.0 && best.as_ref().is_none_or(|b| done.beats(b)) {
                    best = Some(done);
                }
            }
            current.range.end = word.end;
            if let Some(&weight) = weights.get(text) {
                current.score += weight;
                current.marks.push(word.clone());
            }
            if longest > 0 {
                let mut read = |number: u32| {
                    if recent.len() == longest {
                        recent.pop_front();
                    }
                    recent.push_back((number, word.start));
                };
                if last_end.is_some_and(|end| token_between(body, end, word.start)) {
                    read(NOT_IN_A_PHRASE);
                }
                let number = phrase_words.get(text).copied().unwrap_or(NOT_IN_A_PHRASE);
                read(number);
                if number != NOT_IN_A_PHRASE {
                    mark_phrase(phrases, &recent, word.end, &mut current);
                }
            }
            last_end = Some(word.end);
        });
        if current.score > 0.0 && best.as_ref().is_none_or(|b| current.beats(b)) {
            best = Some(current);
        }
        // A window ends where its last word does, that word a term or not.
        let mut best = best?;
        let next = first_token_ending_after(body, best.range.start + max_bytes);
        let end = next.map_or(body.len(), |cut| cut.start);
        if let Some(end) = last_token_end(body, end) {
            best.range.end = end;
        }
        Some(best)
    }

    /// The best window of `body` as tantivy's generator finds it, reading
    /// every word: what `window` is held to.
    #[cfg(test)]
    pub fn window_by_every_word(&mut self, body: &str) -> Option<Window> {
        let candidates = self.weights.keys().chain(self.phrase_words.keys());
        let mut analyzer = crate::index::snippet_analyzer(candidates.map(String::as_str));
        let mut best: Option<Window> = None;
        let mut current = Window::new(0);
        let mut recent: VecDeque<(u32, usize)> = VecDeque::with_capacity(self.longest);
        let mut stream = analyzer.token_stream(body);
        while let Some(token) = stream.next() {
            if token.offset_to - current.range.start > self.max_bytes {
                let next = Window::new(token.offset_from);
                let done = std::mem::replace(&mut current, next);
                if done.score > 0.0 && best.as_ref().is_none_or(|b| done.beats(b)) {
                    best = Some(done);
                }
            }
            current.range.end = token.offset_to;
            // Words that cannot be a query term come with no text.
            let text = token.text.as_str();
            if let Some(&weight) = (!text.is_empty()).then(|| self.weights.get(text)).flatten() {
                current.score += weight;
                current.marks.push(token.offset_from..token.offset_to);
            }
            if self.longest > 0 {
                let number = match text {
                    "" => None,
                    text => self.phrase_words.get(text).copied(),
                }
                .unwrap_or(NOT_IN_A_PHRASE);
                if recent.len() == self.longest {
                    recent.pop_front();
                }
                recent.push_back((number, token.offset_from));
                if number != NOT_IN_A_PHRASE {
                    mark_phrase(&self.phrases, &recent, token.offset_to, &mut current);
                }
            }
        }
        if current.score > 0.0 && best.as_ref().is_none_or(|b| current.beats(b)) {
            best = Some(current);
        }
        best
    }

    /// The best window of `body` as HTML, its terms in `<mark>`; empty
    /// when no term of the query is in it. Shown as a reader would want
    /// it (see `readable`), not as the window was cut.
    pub fn html(&mut self, body: &str) -> String {
        let Some(window) = self.window(body) else {
            return String::new();
        };
        let range = readable(body, &window);
        let mut html = String::with_capacity(range.len() + 16 * window.marks.len());
        // Said where the passage is cut: mid-line before it, text after it.
        if range.start > 0 && !body[..range.start].ends_with('\n') {
            html.push_str("… ");
        }
        let mut from = range.start;
        for mark in &window.marks {
            html.push_str(&blocks_joined(
                &body[from..mark.start],
                from > range.start,
                true,
            ));
            html.push_str("<mark>");
            html.push_str(&blocks_joined(&body[mark.clone()], true, true));
            html.push_str("</mark>");
            from = mark.end;
        }
        html.push_str(&blocks_joined(
            &body[from..range.end],
            from > range.start,
            false,
        ));
        if !body[range.end..].trim().is_empty() {
            html.push_str(" …");
        }
        html
    }
}

/// How far back a window may start earlier to start where its line does.
const LINE_START_REACH: usize = 60;

/// The part of `body` to show for `window`: from the start of its first
/// line when that is near (a window starts wherever a word does, mostly
/// mid-sentence), and past the headings the window opens on ("Summary",
/// "How we got out": short lines with no mark and no full stop).
fn readable(body: &str, window: &Window) -> Range<usize> {
    let (mut start, end) = (window.range.start, window.range.end);
    let first_mark = window.marks.first().map_or(end, |m| m.start);
    let line_start = body[..start].rfind('\n').map_or(0, |at| at + 1);
    if start - line_start <= LINE_START_REACH {
        start = line_start;
    }
    // Headings (and lines as short: "Date: 2016-08-19", "Author: R.
    // Okafor") on their own lines before the first mark.
    while let Some(newline) = body[start..first_mark].find('\n') {
        let line = body[start..start + newline].trim();
        let heading =
            line.split_whitespace().count() <= 5 && !line.ends_with(['.', ':', ';', '!', '?', ')']);
        if !heading {
            break;
        }
        start += newline + 1;
    }
    // A window ends where a token does, which may be inside a word: "2"
    // of "2.1G" would misquote the post.
    let mut end = end.max(start);
    let word_end = body[end..]
        .find(char::is_whitespace)
        .map_or(body.len(), |at| end + at);
    if word_end - end <= WORD_END_REACH {
        end = word_end;
    }
    start..end
}

/// How far a window may end later to end where its word does.
const WORD_END_REACH: usize = 24;

/// Text of the body as HTML, its blocks (headings, paragraphs, table
/// cells, log lines, one per line in a body) joined by a middle dot: the
/// page would run them together into one sentence. `before` and `after`
/// say whether something is shown on either side (a mark), for a break
/// at the edge to separate from.
fn blocks_joined(text: &str, before: bool, after: bool) -> String {
    let escaped = super::html_escape(text);
    if !escaped.contains('\n') {
        return escaped;
    }
    let mut joined = String::with_capacity(escaped.len() + 8);
    let mut rest = escaped.as_str();
    while !rest.is_empty() {
        let blank = rest.len() - rest.trim_start().len();
        if blank == 0 {
            let word_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            joined.push_str(&rest[..word_end]);
            rest = &rest[word_end..];
            continue;
        }
        let (space, after_space) = rest.split_at(blank);
        let at_start = joined.is_empty() && !before;
        let at_end = after_space.is_empty() && !after;
        if !space.contains('\n') {
            joined.push_str(space);
        } else if !at_start && !at_end {
            joined.push_str(" · ");
        }
        rest = after_space;
    }
    joined
}

/// Marks the phrase of `phrases` that `recent`, the last words read,
/// ends with, if any and if it starts inside `window`. The words it
/// covers that are query terms of their own were marked already: one
/// mark covers them all.
fn mark_phrase(
    phrases: &[(Vec<u32>, Score)],
    recent: &VecDeque<(u32, usize)>,
    end: usize,
    window: &mut Window,
) {
    for (words, weight) in phrases {
        if words.len() > recent.len() {
            continue;
        }
        let tail = recent.range(recent.len() - words.len()..);
        if !tail.zip(words).all(|((number, _), word)| number == word) {
            continue;
        }
        let mut start = recent[recent.len() - words.len()].1;
        if start < window.range.start {
            continue;
        }
        while window.marks.last().is_some_and(|m| m.start >= start) {
            window.marks.pop();
        }
        // Phrases that overlap ("full disk" and "disk space" in "full disk
        // space") make one mark.
        if let Some(last) = window.marks.last().filter(|m| m.end > start) {
            start = last.start;
            window.marks.pop();
        }
        window.score += weight;
        window.marks.push(start..end);
        return;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_passage_ends_with_its_word_and_says_where_it_is_cut() {
        let body = "The indexer crashed. df -h said 100% used, but du -sh only found 2.1G of logs in /var/log that morning.\nMore lines follow here.";
        let window = Window {
            range: 21..body.find("2.1G").unwrap() + 1,
            marks: Vec::new(),
            score: 0.0,
        };
        let range = readable(body, &window);
        assert!(
            body[..range.end].ends_with("2.1G"),
            "{}",
            &body[range.clone()]
        );
        let whole = Window {
            range: 0..body.len(),
            marks: Vec::new(),
            score: 0.0,
        };
        assert_eq!(readable(body, &whole), 0..body.len());
    }
}
