//! Which field a section feeds, from its heading: the built-in vocabulary of
//! postmortem templates plus a team's own names from `pmkb.toml`.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickKind};

use crate::config::SectionNames;

/// What a section's sentences are about, judged from its heading alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SectionRole {
    Symptoms,
    Causes,
    Fixes,
    Lessons,
    /// Setup, background, timeline: sentences here are findings only when
    /// their own words say so strongly.
    Context,
    /// The summary tells the whole story in brief; sentences are classified
    /// by their words alone.
    Summary,
    /// No heading, or one we do not know.
    Unknown,
}

// Checked in this order, so "What went wrong" is a cause before "wrong"
// could mean anything else, and "Lessons learned" never reads as a fix.
const RULES: &[(SectionRole, &[&str])] = &[
    (
        SectionRole::Lessons,
        &[
            "lesson",
            "reflection",
            "went well",
            "got lucky",
            "takeaway",
            "learned",
            "learnings",
            "what we learned",
        ],
    ),
    (
        SectionRole::Summary,
        &["summary", "tl;dr", "tldr", "overview", "executive"],
    ),
    (
        SectionRole::Context,
        &[
            "setup",
            "background",
            "timeline",
            "context",
            "about",
            "environment",
            "architecture",
            "glossary",
            "appendix",
            "references",
            "open question",
            "unresolved",
        ],
    ),
    (
        SectionRole::Causes,
        &[
            "root cause",
            "cause",
            "trigger",
            "contributing",
            "contributor",
            "leadup",
            "lead-up",
            "five whys",
            "5 whys",
            "what went wrong",
            "eureka",
            "why",
            "culprit",
            "proximate",
            "analysis",
            "what was going on",
            "going on",
            "how it happened",
            "got through",
        ],
    ),
    (
        SectionRole::Fixes,
        &[
            "resolution",
            "fix",
            "mitigation",
            "remediation",
            "recovery",
            "repair",
            "response",
            "corrective",
            "action item",
            "follow-up",
            "follow up",
            "followup",
            "next step",
            "prevention",
            "solution",
            "workaround",
            "resolved",
            "actions",
            "what we changed",
            "what we did",
            "how we fixed",
            "how it was fixed",
            "cleanup",
            "clean up",
        ],
    ),
    (
        SectionRole::Symptoms,
        &[
            "symptom",
            "impact",
            "what happened",
            "issue",
            "problem",
            "detection",
            "fault",
            "chain of events",
            "diagnosis",
            "what broke",
            "outage",
            "incident",
            "observed",
            "customer",
            "user",
            "what we saw",
            "what we noticed",
            "what users saw",
            "signs",
        ],
    ),
];

/// A trigger is one event: the section's first paragraph states it, and
/// what follows is its consequences or the setting it fell into.
pub fn is_trigger(heading: &str) -> bool {
    contains_phrase(&normalize(heading), "trigger")
}

/// Contributing factors are causes, but secondary ones: they lend their
/// sentences less weight than a root cause or a trigger does.
pub fn is_secondary(heading: &str) -> bool {
    let normalized = normalize(heading);
    ["contributing", "contributor"]
        .iter()
        .any(|w| contains_phrase(&normalized, w))
}

/// Action items, follow-ups, next steps: a list of future work, of which a
/// reader wants the first few, not the whole backlog.
pub fn is_forward_looking(heading: &str) -> bool {
    let normalized = normalize(heading);
    [
        "action item",
        "follow-up",
        "follow up",
        "followup",
        "next step",
        "prevention",
        "corrective",
        "actions",
    ]
    .iter()
    .any(|w| contains_phrase(&normalized, w))
}

fn normalize(heading: &str) -> String {
    let lower = heading.to_lowercase().replace("(s)", "");
    let trimmed = lower
        .trim()
        .trim_start_matches(|c: char| c.is_ascii_digit() || c == '.' || c == ')' || c == ' ')
        .trim_end_matches([':', ' ', '.'])
        .trim();
    crate::parse::collapse_whitespace(trimmed)
}

/// Does `phrase` occur in `text` where a word starts? Headings are short
/// and asked about for every sentence under them, so this tries each word
/// start in place rather than building a substring searcher per call.
fn contains_phrase(text: &str, phrase: &str) -> bool {
    let mut after_word = false;
    text.char_indices().any(|(at, c)| {
        let starts_word = !after_word;
        after_word = c.is_alphanumeric();
        starts_word && text[at..].starts_with(phrase)
    })
}

fn starts_word(text: &str, at: usize) -> bool {
    at == 0
        || !text[..at]
            .chars()
            .next_back()
            .is_some_and(char::is_alphanumeric)
}

/// Every phrase of `RULES` in one automaton, each mapped to its rule: one
/// pass over a heading finds them all. A post can have a heading on every
/// other line, and a search per phrase made `roles` its hottest function.
static RULE_PHRASES: LazyLock<(AhoCorasick, Vec<usize>)> = LazyLock::new(|| {
    let (mut phrases, mut rule_of) = (Vec::new(), Vec::new());
    for (rule, (_, words)) in RULES.iter().enumerate() {
        for word in *words {
            phrases.push(*word);
            rule_of.push(rule);
        }
    }
    // The table is compiled into the program; it always builds.
    let automaton = AhoCorasick::builder()
        .kind(Some(AhoCorasickKind::DFA))
        .build(&phrases)
        .expect("section phrases are valid patterns");
    (automaton, rule_of)
});

/// The first of `RULES`, in order, with a phrase that starts a word of
/// `part` (what `contains_phrase` says of each phrase, all at once).
fn first_rule(part: &str) -> Option<SectionRole> {
    let (automaton, rule_of) = &*RULE_PHRASES;
    automaton
        .find_overlapping_iter(part)
        .filter(|m| starts_word(part, m.start()))
        .map(|m| rule_of[m.pattern().as_usize()])
        .min()
        .map(|rule| RULES[rule].0)
}

/// The roles a heading names; combined headings ("Root cause and
/// mitigation") name more than one.
pub fn roles(heading: &str, extra: &SectionNames) -> Vec<SectionRole> {
    let normalized = normalize(heading);
    if normalized.is_empty() {
        return vec![SectionRole::Unknown];
    }
    let configured: [(SectionRole, &Vec<String>); 5] = [
        (SectionRole::Symptoms, &extra.symptoms),
        (SectionRole::Causes, &extra.causes),
        (SectionRole::Fixes, &extra.fixes),
        (SectionRole::Lessons, &extra.lessons),
        (SectionRole::Context, &extra.context),
    ];
    for (role, names) in configured {
        if names.iter().any(|n| normalize(n) == normalized) {
            return vec![role];
        }
    }
    let mut found = Vec::new();
    for part in normalized
        .split([',', '&', '/'])
        .flat_map(|p| p.split(" and "))
    {
        if let Some(role) = first_rule(part.trim()) {
            if !found.contains(&role) {
                found.push(role);
            }
        }
    }
    if found.is_empty() {
        found.push(SectionRole::Unknown);
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use SectionRole::*;

    fn r(h: &str) -> Vec<SectionRole> {
        roles(h, &SectionNames::default())
    }

    #[test]
    fn vocabulary() {
        assert_eq!(r("The Issue"), [Symptoms]);
        assert_eq!(r("Root Cause(s)"), [Causes]);
        assert_eq!(r("The Eureka Moment"), [Causes]);
        assert_eq!(r("The Fix"), [Fixes]);
        assert_eq!(r("Lessons Learned"), [Lessons]);
        assert_eq!(r("The Reflection"), [Lessons]);
        assert_eq!(r("Root cause and mitigation"), [Causes, Fixes]);
        assert_eq!(r("3. Customer Impact:"), [Symptoms]);
        assert_eq!(r("Timeline"), [Context]);
        assert_eq!(r("What went wrong"), [Causes]);
        assert_eq!(r("Prefix of nothing"), [Unknown]);
    }

    #[test]
    fn one_pass_finds_the_rule_a_search_per_phrase_finds() {
        let by_phrase = |part: &str| {
            RULES
                .iter()
                .find(|(_, words)| words.iter().any(|w| contains_phrase(part, w)))
                .map(|(role, _)| *role)
        };
        for part in [
            "the issue",
            "root cause(s)",
            "what went wrong",
            "lessons learned",
            "prefix of nothing",
            "signsigns",
            "repairepair",
            "a what we saw what we saw",
            "unresolved fix",
            "tl;dr",
            "5 whys",
            "overview of the outage",
            "",
        ] {
            assert_eq!(first_rule(part), by_phrase(part), "{part:?}");
        }
    }

    #[test]
    fn team_names_win() {
        let extra = SectionNames {
            causes: vec!["What broke".into()],
            ..Default::default()
        };
        assert_eq!(roles("what broke", &extra), [Causes]);
    }
}
