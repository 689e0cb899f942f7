//! The record every other stage exchanges: one incident with its findings.
//!
//! The JSON shape is part of the public contract (SPEC.md, "Record"), so field
//! names and order here must not change casually.

use serde::{Deserialize, Serialize};

/// A sentence or clause lifted from the post, kept with where it came from so a
/// reader can jump to the original.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub text: String,
    pub section: String,
    pub line: usize,
}

/// One postmortem, as extracted from one post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Incident {
    pub id: String,
    pub title: String,
    pub date: Option<String>,
    pub source: String,
    pub line: usize,
    pub summary: String,
    pub symptoms: Vec<Finding>,
    pub causes: Vec<Finding>,
    pub fixes: Vec<Finding>,
    pub lessons: Vec<Finding>,
    pub technologies: Vec<String>,
    pub tags: Vec<String>,
    /// Services or products named in front matter; not in SPEC's example but
    /// useful for filtering, and additive to the contract.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
}

/// The three fields a search hit shows, in the order an on-call engineer reads them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Field {
    Symptoms,
    Causes,
    Fixes,
    Lessons,
}

impl Field {
    pub const ALL: [Field; 4] = [Field::Symptoms, Field::Causes, Field::Fixes, Field::Lessons];

    pub fn name(self) -> &'static str {
        match self {
            Field::Symptoms => "symptoms",
            Field::Causes => "causes",
            Field::Fixes => "fixes",
            Field::Lessons => "lessons",
        }
    }
}

impl Incident {
    pub fn findings(&self, field: Field) -> &[Finding] {
        match field {
            Field::Symptoms => &self.symptoms,
            Field::Causes => &self.causes,
            Field::Fixes => &self.fixes,
            Field::Lessons => &self.lessons,
        }
    }

    pub fn findings_mut(&mut self, field: Field) -> &mut Vec<Finding> {
        match field {
            Field::Symptoms => &mut self.symptoms,
            Field::Causes => &mut self.causes,
            Field::Fixes => &mut self.fixes,
            Field::Lessons => &mut self.lessons,
        }
    }
}

/// Record ids are compared after this normalisation (SPEC.md, "Record ids"), so
/// `Post/April 9, 2007` and `post-april-9-2007` are the same incident.
pub fn normalize_id(raw: &str) -> String {
    let mut id = String::with_capacity(raw.len());
    let mut pending_dash = false;
    for c in raw.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            if pending_dash && !id.is_empty() {
                id.push('-');
            }
            pending_dash = false;
            id.push(c);
        } else {
            pending_dash = true;
        }
    }
    id
}

/// The id of a name `normalize_id` leaves nothing of (a name in another
/// script: `сбой`, `障害`): `post-` and a hash of the name, one per name.
pub fn hashed_id(name: &str) -> String {
    format!("post-{}", &blake3::hash(name.as_bytes()).to_hex()[..8])
}

#[cfg(test)]
mod tests {
    use super::normalize_id;

    #[test]
    fn ids_are_lowercased_and_dashed() {
        assert_eq!(
            normalize_id("april-9,-2007:-a-week-of-crazy-tech"),
            "april-9-2007-a-week-of-crazy-tech"
        );
        assert_eq!(normalize_id("--Hello  World!--"), "hello-world");
        assert_eq!(normalize_id("a / b"), "a-b");
        assert_eq!(normalize_id("ÉTÉ 2020"), "t-2020");
        assert_eq!(normalize_id("!!!"), "");
    }
}
