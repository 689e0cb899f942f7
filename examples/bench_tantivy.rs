//! The same in-process query benchmark as `bench_query`, on a bare tantivy
//! index (the one `tantivy-cli index` builds from title + body JSON):
//!
//! ```text
//! cargo run --release --example bench_tantivy -- --index DIR --queries FILE \
//!     [--rounds R] [--single QUERY --repeat K]
//! ```
//!
//! Each call does what a search page needs: parse the query (tantivy's
//! `QueryParser` over every indexed text field), top 10 by BM25 and the
//! total count, fetch the stored documents, and build a snippet of the
//! `body` field — what tantivy-cli's `serve` does, plus snippets, so the
//! comparison with pmkb's search is like for like.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::QueryParser;
use tantivy::schema::{FieldType, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{Index, TantivyDocument};

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

struct Bare {
    parser: QueryParser,
    searcher: tantivy::Searcher,
    body: tantivy::schema::Field,
}

impl Bare {
    fn search(&self, q: &str) -> Result<usize> {
        let query = self.parser.parse_query(q)?;
        let (top, total) = self
            .searcher
            .search(&query, &(TopDocs::with_limit(10).order_by_score(), Count))?;
        let mut generator = SnippetGenerator::create(&self.searcher, &*query, self.body)?;
        generator.set_max_num_chars(220);
        let mut bytes = 0;
        for (_, address) in top {
            let doc: TantivyDocument = self.searcher.doc(address)?;
            let body = doc
                .get_first(self.body)
                .and_then(|v| v.as_str())
                .unwrap_or("");
            bytes += generator.snippet(body).to_html().len();
        }
        std::hint::black_box(bytes);
        Ok(total)
    }
}

fn main() -> Result<()> {
    let mut index = None;
    let mut queries = None;
    let mut single = None;
    let mut rounds = 3usize;
    let mut repeat = 50usize;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().with_context(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--index" => index = Some(PathBuf::from(value()?)),
            "--queries" => queries = Some(PathBuf::from(value()?)),
            "--single" => single = Some(value()?),
            "--rounds" => rounds = value()?.parse()?,
            "--repeat" => repeat = value()?.parse()?,
            other => bail!("unknown argument {other}"),
        }
    }
    let path = index.context("--index DIR is required")?;
    let started = Instant::now();
    let index = Index::open_in_dir(&path)?;
    let schema = index.schema();
    let fields: Vec<_> = schema
        .fields()
        .filter(|(_, e)| match e.field_type() {
            FieldType::Str(o) => o.get_indexing_options().is_some(),
            _ => false,
        })
        .map(|(f, _)| f)
        .collect();
    let body = schema.get_field("body").context("no body field")?;
    let parser = QueryParser::for_index(&index, fields);
    let searcher = index.reader()?.searcher();
    let bare = Bare {
        parser,
        searcher,
        body,
    };
    println!("open_ms {:.1}", started.elapsed().as_secs_f64() * 1e3);
    println!("docs {}", bare.searcher.num_docs());

    if let Some(q) = single {
        let _ = bare.search(&q);
        let mut times = Vec::new();
        let mut total = 0;
        for _ in 0..repeat {
            let t = Instant::now();
            total = bare.search(&q)?;
            times.push(t.elapsed().as_secs_f64() * 1e3);
        }
        times.sort_by(f64::total_cmp);
        println!("single_total {total}");
        println!("single_p50_ms {:.3}", percentile(&times, 50.0));
        return Ok(());
    }

    let file = queries.context("--queries FILE is required")?;
    let text = std::fs::read_to_string(&file)?;
    let queries: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    for q in &queries {
        let _ = bare.search(q);
    }
    let mut times = Vec::new();
    let mut errors = 0;
    let mut empty = 0;
    let wall = Instant::now();
    for round in 0..rounds {
        for q in &queries {
            let t = Instant::now();
            let r = bare.search(q);
            times.push(t.elapsed().as_secs_f64() * 1e3);
            match r {
                Ok(0) if round == 0 => empty += 1,
                Ok(_) => {}
                Err(e) => {
                    if round == 0 {
                        eprintln!("bench_tantivy: {q:?}: {e}");
                    }
                    errors += 1
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
    println!("p50_ms {:.3}", percentile(&times, 50.0));
    println!("p95_ms {:.3}", percentile(&times, 95.0));
    println!("p99_ms {:.3}", percentile(&times, 99.0));
    println!("max_ms {:.3}", times.last().copied().unwrap_or(f64::NAN));
    println!("qps_one_thread {:.0}", times.len() as f64 / wall_s);
    Ok(())
}
