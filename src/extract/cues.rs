//! Sentence cues: the words that say a sentence reports a symptom, names a
//! cause, or describes a fix — and the words that say it is scene-setting,
//! a wrong first guess, or a lesson. Weights were tuned on the labelled set
//! in `eval/gold` (see `cargo run --release --example eval_extract`).

/// (pattern, weight). A pattern matches at the start of a word and may run
/// on ("timeout" matches "timeouts"); a leading space is not needed.
type Cues = &'static [(&'static str, f32)];

pub const SYMPTOM: Cues = &[
    ("timing out", 2.0), ("timed out", 1.5), ("timeout", 1.5), ("time out", 1.5), ("intermittent", 2.0),
    ("error", 1.2), ("5xx", 1.5), ("500", 1.0), ("502", 1.5), ("503", 1.5), ("504", 1.5), ("fail", 1.2),
    ("slow", 1.2), ("latency", 1.2), ("users reported", 2.5), ("customers reported", 2.5), ("reported", 1.0),
    ("complain", 1.5), ("alert", 1.5), ("paged", 1.5), ("pager", 1.2), ("crash", 1.5), ("restarting", 1.2),
    ("oom", 1.5), ("out of memory", 1.5), ("unavailable", 1.5), ("outage", 1.0), ("degraded", 1.5),
    ("spike", 1.0), ("spiking", 1.0), ("dropped", 1.0), ("hung", 1.5), ("hang", 1.5), ("stuck", 1.2),
    ("unresponsive", 1.5), ("refused", 1.2), ("rejected", 1.0), ("couldn't", 0.8), ("could not", 0.8),
    ("unable to", 1.0), ("went down", 1.5), ("stale", 0.8), ("lag", 1.0), ("backlog", 1.0),
    ("crashloop", 2.0), ("exception", 1.2), ("stack trace", 1.0), ("noticed", 0.8), ("observed", 0.8),
    ("showed", 0.6), ("saw ", 0.6), ("dashboard", 0.8), ("affected", 1.0), ("impact", 1.0),
    ("elevated", 1.2), ("p99", 1.0), ("p95", 1.0), ("delays", 1.0), ("delayed", 1.0), ("pegged", 1.0),
    ("100%", 1.0), ("no space", 1.5), ("disk full", 1.5), ("killed", 1.2), ("stopped working", 1.5),
    ("broke", 1.0), ("broken", 1.0), ("not loading", 1.0), ("duplicate", 0.8), ("missing", 0.5),
    ("symptom", 1.5), ("returned", 0.8), ("returning", 0.8), ("throttl", 0.8), ("retries", 0.6),
    ("lost", 0.8), ("blank", 0.8), ("down", 0.6), ("hours late", 1.2), ("minutes late", 1.2), ("flapping", 1.2),
    ("pinned at", 1.0), ("logged out", 1.2), ("charged twice", 1.5), ("went flat", 1.2), ("white page", 1.2),
    ("tickets", 0.8), ("load average", 0.8), ("went off", 1.0), ("began", 0.6), ("started to", 0.5), ("started getting", 1.0),
];

pub const CAUSE: Cues = &[
    ("root cause", 3.0), ("the culprit", 3.0), ("turned out", 2.0), ("realized", 1.5), ("because", 2.2),
    ("due to", 2.2), ("caused by", 2.0), ("was caused", 2.0), ("causing", 1.0), ("caused", 1.0),
    ("triggered", 1.5), ("race condition", 1.5), ("leak", 1.5), ("misconfigur", 1.5), ("bottleneck", 1.0),
    ("exhaust", 1.5), ("deadlock", 1.5), ("contention", 1.2), ("expired", 1.0), ("bug", 1.0),
    ("regression", 1.0), ("wasn't", 0.6), ("weren't", 0.6), ("didn't", 0.5), ("did not", 0.5),
    ("too many", 0.5), ("too low", 1.2), ("too high", 1.0), ("too small", 1.2), ("too aggressive", 1.2),
    ("too short", 1.2), ("set to", 0.8), ("defaulted", 1.0), ("default", 0.5), ("limit", 0.7), ("never", 0.5),
    ("saturat", 1.0), ("overload", 0.8), ("starv", 1.2), ("stampede", 1.0), ("the reason", 1.5),
    ("responsible for", 1.2), ("missing", 0.8), ("forgot", 1.0), ("lock", 0.7), ("serializ", 0.5),
    ("led to", 1.0), ("resulted in", 1.0), ("which meant", 1.0), ("meant that", 0.8), ("so every", 0.6),
    ("unbounded", 1.2), ("without", 0.4), ("only", 0.3), ("trigger", 1.2), ("contributing", 1.5),
    ("config", 0.5), ("typo", 1.2), ("drift", 1.0), ("skew", 1.0), ("introduced", 0.6), ("stopped", 0.5),
    ("silently", 0.8), ("fell back", 0.8), ("pointed at", 0.8), ("exceed", 0.8), ("filled", 0.6),
    ("had no", 1.0), ("with no", 0.8), ("no maximum", 1.0), ("instead of", 0.6), ("leftover", 1.0), ("left over", 1.0),
    ("which made", 1.0), ("by mistake", 1.2), ("accidentally", 1.2), ("mistakenly", 1.2), ("someone", 0.6),
    ("so every", 0.6), ("so the", 0.4), ("so it", 0.4), ("refactor ", 0.8), ("a refactor", 0.8), ("once at startup", 0.8),
];

pub const FIX: Cues = &[
    ("we fixed", 2.5), ("fixed", 1.5), ("the fix", 2.0), ("to fix", 1.5), ("switched", 1.5),
    ("rolled back", 2.0), ("roll back", 1.5), ("rollback", 1.5), ("reverted", 2.0), ("revert", 1.5),
    ("increased", 1.2), ("raised", 1.2), ("bumped", 1.2), ("added", 1.2), ("adding", 1.0), ("add ", 0.8),
    ("patched", 2.0), ("patch", 1.0), ("refactored", 1.5), ("deployed", 1.2), ("restarted", 1.2),
    ("implemented", 1.5), ("implementing", 1.2), ("migrated", 1.2), ("moved", 0.8), ("replaced", 1.5),
    ("upgraded", 1.5), ("we now", 1.5), ("will ", 0.7), ("action item", 2.0), ("to resolve", 1.5),
    ("resolved", 1.5), ("mitigat", 1.5), ("configured", 1.0), ("enabled", 1.0), ("disabled", 1.2),
    ("tuned", 1.5), ("optimiz", 1.5), ("changed", 1.0), ("started using", 1.5), ("made sure", 1.2),
    ("put in place", 1.5), ("removed", 1.0), ("flushed", 1.0), ("cleared", 1.0), ("drained", 1.0),
    ("failed over", 1.2), ("scaled", 1.2), ("capped", 1.2), ("rotated", 1.2), ("renewed", 1.5),
    ("automat", 1.0), ("no more", 1.2), ("no longer", 1.0), ("back to normal", 1.5), ("recovered", 1.2),
    ("workaround", 1.5), ("rebuilt", 1.2), ("purged", 1.0), ("deleted", 1.0), ("cleaned up", 1.2),
    ("shipped", 1.2), ("rewrote", 1.5), ("going forward", 1.5), ("from now on", 1.5),
    ("prevent", 1.2), ("ensure", 0.8), ("set up", 0.6), ("introduce", 0.8), ("lowered", 1.2),
    ("reduced", 1.0), ("split", 0.6), ("we turned", 1.0), ("turned off", 1.2), ("killed the", 1.0),
    ("now ", 0.6), ("instead", 0.8), ("alerting", 0.8), ("runbook", 1.0), ("backfill", 0.6),
    ("reboot", 1.0), ("paused", 1.2), ("was stopped", 1.0), ("we put", 1.0), ("are now", 1.0), ("is now", 1.0),
    ("mandatory", 1.0), ("refunded", 1.2), ("we ran", 0.6), ("rolled out", 1.2), ("adjusted", 1.0), ("resized", 1.2), ("sized", 0.8), ("rerouted", 1.2), ("restored", 1.5), ("fail over", 1.0), ("retuned", 1.2),
];

/// Scene-setting, nostalgia and opinion: never a finding, and products
/// named here are not the incident's technologies.
pub const SCENE: &[&str] = &[
    "back then", "i remember", "launch", "headline", "in the news", "traction",
    "acquired by", "been acquired", "if only", "nostalgi", "those days", "weather", "coffee", "tech landscape",
    "tech world", "tech scene", "within a few years", "years later", "was buzzing", "hacker news",
    "everyone was talking", "couldn't help", "like a pro", "as i write this", "grateful", "rewarding",
    "puzzle", "every problem", "the industry", "was all the rage", "hype", "everyone was", "news",
    "y combinator", "conference", "that year", "those were", "buzzword",
];

/// A guess that may turn out wrong: weaker than a confirmation.
pub const HEDGE: &[&str] = &[
    "i thought", "we thought", "at first", "i suspected", "we suspected", "suspect", "maybe", "might",
    "perhaps", "my guess", "our guess", "wondered", "hypothes", "seemed", "felt like", "i assumed",
    "we assumed", "initially", "could be", "probably", "theory", "i figured", "was it",
];

pub const CONFIRM: &[&str] = &["confirmed", "proved", "supported my theory", "supported our theory", "verified", "sure enough"];

pub const LESSON: &[&str] = &[
    "lesson", "learned", "takeaway", "in hindsight", "reminder", "the importance of", "reminds", "we should have",
    "looking back",
];

/// Investigation steps: "I set up a load generator to reproduce it" is not a fix.
pub const INVESTIGATION: &[&str] = &[
    "to test", "reproduce", "load test", "load generator", "i started by", "looked at", "looking at",
    "checked", "investigat", "reached out", "asked", "first step", "dig", "debug",
    "to figure out", "to find out", "to see", "gather", "staring at", "i decided to",

];

/// Does `pattern` occur in `text` (both lowercase) at the start of a word?
pub fn has(text: &str, pattern: &str) -> bool {
    text.match_indices(pattern).any(|(at, _)| {
        at == 0 || !text[..at].chars().next_back().is_some_and(char::is_alphanumeric)
    })
}

pub fn score(text: &str, cues: Cues) -> f32 {
    cues.iter().filter(|(p, _)| has(text, p)).map(|(_, w)| w).sum()
}

pub fn any(text: &str, patterns: &[&str]) -> bool {
    patterns.iter().any(|p| has(text, p))
}

/// "someone had added", "the team had shipped": in a story, the past
/// perfect tells what happened before the incident — usually its cause.
pub fn past_perfect(text: &str) -> f32 {
    let mut words = text.split_whitespace().peekable();
    while let Some(word) = words.next() {
        if word == "had" {
            if let Some(next) = words.peek() {
                let next = next.trim_end_matches(|c: char| !c.is_alphanumeric());
                if next.len() > 3 && (next.ends_with("ed") || ["been", "shipped", "set", "put", "run", "made", "left"].contains(&next)) {
                    return 1.0;
                }
            }
        }
    }
    0.0
}
