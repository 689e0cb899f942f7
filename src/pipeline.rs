//! Raw posts to records: parse, extract, and refuse duplicate ids. Shared by
//! `pmkb extract` (which stops here) and `pmkb import` (which indexes).

use std::collections::HashMap;

use crate::config::Config;
use crate::corpus::{Problem, RawPost};
use crate::extract::{extract, Extracted};
use crate::parse::parse;

/// An extracted post, with the key and content hash of the raw post it came
/// from, so an import can remember it.
#[derive(Debug, Clone)]
pub struct Record {
    pub key: String,
    pub hash: String,
    pub extracted: Extracted,
    /// The post as written, front matter blanked out (lines kept, so line
    /// numbers still match the file), for showing the original.
    pub markdown: String,
    /// Line in the file of the first line of `markdown`.
    pub markdown_line: usize,
}

#[derive(Debug, Default)]
pub struct Records {
    pub records: Vec<Record>,
    /// Posts that were skipped, with why.
    pub problems: Vec<Problem>,
    /// Posts that were imported with a caveat (a front matter that did not
    /// parse, say).
    pub warnings: Vec<Problem>,
}

/// Parses and extracts every post. A post whose id was already taken by an
/// earlier post (in walk order) is an error for that later post.
pub fn extract_posts<'a>(posts: impl IntoIterator<Item = &'a RawPost>, config: &Config) -> Records {
    let mut out = extract_each(posts, config);
    let mut first_with_id: HashMap<String, (String, usize)> = HashMap::new();
    let mut duplicates = Vec::new();
    out.records.retain(|record| {
        let incident = &record.extracted.incident;
        if let Some((source, line)) = first_with_id.get(&incident.id) {
            duplicates.push(duplicate_id(
                &incident.source,
                incident.line,
                &incident.id,
                &format!("{source}:{line}"),
            ));
            return false;
        }
        first_with_id.insert(
            incident.id.clone(),
            (incident.source.clone(), incident.line),
        );
        true
    });
    out.problems.append(&mut duplicates);
    out
}

/// The report of a post skipped because `holder` (`file:line`) has its id.
pub fn duplicate_id(source: &str, line: usize, id: &str, holder: &str) -> Problem {
    Problem {
        source: source.to_string(),
        line,
        reason: format!("duplicate id `{id}` (already used by {holder}); post skipped"),
    }
}

/// Parses and extracts every post, duplicate ids and all: an import decides
/// between posts that claim one id, knowing the posts the index holds.
pub fn extract_each<'a>(posts: impl IntoIterator<Item = &'a RawPost>, config: &Config) -> Records {
    let mut out = Records::default();
    for raw in posts {
        let doc = match parse(raw) {
            Ok(doc) => doc,
            Err(problem) => {
                out.problems.push(problem);
                continue;
            }
        };
        out.warnings.extend(doc.warnings.iter().cloned());
        let extracted = extract(&doc, config);
        out.records.push(Record {
            key: raw.key(),
            hash: raw.content_hash(),
            extracted,
            markdown: crate::parse::without_front_matter(&raw.text),
            markdown_line: raw.text_line,
        });
    }
    out
}
