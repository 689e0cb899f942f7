//! When did it happen? Front matter first, then the slug, the title, the file
//! name, and the opening sentences ("January 30, 2012 was..."). Partial dates
//! are kept honestly: `2012-01` or `2012`, never a made-up day.

use super::FrontMatter;

const DATE_KEYS: [&str; 5] = ["date", "start_time", "started", "incident_date", "created"];

const MONTHS: [(&str, u32); 24] = [
    ("january", 1),
    ("february", 2),
    ("march", 3),
    ("april", 4),
    ("may", 5),
    ("june", 6),
    ("july", 7),
    ("august", 8),
    ("september", 9),
    ("october", 10),
    ("november", 11),
    ("december", 12),
    ("jan", 1),
    ("feb", 2),
    ("mar", 3),
    ("apr", 4),
    ("jun", 6),
    ("jul", 7),
    ("aug", 8),
    ("sep", 9),
    ("sept", 9),
    ("oct", 10),
    ("nov", 11),
    ("dec", 12),
];

pub fn find_date(
    front: &FrontMatter,
    slug: Option<&str>,
    title: Option<&str>,
    file_stem: &str,
    text: &str,
) -> Option<String> {
    DATE_KEYS
        .iter()
        .filter_map(|key| front.text(key))
        .find_map(date_in)
        .or_else(|| slug.and_then(date_in))
        .or_else(|| title.and_then(date_in))
        .or_else(|| date_in(file_stem))
        .or_else(|| date_in(text))
        // When the write-up was published, if nothing says when the
        // incident was: most are out within days, and a date near it
        // files the incident under its year. Last, so a story of an old
        // incident written up years later keeps the date it tells.
        .or_else(|| {
            PUBLISHED_KEYS
                .iter()
                .filter_map(|key| front.text(key))
                .find_map(date_in)
        })
}

const PUBLISHED_KEYS: [&str; 4] = [
    "source_published_at",
    "published_at",
    "published",
    "publish_date",
];

/// What is wrong with the date written in the front matter, if anything:
/// the key, and what became of its value. A typo there is the writer's
/// only say on the date; made quietly into a month, or replaced by a date
/// found in the text, it would never be noticed.
pub fn front_matter_date_problem(front: &FrontMatter) -> Option<(&'static str, String)> {
    let (key, value) = DATE_KEYS
        .iter()
        .find_map(|key| front.text(key).map(|value| (*key, value.trim())))?;
    match date_in(value) {
        None => Some((
            key,
            format!("`{value}` is not a date pmkb reads (write it as 2021-03-04); the date was looked for elsewhere"),
        )),
        Some(date) if date.len() == 7 && has_impossible_day(value) => Some((
            key,
            format!("`{value}` is not a day of the calendar; the date was kept as {date}"),
        )),
        Some(_) => None,
    }
}

/// Whether `text` starts as an ISO date with a day its month does not have.
fn has_impossible_day(text: &str) -> bool {
    let b = text.as_bytes();
    let number = |r: std::ops::Range<usize>| -> Option<u32> { text.get(r)?.parse().ok() };
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    match (number(0..4), number(5..7), number(8..10)) {
        (Some(y), Some(m), Some(d)) if (1..=12).contains(&m) => d == 0 || d > days_in_month(y, m),
        _ => false,
    }
}

fn month(word: &str) -> Option<u32> {
    let lower = word.to_lowercase();
    MONTHS
        .iter()
        .find(|(name, _)| *name == lower)
        .map(|&(_, m)| m)
}

fn year(word: &str) -> Option<u32> {
    (word.len() == 4)
        .then(|| word.parse().ok())
        .flatten()
        .filter(|y| (1900..=2100).contains(y))
}

/// The last day of a month, leap years counted: a day past it (a typo such
/// as `2018-02-30`) leaves the date at its month.
fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        2 if y.is_multiple_of(4) && (!y.is_multiple_of(100) || y.is_multiple_of(400)) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn day(word: &str) -> Option<u32> {
    let digits = word.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = &word[digits.len()..];
    if !(suffix.is_empty() || ["st", "nd", "rd", "th"].contains(&suffix)) || digits.len() > 2 {
        return None;
    }
    digits.parse().ok().filter(|d| (1..=31).contains(d))
}

/// The first date written in `text`, in any of the common forms.
pub fn date_in(text: &str) -> Option<String> {
    if let Some(iso) = iso_date(text) {
        return Some(iso);
    }
    let words: Vec<&str> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    for (i, word) in words.iter().enumerate() {
        let next = |k: usize| words.get(i + k).copied().unwrap_or("");
        if let Some(m) = month(word) {
            // "May" is also a verb: only take it with a number after it.
            if let (Some(d), Some(y)) = (day(next(1)), year(next(2))) {
                if d > days_in_month(y, m) {
                    return Some(format!("{y:04}-{m:02}"));
                }
                return Some(format!("{y:04}-{m:02}-{d:02}"));
            }
            if let Some(y) = year(next(1)) {
                return Some(format!("{y:04}-{m:02}"));
            }
        }
        if let (Some(d), Some(m), Some(y)) = (day(word), month(next(1)), year(next(2))) {
            if d > days_in_month(y, m) {
                return Some(format!("{y:04}-{m:02}"));
            }
            return Some(format!("{y:04}-{m:02}-{d:02}"));
        }
    }
    None
}

/// `2012-01-30` (also the start of `2012-01-30T10:00:00Z`), `2012-01`, or a
/// lone year in a date-only value.
fn iso_date(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    for start in 0..bytes.len() {
        if start > 0 && bytes[start - 1].is_ascii_digit() {
            continue;
        }
        if !text.is_char_boundary(start) {
            continue;
        }
        let rest = &text[start..];
        if rest.len() < 7 {
            continue;
        }
        let b = rest.as_bytes();
        let digits = |r: std::ops::Range<usize>| {
            b.get(r.clone())
                .is_some_and(|s| s.iter().all(u8::is_ascii_digit))
        };
        if !(digits(0..4) && b.get(4) == Some(&b'-') && digits(5..7)) {
            continue;
        }
        // An ISO date is explicit enough to take any year: some incidents
        // are historical (a 1628 shipwreck is in the public corpus).
        let Some(y) = rest[..4]
            .parse::<u32>()
            .ok()
            .filter(|y| (1000..=2999).contains(y))
        else {
            continue;
        };
        let m: u32 = rest[5..7].parse().ok()?;
        if !(1..=12).contains(&m) {
            continue;
        }
        if b.get(7) == Some(&b'-') && digits(8..10) && !b.get(10).is_some_and(u8::is_ascii_digit) {
            let d: u32 = rest[8..10].parse().ok()?;
            if (1..=days_in_month(y, m)).contains(&d) {
                return Some(format!("{y:04}-{m:02}-{d:02}"));
            }
            return Some(format!("{y:04}-{m:02}"));
        }
        if !b.get(7).is_some_and(|c| c.is_ascii_digit() || *c == b'-') {
            return Some(format!("{y:04}-{m:02}"));
        }
    }
    let trimmed = text.trim();
    year(trimmed).map(|y| format!("{y:04}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_dates_in_many_forms() {
        assert_eq!(
            date_in("april-9,-2007:-a-week-of-crazy-tech").as_deref(),
            Some("2007-04-09")
        );
        assert_eq!(
            date_in("January 30, 2012 was just another day").as_deref(),
            Some("2012-01-30")
        );
        assert_eq!(
            date_in("2019-05-02T10:00:00Z").as_deref(),
            Some("2019-05-02")
        );
        assert_eq!(
            date_in("on 3rd March 2015 we").as_deref(),
            Some("2015-03-03")
        );
        assert_eq!(date_in("in March 2015 we").as_deref(), Some("2015-03"));
        assert_eq!(date_in("2021").as_deref(), Some("2021"));
        assert_eq!(date_in("you may 5 times retry"), None);
        assert_eq!(date_in("port 8080 and 443"), None);
        assert_eq!(date_in("v2020-13-01"), None);
        // A day the month does not have keeps the month, not the typo.
        assert_eq!(date_in("date: 2018-02-30").as_deref(), Some("2018-02"));
        assert_eq!(date_in("2020-02-29").as_deref(), Some("2020-02-29"));
        assert_eq!(date_in("1900-02-29").as_deref(), Some("1900-02"));
        assert_eq!(date_in("April 31, 2019").as_deref(), Some("2019-04"));
        assert_eq!(date_in("31 June 2019").as_deref(), Some("2019-06"));
        assert_eq!(
            date_in("1628-08-10T12:00:00Z").as_deref(),
            Some("1628-08-10")
        );
        assert_eq!(
            date_in("1969-07-20T20:08:55Z").as_deref(),
            Some("1969-07-20")
        );
    }

    fn front(yaml: &str) -> FrontMatter {
        let lines: Vec<String> = yaml.lines().map(String::from).collect();
        crate::parse::front_matter::parse(&lines).expect("front matter")
    }

    #[test]
    fn the_publication_date_is_the_last_resort() {
        let published = front("source_published_at: 2023-04-20T10:00:00Z");
        assert_eq!(
            find_date(&published, None, None, "abc", "The API failed.").as_deref(),
            Some("2023-04-20")
        );
        // A date the post tells wins.
        assert_eq!(
            find_date(
                &published,
                None,
                None,
                "abc",
                "On January 15, 1990 the network failed."
            )
            .as_deref(),
            Some("1990-01-15")
        );
    }

    #[test]
    fn front_matter_dates_that_are_not_days_are_said() {
        let problem = |yaml: &str| front_matter_date_problem(&front(yaml));
        assert_eq!(problem("date: 2021-03-04"), None);
        assert_eq!(problem("date: 2021-03"), None);
        assert_eq!(problem("date: March 4, 2021"), None);
        assert_eq!(problem("title: no date here"), None);
        let (key, said) = problem("date: 2021-02-30").expect("impossible day");
        assert_eq!(key, "date");
        assert!(said.contains("kept as 2021-02"), "{said}");
        let (key, said) = problem("start_time: yesterday").expect("not a date");
        assert_eq!(key, "start_time");
        assert!(said.contains("`yesterday` is not a date"), "{said}");
        assert!(problem("date: 2021-13-01").is_some());
    }
}
