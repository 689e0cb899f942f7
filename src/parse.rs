//! Stage 2: a raw post becomes a `Document`: front matter, title, date, and
//! the body cut into sections of sentences, each with its line in the file.
//!
//! Real postmortems mark sections in three ways and this stage treats them
//! alike: markdown `#` headings, `**Label:**` / `Label:` at the start of a line,
//! and *bare lines* — a short Title Case line standing alone ("The Fix"). It
//! knows nothing of what a symptom is; `extract` decides that.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use unicode_segmentation::UnicodeSegmentation;

use crate::corpus::{Problem, RawPost};

mod ascii_sentences;
mod dates;
mod front_matter;

pub use dates::find_date;
pub use front_matter::FrontMatter;

/// How a section was introduced; bare lines and labels are weaker evidence
/// than a markdown heading, and `extract` may weigh them differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeadingKind {
    /// Text before any heading.
    None,
    Markdown(u8),
    Bare,
    Label,
}

#[derive(Debug, Clone)]
pub struct Sentence {
    pub text: String,
    pub line: usize,
    pub in_list: bool,
    /// A table cell: a fragment, rarely a finding on its own.
    pub in_table: bool,
    /// A line of a code block (a log excerpt, a command, a config line).
    pub in_code: bool,
    /// Which block (paragraph, list item, code block) the sentence came
    /// from, counted through the post; sentences of one paragraph share it.
    pub block: usize,
}

impl Sentence {
    /// How many words it has. Its text is always collapsed.
    pub fn words(&self) -> usize {
        collapsed_word_count(&self.text)
    }
}

#[derive(Debug, Clone)]
pub struct Section {
    pub heading: String,
    pub kind: HeadingKind,
    pub line: usize,
    pub sentences: Vec<Sentence>,
}

#[derive(Debug, Clone)]
pub struct Document {
    pub source: String,
    pub line: usize,
    pub slug: Option<String>,
    pub file_stem: String,
    pub front: FrontMatter,
    pub title: Option<String>,
    pub date: Option<String>,
    pub sections: Vec<Section>,
    /// All the body's text, code included, for the full-text index.
    pub body: String,
    /// Problems that did not stop the post from being imported.
    pub warnings: Vec<Problem>,
}

impl Document {
    pub fn sentences(&self) -> impl Iterator<Item = (&Section, &Sentence)> {
        self.sections
            .iter()
            .flat_map(|section| section.sentences.iter().map(move |s| (section, s)))
    }
}

/// Parses one raw post. Fails only when there is nothing to import: no title
/// and no body.
pub fn parse(raw: &RawPost) -> Result<Document, Problem> {
    let problem = |line: usize, reason: &str| Problem {
        source: raw.source.clone(),
        line,
        reason: reason.to_string(),
    };
    let mut lines: Vec<String> = raw
        .text
        .split('\n')
        .map(|l| l.trim_end_matches('\r').to_string())
        .collect();
    let mut warnings: Vec<Problem> = raw
        .near_markers
        .iter()
        .map(|&(line, why)| {
            problem(
                line,
                &format!("looks meant as a `$ cat post/<slug>.md` line but is not one ({why}); it was kept as text"),
            )
        })
        .collect();

    let front = match front_matter::split(&lines) {
        Some(block) => {
            let block_text = &lines[block.start..block.end];
            let parsed = if block.toml {
                front_matter::parse_toml(block_text)
            } else {
                front_matter::parse(block_text)
            };
            // Kept a moment, to name the line of a key with an odd value.
            let block_lines: Vec<String> = lines[block.start..block.end].to_vec();
            for line in lines.iter_mut().take(block.end + 1) {
                line.clear();
            }
            match parsed {
                Ok(front) => {
                    // The key's own line, where it is written plainly.
                    let line_of = |key: &str| {
                        let at = block_lines
                            .iter()
                            .position(|l| {
                                let l = l.to_lowercase();
                                let rest = l.strip_prefix(key).unwrap_or_default();
                                rest.trim_start().starts_with([':', '='])
                            })
                            .unwrap_or(0);
                        raw.text_line + block.start + at
                    };
                    for (key, odd) in &front.odd_values {
                        warnings.push(problem(
                            line_of(key),
                            &format!("front matter `{key}` {odd}"),
                        ));
                    }
                    if let Some((key, said)) = dates::front_matter_date_problem(&front) {
                        warnings.push(problem(
                            line_of(key),
                            &format!("front matter `{key}` {said}"),
                        ));
                    }
                    front
                }
                Err(err) => {
                    warnings.push(problem(
                        raw.text_line + block.start + err.line,
                        &format!(
                            "front matter does not parse ({}); the post was imported without it",
                            err.reason
                        ),
                    ));
                    FrontMatter::default()
                }
            }
        }
        None => {
            if let Some(open) = front_matter::unclosed(&lines) {
                let close = if lines[open].trim_end() == "+++" {
                    "+++"
                } else {
                    "---"
                };
                warnings.push(problem(
                    raw.text_line + open,
                    &format!("front matter is never closed (no `{close}` line after its keys); it was read as the post's text"),
                ));
            }
            FrontMatter::default()
        }
    };

    let title = take_title(&mut lines, &front, raw.slug.is_some());
    let body_text = lines.join("\n");
    let (sections, body) = sections_of(&body_text, raw.text_line);
    let has_body = sections.iter().any(|s| !s.sentences.is_empty()) || !body.trim().is_empty();
    if title.is_none() && !has_body {
        return Err(problem(raw.line, "post has no title and no body"));
    }
    if !has_body {
        return Err(problem(raw.line, "post has a title but no body"));
    }
    // A skeleton of `pmkb new` saved before it was filled in: headings with
    // hints in comments. Indexed, it would be an incident that says nothing.
    let only_headings = sections.len() > 1
        && sections.iter().all(|s| s.sentences.is_empty())
        && body
            .lines()
            .map(str::trim)
            .all(|l| l.is_empty() || sections.iter().any(|s| s.heading == l));
    if only_headings {
        return Err(problem(
            raw.line,
            "post has headings but nothing under them yet; fill in a section to import it",
        ));
    }
    let first_text: String = body.chars().take(600).collect();
    let date = find_date(
        &front,
        raw.slug.as_deref(),
        title.as_deref(),
        &raw.file_stem,
        &first_text,
    );
    Ok(Document {
        source: raw.source.clone(),
        line: raw.line,
        slug: raw.slug.clone(),
        file_stem: raw.file_stem.clone(),
        front,
        title,
        date,
        sections,
        body,
        warnings,
    })
}

/// A title as plain text: a heading's `#`s, emphasis around it and the
/// backticks of inline code ("How I broke `git push`") are markdown, shown
/// raw in every hit list.
fn clean_title(text: &str) -> Option<String> {
    let title = text
        .trim()
        .trim_start_matches('#')
        .trim()
        .trim_matches('*')
        .trim()
        .replace('`', "");
    let title = collapse_whitespace(&title);
    (!title.is_empty()).then_some(title)
}

/// Finds the title and blanks the lines it came from, so they do not show up
/// again as a section or a sentence. Line numbers stay as they were.
fn take_title(lines: &mut [String], front: &FrontMatter, transcript: bool) -> Option<String> {
    let mut title = front.text("title").and_then(clean_title);
    let first = lines.iter().position(|l| !l.trim().is_empty());

    if let Some(first) = first {
        let line = lines[first].trim();
        let is_h1 =
            line.starts_with("# ") || (line.starts_with("## ") && title.is_none() && !transcript);
        if transcript && title.is_none() {
            // In a transcript the line after `$ cat` is always the title.
            title = clean_title(line);
            lines[first].clear();
        } else if is_h1 {
            if title.is_none() {
                title = clean_title(line);
            }
            lines[first].clear();
        }
    }

    // An explicit `Title:` line near the top wins over a first line.
    let explicit = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .take(5)
        .find_map(|(i, l)| {
            let t = l.trim().trim_start_matches("**");
            let rest = t
                .strip_prefix("Title:")
                .or_else(|| t.strip_prefix("title:"))?;
            Some((i, rest.trim_start_matches("**").trim().to_string()))
        });
    if let Some((index, text)) = explicit {
        if front.text("title").is_none() {
            if let Some(t) = clean_title(&text) {
                title = Some(t);
            }
        }
        lines[index].clear();
    }

    if title.is_none() {
        // A plain notes file often starts with a short line that names it.
        let first = lines.iter().position(|l| !l.trim().is_empty())?;
        let line = lines[first].trim();
        let rest_has_text = lines[first + 1..].iter().any(|l| !l.trim().is_empty());
        let words = word_count(line);
        if rest_has_text
            && words <= 14
            && line.len() <= 120
            && !ends_sentence(line)
            && !line.starts_with(['-', '*', '|', '`', '>'])
        {
            title = clean_title(line);
            lines[first].clear();
        }
    }
    title
}

/// The post's text with its front matter lines blanked, so what is left
/// renders as the post and line numbers still match the file.
pub fn without_front_matter(text: &str) -> String {
    let mut lines: Vec<&str> = text.split('\n').collect();
    if let Some(block) = front_matter::split(
        &lines
            .iter()
            .map(|l| l.trim_end_matches('\r').to_string())
            .collect::<Vec<_>>(),
    ) {
        for line in lines.iter_mut().take(block.end + 1) {
            *line = "";
        }
    }
    lines.join("\n")
}

/// Unicode's whitespace among ASCII bytes: `u8::is_ascii_whitespace`
/// leaves out the vertical tab.
fn is_ascii_space(byte: u8) -> bool {
    byte.is_ascii_whitespace() || byte == 0x0b
}

/// No whitespace but single spaces between other bytes (`bytes` trimmed).
fn single_spaced(bytes: &[u8]) -> bool {
    let mut after_space = false;
    for &byte in bytes {
        if byte > b' ' {
            after_space = false;
            continue;
        }
        let space = byte == b' ';
        if (space && after_space) || (!space && is_ascii_space(byte)) {
            return false;
        }
        after_space = space;
    }
    true
}

fn push_word(out: &mut String, word: &str) {
    if !out.is_empty() {
        out.push(' ');
    }
    out.push_str(word);
}

/// The words of a text `collapse_whitespace` made: one space between
/// words and none around them, so counting spaces is enough (and runs many
/// bytes at a time).
pub fn collapsed_word_count(text: &str) -> usize {
    if text.is_empty() {
        return 0;
    }
    text.bytes().filter(|&byte| byte == b' ').count() + 1
}

/// `text.split_whitespace().count()`, without Unicode tests for ASCII text.
pub fn word_count(text: &str) -> usize {
    if !text.is_ascii() {
        return text.split_whitespace().count();
    }
    let mut after_space = true;
    let mut words = 0;
    for &byte in text.as_bytes() {
        let space = byte.is_ascii_whitespace() || byte == 0x0b;
        words += usize::from(after_space && !space);
        after_space = space;
    }
    words
}

/// Markdown written where plain text is shown (a front-matter summary):
/// its words, without link addresses, emphasis marks or backticks.
pub fn markdown_as_text(markdown: &str) -> String {
    let mut text = String::with_capacity(markdown.len());
    for event in Parser::new_ext(markdown, Options::ENABLE_STRIKETHROUGH) {
        match event {
            Event::Text(words) | Event::Code(words) => text.push_str(&words),
            Event::SoftBreak | Event::HardBreak | Event::End(TagEnd::Paragraph) => text.push(' '),
            _ => {}
        }
    }
    collapse_whitespace(&text)
}

pub fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    if text.is_ascii() {
        // Most sentences are one line with single spaces: copied whole.
        let trimmed = text.trim_matches(|c: char| c.is_ascii() && is_ascii_space(c as u8));
        if single_spaced(trimmed.as_bytes()) {
            out.push_str(trimmed);
            return out;
        }
        // Every sentence passes here: a byte loop instead of Unicode
        // whitespace tests, for the text nearly all posts are in, copying
        // each word whole.
        let mut word_start = None;
        for (at, &byte) in text.as_bytes().iter().enumerate() {
            let space = is_ascii_space(byte);
            match word_start {
                None if !space => word_start = Some(at),
                Some(start) if space => {
                    push_word(&mut out, &text[start..at]);
                    word_start = None;
                }
                _ => {}
            }
        }
        if let Some(start) = word_start {
            push_word(&mut out, &text[start..]);
        }
        return out;
    }
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

fn ends_sentence(line: &str) -> bool {
    line.trim_end()
        .trim_end_matches(['"', '\'', '”', '’', ')', '*', '_'])
        .ends_with(['.', '!', '?', ':', ';', ','])
}

/// Words that make a short standalone line read as a section heading even
/// when it is not in Title Case ("What went wrong").
const HEADING_WORDS: &[&str] = &[
    "issue",
    "problem",
    "fix",
    "fixes",
    "setup",
    "cause",
    "causes",
    "resolution",
    "impact",
    "lessons",
    "lesson",
    "reflection",
    "background",
    "timeline",
    "summary",
    "investigation",
    "dive",
    "aftermath",
    "moment",
    "debugging",
    "diagnosis",
    "detection",
    "takeaways",
    "conclusion",
    "epilogue",
    "outcome",
    "solution",
    "symptoms",
    "symptom",
    "context",
    "mitigation",
    "remediation",
    "trigger",
    "recovery",
    "wrong",
    "learned",
    "happened",
    "followups",
    "follow-ups",
    "actions",
    "items",
    "overview",
    "analysis",
];

const SMALL_WORDS: &[&str] = &[
    "a", "an", "the", "of", "in", "on", "to", "and", "or", "for", "at", "by", "with", "is", "it",
    "vs", "from", "into", "as", "but", "nor", "so", "up", "out",
];

/// A short line standing alone that names a section: few words, no final
/// punctuation, Title Case or a heading word. A short sentence that merely
/// lacks a full stop ("Then it hit me") is not one.
fn looks_like_bare_heading(line: &str) -> bool {
    let line = line.trim();
    // Every line of every post is asked: a long one is refused before its
    // words are gathered.
    if line.len() > 60 && line.chars().count() > 60 {
        return false;
    }
    let words: Vec<&str> = line.split_whitespace().collect();
    if words.is_empty() || words.len() > 8 {
        return false;
    }
    if ends_sentence(line) || line.contains(['.', ',', ';', '!', '?', '`', '|', '=', '(', '{', '<'])
    {
        return false;
    }
    let first = line.chars().next().unwrap_or(' ');
    if !(first.is_uppercase() || first.is_ascii_digit()) {
        return false;
    }
    let lower = line.to_lowercase();
    if lower
        .split(|c: char| !c.is_alphanumeric() && c != '-')
        .any(|w| HEADING_WORDS.contains(&w))
    {
        return true;
    }
    let significant: Vec<&&str> = words
        .iter()
        .filter(|w| !SMALL_WORDS.contains(&w.to_lowercase().as_str()))
        .collect();
    if significant.is_empty() {
        return false;
    }
    let capitalised = significant
        .iter()
        .filter(|w| {
            w.chars()
                .next()
                .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
        })
        .count();
    // Every word capitalised, small words too ("Digging In", "Cleaning Up"):
    // Title Case that a sentence start does not explain.
    let all_capitalised = (2..=5).contains(&words.len())
        && words
            .iter()
            .all(|w| w.chars().next().is_some_and(char::is_uppercase));
    // One capitalised word is just the start of a sentence ("Resolved"); it
    // takes two, or a heading word above, to look like a heading.
    all_capitalised
        || (significant.len() >= 2 && capitalised * 10 >= significant.len() * 7 && capitalised >= 2)
}

/// A paragraph of one short line without final punctuation ("What we saw",
/// blank lines around it) names the paragraphs after it, whatever its case.
fn looks_like_heading_paragraph(line: &str) -> bool {
    let line = line.trim();
    // At most 50 characters (below): a long paragraph is refused unread.
    if line.len() > 200 {
        return false;
    }
    let words = word_count(line);
    let starts_upper = line.chars().next().is_some_and(char::is_uppercase);
    starts_upper
        && (1..=6).contains(&words)
        && line.chars().count() <= 50
        && !ends_sentence(line)
        && !line.contains([
            '.', ',', ';', '!', '?', '`', '|', '=', '(', '{', '<', '"', '/',
        ])
        && !line.chars().any(|c| c.is_ascii_digit())
}

/// `**Root cause:** text`, `**Fix**: text`, `Impact: text` at the start of a
/// line. Returns the label and the byte length of the label in the raw line.
fn line_label(raw_line: &str) -> Option<(String, bool)> {
    let mut line = raw_line.trim_start();
    // List and quote markers, but not the `**` of a bold label.
    while let Some(rest) = ["- ", "* ", "+ ", "> ", "[ ] ", "[x] "]
        .iter()
        .find_map(|m| line.strip_prefix(m))
    {
        line = rest.trim_start();
    }
    let digits = line.len() - line.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if digits > 0 {
        if let Some(rest) = line[digits..]
            .strip_prefix(". ")
            .or_else(|| line[digits..].strip_prefix(") "))
        {
            line = rest.trim_start();
        }
    }
    let (label, bold, after) =
        if let Some(rest) = line.strip_prefix("**").or_else(|| line.strip_prefix("__")) {
            let end = rest.find("**").or_else(|| rest.find("__"))?;
            let inner = &rest[..end];
            let after = &rest[end + 2..];
            if let Some(l) = inner.strip_suffix(':') {
                (l, true, after)
            } else if let Some(after) = after.strip_prefix(':') {
                (inner, true, after)
            } else {
                return None;
            }
        } else {
            let colon = line.find(':')?;
            let label = &line[..colon];
            let after = &line[colon + 1..];
            if !(after.is_empty() || after.starts_with(' ')) {
                return None;
            }
            (label, false, after)
        };
    let label = label.trim();
    let words = word_count(label);
    let max_words = if bold { 5 } else { 3 };
    if words == 0 || words > max_words {
        return None;
    }
    if !label
        .chars()
        .all(|c| c.is_alphabetic() || c == ' ' || c == '/' || c == '&' || c == '-' || c == '\'')
    {
        return None;
    }
    if !bold && !label.chars().next().is_some_and(char::is_uppercase) {
        return None;
    }
    // Alone on its line, the label names what follows; with text after it
    // ("**Symptom:** The log filled with:"), only that paragraph.
    let alone = after.trim().is_empty();
    Some((label.to_string(), alone))
}

/// Text of one block (paragraph, list item, table cell, heading) with a map
/// back to byte offsets in the body, so every sentence knows its line.
#[derive(Default)]
struct Unit {
    plain: String,
    /// Byte ranges in `plain` of inline code spans, kept whole when cutting
    /// sentences (`reroute?retry_failed=true` is not two sentences).
    code: Vec<(usize, usize)>,
    /// (offset in `plain`, offset in the body) at the start of each text run.
    anchors: Vec<(usize, usize)>,
    /// Offsets in `plain` where a source line ends.
    breaks: Vec<usize>,
}

impl Unit {
    fn push(&mut self, text: &str, source_offset: usize) {
        self.anchors.push((self.plain.len(), source_offset));
        self.plain.push_str(text);
    }

    /// Ends a source line: the break is kept as a newline in `plain` so
    /// sentences never glue together across lines.
    fn push_code(&mut self, text: &str, source_offset: usize) {
        let start = self.plain.len();
        self.push(text, source_offset);
        self.code.push((start, self.plain.len()));
    }

    fn line_break(&mut self, source_offset: usize) {
        self.breaks.push(self.plain.len());
        self.plain.push('\n');
        self.anchors.push((self.plain.len(), source_offset));
    }

    fn source_offset(&self, plain_offset: usize) -> usize {
        let index = self.anchors.partition_point(|&(p, _)| p <= plain_offset);
        match index.checked_sub(1).and_then(|i| self.anchors.get(i)) {
            Some(&(p, s)) => s + (plain_offset - p),
            None => 0,
        }
    }

    fn is_empty(&self) -> bool {
        self.plain.trim().is_empty()
    }
}

struct Builder<'a> {
    body: &'a str,
    line_starts: Vec<usize>,
    first_line: usize,
    sections: Vec<Section>,
    /// Index of the last section opened by a heading or a standalone label,
    /// to return to after a label that only covered one paragraph.
    enclosing: usize,
    /// A label paragraph ending in ':' also names the code block or list
    /// right after it; the return to `enclosing` waits until then.
    label_open: bool,
    /// The label of the last source line asked about, by line index: the
    /// cells of one table row are blocks of their own on the same line,
    /// and reading that line once per cell would be quadratic.
    last_label: Option<(usize, Option<(String, bool)>)>,
    blocks: usize,
    plain: String,
}

impl<'a> Builder<'a> {
    fn new(body: &'a str, first_line: usize) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(body.match_indices('\n').map(|(i, _)| i + 1));
        Builder {
            body,
            line_starts,
            first_line,
            sections: vec![Section {
                heading: String::new(),
                kind: HeadingKind::None,
                line: first_line,
                sentences: Vec::new(),
            }],
            enclosing: 0,
            label_open: false,
            last_label: None,
            blocks: 0,
            plain: String::with_capacity(body.len()),
        }
    }

    fn line_of(&self, offset: usize) -> usize {
        self.first_line + self.line_starts.partition_point(|&s| s <= offset) - 1
    }

    /// The label at the start of the source line holding `offset`, if any.
    fn label_at(&mut self, offset: usize) -> Option<(String, bool)> {
        let index = self.line_starts.partition_point(|&s| s <= offset) - 1;
        if let Some((line, label)) = &self.last_label {
            if *line == index {
                return label.clone();
            }
        }
        let label = line_label(self.raw_line(offset));
        self.last_label = Some((index, label.clone()));
        label
    }

    fn raw_line(&self, offset: usize) -> &str {
        let index = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[index];
        let end = self
            .line_starts
            .get(index + 1)
            .map_or(self.body.len(), |e| e - 1);
        self.body.get(start..end).unwrap_or("")
    }

    fn open(&mut self, heading: String, kind: HeadingKind, line: usize, persistent: bool) {
        self.sections.push(Section {
            heading,
            kind,
            line,
            sentences: Vec::new(),
        });
        if persistent {
            self.enclosing = self.sections.len() - 1;
        }
    }

    fn current(&mut self) -> &mut Section {
        let last = self.sections.len() - 1;
        &mut self.sections[last]
    }

    /// Back to the section a one-paragraph label interrupted.
    fn close_label(&mut self) {
        if !std::mem::take(&mut self.label_open) {
            return;
        }
        let parent = &self.sections[self.enclosing];
        let (heading, kind, line) = (parent.heading.clone(), parent.kind, parent.line);
        self.sections.push(Section {
            heading,
            kind,
            line,
            sentences: Vec::new(),
        });
    }

    /// The lines of a code block become sentences marked `in_code`, so that
    /// `extract` can pick an error line out of a log excerpt; lines without
    /// a letter (braces, numbers) are left out.
    fn code_block(&mut self, lines: &[(usize, String)]) {
        self.blocks += 1;
        let block = self.blocks;
        for (offset, text) in lines {
            let text = collapse_whitespace(text);
            if !text.chars().any(char::is_alphabetic) {
                continue;
            }
            let line = self.line_of(*offset);
            self.current().sentences.push(Sentence {
                text,
                line,
                in_list: false,
                in_table: false,
                in_code: true,
                block,
            });
        }
    }

    fn heading(&mut self, unit: Unit, level: u8) {
        self.close_label();
        let text = collapse_whitespace(&unit.plain);
        self.plain.push_str(&text);
        self.plain.push('\n');
        let line = self.line_of(unit.source_offset(0));
        if !text.is_empty() {
            self.open(text, HeadingKind::Markdown(level), line, true);
        }
    }

    /// Splits a block into lines, finds labels and bare-line headings among
    /// them, and cuts the rest into sentences.
    fn block(&mut self, unit: Unit, in_list: bool, in_table: bool) {
        if unit.is_empty() {
            return;
        }
        if !in_list {
            self.close_label();
        }
        self.blocks += 1;
        self.plain.push_str(&unit.plain);
        self.plain.push('\n');
        let mut lines: Vec<(usize, usize)> = Vec::with_capacity(unit.breaks.len() + 1);
        let mut line_start = 0;
        for &newline in &unit.breaks {
            lines.push((line_start, newline));
            line_start = newline + 1;
        }
        lines.push((line_start, unit.plain.len()));
        let mut label_opened = false;
        let mut pending: Option<usize> = None; // start of running text in plain
        for (index, &(start, end)) in lines.iter().enumerate() {
            let text = &unit.plain[start..end];
            let source = unit.source_offset(start);
            if let Some((label, alone)) = self.label_at(source) {
                // Only where the label really starts this line of plain text.
                let bare_label = label.trim();
                if text.trim_start().starts_with(bare_label) {
                    self.flush_text(&unit, pending.take(), start, in_list, in_table);
                    let line = self.line_of(source);
                    self.open(label.clone(), HeadingKind::Label, line, alone);
                    label_opened = !alone;
                    let skip = text.find(':').map_or(text.len(), |i| i + 1);
                    let content_start = start + skip;
                    if content_start < end {
                        pending = Some(content_start);
                    }
                    continue;
                }
            }
            let prev_ends =
                index == 0 || ends_sentence(&unit.plain[lines[index - 1].0..lines[index - 1].1]);
            let heading_like = looks_like_bare_heading(text)
                || (lines.len() == 1 && looks_like_heading_paragraph(text));
            if !in_list && !in_table && prev_ends && heading_like {
                // The next line must start a sentence; judged on the raw line,
                // so that "`df -h` said..." counts as one.
                let next_ok = lines.get(index + 1).is_none_or(|&(s, _)| {
                    self.raw_line(unit.source_offset(s))
                        .trim_start()
                        .chars()
                        .next()
                        .is_some_and(|c| !c.is_lowercase())
                });
                if next_ok {
                    self.flush_text(&unit, pending.take(), start, in_list, in_table);
                    let line = self.line_of(source);
                    self.open(collapse_whitespace(text), HeadingKind::Bare, line, true);
                    continue;
                }
            }
            if pending.is_none() {
                pending = Some(start);
            }
        }
        self.flush_text(&unit, pending.take(), unit.plain.len(), in_list, in_table);
        if label_opened {
            // A label in front of a paragraph names that paragraph only, and
            // the code block or list it introduces with a final ':'.
            self.label_open = true;
            if !unit.plain.trim_end().ends_with(':') {
                self.close_label();
            }
        }
    }

    fn flush_text(
        &mut self,
        unit: &Unit,
        start: Option<usize>,
        end: usize,
        in_list: bool,
        in_table: bool,
    ) {
        let Some(start) = start else { return };
        let Some(text) = unit.plain.get(start..end) else {
            return;
        };
        // Same length, so offsets still line up; a newline would otherwise
        // end a sentence in the middle of a wrapped paragraph.
        let text = text.replace('\n', " ");
        // A run of text after a heading or label is a paragraph of its own.
        self.blocks += 1;
        let masked = mask_code(&text, start, &unit.code);
        let masked = masked.as_deref().unwrap_or(&text);
        // (offset, sentence, its quotation marks so far)
        let mut merged: Vec<(usize, String, Quotes)> = Vec::new();
        // Where the last kept fragment ended: a fragment that follows it
        // without whitespace (the segmenter can cut inside a word of rare
        // scripts) is glued back without a space.
        let mut last_end = None;
        for (from, to) in sentence_ranges(masked) {
            let sentence = &text[from..to];
            let clean = collapse_whitespace(sentence);
            if clean.is_empty() {
                continue;
            }
            let quotes = Quotes::of(&clean);
            let adjacent = last_end == Some(from) && !sentence.starts_with(char::is_whitespace);
            last_end = Some(to - (sentence.len() - sentence.trim_end().len()));
            // Glue back fragments the segmenter cut after an abbreviation.
            if let Some(last) = merged.last_mut() {
                // A cut inside a word, not after a sentence's end: the
                // segmenter does that before combining marks of rare scripts.
                let mid_word = adjacent
                    && !last
                        .1
                        .ends_with(['.', '!', '?', '。', '！', '？', '…', ':', ';']);
                if mid_word
                    || collapsed_word_count(&clean) < 2
                    || ends_with_abbreviation(&last.1)
                    || last.2.open()
                {
                    if !adjacent {
                        last.1.push(' ');
                    }
                    last.1.push_str(&clean);
                    last.2.add(quotes);
                    continue;
                }
            }
            merged.push((start + from + leading_ws(sentence), clean, quotes));
        }
        for (offset, text, _) in merged {
            if starts_long_line(unit, offset) {
                // Transcripts put a paragraph on each long line, without
                // blank lines between them.
                self.blocks += 1;
            }
            let block = self.blocks;
            let line = self.line_of(unit.source_offset(offset));
            self.current().sentences.push(Sentence {
                text,
                line,
                in_list,
                in_table,
                in_code: false,
                block,
            });
        }
    }
}

/// Does the sentence at `offset` start a source line that follows a long
/// line ending a sentence? Wrapped paragraphs have short lines that end
/// anywhere; a file with one paragraph per line has long ones.
fn starts_long_line(unit: &Unit, offset: usize) -> bool {
    const LONG_LINE: usize = 100;
    // `breaks` is sorted: a binary search keeps long paragraphs linear.
    let Some(index) = offset
        .checked_sub(1)
        .and_then(|b| unit.breaks.binary_search(&b).ok())
    else {
        return false;
    };
    let start = if index == 0 {
        0
    } else {
        unit.breaks[index - 1] + 1
    };
    let previous = &unit.plain[start..unit.breaks[index]];
    previous.len() > LONG_LINE && ends_sentence(previous)
}

/// `text` (which starts at `base` in the unit's plain text) with every
/// character inside an inline code span replaced by `x`, byte for byte, so
/// the sentence segmenter sees no punctuation there; `None` when no span
/// touches it.
fn mask_code(text: &str, base: usize, code: &[(usize, usize)]) -> Option<String> {
    // `code` is sorted and its spans do not overlap: walk it beside the text
    // (from the first span that ends after `base`), so that a paragraph of
    // many code spans stays linear.
    let end = base + text.len();
    let spans = &code[code.partition_point(|&(_, e)| e <= base)..];
    // Most paragraphs have no code: no copy then.
    if spans.first().is_none_or(|&(from, _)| from >= end) {
        return None;
    }
    let mut masked = String::with_capacity(text.len());
    // Text before each span is copied as it is; the characters that start
    // inside the span become as many `x` bytes as they had.
    let mut copied = 0;
    for &(from, to) in spans {
        if from >= end {
            break;
        }
        let mut start = from.saturating_sub(base).max(copied);
        while !text.is_char_boundary(start) {
            start += 1;
        }
        let mut stop = (to - base).min(text.len());
        while !text.is_char_boundary(stop) {
            stop += 1;
        }
        if stop <= copied {
            continue;
        }
        masked.push_str(&text[copied..start]);
        masked.extend(std::iter::repeat_n('x', stop - start));
        copied = stop;
    }
    masked.push_str(&text[copied..]);
    Some(masked)
}

/// The most graphemes in a row without a letter or a digit that the sentence
/// segmenter is given at once. After a full stop, `unicode-segmentation`
/// looks ahead from each following space or closing mark to the next letter
/// (rule SB8), which is quadratic in a long run of them: a full stop and a
/// megabyte of spaces took hours.
const MAX_RUN_WITHOUT_LETTERS: usize = 128;

/// Unicode sentence bounds, `(offset, sentence)`, as
/// `split_sentence_bound_indices` gives them, except that a run of more than
/// `MAX_RUN_WITHOUT_LETTERS` graphemes without a letter or digit (never seen
/// in prose) also ends a sentence, so that the segmenter's work stays linear.
/// The bounds still cover the whole text, in order.
/// Does `text` have more than `MAX_RUN_WITHOUT_LETTERS` characters in a
/// row without a letter or digit?
fn has_long_run_without_letters(text: &str) -> bool {
    let mut run = 0;
    let mut longer = |alphanumeric: bool| {
        run = if alphanumeric { 0 } else { run + 1 };
        run > MAX_RUN_WITHOUT_LETTERS
    };
    if !text.is_ascii() {
        return text.chars().any(|c| longer(c.is_alphanumeric()));
    }
    // Such a run covers a whole aligned block of half its length, and a
    // block of prose shows a letter in its first bytes: most text is looked
    // at a byte or two per block rather than byte by byte.
    let bytes = text.as_bytes();
    bytes
        .chunks_exact(MAX_RUN_WITHOUT_LETTERS / 2)
        .any(|block| !block.iter().any(u8::is_ascii_alphanumeric))
        && bytes.iter().any(|b| longer(b.is_ascii_alphanumeric()))
}

pub(crate) fn sentence_bounds(text: &str) -> Vec<(usize, &str)> {
    let mut bounds = Vec::new();
    let mut segment = |from: usize, to: usize| {
        let piece = &text[from..to];
        let fast = ascii_sentences::sentence_bounds(piece)
            .or_else(|| ascii_sentences::sentence_bounds_with_stand_ins(piece));
        match fast {
            Some(ascii) => bounds.extend(
                ascii
                    .into_iter()
                    .map(|(at, sentence)| (from + at, sentence)),
            ),
            None => bounds.extend(
                piece
                    .split_sentence_bound_indices()
                    .map(|(at, sentence)| (from + at, sentence)),
            ),
        }
    };
    // Cheap test first: a long run of graphemes is a longer run of chars.
    let long_run = has_long_run_without_letters(text);
    if !long_run {
        segment(0, text.len());
        return bounds;
    }
    // Cut the run itself into pieces the segmenter handles at once; the
    // pieces hold no words, so they make no sentences.
    let (mut from, mut run) = (0, 0);
    for (at, grapheme) in text.grapheme_indices(true) {
        if grapheme.starts_with(char::is_alphanumeric) {
            run = 0;
            continue;
        }
        run += 1;
        if run > MAX_RUN_WITHOUT_LETTERS {
            segment(from, at);
            from = at;
            run = 1;
        }
    }
    segment(from, text.len());
    bounds
}

/// Sentence byte ranges: Unicode sentence bounds, plus a cut at ". " before
/// a lowercase word ("...within the same minute. ntpd had passed..."), which
/// the segmenter keeps together, unless the full stop ends an abbreviation.
fn sentence_ranges(text: &str) -> Vec<(usize, usize)> {
    let mut ranges = Vec::new();
    for (offset, sentence) in sentence_bounds(text) {
        let mut from = 0;
        let bytes = sentence.as_bytes();
        for (dot, _) in sentence.match_indices(". ") {
            let after = sentence[dot + 1..].trim_start();
            let next = dot + 1 + (sentence.len() - dot - 1 - after.len());
            let lower_next = after.chars().next().is_some_and(|c| c.is_lowercase());
            let word = sentence[..=dot].rsplit(' ').next().unwrap_or("");
            let letters = word.chars().filter(|c| c.is_alphanumeric()).count();
            let dotted = word.matches('.').count() > 1 && letters <= word.matches('.').count();
            let prev_ok =
                dot > 0 && (bytes[dot - 1].is_ascii_alphanumeric() || bytes[dot - 1] == b')');
            if lower_next
                && prev_ok
                && letters >= 2
                && !dotted
                && !ends_with_abbreviation(&sentence[..=dot])
                && next > from
            {
                ranges.push((offset + from, offset + dot + 1));
                from = next;
            }
        }
        ranges.push((offset + from, offset + sentence.len()));
    }
    ranges
}

fn leading_ws(text: &str) -> usize {
    text.len() - text.trim_start().len()
}

/// The quotation marks of a sentence: a sentence boundary inside a
/// quotation ("Unable to connect. Please try again.") is not the end of the
/// writer's sentence. Counted per fragment and added up as fragments are
/// glued together, so a long run of them stays linear.
#[derive(Clone, Copy, Default)]
struct Quotes {
    straight: usize,
    opening: usize,
    closing: usize,
}

impl Quotes {
    fn of(text: &str) -> Quotes {
        let straight = text.bytes().filter(|&b| b == b'"').count();
        if text.is_ascii() {
            return Quotes {
                straight,
                ..Quotes::default()
            };
        }
        Quotes {
            straight,
            opening: text.matches('“').count(),
            closing: text.matches('”').count(),
        }
    }

    fn add(&mut self, other: Quotes) {
        self.straight += other.straight;
        self.opening += other.opening;
        self.closing += other.closing;
    }

    fn open(&self) -> bool {
        self.straight % 2 == 1 || self.opening > self.closing
    }
}

fn ends_with_abbreviation(sentence: &str) -> bool {
    const ABBREVIATIONS: &[&str] = &[
        "e.g.", "i.e.", "etc.", "vs.", "approx.", "no.", "fig.", "cf.", "a.m.", "p.m.",
    ];
    // Titles only with their capital: "Ms." is a title, "30 ms." a unit.
    const TITLES: &[&str] = &["Mr.", "Dr.", "Ms.", "Mrs.", "St."];
    let last = sentence.rsplit(' ').next().unwrap_or("");
    TITLES.contains(&last) || ABBREVIATIONS.contains(&last.to_lowercase().as_str())
}

/// Cuts a markdown body into sections of sentences. Returns them with the
/// body's plain text (code blocks included) for indexing.
pub fn sections_of(body: &str, first_line: usize) -> (Vec<Section>, String) {
    let mut builder = Builder::new(body, first_line);
    let mut unit = Unit::default();
    let mut heading: Option<u8> = None;
    let mut list_depth = 0usize;
    let mut in_table = false;
    let mut in_code = false;
    let mut code_lines: Vec<(usize, String)> = Vec::new();

    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    for (event, range) in Parser::new_ext(body, options).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                builder.block(std::mem::take(&mut unit), list_depth > 0, in_table);
                heading = Some(level as u8);
            }
            Event::End(TagEnd::Heading(_)) => {
                let level = heading.take().unwrap_or(1);
                builder.heading(std::mem::take(&mut unit), level);
            }
            Event::Start(Tag::CodeBlock(_)) => {
                builder.block(std::mem::take(&mut unit), list_depth > 0, in_table);
                in_code = true;
            }
            Event::End(TagEnd::CodeBlock) => {
                in_code = false;
                builder.code_block(&std::mem::take(&mut code_lines));
            }
            Event::Start(Tag::List(_)) => {
                builder.block(std::mem::take(&mut unit), list_depth > 0, in_table);
                list_depth += 1;
            }
            Event::End(TagEnd::List(_)) => {
                builder.block(std::mem::take(&mut unit), list_depth > 0, in_table);
                list_depth = list_depth.saturating_sub(1);
            }
            Event::Start(Tag::Table(_)) => in_table = true,
            Event::End(TagEnd::Table) => in_table = false,
            Event::Start(Tag::Paragraph | Tag::Item | Tag::TableCell | Tag::BlockQuote(_))
            | Event::End(
                TagEnd::Paragraph | TagEnd::Item | TagEnd::TableCell | TagEnd::BlockQuote(_),
            ) => {
                builder.block(std::mem::take(&mut unit), list_depth > 0, in_table);
            }
            Event::Text(text) => {
                if in_code {
                    builder.plain.push_str(&text);
                    let mut at = range.start;
                    for line in text.split_inclusive('\n') {
                        // Offsets only line up when the text is verbatim.
                        let offset = if body.get(at..at + line.len()) == Some(line) {
                            at
                        } else {
                            range.start
                        };
                        code_lines.push((offset, line.trim().to_string()));
                        at += line.len();
                    }
                } else {
                    unit.push(&text, range.start);
                }
            }
            Event::Code(text) => {
                let ticks =
                    body[range.clone()].len() - body[range.clone()].trim_start_matches('`').len();
                unit.push_code(&text, range.start + ticks.max(1));
            }
            Event::SoftBreak | Event::HardBreak => unit.line_break(range.end),
            _ => {}
        }
    }
    builder.block(unit, false, false);
    let Builder {
        mut sections,
        plain,
        ..
    } = builder;
    sections.retain(|s| !s.sentences.is_empty() || s.kind != HeadingKind::None);
    (sections, plain)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headings(body: &str) -> Vec<String> {
        sections_of(body, 1)
            .0
            .into_iter()
            .map(|s| s.heading)
            .filter(|h| !h.is_empty())
            .collect()
    }

    /// The block test finds every run the byte-by-byte count finds, at
    /// every length around the limit and every offset within a block.
    #[test]
    fn long_runs_without_letters_are_found_wherever_they_start() {
        let byte_by_byte = |text: &str| {
            let mut run = 0;
            text.bytes().any(|b| {
                run = if b.is_ascii_alphanumeric() {
                    0
                } else {
                    run + 1
                };
                run > MAX_RUN_WITHOUT_LETTERS
            })
        };
        let mut found = 0;
        for length in MAX_RUN_WITHOUT_LETTERS - 2..MAX_RUN_WITHOUT_LETTERS + 3 {
            for offset in 0..MAX_RUN_WITHOUT_LETTERS {
                for tail in [0, 1, 70] {
                    let text = format!(
                        "{}{}{}",
                        "a".repeat(offset),
                        "-".repeat(length),
                        "b".repeat(tail)
                    );
                    let expected = byte_by_byte(&text);
                    assert_eq!(
                        has_long_run_without_letters(&text),
                        expected,
                        "{offset} {length} {tail}"
                    );
                    found += usize::from(expected);
                }
            }
        }
        assert!(found > 500, "{found}");
    }

    /// `Sentence::words` counts spaces: every sentence of the sample posts
    /// and of the public corpus must have one space between words.
    #[test]
    fn sentences_are_collapsed_so_spaces_count_words() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut sentences = 0;
        for dir in [root.join("posts"), root.join("../shared/corpus/icco")] {
            let Ok(corpus) = crate::corpus::load_dir(&dir) else {
                continue;
            };
            for raw in &corpus.posts {
                let Ok(doc) = parse(raw) else { continue };
                for (_, sentence) in doc.sentences() {
                    let words: Vec<&str> = sentence.text.split_whitespace().collect();
                    assert_eq!(sentence.text, words.join(" "), "{}", raw.source);
                    assert_eq!(sentence.words(), words.len(), "{:?}", sentence.text);
                    sentences += 1;
                }
            }
        }
        assert!(sentences > 1000, "{sentences} sentences");
    }

    #[test]
    fn code_masking_replaces_each_character_starting_in_a_span() {
        // Character by character, the obvious way.
        fn reference(text: &str, base: usize, code: &[(usize, usize)]) -> String {
            text.char_indices()
                .map(|(at, c)| {
                    if code.iter().any(|&(s, e)| s <= base + at && base + at < e) {
                        "x".repeat(c.len_utf8())
                    } else {
                        c.to_string()
                    }
                })
                .collect()
        }
        let text = "run `a.b` then é`ç.d`ü and `x`";
        for base in [0, 3, 10] {
            for code in [
                vec![],
                vec![(4, 9)],
                vec![(0, 2), (4, 9), (17, 21)],
                vec![(base + 1, base + 2), (base + 16, base + 17)],
                vec![(base + 15, base + 18), (base + 30, base + 40)],
                vec![(0, base + 100)],
            ] {
                assert_eq!(
                    mask_code(text, base, &code).unwrap_or_else(|| text.to_string()),
                    reference(text, base, &code),
                    "{base} {code:?}"
                );
            }
        }
    }

    #[test]
    fn collapsed_whitespace_is_one_space_between_words() {
        for text in [
            "",
            "   ",
            "a",
            " a  b\t\tc\r\n d \x0b\x0c e ",
            "one line, single spaces",
            " \x0bleading and trailing\t\n",
            "a \x01 control\x02byte",
            "a\x0bb",
            "no\u{a0}break and\u{2003}em space ",
            "x\u{85}y",
        ] {
            let expected = text.split_whitespace().collect::<Vec<_>>().join(" ");
            assert_eq!(collapse_whitespace(text), expected, "{text:?}");
            assert_eq!(
                word_count(text),
                text.split_whitespace().count(),
                "{text:?}"
            );
        }
        // Every line of the sample posts, with their tabs and stray spaces.
        let mut words = 0;
        for text in crate::sample_texts(false) {
            for line in text.split('.') {
                let expected = line.split_whitespace().collect::<Vec<_>>();
                assert_eq!(collapse_whitespace(line), expected.join(" "), "{line:?}");
                assert_eq!(word_count(line), expected.len(), "{line:?}");
                words += expected.len();
            }
        }
        assert!(words > 10_000, "{words} words");
    }

    #[test]
    fn bare_lines_become_headings() {
        let body =
            "We moved to the cloud.\nThe Issue\nRequests timed out.\nThe Fix\nWe added a cache.\n";
        assert_eq!(headings(body), ["The Issue", "The Fix"]);
    }

    #[test]
    fn short_sentences_without_a_full_stop_stay_sentences() {
        let body = "We restarted it all.\nThen it hit me\nThe pool was too small.\n";
        assert!(headings(body).is_empty());
        let body =
            "The cache was cold, and we waited for the\nWarm Up Job to finish before retrying.\n";
        assert!(headings(body).is_empty());
    }

    #[test]
    fn labels_and_markdown_headings() {
        let body = "## Root Cause\n\nThe pool was small.\n\n**Fix:** raised the pool size.\n\nMore text.\n";
        let (sections, _) = sections_of(body, 10);
        let names: Vec<_> = sections
            .iter()
            .map(|s| (s.heading.as_str(), s.sentences.len()))
            .collect();
        assert_eq!(names, [("Root Cause", 1), ("Fix", 1), ("Root Cause", 1)]);
        assert_eq!(sections[0].sentences[0].line, 12);
        assert_eq!(sections[1].sentences[0].text, "raised the pool size.");
    }

    #[test]
    fn sentences_keep_their_lines_across_wrapped_paragraphs() {
        let body =
            "First sentence here.\nSecond one starts\nand wraps. Third.\n\n```\ncode: here\n```\n";
        let (sections, plain) = sections_of(body, 5);
        let sentences: Vec<_> = sections[0]
            .sentences
            .iter()
            .filter(|s| !s.in_code)
            .map(|s| (s.text.as_str(), s.line))
            .collect();
        assert_eq!(
            sentences,
            [
                ("First sentence here.", 5),
                ("Second one starts and wraps. Third.", 6)
            ]
        );
        let code: Vec<_> = sections[0]
            .sentences
            .iter()
            .filter(|s| s.in_code)
            .map(|s| (s.text.as_str(), s.line))
            .collect();
        assert_eq!(code, [("code: here", 10)]);
        assert!(plain.contains("code: here"));
    }

    fn texts(body: &str) -> Vec<String> {
        sections_of(body, 1)
            .0
            .into_iter()
            .flat_map(|s| s.sentences)
            .filter(|s| !s.in_code)
            .map(|s| s.text)
            .collect()
    }

    #[test]
    fn inline_code_is_not_cut_into_sentences() {
        let body = "We ran `POST _cluster/reroute?retry_failed=true` and it went green.\n";
        assert_eq!(texts(body).len(), 1);
        let body = "Workers logged `Error 111. Connection refused.` every second.\n";
        assert_eq!(texts(body).len(), 1);
    }

    #[test]
    fn a_full_stop_before_a_lowercase_word_still_ends_a_sentence() {
        let body = "The load spiked within the same minute. ntpd had passed the leap second on.\n";
        assert_eq!(texts(body).len(), 2);
        // ... but not after an abbreviation, and "30 ms." is a unit.
        let body = "We tried everything, e.g. restarting the pods by hand.\n";
        assert_eq!(texts(body).len(), 1);
        let body = "Latency was back under 200 ms. The next day we added a cache.\n";
        assert_eq!(texts(body).len(), 2);
    }

    #[test]
    fn short_paragraphs_and_title_case_lines_are_headings() {
        let body = "Intro text here.\n\nWhat we saw\n\n- The disk filled up.\n";
        assert_eq!(headings(body), ["What we saw"]);
        let body = "It broke.\nDigging In\n`df -h` said the volume was 38% used.\n";
        assert_eq!(headings(body), ["Digging In"]);
        // A sentence in a paragraph of its own that merely lacks a stop is not.
        let body = "Intro text here.\n\nthe pool was too small\n\nMore text.\n";
        assert!(headings(body).is_empty());
    }

    #[test]
    fn a_label_ending_in_a_colon_keeps_its_code_block() {
        let body = "**Symptom:** The log filled with:\n\n```\naccept4() failed (24: Too many open files)\n```\n\nAfter.\n";
        let (sections, _) = sections_of(body, 1);
        let symptom = sections.iter().find(|s| s.heading == "Symptom").unwrap();
        let code: Vec<_> = symptom.sentences.iter().filter(|s| s.in_code).collect();
        assert_eq!(code.len(), 1);
        assert_eq!(code[0].line, 4);
        let after = sections
            .iter()
            .find(|s| s.sentences.iter().any(|t| t.text == "After."))
            .unwrap();
        assert_ne!(after.heading, "Symptom");
    }

    #[test]
    fn long_lines_are_paragraphs_and_tables_are_marked() {
        let long = "This line is long enough to be a paragraph of its own in a transcript file that has no blank lines at all.";
        let body = format!("{long}\n{long}\n");
        let (sections, _) = sections_of(&body, 1);
        let blocks: Vec<_> = sections[0].sentences.iter().map(|s| s.block).collect();
        assert_ne!(blocks[0], blocks[1]);
        let body = "| metric | value |\n|---|---|\n| p99 | 12 s |\n";
        let (sections, _) = sections_of(body, 1);
        assert!(sections
            .iter()
            .flat_map(|s| &s.sentences)
            .all(|s| s.in_table));
    }
}
