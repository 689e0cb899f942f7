//! The properties every extraction must keep, whatever the input: shared by
//! `tests/properties.rs` (proptest and the fuzz regressions) and by
//! `examples/fuzz_extract.rs` (which includes this file with `#[path]`).
//!
//! 1. Line numbers of findings (and of problems and warnings) are lines of
//!    the file: between 1 and the number of lines.
//! 2. Findings are taken from the text: every alphanumeric word of a finding
//!    occurs as a word of the file, either as written or as rendered by the
//!    markdown parser (inline markup such as `foo**bar**` renders as one word
//!    `foobar`, and `&eacute;` as `é`).
//! 3. Record ids are non-empty, normalised (`a-z`, `0-9` and single inner
//!    dashes) and unique among the records of one file.
#![allow(dead_code)]

use std::collections::HashSet;
use std::path::Path;

use pmkb::corpus::{split_posts, RawPost};
use pmkb::pipeline::{extract_posts, Records};
use pmkb::Config;
use pulldown_cmark::{Event, Options, Parser};

/// Runs one file's text the way `pmkb extract` does after reading it.
pub fn run(name: &str, text: &str) -> (Vec<RawPost>, Records) {
    let posts = split_posts(name, Path::new(name), text);
    let records = extract_posts(&posts, &Config::default());
    (posts, records)
}

/// Checks every property; the error says which one broke, and where.
pub fn check(text: &str, posts: &[RawPost], records: &Records) -> Result<(), String> {
    let lines = text.lines().count();
    let line_ok = |line: usize| (1..=lines.max(1)).contains(&line);

    let written: HashSet<&str> = words(text).collect();
    let mut rendered: Option<HashSet<String>> = None;
    let mut ids = HashSet::new();
    for record in &records.records {
        let incident = &record.extracted.incident;
        let id = &incident.id;
        if !is_normalised_id(id) {
            return Err(format!("id {id:?} is not normalised"));
        }
        if !ids.insert(id.clone()) {
            return Err(format!("id {id:?} is used by two records of one file"));
        }
        if !line_ok(incident.line) {
            return Err(format!(
                "record {id:?} starts on line {} of a {lines}-line file",
                incident.line
            ));
        }
        for (field, findings) in [
            ("symptom", &incident.symptoms),
            ("cause", &incident.causes),
            ("fix", &incident.fixes),
            ("lesson", &incident.lessons),
        ] {
            for finding in findings {
                if !line_ok(finding.line) {
                    return Err(format!(
                        "{field} {:?} is on line {} of a {lines}-line file",
                        finding.text, finding.line
                    ));
                }
                let unknown = |w: &&str| {
                    !written.contains(*w)
                        && !rendered
                            .get_or_insert_with(|| rendered_words(text, posts))
                            .contains(*w)
                };
                if let Some(word) = words(&finding.text).find(unknown) {
                    return Err(format!(
                        "{field} {:?} has the word {word:?}, which is not in the file",
                        finding.text
                    ));
                }
            }
        }
    }
    for (kind, problems) in [
        ("problem", &records.problems),
        ("warning", &records.warnings),
    ] {
        for problem in problems {
            if !line_ok(problem.line) {
                return Err(format!(
                    "{kind} {:?} is on line {} of a {lines}-line file",
                    problem.reason, problem.line
                ));
            }
        }
    }
    Ok(())
}

/// Only `a-z`, `0-9` and single dashes between them.
pub fn is_normalised_id(id: &str) -> bool {
    !id.is_empty()
        && id.split('-').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

/// Maximal runs of alphanumeric characters.
pub fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// Words of the file as the markdown parser renders it: the whole file,
/// and each post as `parse` hands it on, front matter blanked and perhaps
/// its title line(s) too (the first lines, a `Title:` line), since blanking
/// a line can change what the lines around it are (a fence, a paragraph),
/// and with CRLF line ends as LF (a code span renders `\r\n` differently).
fn rendered_words(text: &str, posts: &[RawPost]) -> HashSet<String> {
    let mut known: HashSet<String> = render(text);
    for post in posts {
        known.extend(render(&post.text));
        let body = pmkb::parse::without_front_matter(&post.text);
        // `parse` cuts lines at `\n` and drops a `\r` before it.
        let lines: Vec<&str> = body.split('\n').map(|l| l.trim_end_matches('\r')).collect();
        let nonblank: Vec<usize> = (0..lines.len())
            .filter(|&i| !lines[i].trim().is_empty())
            .take(6)
            .collect();
        let mut candidates: Vec<usize> = nonblank.iter().copied().take(2).collect();
        candidates.extend(
            nonblank
                .iter()
                .copied()
                .filter(|&i| lines[i].to_lowercase().contains("title:"))
                .take(1),
        );
        candidates.dedup();
        for subset in 0..1u32 << candidates.len() {
            let blank: Vec<usize> = (0..candidates.len())
                .filter(|bit| subset & (1 << bit) != 0)
                .map(|bit| candidates[bit])
                .collect();
            let variant: Vec<&str> = lines
                .iter()
                .enumerate()
                .map(|(i, l)| if blank.contains(&i) { "" } else { *l })
                .collect();
            known.extend(render(&variant.join("\n")));
        }
    }
    known
}

/// Words of the text pulldown-cmark renders: inline markup joins the runs
/// on either side of it; blocks and line breaks separate them.
fn render(markdown: &str) -> HashSet<String> {
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut plain = String::new();
    for event in Parser::new_ext(markdown, options) {
        match event {
            Event::Text(t) | Event::Code(t) => plain.push_str(&t),
            Event::InlineHtml(_) | Event::Html(_) => {}
            Event::Start(tag) if is_inline(&tag) => {}
            Event::End(tag) if is_inline_end(&tag) => {}
            _ => plain.push(' '),
        }
    }
    words(&plain).map(str::to_string).collect()
}

fn is_inline(tag: &pulldown_cmark::Tag) -> bool {
    use pulldown_cmark::Tag::*;
    matches!(
        tag,
        Emphasis | Strong | Strikethrough | Link { .. } | Image { .. }
    )
}

fn is_inline_end(tag: &pulldown_cmark::TagEnd) -> bool {
    use pulldown_cmark::TagEnd::*;
    matches!(tag, Emphasis | Strong | Strikethrough | Link | Image)
}
