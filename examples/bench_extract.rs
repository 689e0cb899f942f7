//! Parse and extract throughput on one thread, the import's share of CPU
//! that is pmkb's own (the rest is tantivy's indexing):
//!
//! ```text
//! cargo run --release --example bench_extract -- POSTS_DIR [ROUNDS]
//! ```
//!
//! Loads the posts once, then runs `pipeline::extract_each` over all of
//! them `ROUNDS` times (default 3) and prints `key value` lines: the best
//! round's seconds, posts/s and MB/s, and a digest of what was extracted,
//! so that two builds can be checked to extract the same records.

use std::time::Instant;

use anyhow::{Context, Result};

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(
        args.next()
            .context("usage: bench_extract POSTS_DIR [ROUNDS]")?,
    );
    let rounds: usize = match args.next() {
        Some(n) => n.parse().context("ROUNDS is a number")?,
        None => 3,
    };
    let corpus = pmkb::corpus::load_dir(&dir)?;
    let config = pmkb::config::Config::load_or_default(&dir).0;
    let bytes: usize = corpus.posts.iter().map(|p| p.text.len()).sum();
    let mut best = f64::INFINITY;
    let mut digest = String::new();
    for _ in 0..rounds.max(1) {
        let started = Instant::now();
        let records = pmkb::pipeline::extract_each(&corpus.posts, &config);
        best = best.min(started.elapsed().as_secs_f64());
        let mut hasher = blake3::Hasher::new();
        for record in &records.records {
            hasher.update(serde_json::to_string(&record.extracted.incident)?.as_bytes());
        }
        digest = hasher.finalize().to_hex()[..16].to_string();
    }
    println!("posts {}", corpus.posts.len());
    println!("mb {:.1}", bytes as f64 / 1e6);
    println!("best_s {best:.3}");
    println!("posts_per_s {:.0}", corpus.posts.len() as f64 / best);
    println!("mb_per_s {:.2}", bytes as f64 / 1e6 / best);
    println!("digest {digest}");
    Ok(())
}
