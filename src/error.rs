//! Library errors. Each variant carries what a user needs to act on it: which
//! file, which line, what to run next.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}:{line}: invalid configuration: {reason}")]
    Config {
        path: PathBuf,
        line: usize,
        reason: String,
    },
    #[error("no index at {path}: run `pmkb import` first")]
    MissingIndex { path: PathBuf },
    #[error("the index at {path} cannot be read ({reason}): run `pmkb import` to rebuild it")]
    CorruptIndex { path: PathBuf, reason: String },
    #[error(
        "the index at {path} was built by another version of pmkb: run `pmkb import` to rebuild it"
    )]
    OtherVersion { path: PathBuf },
    #[error("{path} holds an index that is not pmkb's ({reason}); pmkb leaves it alone: remove it, or give --index a folder of its own")]
    NotOurs { path: PathBuf, reason: String },
    #[error("another pmkb process is writing the index at {path}; wait for it to finish")]
    IndexLocked { path: PathBuf },
    #[error(
        "another `pmkb add` into {path} has not finished after {seconds} s; try again when it has"
    )]
    AddBusy { path: PathBuf, seconds: u64 },
    #[error("index error: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("bad query: {0}")]
    Query(String),
    #[error("bad title: {0}")]
    Title(String),
    #[error("no incident with id `{0}`")]
    UnknownId(String),
    #[error("`{given}` fits several incidents: {ids}; give one id")]
    AmbiguousId { given: String, ids: String },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
