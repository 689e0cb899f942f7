//! Prints MRR and recall@5 of pmkb's search on the labelled queries in
//! `eval/queries`, beside a plain tantivy baseline (title + body, default
//! tokenizer, no boosts, no synonyms), overall and by query kind:
//! `cargo run --release --example eval_search [-- [--verbose] [QUERY_DIR]]`
//! (default `eval/queries`; `eval/heldout` holds queries written without
//! sight of the synonym table).

use std::collections::BTreeMap;
use std::path::Path;

use pmkb::eval::{self, Baseline, RankScores};
use pmkb::index::{self, PostIndex};
use pmkb::{corpus, pipeline, Config};

fn main() -> anyhow::Result<()> {
    let verbose = std::env::args().any(|a| a == "--verbose" || a == "-v");
    let posts = Path::new("posts");
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

    let dir = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .unwrap_or_else(|| "eval/queries".into());
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
