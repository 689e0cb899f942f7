//! YAML front matter: ours (`id`, `title`, `date`, `tags`, `services`,
//! `severity`) and other people's (`uuid`, `start_time`, `keywords`, ...).
//! Values are kept as plain strings; `extract` decides what they mean.

use std::collections::BTreeMap;

use yaml_rust2::{Yaml, YamlLoader};

/// A front matter block is small; a huge one is a mistake or an attack, and
/// YAML aliases can multiply a small one (the "billion laughs").
const MAX_FRONT_MATTER_BYTES: usize = 64 * 1024;
const MAX_ALIASES: usize = 32;
const MAX_FRONT_MATTER_LINES: usize = 1000;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FrontMatter {
    values: BTreeMap<String, Vec<String>>,
    /// Keys whose value is not of the kind pmkb reads there, and what was
    /// made of it: said, not silently changed.
    pub odd_values: Vec<(String, String)>,
}

/// Keys read as one piece of text.
const ONE_VALUE: &[&str] = &[
    "id",
    "slug",
    "uuid",
    "title",
    "date",
    "start_time",
    "severity",
    "summary",
    "description",
    "company",
    "product",
];
/// Keys read as a list of texts.
const LIST: &[&str] = &["tags", "keywords", "services", "service"];

impl FrontMatter {
    /// The first value of a key (keys are case-insensitive).
    pub fn text(&self, key: &str) -> Option<&str> {
        self.values
            .get(key)
            .and_then(|v| v.first())
            .map(String::as_str)
            .filter(|v| !v.trim().is_empty())
    }

    /// All values of a key; a single comma-separated string counts as a list,
    /// since people write `tags: dns, k8s` as often as `tags: [dns, k8s]`.
    pub fn list(&self, key: &str) -> Vec<String> {
        let Some(values) = self.values.get(key) else {
            return Vec::new();
        };
        values
            .iter()
            .flat_map(|v| v.split(','))
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// Where the front matter is: lines `start..end`, closed by the line at
/// `end`; YAML between `---` lines, or TOML between `+++` lines (Hugo's).
pub struct Block {
    pub start: usize,
    pub end: usize,
    pub toml: bool,
}

pub fn split(lines: &[String]) -> Option<Block> {
    let open = lines.iter().position(|l| !l.trim().is_empty())?;
    let toml = match lines[open].trim_end() {
        "---" => false,
        "+++" => true,
        _ => return None,
    };
    let close = lines
        .iter()
        .enumerate()
        .skip(open + 1)
        .take(MAX_FRONT_MATTER_LINES)
        .find(|(_, l)| match l.trim_end() {
            "+++" => toml,
            "---" | "..." => !toml,
            _ => false,
        })?
        .0;
    Some(Block {
        start: open + 1,
        end: close,
        toml,
    })
}

/// The line that opens front matter `split` found no end to, when what
/// follows it reads as keys (`title: ...`, `id = ...`): a forgotten closing
/// line, whose keys would otherwise end up as the post's text unsaid. A
/// lone `---` before prose is a rule, and is left alone.
pub fn unclosed(lines: &[String]) -> Option<usize> {
    if split(lines).is_some() {
        return None;
    }
    let open = lines.iter().position(|l| !l.trim().is_empty())?;
    if !matches!(lines[open].trim_end(), "---" | "+++") {
        return None;
    }
    let next = lines[open + 1..].iter().find(|l| !l.trim().is_empty())?;
    let key_len = next
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(next.len());
    let rest = next[key_len..].trim_start();
    (key_len > 0 && (rest.starts_with(": ") || rest == ":" || rest.starts_with('=')))
        .then_some(open)
}

/// The block's text, unless it is too large to be front matter.
fn joined(lines: &[String]) -> Result<String, FrontMatterError> {
    let text = lines.join("\n");
    if text.len() > MAX_FRONT_MATTER_BYTES {
        return Err(FrontMatterError {
            line: 0,
            reason: format!("larger than {} KB", MAX_FRONT_MATTER_BYTES / 1024),
        });
    }
    Ok(text)
}

/// TOML front matter, read into the same keys and texts as YAML's.
pub fn parse_toml(lines: &[String]) -> Result<FrontMatter, FrontMatterError> {
    let text = joined(lines)?;
    let table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| FrontMatterError {
            line: e.span().map_or(0, |span| {
                text[..span.start.min(text.len())].matches('\n').count()
            }),
            reason: e.message().to_string(),
        })?;
    let text_of = |value: &toml::Value| match value {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Integer(i) => Some(i.to_string()),
        toml::Value::Float(f) => Some(f.to_string()),
        toml::Value::Boolean(b) => Some(b.to_string()),
        toml::Value::Datetime(d) => Some(d.to_string()),
        _ => None,
    };
    let mut front = FrontMatter::default();
    for (key, value) in table {
        let key = key.to_lowercase();
        let values: Vec<String> = match &value {
            toml::Value::Array(items) => items.iter().filter_map(text_of).collect(),
            other => text_of(other).into_iter().collect(),
        };
        if matches!(value, toml::Value::Table(_))
            && (ONE_VALUE.contains(&key.as_str()) || LIST.contains(&key.as_str()))
        {
            front
                .odd_values
                .push((key.clone(), "is a table, not text; it was left out".into()));
        }
        front.values.insert(key, values);
    }
    Ok(front)
}

#[derive(Debug)]
pub struct FrontMatterError {
    /// 0-based line within the block.
    pub line: usize,
    pub reason: String,
}

pub fn parse(lines: &[String]) -> Result<FrontMatter, FrontMatterError> {
    let text = joined(lines)?;
    let aliases = count_aliases(&text);
    if aliases > MAX_ALIASES {
        return Err(FrontMatterError {
            line: 0,
            reason: format!("{aliases} YAML aliases; at most {MAX_ALIASES} are accepted"),
        });
    }
    let docs = YamlLoader::load_from_str(&text).map_err(|e| FrontMatterError {
        line: block_line(&text, e.marker().line().saturating_sub(1))
            .min(lines.len().saturating_sub(1)),
        reason: e.info().to_string(),
    })?;
    let mut front = FrontMatter::default();
    match docs.into_iter().next() {
        None | Some(Yaml::Null) => {}
        Some(Yaml::Hash(hash)) => {
            for (key, value) in hash {
                let Some(key) = scalar(&key) else { continue };
                let key = key.to_lowercase();
                let values: Vec<String> = match &value {
                    Yaml::Array(items) => items.iter().filter_map(scalar).collect(),
                    other => scalar(other).into_iter().collect(),
                };
                let odd = match &value {
                    Yaml::Hash(_)
                        if ONE_VALUE.contains(&key.as_str()) || LIST.contains(&key.as_str()) =>
                    {
                        Some("is a mapping, not text; it was left out".to_string())
                    }
                    Yaml::Array(items) if ONE_VALUE.contains(&key.as_str()) && items.len() > 1 => {
                        Some(match values.first() {
                            Some(first) => format!(
                                "is a list, not one text; its first item, `{first}`, was used"
                            ),
                            None => "is a list of no text; it was left out".to_string(),
                        })
                    }
                    Yaml::Array(items) if items.len() > values.len() => Some(format!(
                        "has {} item(s) that are not text (lists or mappings); left out",
                        items.len() - values.len()
                    )),
                    _ => None,
                };
                if let Some(odd) = odd {
                    front.odd_values.push((key.clone(), odd));
                }
                front.values.insert(key, values);
            }
        }
        Some(_) => {
            return Err(FrontMatterError {
                line: 0,
                reason: "expected `key: value` lines".into(),
            });
        }
    }
    Ok(front)
}

/// The line of the block (lines cut at `\n`) of a 0-based YAML line: YAML
/// also breaks lines at a lone `\r`, which a post's lines keep as text.
fn block_line(text: &str, yaml_line: usize) -> usize {
    let (mut yaml, mut block) = (0, 0);
    let mut chars = text.chars().peekable();
    while yaml < yaml_line {
        match chars.next() {
            None => break,
            Some('\n') => block += 1,
            Some('\r') if chars.peek() != Some(&'\n') => {}
            Some(_) => continue,
        }
        yaml += 1;
    }
    block
}

fn scalar(value: &Yaml) -> Option<String> {
    match value {
        Yaml::String(s) | Yaml::Real(s) => Some(s.clone()),
        Yaml::Integer(i) => Some(i.to_string()),
        Yaml::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Counts `*alias` references, roughly: enough to refuse alias bombs before
/// the YAML loader expands them.
fn count_aliases(text: &str) -> usize {
    let bytes = text.as_bytes();
    (0..bytes.len())
        .filter(|&i| {
            bytes[i] == b'*'
                && (i == 0
                    || matches!(
                        bytes[i - 1],
                        b' ' | b'[' | b',' | b'{' | b'-' | b'\n' | b'\t'
                    ))
                && bytes
                    .get(i + 1)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
        })
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(String::from).collect()
    }

    #[test]
    fn reads_scalars_and_lists() {
        let front = parse(&lines(
            "id: X\ntags: [dns, k8s]\nkeywords:\n- a\n- b\ndate: 2020-01-02",
        ))
        .ok()
        .unwrap();
        assert_eq!(front.text("id"), Some("X"));
        assert_eq!(front.list("tags"), ["dns", "k8s"]);
        assert_eq!(front.list("keywords"), ["a", "b"]);
        assert_eq!(front.text("date"), Some("2020-01-02"));
    }

    #[test]
    fn refuses_alias_bombs_and_garbage() {
        let bomb = "a: &a [x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d]";
        assert!(parse(&lines(bomb)).is_err());
        assert!(parse(&lines("title: [unclosed")).is_err());
        assert!(parse(&lines("- just\n- a list")).is_err());
    }

    #[test]
    fn error_lines_count_only_newlines() {
        // YAML counts a lone `\r` as a line break; the post's lines do not.
        let text = lines("a: 1\rb: 2\rc: [unclosed\nd: 4");
        let err = parse(&text).err().unwrap();
        assert!(err.line < text.len(), "line {} of {}", err.line, text.len());
        assert_eq!(block_line("a\rb\r\nc\nd", 3), 2);
    }

    #[test]
    fn finds_the_block() {
        let text = lines("---\ntitle: x\n---\nbody");
        let block = split(&text).unwrap();
        assert_eq!((block.start, block.end), (1, 2));
        assert!(split(&lines("no front matter\n---\n")).is_none());
    }
}
