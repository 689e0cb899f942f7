//! `pmkb.toml` beside the posts: a team's own section names ("Blast radius",
//! "How we got out") on top of the built-in vocabulary.

use std::path::Path;

use serde::Deserialize;

use crate::corpus::Problem;
use crate::error::{Error, Result};

pub const CONFIG_FILE: &str = "pmkb.toml";

#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq, Hash)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub sections: SectionNames,
}

/// Extra headings per field, matched case-insensitively.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq, Hash)]
#[serde(deny_unknown_fields)]
pub struct SectionNames {
    #[serde(default)]
    pub symptoms: Vec<String>,
    #[serde(default)]
    pub causes: Vec<String>,
    #[serde(default)]
    pub fixes: Vec<String>,
    #[serde(default)]
    pub lessons: Vec<String>,
    /// Sections that hold no findings (a team's "Our setup").
    #[serde(default)]
    pub context: Vec<String>,
}

impl Config {
    /// Reads `pmkb.toml` from the posts directory; no file means defaults.
    pub fn load(posts_dir: &Path) -> Result<Config> {
        let path = posts_dir.join(CONFIG_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(source) => return Err(Error::Io { path, source }),
        };
        toml::from_str(&text).map_err(|e| {
            let line = e.span().map_or(1, |span| {
                1 + text[..span.start.min(text.len())].matches('\n').count()
            });
            Error::Config {
                path: path.clone(),
                line,
                reason: e.message().to_string(),
            }
        })
    }

    /// `load`, or the built-in names with the problem to report: a bad
    /// `pmkb.toml` must not stop an import (or `extract`, or `add`), and
    /// must not pass unsaid.
    pub fn load_or_default(posts_dir: &Path) -> (Config, Option<Problem>) {
        match Config::load(posts_dir) {
            Ok(config) => (config, None),
            Err(err) => {
                let (line, what) = match err {
                    Error::Config { line, reason, .. } => {
                        (line, format!("invalid configuration: {reason}"))
                    }
                    other => (1, other.to_string()),
                };
                let problem = Problem {
                    source: CONFIG_FILE.into(),
                    line,
                    reason: format!("{what}; using the built-in section names"),
                };
                (Config::default(), Some(problem))
            }
        }
    }

    /// A fingerprint that changes when the configuration would change what
    /// is extracted, so `import` knows to redo every post.
    pub fn fingerprint(&self) -> String {
        let text = format!("{:?}", self);
        blake3::hash(text.as_bytes()).to_hex()[..16].to_string()
    }
}
