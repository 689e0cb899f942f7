//! Prints precision, recall and F1 of extraction per field on the labelled
//! posts: `cargo run --release --example eval_extract [-- --verbose]`.

use std::path::Path;

use pmkb::{corpus, eval, pipeline, Config};

fn main() -> anyhow::Result<()> {
    let verbose = std::env::args().any(|a| a == "--verbose" || a == "-v");
    let posts = Path::new("posts");
    let config = Config::load(posts)?;
    let corpus = corpus::load_dir(posts)?;
    let records = pipeline::extract_posts(&corpus.posts, &config);
    let incidents: Vec<_> = records
        .records
        .into_iter()
        .map(|r| r.extracted.incident)
        .collect();
    let gold = eval::load_gold(Path::new("eval/gold"))?;
    let report = eval::score_extraction(&gold, &incidents);
    if verbose {
        for (id, field, text) in &report.false_positives {
            println!("FP {field:<8} {id}: {text}");
        }
        for (id, field, text) in &report.misses {
            println!("MISS {field:<8} {id}: {text}");
        }
    }
    println!("extraction on {} labelled posts (eval/gold)", gold.len());
    println!(
        "{:<10} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "field", "precision", "recall", "F1", "findings", "gold"
    );
    for (field, c) in &report.fields {
        println!(
            "{field:<10} {:>9.3} {:>9.3} {:>9.3} {:>9} {:>9}",
            c.precision(),
            c.recall(),
            c.f1(),
            c.findings,
            c.gold
        );
    }
    if !report.missing.is_empty() {
        println!("labelled but not extracted: {}", report.missing.join(", "));
    }
    Ok(())
}
