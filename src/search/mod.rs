//! Stage 5: search by symptom. A query becomes a tantivy query over the
//! incident fields — symptoms weigh most, then title, causes, fixes, body —
//! expanded with operations synonyms, with a bonus for phrase matches and a
//! fuzzy retry for typos. Each hit carries the symptom, cause and fix that
//! best match the query, so the answer is on the first screen.

mod facets;
pub mod query;
mod ranking;
mod snippets;
pub mod synonyms;

use std::collections::HashMap;
use std::sync::LazyLock;
use std::time::Instant;

use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::query::{
    BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, Searcher, TantivyDocument, Term};

use crate::error::{Error, Result};
use crate::extract::technologies;
use crate::incident::{Finding, Incident};
use crate::index::{analyzer, PostIndex, TermFinder};
use facets::FacetCounter;
pub use facets::Facets;
use query::{Part, Scope};
use ranking::{Alternative, Criteria, Required, Scored};
use snippets::{Phrase, Snippets};

pub const DEFAULT_LIMIT: usize = 10;
pub const MAX_LIMIT: usize = 100;
const SYNONYM_WEIGHT: f32 = 0.8;
const PHRASE_WORD_WEIGHT: f32 = 0.6;

/// How much a match in each field counts: what was seen first.
const SYMPTOM_BOOST: f32 = 3.0;
const TITLE_BOOST: f32 = 2.5;
const CAUSE_BOOST: f32 = 1.5;
const FIX_BOOST: f32 = 1.2;
const BODY_BOOST: f32 = 1.0;
const PHRASE_BOOST: f32 = 2.0;

const STOP_WORDS: &[&str] = &[
    "a", "an", "the", "and", "or", "of", "to", "in", "on", "at", "by", "for", "with", "from", "is",
    "was", "were", "are", "be", "it", "its", "this", "that", "after", "when", "while", "our", "we",
    "my", "i",
];

/// Words that say something only inside a phrase: "ran out of memory"
/// also finds posts that say "memory", not those that say "out".
const MEANINGLESS_ALONE: &[&str] = &[
    "out", "no", "not", "up", "down", "back", "off", "over", "too", "many", "much", "never",
    "only", "every", "few", "new", "old", "all", "any",
];

#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub id: String,
    pub title: String,
    pub date: Option<String>,
    pub score: f32,
    pub symptoms: Vec<String>,
    pub causes: Vec<String>,
    pub fixes: Vec<String>,
    pub snippet: String,
    pub technologies: Vec<String>,
    pub tags: Vec<String>,
    pub source: String,
    pub line: usize,
}

impl Hit {
    /// The snippet, when neither the title nor a finding shown names a
    /// word of the query (`terms`, from [`query_terms`]): then the passage
    /// of the post that matched is what says why the hit is here.
    pub fn unexplained(&self, terms: &std::collections::HashSet<String>) -> Option<&str> {
        let names = |text: &String| highlight(text, terms).contains("<mark>");
        let explained = names(&self.title)
            || self
                .symptoms
                .iter()
                .chain(&self.causes)
                .chain(&self.fixes)
                .any(names);
        (!explained && self.snippet.contains("<mark>")).then_some(self.snippet.as_str())
    }
}

/// A snippet as plain text: its marks dropped, its escapes undone, its
/// lines joined.
pub fn snippet_text(html: &str) -> String {
    let text = html
        .replace("<mark>", "")
        .replace("</mark>", "")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    pub query: String,
    pub total: usize,
    pub took_ms: f64,
    /// Some words are in no post, and words spelled like them were
    /// searched too: said, so a typo's hits are not taken for the answer
    /// to what was typed.
    pub near_spellings: bool,
    pub hits: Vec<Hit>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SimilarResults {
    pub id: String,
    pub hits: Vec<Hit>,
}

/// One idea of the query with its synonyms, each as analyzed terms.
#[derive(Debug, Clone)]
struct Concept {
    alternatives: Vec<(Vec<String>, f32)>,
}

fn analyze(text: &str) -> Vec<String> {
    let mut analyzer = analyzer();
    let mut stream = analyzer.token_stream(text);
    let mut terms = Vec::new();
    while let Some(token) = stream.next() {
        terms.push(token.text.clone());
    }
    terms
}

fn words_of(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !(c.is_alphanumeric() || c == '%' || c == '.' || c == '-'))
        .map(|w| w.trim_matches(['.', '-']).to_string())
        .filter(|w| !w.is_empty())
        .collect()
}

fn concepts_of(text: &str) -> Vec<Concept> {
    let words = words_of(text);
    // Stop words count inside a synonym phrase ("ran out of memory") and
    // when they are all there is; otherwise they only add noise.
    let only_stop_words = words.iter().all(|w| STOP_WORDS.contains(&w.as_str()));
    let mut concepts = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let (len, phrase) = synonyms::longest_match(&words, i).unwrap_or((1, words[i].clone()));
        i += len;
        if len == 1 && !only_stop_words && STOP_WORDS.contains(&phrase.as_str()) {
            continue;
        }
        let mut alternatives = vec![(analyze(&phrase), 1.0)];
        for alt in synonyms::alternatives(&phrase) {
            alternatives.push((analyze(alt), SYNONYM_WEIGHT));
        }
        // The words of a matched phrase still count a little on their own,
        // so "ran out of memory" also finds posts that only say "memory".
        if len > 1 {
            let alone = |w: &&str| !STOP_WORDS.contains(w) && !MEANINGLESS_ALONE.contains(w);
            for word in phrase.split(' ').filter(alone) {
                alternatives.push((analyze(word), PHRASE_WORD_WEIGHT));
            }
        }
        alternatives.retain(|(terms, _)| !terms.is_empty());
        alternatives.dedup_by(|a, b| a.0 == b.0);
        if !alternatives.is_empty() {
            concepts.push(Concept { alternatives });
        }
    }
    concepts
}

/// A concept's scored parts, one per field: the best of its alternatives
/// there, times the field's boost.
/// `body` is the field searched for typed phrases only (see below); `None`
/// searches every field for every alternative.
fn concept_parts(concept: &Concept, fields: &[(Field, f32)], body: Option<Field>) -> Vec<Scored> {
    fields
        .iter()
        .filter_map(|&(field, boost)| {
            let alternatives: Vec<Alternative> = concept
                .alternatives
                .iter()
                // A synonym of several words counts where findings and
                // titles say it, not deep in a body: matching phrases in
                // bodies read the positions of half the corpus, tripled the
                // slowest queries' time, and changed no ranking in eval/.
                .filter(|(terms, weight)| Some(field) != body || terms.len() == 1 || *weight >= 1.0)
                .map(|(terms, weight)| Alternative {
                    terms: terms
                        .iter()
                        .map(|t| Term::from_field_text(field, t))
                        .collect(),
                    weight: *weight,
                })
                .collect();
            (!alternatives.is_empty()).then_some(Scored::BestOf {
                boost,
                alternatives,
            })
        })
        .collect()
}

/// A filter: it decides what matches, and adds its (small) score.
fn filter_term(field: Field, value: &str) -> Scored {
    Scored::Query(Box::new(TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    )))
}

/// How much a near spelling of a typed word counts, against the word.
const NEAR_SPELLING_WEIGHT: f32 = 0.5;
/// Near spellings searched for one typed word: the closest, then the
/// most common. A short word has dozens within two edits in a large
/// index, and each is a term to look up in every field.
const NEAR_SPELLINGS_KEPT: usize = 8;

/// The words of the index within an edit or two of `word` (a word no post
/// has; two edits from 6 letters: "memroy" is two from the stem "memori"),
/// closest first, then commonest, and the longest start of `word` that
/// is a word of the index (see `stem_before_typo`). They are read from the term
/// dictionaries of the body (which holds every finding) and the title,
/// and searched as any other word, so they are scored, marked in snippets
/// and found in the findings shown. Matching them in tantivy's fuzzy
/// query instead walked five fields' dictionaries per segment, and gave
/// every match the same score.
fn near_spellings(
    searcher: &Searcher,
    word: &str,
    fields: &[Field],
) -> Result<Vec<(String, usize)>> {
    let distance = if word.chars().count() >= 6 { 2 } else { 1 };
    let mut found: HashMap<String, u64> = HashMap::new();
    for &field in fields {
        let automaton =
            FuzzyTermQuery::new(Term::from_field_text(field, word), distance, true).automaton()?;
        for segment in searcher.segment_readers() {
            let inverted = segment.inverted_index(field)?;
            let mut terms = inverted
                .terms()
                .search(&automaton)
                .into_stream()
                .map_err(tantivy::TantivyError::from)?;
            while terms.advance() {
                if let Ok(term) = std::str::from_utf8(terms.key()) {
                    *found.entry(term.to_string()).or_default() +=
                        u64::from(terms.value().doc_freq);
                }
            }
        }
    }
    let mut found: Vec<(usize, u64, String)> = found
        .into_iter()
        .map(|(term, docs)| (edit_distance(word, &term), docs, term))
        .collect();
    if let Some((stem, docs)) = stem_before_typo(searcher, word, fields)? {
        found.retain(|(_, _, term)| *term != stem);
        found.push((1, docs, stem));
    }
    found.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
    Ok(found
        .into_iter()
        .take(NEAR_SPELLINGS_KEPT)
        .map(|(distance, _, term)| (term, distance))
        .collect())
}

/// The longest start of `word` that is a word of the index, when it is
/// at least five letters and three fifths of the word: a typo past where a word's
/// stem ends keeps the stemmer from cutting it there ("replicaton" stays
/// whole, four edits from `replic`, the stem of "replication"; so does
/// "deploymnet" against `deploy`). Counted as one edit away, with the
/// documents that have it.
fn stem_before_typo(
    searcher: &Searcher,
    word: &str,
    fields: &[Field],
) -> Result<Option<(String, u64)>> {
    let chars: Vec<(usize, char)> = word.char_indices().collect();
    let shortest = 5.max((chars.len() * 3).div_ceil(5));
    for len in (shortest..chars.len()).rev() {
        let start = &word[..chars[len].0];
        let mut docs = 0;
        for &field in fields {
            docs += searcher.doc_freq(&Term::from_field_text(field, start))?;
        }
        if docs > 0 {
            return Ok(Some((start.to_string(), docs)));
        }
    }
    Ok(None)
}

/// The near spellings of a typed word (closest first, with their edit
/// distance) as a concept's alternatives, each with the synonyms of the
/// word of the table it is the stem of, as the word typed right would
/// have had them (`concepts_of` that word): `rollbak` is taken for
/// `rollback`, and also finds "rolled back". They count half as much as
/// a word typed right, but the one closest spelling a single edit away,
/// with no other as close, counts as the word it almost certainly is:
/// at half weight "rollbak deploy" ranked two deploys above the
/// rollback.
fn with_synonyms(near: Vec<(String, usize)>) -> Vec<(Vec<String>, f32)> {
    /// Stem → the one-word phrases of the synonym table with that stem.
    static BY_STEM: LazyLock<HashMap<String, Vec<&'static str>>> = LazyLock::new(|| {
        let mut by_stem: HashMap<String, Vec<&'static str>> = HashMap::new();
        for phrase in synonyms::GROUPS.iter().flat_map(|group| group.iter()) {
            if let [stem] = analyze(phrase).as_slice() {
                let words = by_stem.entry(stem.clone()).or_default();
                if !words.contains(phrase) {
                    words.push(phrase);
                }
            }
        }
        by_stem
    });
    let certain = match near.as_slice() {
        [(_, 1)] => true,
        [(_, 1), (_, next), ..] => *next > 1,
        _ => false,
    };
    let weight_of = |at: usize| {
        if at == 0 && certain {
            1.0
        } else {
            NEAR_SPELLING_WEIGHT
        }
    };
    let typed_right = near.iter().enumerate().flat_map(|(at, (term, _))| {
        BY_STEM
            .get(term)
            .into_iter()
            .flatten()
            .flat_map(|word| concepts_of(word))
            .flat_map(|concept| concept.alternatives)
            .map(move |(terms, weight)| (terms, weight * weight_of(at)))
    });
    let mut alternatives: Vec<(Vec<String>, f32)> = Vec::new();
    for (terms, weight) in near
        .iter()
        .enumerate()
        .map(|(at, (term, _))| (vec![term.clone()], weight_of(at)))
        .chain(typed_right)
    {
        if !alternatives.iter().any(|(known, _)| *known == terms) {
            alternatives.push((terms, weight));
        }
    }
    alternatives
}

/// Edits (insert, delete, replace, swap two neighbours) from `a` to `b`,
/// as the fuzzy automaton counts them.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let replace = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + replace);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

/// A query ready to run, with what is needed to pick the best findings.
struct Plan {
    /// What every hit must match and must not, and how it scores.
    criteria: Criteria,
    /// Every concept of the free text, for choosing findings to show.
    concepts: Vec<Concept>,
    /// Whether some word is in no post and long enough (4 letters) for
    /// its near spellings to be worth searching; a plan made with `fuzzy`
    /// searches them.
    spellable: bool,
    /// Whether the index has near spellings of such a word, and this plan
    /// searches them.
    corrected: bool,
}

impl Plan {
    /// What snippets look for in a body: the words and the phrases (each
    /// its words) that say the query's concepts, synonyms included. A
    /// phrase is looked for whole, where its words stand together, though
    /// bodies are searched for the phrases typed only (see
    /// `concept_parts`): a synonym of several words often says best why a
    /// hit matched ("disk full" meets "No space left on device").
    fn snippet_terms(&self) -> (Vec<String>, Vec<Phrase>) {
        let mut words = Vec::new();
        let mut phrases = Vec::new();
        for (terms, weight) in self.concepts.iter().flat_map(|c| &c.alternatives) {
            match terms.as_slice() {
                [word] => words.push(word.clone()),
                _ => phrases.push(Phrase {
                    words: terms.clone(),
                    typed: *weight >= 1.0,
                }),
            }
        }
        (words, phrases)
    }
}

impl PostIndex {
    fn search_fields(&self) -> Vec<(Field, f32)> {
        let f = &self.fields;
        vec![
            (f.symptoms, SYMPTOM_BOOST),
            (f.title, TITLE_BOOST),
            (f.causes, CAUSE_BOOST),
            (f.fixes, FIX_BOOST),
            (f.body, BODY_BOOST),
        ]
    }

    /// The plan that also searches the near spellings of words no post
    /// has, when the query has such a word and the index has words spelled
    /// like it: a typo ("memroy leak", "rollbak deploy") is corrected
    /// whatever else matches, and the plan without the corrections is not
    /// run at all. (It used to be taken only when it found more; "rollbak
    /// deploy" found no post that "deploy" had not, so rollbacks were not
    /// ranked first.)
    fn near_spelling_plan(
        &self,
        parsed: &query::ParsedQuery,
        searcher: &Searcher,
        plain: &Plan,
    ) -> Result<Option<Plan>> {
        if !plain.spellable {
            return Ok(None);
        }
        let corrected = self.plan(parsed, searcher, true)?;
        Ok(corrected.corrected.then_some(corrected))
    }

    fn plan(&self, parsed: &query::ParsedQuery, searcher: &Searcher, fuzzy: bool) -> Result<Plan> {
        let f = self.fields;
        let scoped_field = |scope: &Scope| match scope {
            Scope::Symptoms => f.symptoms,
            Scope::Causes => f.causes,
            Scope::Fixes => f.fixes,
            Scope::Title => f.title,
        };
        let all_fields = self.search_fields();
        let mut required: Vec<Required> = Vec::new();
        let mut excluded: Vec<Box<dyn Query>> = Vec::new();
        let mut text: Vec<Scored> = Vec::new();
        let mut concepts = Vec::new();
        let mut spellable = false;
        // The near spellings searched for typed words, as concepts.
        let mut corrections = Vec::new();
        for part in &parsed.parts {
            match part {
                Part::Text(words) => {
                    let found = concepts_of(words);
                    for concept in &found {
                        // A word no post has ("ECONNRESET") is searched
                        // in bodies by its synonyms of several words too:
                        // nothing else would find it, and such words are rare.
                        let unknown = match concept.alternatives.first() {
                            Some((terms, _))
                                if terms.len() == 1
                                    && searcher
                                        .doc_freq(&Term::from_field_text(f.body, &terms[0]))?
                                        == 0 =>
                            {
                                Some(terms[0].as_str())
                            }
                            _ => None,
                        };
                        let body = if unknown.is_some() {
                            None
                        } else {
                            Some(f.body)
                        };
                        text.extend(concept_parts(concept, &all_fields, body));
                        // Likelier a typo than a new word: its near spellings.
                        if let Some(word) = unknown.filter(|w| w.chars().count() >= 4) {
                            spellable = true;
                            if fuzzy {
                                let near = Concept {
                                    alternatives: with_synonyms(near_spellings(
                                        searcher,
                                        word,
                                        &[f.body, f.title],
                                    )?),
                                };
                                if !near.alternatives.is_empty() {
                                    text.extend(concept_parts(&near, &all_fields, Some(f.body)));
                                    corrections.push(near);
                                }
                            }
                        }
                    }
                    // Words that stand together in the query and the post count more.
                    let singles: Vec<String> = found
                        .iter()
                        .filter_map(|c| c.alternatives.first())
                        .flat_map(|(terms, _)| terms.clone())
                        .collect();
                    if singles.len() >= 2 {
                        for field in [f.symptoms, f.title] {
                            let terms: Vec<(usize, Term)> = singles
                                .iter()
                                .enumerate()
                                .map(|(i, t)| (i, Term::from_field_text(field, t)))
                                .collect();
                            let phrase = PhraseQuery::new_with_offset_and_slop(terms, 2);
                            text.push(Scored::Bonus(Box::new(BoostQuery::new(
                                Box::new(phrase),
                                PHRASE_BOOST,
                            ))));
                        }
                    }
                    concepts.extend(found);
                }
                Part::Phrase(phrase) | Part::ScopedPhrase(_, phrase) => {
                    let terms = analyze(phrase);
                    if terms.is_empty() {
                        continue;
                    }
                    // As typed: the phrase alone, no synonyms.
                    let concept = Concept {
                        alternatives: vec![(terms, 1.0)],
                    };
                    let scoped;
                    let fields = match part {
                        Part::ScopedPhrase(scope, _) => {
                            scoped = [(scoped_field(scope), SYMPTOM_BOOST)];
                            &scoped[..]
                        }
                        _ => &all_fields[..],
                    };
                    required.push(Required(concept_parts(&concept, fields, Some(f.body))));
                    concepts.push(concept);
                }
                Part::Scoped(scope, words) => {
                    let field = scoped_field(scope);
                    let found = concepts_of(words);
                    if found.is_empty() {
                        continue;
                    }
                    required.push(Required(
                        found
                            .iter()
                            .flat_map(|c| concept_parts(c, &[(field, SYMPTOM_BOOST)], Some(f.body)))
                            .collect(),
                    ));
                    concepts.extend(found);
                }
                Part::Tech(name) => {
                    let canonical = technologies::canonical(name)
                        .map_or_else(|| name.clone(), |c| c.to_lowercase());
                    required.push(Required(vec![filter_term(f.technologies, &canonical)]));
                }
                Part::Excluded(words) => {
                    let terms = analyze(words);
                    if terms.is_empty() {
                        continue;
                    }
                    // Where the post says it, whatever the field: a word
                    // left out is left out of the whole post.
                    let anywhere = all_fields
                        .iter()
                        .map(|&(field, _)| {
                            let terms: Vec<Term> = terms
                                .iter()
                                .map(|t| Term::from_field_text(field, t))
                                .collect();
                            let query: Box<dyn Query> = match terms.as_slice() {
                                [term] => {
                                    Box::new(TermQuery::new(term.clone(), IndexRecordOption::Basic))
                                }
                                _ => Box::new(PhraseQuery::new(terms)),
                            };
                            (Occur::Should, query)
                        })
                        .collect();
                    excluded.push(Box::new(BooleanQuery::new(anywhere)));
                }
                Part::Tag(tag) => required.push(Required(vec![filter_term(f.tags, tag)])),
                Part::Years(from, to) => {
                    if to - from > 300 {
                        return Err(Error::Query("year range too wide".into()));
                    }
                    required.push(Required(
                        (*from..=*to)
                            .map(|y| filter_term(f.year, &y.to_string()))
                            .collect(),
                    ));
                }
            }
        }
        let corrected = !corrections.is_empty();
        concepts.append(&mut corrections);
        if !text.is_empty() {
            required.push(Required(text));
        }
        if required.is_empty() {
            // Said, not left to guess: a pasted hash or token is one word too
            // long to be indexed.
            let words = words_of(&parsed.text());
            let too_long = !words.is_empty()
                && words
                    .iter()
                    .all(|w| w.len() >= crate::index::MAX_WORD_BYTES);
            let excluding = parsed.parts.iter().any(|p| matches!(p, Part::Excluded(_)));
            let hint = if too_long {
                format!(
                    "words of {} characters or more are not indexed; type what you see, e.g. `intermittent timeout`",
                    crate::index::MAX_WORD_BYTES
                )
            } else if excluding {
                "say what you see, then what to leave out, e.g. `timeout -staging`".to_string()
            } else if parsed.has_text() && words.is_empty() {
                format!(
                    "`{}` has no letters or digits; type what you see, e.g. `intermittent timeout`",
                    parsed.text()
                )
            } else {
                "type what you see, e.g. `intermittent timeout`".to_string()
            };
            return Err(Error::Query(format!("nothing to search for: {hint}")));
        }
        Ok(Plan {
            criteria: Criteria { required, excluded },
            concepts,
            spellable,
            corrected,
        })
    }

    /// Searches by symptom. `offset` skips hits, for pages.
    pub fn search(&self, text: &str, limit: usize, offset: usize) -> Result<SearchResults> {
        Ok(self.search_and_count(text, limit, offset, false)?.0)
    }

    /// A search and its page's filters, counted over the matches the
    /// search's own pass finds.
    pub fn search_with_facets(
        &self,
        text: &str,
        limit: usize,
        offset: usize,
    ) -> Result<(SearchResults, Facets)> {
        let (results, facets) = self.search_and_count(text, limit, offset, true)?;
        Ok((results, facets.unwrap_or_default()))
    }

    fn search_and_count(
        &self,
        text: &str,
        limit: usize,
        offset: usize,
        with_facets: bool,
    ) -> Result<(SearchResults, Option<Facets>)> {
        let started = Instant::now();
        let parsed = query::parse(text)?;
        let limit = limit.clamp(1, MAX_LIMIT);
        let searcher = self.reader.searcher();
        let mut plan = self.plan(&parsed, &searcher, false)?;
        let mut near_spellings = false;
        if let Some(corrected) = self.near_spelling_plan(&parsed, &searcher, &plan)? {
            plan = corrected;
            near_spellings = true;
        }
        // Body matches add little next to the other fields: most documents
        // that match only there cannot reach the page.
        let defer = [self.fields.body];
        let (top, total, matches) = if with_facets {
            ranking::top_docs_and_matches(&searcher, &plan.criteria, &defer, limit, offset)?
        } else {
            let (top, total) = ranking::top_docs(&searcher, &plan.criteria, &defer, limit, offset)?;
            (top, total, Vec::new())
        };
        let facets = if with_facets {
            Some(count_facets(&searcher, &matches)?)
        } else {
            None
        };
        let (snippet_words, snippet_phrases) = plan.snippet_terms();
        let mut snippets = Snippets::new(
            &searcher,
            self.fields.body,
            &snippet_words,
            &snippet_phrases,
        );
        let mut picker = FindingPicker::new(&plan.concepts);
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            let doc: TantivyDocument = searcher.doc(address)?;
            let Some(record) = self.record_of(&doc) else {
                continue;
            };
            let snippet = match &mut snippets {
                Some(snippets) => snippets.html(&self.body_of(&doc)),
                None => String::new(),
            };
            hits.push(picker.hit(record, score, snippet));
        }
        let results = SearchResults {
            query: text.to_string(),
            total,
            near_spellings,
            took_ms: (started.elapsed().as_secs_f64() * 1000.0 * 100.0).round() / 100.0,
            hits,
        };
        Ok((results, facets))
    }

    /// Incidents most like `id`, by the distinctive words of its symptoms
    /// and causes.
    pub fn similar(&self, id: &str, limit: usize) -> Result<SimilarResults> {
        let record = self
            .get(id)?
            .ok_or_else(|| Error::UnknownId(id.to_string()))?;
        let id = record.id.as_str();
        let limit = limit.clamp(1, MAX_LIMIT);
        let searcher = self.reader.searcher();
        let f = self.fields;
        // The tags too: written by hand, they hold when extraction slips.
        let text: String = std::iter::once(record.title.as_str())
            .chain(
                record
                    .symptoms
                    .iter()
                    .chain(&record.causes)
                    .map(|x| x.text.as_str()),
            )
            .chain(record.tags.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(" ");
        // Whose incident it was is no likeness: the company's name, in
        // every sentence of its post, made a third of the incidents most
        // like one the same company's, whatever failed. A named service
        // or product starts with it ("GitHub Actions"); the product's own
        // words stay.
        let owner: std::collections::HashSet<String> = record
            .services
            .iter()
            .filter(|name| name.starts_with(|c: char| c.is_uppercase()))
            .filter_map(|name| name.split_whitespace().next())
            .flat_map(analyze)
            .collect();
        let mut counts: HashMap<String, usize> = HashMap::new();
        for term in analyze(&text) {
            if term.chars().count() > 2
                && !term.chars().all(|c| c.is_ascii_digit())
                && !owner.contains(&term)
            {
                *counts.entry(term).or_default() += 1;
            }
        }
        let docs = searcher.num_docs().max(1) as f32;
        let mut weighted: Vec<(String, f32)> = counts
            .into_iter()
            .filter_map(|(term, tf)| {
                let df = searcher
                    .doc_freq(&Term::from_field_text(f.body, &term))
                    .unwrap_or(0) as f32;
                (df > 1.0 && df < docs * 0.5).then(|| (term, tf as f32 * (docs / df).ln()))
            })
            .collect();
        weighted.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        weighted.truncate(25);
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (term, weight) in &weighted {
            for (field, boost) in [
                (f.symptoms, 2.0),
                (f.causes, 1.5),
                (f.title, 1.0),
                (f.body, 0.5),
            ] {
                let q = TermQuery::new(
                    Term::from_field_text(field, term),
                    IndexRecordOption::WithFreqs,
                );
                clauses.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(q), boost * weight)),
                ));
            }
        }
        if clauses.is_empty() {
            return Ok(SimilarResults {
                id: id.to_string(),
                hits: Vec::new(),
            });
        }
        let without_self: Vec<(Occur, Box<dyn Query>)> = vec![
            (Occur::Must, Box::new(BooleanQuery::new(clauses))),
            (
                Occur::MustNot,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.id, id),
                    IndexRecordOption::Basic,
                )),
            ),
        ];
        let query = BooleanQuery::new(without_self);
        let top = searcher.search(&query, &TopDocs::with_limit(limit).order_by_score())?;
        let concepts = vec![Concept {
            alternatives: weighted
                .iter()
                .map(|(t, _)| (vec![t.clone()], 1.0))
                .collect(),
        }];
        let mut picker = FindingPicker::new(&concepts);
        let mut hits = Vec::new();
        for (score, address) in top {
            let doc: TantivyDocument = searcher.doc(address)?;
            if let Some(record) = self.record_of(&doc) {
                let snippet = html_escape(&record.summary);
                hits.push(picker.hit(record, score, snippet));
            }
        }
        Ok(SimilarResults {
            id: id.to_string(),
            hits,
        })
    }
}

/// Picks, for each hit, the findings to show. It runs over every finding
/// of every hit, so it looks each token up among the query's terms instead
/// of collecting the finding's terms, and only the words that could be a
/// query term are found and stemmed (see `TermFinder`), as for snippets.
struct FindingPicker<'c> {
    /// Each distinct term of the concepts, numbered.
    term_numbers: HashMap<&'c str, usize>,
    /// Per concept, per alternative: the numbers of its terms.
    alternatives: Vec<Vec<Vec<usize>>>,
    finder: TermFinder,
    /// Which terms the finding at hand holds (reused between findings).
    present: Vec<bool>,
}

impl<'c> FindingPicker<'c> {
    fn new(concepts: &'c [Concept]) -> FindingPicker<'c> {
        let mut term_numbers: HashMap<&str, usize> = HashMap::new();
        let alternatives = concepts
            .iter()
            .map(|concept| {
                concept
                    .alternatives
                    .iter()
                    .map(|(terms, _)| {
                        terms
                            .iter()
                            .map(|term| {
                                let next = term_numbers.len();
                                *term_numbers.entry(term.as_str()).or_insert(next)
                            })
                            .collect()
                    })
                    .collect()
            })
            .collect();
        FindingPicker {
            finder: TermFinder::new(term_numbers.keys().copied()),
            present: vec![false; term_numbers.len()],
            term_numbers,
            alternatives,
        }
    }

    /// How many concepts `text` names.
    fn named(&mut self, text: &str) -> usize {
        self.present.fill(false);
        let (numbers, present) = (&self.term_numbers, &mut self.present);
        self.finder.for_each(text, |_, word| {
            if let Some(&number) = numbers.get(word) {
                present[number] = true;
            }
        });
        self.alternatives
            .iter()
            .filter(|alternatives| {
                alternatives
                    .iter()
                    .any(|terms| terms.iter().all(|&number| self.present[number]))
            })
            .count()
    }

    /// The finding that names the most concepts; the first one when none
    /// does, so a hit always shows something for each field it has.
    fn best(&mut self, findings: &[Finding]) -> Vec<String> {
        let mut best: Option<(usize, &Finding)> = None;
        for finding in findings {
            let score = self.named(&finding.text);
            if best.is_none_or(|(s, _)| score > s) {
                best = Some((score, finding));
            }
        }
        best.map(|(_, f)| vec![f.text.clone()]).unwrap_or_default()
    }

    /// The fix to show: the first that was done, not what will watch for
    /// the failure next time. Not the one that names the query's words:
    /// those were mostly follow-ups that alert on the symptom ("Alert on
    /// CrashLoopBackOff for 5 minutes" beside "we reverted the CPU limit;
    /// pods started") or outcomes ("timeout-free for four months since").
    fn best_fix(fixes: &[Finding]) -> Vec<String> {
        let first = fixes
            .iter()
            .find(|f| !is_follow_up(&f.text))
            .or_else(|| fixes.first());
        first.map(|f| vec![f.text.clone()]).unwrap_or_default()
    }

    fn hit(&mut self, record: Incident, score: f32, snippet: String) -> Hit {
        let snippet = if snippet.trim().is_empty() {
            html_escape(&record.summary)
        } else {
            snippet
        };
        Hit {
            symptoms: self.best(&record.symptoms),
            causes: self.best(&record.causes),
            fixes: Self::best_fix(&record.fixes),
            id: record.id,
            title: record.title,
            date: record.date,
            score: (score * 1000.0).round() / 1000.0,
            snippet,
            technologies: record.technologies,
            tags: record.tags,
            source: record.source,
            line: record.line,
        }
    }
}

/// A follow-up that watches for the failure rather than fixing it.
fn is_follow_up(text: &str) -> bool {
    let lower = text.to_lowercase();
    [
        "alert on",
        "alert when",
        "alert if",
        "an alert",
        "alerting on",
        "alerts on",
        "page on",
        "page when",
        "monitor",
    ]
    .iter()
    .any(|cue| lower.contains(cue))
        || lower.starts_with("alert")
}

pub fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

impl PostIndex {
    /// Filter counts for a query (over every match, not just one page),
    /// over the matches `search` would show, typos retried as it does.
    pub fn facets(&self, text: &str) -> Result<Facets> {
        let parsed = query::parse(text)?;
        let searcher = self.reader.searcher();
        let defer = [self.fields.body];
        let mut plan = self.plan(&parsed, &searcher, false)?;
        if let Some(corrected) = self.near_spelling_plan(&parsed, &searcher, &plan)? {
            plan = corrected;
        }
        let matches = ranking::matching_docs(&searcher, &plan.criteria, &defer)?;
        count_facets(&searcher, &matches)
    }

    /// Filter counts over every incident, for the start page.
    pub fn facets_all(&self) -> Result<Facets> {
        let searcher = self.reader.searcher();
        let alive: Vec<Vec<DocId>> = searcher
            .segment_readers()
            .iter()
            .map(|segment| segment.doc_ids_alive().collect())
            .collect();
        count_facets(&searcher, &alive)
    }
}

/// Counts the filters over `matches`, by segment as the searcher orders
/// them.
fn count_facets(searcher: &Searcher, matches: &[Vec<DocId>]) -> Result<Facets> {
    let mut counter = FacetCounter::default();
    for (segment, docs) in searcher.segment_readers().iter().zip(matches) {
        counter.add_segment(segment, docs)?;
    }
    Ok(counter.facets())
}

/// The analyzed terms a query looks for, synonyms included: what to
/// highlight in a finding.
pub fn query_terms(text: &str) -> std::collections::HashSet<String> {
    let Ok(parsed) = query::parse(text) else {
        return Default::default();
    };
    parsed
        .parts
        .iter()
        .filter_map(|p| match p {
            Part::Text(t) | Part::Phrase(t) | Part::Scoped(_, t) | Part::ScopedPhrase(_, t) => {
                Some(t)
            }
            _ => None,
        })
        .flat_map(|t| concepts_of(t))
        // Single words only, and so not "out" alone for "timed out": the
        // words of a phrase are alternatives alone only when they mean
        // something alone (see `MEANINGLESS_ALONE`).
        .flat_map(|c| {
            c.alternatives
                .into_iter()
                .filter(|(terms, _)| terms.len() == 1)
                .flat_map(|(terms, _)| terms)
        })
        .collect()
}

/// `text` as HTML with every word whose analyzed form is in `terms` marked.
pub fn highlight(text: &str, terms: &std::collections::HashSet<String>) -> String {
    let mut out = String::with_capacity(text.len() + 32);
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if word.is_empty() {
            return;
        }
        let hit = analyze(word).iter().any(|t| terms.contains(t));
        if hit {
            out.push_str("<mark>");
        }
        out.push_str(&html_escape(word));
        if hit {
            out.push_str("</mark>");
        }
        word.clear();
    };
    for c in text.chars() {
        if c.is_alphanumeric() {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push_str(&html_escape(&c.to_string()));
        }
    }
    flush(&mut word, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::Count;
    use tantivy::snippet::SnippetGenerator;
    use tantivy::DocAddress;

    /// Queries with synonyms, phrases, scopes and words that stem.
    const QUERIES: [&str; 6] = [
        "intermittent timeout",
        "pods restarting",
        "disk full after deploy",
        "\"connection pool\" exhausted",
        "symptoms:latency causes:lock",
        "certificates expiring caching",
    ];

    /// The sample posts indexed, and every stored document of them.
    fn sample_index() -> (tempfile::TempDir, PostIndex, Vec<TantivyDocument>) {
        let posts = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("posts");
        let dir = tempfile::tempdir().expect("temp dir");
        crate::index::import(&posts, dir.path(), &crate::index::Quiet).expect("import");
        let index = PostIndex::open(dir.path()).expect("open");
        let searcher = index.reader.searcher();
        let docs: Vec<TantivyDocument> = searcher
            .segment_readers()
            .iter()
            .enumerate()
            .flat_map(|(segment, reader)| {
                (0..reader.max_doc()).map(move |doc| tantivy::DocAddress::new(segment as u32, doc))
            })
            .filter_map(|address| searcher.doc::<TantivyDocument>(address).ok())
            .collect();
        assert!(docs.len() > 20, "{} documents", docs.len());
        (dir, index, docs)
    }

    /// The findings shown are those a picker stemming every word would
    /// choose, on every record of the sample posts.
    #[test]
    fn findings_are_picked_as_with_every_word_stemmed() {
        let (_dir, index, docs) = sample_index();
        let searcher = index.reader.searcher();
        let every_word_stemmed = |findings: &[Finding], concepts: &[Concept]| {
            let named = |finding: &Finding| {
                let terms = analyze(&finding.text);
                concepts
                    .iter()
                    .filter(|c| {
                        c.alternatives
                            .iter()
                            .any(|(alt, _)| alt.iter().all(|t| terms.contains(t)))
                    })
                    .count()
            };
            let mut best: Option<(usize, &Finding)> = None;
            for finding in findings {
                let score = named(finding);
                if best.is_none_or(|(s, _)| score > s) {
                    best = Some((score, finding));
                }
            }
            best.map(|(s, f)| (s, vec![f.text.clone()]))
        };
        let mut matched = 0;
        for text in QUERIES {
            let plan = index
                .plan(&query::parse(text).expect("query"), &searcher, false)
                .expect("plan");
            let mut picker = FindingPicker::new(&plan.concepts);
            for doc in &docs {
                let record = index.record_of(doc).expect("record");
                for findings in [&record.symptoms, &record.causes, &record.fixes] {
                    let expected = every_word_stemmed(findings, &plan.concepts);
                    matched += usize::from(expected.as_ref().is_some_and(|(s, _)| *s > 0));
                    let expected = expected.map(|(_, f)| f).unwrap_or_default();
                    assert_eq!(picker.best(findings), expected, "{text:?} in {}", record.id);
                }
            }
        }
        assert!(matched > 30, "{matched} findings name a concept");
    }

    /// Our snippets are tantivy's own, however few words get stemmed.
    #[test]
    fn snippets_are_those_of_tantivys_generator() {
        let (_dir, index, docs) = sample_index();
        let searcher = index.reader.searcher();
        let bodies: Vec<String> = docs.iter().map(|doc| index.body_of(doc)).collect();
        let mut highlighted = 0;
        for text in QUERIES {
            let parsed = query::parse(text).expect("query");
            let plan = index.plan(&parsed, &searcher, false).expect("plan");
            // Without the phrases, which tantivy's generator does not know.
            let (words, _) = plan.snippet_terms();
            let body = index.fields.body;
            let snippet_query = BooleanQuery::new(
                words
                    .iter()
                    .map(|word| {
                        let term = TermQuery::new(
                            Term::from_field_text(body, word),
                            IndexRecordOption::Basic,
                        );
                        (Occur::Should, Box::new(term) as Box<dyn Query>)
                    })
                    .collect(),
            );
            let mut ours = Snippets::new(&searcher, body, &words, &[]).expect("ours");
            let mut theirs =
                SnippetGenerator::create(&searcher, &snippet_query, body).expect("tantivy's");
            theirs.set_max_num_chars(snippets::SNIPPET_CHARS);
            for body in &bodies {
                let mut expected = theirs.snippet(body);
                let window = ours.window(body);
                assert_eq!(window.is_some(), !expected.is_empty(), "{text:?}");
                if let Some(window) = window {
                    let start = expected.fragment_range().start;
                    let marks: Vec<_> = expected
                        .highlighted()
                        .iter()
                        .map(|r| r.start + start..r.end + start)
                        .collect();
                    assert_eq!(window.range, expected.fragment_range(), "{text:?}");
                    assert_eq!(window.marks, marks, "{text:?}");
                    highlighted += 1;
                }
                expected.set_snippet_prefix_postfix("<mark>", "</mark>");
                // htmlescape writes ' as &#x27;, pmkb as &#39;.
                let theirs_html = expected.to_html().replace("&#x27;", "&#39;");
                let ours_html = ours.html(body);
                // Shown the same words marked, in the same order, over the
                // same text, though from the start of the window's line and
                // with its line breaks shown as dots.
                let marked = |html: &str| -> Vec<String> {
                    html.split("<mark>")
                        .skip(1)
                        .map(|m| m.split("</mark>").next().unwrap_or_default().to_string())
                        .collect()
                };
                assert_eq!(marked(&ours_html), marked(&theirs_html), "{text:?}");
                assert!(!ours_html.contains('\n'), "{text:?}: {ours_html}");
                // Nor does it open on a heading ("Summary · For 23 minutes"),
                // where the post has no dots of its own.
                let split = (!body.contains(" · ")).then(|| ours_html.split_once(" · "));
                if let Some((first, _)) = split.flatten() {
                    let heading = first.split_whitespace().count() <= 5
                        && !first.ends_with(['.', ':', ';', '!', '?', ')'])
                        && !first.contains("<mark>");
                    assert!(!heading, "{text:?}: {ours_html}");
                }
                let plain = |html: &str| snippet_text(&html.replace(" · ", " "));
                let (ours_plain, theirs_plain) = (plain(&ours_html), plain(&theirs_html));
                let tail: String = theirs_plain
                    .chars()
                    .rev()
                    .take(40)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect();
                // Ending where theirs does, or at the end of the word
                // theirs ends inside.
                let ours_plain = ours_plain.trim_end_matches(" …");
                let past = ours_plain
                    .rfind(&tail)
                    .map(|at| &ours_plain[at + tail.len()..]);
                assert!(
                    past.is_some_and(|rest| rest.len() <= 24 && !rest.contains(' ')),
                    "{text:?}: {ours_plain:?} / {theirs_plain:?}"
                );
            }
        }
        assert!(highlighted > 30, "{highlighted} snippets with a match");
    }

    /// A seeded stream of numbers below the bound asked for: random
    /// bodies that are the same on every run.
    fn below(mut seed: u64) -> impl FnMut(usize) -> usize {
        move |n| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((seed >> 33) as usize) % n
        }
    }

    /// The body's snippets for what a user typed, as a search plans them.
    fn snippets_of(index: &PostIndex, searcher: &Searcher, text: &str) -> Snippets {
        let plan = index
            .plan(&query::parse(text).expect("query"), searcher, false)
            .expect("plan");
        let (words, phrases) = plan.snippet_terms();
        Snippets::new(searcher, index.fields.body, &words, &phrases).expect("snippets")
    }

    /// The window found from the words that could be terms alone is the
    /// one found by reading every word, on the sample posts' bodies and
    /// on random ones: long words, letters beyond ASCII, phrases cut by a
    /// window's edge or split by a word between.
    #[test]
    fn windows_found_from_the_terms_alone_are_those_of_every_word() {
        let (_dir, index, docs) = sample_index();
        let searcher = index.reader.searcher();
        let mut bodies: Vec<String> = docs.iter().map(|doc| index.body_of(doc)).collect();
        let pieces = [
            "no space left on device",
            "disk",
            "Disk",
            "full",
            "fully",
            "No",
            "space\nleft",
            "on",
            "device.",
            "\n",
            " ",
            "timed out",
            "timeouts",
            "TIMEOUT",
            "out",
            "dying",
            "é\u{301}",
            "Élan",
            "diskés",
            "🔥",
            "漢字",
            "\u{200b}",
            "ran out of memory",
            "OOMKilled",
            "a",
            "x".repeat(45).leak(),
            "disk".repeat(12).leak(),
            "dé".repeat(25).leak(),
            "memory",
            "mémoire",
            "503",
            "of",
        ];
        let mut next = below(11);
        for _ in 0..4000 {
            let separators = ["", " ", " ", "  ", "-", ", ", "\n"];
            let body: String = (0..next(120))
                .map(|_| format!("{}{}", pieces[next(pieces.len())], separators[next(7)]))
                .collect();
            bodies.push(body);
        }
        let mut compared = 0;
        for text in [
            "disk full after deploy",
            "\"no space left\" device",
            "intermittent timeout",
            "ran out of memory",
            "out of memory killed 503",
            "dying pods",
        ] {
            let mut snippets = snippets_of(&index, &searcher, text);
            for body in &bodies {
                let expected = snippets.window_by_every_word(body);
                assert_eq!(snippets.window(body), expected, "{text:?} in {body:?}");
                compared += usize::from(expected.is_some());
            }
        }
        assert!(compared > 10_000, "{compared} windows compared");
    }

    /// Whatever the body (line breaks anywhere, odd characters, phrases
    /// cut by the window's edge), a snippet is well-formed HTML on one
    /// line whose marks hold the query's words.
    #[test]
    fn snippets_of_any_text_are_one_line_of_balanced_marks() {
        let (_dir, index, _docs) = sample_index();
        let searcher = index.reader.searcher();
        let pieces = [
            "no space left on device",
            "disk",
            "full",
            "No",
            "space\nleft",
            "on",
            "device.",
            "\n",
            "\n\n",
            " \n ",
            "  ",
            "Summary\n",
            "timed out",
            "out",
            "hung",
            "é\u{301}",
            "🔥",
            "漢字",
            "\u{200b}",
            "<b>",
            "&amp;",
            "ran out of memory",
            "OOMKilled",
            ":\n",
            "x".repeat(300).leak(),
            "Date: 2016-08-19\n",
        ];
        let mut next = below(7);
        let mut marked = 0;
        for text in [
            "disk full after deploy",
            "intermittent timeout",
            "ran out of memory",
        ] {
            let mut snippets = snippets_of(&index, &searcher, text);
            for _ in 0..3000 {
                let body: String = (0..next(60))
                    .map(|_| pieces[next(pieces.len())])
                    .collect::<Vec<_>>()
                    .join(if next(3) == 0 { "" } else { " " });
                let html = snippets.html(&body);
                assert!(!html.contains('\n'), "{body:?}: {html:?}");
                assert_eq!(
                    html.matches("<mark>").count(),
                    html.matches("</mark>").count(),
                    "{body:?}"
                );
                assert!(
                    !html.contains("<mark></mark>") && !html.contains("<b>"),
                    "{body:?}: {html:?}"
                );
                marked += usize::from(html.contains("<mark>"));
            }
        }
        assert!(marked > 1000, "{marked} snippets with marks");
    }

    #[test]
    fn snippets_mark_the_words_of_synonyms_the_body_is_not_searched_for() {
        let (_dir, index, _docs) = sample_index();
        let results = index
            .search("disk full after deploy", 1, 0)
            .expect("search");
        let hit = &results.hits[0];
        assert_eq!(hit.id, "notes-2018-09-11-search-indexer-disk-full");
        assert!(
            hit.snippet.contains("<mark>No space left on device</mark>"),
            "{}",
            hit.snippet
        );
        // The phrase typed, where the post says it, beats a rarer word.
        let results = index.search("too many open files", 1, 0).expect("search");
        let hit = &results.hits[0];
        assert_eq!(hit.id, "edge-proxy-too-many-open-files");
        assert!(
            hit.snippet
                .to_lowercase()
                .contains("<mark>too many open files</mark>"),
            "{}",
            hit.snippet
        );
        // A synonym's words are marked only where they say it together:
        // "timed out" and "not responding" do not light up every "out"
        // and "not".
        let mut marked = 0;
        for text in [
            "intermittent timeout",
            "disk full after deploy",
            "ran out of memory",
        ] {
            for hit in index.search(text, 10, 0).expect("search").hits {
                for mark in hit.snippet.split("<mark>").skip(1) {
                    let word = mark.split("</mark>").next().unwrap_or_default();
                    assert!(
                        !["out", "not", "of", "no", "on", "left"]
                            .contains(&word.to_lowercase().as_str()),
                        "{text:?}: {} marks {word:?} alone: {}",
                        hit.id,
                        hit.snippet
                    );
                    marked += 1;
                }
            }
        }
        assert!(marked > 20, "{marked} marks");
    }

    /// The sample posts and the public corpus indexed in two imports, the
    /// second after deleting and editing posts, so the index holds
    /// several segments and deleted documents.
    fn corpus_index() -> (tempfile::TempDir, PostIndex) {
        let dir = tempfile::tempdir().expect("temp dir");
        let posts = dir.path().join("posts");
        std::fs::create_dir(&posts).expect("posts dir");
        let texts = crate::sample_texts(true);
        for (n, text) in texts.iter().enumerate() {
            std::fs::write(posts.join(format!("post-{n:03}.md")), text).expect("write post");
        }
        let index_dir = dir.path().join("index");
        crate::index::import(&posts, &index_dir, &crate::index::Quiet).expect("import");
        for n in (0..texts.len()).step_by(7) {
            std::fs::remove_file(posts.join(format!("post-{n:03}.md"))).expect("delete post");
        }
        let edited = posts.join("post-001.md");
        let text = std::fs::read_to_string(&edited).expect("read post");
        std::fs::write(
            &edited,
            text + "\nThe disk filled up again and requests timed out.\n",
        )
        .expect("edit post");
        crate::index::import(&posts, &index_dir, &crate::index::Quiet).expect("re-import");
        let index = PostIndex::open(&index_dir).expect("open");
        (dir, index)
    }

    /// Every form of query: the fixed ones, two and three words of each
    /// title, and each of those with a filter, a scope or quotes.
    fn many_queries(index: &PostIndex) -> Vec<String> {
        let mut queries: Vec<String> = QUERIES.iter().map(|q| q.to_string()).collect();
        queries.extend(
            [
                "ran out of memory",
                "oom killed",
                "certificate expired tech:nginx",
                "latency year:2019..2021",
                "tag:database replication lag",
                "fix:rollback deploy",
                "title:outage",
                "tech:postgres",
                "\"disk full\"",
                "timeout cause:\"connection pool\"",
                "timeout -checkout",
                "latency NOT database -staging",
            ]
            .map(String::from),
        );
        for record in index.all().expect("records").iter().step_by(5) {
            let words: Vec<String> = record
                .title
                .split_whitespace()
                .map(|w| w.replace('"', ""))
                .filter(|w| !w.is_empty())
                .collect();
            for window in words.windows(3).take(2) {
                // One word left out: tantivy's own exclusion of a phrase,
                // the reference here, trips a debug assertion of its
                // phrase scorer in segments without the phrase (a test of
                // the CLI holds phrases left out to the same answers).
                if analyze(&window[1]).len() == 1 {
                    queries.push(format!("{} -{}", window[0], window[1]));
                }
                queries.push(window[..2].join(" "));
                queries.push(window.join(" "));
                queries.push(format!("\"{}\" {}", window[..2].join(" "), window[2]));
                queries.push(format!("symptom:{} {}", window[0], window[2]));
            }
        }
        queries
    }

    /// Every match of a query with its score, by document, as tantivy's
    /// own scorers find them.
    fn tantivy_scores(searcher: &Searcher, query: &dyn Query) -> HashMap<DocAddress, f32> {
        let total = searcher.search(query, &Count).expect("count");
        searcher
            .search(query, &TopDocs::with_limit(total.max(1)).order_by_score())
            .expect("search")
            .into_iter()
            .map(|(score, address)| (address, score))
            .collect()
    }

    fn close(a: f32, b: f32) -> bool {
        (a - b).abs() <= 1e-4 * a.abs().max(b.abs()).max(1.0)
    }

    /// The term-at-a-time ranking finds the documents tantivy's scorers
    /// find for the same plan, with the same scores, in the same order,
    /// page by page, deleted documents left out.
    #[test]
    fn ranking_matches_tantivys_scorers() {
        let (_dir, index) = corpus_index();
        let searcher = index.reader.searcher();
        assert!(searcher.segment_readers().len() > 1, "one segment only");
        assert!(
            searcher
                .segment_readers()
                .iter()
                .any(|s| s.alive_bitset().is_some()),
            "no deleted documents"
        );
        let queries = many_queries(&index);
        assert!(queries.len() > 100, "{} queries", queries.len());
        let mut matched = 0;
        let unscored_before = ranking::COUNTED_NOT_SCORED.with(|n| n.get());
        let phrases_before = ranking::DEFERRED_PHRASES_FOUND.with(|n| n.get());
        for text in &queries {
            let parsed = query::parse(text).expect("parse");
            for (fuzzy, defer) in [
                (false, &[][..]),
                (true, &[][..]),
                (false, &[index.fields.body][..]),
                (true, &[index.fields.body][..]),
            ] {
                let Ok(plan) = index.plan(&parsed, &searcher, fuzzy) else {
                    continue;
                };
                let expected = tantivy_scores(&searcher, &*ranking::to_query(&plan.criteria));
                let (all, total) =
                    ranking::top_docs(&searcher, &plan.criteria, defer, expected.len().max(1), 0)
                        .expect("ranking");
                assert_eq!(total, expected.len(), "{text:?}: how many match");
                assert_eq!(all.len(), expected.len(), "{text:?}: hits");
                for (score, address) in &all {
                    let theirs = expected.get(address).copied();
                    assert!(
                        theirs.is_some_and(|t| close(*score, t)),
                        "{text:?}: {address:?} scores {score}, tantivy {theirs:?}"
                    );
                }
                assert!(
                    all.windows(2)
                        .all(|w| w[0].0 > w[1].0 || (w[0].0 == w[1].0 && w[0].1 < w[1].1)),
                    "{text:?}: not ranked"
                );
                // A page is a slice of the whole ranking, also when the
                // deferred parts are scored for the documents that could
                // reach it only.
                for (limit, offset) in [(1, 0), (3, 2), (10, 0)] {
                    let (page, page_total) =
                        ranking::top_docs(&searcher, &plan.criteria, defer, limit, offset)
                            .expect("page");
                    assert_eq!(page_total, total);
                    let slice: Vec<_> = all.iter().skip(offset).take(limit).collect();
                    assert_eq!(page.iter().collect::<Vec<_>>(), slice, "{text:?}: page");
                }
                matched += usize::from(total > 0);
            }
        }
        let unscored = ranking::COUNTED_NOT_SCORED.with(|n| n.get()) - unscored_before;
        assert!(unscored > 10_000, "only {unscored} matches went unscored");
        let phrases = ranking::DEFERRED_PHRASES_FOUND.with(|n| n.get()) - phrases_before;
        assert!(phrases > 20, "only {phrases} deferred phrases found");
        assert!(
            matched > 2 * queries.len(),
            "{matched} of {} queries matched",
            queries.len()
        );
    }

    /// Every value of the facet fields with its count among `query`'s
    /// matches, as tantivy's terms aggregation counts them.
    fn tantivy_facets(searcher: &Searcher, query: &dyn Query) -> Facets {
        use tantivy::aggregation::agg_req::Aggregations;
        use tantivy::aggregation::AggregationCollector;
        let request = serde_json::json!({
            "technologies": {"terms": {"field": "technologies", "size": 10000}},
            "tags": {"terms": {"field": "tags", "size": 10000}},
            "years": {"terms": {"field": "year", "size": 10000}},
        });
        let aggregations: Aggregations = serde_json::from_value(request).expect("request");
        let collector = AggregationCollector::from_aggs(aggregations, Default::default());
        let json = serde_json::to_value(searcher.search(query, &collector).expect("aggregate"))
            .expect("json");
        let buckets = |name: &str| -> Vec<(String, u64)> {
            json[name]["buckets"]
                .as_array()
                .expect("buckets")
                .iter()
                .map(|b| {
                    let key = b["key"].as_str().expect("key").to_string();
                    (key, b["doc_count"].as_u64().expect("count"))
                })
                .collect()
        };
        let mut counter = FacetCounter::default();
        counter.set_counts([buckets("technologies"), buckets("tags"), buckets("years")]);
        counter.facets()
    }

    /// The filters of a search page count what tantivy's aggregation
    /// counts over the same query's matches, and the start page's over
    /// every incident, deleted ones left out.
    #[test]
    fn facets_count_what_tantivys_aggregation_counts() {
        let (_dir, index) = corpus_index();
        let searcher = index.reader.searcher();
        assert!(searcher
            .segment_readers()
            .iter()
            .any(|s| s.alive_bitset().is_some()));
        let all = index.facets_all().expect("all");
        assert_eq!(all, tantivy_facets(&searcher, &tantivy::query::AllQuery));
        assert!(all.technologies.len() > 5 && all.years.len() > 5, "{all:?}");
        let mut compared = 0;
        let typos = [
            "kuberntes",
            "elasticsaerch",
            "certificat expird",
            "postgrse",
        ];
        let queries = many_queries(&index);
        for text in queries.iter().step_by(3).map(String::as_str).chain(typos) {
            let Ok(parsed) = query::parse(text) else {
                continue;
            };
            let Ok(mut plan) = index.plan(&parsed, &searcher, false) else {
                continue;
            };
            // The matches the search shows: typos corrected as it does.
            if let Some(corrected) = index
                .near_spelling_plan(&parsed, &searcher, &plan)
                .expect("near spellings")
            {
                plan = corrected;
            }
            let expected = tantivy_facets(&searcher, &*ranking::to_query(&plan.criteria));
            let ours = index.facets(text).expect("facets");
            assert_eq!(ours, expected, "{text:?}");
            let (results, with_search) = index.search_with_facets(text, 10, 0).expect("search");
            assert_eq!(
                with_search, expected,
                "{text:?}: in one pass with the search"
            );
            let alone = index.search(text, 10, 0).expect("search");
            let ids = |hits: &[Hit]| hits.iter().map(|h| h.id.clone()).collect::<Vec<_>>();
            assert_eq!(ids(&results.hits), ids(&alone.hits), "{text:?}: hits");
            assert_eq!(results.total, alone.total, "{text:?}: total");
            compared += usize::from(!ours.technologies.is_empty());
        }
        assert!(compared > 50, "only {compared} queries with facets");
    }

    /// The block scorer's BM25 is tantivy's, to the bit, in every field,
    /// for every length and boost.
    #[test]
    fn block_scores_are_tantivys_bm25() {
        let (_dir, index, _) = sample_index();
        let searcher = index.reader.searcher();
        let f = index.fields;
        for field in [f.symptoms, f.title, f.causes, f.fixes, f.body] {
            let norms = ranking::length_norms(&searcher, field).expect("norms");
            for word in ["timeout", "disk", "deploy", "nosuchwordanywhere"] {
                let term = Term::from_field_text(field, word);
                for boost in [1.0, 0.8 * 3.0, 0.3 * 1.2, 2.0] {
                    let ours =
                        ranking::TermScores::new(&searcher, term.clone(), boost, norms.clone())
                            .expect("ours");
                    let theirs = tantivy::query::Bm25Weight::for_terms(
                        &searcher,
                        std::slice::from_ref(&term),
                    )
                    .expect("theirs")
                    .boost_by(boost);
                    // One document per field length.
                    let norms: Vec<u8> = (0..=255).collect();
                    let docs: Vec<DocId> = (0..256).collect();
                    let mut scores = Vec::new();
                    for freq in [1, 2, 3, 7, 40] {
                        ours.score_block(&norms, &docs, &[freq; 256], &mut scores);
                        for (fieldnorm_id, score) in norms.iter().zip(&scores) {
                            assert_eq!(
                                score.to_bits(),
                                theirs.score(*fieldnorm_id, freq).to_bits(),
                                "{word} x{boost} length id {fieldnorm_id} freq {freq}"
                            );
                        }
                    }
                }
            }
        }
    }
}
