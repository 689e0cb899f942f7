//! In-process query latency of pmkb's search, snippets included:
//!
//! ```text
//! cargo run --release --example bench_query -- --index DIR --queries FILE \
//!     [--rounds R] [--limit N] [--single QUERY --repeat K]
//! ```
//!
//! Opens the index with `PostIndex::open` and calls `.search(q, limit, 0)`
//! (which builds the snippets and picks the best findings) for every query
//! of the file, once to warm up and then `R` times (default 3), and prints
//! `key value` lines: the percentiles over all timed calls, the errors, the
//! queries that found nothing, and the slowest queries. With `--single`,
//! times that one query `K` times (default 50) instead.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use pmkb::index::PostIndex;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn main() -> Result<()> {
    let mut index = None;
    let mut queries = None;
    let mut single = None;
    let mut rounds = 3usize;
    let mut repeat = 50usize;
    let mut limit = 10usize;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().with_context(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--index" => index = Some(PathBuf::from(value()?)),
            "--queries" => queries = Some(PathBuf::from(value()?)),
            "--single" => single = Some(value()?),
            "--rounds" => rounds = value()?.parse()?,
            "--repeat" => repeat = value()?.parse()?,
            "--limit" => limit = value()?.parse()?,
            other => bail!("unknown argument {other}"),
        }
    }
    let index = index.context("--index DIR is required")?;
    let started = Instant::now();
    let idx = PostIndex::open(&index)?;
    let open_ms = started.elapsed().as_secs_f64() * 1e3;
    println!("open_ms {open_ms:.1}");
    println!("docs {}", idx.len());

    if let Some(q) = single {
        let _ = idx.search(&q, limit, 0);
        let mut times = Vec::with_capacity(repeat);
        let mut total = 0;
        for _ in 0..repeat {
            let t = Instant::now();
            let r = idx.search(&q, limit, 0)?;
            times.push(t.elapsed().as_secs_f64() * 1e3);
            total = r.total;
        }
        times.sort_by(f64::total_cmp);
        println!("single_query {q}");
        println!("single_total {total}");
        println!("single_p50_ms {:.3}", percentile(&times, 50.0));
        println!("single_min_ms {:.3}", times[0]);
        return Ok(());
    }

    let file = queries.context("--queries FILE is required")?;
    let text = std::fs::read_to_string(&file).with_context(|| file.display().to_string())?;
    let queries: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    // Warm-up round: page cache, lazily opened segments.
    for q in &queries {
        let _ = idx.search(q, limit, 0);
    }
    let mut times = Vec::with_capacity(queries.len() * rounds);
    let mut per_query = vec![0f64; queries.len()];
    let mut errors = 0;
    let mut empty = 0;
    let mut hits_total = 0usize;
    let wall = Instant::now();
    for round in 0..rounds {
        for (i, q) in queries.iter().enumerate() {
            let t = Instant::now();
            let result = idx.search(q, limit, 0);
            let ms = t.elapsed().as_secs_f64() * 1e3;
            times.push(ms);
            per_query[i] = per_query[i].max(ms);
            match result {
                Ok(r) => {
                    if round == 0 {
                        hits_total += r.total;
                        if r.total == 0 {
                            empty += 1;
                        }
                    }
                }
                Err(e) => {
                    if round == 0 {
                        eprintln!("bench_query: {q:?}: {e}");
                    }
                    errors += 1;
                }
            }
        }
    }
    let wall_s = wall.elapsed().as_secs_f64();
    times.sort_by(f64::total_cmp);
    println!("queries {}", queries.len());
    println!("calls {}", times.len());
    println!("errors {errors}");
    println!("zero_hit_queries {empty}");
    println!(
        "mean_total_hits {:.0}",
        hits_total as f64 / queries.len().max(1) as f64
    );
    println!("p50_ms {:.3}", percentile(&times, 50.0));
    println!("p95_ms {:.3}", percentile(&times, 95.0));
    println!("p99_ms {:.3}", percentile(&times, 99.0));
    println!("max_ms {:.3}", times.last().copied().unwrap_or(f64::NAN));
    println!(
        "mean_ms {:.3}",
        times.iter().sum::<f64>() / times.len().max(1) as f64
    );
    println!("qps_one_thread {:.0}", times.len() as f64 / wall_s);
    let mut slow: Vec<(f64, &str)> = per_query
        .iter()
        .copied()
        .zip(queries.iter().copied())
        .collect();
    slow.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (ms, q) in slow.iter().take(5) {
        println!("slowest {ms:.2} {q}");
    }
    Ok(())
}
