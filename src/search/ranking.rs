//! Runs a search plan term at a time. Half the corpus matches a typical
//! two-word symptom once synonyms and five fields are in, and tantivy's
//! scorers visit each match through a tree of unions, one level per field,
//! synonym and concept, one virtual call per level. Here each posting list
//! is read a block at a time and its BM25 scores added into one array per
//! segment, indexed by document; the array is read once at the end for the
//! count and the best hits. The scores are tantivy's (up to the order of
//! float additions), for a third fewer instructions per query. The body's
//! postings, most of a query's, come last, and are scored only for the
//! documents that could still reach the page (see `score_deferred`); so
//! are the body's phrases, whose positions are read only there.
//!
//! The plan says what to score: every [`Required`] part must match, and a
//! hit's score is the sum over the parts it matches, as in a tantivy
//! `BooleanQuery`. The same plan builds the equivalent tantivy query, for
//! snippets and facets, and for the tests that hold the two to the same
//! answers.

use std::cell::RefCell;
use std::collections::hash_map::{Entry, HashMap};
use std::sync::Arc;

use tantivy::directory::OwnedBytes;
use tantivy::postings::{BlockSegmentPostings, TermInfo};
use tantivy::query::{Bm25StatisticsProvider, EnableScoring, PhraseQuery, Query, Scorer, Weight};
#[cfg(test)]
use tantivy::query::{BooleanQuery, BoostQuery, DisjunctionMaxQuery, Occur, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{
    DocAddress, DocId, DocSet, Score, Searcher, SeekDangerResult, SegmentReader, Term, TERMINATED,
};

use crate::error::Result;

/// One way to say a concept in one field: a term or a phrase.
#[derive(Debug, Clone)]
pub(super) struct Alternative {
    pub terms: Vec<Term>,
    pub weight: f32,
}

/// What adds to a hit's score.
pub(super) enum Scored {
    /// The best-scoring of several ways to say one concept in one field,
    /// times the field's boost (a `DisjunctionMaxQuery`).
    BestOf {
        boost: f32,
        alternatives: Vec<Alternative>,
    },
    /// Anything else (fuzzy terms, filters): scored by tantivy, one match
    /// at a time.
    Query(Box<dyn Query>),
    /// A bonus for documents the part matches anyway (proximity: the
    /// query's words together in a field whose words it also scores one
    /// by one): scored like `Query`, and left out when only which
    /// documents match is asked.
    Bonus(Box<dyn Query>),
}

/// A part of the query every hit must match: it matches where any of its
/// scored parts does.
pub(super) struct Required(pub Vec<Scored>);

/// What a hit must match, and what it must not.
#[derive(Default)]
pub(super) struct Criteria {
    pub required: Vec<Required>,
    /// No hit matches any of these (`-word`, `NOT word`).
    pub excluded: Vec<Box<dyn Query>>,
}

impl Scored {
    #[cfg(test)]
    fn to_query(&self) -> Box<dyn Query> {
        match self {
            Scored::BestOf {
                boost,
                alternatives,
            } => {
                let alternatives = alternatives
                    .iter()
                    .map(|alt| {
                        let inner: Box<dyn Query> = if alt.terms.len() == 1 {
                            Box::new(TermQuery::new(
                                alt.terms[0].clone(),
                                IndexRecordOption::WithFreqs,
                            ))
                        } else {
                            Box::new(PhraseQuery::new(alt.terms.clone()))
                        };
                        Box::new(BoostQuery::new(inner, alt.weight)) as Box<dyn Query>
                    })
                    .collect();
                Box::new(BoostQuery::new(
                    Box::new(DisjunctionMaxQuery::new(alternatives)),
                    *boost,
                ))
            }
            Scored::Query(query) | Scored::Bonus(query) => query.box_clone(),
        }
    }
}

/// The tantivy query that scores and matches what [`top_docs`] does, for
/// the tests that hold the two to the same answers.
#[cfg(test)]
pub(super) fn to_query(criteria: &Criteria) -> Box<dyn Query> {
    let excluded = criteria
        .excluded
        .iter()
        .map(|query| (Occur::MustNot, query.box_clone()));
    let clauses = criteria
        .required
        .iter()
        .map(|part| {
            let should = part
                .0
                .iter()
                .map(|scored| (Occur::Should, scored.to_query()))
                .collect();
            (
                Occur::Must,
                Box::new(BooleanQuery::new(should)) as Box<dyn Query>,
            )
        })
        .chain(excluded)
        .collect();
    Box::new(BooleanQuery::new(clauses))
}

/// A plan made ready for one searcher: BM25 weights computed once over
/// all segments, as tantivy does.
struct Prepared {
    parts: Vec<Vec<PreparedScored>>,
    /// Of the last part, the best-ofs in the deferred fields: scored after
    /// the rest of the part, and in full only for the documents that could
    /// still reach the top.
    deferred: Vec<Deferred>,
    /// The most the deferred parts can add to a document's score.
    deferred_bound: Score,
    /// What no hit may match.
    excluded: Vec<Box<dyn Weight>>,
}

/// A best-of in a deferred field. Each of its phrases has a word that is
/// also one of its terms, so the terms match every document the phrases
/// do: which documents match is known without reading a position, and a
/// phrase is looked for only in the documents that could reach the top.
/// ("load balancer" in a body, with `load` and `balancer` alone at a
/// lower weight, read the positions of a fifth of the corpus for each
/// such query.)
struct Deferred {
    terms: Vec<TermScores>,
    phrases: Vec<(Box<dyn Weight>, f32)>,
}

enum PreparedScored {
    BestOf(Vec<PreparedAlternative>),
    Query(Box<dyn Weight>),
}

enum PreparedAlternative {
    /// One term: its postings are read and scored here.
    Term(TermScores),
    /// A phrase: tantivy finds and scores its matches.
    Phrase { weight: Box<dyn Weight>, boost: f32 },
}

/// Okapi BM25's parameters, as tantivy sets them.
const K1: Score = 1.2;
const B: Score = 0.75;

/// A term's BM25 score, computed as tantivy's `Bm25Weight` does (the
/// tests hold the two equal to the bit) but a block of postings at a time:
/// tantivy's weight scores one posting per call, which keeps the
/// division from running on several postings at once.
pub(super) struct TermScores {
    term: Term,
    /// idf × (1 + k1) × boost.
    weight: Score,
    /// Per field length (as a fieldnorm id), the denominator's share of
    /// the length: k1 × (1 − b + b × length / average length).
    length_norm: Arc<[Score; 256]>,
    /// Where the term's postings are, by segment (as the searcher orders
    /// them), read once for its document frequency: looking the term up
    /// again to read them was a term dictionary search per segment more.
    term_infos: Vec<Option<TermInfo>>,
}

impl TermScores {
    pub(super) fn new(
        searcher: &Searcher,
        term: Term,
        boost: Score,
        length_norm: Arc<[Score; 256]>,
    ) -> Result<TermScores> {
        let docs = searcher.total_num_docs()?;
        let term_infos = searcher
            .segment_readers()
            .iter()
            .map(|segment| -> tantivy::Result<Option<TermInfo>> {
                Ok(segment.inverted_index(term.field())?.get_term_info(&term)?)
            })
            .collect::<tantivy::Result<Vec<_>>>()?;
        let doc_freq: u64 = term_infos
            .iter()
            .flatten()
            .map(|info| u64::from(info.doc_freq))
            .sum();
        Ok(TermScores {
            term,
            weight: idf(doc_freq, docs) * (1.0 + K1) * boost,
            length_norm,
            term_infos,
        })
    }

    /// The score of one posting, as `score_block` computes it (to the bit).
    #[inline(always)]
    fn score_one(&self, norms: &[u8], doc: DocId, freq: u32) -> Score {
        let (freq, norm) = (
            freq as Score,
            self.length_norm[usize::from(norms[doc as usize])],
        );
        self.weight * (freq / (freq + norm))
    }

    /// Above any score of this term: BM25's term frequency part stays
    /// below 1.
    fn bound(&self) -> Score {
        self.weight
    }

    /// Scores a block of postings into `scores`.
    #[inline]
    pub(super) fn score_block(
        &self,
        norms: &[u8],
        docs: &[DocId],
        freqs: &[u32],
        scores: &mut Vec<Score>,
    ) {
        // Local copies, so the loops keep them in registers.
        let (weight, length_norm): (Score, &[Score; 256]) = (self.weight, &self.length_norm);
        scores.clear();
        scores.extend(
            docs.iter()
                .map(|&doc| length_norm[usize::from(norms[doc as usize])]),
        );
        for (score, &freq) in scores.iter_mut().zip(freqs) {
            let freq = freq as Score;
            *score = weight * (freq / (freq + *score));
        }
    }
}

/// BM25's inverse document frequency, as tantivy computes it.
fn idf(doc_freq: u64, docs: u64) -> Score {
    let x = ((docs - doc_freq.min(docs)) as Score + 0.5) / (doc_freq as Score + 0.5);
    (1.0 + x).ln()
}

/// Above any score of a phrase of `terms` boosted by `boost`: tantivy
/// weighs a phrase by the sum of its words' idf, and BM25's term
/// frequency part stays below 1. A thousandth more, for the order of
/// float additions.
fn phrase_bound(searcher: &Searcher, terms: &[Term], boost: Score) -> Result<Score> {
    let docs = searcher.total_num_docs()?;
    let mut idf_sum = 0.0;
    for term in terms {
        idf_sum += idf(searcher.doc_freq(term)?, docs);
    }
    Ok(idf_sum * (1.0 + K1) * boost * 1.001)
}

/// The length norms of a field, as tantivy's `Bm25Weight` computes them.
pub(super) fn length_norms(searcher: &Searcher, field: Field) -> Result<Arc<[Score; 256]>> {
    let tokens = searcher.total_num_tokens(field)?;
    let docs = searcher.total_num_docs()?;
    let average = tokens as Score / docs as Score;
    let mut norms = [0.0; 256];
    for (id, norm) in norms.iter_mut().enumerate() {
        let length = tantivy::fieldnorm::FieldNormReader::id_to_fieldnorm(id as u8);
        *norm = K1 * (1.0 - B + B * length as Score / average);
    }
    Ok(Arc::new(norms))
}

/// With `ranked` false, only which documents match matters.
fn prepare(
    searcher: &Searcher,
    criteria: &Criteria,
    defer: &[Field],
    ranked: bool,
) -> Result<Prepared> {
    let required = &criteria.required;
    let scoring = EnableScoring::enabled_from_searcher(searcher);
    let mut norms_by_field: HashMap<Field, Arc<[Score; 256]>> = HashMap::new();
    let mut parts = Vec::with_capacity(required.len());
    let mut deferred = Vec::new();
    let mut deferred_bound = 0.0;
    for (number, part) in required.iter().enumerate() {
        let last = number + 1 == required.len();
        let mut prepared = Vec::with_capacity(part.0.len());
        for scored in &part.0 {
            match scored {
                Scored::BestOf {
                    boost,
                    alternatives: alternatives_given,
                } => {
                    let alternatives = alternatives_given
                        .iter()
                        .map(|alt| {
                            // Boosts multiply from the outside in, as
                            // tantivy passes them down to its scorers.
                            let boost = boost * alt.weight;
                            Ok(if alt.terms.len() == 1 {
                                let term = alt.terms[0].clone();
                                let norms = match norms_by_field.entry(term.field()) {
                                    Entry::Occupied(known) => known.get().clone(),
                                    Entry::Vacant(slot) => {
                                        slot.insert(length_norms(searcher, term.field())?).clone()
                                    }
                                };
                                PreparedAlternative::Term(TermScores::new(
                                    searcher, term, boost, norms,
                                )?)
                            } else {
                                PreparedAlternative::Phrase {
                                    weight: PhraseQuery::new(alt.terms.clone()).weight(scoring)?,
                                    boost,
                                }
                            })
                        })
                        .collect::<Result<Vec<_>>>()?;
                    // Every alternative in a deferred field, and every
                    // phrase holding a word that is also a term here.
                    let is_term = |term: &Term| {
                        alternatives_given
                            .iter()
                            .any(|alt| alt.terms.len() == 1 && alt.terms[0] == *term)
                    };
                    let deferrable = last
                        && alternatives_given.iter().all(|alt| {
                            alt.terms
                                .first()
                                .is_some_and(|t| defer.contains(&t.field()))
                                && (alt.terms.len() == 1 || alt.terms.iter().any(is_term))
                        });
                    if deferrable {
                        let mut concept = Deferred {
                            terms: Vec::new(),
                            phrases: Vec::new(),
                        };
                        let mut bound: Score = 0.0;
                        for (alt, given) in alternatives.into_iter().zip(alternatives_given) {
                            match alt {
                                PreparedAlternative::Term(term) => {
                                    bound = bound.max(term.bound());
                                    concept.terms.push(term);
                                }
                                PreparedAlternative::Phrase { weight, boost } => {
                                    bound = bound.max(phrase_bound(searcher, &given.terms, boost)?);
                                    concept.phrases.push((weight, boost));
                                }
                            }
                        }
                        deferred_bound += bound;
                        deferred.push(concept);
                    } else {
                        prepared.push(PreparedScored::BestOf(alternatives));
                    }
                }
                Scored::Query(query) => {
                    prepared.push(PreparedScored::Query(query.weight(scoring)?))
                }
                Scored::Bonus(query) if ranked => {
                    prepared.push(PreparedScored::Query(query.weight(scoring)?))
                }
                Scored::Bonus(_) => {}
            }
        }
        parts.push(prepared);
    }
    let excluded = criteria
        .excluded
        .iter()
        .map(|query| query.weight(EnableScoring::disabled_from_searcher(searcher)))
        .collect::<tantivy::Result<Vec<_>>>()?;
    Ok(Prepared {
        parts,
        deferred,
        deferred_bound,
        excluded,
    })
}

/// Per-thread arrays, one slot per document of a segment. Half a
/// segment matches a typical query, so scores live in plain arrays indexed
/// by document, read once at the end, rather than in lists of what was
/// touched. Every score added is above zero, so a zero slot is a document
/// that has not matched.
#[derive(Default)]
struct Scratch {
    /// The score so far of each document that matched every part so far.
    total: Vec<Score>,
    /// The score of the part at hand, from the second part on.
    part: Vec<Score>,
    /// Per document, the concept it last scored for and its best
    /// alternative's score there: an entry of another concept is stale, so
    /// nothing is cleared between concepts.
    best: Vec<(u32, Score)>,
    /// Numbers the concepts for `best`.
    concept: u32,
    /// The scores of the block of postings at hand.
    block_scores: Vec<Score>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

impl Scratch {
    /// Makes room for `max_doc` documents, all scores zero.
    fn fit(&mut self, max_doc: usize) {
        if self.total.len() < max_doc {
            self.total.resize(max_doc, 0.0);
            self.part.resize(max_doc, 0.0);
            self.best.resize(max_doc, (0, 0.0));
        }
    }

    fn next_concept(&mut self) -> u32 {
        if self.concept == u32::MAX {
            self.best.fill((0, 0.0));
            self.concept = 0;
        }
        self.concept += 1;
        self.concept
    }

    /// Clears every score, after a query that failed half way.
    fn clear(&mut self) {
        self.total.fill(0.0);
        self.part.fill(0.0);
    }
}

/// Calls `each(doc, score)` for every match of a tantivy scorer; a zero
/// score counts as the least above zero, so the match is not lost.
fn for_each_match(scorer: &mut dyn Scorer, mut each: impl FnMut(DocId, Score)) {
    let mut doc = scorer.doc();
    while doc != TERMINATED {
        each(doc, scorer.score().max(Score::MIN_POSITIVE));
        doc = scorer.advance();
    }
}

/// A term's postings in one segment, a scored block at a time.
struct ScoredBlocks<'t> {
    term: &'t TermScores,
    postings: BlockSegmentPostings,
    /// The field lengths, one byte (a fieldnorm id) per document.
    norms: OwnedBytes,
    /// Whether the block at hand was handed out already.
    handed_out: bool,
}

impl<'t> ScoredBlocks<'t> {
    /// `None` when the segment does not have the term.
    fn open(
        segment: &SegmentReader,
        segment_ord: usize,
        term: &'t TermScores,
    ) -> Result<Option<ScoredBlocks<'t>>> {
        let field = term.term.field();
        let Some(Some(info)) = term.term_infos.get(segment_ord) else {
            return Ok(None);
        };
        let postings = segment
            .inverted_index(field)?
            .read_block_postings_from_terminfo(info, IndexRecordOption::WithFreqs)
            .map_err(tantivy::TantivyError::from)?;
        // The field lengths as tantivy's fieldnorm reader reads them.
        let norms = segment
            .fieldnorms_readers()
            .get_inner_file()
            .open_read(field)
            .map(|file| file.read_bytes())
            .transpose()
            .map_err(tantivy::TantivyError::from)?;
        match norms {
            Some(norms) if norms.len() >= segment.max_doc() as usize => Ok(Some(ScoredBlocks {
                term,
                postings,
                norms,
                handed_out: false,
            })),
            _ => Err(tantivy::TantivyError::SchemaError(format!(
                "no field lengths for field {} of segment {}",
                field.field_id(),
                segment.segment_id().short_uuid_string()
            ))
            .into()),
        }
    }

    /// The next block's documents, their scores put in `scores`; `None`
    /// after the last. Callers write their loop over a block out where it
    /// runs rather than pass it in as a closure: through a closure the
    /// compiler reloaded the score array's address for every posting.
    fn next_block(&mut self, scores: &mut Vec<Score>) -> Option<&[DocId]> {
        let term = self.term;
        let (docs, freqs, norms) = self.next_unscored()?;
        term.score_block(norms, docs, freqs, scores);
        Some(docs)
    }

    /// The next block's documents and term frequencies, not scored, with
    /// the field lengths; `None` after the last.
    fn next_unscored(&mut self) -> Option<(&[DocId], &[u32], &[u8])> {
        if self.handed_out {
            self.postings.advance();
        }
        self.handed_out = true;
        let docs = self.postings.docs();
        (!docs.is_empty()).then(|| (docs, self.postings.freqs(), self.norms.as_slice()))
    }
}

/// Adds `score` to `doc`'s if it beats the best alternative of `concept`
/// so far: the sum holds that best, and a better one adds what it beats
/// it by. No branches: whether a document was seen is as likely as not.
#[inline(always)]
fn keep_best(
    scores: &mut [Score],
    best: &mut [(u32, Score)],
    concept: u32,
    doc: DocId,
    score: Score,
) {
    let slot = doc as usize;
    let (seen, so_far) = best[slot];
    let so_far = if seen == concept { so_far } else { 0.0 };
    // Not `f32::max`, which spends four more instructions on NaN: scores
    // are never NaN.
    let now = if score > so_far { score } else { so_far };
    scores[slot] += now - so_far;
    best[slot] = (concept, now);
}

/// Segments whose deleted documents are listed, with the list: up to
/// this many, the ones of the searchers in use.
const DELETED_KEPT: usize = 64;

/// The deleted documents of a segment, listed once for each segment and
/// set of deletes, which a searcher keeps for its life: asking each
/// matching document whether it is alive, at the end of every query, was
/// a twenty-fifth of the instructions of a query on 100,000 posts where
/// one had been edited.
fn deleted_docs(segment: &SegmentReader) -> Arc<[DocId]> {
    type Listed = Vec<((tantivy::index::SegmentId, Option<u64>), Arc<[DocId]>)>;
    static LISTED: std::sync::Mutex<Listed> = std::sync::Mutex::new(Vec::new());
    let Some(alive) = segment.alive_bitset() else {
        return Arc::from([]);
    };
    let key = (segment.segment_id(), segment.delete_opstamp());
    // A poisoned lock only means a panic elsewhere: the lists are whole.
    let mut listed = LISTED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some((_, docs)) = listed.iter().find(|(known, _)| *known == key) {
        return docs.clone();
    }
    let docs: Arc<[DocId]> = (0..segment.max_doc())
        .filter(|&doc| alive.is_deleted(doc))
        .collect();
    if listed.len() >= DELETED_KEPT {
        listed.remove(0);
    }
    listed.push((key, docs.clone()));
    docs
}

/// One segment's matches: how many, and the best `keep` as
/// (score, doc), best first.
fn score_segment(
    scratch: &mut Scratch,
    segment: &SegmentReader,
    segment_ord: usize,
    prepared: &Prepared,
    keep: usize,
    floor: Score,
    mut matches: Option<&mut Vec<DocId>>,
) -> Result<(usize, Vec<(Score, DocId)>)> {
    let max_doc = segment.max_doc() as usize;
    scratch.fit(max_doc);
    // Deleted documents are left out as excluded ones are: the loops
    // over every document below then need not ask which are alive.
    let deleted = deleted_docs(segment);
    let mut excluded = Vec::new();
    for weight in &prepared.excluded {
        weight.for_each_no_score(segment, &mut |docs| excluded.extend_from_slice(docs))?;
    }
    // A zero score is a document out of the running.
    let exclude = |total: &mut [Score]| {
        for &doc in deleted.iter().chain(&excluded) {
            total[doc as usize] = 0.0;
        }
    };
    for (number, scored_parts) in prepared.parts.iter().enumerate() {
        let first = number == 0;
        for scored in scored_parts {
            let concept = match scored {
                PreparedScored::BestOf(alternatives)
                    if !matches!(alternatives.as_slice(), [PreparedAlternative::Term(_)]) =>
                {
                    scratch.next_concept()
                }
                _ => 0,
            };
            let Scratch {
                total,
                part,
                best,
                block_scores,
                ..
            } = &mut *scratch;
            let scores = if first { total } else { part };
            match scored {
                PreparedScored::Query(weight) => {
                    let mut scorer = weight.scorer(segment, 1.0)?;
                    for_each_match(scorer.as_mut(), |doc, score| scores[doc as usize] += score);
                }
                PreparedScored::BestOf(alternatives) => {
                    let scores = &mut scores[..max_doc];
                    if let [PreparedAlternative::Term(term)] = alternatives.as_slice() {
                        let Some(mut blocks) = ScoredBlocks::open(segment, segment_ord, term)?
                        else {
                            continue;
                        };
                        while let Some(docs) = blocks.next_block(block_scores) {
                            for (&doc, &score) in docs.iter().zip(block_scores.iter()) {
                                scores[doc as usize] += score;
                            }
                        }
                        continue;
                    }
                    let best = &mut best[..max_doc];
                    for alternative in alternatives {
                        match alternative {
                            PreparedAlternative::Term(term) => {
                                let Some(mut blocks) =
                                    ScoredBlocks::open(segment, segment_ord, term)?
                                else {
                                    continue;
                                };
                                while let Some(docs) = blocks.next_block(block_scores) {
                                    for (&doc, &score) in docs.iter().zip(block_scores.iter()) {
                                        keep_best(scores, best, concept, doc, score);
                                    }
                                }
                            }
                            PreparedAlternative::Phrase { weight, boost } => {
                                let mut scorer = weight.scorer(segment, *boost)?;
                                for_each_match(scorer.as_mut(), |doc, score| {
                                    keep_best(scores, best, concept, doc, score)
                                });
                            }
                        }
                    }
                }
            }
        }
        if number + 1 == prepared.parts.len() && !prepared.deferred.is_empty() {
            // Left out before the cut is taken, so that no excluded
            // document holds a place in the top it would raise the cut to.
            exclude(&mut scratch.total);
            score_deferred(scratch, segment, segment_ord, prepared, first, keep, floor)?;
        }
        if !first {
            // Only documents this part matched stay candidates.
            let (total, part) = (&mut scratch.total[..max_doc], &mut scratch.part[..max_doc]);
            for (sum, add) in total.iter_mut().zip(part.iter_mut()) {
                *sum = if *sum > 0.0 && *add > 0.0 {
                    *sum + *add
                } else {
                    0.0
                };
                *add = 0.0;
            }
        }
    }
    exclude(&mut scratch.total);
    let scores = &mut scratch.total[..max_doc];
    let mut top = TopK::above(keep, floor);
    let mut count = 0;
    // Half the documents match, at random: count without a branch, a
    // chunk at a time (loops the compiler vectorizes), look closer only at
    // chunks with a score that could make the top, and clear the chunk.
    for (number, chunk) in scores.chunks_mut(CHUNK).enumerate() {
        let threshold = top.threshold;
        let (mut contenders, mut matched) = (0u32, 0u32);
        for &score in chunk.iter() {
            contenders |= u32::from(score >= threshold);
            matched += u32::from(score > 0.0);
        }
        count += matched as usize;
        let first = number * CHUNK;
        if contenders != 0 {
            top.offer_chunk(chunk, first);
        }
        if let Some(matches) = matches.as_deref_mut() {
            for (at, &score) in chunk.iter().enumerate() {
                if score > 0.0 {
                    matches.push((first + at) as DocId);
                }
            }
        }
        chunk.fill(0.0);
    }
    Ok((count, top.into_sorted()))
}

#[cfg(test)]
thread_local! {
    /// Matches of deferred parts that were counted but not scored, for
    /// the tests to know they went that way.
    pub(super) static COUNTED_NOT_SCORED: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    /// Deferred phrases found in a document that could reach the top.
    pub(super) static DEFERRED_PHRASES_FOUND: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Scores the deferred parts (see `Prepared`). Their postings are most of
/// a query's (the body field's, where half the corpus has a query's
/// words), yet they add little: most documents that match only there
/// could not reach the top `keep` whatever they scored. So the `keep`-th
/// best score so far, less the most the deferred parts can add, is the cut:
/// documents below it are only counted, those at or above it scored in
/// full, in the same order of additions either way. A phrase is looked
/// for only in the documents at or above the cut, one `seek_danger` each:
/// its words' terms have counted the documents it could match.
fn score_deferred(
    scratch: &mut Scratch,
    segment: &SegmentReader,
    segment_ord: usize,
    prepared: &Prepared,
    first: bool,
    keep: usize,
    floor: Score,
) -> Result<()> {
    let max_doc = segment.max_doc() as usize;
    let cut = deferral_cut(
        &scratch.total[..max_doc],
        (!first).then(|| &scratch.part[..max_doc]),
        keep,
        prepared.deferred_bound,
        floor,
    );
    for deferred in &prepared.deferred {
        let concept = if deferred.terms.len() + deferred.phrases.len() > 1 {
            scratch.next_concept()
        } else {
            0
        };
        let Scratch {
            total, part, best, ..
        } = &mut *scratch;
        let (total, part, best) = (
            &mut total[..max_doc],
            &mut part[..max_doc],
            &mut best[..max_doc],
        );
        for term in &deferred.terms {
            let Some(mut blocks) = ScoredBlocks::open(segment, segment_ord, term)? else {
                continue;
            };
            while let Some((docs, freqs, norms)) = blocks.next_unscored() {
                for (&doc, &freq) in docs.iter().zip(freqs) {
                    let slot = doc as usize;
                    let Some(so_far) = running_score(total, part, first, slot) else {
                        // Out already: an earlier part did not match.
                        continue;
                    };
                    let scores = if first { &mut *total } else { &mut *part };
                    if so_far < cut {
                        // Counted, not scored: it cannot reach the top.
                        #[cfg(test)]
                        COUNTED_NOT_SCORED.with(|n| n.set(n.get() + 1));
                        // Without a branch: whether the document has
                        // matched before is as likely as not.
                        scores[slot] = scores[slot].max(Score::MIN_POSITIVE);
                        continue;
                    }
                    let score = term.score_one(norms, doc, freq);
                    if concept == 0 {
                        scores[slot] += score;
                    } else {
                        keep_best(scores, best, concept, doc, score);
                    }
                }
            }
        }
        if deferred.phrases.is_empty() {
            continue;
        }
        // The phrases, only where the document could still reach the
        // top; the terms have counted every document they match.
        let candidates: Vec<DocId> = (0..max_doc)
            .filter(|&slot| {
                running_score(total, part, first, slot).is_some_and(|s| s > 0.0 && s >= cut)
            })
            .map(|slot| slot as DocId)
            .collect();
        for (weight, boost) in &deferred.phrases {
            let mut scorer = weight.scorer(segment, *boost)?;
            // The scorer starts on the phrase's first match. From there only
            // `seek_danger` moves it, forward only, looking at one document;
            // a miss says below which document there is no match.
            let (mut on_match, mut next) = (true, scorer.doc());
            for &doc in &candidates {
                if doc < next {
                    continue;
                }
                let found = (on_match && doc == next)
                    || match scorer.seek_danger(doc) {
                        SeekDangerResult::Found => true,
                        SeekDangerResult::SeekLowerBound(bound) => {
                            (on_match, next) = (false, bound);
                            false
                        }
                    };
                if !found {
                    continue;
                }
                (on_match, next) = (false, doc + 1);
                #[cfg(test)]
                DEFERRED_PHRASES_FOUND.with(|n| n.set(n.get() + 1));
                let score = scorer.score().max(Score::MIN_POSITIVE);
                let scores = if first { &mut *total } else { &mut *part };
                keep_best(scores, best, concept, doc, score);
            }
        }
    }
    Ok(())
}

/// A document's score so far while the last part is scored: its total
/// when that part is the first, else its total and the part's; `None`
/// when an earlier part did not match it.
#[inline(always)]
fn running_score(total: &[Score], part: &[Score], first: bool, slot: usize) -> Option<Score> {
    if first {
        Some(total[slot])
    } else if total[slot] > 0.0 {
        Some(total[slot] + part[slot])
    } else {
        None
    }
}

/// The score a document must have before the deferred parts to still
/// make the top `keep`: the `keep`-th best so far among the documents
/// that have matched every part so far (`total`, plus `part` when the
/// deferred parts are not in the first), less `bound`, the most they can
/// add, and a margin for the order of float additions. Minus infinity
/// when fewer than `keep` documents have matched.
fn deferral_cut(
    total: &[Score],
    part: Option<&[Score]>,
    keep: usize,
    bound: Score,
    floor: Score,
) -> Score {
    // Nothing to rank: every match is only counted.
    if keep == 0 {
        return Score::INFINITY;
    }
    let mut top = TopK::above(keep, floor);
    let mut so_far = [0.0; CHUNK];
    for (number, chunk) in total.chunks(CHUNK).enumerate() {
        let first = number * CHUNK;
        let so_far = &mut so_far[..chunk.len()];
        match part {
            None => so_far.copy_from_slice(chunk),
            Some(part) => {
                for ((sum, &before), &now) in so_far.iter_mut().zip(chunk).zip(&part[first..]) {
                    *sum = if before > 0.0 && now > 0.0 {
                        before + now
                    } else {
                        0.0
                    };
                }
            }
        }
        let threshold = top.threshold;
        if so_far.iter().fold(false, |any, &s| any | (s >= threshold)) {
            top.offer_chunk(so_far, first);
        }
    }
    match top.kth().unwrap_or(floor) {
        Score::NEG_INFINITY => Score::NEG_INFINITY,
        kth => kth - bound - (kth.abs() + bound) * 1e-4,
    }
}

/// Documents scanned at a time for contenders to the top: a loop the
/// compiler vectorizes, and a chunk rarely holds one.
const CHUNK: usize = 64;

/// The best `k` of a stream of (score, doc): higher scores first, then
/// lower documents, as tantivy's `TopDocs` breaks ties.
struct TopK {
    k: usize,
    items: Vec<(Score, DocId)>,
    /// The worst kept score once `items` is full: no worse score is
    /// offered.
    threshold: Score,
}

/// Higher scores first, then lower documents (or addresses).
fn better<D: Ord>(a: &(Score, D), b: &(Score, D)) -> std::cmp::Ordering {
    b.0.total_cmp(&a.0).then(a.1.cmp(&b.1))
}

impl TopK {
    /// Keeps none below `floor`.
    fn above(k: usize, floor: Score) -> TopK {
        TopK {
            k,
            items: Vec::with_capacity(2 * k.max(1)),
            // Every match scores above zero.
            threshold: floor.max(Score::MIN_POSITIVE),
        }
    }

    #[inline]
    fn offer(&mut self, score: Score, doc: DocId) {
        // A tie with the worst kept may still win on its document number.
        if self.k == 0 || score < self.threshold {
            return;
        }
        self.items.push((score, doc));
        if self.items.len() >= 2 * self.k {
            self.shrink();
        }
    }

    fn shrink(&mut self) {
        self.items.select_nth_unstable_by(self.k - 1, better);
        self.items.truncate(self.k);
        self.threshold = self
            .items
            .iter()
            .map(|item| item.0)
            .fold(Score::INFINITY, Score::min);
    }

    /// Offers the scores of the documents `first..` of a chunk.
    #[inline]
    fn offer_chunk(&mut self, chunk: &[Score], first: usize) {
        for (at, &score) in chunk.iter().enumerate() {
            if score >= self.threshold {
                self.offer(score, (first + at) as DocId);
            }
        }
    }

    /// The `k`-th best score, once `k` were offered.
    fn kth(self) -> Option<Score> {
        let k = self.k;
        let items = self.into_sorted();
        (k > 0 && items.len() == k).then(|| items[k - 1].0)
    }

    fn into_sorted(mut self) -> Vec<(Score, DocId)> {
        self.items.sort_unstable_by(better);
        self.items.truncate(self.k);
        self.items
    }
}

/// Every document that matches, by segment (as the searcher orders them),
/// deleted ones left out.
pub(super) type Matches = Vec<Vec<DocId>>;

/// Hits, best first, with their scores.
pub(super) type Ranked = Vec<(Score, DocAddress)>;

/// The hits ranked `offset..offset + limit`, and how many documents match.
/// The best-of-terms of the last part in the fields of `defer` are scored
/// last, in full only for documents that could still reach the page.
pub(super) fn top_docs(
    searcher: &Searcher,
    criteria: &Criteria,
    defer: &[Field],
    limit: usize,
    offset: usize,
) -> Result<(Ranked, usize)> {
    run(searcher, criteria, defer, limit, offset, true, None)
}

/// `top_docs`, and every document that matches.
pub(super) fn top_docs_and_matches(
    searcher: &Searcher,
    criteria: &Criteria,
    defer: &[Field],
    limit: usize,
    offset: usize,
) -> Result<(Ranked, usize, Matches)> {
    let mut matches = Vec::new();
    let (top, total) = run(
        searcher,
        criteria,
        defer,
        limit,
        offset,
        true,
        Some(&mut matches),
    )?;
    Ok((top, total, matches))
}

/// Every document that matches, as `top_docs_and_matches` finds them,
/// with nothing ranked: the deferred parts and bonuses are left unscored.
pub(super) fn matching_docs(
    searcher: &Searcher,
    criteria: &Criteria,
    defer: &[Field],
) -> Result<Matches> {
    let mut matches = Vec::new();
    run(searcher, criteria, defer, 0, 0, false, Some(&mut matches))?;
    Ok(matches)
}

/// Scores every segment; with `matches`, also lists each one's matches.
fn run(
    searcher: &Searcher,
    criteria: &Criteria,
    defer: &[Field],
    limit: usize,
    offset: usize,
    ranked: bool,
    mut matches: Option<&mut Matches>,
) -> Result<(Ranked, usize)> {
    let prepared = prepare(searcher, criteria, defer, ranked)?;
    let keep = limit + offset;
    let mut total = 0;
    let mut hits: Vec<(Score, DocAddress)> = Vec::new();
    // The `keep`-th best score of the segments done: a document of a
    // later one below it cannot make the top, so it is only counted there
    // (a segment's own `keep`-th best is lower, and left a later one's
    // deferral cut too low).
    let mut floor = Score::NEG_INFINITY;
    SCRATCH.with(|cell| -> Result<()> {
        let mut scratch = cell.borrow_mut();
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            let mut segment_matches = Vec::new();
            let collect = matches.is_some().then_some(&mut segment_matches);
            match score_segment(&mut scratch, segment, ord, &prepared, keep, floor, collect) {
                Ok((count, top)) => {
                    total += count;
                    hits.extend(
                        top.into_iter()
                            .map(|(score, doc)| (score, DocAddress::new(ord as u32, doc))),
                    );
                    hits.sort_unstable_by(better);
                    hits.truncate(keep);
                    if keep > 0 && hits.len() == keep {
                        floor = hits[keep - 1].0;
                    }
                    if let Some(matches) = matches.as_deref_mut() {
                        matches.push(segment_matches);
                    }
                }
                Err(err) => {
                    scratch.clear();
                    return Err(err);
                }
            }
        }
        Ok(())
    })?;
    Ok((hits.into_iter().skip(offset).take(limit).collect(), total))
}
