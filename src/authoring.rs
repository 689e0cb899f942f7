//! Writing postmortems: the template `pmkb new` writes, and the checks
//! `pmkb add` runs so an author hears what is missing before the post is
//! shared.

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::corpus::{self, Problem};
use crate::error::{Error, Result};
use crate::incident::{normalize_id, Incident};
use crate::parse;
use crate::pipeline::{self, Record};

/// The sections a good postmortem has, each with a one-line hint. The
/// hints are HTML comments: invisible when rendered and never extracted.
const SECTIONS: &[(&str, &str)] = &[
    (
        "Summary",
        "Two sentences: what broke, for whom, for how long, and why.",
    ),
    (
        "Symptoms / Impact",
        "What users and operators saw: errors, timeouts, alerts, with numbers.",
    ),
    (
        "Detection",
        "How we found out: which alert, which customer report, and when.",
    ),
    (
        "Root Cause",
        "Why it happened. Say it plainly: \"X failed because Y\".",
    ),
    (
        "Trigger",
        "What set it off: a deploy, a config change, a traffic spike.",
    ),
    (
        "Resolution",
        "What we did to stop the bleeding and to fix it for good.",
    ),
    ("Action Items", "- [ ] one line each, with an owner"),
    (
        "Lessons Learned",
        "What we would tell the next on-call engineer.",
    ),
];

/// How long `add` waits for another `add` into the same posts folder.
const ADD_WAIT: std::time::Duration = std::time::Duration::from_secs(60);

/// Held by one `pmkb add` into a posts folder from its checks to the end
/// of its import. Two adds of posts with the same id at once would each
/// find the id free, both copy their post, and both say "added", while the
/// import kept one of them; in turn, the second finds the first's post and
/// refuses. The lock file lives in the temporary folder, named by a hash
/// of the posts folder's path, so a team's posts folder (often a git
/// checkout) gets no file of ours; the operating system releases it when
/// the process ends, however it ends.
pub struct AddLock {
    _file: std::fs::File,
}

impl AddLock {
    /// Waits for another `add` into `posts_dir`, telling `waiting` once.
    pub fn take(posts_dir: &Path, waiting: impl FnOnce()) -> Result<AddLock> {
        // The same folder whichever way it is named; one not made yet by
        // where it will be.
        let folder = std::fs::canonicalize(posts_dir)
            .or_else(|_| std::path::absolute(posts_dir))
            .unwrap_or_else(|_| posts_dir.to_path_buf());
        let name = format!(
            "pmkb-add-{}.lock",
            &blake3::hash(folder.as_os_str().as_encoded_bytes()).to_hex()[..16]
        );
        let path = std::env::temp_dir().join(name);
        let io = |source| Error::Io {
            path: path.clone(),
            source,
        };
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io)?;
        let deadline = std::time::Instant::now() + ADD_WAIT;
        let mut waiting = Some(waiting);
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(AddLock { _file: file }),
                Err(std::fs::TryLockError::WouldBlock) if std::time::Instant::now() < deadline => {
                    if let Some(say) = waiting.take() {
                        say();
                    }
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                Err(std::fs::TryLockError::WouldBlock) => {
                    return Err(Error::AddBusy {
                        path: posts_dir.to_path_buf(),
                        seconds: ADD_WAIT.as_secs(),
                    })
                }
                Err(std::fs::TryLockError::Error(source)) => return Err(io(source)),
            }
        }
    }
}

/// Today's date as `YYYY-MM-DD` (UTC), without a calendar crate.
pub fn today() -> String {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() / 86_400)
        .unwrap_or(0) as i64;
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's
/// algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn yaml_string(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The longest slug of a new post's file name: a title may be a
/// paragraph, a file name may not.
const SLUG_CHARS: usize = 60;

/// A title as one line of text: a newline or escape typed into it would
/// break the front matter it is written into.
fn one_line(title: &str) -> String {
    title
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The id and file-name slug of a title: its normalised words, cut short
/// at a word; a title in another script than Latin (`障害`) is named by a
/// hash of itself. `None` when it has no letter or digit at all.
fn slug_of(title: &str) -> Option<String> {
    let mut slug = normalize_id(title);
    if slug.len() > SLUG_CHARS {
        let cut = slug[..SLUG_CHARS].rfind('-').unwrap_or(SLUG_CHARS);
        slug.truncate(cut);
    }
    if slug.is_empty() && title.chars().any(char::is_alphanumeric) {
        slug = crate::incident::hashed_id(title);
    }
    (!slug.is_empty()).then_some(slug)
}

/// The id `new_post` gives a post of this title.
pub fn id_for_title(title: &str) -> Option<String> {
    slug_of(&one_line(title))
}

/// The skeleton of a new postmortem.
pub fn template(title: &str, date: &str) -> String {
    let title = one_line(title);
    let title = title.as_str();
    let id = slug_of(title).unwrap_or_default();
    let mut text = format!(
        "---\nid: {id}\ntitle: {}\ndate: {date}\ntags: []\nservices: []\nseverity: SEV3\n---\n\n# {title}\n",
        yaml_string(title)
    );
    for (heading, hint) in SECTIONS {
        text.push_str(&format!("\n## {heading}\n\n<!-- {hint} -->\n"));
    }
    text
}

/// Writes a new postmortem skeleton as `<posts>/<date>-<slug>.md` and
/// returns its path. Never overwrites a file.
pub fn new_post(posts_dir: &Path, title: &str) -> Result<PathBuf> {
    let title = one_line(title);
    let title = title.as_str();
    let Some(slug) = slug_of(title) else {
        return Err(Error::Title("it needs at least one letter or digit".into()));
    };
    let date = today();
    std::fs::create_dir_all(posts_dir).map_err(|source| Error::Io {
        path: posts_dir.to_path_buf(),
        source,
    })?;
    let path = posts_dir.join(format!("{date}-{slug}.md"));
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|source| {
            if source.kind() == std::io::ErrorKind::AlreadyExists {
                Error::Io {
                    path: path.clone(),
                    source: std::io::Error::other(
                        "already exists; edit it, or choose another title",
                    ),
                }
            } else {
                Error::Io {
                    path: path.clone(),
                    source,
                }
            }
        })?;
    std::io::Write::write_all(&mut file, template(title, &date).as_bytes()).map_err(|source| {
        Error::Io {
            path: path.clone(),
            source,
        }
    })?;
    Ok(path)
}

/// What `pmkb add` found in one file.
#[derive(Debug)]
pub struct Checked {
    pub file: PathBuf,
    /// The file is already the post in the posts directory: nothing to copy.
    pub in_place: bool,
    /// The records of the file; empty when it was refused.
    pub records: Vec<Record>,
    /// Why the file cannot be added (nothing is copied).
    pub refusals: Vec<String>,
    /// What the author should add.
    pub advice: Vec<String>,
}

/// Advice for a record that is missing what readers look for.
pub fn advice_for(incident: &Incident) -> Vec<String> {
    let mut advice = Vec::new();
    if incident.symptoms.is_empty() {
        advice.push("no symptom found: add a 'Symptoms' or 'Impact' section, or a sentence saying what users saw".into());
    }
    if incident.causes.is_empty() {
        advice.push(
            "no cause found: add a 'Root Cause' section or a sentence saying why it happened"
                .into(),
        );
    }
    if incident.fixes.is_empty() {
        advice.push(
            "no fix found: add a 'Resolution' section or a sentence saying what was done".into(),
        );
    }
    if incident.date.is_none() {
        advice.push("no date found: add `date: YYYY-MM-DD` to the front matter".into());
    }
    advice
}

/// Checks one file for `pmkb add`: a file an import reads, titled,
/// extractable, and not clashing with a post already there. `holder_of`
/// names the file (relative to the posts directory) whose incident has an
/// id. With `force`, a post of the same file name is replaced; an incident
/// of another file is never replaced, since that would leave two posts
/// claiming one id.
pub fn check(
    file: &Path,
    posts_dir: &Path,
    holder_of: &dyn Fn(&str) -> Option<String>,
    force: bool,
) -> Checked {
    let mut checked = Checked {
        file: file.to_path_buf(),
        in_place: false,
        records: Vec::new(),
        refusals: Vec::new(),
        advice: Vec::new(),
    };
    let Some(name) = file.file_name() else {
        checked.refusals.push("not a file".into());
        return checked;
    };
    if let Some(reason) = corpus::why_not_a_post(file) {
        checked.refusals.push(reason.into());
        return checked;
    }
    let target = posts_dir.join(name);
    // `pmkb new` writes into the posts directory: adding that file indexes
    // it where it is (copying a file onto itself would empty it).
    checked.in_place = match (file.canonicalize(), target.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    let refuse = |p: &Problem| format!("line {}: {}", p.line, p.reason);
    let (config, config_problem) = Config::load_or_default(posts_dir);
    checked.advice.extend(config_problem.map(|p| p.to_string()));
    let corpus = corpus::load_files(&[file.to_path_buf()], posts_dir);
    checked.refusals.extend(corpus.problems.iter().map(refuse));
    for raw in &corpus.posts {
        match parse::parse(raw) {
            Ok(doc) if doc.title.is_none() => checked.refusals.push(format!(
                "line {}: no title: start the post with `# Title` or add `title:` to its front matter",
                raw.line
            )),
            Ok(_) => {}
            Err(problem) => checked.refusals.push(refuse(&problem)),
        }
    }
    if !checked.refusals.is_empty() {
        return checked;
    }
    let records = pipeline::extract_posts(&corpus.posts, &config);
    checked.refusals.extend(records.problems.iter().map(refuse));
    let target_source = name.to_string_lossy();
    for record in &records.records {
        let id = &record.extracted.incident.id;
        match holder_of(id) {
            Some(holder) if holder == target_source => {
                let replaces_itself = checked.in_place || force;
                if !replaces_itself {
                    checked.refusals.push(format!(
                        "an incident with id `{id}` already exists (use --force to replace it)"
                    ));
                }
            }
            Some(holder) => checked.refusals.push(format!(
                "the incident with id `{id}` comes from {}; change this post's id, or edit that file",
                posts_dir.join(holder).display()
            )),
            None => {}
        }
        checked
            .advice
            .extend(advice_for(&record.extracted.incident));
    }
    if !checked.in_place && target.exists() && !force {
        checked.refusals.push(format!(
            "{} already exists (use --force to replace it)",
            target.display()
        ));
    }
    checked.records = records.records;
    checked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_from_days() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(20_516), (2026, 3, 4));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }

    #[test]
    fn template_has_front_matter_and_sections() {
        let text = template("Disk \"full\" after deploy", "2026-01-02");
        assert!(text.starts_with("---\nid: disk-full-after-deploy\ntitle: \"Disk \\\"full\\\" after deploy\"\ndate: 2026-01-02\n"));
        for (heading, _) in SECTIONS {
            assert!(text.contains(&format!("## {heading}\n")));
        }
    }
}
