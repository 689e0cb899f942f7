//! The English analyzer, with a cache in front of the stemmer. Profiles of
//! queries showed most of their time in Snowball stemming — the snippet
//! generator re-analyzes each hit's body, and imports analyze every word of
//! every post — while a knowledge base's vocabulary is small and repeats.
//! Stems are the same as tantivy's own `Stemmer`, so the index is unchanged.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::Range;

use foldhash::fast::RandomState;

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RawTokenizer, RemoveLongFilter, SimpleTokenizer,
    Stemmer, TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer,
};

/// Longer words are not indexed: hashes, base64, minified code.
/// Longer words are not indexed (a hash, a token, base64): they would only
/// bloat the dictionary.
pub const MAX_WORD_BYTES: usize = 40;

/// Words remembered per thread before the cache starts over.
const MAX_CACHED: usize = 200_000;

/// Words split as tantivy's `SimpleTokenizer` splits them, long ones
/// dropped, lowercased, folded to ASCII and stemmed: the tokens of the
/// chain of tantivy filters in `stemming`, made in one pass for words of
/// ASCII letters (the chain copied each token through four streams).
pub fn analyzer() -> TextAnalyzer {
    candidate_words([true; 256], None)
}

/// Words split, long ones dropped, lowercased and folded to ASCII, then
/// stemmed (only those whose first byte `only` marks, when given).
fn stemming(only: Option<[bool; 256]>) -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_WORD_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(CachedStemmer { only })
        .build()
}

/// The analyzer for finding the given terms (a query's) in text: in a
/// hit's body for its snippet, in its findings to pick the best. Snowball
/// keeps a word's first two letters (but for "dying", "lying" and "tying",
/// whose "y" becomes "i"), so a word that starts otherwise than every term
/// could not match: it is not copied, lowercased or stemmed, and comes out
/// as an empty token that keeps its place. Stemming every word of every
/// hit was a tenth of a query's time; with the first letter alone as the
/// test, a query and its synonyms still stemmed a third of the words.
/// Searches use `TermFinder`, which skips those words altogether; this is
/// what the tests hold it to.
pub fn snippet_analyzer<'a>(terms: impl IntoIterator<Item = &'a str>) -> TextAnalyzer {
    let (starts, pairs) = word_starts(terms);
    candidate_words(starts, Some(pairs))
}

/// The first bytes of `terms`, and their pairs of first two bytes (with
/// "y" for a second "i": see `snippet_analyzer`).
fn word_starts<'a>(terms: impl IntoIterator<Item = &'a str>) -> ([bool; 256], Box<WordStarts>) {
    let mut starts = [false; 256];
    let mut pairs = Box::new(WordStarts([0; 1024]));
    for term in terms {
        let bytes = term.as_bytes();
        let Some(&first) = bytes.first() else {
            continue;
        };
        starts[usize::from(first)] = true;
        let second = bytes.get(1).copied().unwrap_or(0);
        pairs.insert(first, second);
        if second == b'i' {
            pairs.insert(first, b'y');
        }
    }
    (starts, pairs)
}

/// The pairs of first two bytes of the words that could match, one bit
/// each; a word of one byte pairs it with 0.
struct WordStarts([u64; 1024]);

impl WordStarts {
    fn key(first: u8, second: u8) -> usize {
        usize::from(first) << 8 | usize::from(second)
    }

    fn insert(&mut self, first: u8, second: u8) {
        let key = Self::key(first, second);
        self.0[key / 64] |= 1 << (key % 64);
    }

    fn contains(&self, first: u8, second: u8) -> bool {
        let key = Self::key(first, second);
        self.0[key / 64] & (1 << (key % 64)) != 0
    }
}

/// Analyzes in full only the words that could match: of ASCII, those
/// whose first two (lowercase) bytes are in `pairs` (every word when
/// `None`); beyond ASCII, those whose first byte is marked in `starts`.
/// The others come out empty, at their place.
fn candidate_words(starts: [bool; 256], pairs: Option<Box<WordStarts>>) -> TextAnalyzer {
    TextAnalyzer::from(CandidateWords {
        pairs: pairs.map(std::sync::Arc::from),
        full: stemming(Some(starts)),
    })
}

/// Splits words as `SimpleTokenizer` does and drops long ones as
/// `RemoveLongFilter` does, so offsets and fragments are the same; only
/// words that could be a query term are analyzed in full.
#[derive(Clone)]
struct CandidateWords {
    pairs: Option<std::sync::Arc<WordStarts>>,
    /// The whole chain, for words with letters beyond ASCII.
    full: TextAnalyzer,
}

impl Tokenizer for CandidateWords {
    type TokenStream<'a> = CandidateWordStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> CandidateWordStream<'a> {
        CandidateWordStream {
            text,
            next: 0,
            token: Token::default(),
            pairs: self.pairs.as_deref(),
            full: &mut self.full,
        }
    }
}

struct CandidateWordStream<'a> {
    text: &'a str,
    /// Where the search for the next word starts.
    next: usize,
    token: Token,
    pairs: Option<&'a WordStarts>,
    full: &'a mut TextAnalyzer,
}

/// The character at `at`, and whether it is part of a word.
#[inline]
fn word_char(text: &str, at: usize) -> (usize, bool) {
    match text.as_bytes()[at] {
        byte if byte.is_ascii() => (1, byte.is_ascii_alphanumeric()),
        _ => match text[at..].chars().next() {
            Some(c) => (c.len_utf8(), c.is_alphanumeric()),
            None => (1, false),
        },
    }
}

/// What a byte is: 0 an ASCII byte between words, 1 an ASCII letter or
/// digit, 2 a byte beyond ASCII. One lookup a byte instead of the range
/// tests of `is_ascii_alphanumeric`: the scan for words was a twentieth
/// of an import's instructions.
static BYTE_KINDS: [u8; 256] = {
    let mut kinds = [0u8; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        kinds[byte] = if !b.is_ascii() {
            2
        } else if b.is_ascii_alphanumeric() {
            1
        } else {
            0
        };
        byte += 1;
    }
    kinds
};

/// Where the run of ASCII bytes of the kind `in_word` says, from `at`,
/// ends: at the first byte of the other kind, or beyond ASCII.
#[inline]
fn ascii_run_end(bytes: &[u8], at: usize, in_word: bool) -> usize {
    let kind = u8::from(in_word);
    bytes[at..]
        .iter()
        .position(|&b| BYTE_KINDS[usize::from(b)] != kind)
        .map_or(bytes.len(), |n| at + n)
}

impl TokenStream for CandidateWordStream<'_> {
    fn advance(&mut self) -> bool {
        let text = self.text;
        loop {
            let start = next_word_start(text, self.next);
            if start >= text.len() {
                self.next = start;
                return false;
            }
            let (end, ascii) = word_end(text, start);
            self.next = end;
            self.token.position = self.token.position.wrapping_add(1);
            if end - start >= MAX_WORD_BYTES {
                continue;
            }
            self.token.offset_from = start;
            self.token.offset_to = end;
            self.token.text.clear();
            let word = &text[start..end];
            if ascii {
                let bytes = word.as_bytes();
                let first = bytes[0].to_ascii_lowercase();
                let second = bytes.get(1).map_or(0, u8::to_ascii_lowercase);
                if self.pairs.is_none_or(|pairs| pairs.contains(first, second)) {
                    self.token.text.push_str(word);
                    self.token.text.make_ascii_lowercase();
                    stem_in_place(&mut self.token.text);
                }
            } else {
                let mut stream = self.full.token_stream(word);
                if stream.advance() {
                    self.token.text.push_str(&stream.token().text);
                }
            }
            return true;
        }
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// Where the first word at or after `at` (a character boundary) starts;
/// the text's length when none does.
#[inline(always)]
fn next_word_start(text: &str, at: usize) -> usize {
    let bytes = text.as_bytes();
    let mut start = ascii_run_end(bytes, at, false);
    while start < bytes.len() {
        let (len, in_word) = word_char(text, start);
        if in_word {
            break;
        }
        start = ascii_run_end(bytes, start + len, false);
    }
    start
}

/// Where the word that starts at `start` ends, and whether it is all
/// ASCII. Inlined, as `next_word_start`: called, they cost the import's
/// tokenizer a fifth more instructions.
#[inline(always)]
fn word_end(text: &str, start: usize) -> (usize, bool) {
    let bytes = text.as_bytes();
    let mut end = ascii_run_end(bytes, start, true);
    let mut ascii = true;
    while end < bytes.len() {
        let (len, in_word) = word_char(text, end);
        if !in_word {
            break;
        }
        ascii &= len == 1;
        end = ascii_run_end(bytes, end + len, true);
    }
    (end, ascii)
}

/// Whether the character that ends at `at` is part of a word.
fn word_char_before(text: &str, at: usize) -> bool {
    match text.as_bytes()[..at].last() {
        None => false,
        Some(byte) if byte.is_ascii() => byte.is_ascii_alphanumeric(),
        Some(_) => text[..at]
            .chars()
            .next_back()
            .is_some_and(char::is_alphanumeric),
    }
}

/// Where the word holding the character at `at` starts.
fn word_start(text: &str, mut at: usize) -> usize {
    while word_char_before(text, at) {
        at -= text[..at].chars().next_back().map_or(1, char::len_utf8);
    }
    at
}

/// The first token (a word short enough to be indexed) that starts at or
/// after `at`.
fn next_token(text: &str, mut at: usize) -> Option<Range<usize>> {
    loop {
        let start = next_word_start(text, at);
        if start >= text.len() {
            return None;
        }
        let (end, _) = word_end(text, start);
        if end - start < MAX_WORD_BYTES {
            return Some(start..end);
        }
        at = end;
    }
}

/// The first token that ends after byte `limit`: the one that holds it,
/// or the next. This is where a snippet's window that may reach up to
/// `limit` is cut (see `Snippets::window`).
pub fn first_token_ending_after(text: &str, limit: usize) -> Option<Range<usize>> {
    if limit >= text.len() {
        return None;
    }
    let mut at = limit;
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    if word_char(text, at).1 {
        at = word_start(text, at);
    }
    next_token(text, at)
}

/// Where the last token that ends at or before `at` (not inside a word)
/// ends.
pub fn last_token_end(text: &str, mut at: usize) -> Option<usize> {
    loop {
        while at > 0 && !word_char_before(text, at) {
            at -= text[..at].chars().next_back().map_or(1, char::len_utf8);
        }
        if at == 0 {
            return None;
        }
        let start = word_start(text, at);
        if at - start < MAX_WORD_BYTES {
            return Some(at);
        }
        at = start;
    }
}

/// Whether a token lies between `from` and `to` (a word's end and a
/// word's start).
pub fn token_between(text: &str, from: usize, to: usize) -> bool {
    next_token(text, from).is_some_and(|token| token.start < to)
}

/// Finds the words of a text that could be one of a query's terms, as
/// `snippet_analyzer` would analyze them, without stepping through every
/// other word: a hit's body is searched for the bytes such a word can
/// start with. Analyzing every word of the hits' bodies and findings was
/// a seventh of a search's instructions, nearly all of it spent on words
/// that could not match.
pub struct TermFinder {
    pairs: Box<WordStarts>,
    /// The bytes a word that could match may start with: each term's
    /// first, in both cases, and the first byte of any character beyond
    /// ASCII (a word with such letters is analyzed in full, as
    /// `snippet_analyzer` does).
    firsts: [bool; 256],
    full: TextAnalyzer,
    word: String,
}

impl TermFinder {
    pub fn new<'a>(terms: impl IntoIterator<Item = &'a str>) -> TermFinder {
        let (starts, pairs) = word_starts(terms);
        let mut firsts = [false; 256];
        for (byte, first) in firsts.iter_mut().enumerate() {
            let byte = byte as u8;
            // Beyond ASCII, the bytes that start a character.
            *first = byte >= 0xc0 || starts[usize::from(byte.to_ascii_lowercase())];
        }
        TermFinder {
            pairs,
            firsts,
            full: stemming(Some(starts)),
            word: String::new(),
        }
    }

    /// Calls `each` with the place and analyzed text of every word of
    /// `text` that could be a term, in order: the tokens of
    /// `snippet_analyzer` that do not come out empty.
    pub fn for_each(&mut self, text: &str, mut each: impl FnMut(Range<usize>, &str)) {
        let bytes = text.as_bytes();
        let firsts = &self.firsts;
        let mut at = 0;
        loop {
            // A byte a word could start with, after one that is not an
            // ASCII letter or digit: looking at every byte that could
            // start a word stopped inside words half the time.
            let start = if at == 0 && bytes.first().is_some_and(|&b| firsts[usize::from(b)]) {
                0
            } else {
                let from = at.max(1);
                let Some(found) = bytes[from - 1..].windows(2).position(|pair| {
                    BYTE_KINDS[usize::from(pair[0])] != 1 && firsts[usize::from(pair[1])]
                }) else {
                    return;
                };
                from + found
            };
            let (len, in_word) = word_char(text, start);
            if !in_word {
                at = start + len;
                continue;
            }
            if word_char_before(text, start) {
                // Inside a word: on to its end.
                at = word_end(text, start).0;
                continue;
            }
            let (end, ascii) = word_end(text, start);
            at = end;
            if end - start >= MAX_WORD_BYTES {
                continue;
            }
            let word = &text[start..end];
            self.word.clear();
            if ascii {
                let first = bytes[start].to_ascii_lowercase();
                let second = bytes.get(start + 1).filter(|_| end - start > 1);
                let second = second.map_or(0, u8::to_ascii_lowercase);
                if !self.pairs.contains(first, second) {
                    continue;
                }
                self.word.push_str(word);
                self.word.make_ascii_lowercase();
                stem_in_place(&mut self.word);
            } else {
                let mut stream = self.full.token_stream(word);
                if stream.advance() {
                    self.word.push_str(&stream.token().text);
                }
                if self.word.is_empty() {
                    continue;
                }
            }
            each(start..end, &self.word);
        }
    }
}

struct Stems {
    /// The stems of recent words, where most lookups end: see `Recent`.
    recent: Vec<Recent>,
    /// Seeded per process: fast like FxHash, yet a post cannot be written
    /// to make every lookup collide.
    known: HashMap<String, String, RandomState>,
    stemmer: TextAnalyzer,
}

/// Slots of the recent stems: a post's words are mostly a few thousand
/// common ones (4,096 words were 97% of those of 4,000 bench posts), and
/// 8,192 slots of 24 bytes stay in a core's cache, where the map of every
/// word seen, its keys and stems each on the heap, did not: its lookups
/// were a tenth of an import's time in `perf`, for 3% of its instructions.
const RECENT_SLOTS: usize = 8192;

/// A short ASCII word and how to turn it into its stem: keep its first
/// `kept` bytes and append `tail` (Snowball rewrites only an ending).
/// A colliding word replaces it.
#[derive(Clone, Copy, Default)]
struct Recent {
    word: Packed,
    kept: u8,
    tail_len: u8,
    tail: [u8; RECENT_TAIL],
}

/// The longest ending a slot rewrites ("ational" -> "ate" keeps the
/// rest): longer ones go to the map.
const RECENT_TAIL: usize = 5;

/// An ASCII word of 3 to 16 bytes as two overlapping 8-byte reads (4-byte
/// ones under 8 bytes) and its length: read and compared without a copy
/// or a call to `memcmp`.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
struct Packed {
    head: u64,
    end: u64,
    len: u8,
}

impl Packed {
    fn of(word: &str) -> Option<Packed> {
        let bytes = word.as_bytes();
        let len = bytes.len();
        let read8 = |at: usize| bytes[at..at + 8].try_into().map(u64::from_le_bytes);
        let read4 = |at: usize| {
            bytes[at..at + 4]
                .try_into()
                .map(|b| u64::from(u32::from_le_bytes(b)))
        };
        let (head, end) = match len {
            8..=16 => (read8(0).ok()?, read8(len - 8).ok()?),
            4..=7 => (read4(0).ok()?, read4(len - 4).ok()?),
            3 => (
                u64::from(bytes[0]) | u64::from(bytes[1]) << 8,
                u64::from(bytes[2]),
            ),
            _ => return None,
        };
        ((head | end) & 0x8080_8080_8080_8080 == 0).then_some(Packed {
            head,
            end,
            len: len as u8,
        })
    }

    fn slot(self) -> usize {
        let mixed = (self.head ^ self.end.rotate_left(29) ^ u64::from(self.len))
            .wrapping_mul(0x9E37_79B9_7F4A_7C15);
        (mixed >> (64 - RECENT_SLOTS.trailing_zeros())) as usize
    }
}

impl Recent {
    /// How to turn `word` into `stem`, if the rewritten ending fits.
    fn new(word: Packed, text: &str, stem: &str) -> Option<Recent> {
        let kept = text
            .bytes()
            .zip(stem.bytes())
            .take_while(|(a, b)| a == b)
            .count();
        let ending = &stem.as_bytes()[kept..];
        if ending.len() > RECENT_TAIL || !ending.is_ascii() {
            return None;
        }
        let mut tail = [0; RECENT_TAIL];
        tail[..ending.len()].copy_from_slice(ending);
        Some(Recent {
            word,
            kept: kept as u8,
            tail_len: ending.len() as u8,
            tail,
        })
    }

    /// Turns the (ASCII) word this slot holds into its stem.
    fn apply(&self, word: &mut String) {
        word.truncate(usize::from(self.kept));
        for &b in &self.tail[..usize::from(self.tail_len)] {
            word.push(char::from(b));
        }
    }
}

thread_local! {
    static STEMS: RefCell<Stems> = RefCell::new(Stems {
        recent: vec![Recent::default(); RECENT_SLOTS],
        known: HashMap::default(),
        stemmer: TextAnalyzer::builder(RawTokenizer::default()).filter(Stemmer::new(Language::English)).build(),
    });
}

fn stem_in_place(word: &mut String) {
    // Snowball's English stemmer leaves words of two letters or fewer as
    // they are, and has no rule for digits: a third of the words of a post
    // ("a", "to", "we", "503") need no lookup at all.
    if word.len() <= 2 || word.bytes().all(|b| b.is_ascii_digit()) {
        return;
    }
    STEMS.with(|stems| {
        let stems = &mut *stems.borrow_mut();
        let packed = Packed::of(word);
        if let Some(packed) = packed {
            let recent = &stems.recent[packed.slot()];
            if recent.word == packed {
                recent.apply(word);
                return;
            }
        }
        let remember = |recent: &mut [Recent], stem: &str, word: &str| {
            if let Some(slot) = packed.and_then(|packed| Recent::new(packed, word, stem)) {
                recent[slot.word.slot()] = slot;
            }
        };
        if let Some(stem) = stems.known.get(word.as_str()) {
            remember(&mut stems.recent, stem, word);
            word.clear();
            word.push_str(stem);
            return;
        }
        let stem = {
            let mut stream = stems.stemmer.token_stream(word);
            if stream.advance() {
                stream.token().text.clone()
            } else {
                word.clone()
            }
        };
        remember(&mut stems.recent, &stem, word);
        if stems.known.len() >= MAX_CACHED {
            stems.known.clear();
        }
        stems.known.insert(std::mem::take(word), stem.clone());
        *word = stem;
    });
}

/// A token filter that stems English words, remembering each word's stem;
/// with `only`, just the words whose first byte is marked there.
#[derive(Clone, Copy, Debug)]
pub struct CachedStemmer {
    only: Option<[bool; 256]>,
}

impl TokenFilter for CachedStemmer {
    type Tokenizer<T: Tokenizer> = CachedStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> CachedStemmerFilter<T> {
        CachedStemmerFilter {
            inner: tokenizer,
            only: self.only,
        }
    }
}

#[derive(Clone)]
pub struct CachedStemmerFilter<T> {
    inner: T,
    only: Option<[bool; 256]>,
}

impl<T: Tokenizer> Tokenizer for CachedStemmerFilter<T> {
    type TokenStream<'a> = CachedStemmerStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        CachedStemmerStream {
            tail: self.inner.token_stream(text),
            only: self.only,
        }
    }
}

pub struct CachedStemmerStream<T> {
    tail: T,
    only: Option<[bool; 256]>,
}

impl<T: TokenStream> TokenStream for CachedStemmerStream<T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let word = &mut self.tail.token_mut().text;
        let wanted = match (&self.only, word.as_bytes().first()) {
            (Some(starts), Some(&first)) => starts[usize::from(first)],
            _ => true,
        };
        if wanted {
            stem_in_place(word);
        }
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(mut analyzer: TextAnalyzer, text: &str) -> Vec<Token> {
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            out.push(stream.token().clone());
        }
        out
    }

    fn terms(analyzer: TextAnalyzer, text: &str) -> Vec<String> {
        tokens(analyzer, text).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn same_stems_as_tantivys_stemmer() {
        let plain = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(MAX_WORD_BYTES))
            .filter(LowerCaser)
            .filter(AsciiFoldingFilter)
            .filter(Stemmer::new(Language::English))
            .build();
        let text = "Requests were timing out; timeouts, timed-out connections and Café caching caches cached.";
        for _ in 0..2 {
            // The second round is served from the cache.
            assert_eq!(terms(analyzer(), text), terms(plain.clone(), text));
        }
        assert_eq!(terms(analyzer(), "timing timeouts"), ["time", "timeout"]);
        // Every word of the sample posts, short words and numbers included,
        // twice: the second time from the recent slots or the map. Words
        // of every packed length, endings rewritten, and longer words.
        let mut words = 0;
        let tricky = "ion ions happy happily relational conditional conditionally \
            generously hopefulness electricity internationalization administratively \
            misconfigurations re-deployments cafés naïveté skies dying";
        for _ in 0..2 {
            assert_eq!(terms(analyzer(), tricky), terms(plain.clone(), tricky));
            for text in crate::sample_texts(false) {
                let ours = terms(analyzer(), &text);
                assert_eq!(ours, terms(plain.clone(), &text));
                words += ours.len();
            }
        }
        assert!(words > 20_000, "{words} words");
    }

    /// What `snippet_analyzer` rests on: a stem starts with the two bytes
    /// its word starts with, or "y" turned "i" for the second, for every
    /// word of the sample posts and of the public corpus when it is present.
    #[test]
    fn stems_keep_their_first_two_bytes() {
        fn keeps_start(word: &str, stem: &str) -> bool {
            let (word, stem) = (word.as_bytes(), stem.as_bytes());
            match (word, stem) {
                ([w], [s]) => w == s,
                ([w0, w1, ..], [s0, s1, ..]) => {
                    w0 == s0 && (w1 == s1 || (*w1 == b'y' && *s1 == b'i'))
                }
                _ => false,
            }
        }
        // The same chain with no first byte marked: nothing stemmed.
        let unstemmed = || stemming(Some([false; 256]));
        let mut checked = 0;
        for text in crate::sample_texts(true) {
            let words = terms(unstemmed(), &text);
            let stems = terms(analyzer(), &text);
            assert_eq!(words.len(), stems.len());
            for (word, stem) in words.iter().zip(&stems) {
                assert!(keeps_start(word, stem), "{word} -> {stem}");
            }
            checked += words.len();
        }
        assert!(checked > 10_000, "{checked} words");
        // Snowball's exceptions, and words that lose letters.
        for word in [
            "dying", "lying", "tying", "skies", "gently", "ugly", "news", "yelling", "eyes", "ies",
            "its", "ties", "cries", "sky",
        ] {
            let stem = terms(analyzer(), word);
            assert!(keeps_start(word, &stem[0]), "{word} -> {}", stem[0]);
        }
    }

    #[test]
    fn the_snippet_analyzer_analyzes_only_words_that_could_match() {
        let text = "Timeouts and caching: requests kept timing out";
        assert_eq!(
            terms(snippet_analyzer(["timeout", "xyz"]), text),
            ["timeout", "", "", "", "", "time", ""]
        );
        assert_eq!(
            // Words beyond ASCII go through the whole chain.
            terms(snippet_analyzer(["cach"]), "caching Café timing"),
            ["cach", "cafe", ""]
        );
        assert_eq!(
            terms(snippet_analyzer(["cafe"]), "Café CAFÉS"),
            ["cafe", "cafe"]
        );
        // The first letter is not enough: "cloud" is not looked at for
        // "cach"; "dying" is, for "die".
        assert_eq!(
            terms(
                snippet_analyzer(["cach", "die"]),
                "cloud cache dying DIED d"
            ),
            ["", "cach", "die", "die", ""]
        );
    }

    fn offsets_and_texts(analyzer: TextAnalyzer, text: &str) -> Vec<(usize, usize, String)> {
        tokens(analyzer, text)
            .into_iter()
            .map(|t| (t.offset_from, t.offset_to, t.text))
            .collect()
    }

    /// The index's analyzer gives the tokens of the chain of tantivy
    /// filters (positions, offsets and terms), on the sample posts, the
    /// public corpus when present, and text beyond ASCII.
    #[test]
    fn the_analyzer_is_the_chain_in_one_pass() {
        let mut texts = crate::sample_texts(true);
        texts.push(format!(
            "Ünïcode naïve café — straße {} {} {} 東京 ﬁle x² Ⅻ end; CAFÉS Timeouts",
            "a".repeat(45),
            "b".repeat(MAX_WORD_BYTES),
            "c".repeat(MAX_WORD_BYTES - 1)
        ));
        let mut compared = 0;
        for text in &texts {
            let ours = tokens(analyzer(), text);
            let chain = tokens(stemming(None), text);
            assert_eq!(ours, chain);
            compared += ours.len();
        }
        assert!(compared > 10_000, "{compared} tokens");
    }

    /// The snippet analyzer finds the words the full chain finds, at the
    /// same offsets, long ones dropped alike, and gives each word whose
    /// term is one it looks for that term, and no other word one of them:
    /// on the sample posts, the public corpus when present, and words
    /// beyond ASCII, looking for a seventh of the terms there are.
    #[test]
    fn the_snippet_analyzer_keeps_the_full_chains_words_and_terms() {
        let mut texts = crate::sample_texts(true);
        texts.push(format!(
            "Ünïcode naïve café — straße {} 東京 ﬁle x² Ⅻ end dying lying tying a",
            "a".repeat(45)
        ));
        let mut all = std::collections::BTreeSet::new();
        for text in &texts {
            all.extend(terms(stemming(None), text));
        }
        let wanted: std::collections::HashSet<String> = all
            .into_iter()
            .step_by(7)
            .chain(["die", "lie", "tie", "cafe", "a"].map(String::from))
            .collect();
        let mut found = 0;
        for text in &texts {
            let full = offsets_and_texts(stemming(None), text);
            let ours = offsets_and_texts(snippet_analyzer(wanted.iter().map(String::as_str)), text);
            assert_eq!(full.len(), ours.len());
            for ((from, to, term), (our_from, our_to, our_term)) in full.iter().zip(&ours) {
                assert_eq!((from, to), (our_from, our_to), "{term}");
                if wanted.contains(term) {
                    assert_eq!(term, our_term);
                    found += 1;
                } else {
                    assert!(!wanted.contains(our_term), "{term} -> {our_term}");
                }
            }
            // The term finder finds every word the analyzer gives a term
            // looked for, and gives no word what the analyzer does not.
            let mut finder = TermFinder::new(wanted.iter().map(String::as_str));
            let mut found_alone = Vec::new();
            finder.for_each(text, |range, term| {
                found_alone.push((range.start, range.end, term.to_string()))
            });
            let looked_for = |words: &[(usize, usize, String)]| -> Vec<(usize, usize, String)> {
                words
                    .iter()
                    .filter(|(_, _, t)| wanted.contains(t))
                    .cloned()
                    .collect()
            };
            assert_eq!(looked_for(&found_alone), looked_for(&ours));
            assert!(found_alone.iter().all(|word| ours.contains(word)));
        }
        assert!(found > 10_000, "{found} words looked for found");
    }
}
