//! A deterministic synthetic postmortem corpus, for benchmarks:
//!
//! ```text
//! cargo run --release --example gen_corpus -- --posts N --seed S --out DIR \
//!     [--source DIR]... [--jsonl FILE] [--queries FILE]
//! ```
//!
//! Writes N posts as markdown files below DIR, in every input form of
//! SPEC.md, in about these shares:
//!
//! - 20% transcript files (`journal-*.txt`, 2-8 posts each, `$ cat post/<slug>.md`
//!   lines, a first line or a `Title:` line as title, bare-line section
//!   headings, or no sections at all: a first-person story);
//! - 30% template postmortems: YAML front matter (`id`, `title`, `date`,
//!   `tags`, `services`, `severity`) and `#`/`##` headings;
//! - 25% posts with other people's front matter (`uuid`, `start_time`,
//!   `end_time`, `categories`, `keywords`, `company`, `product`, `summary`)
//!   and heading-less prose;
//! - 25% plain notes: bullets, `**Symptom:**` labels, timelines, tables and
//!   code blocks.
//!
//! Vocabulary and shapes come from real posts: the sentences, titles,
//! headings, keywords, tables and code blocks of the `--source` folders
//! (default `posts` and `../shared/corpus/icco`, whichever exist), sorted so
//! that the same sources and seed always give the same corpus, byte for
//! byte. Each generated sentence is a source sentence of the same role
//! (symptom, cause, fix, lesson, scene), often spliced with another at a
//! shared word, with its numbers redrawn, its technologies swapped and its
//! service names replaced by the post's own (`ledger-api`, `pg-orders-03`),
//! so the vocabulary keeps growing with the corpus, as a real one does.
//!
//! Ids are unique across the corpus: each carries the post's number.
//!
//! `--jsonl FILE` also writes each post as `{"title": ..., "body": ...}` (the
//! post's text as written), one a line, for a plain tantivy index of the same
//! text. `--queries FILE` writes a fixed query mix (250 lines) drawn from the
//! generated symptom sentences and keywords; its first line is the "single
//! query" used against `rg`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use pmkb::extract::technologies;

// ---------------------------------------------------------------- random

/// SplitMix64: small, fast, and the same on every platform.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: usize) -> usize {
        assert!(n > 0);
        (self.next() % n as u64) as usize
    }
    /// Inclusive range.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    /// Skewed towards the front: a few items are common, most are rare.
    fn pick_skewed<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let u = self.unit();
        &items[((u * u * u) * items.len() as f64) as usize % items.len()]
    }
}

// ---------------------------------------------------------------- source pools

const SYMPTOM: usize = 0;
const CAUSE: usize = 1;
const FIX: usize = 2;
const LESSON: usize = 3;
const SCENE: usize = 4;
const CLASSES: usize = 5;

#[derive(Default)]
struct Pools {
    /// Sentences by role.
    sentences: [Vec<String>; CLASSES],
    /// Headings seen in the sources, by role (bare lines and `#` headings).
    headings: [BTreeSet<String>; CLASSES],
    titles: BTreeSet<String>,
    keywords: BTreeSet<String>,
    categories: BTreeSet<String>,
    companies: BTreeSet<String>,
    products: BTreeSet<String>,
    /// Single-word technology names as written in the sources (`Redis`, `nginx`).
    tech: BTreeSet<String>,
    /// Lowercase content words, stems for service names.
    stems: BTreeSet<String>,
    tables: Vec<String>,
    code: Vec<String>,
    /// Timeline entries without their time.
    timeline: Vec<String>,
}

/// The same pools as vectors, for picking.
struct Vocab {
    sentences: [Vec<String>; CLASSES],
    /// Per role: word → sentences containing it at a splice-able position.
    headings: [Vec<String>; CLASSES],
    titles: Vec<String>,
    keywords: Vec<String>,
    categories: Vec<String>,
    companies: Vec<String>,
    products: Vec<String>,
    tech: Vec<String>,
    tech_set: HashMap<String, ()>,
    stems: Vec<String>,
    tables: Vec<String>,
    code: Vec<String>,
    timeline: Vec<String>,
}

const STOP: &[&str] = &[
    "a", "an", "the", "and", "or", "of", "to", "in", "on", "at", "by", "for", "with", "from", "is",
    "was", "were", "are", "be", "it", "its", "this", "that", "after", "when", "while", "our", "we",
    "my", "i", "as", "but", "not", "no", "so", "had", "has", "have", "been", "into", "than",
    "then", "there", "their", "they", "which", "who", "what", "all", "any", "one", "two", "out",
    "up", "more", "most", "some", "also", "only", "just", "about", "over", "did", "do", "does",
    "would", "could", "should", "can", "will", "each", "every", "other", "same", "these", "those",
    "them", "his", "her", "he", "she", "you", "your", "us", "me", "if", "because", "before",
    "during", "until", "again", "still", "very", "much", "many", "few", "new", "once", "where",
    "how", "why", "per", "via", "off", "down", "under", "between", "through", "without", "within",
    "like", "being", "even", "back", "first", "next", "last", "time", "got", "get", "made", "make",
];

fn is_stop(word: &str) -> bool {
    STOP.contains(&word)
}

fn heading_class(heading: &str) -> Option<usize> {
    let h = heading.to_lowercase();
    let any = |words: &[&str]| words.iter().any(|w| h.contains(w));
    if any(&[
        "lesson",
        "learn",
        "reflection",
        "takeaway",
        "went well",
        "lucky",
    ]) {
        Some(LESSON)
    } else if any(&[
        "cause",
        "trigger",
        "contribut",
        "why",
        "eureka",
        "analysis",
        "went wrong",
        "culprit",
        "going on",
        "investigation",
        "digging",
        "diagnos",
    ]) {
        Some(CAUSE)
    } else if any(&[
        "resolution",
        "fix",
        "mitigation",
        "remediation",
        "recovery",
        "action",
        "what we did",
        "follow",
        "solution",
        "workaround",
        "prevention",
        "changed",
        "next step",
    ]) {
        Some(FIX)
    } else if any(&[
        "impact",
        "symptom",
        "what happened",
        "issue",
        "problem",
        "detection",
        "broke",
        "outage",
        "observed",
    ]) {
        Some(SYMPTOM)
    } else if any(&[
        "summary",
        "timeline",
        "background",
        "context",
        "setup",
        "note",
    ]) {
        Some(SCENE)
    } else {
        None
    }
}

/// The role of a sentence found outside any telling section, by its words.
fn cue_class(sentence: &str) -> usize {
    let s = sentence.to_lowercase();
    let any = |words: &[&str]| words.iter().any(|w| s.contains(w));
    if any(&[
        "lesson",
        "learned",
        "we now ",
        "going forward",
        "in hindsight",
        "taught",
        "in the future",
        "we will ",
        "should have",
        "reminder",
        "the takeaway",
        "we learned",
        "we realized",
    ]) {
        LESSON
    } else if any(&[
        "because",
        "caused",
        "due to",
        "root cause",
        "triggered",
        "bug in",
        "misconfig",
        "turned out",
        "the reason",
        "was set to",
        "had no ",
        "leak",
    ]) {
        CAUSE
    } else if any(&[
        "rolled back",
        "restarted",
        "we fixed",
        "fixed",
        "we added",
        "raised",
        "mitigat",
        "reverted",
        "we moved",
        "switched",
        "we changed",
        "deployed a",
        "patched",
        "we set",
        "scaled",
        "we removed",
        "increased",
        "now alert",
        "resolved",
        "restored",
        "rollback",
        "roll back",
        "implemented",
        "migrated",
        "upgraded",
        "replaced",
        "disabled",
        "purged",
        "the fix",
        "added a",
        "added an",
        "to prevent",
        "mitigation",
        "recovered",
        "workaround",
    ]) {
        FIX
    } else if any(&[
        "error",
        "timeout",
        "timed out",
        "fail",
        "latency",
        "5xx",
        "500",
        "503",
        "502",
        "alert",
        "unavailable",
        "slow",
        "crash",
        "paged",
        "down",
        "spike",
        "dropped",
        "lag",
        "oom",
        "refused",
        "stalled",
    ]) {
        SYMPTOM
    } else {
        SCENE
    }
}

/// Splits prose into sentences at `. `, `! ` and `? ` before a capital,
/// a digit or a backtick.
fn sentences_of(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if matches!(c, '.' | '!' | '?')
            && i + 2 < chars.len()
            && chars[i + 1] == ' '
            && (chars[i + 2].is_uppercase() || chars[i + 2].is_ascii_digit() || chars[i + 2] == '`')
        {
            let piece: String = chars[start..=i].iter().collect();
            let last_word = piece
                .trim_end_matches(['.', '!', '?'])
                .rsplit(' ')
                .next()
                .unwrap_or("");
            let abbreviation =
                ["e.g", "i.e", "vs", "etc", "approx", "Mr", "Dr", "St", "No"].contains(&last_word);
            if !abbreviation {
                out.push(piece.trim().to_string());
                start = i + 2;
                i += 2;
                continue;
            }
        }
        i += 1;
    }
    let rest: String = chars[start..].iter().collect();
    if !rest.trim().is_empty() {
        out.push(rest.trim().to_string());
    }
    out
}

fn strip_quotes(value: &str) -> String {
    value
        .trim()
        .trim_matches('"')
        .trim_matches('\'')
        .trim()
        .to_string()
}

/// A bare line heading: short, no final punctuation, not a list item.
fn is_bare_heading(line: &str) -> bool {
    let t = line.trim();
    !t.is_empty()
        && t.len() <= 40
        && t.split_whitespace().count() <= 5
        && !t.ends_with(['.', ',', ':', ';', '!', '?', ')'])
        && t.chars().next().is_some_and(char::is_uppercase)
        && !t.starts_with(['-', '*', '|', '#', '`', '$'])
}

impl Pools {
    fn add_sentence(&mut self, class: Option<usize>, text: &str) {
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for s in sentences_of(&text) {
            let words = s.split(' ').count();
            if !(5..=60).contains(&words) || s.len() > 420 {
                continue;
            }
            let class = match class {
                Some(SCENE) | None => cue_class(&s),
                Some(c) => c,
            };
            for word in s.split(|c: char| !c.is_alphanumeric() && c != '.') {
                let w = word.trim_matches('.');
                if w.is_empty() {
                    continue;
                }
                if technologies::canonical(w).is_some() && !w.contains('.') && w.len() > 1 {
                    self.tech.insert(w.to_string());
                }
                let lower = w.to_lowercase();
                if lower.len() >= 4
                    && lower.len() <= 10
                    && lower.chars().all(|c| c.is_ascii_lowercase())
                    && !is_stop(&lower)
                {
                    self.stems.insert(lower);
                }
            }
            self.sentences[class].push(s);
        }
    }

    fn add_file(&mut self, text: &str, transcript: bool) {
        let mut lines: Vec<&str> = text.lines().collect();
        // Front matter.
        if lines.first().is_some_and(|l| l.trim() == "---") {
            if let Some(end) = lines.iter().skip(1).position(|l| l.trim() == "---") {
                let mut list_key = String::new();
                for line in &lines[1..end + 1] {
                    if let Some(item) = line.trim_start().strip_prefix("- ") {
                        let item = strip_quotes(item);
                        match list_key.as_str() {
                            "keywords" | "tags" => {
                                self.keywords.insert(item.to_lowercase());
                            }
                            "categories" => {
                                self.categories.insert(item.to_lowercase());
                            }
                            _ => {}
                        }
                        continue;
                    }
                    let Some((key, value)) = line.split_once(':') else {
                        continue;
                    };
                    let key = key.trim();
                    list_key = key.to_string();
                    let value = value.trim();
                    let inline_list = || {
                        value
                            .trim_start_matches('[')
                            .trim_end_matches(']')
                            .split(',')
                            .map(strip_quotes)
                            .filter(|v| !v.is_empty())
                            .collect::<Vec<_>>()
                    };
                    match key {
                        "title" => {
                            self.titles.insert(strip_quotes(value));
                        }
                        "company" if !value.is_empty() => {
                            self.companies.insert(strip_quotes(value));
                        }
                        "product" if !value.is_empty() => {
                            self.products.insert(strip_quotes(value));
                        }
                        "summary" => self.add_sentence(None, &strip_quotes(value)),
                        "tags" | "keywords" if value.starts_with('[') => {
                            for v in inline_list() {
                                self.keywords.insert(v.to_lowercase());
                            }
                        }
                        _ => {}
                    }
                }
                lines.drain(..end + 2);
            }
        }
        let mut class: Option<usize> = None;
        let mut in_code = false;
        let mut code = String::new();
        let mut table = String::new();
        let mut expect_title = false;
        let mut first_text = true;
        for (i, raw) in lines.iter().enumerate() {
            let line = raw.trim_end();
            if line.trim_start().starts_with("```") {
                if in_code {
                    if code.lines().count() <= 30 && !code.trim().is_empty() {
                        self.code.push(code.clone());
                    }
                    code.clear();
                }
                in_code = !in_code;
                continue;
            }
            if in_code {
                code.push_str(line);
                code.push('\n');
                continue;
            }
            if line.starts_with('|') {
                table.push_str(line);
                table.push('\n');
                continue;
            } else if !table.is_empty() {
                if table.lines().count() >= 3 {
                    self.tables.push(std::mem::take(&mut table));
                }
                table.clear();
            }
            let t = line.trim();
            if t.is_empty() {
                continue;
            }
            if t.starts_with("$ cat ") {
                expect_title = true;
                class = None;
                continue;
            }
            if expect_title {
                self.titles.insert(t.to_string());
                expect_title = false;
                continue;
            }
            if let Some(title) = t.strip_prefix("Title:") {
                self.titles.insert(title.trim().to_string());
                continue;
            }
            if let Some(h) = t.strip_prefix('#') {
                let h = h.trim_start_matches('#').trim();
                if t.starts_with("# ") && first_text {
                    self.titles.insert(h.to_string());
                } else if let Some(c) = heading_class(h) {
                    self.headings[c].insert(h.to_string());
                }
                class = heading_class(h);
                first_text = false;
                continue;
            }
            first_text = false;
            let next_is_text = lines.get(i + 1).is_some_and(|n| !n.trim().is_empty());
            if transcript && is_bare_heading(t) && next_is_text {
                if let Some(c) = heading_class(t) {
                    self.headings[c].insert(t.to_string());
                }
                class = heading_class(t);
                continue;
            }
            // Labels: **Symptom:** text
            let mut body = t;
            let mut local = class;
            if let Some(rest) = body.strip_prefix("**") {
                if let Some((label, after)) = rest.split_once("**") {
                    if let Some(c) = heading_class(label.trim_end_matches(':')) {
                        local = Some(c);
                    }
                    body = after.trim();
                }
            }
            let bullet = body.starts_with("- ") || body.starts_with("* ");
            let body = body.trim_start_matches(['-', '*', ' ']);
            // Timeline entries: "10:12 pg-main-01 kernel panic"
            if bullet && body.len() > 5 && body.as_bytes()[2] == b':' {
                let event = body[5..].trim().trim_start_matches(['U', 'T', 'C']).trim();
                if event.split(' ').count() >= 3 {
                    self.timeline.push(event.to_string());
                }
                continue;
            }
            self.add_sentence(local, body);
        }
    }

    fn into_vocab(mut self) -> Vocab {
        const DEFAULT_HEADINGS: [&[&str]; CLASSES] = [
            &[
                "The Issue",
                "The Problem",
                "What Broke",
                "Impact",
                "Detection",
            ],
            &[
                "The Eureka Moment",
                "Root Cause",
                "Digging In",
                "Why",
                "Contributing Factors",
            ],
            &[
                "The Fix",
                "Resolution",
                "Mitigation",
                "What We Did",
                "Action Items",
            ],
            &["The Reflection", "Lessons Learned", "What We Learned"],
            &["Background", "Summary", "Timeline"],
        ];
        for (class, names) in DEFAULT_HEADINGS.iter().enumerate() {
            if self.headings[class].len() < 3 {
                self.headings[class].extend(names.iter().map(|s| s.to_string()));
            }
        }
        if self.tech.is_empty() {
            self.tech
                .extend(["Redis", "MySQL", "Kafka", "nginx", "Kubernetes"].map(String::from));
        }
        if self.code.is_empty() {
            self.code.push("java.net.SocketTimeoutException: Read timed out\n\tat java.net.SocketInputStream.socketRead0(Native Method)\n".into());
        }
        if self.companies.is_empty() {
            self.companies.insert("Acme".into());
        }
        if self.products.is_empty() {
            self.products.insert("web app".into());
        }
        if self.categories.is_empty() {
            self.categories
                .extend(["cloud", "config-change"].map(String::from));
        }
        let vec = |s: BTreeSet<String>| s.into_iter().collect::<Vec<_>>();
        let tech = vec(self.tech);
        let tech_set = tech.iter().map(|t| (t.to_lowercase(), ())).collect();
        let headings = self.headings.map(vec);
        Vocab {
            sentences: self.sentences,
            headings,
            titles: vec(self.titles),
            keywords: vec(self.keywords),
            categories: vec(self.categories),
            companies: vec(self.companies),
            products: vec(self.products),
            tech,
            tech_set,
            stems: vec(self.stems),
            tables: self.tables,
            code: self.code,
            timeline: self.timeline,
        }
    }
}

fn load_sources(dirs: &[PathBuf]) -> Result<Vocab> {
    let mut pools = Pools::default();
    let mut files = 0;
    for dir in dirs {
        if !dir.is_dir() {
            eprintln!("gen_corpus: source {} not found, skipped", dir.display());
            continue;
        }
        for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
            let entry = entry?;
            let path = entry.path();
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            let stem = path.file_stem().and_then(|e| e.to_str()).unwrap_or("");
            if !entry.file_type().is_file()
                || !["md", "txt", "markdown"].contains(&ext)
                || stem.eq_ignore_ascii_case("readme")
                || stem.eq_ignore_ascii_case("license")
            {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(path) else {
                continue;
            };
            pools.add_file(&text, text.contains("$ cat post/") || ext == "txt");
            files += 1;
        }
    }
    for class in &mut pools.sentences {
        class.sort();
        class.dedup();
    }
    if pools.sentences.iter().any(Vec::is_empty) {
        bail!(
            "the sources ({}) gave too few sentences of some role; pass --source with postmortems",
            dirs.iter()
                .map(|d| d.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let vocab = pools.into_vocab();
    eprintln!(
        "gen_corpus: {files} source files: {} symptom, {} cause, {} fix, {} lesson, {} scene sentences; {} titles, {} keywords, {} technologies, {} tables, {} code blocks",
        vocab.sentences[SYMPTOM].len(),
        vocab.sentences[CAUSE].len(),
        vocab.sentences[FIX].len(),
        vocab.sentences[LESSON].len(),
        vocab.sentences[SCENE].len(),
        vocab.titles.len(),
        vocab.keywords.len(),
        vocab.tech.len(),
        vocab.tables.len(),
        vocab.code.len(),
    );
    Ok(vocab)
}

// ---------------------------------------------------------------- generation

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const SUFFIXES: [&str; 14] = [
    "api",
    "worker",
    "gateway",
    "db",
    "cache",
    "scheduler",
    "ingest",
    "proxy",
    "queue",
    "search",
    "auth",
    "web",
    "billing",
    "sync",
];
const TEAMS: [&str; 10] = [
    "platform", "sre", "payments", "search", "data", "identity", "storage", "edge", "mobile",
    "growth",
];
const NAMES: [&str; 16] = [
    "Lena", "Tomasz", "Priya", "Marcus", "Aiko", "Diego", "Fatima", "Jonas", "Chen", "Olga",
    "Samir", "Ruth", "Kwame", "Ines", "Pavel", "Maya",
];

/// What one post is about: kept across its sentences so it reads as one
/// incident.
struct Ctx {
    year: usize,
    month: usize,
    day: usize,
    services: Vec<String>,
    tech: Vec<String>,
    keywords: Vec<String>,
}

impl Ctx {
    fn date(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
    fn long_date(&self) -> String {
        format!("{} {}, {}", MONTHS[self.month - 1], self.day, self.year)
    }
}

struct Post {
    title: String,
    text: String,
}

struct Gen<'a> {
    v: &'a Vocab,
    rng: Rng,
    /// A sample of the symptom sentences written, for the query mix.
    symptom_sample: Vec<String>,
    symptoms_written: usize,
}

fn is_service_token(word: &str) -> bool {
    let parts: Vec<&str> = word.split('-').collect();
    parts.len() >= 2
        && parts[0].len() >= 2
        && parts[0].chars().all(|c| c.is_ascii_lowercase())
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
        && parts
            .iter()
            .any(|p| SUFFIXES.contains(p) || p.chars().all(|c| c.is_ascii_digit()))
}

impl<'a> Gen<'a> {
    fn ctx(&mut self) -> Ctx {
        let v = self.v;
        let r = &mut self.rng;
        let mut services = Vec::new();
        for _ in 0..r.range(1, 3) {
            let stem = r.pick(&v.stems).clone();
            let name = if r.chance(0.25) {
                format!("{stem}-{}-{:02}", r.pick(&SUFFIXES), r.range(1, 12))
            } else {
                format!("{stem}-{}", r.pick(&SUFFIXES))
            };
            services.push(name);
        }
        let tech = (0..r.range(2, 4))
            .map(|_| r.pick_skewed(&v.tech).clone())
            .collect::<Vec<_>>();
        let mut keywords: Vec<String> = (0..r.range(2, 6))
            .map(|_| r.pick(&v.keywords).clone())
            .collect();
        keywords.extend(tech.iter().map(|t| t.to_lowercase()));
        keywords.sort();
        keywords.dedup();
        Ctx {
            year: r.range(2008, 2025),
            month: r.range(1, 12),
            day: r.range(1, 28),
            services,
            tech,
            keywords,
        }
    }

    /// A new sentence of the given role.
    fn sentence(&mut self, class: usize, ctx: &Ctx) -> String {
        let v: &'a Vocab = self.v;
        let pool = &v.sentences[class];
        let base = self.rng.pick(pool);
        let mut words: Vec<&str> = base.split(' ').collect();
        // Splice with another sentence of the same role at a shared word.
        if self.rng.chance(0.5) && words.len() > 6 {
            'tries: for _ in 0..6 {
                let other = self.rng.pick(pool);
                let other_words: Vec<&str> = other.split(' ').collect();
                if other_words.len() < 5 {
                    continue;
                }
                let at: HashMap<&str, usize> = other_words[1..other_words.len() - 2]
                    .iter()
                    .enumerate()
                    .filter(|(_, w)| w.len() >= 4 && !is_stop(w))
                    .map(|(i, w)| (*w, i + 1))
                    .collect();
                for i in 2..words.len() - 2 {
                    if let Some(&j) = at.get(words[i]) {
                        let spliced: Vec<&str> = words[..i]
                            .iter()
                            .chain(&other_words[j..])
                            .copied()
                            .collect();
                        if spliced.len() <= 60 {
                            words = spliced;
                            break 'tries;
                        }
                    }
                }
            }
        }
        let mut out = String::with_capacity(base.len() + 16);
        for (i, word) in words.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(&self.mutate_word(word, ctx));
        }
        if class == SYMPTOM {
            self.symptoms_written += 1;
            if self.symptoms_written.is_multiple_of(7) && self.symptom_sample.len() < 6000 {
                self.symptom_sample.push(out.clone());
            }
        }
        out
    }

    fn mutate_word(&mut self, word: &str, ctx: &Ctx) -> String {
        let core_start = word
            .find(|c: char| c.is_alphanumeric())
            .unwrap_or(word.len());
        let core_end = word
            .rfind(|c: char| c.is_alphanumeric())
            .map_or(core_start, |i| {
                i + word[i..].chars().next().map_or(1, char::len_utf8)
            })
            .max(core_start);
        let (pre, core, post) = (
            &word[..core_start],
            &word[core_start..core_end],
            &word[core_end..],
        );
        if core.is_empty() {
            return word.to_string();
        }
        let r = &mut self.rng;
        if let Some(redrawn) = redraw_number(core, r) {
            return format!("{pre}{redrawn}{post}");
        }
        if core.chars().any(|c| c.is_ascii_digit()) && r.chance(0.7) {
            // Redraw digits, keeping the shape (10:12, 4.5 GB, 503 stays 5xx).
            let keep_first = core.len() == 3 && core.chars().all(|c| c.is_ascii_digit());
            let mut first = true;
            let core: String = core
                .chars()
                .map(|c| {
                    let was_first = first;
                    if c.is_ascii_digit() {
                        first = false;
                    }
                    if c.is_ascii_digit() && !(keep_first && was_first) {
                        let d = r.below(10) as u8;
                        let d = if was_first && d == 0 { 1 } else { d };
                        (b'0' + d) as char
                    } else {
                        c
                    }
                })
                .collect();
            return format!("{pre}{core}{post}");
        }
        if self.v.tech_set.contains_key(&core.to_lowercase()) && r.chance(0.5) {
            let tech = if r.chance(0.7) {
                r.pick(&ctx.tech).clone()
            } else {
                r.pick_skewed(&self.v.tech).clone()
            };
            return format!("{pre}{tech}{post}");
        }
        if is_service_token(core) && r.chance(0.85) {
            return format!("{pre}{}{post}", r.pick(&ctx.services));
        }
        word.to_string()
    }

    fn paragraph(&mut self, class: usize, ctx: &Ctx, lo: usize, hi: usize) -> String {
        let n = self.rng.range(lo, hi);
        (0..n)
            .map(|_| self.sentence(class, ctx))
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn title(&mut self, ctx: &Ctx) -> String {
        let r = &mut self.rng;
        let base = r.pick(&self.v.titles).clone();
        let mut title = base.clone();
        if r.chance(0.5) {
            let other = r.pick(&self.v.titles).clone();
            for joint in [
                " after ", " during ", " causes ", ": ", " from ", " on ", " in ",
            ] {
                if let (Some(a), Some(b)) = (base.find(joint), other.find(joint)) {
                    title = format!("{}{}", &base[..a], &other[b..]);
                    break;
                }
            }
        }
        let words: Vec<String> = title.split(' ').map(|w| self.mutate_word(w, ctx)).collect();
        words.join(" ")
    }

    fn heading(&mut self, class: usize) -> String {
        self.rng.pick(&self.v.headings[class]).clone()
    }

    fn slug(text: &str, n: usize) -> String {
        let mut slug = String::new();
        for word in text
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .take(8)
        {
            if !slug.is_empty() {
                slug.push('-');
            }
            slug.push_str(&word.to_lowercase());
        }
        format!("{slug}-p{n}")
    }

    fn bullet_time(&mut self) -> String {
        format!("{:02}:{:02}", self.rng.range(0, 23), self.rng.range(0, 59))
    }

    /// A transcript post: `$ cat post/<slug>.md`, title, body with bare-line
    /// headings or none.
    fn transcript_post(&mut self, n: usize) -> Post {
        let ctx = self.ctx();
        let mut title = self.title(&ctx);
        let mut text = String::new();
        let haiku = self.rng.chance(0.25);
        let first_line = if haiku {
            (0..3)
                .map(|_| {
                    let s = self.sentence(SYMPTOM, &ctx).to_lowercase();
                    s.split(' ')
                        .take(self.rng.range(3, 6))
                        .collect::<Vec<_>>()
                        .join(" ")
                        .trim_end_matches([',', '.', ';', ':'])
                        .to_string()
                })
                .collect::<Vec<_>>()
                .join(" / ")
        } else if self.rng.chance(0.5) {
            title = format!("{}: {title}", ctx.long_date());
            title.clone()
        } else {
            title.clone()
        };
        let slug = if haiku || self.rng.chance(0.3) {
            format!("{}-p{n}", first_line.to_lowercase().replace(' ', "-"))
        } else {
            Self::slug(&title, n)
        };
        let _ = writeln!(text, "{first_line}");
        if haiku || self.rng.chance(0.15) {
            let _ = writeln!(text, "Title: {title}");
        }
        let mut intro = format!("{}. ", ctx.long_date());
        intro.push_str(&self.paragraph(SCENE, &ctx, 2, 4));
        let _ = writeln!(text, "{intro}");
        if self.rng.chance(0.6) {
            for class in [SYMPTOM, CAUSE, FIX, LESSON] {
                if class == LESSON && self.rng.chance(0.4) {
                    continue;
                }
                let heading = self.heading(class);
                let _ = writeln!(text, "{heading}");
                for _ in 0..self.rng.range(1, 2) {
                    let p = self.paragraph(class, &ctx, 2, 4);
                    let _ = writeln!(text, "{p}");
                }
            }
        } else {
            // A story: symptoms, scene, causes, fixes, a reflection.
            for class in [SYMPTOM, SCENE, CAUSE, CAUSE, FIX, LESSON] {
                let p = self.paragraph(class, &ctx, 1, 4);
                let _ = writeln!(text, "{p}");
            }
        }
        let post = format!("$ cat post/{slug}.md\n{text}");
        Post { title, text: post }
    }

    /// YAML front matter with our keys and `#`/`##` template headings.
    fn template_post(&mut self, n: usize) -> (String, Post) {
        let ctx = self.ctx();
        let title = self.title(&ctx);
        let id = Self::slug(&title, n);
        let mut t = String::new();
        let _ = writeln!(t, "---\nid: {id}");
        let _ = writeln!(t, "title: {}", yaml_string(&title));
        let _ = writeln!(t, "date: {}", ctx.date());
        let _ = writeln!(t, "tags: [{}]", ctx.keywords.join(", "));
        let _ = writeln!(t, "services: [{}]", ctx.services.join(", "));
        let _ = writeln!(t, "severity: SEV{}\n---\n", self.rng.range(1, 3));
        let _ = writeln!(t, "# {title}\n");
        let _ = writeln!(t, "## Summary\n");
        let mut summary = self.sentence(SCENE, &ctx);
        for class in [SYMPTOM, CAUSE, FIX] {
            summary.push(' ');
            summary.push_str(&self.sentence(class, &ctx));
        }
        let _ = writeln!(t, "{summary}\n");
        let sections: [(&str, usize, bool); 9] = [
            ("Impact", SYMPTOM, true),
            ("Detection", SYMPTOM, false),
            ("Timeline", SCENE, true),
            ("Root Cause", CAUSE, false),
            ("Contributing Factors", CAUSE, true),
            ("Resolution", FIX, false),
            ("Action Items", FIX, true),
            ("Lessons Learned", LESSON, true),
            ("Trigger", CAUSE, false),
        ];
        for (i, (name, class, bullets)) in sections.iter().enumerate() {
            let keep = match *name {
                "Root Cause" | "Resolution" | "Impact" => true,
                "Trigger" => self.rng.chance(0.2),
                _ => self.rng.chance(0.6),
            };
            if !keep {
                continue;
            }
            let name = if i == 5 && self.rng.chance(0.3) {
                "Mitigation"
            } else {
                name
            };
            let _ = writeln!(t, "## {name}\n");
            if name == "Timeline" {
                for _ in 0..self.rng.range(3, 7) {
                    let time = self.bullet_time();
                    let event = if !self.v.timeline.is_empty() && self.rng.chance(0.5) {
                        let e = self.rng.pick(&self.v.timeline).clone();
                        e.split(' ')
                            .map(|w| self.mutate_word(w, &ctx))
                            .collect::<Vec<_>>()
                            .join(" ")
                    } else {
                        let class = *self.rng.pick(&[SYMPTOM, FIX, CAUSE]);
                        self.sentence(class, &ctx)
                    };
                    let _ = writeln!(t, "- {time} {event}");
                }
            } else if *bullets {
                for _ in 0..self.rng.range(2, 5) {
                    let s = self.sentence(*class, &ctx);
                    if name == "Action Items" {
                        let team = self.rng.pick(&TEAMS);
                        let _ = writeln!(t, "- {s} (owner: {team})");
                    } else {
                        let _ = writeln!(t, "- {s}");
                    }
                }
            } else {
                for _ in 0..self.rng.range(1, 2) {
                    let p = self.paragraph(*class, &ctx, 2, 5);
                    let _ = writeln!(t, "{p}\n");
                }
            }
            t.push('\n');
        }
        let file = format!("{}-{}.md", ctx.date(), id);
        (file, Post { title, text: t })
    }

    /// Someone else's front matter (uuid, start_time, keywords, company...)
    /// over heading-less prose.
    fn foreign_post(&mut self, n: usize) -> (String, Post) {
        let ctx = self.ctx();
        let r = &mut self.rng;
        let company = r.pick(&self.v.companies).clone();
        let product = r.pick(&self.v.products).clone();
        let uuid = format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            r.next() as u32,
            r.next() as u16,
            r.next() as u16 & 0xfff,
            (r.next() as u16 & 0x3fff) | 0x8000,
            n
        );
        let categories: Vec<String> = (0..r.range(1, 3))
            .map(|_| r.pick(&self.v.categories).clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let title = if self.rng.chance(0.5) {
            format!("{company}: {}", self.title(&ctx))
        } else {
            self.title(&ctx)
        };
        let start_h = self.rng.range(0, 20);
        let start_m = self.rng.range(0, 59);
        let mut summary = self.sentence(SYMPTOM, &ctx);
        summary.push(' ');
        summary.push_str(&self.sentence(CAUSE, &ctx));
        summary.push(' ');
        summary.push_str(&self.sentence(FIX, &ctx));
        let mut t = String::new();
        let _ = writeln!(t, "---\nuuid: {uuid}");
        let _ = writeln!(t, "title: {}", yaml_string(&title));
        let _ = writeln!(
            t,
            "start_time: {}T{start_h:02}:{start_m:02}:00Z",
            ctx.date()
        );
        let _ = writeln!(
            t,
            "end_time: {}T{:02}:{start_m:02}:00Z",
            ctx.date(),
            start_h + self.rng.range(1, 3)
        );
        let _ = writeln!(t, "categories:");
        for c in &categories {
            let _ = writeln!(t, "- {c}");
        }
        let _ = writeln!(t, "keywords:");
        for k in &ctx.keywords {
            let _ = writeln!(t, "- {}", yaml_string(k));
        }
        let _ = writeln!(t, "company: {}", yaml_string(&company));
        let _ = writeln!(t, "product: {}", yaml_string(&product));
        let _ = writeln!(t, "summary: {}\n\n---\n", yaml_string(&summary));
        let mut plan = vec![SYMPTOM, CAUSE];
        if self.rng.chance(0.5) {
            plan.push(CAUSE);
        }
        if self.rng.chance(0.3) {
            plan.push(SCENE);
        }
        plan.push(FIX);
        if self.rng.chance(0.5) {
            plan.push(FIX);
        }
        if self.rng.chance(0.3) {
            plan.push(LESSON);
        }
        for (i, class) in plan.into_iter().enumerate() {
            let mut p = self.paragraph(class, &ctx, 2, 5);
            if i == 0 {
                p = format!("On {}, {p}", ctx.long_date());
            }
            let _ = writeln!(t, "{p}\n");
        }
        (format!("{uuid}.md"), Post { title, text: t })
    }

    /// Plain notes: bullets, labels, a table, a code block.
    fn notes_post(&mut self, n: usize) -> (String, Post) {
        let ctx = self.ctx();
        let title = self.title(&ctx);
        let stem = format!("notes-{}-{}", ctx.date(), Self::slug(&title, n));
        let mut t = String::new();
        let _ = writeln!(t, "# {title}\n");
        let team = self.rng.pick(&TEAMS);
        let (a, b) = (self.rng.pick(&NAMES), self.rng.pick(&NAMES));
        let _ = writeln!(
            t,
            "{}. {} team, {}. Written up by {a} and {b}.\n",
            ctx.long_date(),
            team,
            ctx.services.join(", ")
        );
        if self.rng.chance(0.4) {
            let _ = writeln!(t, "**Symptom:** {}", self.sentence(SYMPTOM, &ctx));
            let _ = writeln!(t, "**Cause:** {}", self.sentence(CAUSE, &ctx));
            let _ = writeln!(t, "**Fix:** {}\n", self.sentence(FIX, &ctx));
        }
        let heads = [
            ("What happened", SYMPTOM),
            ("Why", CAUSE),
            ("What we did", FIX),
            ("Note", LESSON),
        ];
        for (i, (head, class)) in heads.iter().enumerate() {
            if i == 3 && self.rng.chance(0.5) {
                continue;
            }
            let _ = writeln!(t, "## {head}\n");
            for _ in 0..self.rng.range(2, 5) {
                let s = self.sentence(*class, &ctx);
                if i == 0 && self.rng.chance(0.5) {
                    let time = self.bullet_time();
                    let _ = writeln!(t, "- {time} UTC {s}");
                } else {
                    let _ = writeln!(t, "- {s}");
                }
            }
            t.push('\n');
            if i == 0 && !self.v.tables.is_empty() && self.rng.chance(0.35) {
                let table = self.rng.pick(&self.v.tables).clone();
                for line in table.lines() {
                    let cells: Vec<String> =
                        line.split(' ').map(|w| self.mutate_word(w, &ctx)).collect();
                    let _ = writeln!(t, "{}", cells.join(" "));
                }
                t.push('\n');
            }
            if i <= 1 && self.rng.chance(0.3) {
                let code = self.rng.pick(&self.v.code).clone();
                let _ = writeln!(t, "```");
                for line in code.lines() {
                    let words: Vec<String> =
                        line.split(' ').map(|w| self.mutate_word(w, &ctx)).collect();
                    let _ = writeln!(t, "{}", words.join(" "));
                }
                let _ = writeln!(t, "```\n");
            }
        }
        (format!("{stem}.md"), Post { title, text: t })
    }
}

/// Times, years and small numbers keep a plausible value when redrawn.
fn redraw_number(core: &str, r: &mut Rng) -> Option<String> {
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    if let Some((h, m)) = core.split_once(':') {
        if digits(h) && h.len() <= 2 && m.len() == 2 && digits(m) {
            return Some(format!(
                "{:0w$}:{:02}",
                r.range(0, 23),
                r.range(0, 59),
                w = h.len()
            ));
        }
    }
    if !digits(core) {
        return None;
    }
    let value: u64 = core.parse().ok()?;
    if core.len() == 4 && (1990..=2030).contains(&value) {
        return Some(r.range(2005, 2025).to_string());
    }
    if core.len() <= 2 {
        return Some(if r.chance(0.5) {
            core.to_string()
        } else if value <= 31 {
            r.range(1, 28).to_string()
        } else {
            r.range(10, 99).to_string()
        });
    }
    None
}

fn yaml_string(s: &str) -> String {
    if s.contains([
        ':', '#', '"', '\'', '[', ']', '{', '}', ',', '&', '*', '!', '|', '>', '%', '@', '`',
    ]) || s.starts_with(['-', '?', ' '])
        || s.trim().is_empty()
    {
        format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
    } else {
        s.to_string()
    }
}

// ---------------------------------------------------------------- queries

fn query_words(sentence: &str) -> Vec<Option<String>> {
    sentence
        .split(' ')
        .map(|w| {
            let w = w
                .trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase();
            (w.len() >= 3 && w.chars().all(|c| c.is_ascii_lowercase()) && !is_stop(&w)).then_some(w)
        })
        .collect()
}

/// Runs of consecutive content words of the given length.
fn windows(sentence: &str, len: usize) -> Vec<String> {
    let words = query_words(sentence);
    words
        .windows(len)
        .filter(|w| w.iter().all(Option::is_some))
        .map(|w| {
            w.iter()
                .map(|x| x.clone().unwrap())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

fn query_mix(gen: &Gen, seed: u64) -> Vec<String> {
    let mut rng = Rng::new(seed.wrapping_mul(31).wrapping_add(7));
    let sample = &gen.symptom_sample;
    let mut out: Vec<String> = Vec::new();
    let mut seen = BTreeSet::new();
    let mut push = |q: String, out: &mut Vec<String>| {
        if !q.is_empty() && seen.insert(q.clone()) {
            out.push(q);
        }
    };
    // The single query for rg: the commonest two-word symptom phrase.
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for s in sample {
        for w in windows(s, 2) {
            *counts.entry(w).or_default() += 1;
        }
    }
    let mut common: Vec<(String, usize)> = counts.into_iter().collect();
    common.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    if let Some((q, _)) = common.first() {
        push(q.clone(), &mut out);
    }
    let mut tries = 0;
    // 110 two-word and 50 three-word symptom phrases, 20 quoted phrases:
    // phrases that recur in the symptoms (as a user would type them), drawn
    // from a symptom sentence.
    let mut recurring: BTreeMap<String, usize> = BTreeMap::new();
    for s in sample {
        for len in [2, 3] {
            for w in windows(s, len) {
                *recurring.entry(w).or_default() += 1;
            }
        }
    }
    for (len, want, quoted) in [(2, 111, false), (3, 161, false), (2, 181, true)] {
        let min_count = if len == 2 { 3 } else { 2 };
        while out.len() < want && tries < 100_000 && !sample.is_empty() {
            tries += 1;
            let s = rng.pick(sample);
            let ws: Vec<String> = windows(s, len)
                .into_iter()
                .filter(|w| recurring.get(w).is_some_and(|&c| c >= min_count))
                .collect();
            if ws.is_empty() {
                continue;
            }
            let w = rng.pick(&ws).clone();
            push(if quoted { format!("\"{w}\"") } else { w }, &mut out);
        }
    }
    // 40 keywords, single words or phrases, as a user types them.
    let keywords: Vec<&String> = gen
        .v
        .keywords
        .iter()
        .filter(|k| k.chars().all(|c| c.is_ascii_lowercase() || c == ' ') && k.len() >= 3)
        .collect();
    while out.len() < 221 && tries < 200_000 && !keywords.is_empty() {
        tries += 1;
        push(rng.pick(&keywords).to_string(), &mut out);
    }
    // 29 rare words: one content word from a symptom sentence with a
    // technology or service beside it.
    while out.len() < 250 && tries < 300_000 && !sample.is_empty() {
        tries += 1;
        let s = rng.pick(sample);
        let words: Vec<String> = query_words(s).into_iter().flatten().collect();
        if words.len() < 2 {
            continue;
        }
        let a = rng.pick(&words).clone();
        let tech = rng.pick(&gen.v.tech).to_lowercase();
        if tech.chars().all(|c| c.is_ascii_alphanumeric()) {
            push(format!("{tech} {a}"), &mut out);
        }
    }
    out
}

// ---------------------------------------------------------------- main

struct Args {
    posts: usize,
    seed: u64,
    out: PathBuf,
    sources: Vec<PathBuf>,
    jsonl: Option<PathBuf>,
    queries: Option<PathBuf>,
}

fn parse_args() -> Result<Args> {
    let mut args = Args {
        posts: 10_000,
        seed: 42,
        out: PathBuf::new(),
        sources: Vec::new(),
        jsonl: None,
        queries: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().with_context(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--posts" => args.posts = value()?.parse().context("--posts")?,
            "--seed" => args.seed = value()?.parse().context("--seed")?,
            "--out" => args.out = value()?.into(),
            "--source" => args.sources.push(value()?.into()),
            "--jsonl" => args.jsonl = Some(value()?.into()),
            "--queries" => args.queries = Some(value()?.into()),
            "-h" | "--help" => {
                println!("usage: gen_corpus --posts N --seed S --out DIR [--source DIR]... [--jsonl FILE] [--queries FILE]");
                std::process::exit(0);
            }
            other => bail!("unknown argument {other}"),
        }
    }
    if args.out.as_os_str().is_empty() {
        bail!("--out DIR is required");
    }
    if args.sources.is_empty() {
        args.sources = vec!["posts".into(), "../shared/corpus/icco".into()];
    }
    Ok(args)
}

fn main() -> Result<()> {
    let args = parse_args()?;
    let started = std::time::Instant::now();
    let vocab = load_sources(&args.sources)?;
    if args.out.exists() && std::fs::read_dir(&args.out)?.next().is_some() {
        bail!("{} exists and is not empty", args.out.display());
    }
    std::fs::create_dir_all(&args.out)?;
    let mut gen = Gen {
        v: &vocab,
        rng: Rng::new(args.seed),
        symptom_sample: Vec::new(),
        symptoms_written: 0,
    };
    let mut jsonl = match &args.jsonl {
        Some(path) => Some(BufWriter::new(
            std::fs::File::create(path).with_context(|| path.display().to_string())?,
        )),
        None => None,
    };
    let mut written = 0usize;
    let mut files = 0usize;
    let mut bytes = 0usize;
    let mut forms = [0usize; 4];
    let write = |rel: &str, text: &str, out: &Path| -> Result<()> {
        let path = out.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, text).with_context(|| path.display().to_string())
    };
    while written < args.posts {
        let left = args.posts - written;
        let folder = format!("{:03}", files / 500);
        let roll = gen.rng.unit();
        let mut posts: Vec<Post> = Vec::new();
        let rel;
        if roll < 0.07 {
            let count = gen.rng.range(2, 8).min(left);
            for k in 0..count {
                posts.push(gen.transcript_post(written + k));
            }
            let ext = if gen.rng.chance(0.7) { "txt" } else { "md" };
            rel = format!("{folder}/journal-{:06}.{ext}", written);
            forms[0] += count;
        } else if roll < 0.44 {
            let (name, post) = gen.template_post(written);
            posts.push(post);
            rel = format!("{folder}/{name}");
            forms[1] += 1;
        } else if roll < 0.74 {
            let (name, post) = gen.foreign_post(written);
            posts.push(post);
            rel = format!("{folder}/{name}");
            forms[2] += 1;
        } else {
            let (name, post) = gen.notes_post(written);
            posts.push(post);
            rel = format!("{folder}/{name}");
            forms[3] += 1;
        }
        let text: String = posts.iter().map(|p| p.text.as_str()).collect();
        write(&rel, &text, &args.out)?;
        if let Some(out) = jsonl.as_mut() {
            for p in &posts {
                serde_json::to_writer(
                    &mut *out,
                    &serde_json::json!({"title": p.title, "body": p.text}),
                )?;
                out.write_all(b"\n")?;
            }
        }
        written += posts.len();
        files += 1;
        bytes += text.len();
    }
    if let Some(mut out) = jsonl {
        out.flush()?;
    }
    if let Some(path) = &args.queries {
        let queries = query_mix(&gen, args.seed);
        std::fs::write(path, queries.join("\n") + "\n")?;
        eprintln!(
            "gen_corpus: {} queries in {}",
            queries.len(),
            path.display()
        );
    }
    eprintln!(
        "gen_corpus: {written} posts in {files} files, {:.1} MB ({:.0} bytes/post) in {}: {} transcript, {} template, {} foreign front matter, {} notes; {:.1}s",
        bytes as f64 / 1e6,
        bytes as f64 / written.max(1) as f64,
        args.out.display(),
        forms[0],
        forms[1],
        forms[2],
        forms[3],
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
