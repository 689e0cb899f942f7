//! The same in-process query benchmark as `bench_query`, on a bare tantivy
//! index (the one `tantivy-cli index` builds from title + body JSON):
//!
//! ```text
//! cargo run --release --example bench_tantivy -- --index DIR --queries FILE \
//!     [--rounds R] [--limit N] [--per-query] [--single QUERY --repeat K]
//! ```
//!
//! Each call does what a search page needs: parse the query (tantivy's
//! `QueryParser` over every indexed text field), top 10 by BM25 and the
//! total count, fetch the stored documents, and build a snippet of the
//! `body` field — what tantivy-cli's `serve` does, plus snippets, so the
//! comparison with pmkb's search is like for like.

mod bench_common;

use std::time::Instant;

use anyhow::{Context, Result};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::QueryParser;
use tantivy::schema::{FieldType, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{Index, TantivyDocument};

struct Bare {
    parser: QueryParser,
    searcher: tantivy::Searcher,
    body: tantivy::schema::Field,
}

impl Bare {
    fn search(&self, q: &str, limit: usize) -> Result<usize> {
        let query = self.parser.parse_query(q)?;
        let (top, total) = self.searcher.search(
            &query,
            &(TopDocs::with_limit(limit).order_by_score(), Count),
        )?;
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
    let args = bench_common::Args::parse()?;
    let started = Instant::now();
    let index = Index::open_in_dir(&args.index)?;
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

    bench_common::run("bench_tantivy", &args, |q| bare.search(q, args.limit))
}
