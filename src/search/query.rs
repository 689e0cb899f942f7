//! The query language: plain words by default, "quoted phrases", field
//! prefixes (`cause:`, `fix:`, `symptom:`, `title:`, `tech:`, `tag:`), a
//! year filter (`year:2019` or `year:2018..2020`), and words to leave out
//! (`-word`, `NOT word`, either with a "phrase"). An unknown `word:` is
//! just text, since pasted error messages are full of colons, unless it
//! is one slip from a field's name (`casue:`): searched as words, that
//! would quietly answer another question.

use crate::error::{Error, Result};

/// Longer than any symptom anyone types; guards the query builder.
pub const MAX_QUERY_CHARS: usize = 1000;
const MAX_TERMS: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Symptoms,
    Causes,
    Fixes,
    Title,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// Free text, searched in every field.
    Text(String),
    /// A quoted phrase, searched in every field.
    Phrase(String),
    /// Text that must occur in one field.
    Scoped(Scope, String),
    /// A quoted phrase that must occur in one field (`symptom:"connection
    /// refused"`): as typed, words together, no synonyms.
    ScopedPhrase(Scope, String),
    Tech(String),
    Tag(String),
    Years(u32, u32),
    /// Words or a phrase no hit may mention, in any field.
    Excluded(String),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedQuery {
    pub parts: Vec<Part>,
}

impl ParsedQuery {
    pub fn has_text(&self) -> bool {
        self.parts.iter().any(|p| {
            matches!(
                p,
                Part::Text(_) | Part::Phrase(_) | Part::Scoped(..) | Part::ScopedPhrase(..)
            )
        })
    }

    /// The words of the free text, phrases and scoped parts, joined.
    pub fn text(&self) -> String {
        let words: Vec<&str> = self
            .parts
            .iter()
            .filter_map(|p| match p {
                Part::Text(words)
                | Part::Phrase(words)
                | Part::Scoped(_, words)
                | Part::ScopedPhrase(_, words) => Some(words.as_str()),
                _ => None,
            })
            .collect();
        words.join(" ")
    }
}

/// The names a field prefix is spelled with, for telling a slip of one
/// (`casue:`, `yaer:`) from the colons of pasted text. Names of three
/// letters are left out: "who:" or "six:" is more likely text than a slip.
const FIELD_NAMES: &[&str] = &["symptom", "cause", "title", "tech", "year"];

/// Whether `a` is `b` with one letter changed, added, dropped, or two
/// neighbours swapped.
fn one_slip(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a == b || a.len().abs_diff(b.len()) > 1 {
        return false;
    }
    let start = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let (a, b) = (&a[start..], &b[start..]);
    let swapped = a.len() == b.len() && a.len() >= 2 && a[0] == b[1] && a[1] == b[0];
    (swapped && a[2..] == b[2..])
        || a.get(1..) == b.get(1..)
        || a.get(1..) == Some(b)
        || b.get(1..) == Some(a)
}

/// The field `prefix` is likely a slip of.
fn misspelled_field(prefix: &str) -> Option<&'static str> {
    if prefix.chars().count() < 4 || !prefix.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    FIELD_NAMES
        .iter()
        .copied()
        .find(|name| one_slip(prefix, name) || one_slip(prefix, &format!("{name}s")))
}

fn scope_of(prefix: &str) -> Option<Scope> {
    match prefix {
        "symptom" | "symptoms" => Some(Scope::Symptoms),
        "cause" | "causes" | "why" => Some(Scope::Causes),
        "fix" | "fixes" | "resolution" => Some(Scope::Fixes),
        "title" => Some(Scope::Title),
        _ => None,
    }
}

fn parse_years(value: &str) -> Result<(u32, u32)> {
    let bad = || {
        Error::Query(format!(
            "`year:{value}` is not a year or a range like 2018..2020"
        ))
    };
    let year = |s: &str| {
        s.trim()
            .parse::<u32>()
            .ok()
            .filter(|y| (1900..=2200).contains(y))
            .ok_or_else(bad)
    };
    match value.split_once("..") {
        Some((from, to)) => {
            let (from, to) = (year(from)?, year(to)?);
            Ok((from.min(to), from.max(to)))
        }
        None => {
            let y = year(value)?;
            Ok((y, y))
        }
    }
}

/// Splits a query into its parts. Fails, with a message that says what to
/// change, on an unbalanced quote, an empty `field:`, a bad year, or a query
/// too long to be a symptom.
pub fn parse(input: &str) -> Result<ParsedQuery> {
    if input.chars().count() > MAX_QUERY_CHARS {
        return Err(Error::Query(format!(
            "query too long (at most {MAX_QUERY_CHARS} characters)"
        )));
    }
    let input: String = input
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut parts = Vec::new();
    let mut rest = input.trim();
    while !rest.is_empty() {
        if parts.len() >= MAX_TERMS {
            return Err(Error::Query(format!(
                "too many terms (at most {MAX_TERMS})"
            )));
        }
        // A token ends at whitespace outside quotes.
        let (mut token, remaining) = split_token(rest)?;
        rest = remaining.trim_start();
        // `AND` and `OR` join words that are searched together anyway:
        // the incidents with more of them rank first.
        if matches!(token, "AND" | "OR" | "&&" | "||") {
            continue;
        }
        let mut excluded = false;
        if token == "NOT" {
            let (next, remaining) = split_token(rest)?;
            if next.is_empty() {
                return Err(Error::Query(
                    "`NOT` needs a word after it, like `NOT staging`".into(),
                ));
            }
            (token, rest, excluded) = (next, remaining.trim_start(), true);
        } else if let Some(word) = token.strip_prefix('-') {
            // `-word` leaves it out; a lone `-` is punctuation, and `-i`
            // or `-rf` a command's flags, pasted with the command.
            let long_enough = word.chars().take_while(|c| c.is_alphanumeric()).count() >= 3;
            if word.starts_with('"') || (word.starts_with(char::is_alphabetic) && long_enough) {
                (token, excluded) = (word, true);
            }
        }
        if excluded {
            let words = token.trim_matches('"').trim();
            if !words.is_empty() {
                parts.push(Part::Excluded(words.to_string()));
            }
            continue;
        }
        if let Some(phrase) = token.strip_prefix('"') {
            let phrase = phrase.trim_end_matches('"').trim();
            if !phrase.is_empty() {
                parts.push(Part::Phrase(phrase.to_string()));
            }
            continue;
        }
        if let Some((prefix, value)) = token.split_once(':') {
            let prefix_lower = prefix.to_lowercase();
            let mut quoted = value.starts_with('"');
            let mut value = value.trim_matches('"').trim();
            let known = scope_of(&prefix_lower).is_some()
                || matches!(
                    prefix_lower.as_str(),
                    "tech" | "technology" | "tag" | "tags" | "year" | "years"
                );
            if known && value.is_empty() && token.ends_with(':') && !rest.is_empty() {
                // "cause: leak", as notes write it: the value is the next word.
                let (next, remaining) = split_token(rest)?;
                quoted = next.starts_with('"');
                (value, rest) = (next.trim_matches('"').trim(), remaining.trim_start());
            }
            if known && value.is_empty() {
                return Err(Error::Query(format!(
                    "`{prefix}:` needs a value, like `{prefix}:something`"
                )));
            }
            if let Some(field) = misspelled_field(&prefix_lower).filter(|_| !known) {
                return Err(Error::Query(format!(
                    "`{prefix}:` is not a field: did you mean `{field}:`? (fields: symptom: cause: fix: title: tech: tag: year:; quote it, \"{token}\", to search the text)"
                )));
            }
            if let Some(scope) = scope_of(&prefix_lower) {
                parts.push(if quoted {
                    Part::ScopedPhrase(scope, value.to_string())
                } else {
                    Part::Scoped(scope, value.to_string())
                });
                continue;
            }
            match prefix_lower.as_str() {
                "tech" | "technology" => {
                    parts.push(Part::Tech(value.to_lowercase()));
                    continue;
                }
                "tag" | "tags" => {
                    parts.push(Part::Tag(value.to_lowercase()));
                    continue;
                }
                "year" | "years" => {
                    let (from, to) = parse_years(value)?;
                    parts.push(Part::Years(from, to));
                    continue;
                }
                _ => {}
            }
        }
        match parts.last_mut() {
            Some(Part::Text(text)) => {
                text.push(' ');
                text.push_str(token);
            }
            _ => parts.push(Part::Text(token.to_string())),
        }
    }
    Ok(ParsedQuery { parts })
}

fn split_token(text: &str) -> Result<(&str, &str)> {
    let mut in_quote = false;
    for (i, c) in text.char_indices() {
        match c {
            '"' => in_quote = !in_quote,
            c if c.is_whitespace() && !in_quote => return Ok((&text[..i], &text[i..])),
            _ => {}
        }
    }
    if in_quote {
        return Err(Error::Query(
            "unbalanced quote: close the phrase with another `\"`".into(),
        ));
    }
    Ok((text, ""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_form() {
        let q = parse(r#"intermittent timeout "connection pool" cause:leak tech:K8s year:2018..2020 error: refused"#).unwrap();
        assert_eq!(
            q.parts,
            [
                Part::Text("intermittent timeout".into()),
                Part::Phrase("connection pool".into()),
                Part::Scoped(Scope::Causes, "leak".into()),
                Part::Tech("k8s".into()),
                Part::Years(2018, 2020),
                Part::Text("error: refused".into()),
            ]
        );
        let q = parse(r#"fix:"rolled back""#).unwrap();
        assert_eq!(
            q.parts,
            [Part::ScopedPhrase(Scope::Fixes, "rolled back".into())]
        );
        let q =
            parse(r#"timeout -staging NOT "load test" AND disk OR - cause: leak tags:db"#).unwrap();
        let flags = parse("inodes df -i rm -rf").unwrap();
        assert_eq!(flags.parts, [Part::Text("inodes df -i rm -rf".into())]);
        assert_eq!(
            q.parts,
            [
                Part::Text("timeout".into()),
                Part::Excluded("staging".into()),
                Part::Excluded("load test".into()),
                Part::Text("disk -".into()),
                Part::Scoped(Scope::Causes, "leak".into()),
                Part::Tag("db".into()),
            ]
        );
    }

    #[test]
    fn a_slip_in_a_field_name_is_caught_and_pasted_colons_are_text() {
        for (typed, meant) in [
            ("casue", "cause"),
            ("yaer", "year"),
            ("symtpom", "symptom"),
            ("titel", "title"),
            ("tecch", "tech"),
        ] {
            let err = parse(&format!("{typed}:x")).unwrap_err().to_string();
            assert!(
                err.contains(&format!("did you mean `{meant}:`")),
                "{typed}: {err}"
            );
        }
        for text in [
            "error: refused",
            "Caused by: java.io.IOException",
            "http://host:80",
            "who:me",
            "fixed: in 2.3",
            "ERRNO:28",
        ] {
            let q = parse(text).unwrap();
            assert!(
                q.parts.iter().all(|p| matches!(p, Part::Text(_))),
                "{text}: {q:?}"
            );
        }
    }

    #[test]
    fn rejects_what_cannot_be_searched() {
        assert!(parse(r#"unbalanced "quote"#).is_err());
        assert!(parse("cause:").is_err());
        assert!(parse("year:soon").is_err());
        assert!(parse(&"x".repeat(5000)).is_err());
        assert!(parse("").unwrap().parts.is_empty());
    }
}
