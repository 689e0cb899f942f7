//! Prints precision, recall and F1 of extraction per field on the labelled
//! posts: `cargo run --release --example eval_extract [-- --verbose]`.
//!
//! `-- --dir eval/heldout-extract` scores another labelled set laid out the
//! same way (`DIR/posts`, `DIR/gold`), so rules tuned on `posts/` can be
//! checked on posts they were never tuned on. `--show` prints every
//! post's findings with their sections, each marked hit or wrong, and the
//! gold spans missed.

use std::path::{Path, PathBuf};

use anyhow::Context;
use pmkb::incident::Field;
use pmkb::{corpus, eval, pipeline, Config};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let verbose = args.iter().any(|a| a == "--verbose" || a == "-v");
    let show = args.iter().any(|a| a == "--show");
    let (posts, gold_dir) = match args.iter().position(|a| a == "--dir") {
        Some(i) => {
            let dir = PathBuf::from(args.get(i + 1).context("--dir needs a directory")?);
            (dir.join("posts"), dir.join("gold"))
        }
        None => (PathBuf::from("posts"), PathBuf::from("eval/gold")),
    };
    let config = Config::load(&posts)?;
    let corpus = corpus::load_dir(&posts)?;
    let records = pipeline::extract_posts(&corpus.posts, &config);
    let incidents: Vec<_> = records
        .records
        .into_iter()
        .map(|r| r.extracted.incident)
        .collect();
    let gold = eval::load_gold(&gold_dir)?;
    let report = eval::score_extraction(&gold, &incidents);
    if show {
        for labels in &gold {
            let Some(incident) = incidents.iter().find(|i| i.id == labels.id) else {
                continue;
            };
            println!("=== {}", labels.id);
            for field in [Field::Symptoms, Field::Causes, Field::Fixes] {
                let spans = labels.spans(field);
                for finding in incident.findings(field) {
                    let hit = spans.iter().any(|g| eval::matches(&finding.text, g));
                    let mark = if hit { "ok  " } else { "FP  " };
                    println!(
                        "{mark}{:<8} [{}] {}",
                        field.name(),
                        finding.section,
                        finding.text
                    );
                }
                for span in spans {
                    if !incident
                        .findings(field)
                        .iter()
                        .any(|f| eval::matches(&f.text, span))
                    {
                        println!("MISS{:<8} {span}", field.name());
                    }
                }
            }
        }
    }
    if verbose {
        for (id, field, text) in &report.false_positives {
            println!("FP {field:<8} {id}: {text}");
        }
        for (id, field, text) in &report.misses {
            println!("MISS {field:<8} {id}: {text}");
        }
    }
    println!(
        "extraction on {} labelled posts ({})",
        gold.len(),
        display(&gold_dir)
    );
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

fn display(path: &Path) -> String {
    path.display().to_string()
}
