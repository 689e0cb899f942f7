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
/// clearing 43% of a re-import after one edit at 100k posts (2.07 s, now
/// about 1.2 s) for no measurable gain elsewhere.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub use config::Config;
pub use error::{Error, Result};
pub use incident::{Finding, Incident};
