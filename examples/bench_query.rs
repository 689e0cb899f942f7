//! In-process query latency of pmkb's search, snippets included:
//!
//! ```text
//! cargo run --release --example bench_query -- --index DIR --queries FILE \
//!     [--rounds R] [--limit N] [--per-query] [--single QUERY --repeat K]
//! ```
//!
//! Opens the index with `PostIndex::open` and calls `.search(q, limit, 0)`
//! (which builds the snippets and picks the best findings) for every query
//! of the file, once to warm up and then `R` times (default 3), and prints
//! `key value` lines: the percentiles over all timed calls, the errors, the
//! queries that found nothing, and the slowest queries (with `--per-query`,
//! every query's fastest time: where the mean goes). With `--single`,
//! times that one query `K` times (default 50) instead.

mod bench_common;

use std::time::Instant;

use anyhow::Result;
use pmkb::index::PostIndex;

fn main() -> Result<()> {
    let args = bench_common::Args::parse()?;
    let started = Instant::now();
    let idx = PostIndex::open(&args.index)?;
    println!("open_ms {:.1}", started.elapsed().as_secs_f64() * 1e3);
    println!("docs {}", idx.len());
    bench_common::run("bench_query", &args, |q| {
        Ok(idx.search(q, args.limit, 0)?.total)
    })
}
