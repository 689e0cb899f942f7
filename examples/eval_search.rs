//! Prints MRR and recall@5 of pmkb's search on the labelled queries in
//! `eval/queries`, beside a plain tantivy baseline (title + body, default
//! tokenizer, no boosts, no synonyms), overall and by query kind:
//! `cargo run --release --example eval_search [-- [--verbose] [QUERY_DIR]]`
//! (default `eval/queries`; `eval/heldout` holds queries written without
//! sight of the synonym table).
//!
//! `--distractors DIR [--max N]` adds the first N files (all by default,
//! in name order) of another posts folder to the bundled posts, e.g. a
//! generated benchmark corpus: the same queries must then find their
//! incident among many more that use the same words, as a knowledge base
//! that grew for years.

use std::collections::BTreeMap;
use std::path::Path;

use pmkb::eval::{self, Baseline, RankScores};
use pmkb::index::{self, PostIndex};
use pmkb::{corpus, pipeline, Config};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let verbose = args.iter().any(|a| a == "--verbose" || a == "-v");
    let value_of = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|at| args.get(at + 1))
    };
    let bundled = Path::new("posts");
    let with_distractors = tempfile::tempdir()?;
    let posts = match value_of("--distractors") {
        Some(dir) => {
            let max = match value_of("--max") {
                Some(n) => n.parse()?,
                None => usize::MAX,
            };
            let added = copy_posts(Path::new(dir), with_distractors.path(), max)?;
            copy_posts(bundled, with_distractors.path(), usize::MAX)?;
            eprintln!("eval_search: {added} distractor files from {dir}");
            with_distractors.path()
        }
        None => bundled,
    };
    let scratch = tempfile::tempdir()?;
    index::import(posts, scratch.path(), &index::Quiet)?;
    let pmkb_index = PostIndex::open(scratch.path())?;

    let config = Config::load(posts)?;
    let corpus = corpus::load_dir(posts)?;
    let records: Vec<_> = pipeline::extract_posts(&corpus.posts, &config)
        .records
        .into_iter()
        .map(|r| r.extracted)
        .collect();
    let baseline = Baseline::build(&records)?;

    // The first argument that is neither an option nor an option's value.
    let takes_value = |option: &str| option == "--distractors" || option == "--max";
    let dir = args
        .iter()
        .enumerate()
        .find(|&(at, arg)| {
            let is_value = at > 0 && takes_value(&args[at - 1]);
            !arg.starts_with('-') && !is_value
        })
        .map_or_else(|| "eval/queries".to_string(), |(_, arg)| arg.clone());
    let queries = eval::load_queries(Path::new(&dir))?;
    let mut scores: BTreeMap<(String, &str), RankScores> = BTreeMap::new();
    for q in &queries {
        let ours: Vec<String> = pmkb_index
            .search(&q.query, 10, 0)?
            .hits
            .into_iter()
            .map(|h| h.id)
            .collect();
        let plain = baseline.search(&q.query, 10)?;
        for kind in ["all".to_string(), q.kind.clone()] {
            scores
                .entry((kind.clone(), "pmkb"))
                .or_default()
                .add(&ours, &q.relevant);
            scores
                .entry((kind, "baseline"))
                .or_default()
                .add(&plain, &q.relevant);
        }
        if verbose && ours.first().is_none_or(|id| !q.relevant.contains(id)) {
            println!(
                "MISS [{}] {:?}: want {:?}, got {:?}",
                q.kind,
                q.query,
                q.relevant,
                ours.iter().take(3).collect::<Vec<_>>()
            );
        }
    }
    println!(
        "search on {} labelled queries ({dir}) over {} posts",
        queries.len(),
        records.len()
    );
    println!(
        "{:<12} {:>7} {:>10} {:>12} {:>13} {:>13}",
        "queries", "count", "pmkb MRR", "pmkb R@5", "baseline MRR", "baseline R@5"
    );
    let kinds: Vec<String> = scores
        .keys()
        .map(|(k, _)| k.clone())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    for kind in kinds {
        let ours = scores[&(kind.clone(), "pmkb")];
        let plain = scores[&(kind.clone(), "baseline")];
        println!(
            "{kind:<12} {:>7} {:>10.3} {:>12.3} {:>13.3} {:>13.3}",
            ours.queries,
            ours.mrr(),
            ours.recall_at_5(),
            plain.mrr(),
            plain.recall_at_5()
        );
    }
    Ok(())
}

/// Copies the first `max` files under `from` (in name order, folders
/// kept) into `to`; returns how many.
fn copy_posts(from: &Path, to: &Path, max: usize) -> anyhow::Result<usize> {
    let mut copied = 0;
    for entry in walkdir::WalkDir::new(from).sort_by_file_name() {
        let entry = entry?;
        if copied == max {
            break;
        }
        if !entry.file_type().is_file() {
            continue;
        }
        let target = to.join(entry.path().strip_prefix(from)?);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::copy(entry.path(), &target)?;
        copied += 1;
    }
    Ok(copied)
}
