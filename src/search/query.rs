//! The query language: plain words by default, "quoted phrases", field
//! prefixes (`cause:`, `fix:`, `symptom:`, `title:`, `tech:`, `tag:`) and a
//! year filter (`year:2019` or `year:2018..2020`). An unknown `word:` is
//! just text, since pasted error messages are full of colons.

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
    Tech(String),
    Tag(String),
    Years(u32, u32),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedQuery {
    pub parts: Vec<Part>,
}

impl ParsedQuery {
    pub fn has_text(&self) -> bool {
        self.parts
            .iter()
            .any(|p| matches!(p, Part::Text(_) | Part::Phrase(_) | Part::Scoped(..)))
    }

    /// The words of the free text, phrases and scoped parts, joined.
    pub fn text(&self) -> String {
        let words: Vec<&str> = self
            .parts
            .iter()
            .filter_map(|p| match p {
                Part::Text(words) | Part::Phrase(words) | Part::Scoped(_, words) => {
                    Some(words.as_str())
                }
                _ => None,
            })
            .collect();
        words.join(" ")
    }
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
        let (token, remaining) = split_token(rest)?;
        rest = remaining.trim_start();
        if let Some(phrase) = token.strip_prefix('"') {
            let phrase = phrase.trim_end_matches('"').trim();
            if !phrase.is_empty() {
                parts.push(Part::Phrase(phrase.to_string()));
            }
            continue;
        }
        if let Some((prefix, value)) = token.split_once(':') {
            let prefix_lower = prefix.to_lowercase();
            let value = value.trim_matches('"').trim();
            let known = scope_of(&prefix_lower).is_some()
                || matches!(
                    prefix_lower.as_str(),
                    "tech" | "technology" | "tag" | "year"
                );
            if known && value.is_empty() {
                return Err(Error::Query(format!(
                    "`{prefix}:` needs a value, like `{prefix}:something`"
                )));
            }
            if let Some(scope) = scope_of(&prefix_lower) {
                parts.push(Part::Scoped(scope, value.to_string()));
                continue;
            }
            match prefix_lower.as_str() {
                "tech" | "technology" => {
                    parts.push(Part::Tech(value.to_lowercase()));
                    continue;
                }
                "tag" => {
                    parts.push(Part::Tag(value.to_lowercase()));
                    continue;
                }
                "year" => {
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
        assert_eq!(q.parts, [Part::Scoped(Scope::Fixes, "rolled back".into())]);
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
