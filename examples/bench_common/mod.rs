//! The timing harness `bench_query` (pmkb) and `bench_tantivy` (a bare
//! tantivy index) share, so that both sides of the comparison are measured
//! and reported the same way: arguments, warm-up, rounds, percentiles and
//! the `key value` lines `bench/run.sh` reads.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Context, Result};

pub struct Args {
    pub index: PathBuf,
    queries: Option<PathBuf>,
    single: Option<String>,
    rounds: usize,
    repeat: usize,
    pub limit: usize,
    /// Print every query's fastest time too: where the mean goes.
    per_query: bool,
}

impl Args {
    /// `--index DIR --queries FILE [--rounds R] [--limit N] [--per-query] [--single Q --repeat K]`
    pub fn parse() -> Result<Args> {
        let mut index = None;
        let mut queries = None;
        let mut single = None;
        let mut per_query = false;
        let (mut rounds, mut repeat, mut limit) = (3usize, 50usize, 10usize);
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
                "--per-query" => per_query = true,
                "-h" | "--help" => {
                    println!(
                        "--index DIR (--queries FILE [--rounds R] [--per-query] | --single QUERY [--repeat K]) [--limit N]"
                    );
                    std::process::exit(0);
                }
                other => bail!("unknown argument {other}"),
            }
        }
        Ok(Args {
            index: index.context("--index DIR is required")?,
            queries,
            single,
            rounds,
            repeat,
            limit,
            per_query,
        })
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Times `search` (which returns the number of matches) as the arguments
/// say and prints the figures; `name` prefixes error messages.
pub fn run(name: &str, args: &Args, search: impl Fn(&str) -> Result<usize>) -> Result<()> {
    if let Some(q) = &args.single {
        let _ = search(q);
        let mut times = Vec::with_capacity(args.repeat);
        let mut total = 0;
        for _ in 0..args.repeat {
            let t = Instant::now();
            total = search(q)?;
            times.push(t.elapsed().as_secs_f64() * 1e3);
        }
        times.sort_by(f64::total_cmp);
        println!("single_query {q}");
        println!("single_total {total}");
        println!("single_p50_ms {:.3}", percentile(&times, 50.0));
        println!(
            "single_min_ms {:.3}",
            times.first().copied().unwrap_or(f64::NAN)
        );
        return Ok(());
    }

    let file = args
        .queries
        .as_ref()
        .context("--queries FILE is required")?;
    let text = std::fs::read_to_string(file).with_context(|| file.display().to_string())?;
    let queries: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    // Warm-up round: page cache, lazily opened segments.
    for q in &queries {
        let _ = search(q);
    }
    let mut times = Vec::with_capacity(queries.len() * args.rounds);
    let mut slowest = vec![0f64; queries.len()];
    let mut fastest = vec![f64::INFINITY; queries.len()];
    let (mut errors, mut empty, mut hits_total) = (0, 0, 0usize);
    let wall = Instant::now();
    for round in 0..args.rounds {
        for (i, q) in queries.iter().enumerate() {
            let t = Instant::now();
            let result = search(q);
            let ms = t.elapsed().as_secs_f64() * 1e3;
            times.push(ms);
            slowest[i] = slowest[i].max(ms);
            fastest[i] = fastest[i].min(ms);
            match result {
                Ok(total) if round == 0 => {
                    hits_total += total;
                    empty += usize::from(total == 0);
                }
                Ok(_) => {}
                Err(e) => {
                    if round == 0 {
                        eprintln!("{name}: {q:?}: {e}");
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
    if args.per_query {
        for (ms, q) in fastest.iter().zip(&queries) {
            println!("query_min_ms {ms:.3} {q}");
        }
    }
    let mut slow: Vec<(f64, &str)> = slowest
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
