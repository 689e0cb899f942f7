//! Times the stages of an import that runs even when nothing changed:
//! walking and reading the posts (`corpus::load_dir`), hashing them, and
//! opening the index. `cargo run --release --example bench_load -- POSTS [INDEX]`
use std::time::Instant;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let posts = std::path::PathBuf::from(args.next().expect("POSTS dir"));
    let index = args.next().map(std::path::PathBuf::from);
    let t = Instant::now();
    let corpus = pmkb::corpus::load_dir(&posts)?;
    let load = t.elapsed().as_secs_f64();
    let bytes: usize = corpus.posts.iter().map(|p| p.text.len()).sum();
    let t = Instant::now();
    let mut n = 0usize;
    for raw in &corpus.posts {
        n += raw.key().len() + raw.content_hash().len();
    }
    let hash = t.elapsed().as_secs_f64();
    println!("load_dir_s {load:.3}");
    println!(
        "posts {} bytes {bytes} problems {}",
        corpus.posts.len(),
        corpus.problems.len()
    );
    println!("key_and_hash_s {hash:.3} ({n})");
    if let Some(index) = index {
        let t = Instant::now();
        let idx = pmkb::index::PostIndex::open(&index)?;
        println!("open_s {:.3} docs {}", t.elapsed().as_secs_f64(), idx.len());
        let t = Instant::now();
        let metas = idx.index.load_metas()?;
        println!(
            "load_metas_s {:.3} payload_bytes {} segments {}",
            t.elapsed().as_secs_f64(),
            metas.payload.as_ref().map_or(0, |p| p.len()),
            metas.segments.len()
        );
    }
    Ok(())
}
