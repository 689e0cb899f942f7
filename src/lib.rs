//! pmkb: a postmortem knowledge base.
//!
//! The modules follow the data, each knowing only the ones before it:
//!
//! ```text
//! posts/*.md ─corpus─▶ RawPost ─parse─▶ Document ─extract─▶ Incident ─index─▶ tantivy ◀─search─ query
//! ```
//!
//! `pipeline` strings the first three together for commands that need
//! records; the CLI (`main.rs`) and the HTTP `server` are thin faces over
//! the same calls.

pub mod authoring;
pub mod config;
pub mod corpus;
pub mod error;
pub mod eval;
pub mod extract;
pub mod incident;
pub mod index;
pub mod parse;
pub mod pipeline;
pub mod search;
pub mod server;
pub mod watch;

/// Import and search allocate many small strings on every thread (tokens,
/// sentences, snippets, records): glibc's allocator took a sixth of an
/// import's time on them. Set here rather than in `main.rs` so that the
/// benchmarks and tests, which link this library, allocate as the
/// program does. Built without transparent huge pages (`no_thp` in
/// Cargo.toml): each new 2 MB page is zeroed whole, which made page
/// clearing 43% of a re-import after one edit at 100k posts (1.5-2.4 s
/// in three runs, 1.14-1.19 s after) for no measurable gain elsewhere.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The text of every sample post and, with `public_corpus`, of every post
/// of `../shared/corpus/icco` when it is present: real prose for the tests
/// that hold a fast path to the plain one.
#[cfg(test)]
pub(crate) fn sample_texts(public_corpus: bool) -> Vec<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut dirs = vec![root.join("posts")];
    if public_corpus {
        dirs.push(root.join("../shared/corpus/icco"));
    }
    let mut texts = Vec::new();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.expect("a directory entry").path();
            texts.push(std::fs::read_to_string(path).unwrap_or_default());
        }
    }
    texts
}

pub use config::Config;
pub use error::{Error, Result};
pub use incident::{Finding, Incident};
