//! Measuring extraction and search against labelled data in `eval/`.
//!
//! Extraction is scored as DESIGN.md proposes: a finding hits a gold span when
//! it holds most of the span's content words (≥ 60 %) and the span is a real
//! part of the finding (≥ 30 % of the finding's content words), so returning
//! a whole paragraph scores as a miss, and so does a fragment.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use serde::Deserialize;

use crate::incident::{Field, Incident};

/// One post's gold labels: sentences or clauses copied from the post.
#[derive(Debug, Clone, Deserialize)]
pub struct Gold {
    pub id: String,
    #[serde(default)]
    pub symptoms: Vec<String>,
    #[serde(default)]
    pub causes: Vec<String>,
    #[serde(default)]
    pub fixes: Vec<String>,
}

impl Gold {
    pub fn spans(&self, field: Field) -> &[String] {
        match field {
            Field::Symptoms => &self.symptoms,
            Field::Causes => &self.causes,
            Field::Fixes => &self.fixes,
            Field::Lessons => &[],
        }
    }
}

/// Reads every `*.json` in a folder of gold files, in name order.
pub fn load_gold(dir: &Path) -> std::io::Result<Vec<Gold>> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path)?;
            serde_json::from_str(&text)
                .map_err(|e| std::io::Error::other(format!("{}: {e}", path.display())))
        })
        .collect()
}

const STOP_WORDS: &[&str] = &[
    "a", "an", "the", "and", "or", "but", "of", "to", "in", "on", "at", "by", "for", "with",
    "from", "as", "is", "was", "were", "are", "be", "been", "it", "its", "this", "that", "these",
    "those", "we", "our", "i", "my", "they", "their", "there", "so", "then", "had", "has", "have",
    "which", "into", "out", "up", "not", "no", "all", "any", "some", "after", "before", "when",
    "while", "than", "also", "us", "did",
];

/// Lowercased words without stop words, lightly stemmed so "timeouts" and
/// "timeout" count as one.
pub fn content_words(text: &str) -> HashSet<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && !STOP_WORDS.contains(w))
        .map(light_stem)
        .collect()
}

fn light_stem(word: &str) -> String {
    for suffix in ["ing", "ed", "es", "s"] {
        if let Some(stem) = word.strip_suffix(suffix) {
            if stem.chars().count() >= 3 {
                return stem.to_string();
            }
        }
    }
    word.to_string()
}

pub fn matches(finding: &str, gold: &str) -> bool {
    let f = content_words(finding);
    let g = content_words(gold);
    if f.is_empty() || g.is_empty() {
        return false;
    }
    let shared = f.intersection(&g).count() as f64;
    shared / g.len() as f64 >= 0.6 && shared / f.len() as f64 >= 0.3
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Counts {
    pub findings: usize,
    pub findings_hit: usize,
    pub gold: usize,
    pub gold_hit: usize,
}

impl Counts {
    pub fn precision(&self) -> f64 {
        ratio(self.findings_hit, self.findings)
    }
    pub fn recall(&self) -> f64 {
        ratio(self.gold_hit, self.gold)
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// Per-field counts over all labelled posts, plus the ids that were labelled
/// but not extracted at all.
#[derive(Debug, Default)]
pub struct ExtractionReport {
    pub fields: BTreeMap<&'static str, Counts>,
    pub missing: Vec<String>,
    /// (id, field, text) of each wrong finding and missed span, for tuning.
    pub false_positives: Vec<(String, &'static str, String)>,
    pub misses: Vec<(String, &'static str, String)>,
}

pub fn score_extraction(gold: &[Gold], incidents: &[Incident]) -> ExtractionReport {
    let by_id: BTreeMap<&str, &Incident> = incidents.iter().map(|i| (i.id.as_str(), i)).collect();
    let mut report = ExtractionReport::default();
    for labels in gold {
        let Some(incident) = by_id.get(labels.id.as_str()) else {
            report.missing.push(labels.id.clone());
            continue;
        };
        for field in [Field::Symptoms, Field::Causes, Field::Fixes] {
            let counts = report.fields.entry(field.name()).or_default();
            let findings = incident.findings(field);
            let spans = labels.spans(field);
            counts.findings += findings.len();
            counts.gold += spans.len();
            for finding in findings {
                if spans.iter().any(|g| matches(&finding.text, g)) {
                    counts.findings_hit += 1;
                } else {
                    report.false_positives.push((
                        labels.id.clone(),
                        field.name(),
                        finding.text.clone(),
                    ));
                }
            }
            for span in spans {
                if findings.iter().any(|f| matches(&f.text, span)) {
                    counts.gold_hit += 1;
                } else {
                    report
                        .misses
                        .push((labels.id.clone(), field.name(), span.clone()));
                }
            }
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matching_needs_overlap_both_ways() {
        let gold = "requests were timing out without any clear errors";
        assert!(matches(
            "Logs showed that requests were timing out without any clear errors.",
            gold
        ));
        assert!(
            !matches("requests were timing out", gold),
            "a fragment is a miss"
        );
        let paragraph = format!("{gold}. {}", "We then spent many long hours reading unrelated dashboards, graphs, charts, runbooks, tickets and wikis everywhere.");
        assert!(!matches(&paragraph, gold), "a whole paragraph is a miss");
    }
}

/// One labelled query: what an engineer would type, and the incidents that
/// answer it. `kind` is "direct" (words from the post) or "paraphrase"
/// (shares no content word with the post).
#[derive(Debug, Clone, Deserialize)]
pub struct LabelledQuery {
    pub query: String,
    pub relevant: Vec<String>,
    #[serde(default)]
    pub kind: String,
}

/// Reads every `*.json` array of queries in a folder, in name order.
pub fn load_queries(dir: &Path) -> std::io::Result<Vec<LabelledQuery>> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    let mut all = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path)?;
        let queries: Vec<LabelledQuery> = serde_json::from_str(&text)
            .map_err(|e| std::io::Error::other(format!("{}: {e}", path.display())))?;
        all.extend(queries);
    }
    Ok(all)
}

/// Mean reciprocal rank and recall@5 over a set of queries.
#[derive(Debug, Clone, Copy, Default)]
pub struct RankScores {
    pub queries: usize,
    pub reciprocal_rank_sum: f64,
    pub found_in_5: usize,
}

impl RankScores {
    /// `ranked` is the ids a system returned, best first.
    pub fn add(&mut self, ranked: &[String], relevant: &[String]) {
        self.queries += 1;
        if let Some(rank) = ranked.iter().position(|id| relevant.contains(id)) {
            self.reciprocal_rank_sum += 1.0 / (rank + 1) as f64;
        }
        let found = relevant
            .iter()
            .filter(|r| ranked.iter().take(5).any(|id| id == *r))
            .count();
        if found == relevant.len() {
            self.found_in_5 += 1;
        }
    }

    pub fn mrr(&self) -> f64 {
        if self.queries == 0 {
            0.0
        } else {
            self.reciprocal_rank_sum / self.queries as f64
        }
    }

    /// Share of queries whose relevant incidents all appear in the top 5.
    pub fn recall_at_5(&self) -> f64 {
        ratio(self.found_in_5, self.queries)
    }
}

/// The plain baseline the search is measured against: a tantivy index over
/// title + body with the default tokenizer, no boosts, no synonyms.
pub struct Baseline {
    index: tantivy::Index,
    reader: tantivy::IndexReader,
    id: tantivy::schema::Field,
    title: tantivy::schema::Field,
    body: tantivy::schema::Field,
}

impl Baseline {
    pub fn build(records: &[crate::extract::Extracted]) -> tantivy::Result<Baseline> {
        use tantivy::schema::{Schema, STORED, STRING, TEXT};
        let mut builder = Schema::builder();
        let id = builder.add_text_field("id", STRING | STORED);
        let title = builder.add_text_field("title", TEXT);
        let body = builder.add_text_field("body", TEXT);
        let index = tantivy::Index::create_in_ram(builder.build());
        let mut writer: tantivy::IndexWriter = index.writer(50_000_000)?;
        for record in records {
            let mut doc = tantivy::TantivyDocument::default();
            doc.add_text(id, &record.incident.id);
            doc.add_text(title, &record.incident.title);
            doc.add_text(body, &record.body);
            writer.add_document(doc)?;
        }
        writer.commit()?;
        let reader = index.reader()?;
        Ok(Baseline {
            index,
            reader,
            id,
            title,
            body,
        })
    }

    pub fn search(&self, query: &str, limit: usize) -> tantivy::Result<Vec<String>> {
        use tantivy::schema::Value;
        let parser =
            tantivy::query::QueryParser::for_index(&self.index, vec![self.title, self.body]);
        let (query, _) = parser.parse_query_lenient(query);
        let searcher = self.reader.searcher();
        let top = searcher.search(
            &query,
            &tantivy::collector::TopDocs::with_limit(limit).order_by_score(),
        )?;
        let mut ids = Vec::new();
        for (_, address) in top {
            let doc: tantivy::TantivyDocument = searcher.doc(address)?;
            if let Some(id) = doc.get_first(self.id).and_then(|v| v.as_str()) {
                ids.push(id.to_string());
            }
        }
        Ok(ids)
    }
}
