//! What the index holds, by post, so an import skips unchanged posts and
//! removes the incidents of deleted ones.
//!
//! The commit payload (inside tantivy's `meta.json`, which a commit
//! replaces atomically) names the manifest's file; the file beside the
//! index is named by the hash of its content, written before the commit
//! that names it, and removed only after a later commit names another. A
//! crash at any point leaves the last commit naming a whole file.
//!
//! The posts used to travel in the payload itself: 15 MB of `meta.json`
//! at 100k posts, which tantivy parses whenever the index is opened or
//! reloaded — most of the 100 ms a `pmkb search` took — though only
//! imports read it.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// post key → (content hash, record id)
pub(super) type Posts = BTreeMap<String, (String, String)>;

/// What the last commit indexed.
#[derive(Debug, Default)]
pub(super) struct Manifest {
    /// Changes when pmkb.toml or the extractor changes: then every post is
    /// extracted again.
    pub fingerprint: String,
    pub posts: Posts,
}

/// The payload of a commit.
#[derive(Debug, Serialize, Deserialize)]
struct Payload {
    version: u32,
    fingerprint: String,
    /// The manifest's file, beside the index (from version 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    manifest: Option<String>,
    /// The posts themselves (version 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    posts: Option<Posts>,
}

const PAYLOAD_VERSION: u32 = 3;
const FILE_PREFIX: &str = "pmkb-manifest-";
const FILE_SUFFIX: &str = ".json";

/// The manifest as the last commit left it.
pub(super) enum Last {
    /// No import has committed yet.
    Nothing,
    /// The manifest, and whether it is stored the old way (inside
    /// `meta.json`) and should be written again.
    Found { manifest: Manifest, old_form: bool },
    /// The index has documents but what they are is unknown: the payload
    /// (in `file`) or the file it names is missing or damaged.
    Lost { file: PathBuf, reason: String },
}

/// The manifest the commit payload `payload` names, in `index_dir`.
pub(super) fn load(index_dir: &Path, payload: Option<&str>) -> Last {
    let Some(payload) = payload else {
        return Last::Nothing;
    };
    let payload: Payload = match serde_json::from_str(payload) {
        Ok(payload) => payload,
        Err(err) => {
            return Last::Lost {
                file: index_dir.join("meta.json"),
                reason: format!("the commit payload cannot be read: {err}"),
            }
        }
    };
    let (posts, old_form) = match (payload.posts, payload.manifest) {
        (Some(posts), _) => (posts, true),
        (None, Some(name)) => match read_file(index_dir, &name) {
            Ok(posts) => (posts, false),
            Err(reason) => {
                return Last::Lost {
                    file: index_dir.join(name),
                    reason,
                }
            }
        },
        (None, None) => {
            return Last::Lost {
                file: index_dir.join("meta.json"),
                reason: "the commit payload names no manifest".into(),
            }
        }
    };
    Last::Found {
        manifest: Manifest {
            fingerprint: payload.fingerprint,
            posts,
        },
        old_form,
    }
}

fn read_file(index_dir: &Path, name: &str) -> std::result::Result<Posts, String> {
    let expected = name
        .strip_prefix(FILE_PREFIX)
        .and_then(|rest| rest.strip_suffix(FILE_SUFFIX))
        .filter(|hash| !hash.contains(['/', '\\']))
        .ok_or_else(|| "named by the commit, but not a manifest's name".to_string())?;
    let bytes = std::fs::read(index_dir.join(name))
        .map_err(|err| format!("the index's manifest cannot be read: {err}"))?;
    if content_hash(&bytes) != expected {
        return Err("the index's manifest is damaged (its hash does not match)".into());
    }
    serde_json::from_slice(&bytes)
        .map_err(|err| format!("the index's manifest cannot be read: {err}"))
}

fn content_hash(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex()[..16].to_string()
}

/// A manifest written, not yet committed.
pub(super) struct Saved {
    /// For the commit: names `file`.
    pub payload: String,
    /// The file's name in the index directory.
    pub file: String,
}

/// Writes the manifest's file, synced, and returns the payload that names
/// it, for the commit.
pub(super) fn save(index_dir: &Path, manifest: &Manifest) -> Result<Saved> {
    let json = serde_json::to_vec(&manifest.posts).map_err(|e| Error::Query(e.to_string()))?;
    let name = format!("{FILE_PREFIX}{}{FILE_SUFFIX}", content_hash(&json));
    let path = index_dir.join(&name);
    let io = |source| Error::Io {
        path: path.clone(),
        source,
    };
    let tmp = index_dir.join(format!("{name}.tmp"));
    let written = std::fs::File::create(&tmp).and_then(|mut file| {
        file.write_all(&json)?;
        file.sync_all()
    });
    if let Err(err) = written.and_then(|()| std::fs::rename(&tmp, &path)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(io(err));
    }
    // The rename itself must reach the disk before a commit names the file.
    std::fs::File::open(index_dir)
        .and_then(|dir| dir.sync_all())
        .map_err(io)?;
    let payload = serde_json::to_string(&Payload {
        version: PAYLOAD_VERSION,
        fingerprint: manifest.fingerprint.clone(),
        manifest: Some(name.clone()),
        posts: None,
    })
    .map_err(|e| Error::Query(e.to_string()))?;
    Ok(Saved {
        payload,
        file: name,
    })
}

/// Removes the manifest files (and leftovers of writing them) other than
/// `current`, the committed one. Best effort: a file left behind is only
/// disk space, removed by a later import.
pub(super) fn remove_stale(index_dir: &Path, current: &str) {
    let Ok(entries) = std::fs::read_dir(index_dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            continue;
        };
        if name.starts_with(FILE_PREFIX) && name != current {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Whether any manifest is in `index_dir`.
pub(super) fn any_in(index_dir: &Path) -> bool {
    std::fs::read_dir(index_dir).is_ok_and(|entries| {
        entries.flatten().any(|entry| {
            entry
                .file_name()
                .to_str()
                .is_some_and(|name| name.starts_with(FILE_PREFIX) && name.ends_with(FILE_SUFFIX))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn posts() -> Posts {
        [("a.md#1".to_string(), ("hash".to_string(), "a".to_string()))].into()
    }

    #[test]
    fn a_payload_of_the_old_form_is_read_and_marked_for_rewriting() {
        let old = r#"{"version":2,"fingerprint":"2-5-x","posts":{"a.md#1":["hash","a"]}}"#;
        let dir = std::env::temp_dir();
        match load(&dir, Some(old)) {
            Last::Found { manifest, old_form } => {
                assert!(old_form);
                assert_eq!(manifest.fingerprint, "2-5-x");
                assert_eq!(manifest.posts, posts());
            }
            _ => panic!("the old payload was not read"),
        }
    }

    #[test]
    fn a_saved_manifest_loads_back_and_a_foreign_name_is_refused() {
        let dir = std::env::temp_dir().join(format!("pmkb-manifest-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let manifest = Manifest {
            fingerprint: "f".into(),
            posts: posts(),
        };
        let saved = save(&dir, &manifest).unwrap();
        assert!(saved.payload.len() < 200, "{}", saved.payload);
        match load(&dir, Some(&saved.payload)) {
            Last::Found { manifest, old_form } => {
                assert!(!old_form);
                assert_eq!(manifest.posts, posts());
            }
            _ => panic!("the saved manifest was not found"),
        }
        let foreign = r#"{"version":3,"fingerprint":"f","manifest":"../meta.json"}"#;
        assert!(matches!(load(&dir, Some(foreign)), Last::Lost { .. }));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
