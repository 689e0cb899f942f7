//! Sentence cues: the words that say a sentence reports a symptom, names a
//! cause, or describes a fix — and the words that say it is scene-setting,
//! a wrong first guess, or a lesson. Weights were tuned on the labelled set
//! in `eval/gold` (see `cargo run --release --example eval_extract`).

//!
//! A pattern matches at the start of a word and may run on ("timeout"
//! matches "timeouts"); a leading space is not needed.
//!
//! The texts asked about are a parsed sentence's, lowercased: the parser
//! has collapsed every run of whitespace (Unicode's included) into one
//! space, so words are split on ASCII whitespace, byte by byte, rather
//! than by decoding characters (which was 2% of an import).

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickKind};

pub static SYMPTOM: Weighted = Weighted::new(&[
    ("data loss", 1.5),
    ("were lost", 1.2),
    ("was lost", 1.0),
    ("manifested as", 2.0),
    ("not delivered", 1.2),
    ("marked as failed", 1.2),
    ("403", 1.0),
    ("429", 1.0),
    ("timing out", 2.0),
    ("timed out", 1.5),
    ("timeout", 1.5),
    ("time out", 1.5),
    ("intermittent", 2.0),
    ("error", 1.2),
    ("5xx", 1.5),
    ("500", 1.0),
    ("502", 1.5),
    ("503", 1.5),
    ("504", 1.5),
    ("fail", 1.2),
    ("slow", 1.2),
    ("latency", 1.2),
    ("users reported", 2.5),
    ("customers reported", 2.5),
    ("reported", 1.0),
    ("complain", 1.5),
    ("alert", 1.5),
    ("paged", 1.5),
    ("pager", 1.2),
    ("crash", 1.5),
    ("restarting", 1.2),
    ("oom", 1.5),
    ("out of memory", 1.5),
    ("unavailable", 1.5),
    ("outage", 1.0),
    ("degraded", 1.5),
    ("spike", 1.0),
    ("spiking", 1.0),
    ("dropped", 1.0),
    ("hung", 1.5),
    ("hang", 1.5),
    ("stuck", 1.2),
    ("unresponsive", 1.5),
    ("refused", 1.2),
    ("rejected", 1.0),
    ("couldn't", 0.8),
    ("could not", 0.8),
    ("unable to", 1.0),
    ("went down", 1.5),
    ("stale", 0.8),
    ("lag", 1.0),
    ("backlog", 1.0),
    ("crashloop", 2.0),
    ("exception", 1.2),
    ("stack trace", 1.0),
    ("noticed", 1.0),
    ("observed", 1.2),
    ("showed", 0.6),
    ("saw ", 0.6),
    ("dashboard", 0.8),
    ("affected", 1.0),
    ("impact", 1.0),
    ("elevated", 1.2),
    ("p99", 1.0),
    ("p95", 1.0),
    ("delays", 1.0),
    ("delayed", 1.0),
    ("pegged", 1.0),
    ("100%", 1.0),
    ("no space", 1.5),
    ("disk full", 1.5),
    ("killed", 1.2),
    ("stopped working", 1.5),
    ("broke", 1.0),
    ("broken", 1.0),
    ("not loading", 1.0),
    ("duplicate", 0.8),
    ("missing", 0.5),
    ("symptom", 1.5),
    ("returned", 0.8),
    ("returning", 0.8),
    ("throttl", 0.8),
    ("retries", 0.6),
    ("lost", 0.8),
    ("blank", 0.8),
    ("down", 0.6),
    ("hours late", 1.2),
    ("minutes late", 1.2),
    ("flapping", 1.2),
    ("pinned at", 1.0),
    ("logged out", 1.2),
    ("charged twice", 1.5),
    ("went flat", 1.2),
    ("white page", 1.2),
    ("tickets", 0.8),
    ("load average", 0.8),
    ("went off", 1.0),
    ("began", 0.6),
    ("started to", 0.5),
    ("started getting", 1.0),
    // Impact as outage reports word it.
    ("experienced", 1.8),
    ("suffered", 1.2),
    ("inaccessible", 1.5),
    ("unreachable", 1.5),
    ("lost access", 1.5),
    ("loss of", 1.0),
    ("disruption", 1.0),
    ("disrupted", 1.0),
    ("standstill", 1.5),
    ("unusable", 1.5),
    ("offline", 1.2),
    // Security incidents: what was seen is the attack.
    ("ddos", 1.5),
    ("under attack", 1.5),
    ("unauthorized access", 1.5),
    ("compromised", 1.2),
]);

pub static CAUSE: Weighted = Weighted::new(&[
    ("lack of", 1.5),
    ("lacked", 1.5),
    ("lacking", 1.2),
    ("insufficient", 1.2),
    ("inadequate", 1.2),
    ("absence of", 1.2),
    ("root cause", 3.0),
    ("the culprit", 3.0),
    ("turned out", 2.0),
    ("realized", 1.5),
    ("because", 2.2),
    ("due to", 2.2),
    ("caused by", 2.0),
    ("was caused", 2.0),
    ("causing", 1.0),
    ("caused", 1.0),
    ("triggered", 1.5),
    ("race condition", 1.5),
    ("leak", 1.5),
    ("misconfigur", 1.5),
    ("bottleneck", 1.0),
    ("exhaust", 1.5),
    ("deadlock", 1.5),
    ("contention", 1.2),
    ("expired", 1.0),
    ("bug", 1.0),
    ("regression", 1.0),
    ("wasn't", 0.6),
    ("weren't", 0.6),
    ("didn't", 0.5),
    ("did not", 0.5),
    ("too many", 0.5),
    ("too low", 1.2),
    ("too high", 1.0),
    ("too small", 1.2),
    ("too aggressive", 1.2),
    ("too short", 1.2),
    ("set to", 0.8),
    ("defaulted", 1.0),
    ("default", 0.5),
    ("limit", 0.7),
    ("never", 0.5),
    ("saturat", 1.0),
    ("overload", 0.8),
    ("starv", 1.2),
    ("stampede", 1.0),
    ("the reason", 1.5),
    ("responsible for", 1.2),
    ("missing", 0.8),
    ("forgot", 1.0),
    ("lock", 0.7),
    ("serializ", 0.5),
    ("led to", 1.0),
    ("resulted in", 1.0),
    ("which meant", 1.0),
    ("meant that", 0.8),
    ("so every", 0.6),
    ("unbounded", 1.2),
    ("without", 0.4),
    ("only", 0.3),
    ("trigger", 1.2),
    ("contributing", 1.5),
    ("config", 0.5),
    ("typo", 2.0),
    ("drift", 1.0),
    ("skew", 1.0),
    ("introduced", 0.6),
    ("stopped", 0.5),
    ("silently", 0.8),
    ("fell back", 0.8),
    ("pointed at", 0.8),
    ("exceed", 0.8),
    ("filled", 0.6),
    ("had no", 1.0),
    ("with no", 0.8),
    ("no maximum", 1.0),
    ("instead of", 0.6),
    ("leftover", 1.0),
    ("left over", 1.0),
    ("which made", 1.0),
    ("by mistake", 1.2),
    ("accidentally", 1.2),
    ("mistakenly", 1.2),
    ("someone", 0.6),
    ("so every", 0.6),
    ("so the", 0.4),
    ("so it", 0.4),
    (", so ", 0.4),
    ("leading to", 1.0),
    ("resulting in", 1.0),
    ("corrupt", 1.0),
    ("wrong", 0.6),
    ("made it worse", 1.5),
    ("made it much worse", 1.5),
    ("made things worse", 1.5),
    ("made matters worse", 1.5),
    ("maximum", 0.6),
    ("at once", 0.6),
    ("in one go", 0.8),
    ("simultaneously", 0.6),
    ("outgrew", 1.2),
    ("faster than", 0.6),
    ("keep up", 0.8),
    ("blocked", 0.6),
    ("revoked", 0.8),
    ("invalidat", 0.6),
    ("sized for", 0.8),
    ("still ", 0.3),
    ("refactor ", 0.8),
    ("a refactor", 0.8),
    ("once at startup", 0.8),
    ("nothing in", 1.0),
    ("a bug", 1.2),
    ("there was no", 1.0),
    // How outage reports name a cause.
    ("stemmed from", 2.2),
    ("stemming from", 2.0),
    ("attributed to", 2.0),
    ("traced to", 2.0),
    ("traced back to", 2.0),
    ("the core issue", 2.0),
    ("core of the problem", 2.0),
    ("design flaw", 2.0),
    ("flaw", 1.2),
    ("defect", 1.2),
    ("was triggered by", 2.0),
    ("inadvertently", 1.2),
]);

pub static FIX: Weighted = Weighted::new(&[
    ("modified", 1.2),
    ("halted", 1.0),
    ("reinstat", 1.0),
    ("re-enabl", 1.0),
    ("temporary measure", 1.5),
    ("resolution involved", 2.0),
    ("corrective action", 1.5),
    ("alert when", 1.5),
    ("alert on", 1.5),
    ("alerts on", 1.5),
    ("we fixed", 2.5),
    ("fixed", 1.5),
    ("the fix", 2.0),
    ("to fix", 1.5),
    ("switched", 1.5),
    ("rolled back", 2.0),
    ("roll back", 1.5),
    ("rollback", 1.5),
    ("reverted", 2.0),
    ("revert", 1.5),
    ("increased", 1.2),
    ("raised", 1.2),
    ("bumped", 1.2),
    ("added", 1.2),
    ("adding", 1.0),
    ("add ", 0.8),
    ("patched", 2.0),
    ("patch", 1.0),
    ("refactored", 1.5),
    ("deployed", 1.2),
    ("restart", 1.0),
    ("restarted", 0.2),
    ("set ", 0.5),
    ("implemented", 1.5),
    ("implementing", 1.2),
    ("migrated", 1.2),
    ("moved", 0.8),
    ("replaced", 1.5),
    ("upgraded", 1.5),
    ("we now", 1.5),
    ("will ", 0.7),
    ("action item", 2.0),
    ("to resolve", 1.5),
    ("resolved", 1.5),
    ("mitigat", 1.5),
    ("configured", 1.0),
    ("enabled", 1.0),
    ("disabled", 1.2),
    ("tuned", 1.5),
    ("optimiz", 1.5),
    ("changed", 1.0),
    ("started using", 1.5),
    ("made sure", 1.2),
    ("put in place", 1.5),
    ("removed", 1.0),
    ("flushed", 1.0),
    ("cleared", 1.0),
    ("drained", 1.0),
    ("failed over", 1.2),
    ("scaled", 1.2),
    ("capped", 1.2),
    ("rotated", 1.2),
    ("renewed", 1.5),
    ("automat", 1.0),
    ("no more", 1.2),
    ("no longer", 1.0),
    ("workaround", 1.5),
    ("rebuilt", 1.2),
    ("purged", 1.0),
    ("deleted", 1.0),
    ("cleaned up", 1.2),
    ("shipped", 1.2),
    ("rewrote", 1.5),
    ("going forward", 1.5),
    ("from now on", 1.5),
    // Not "prevented", and "preventing" only a little: "a bug prevented
    // instances from recovering" tells what went wrong.
    ("prevent ", 1.2),
    ("prevent.", 1.2),
    ("prevents ", 0.6),
    ("thereby preventing", 1.2),
    ("preventing", 0.6),
    ("prevention", 1.2),
    ("preventative", 1.2),
    ("preventive", 1.2),
    ("ensure", 0.8),
    ("set up", 0.6),
    ("introduce", 0.8),
    ("lowered", 1.2),
    ("reduced", 1.0),
    ("split", 0.6),
    ("we turned", 1.0),
    ("turned off", 1.2),
    ("killed the", 1.0),
    ("now ", 0.6),
    ("instead", 0.8),
    ("alerting", 0.8),
    ("runbook", 1.0),
    ("backfill", 0.6),
    ("reboot", 1.0),
    ("paused", 1.2),
    ("was stopped", 1.0),
    ("we put", 1.0),
    ("are now", 1.0),
    ("is now", 1.0),
    ("mandatory", 1.0),
    ("refunded", 1.2),
    ("we ran", 0.6),
    ("rolled out", 1.2),
    ("adjusted", 1.0),
    ("resized", 1.2),
    ("sized", 0.8),
    ("rerouted", 1.2),
    ("restored", 1.5),
    ("fail over", 1.0),
    ("retuned", 1.2),
    ("plans to", 1.0),
    ("planned to", 0.8),
    ("implement ", 1.0),
    ("improve ", 0.8),
    ("unpublished", 1.2),
    ("remediat", 1.5),
    ("to restore", 1.2),
]);

/// Words of a log line that reports a failure, on top of `SYMPTOM`:
/// what makes one line of a log excerpt the one a reader needs.
pub static ERROR_LINE: Weighted = Weighted::new(&[
    ("fatal", 1.5),
    ("panic", 1.5),
    ("crit", 1.0),
    ("too many", 1.0),
    ("full", 1.0),
    ("cannot", 1.0),
    ("can't", 1.0),
    ("denied", 1.0),
    ("expired", 1.0),
    ("not available", 1.0),
    ("dropping", 1.0),
    ("exceeded", 0.8),
    ("no space", 1.0),
]);

/// Things getting better on their own after the fix ("error rate back to
/// normal at 10:16", "replicas caught up"): the outcome, not the fix, and
/// not a symptom either, unless someone did something in the same breath.
pub static RECOVERY: Patterns = Patterns::new(&[
    "fully operational",
    "back online",
    "resumed",
    // "restored by 15:47", "restored by February 1": by when, not how.
    "restored by 0",
    "restored by 1",
    "restored by 2",
    "resolved by 0",
    "resolved by 1",
    "resolved by 2",
    "restored by jan",
    "restored by feb",
    "restored by mar",
    "restored by apr",
    "restored by may",
    "restored by jun",
    "restored by jul",
    "restored by aug",
    "restored by sep",
    "restored by oct",
    "restored by nov",
    "restored by dec",
    "back to normal",
    "back to baseline",
    "back to zero",
    "back under",
    "back below",
    "caught up",
    "recovered",
    "returned to normal",
    "returned at",
    "stopped growing",
    "errors stopped",
    "went green",
    "fell back",
    "dropped below",
    "fully healthy",
    "healed",
    "normal again",
    "fresh again",
    "were ready",
    "stopped at",
    "levelled off",
    "leveled off",
    "not restarted since",
    "drained",
    "was empty",
]);

/// How the incident was noticed ("the alert fired at 18:12", "we found
/// out from customers"): when, not what. Only what was observed counts.
pub static DETECTION: Weighted = Weighted::new(&[
    ("alert", 1.5),
    ("paged", 1.5),
    ("pager", 1.2),
    ("dashboard", 0.8),
    ("fired", 0.0),
    ("found out", 0.0),
    ("lit up", 0.0),
    ("ticket", 0.0),
]);

/// Someone acting, which a recovery sentence may also report ("we
/// restarted it, and errors stopped").
pub static AGENT: Patterns = Patterns::new(&["we ", "i ", "on-call", "the team", "engineers"]);

/// What was spared: an impact section's "search kept working" or "no data
/// was lost" is the edge of the symptom, not the symptom.
pub static UNAFFECTED: Patterns = Patterns::new(&[
    "unaffected",
    "not affected",
    "kept working",
    "kept serving",
    "no data was lost",
    "no data loss",
    "nothing was lost",
    "were not lost",
    "was not lost",
    "no messages were lost",
    "no user data",
    "no customer data",
    "not been used",
    "no action is required",
    "noticed nothing",
    "as expected",
    "not impacted",
    "remained operational",
    "no data was",
]);

/// Loss, which "no events were lost" or "nothing was lost" says was
/// spared: see `negated`.
pub static LOSS: Weighted = Weighted::new(&[("were lost", 1.0), ("was lost", 1.0)]);

/// The incident itself as the subject: "The outage resulted in 31 hours
/// of downtime" tells what it did to users (a symptom), though "resulted
/// in" and "led to" usually follow a cause.
pub static INCIDENT_SUBJECT: Patterns = Patterns::new(&[
    "this incident ",
    "the incident ",
    "this outage ",
    "the outage ",
    "this issue ",
    "the issue ",
    "this disruption ",
    "the disruption ",
    "this degradation ",
    "the degradation ",
    "this event ",
    "this incident,",
    "the incident,",
    "the outage,",
    "this outage,",
    "the issue,",
    "this issue,",
]);

/// What an incident did, following [`INCIDENT_SUBJECT`].
pub static CONSEQUENCE: Patterns = Patterns::new(&[
    "resulted in",
    "led to",
    "caused ",
    "causing ",
    "meant ",
    "impacted ",
    "affected ",
    "prevented ",
]);

/// A clause that tells what a cause went on to do: "..., causing a
/// global outage". Narrower than `CONSEQUENCE`, whose "affected" is also
/// an adjective ("revoked access to the affected bucket"). Asked only of
/// the causes of a post with no symptom, so not in `SCANNED_TOGETHER`.
static IMPACT_CONNECTIVE: Patterns = Patterns::new(&[
    "resulted in",
    "resulting in",
    "led to",
    "leading to",
    "caused ",
    "causing ",
]);

/// What says the sentence gives a reason after all.
pub static REASON_GIVEN: Patterns = Patterns::new(&[
    "caused by",
    "because",
    "due to",
    "triggered by",
    "stemmed",
    "stemming",
    "root cause",
    "attributed to",
    "traced to",
    "result of",
]);

/// Making it up to customers is not fixing the system.
pub static GOODWILL: Patterns =
    Patterns::new(&["refund", "apolog", "credit", "emailed affected", "goodwill"]);

/// A sentence that announces the explanation ("The real clue came from
/// jstack.", "That pointed straight at the secret."): what follows it in
/// the paragraph is the cause.
pub static DISCOVERY: Patterns = Patterns::new(&[
    "turned out",
    "the real clue",
    "the clue",
    "the culprit",
    "came from",
    "told the rest",
    "told us the rest",
    "pointed straight at",
    "pointed at",
    "there it was",
    "the problem was",
    "the cause was",
    "made it worse",
    "made it much worse",
    "made things worse",
    "made matters worse",
    "explained why",
    "the real failure",
    "the real problem",
    "what was not",
    "the answer",
    "i realized",
    "we realized",
    "the explanation",
]);

/// Words that explain why: a sentence built on one gives a reason, even
/// under a heading that expects an observation or an action.
pub static EXPLAINS: Patterns = Patterns::new(&[
    "because",
    "due to",
    "caused by",
    "was caused",
    "the reason",
    "root cause",
    "stemmed from",
    "attributed to",
    "traced to",
]);

/// A first attempt that did not work ("Initial scaling attempts did not
/// resolve the issue"): neither the fix nor the cause.
pub static FAILED_ATTEMPT: Patterns = Patterns::new(&[
    "unsuccessful",
    "did not resolve",
    "didn't resolve",
    "did not help",
    "didn't help",
    "did not fix",
    "didn't fix",
    "did not work",
    "didn't work",
    "not successful",
    "to no avail",
    "initial attempts",
    "first attempts",
]);

/// Someone's slip ("forgot to type -n and rebooted all servers"): what
/// went wrong, however much it sounds like an action.
pub static MISTAKE: Patterns = Patterns::new(&[
    "forgot",
    "accidentally",
    "mistakenly",
    "by mistake",
    "by accident",
    "inadvertently",
]);

/// A sentence that only announces a list ("AWS outlined several
/// remediation steps.", "Two primary root causes were identified."):
/// the items follow it.
pub static ANNOUNCE: Patterns = Patterns::new(&[
    "several steps",
    "several remediation",
    "several changes",
    "several improvements",
    "several measures",
    "several preventative",
    "several preventive",
    "several actions",
    "several action items",
    "numerous",
    "a number of",
    "root causes were identified",
    "causes were identified",
]);

/// A sentence that opens on what was done about the incident ("To
/// mitigate the impact, engineers broke the dependency", "Travis CI plans
/// to ..."): the response, whatever failure it also names.
pub static REMEDIATION: Patterns = Patterns::new(&[
    "plans to",
    "planned to",
    "committed to",
    "intends to",
    "corrective action",
    "efforts are",
    "are being introduced",
    "opted to",
    "resolution involved",
    "recovery involved",
    "mitigation involved",
    "stabilization steps",
    "to mitigate",
    "to resolve",
    "to prevent",
    "to remediate",
    "to restore",
    "remediation involved",
    "the decision was made",
    "decided to",
    "committed follow-up",
    "follow-ups:",
    "this action",
    "immediate remediation",
    "to address",
    "as remediation",
    "as a remediation",
    "as an immediate",
    "in response",
    "going forward",
    "moving forward",
]);

/// Background, evaluation and introductions inside an explanation ("That
/// is a thundering herd by design.", "for three reasons"): context, not
/// the cause itself.
pub static BACKGROUND: Patterns = Patterns::new(&[
    "during normal operation",
    "by design",
    "as designed",
    "textbook",
    "reasons.",
    "in theory",
]);

/// Why it was not caught ("nobody noticed for months"), or why a part was
/// blameless ("That alone should have been harmless", "the diff looked
/// harmless in review"): said beside the cause, about something else.
pub static BLAMELESS: Patterns = Patterns::new(&[
    "harmless",
    "looked fine",
    "looked reasonable",
    "should have been",
    "nothing else",
    "passed review",
    "under light",
    "at normal load",
    "which is why",
    "nobody noticed",
    "no one noticed",
    "went unnoticed",
]);

/// A measurement taken while investigating ("We measured a single match at
/// over 40 seconds", "Heap graphs showed..."): evidence for the cause, not
/// the cause.
pub static MEASUREMENT: Patterns = Patterns::new(&[
    "we measured",
    "graphs showed",
    "metrics showed",
    "dashboards showed",
    "came back with",
    "at the worst point",
]);

/// Scene-setting, nostalgia and opinion: never a finding, and products
/// named here are not the incident's technologies.
pub static SCENE: Patterns = Patterns::new(&[
    "back then",
    "i remember",
    // A product's launch as news, not an app's launch on a phone or a
    // headline an editor fixed.
    "its launch",
    "'s launch",
    "’s launch",
    "the launch of",
    "making headlines",
    "in the news",
    "traction",
    "acquired by",
    "been acquired",
    "if only",
    "nostalgi",
    "those days",
    "weather",
    "coffee",
    "tech landscape",
    "tech world",
    "tech scene",
    "within a few years",
    "years later",
    "was buzzing",
    "hacker news",
    "everyone was talking",
    "couldn't help",
    "like a pro",
    "as i write this",
    "grateful",
    "rewarding",
    "puzzle",
    "every problem",
    "the industry",
    "was all the rage",
    "hype ",
    "hyped",
    "the hype",
    "everyone was",
    // News, not a newsletter.
    "news ",
    "news-",
    "news.",
    "news,",
    "y combinator",
    "conference",
    "that year",
    "those were",
    "buzzword",
    "i still think",
    "i have thought about",
    "for the record",
]);

/// A guess that may turn out wrong: weaker than a confirmation.
pub static HEDGE: Patterns = Patterns::new(&[
    "i thought",
    "we thought",
    "at first",
    "i suspected",
    "we suspected",
    "suspect",
    "maybe",
    "might",
    "perhaps",
    "my guess",
    "our guess",
    "wondered",
    "hypothes",
    "seemed",
    "felt like",
    "i assumed",
    "we assumed",
    "initially",
    "probably",
    "theory",
    "i figured",
    "was it",
    "suspicion",
    "first guess",
    // Not "an incorrect assumption in the code", which is a cause.
    "our assumption",
    "my assumption",
    "the assumption was",
    "blaming",
]);

pub static CONFIRM: Patterns = Patterns::new(&[
    "confirmed",
    "proved",
    "supported my theory",
    "supported our theory",
    "verified",
    "sure enough",
]);

pub static LESSON: Patterns = Patterns::new(&[
    "lesson",
    "learned",
    "takeaway",
    "in hindsight",
    "reminder",
    "the importance of",
    "reminds",
    "we should have",
    "looking back",
]);

/// Investigation steps: "I set up a load generator to reproduce it" is not a fix.
pub static INVESTIGATION: Patterns = Patterns::new(&[
    "to test",
    "reproduce",
    "load test",
    "load generator",
    "i started by",
    "looked at",
    "looking at",
    "checked",
    "investigat",
    "reached out",
    "asked",
    "first step",
    "digging",
    "dig into",
    "dug",
    "debugging",
    "to debug",
    "to figure out",
    "to find out",
    "to see",
    "gather",
    "staring at",
    "i decided to",
]);

/// A list of weighted cues, matched all at once: one pass of an
/// Aho-Corasick automaton per sentence instead of one search per cue, which
/// keeps extraction linear in the text whatever the size of the lists.
pub struct Weighted {
    cues: &'static [(&'static str, f32)],
    matcher: OnceLock<AhoCorasick>,
    together: Together,
}

impl Weighted {
    pub const fn new(cues: &'static [(&'static str, f32)]) -> Weighted {
        Weighted {
            cues,
            matcher: OnceLock::new(),
            together: OnceLock::new(),
        }
    }

    fn matcher(&self) -> &AhoCorasick {
        self.matcher
            .get_or_init(|| build(self.cues.iter().map(|(p, _)| *p)))
    }

    /// Its place in `SCANNED_TOGETHER`, if it is there.
    fn scanned_at(&self) -> Option<usize> {
        together(&self.together, self as *const Weighted as usize)
    }
}

/// A list of cue phrases without weights.
pub struct Patterns {
    patterns: &'static [&'static str],
    matcher: OnceLock<AhoCorasick>,
    together: Together,
}

impl Patterns {
    pub const fn new(patterns: &'static [&'static str]) -> Patterns {
        Patterns {
            patterns,
            matcher: OnceLock::new(),
            together: OnceLock::new(),
        }
    }

    fn matcher(&self) -> &AhoCorasick {
        self.matcher
            .get_or_init(|| build(self.patterns.iter().copied()))
    }

    /// Its place in `SCANNED_TOGETHER`, if it is there.
    fn scanned_at(&self) -> Option<usize> {
        together(&self.together, self as *const Patterns as usize)
    }
}

fn build<'a>(patterns: impl Iterator<Item = &'a str>) -> AhoCorasick {
    // The lists are compiled into the program; they always build.
    // No prefilter: an overlapping search falls back to the start state
    // at nearly every word, and asking the prefilter there cost more than
    // it skipped (extraction took 9% longer with it, `bench_extract`).
    AhoCorasick::builder()
        .kind(Some(AhoCorasickKind::DFA))
        .prefilter(false)
        .build(patterns)
        .expect("cue lists are valid patterns")
}

/// Does the match of `pattern` at `at` start a word? A pattern that starts
/// with punctuation (", so ") carries its own edge.
fn starts_word(text: &str, at: usize, pattern: &str) -> bool {
    let own_edge = pattern.chars().next().is_some_and(|c| !c.is_alphanumeric());
    own_edge
        || at == 0
        || !text[..at]
            .chars()
            .next_back()
            .is_some_and(char::is_alphanumeric)
}

/// Matches of a set in `text` (lowercase) that start a word: (pattern, start).
fn word_matches<'t>(
    text: &'t str,
    matcher: &'t AhoCorasick,
    pattern: impl Fn(usize) -> &'static str + 't,
) -> impl Iterator<Item = (usize, usize)> + 't {
    matcher
        .find_overlapping_iter(text)
        .map(|m| (m.pattern().as_usize(), m.start()))
        .filter(move |&(id, start)| starts_word(text, start, pattern(id)))
}

/// The sum of the weights of the cues found in `text`, each counted once.
pub fn score(text: &str, set: &Weighted) -> f32 {
    match set.scanned_at() {
        Some(list) => with_profile(text, |profile| profile.score[list]),
        None => score_alone(text, set),
    }
}

fn score_alone(text: &str, set: &Weighted) -> f32 {
    let mut seen = vec![false; set.cues.len()];
    let mut total = 0.0;
    for (id, _) in word_matches(text, set.matcher(), |id| set.cues[id].0) {
        if !seen[id] {
            seen[id] = true;
            total += set.cues[id].1;
        }
    }
    total
}

/// Does `text` open with one of the cues of `set`?
pub fn opens_with(text: &str, set: &Weighted) -> bool {
    match set.scanned_at() {
        Some(list) => with_profile(text, |profile| profile.first[list] == Some(0)),
        None => opens_with_alone(text, set),
    }
}

fn opens_with_alone(text: &str, set: &Weighted) -> bool {
    word_matches(text, set.matcher(), |id| set.cues[id].0).any(|(_, start)| start == 0)
}

/// Where the first of `patterns` occurs in `text`, if any does.
pub fn first(text: &str, set: &Patterns) -> Option<usize> {
    match set.scanned_at() {
        Some(list) => with_profile(text, |profile| profile.first[list]),
        None => first_alone(text, set),
    }
}

fn first_alone(text: &str, set: &Patterns) -> Option<usize> {
    word_matches(text, set.matcher(), |id| set.patterns[id])
        .map(|(_, start)| start)
        .min()
}

/// Where the clause that tells what `text` (lowercase) led to begins:
/// after its first "causing", "resulted in", ...
pub fn consequence_clause(text: &str) -> Option<usize> {
    let set = &IMPACT_CONNECTIVE;
    word_matches(text, set.matcher(), |id| set.patterns[id])
        .min_by_key(|&(_, start)| start)
        .map(|(id, start)| start + set.patterns[id].len())
}

pub fn any(text: &str, set: &Patterns) -> bool {
    first(text, set).is_some()
}

/// Words that turn the action after them into its absence: "old VMs were
/// not being deleted" is what went wrong, not what was done.
const NEGATORS: &[&str] = &[
    "not",
    "never",
    "no",
    "no longer",
    "n't",
    "failed to",
    "unable to",
];

/// `NEGATORS` as a list scanned with the others: most sentences have
/// none, and are spared the pass of `negated`.
pub static NEGATION: Patterns = Patterns::new(NEGATORS);

/// The weight of the cues of `set` in `text` that a negator stands right
/// before (within a couple of words).
pub fn negated(text: &str, set: &Weighted) -> f32 {
    if !any(text, &NEGATION) {
        return 0.0;
    }
    // A third of the bytes the cue automata read went to scanning
    // sentences with a negator again for one list's cues: the one scan
    // has them already.
    match set.scanned_at() {
        Some(list) => {
            let hits = with_profile(text, |profile| profile.hits_of(list));
            negated_among(text, set, hits)
        }
        None => negated_alone(text, set),
    }
}

fn negated_alone(text: &str, set: &Weighted) -> f32 {
    negated_among(
        text,
        set,
        word_matches(text, set.matcher(), |id| set.cues[id].0),
    )
}

/// The weight of the cues among `hits` (cue of `set`, start) that a
/// negator stands right before, each counted once.
fn negated_among(
    text: &str,
    set: &Weighted,
    hits: impl IntoIterator<Item = (usize, usize)>,
) -> f32 {
    let mut seen = vec![false; set.cues.len()];
    let mut total = 0.0;
    for (id, start) in hits {
        let before = &text[..start];
        // The last three words before the cue.
        let near = before
            .char_indices()
            .rev()
            .filter(|&(_, c)| c == ' ')
            .nth(3)
            .map_or(before, |(at, _)| &before[at..]);
        let negated = NEGATORS.iter().any(|n| {
            near.match_indices(n).any(|(at, _)| {
                starts_word(near, at, n)
                    && !near[at + n.len()..].starts_with(|c: char| c.is_alphanumeric())
            })
        });
        if negated && !seen[id] {
            seen[id] = true;
            total += set.cues[id].1;
        }
    }
    total
}

/// Whether `text` tells what the incident did ("The outage resulted in
/// 31 hours of downtime", "This incident, which lasted two hours, led to
/// delays"): the incident as the subject at the start, a consequence
/// after it, and no reason given.
pub fn tells_impact(text: &str) -> bool {
    let Some(subject) = first(text, &INCIDENT_SUBJECT) else {
        return false;
    };
    subject <= 2
        && first(text, &CONSEQUENCE).is_some_and(|at| at > subject)
        && !any(text, &REASON_GIVEN)
}

/// Frames that tell an action by its -ing form: "Remediation involved
/// upgrading the instance type", "mitigated the impact by reconfiguring
/// the resources".
const ACTION_FRAMES: &[&str] = &["involved", "included", "includes", "include", "by"];

/// Whether `text` tells a fix in the -ing form of one of `FIX`'s verbs
/// within an action frame; outside one, "increasing errors" or "the
/// disabling of the handler" are no actions.
pub fn frames_an_action(text: &str) -> bool {
    if !text.contains("ing") {
        return false;
    }
    let mut previous = "";
    for word in text.split_ascii_whitespace() {
        let word = word.trim_end_matches(|c: char| !c.is_alphanumeric());
        let framed = ACTION_FRAMES.contains(&previous);
        previous = word;
        let Some(stem) = word.strip_suffix("ing").filter(|s| s.len() >= 3 && framed) else {
            continue;
        };
        let fixes = FIX.cues.iter().any(|&(cue, weight)| {
            // "upgraded" for "upgrading", "moved" for "moving".
            weight >= 1.0 && cue.starts_with(stem) && matches!(&cue[stem.len()..], "ed" | "d" | "")
        });
        if fixes {
            return true;
        }
    }
    false
}

/// One cue list, weighted or not.
#[derive(Clone, Copy)]
enum CueList {
    Weighted(&'static Weighted),
    Patterns(&'static Patterns),
}

impl CueList {
    fn entries(self) -> impl Iterator<Item = (&'static str, f32)> {
        let (weighted, plain): (&[(&str, f32)], &[&str]) = match self {
            CueList::Weighted(w) => (w.cues, &[]),
            CueList::Patterns(p) => (&[], p.patterns),
        };
        weighted
            .iter()
            .copied()
            .chain(plain.iter().map(|&p| (p, 0.0)))
    }

    fn address(self) -> usize {
        match self {
            CueList::Weighted(w) => w as *const Weighted as usize,
            CueList::Patterns(p) => p as *const Patterns as usize,
        }
    }
}

/// The lists a sentence is asked about, scanned together. Classifying a
/// sentence asks a dozen of them; one automaton pass per list was a quarter
/// of an import's CPU. A list left out of here still works, with a pass of
/// its own.
static SCANNED_TOGETHER: [CueList; 29] = [
    CueList::Weighted(&SYMPTOM),
    CueList::Patterns(&INCIDENT_SUBJECT),
    CueList::Patterns(&CONSEQUENCE),
    CueList::Patterns(&REASON_GIVEN),
    CueList::Weighted(&CAUSE),
    CueList::Weighted(&FIX),
    CueList::Weighted(&ERROR_LINE),
    CueList::Patterns(&RECOVERY),
    CueList::Weighted(&DETECTION),
    CueList::Patterns(&AGENT),
    CueList::Patterns(&UNAFFECTED),
    CueList::Patterns(&GOODWILL),
    CueList::Patterns(&DISCOVERY),
    CueList::Patterns(&BACKGROUND),
    CueList::Patterns(&SCENE),
    CueList::Patterns(&HEDGE),
    CueList::Patterns(&CONFIRM),
    CueList::Patterns(&LESSON),
    CueList::Patterns(&INVESTIGATION),
    CueList::Patterns(&BLAMELESS),
    CueList::Patterns(&MEASUREMENT),
    CueList::Patterns(&FIRST_PERSON),
    CueList::Patterns(&EXPLAINS),
    CueList::Patterns(&FAILED_ATTEMPT),
    CueList::Patterns(&MISTAKE),
    CueList::Patterns(&REMEDIATION),
    CueList::Patterns(&ANNOUNCE),
    CueList::Weighted(&LOSS),
    CueList::Patterns(&NEGATION),
];

/// One automaton over every pattern of every list. A phrase that is in
/// several lists is one pattern, owned by each.
struct Combined {
    matcher: AhoCorasick,
    phrases: Vec<&'static str>,
    /// phrase → (list, flat index of the entry across all lists, weight)
    owners: Vec<Vec<(usize, usize, f32)>>,
    entries: usize,
    /// The flat index of each list's first entry.
    list_starts: Vec<usize>,
}

fn combined() -> &'static Combined {
    static COMBINED: OnceLock<Combined> = OnceLock::new();
    COMBINED.get_or_init(|| {
        let mut index: HashMap<&'static str, usize> = HashMap::new();
        let mut phrases = Vec::new();
        let mut owners: Vec<Vec<(usize, usize, f32)>> = Vec::new();
        let mut entries = 0;
        let mut list_starts = Vec::new();
        for (list, cues) in SCANNED_TOGETHER.iter().enumerate() {
            list_starts.push(entries);
            for (phrase, weight) in cues.entries() {
                let id = *index.entry(phrase).or_insert_with(|| {
                    phrases.push(phrase);
                    owners.push(Vec::new());
                    phrases.len() - 1
                });
                owners[id].push((list, entries, weight));
                entries += 1;
            }
        }
        Combined {
            matcher: build(phrases.iter().copied()),
            phrases,
            owners,
            entries,
            list_starts,
        }
    })
}

/// What the lists found in one text.
struct Profile {
    first: Vec<Option<usize>>,
    score: Vec<f32>,
    /// Every match at a word start, in the order found: (flat index of
    /// the entry, start).
    hits: Vec<(usize, usize)>,
}

impl Profile {
    /// The matches of the list at `list`: (its entry, start).
    fn hits_of(&self, list: usize) -> Vec<(usize, usize)> {
        let starts = &combined().list_starts;
        let entries = starts[list]..starts.get(list + 1).copied().unwrap_or(usize::MAX);
        self.hits
            .iter()
            .filter(|(entry, _)| entries.contains(entry))
            .map(|&(entry, start)| (entry - entries.start, start))
            .collect()
    }
}

/// Extraction reads a post's sentences in several passes; profiles of the
/// recent texts are kept so that each is scanned once.
struct Profiles {
    /// Text → its place in `profiles`.
    known: HashMap<String, usize, foldhash::fast::RandomState>,
    profiles: Vec<Profile>,
    /// The text asked about last, and its profile: classifying a sentence
    /// asks a dozen lists about it in a row, and comparing is cheaper than
    /// hashing it again each time.
    last: String,
    last_profile: Option<usize>,
    seen: Vec<bool>,
}

/// Texts remembered per thread before starting over: more than a long
/// post's sentences.
const PROFILES_KEPT: usize = 4096;

impl Profiles {
    fn scan(&mut self, text: &str) -> Profile {
        let all = combined();
        let mut profile = Profile {
            first: vec![None; SCANNED_TOGETHER.len()],
            score: vec![0.0; SCANNED_TOGETHER.len()],
            hits: Vec::new(),
        };
        self.seen.clear();
        self.seen.resize(all.entries, false);
        for (phrase, start) in word_matches(text, &all.matcher, |id| all.phrases[id]) {
            for &(list, entry, weight) in &all.owners[phrase] {
                let first = &mut profile.first[list];
                *first = Some(first.map_or(start, |f| f.min(start)));
                profile.hits.push((entry, start));
                if !self.seen[entry] {
                    self.seen[entry] = true;
                    profile.score[list] += weight;
                }
            }
        }
        profile
    }
}

thread_local! {
    static PROFILES: RefCell<Profiles> = RefCell::new(Profiles {
        known: HashMap::default(),
        profiles: Vec::new(),
        last: String::new(),
        last_profile: None,
        seen: Vec::new(),
    });
}

/// A list's place in `SCANNED_TOGETHER`, if it is there, found on first
/// use: extraction asks lists about sentences hundreds of times a post,
/// and searching the table each time was 2% of its instructions.
type Together = OnceLock<Option<usize>>;

fn together(together: &Together, address: usize) -> Option<usize> {
    *together.get_or_init(|| {
        SCANNED_TOGETHER
            .iter()
            .position(|list| list.address() == address)
    })
}

/// `answer` asked of what the lists of `SCANNED_TOGETHER` found in `text`,
/// from one scan of all lists per distinct text.
fn with_profile<T>(text: &str, answer: impl FnOnce(&Profile) -> T) -> T {
    PROFILES.with(|profiles| {
        let mut profiles = profiles.borrow_mut();
        let index = match profiles.last_profile {
            Some(index) if profiles.last == text => index,
            _ => {
                let index = match profiles.known.get(text) {
                    Some(&index) => index,
                    None => {
                        let profile = profiles.scan(text);
                        if profiles.known.len() >= PROFILES_KEPT {
                            profiles.known.clear();
                            profiles.profiles.clear();
                        }
                        profiles.profiles.push(profile);
                        let index = profiles.profiles.len() - 1;
                        profiles.known.insert(text.to_string(), index);
                        index
                    }
                };
                profiles.last.clear();
                profiles.last.push_str(text);
                profiles.last_profile = Some(index);
                index
            }
        };
        answer(&profiles.profiles[index])
    })
}

/// "someone had added", "the team had shipped": in a story, the past
/// perfect tells what happened before the incident — usually its cause.
pub fn past_perfect(text: &str) -> f32 {
    // Asked of every sentence; most have no "had" at all.
    if !text.contains("had") {
        return 0.0;
    }
    let mut words = text.split_ascii_whitespace().peekable();
    while let Some(word) = words.next() {
        if word == "had" {
            if let Some(next) = words.peek() {
                let next = next.trim_end_matches(|c: char| !c.is_alphanumeric());
                if next.len() > 3
                    && (next.ends_with("ed")
                        || ["been", "shipped", "set", "put", "run", "made", "left"].contains(&next))
                {
                    return 1.0;
                }
            }
        }
    }
    0.0
}

/// How far into a sentence its main verb is looked for: a subject of a
/// few words, as in "Adding a nullable column without a default is a ...".
const SUBJECT_REACH: usize = 10;

/// "basket-api is a Laravel application that...", "Adding a column is a
/// metadata-only change": a definition in the present tense says how a
/// thing always is. A reader needs it to follow the cause, but it is not
/// the cause: the incident's own state is told in the past ("It was a plain
/// map with no maximum size"). "There is a bug" and "which is a" are not
/// definitions of the sentence's subject.
pub fn defines(text: &str) -> bool {
    // The last three words, shifted along: asked of every sentence, so
    // nothing is collected.
    let mut last: [&str; 3] = [""; 3];
    for (read, word) in text
        .split_ascii_whitespace()
        .take(SUBJECT_REACH + 2)
        .enumerate()
    {
        last = [last[1], last[2], word];
        if read >= 2
            && matches!(last[1], "is" | "are")
            && matches!(last[2], "a" | "an")
            && !["which", "that", "this", "there", "it", "what", "who"].contains(&last[0])
        {
            return true;
        }
    }
    false
}

/// Someone telling what they did: a fix or an investigation, not the
/// event that started the incident.
pub static FIRST_PERSON: Patterns = Patterns::new(&["we ", "i ", "we'", "i'", "us "]);

/// "At 11:07 a trust-and-safety engineer added...", "On 7 September the
/// payments team enabled...": a sentence that opens on its clock time or
/// day tells an event of the story.
pub fn opens_on_a_time(text: &str) -> bool {
    let mut words = text.split_ascii_whitespace();
    let (Some(first), Some(second)) = (words.next(), words.next()) else {
        return false;
    };
    ["at", "on", "by", "around"].contains(&first)
        && (second.starts_with(|c: char| c.is_ascii_digit())
            || MONTHS.contains(&second.trim_end_matches(',')))
}

const MONTHS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// "June 30, 2012 was a Saturday, and...": a story that opens on its date
/// is setting the scene, and so is the rest of that opening paragraph.
pub fn opens_on_a_date(text: &str) -> bool {
    // Most sentences do not open on a month: nothing more to read then.
    let first = text.split_ascii_whitespace().next();
    if !first.is_some_and(|w| MONTHS.contains(&w.trim_end_matches(','))) {
        return false;
    }
    let words: Vec<&str> = text.split_ascii_whitespace().take(6).collect();
    words.windows(2).any(|pair| {
        let year = pair[0].trim_end_matches(',');
        year.len() == 4
            && year.chars().all(|c| c.is_ascii_digit())
            && ["was", "began", "started"].contains(&pair[1])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A launch or a headline in the story of the outage is not scenery.
    #[test]
    fn launches_and_headlines_are_scenery_only_as_news() {
        for text in [
            "as i write this, dropbox’s launch is still making headlines.",
            "heroku has evolved since its launch in 2007.",
            "the launch of the new console was everywhere.",
        ] {
            assert!(any(text, &SCENE), "{text}");
        }
        for text in [
            "the ios app showed \"unable to connect\" on launch.",
            "an editor pressed purge all to fix a headline.",
            "we launched the canary at 14:02.",
        ] {
            assert!(!any(text, &SCENE), "{text}");
        }
    }

    /// The one-pass scan must answer exactly what a scan per list answers,
    /// on real sentences and on every cue phrase itself.
    #[test]
    fn scanning_together_agrees_with_scanning_each_list() {
        let mut texts: Vec<String> = crate::sample_texts(false)
            .iter()
            .flat_map(|text| text.split(['.', '\n']))
            .map(|s| s.trim().to_lowercase())
            .filter(|s| !s.is_empty())
            .collect();
        for list in SCANNED_TOGETHER {
            texts.extend(list.entries().map(|(p, _)| format!("then {p} again")));
        }
        assert!(texts.len() > 1000, "{} texts", texts.len());
        let (mut scored, mut found, mut negations, mut openings) = (0, 0, 0, 0);
        for text in &texts {
            for list in SCANNED_TOGETHER {
                match list {
                    CueList::Weighted(w) => {
                        let alone = score_alone(text, w);
                        assert_eq!(score(text, w), alone, "{text:?}");
                        scored += usize::from(alone > 0.0);
                        let alone = negated_alone(text, w);
                        assert_eq!(negated(text, w), alone, "{text:?}");
                        negations += usize::from(alone > 0.0);
                        let alone = opens_with_alone(text, w);
                        assert_eq!(opens_with(text, w), alone, "{text:?}");
                        openings += usize::from(alone);
                    }
                    CueList::Patterns(p) => {
                        let alone = first_alone(text, p);
                        assert_eq!(first(text, p), alone, "{text:?}");
                        found += usize::from(alone.is_some());
                    }
                }
            }
        }
        assert!(
            scored > 300 && found > 300 && negations > 20 && openings > 20,
            "{scored} scored, {found} found, {negations} negated, {openings} opened"
        );
    }

    /// A list left out of the one-pass scan still works, but slowly: every
    /// list declared in this file must be in it.
    #[test]
    fn every_list_is_scanned_together() {
        let source = include_str!("cues.rs");
        let declared: Vec<&str> = source
            .lines()
            .filter_map(|l| l.strip_prefix("pub static "))
            .filter_map(|l| l.split(':').next())
            .collect();
        assert!(declared.len() >= 19, "{declared:?}");
        let list = source
            .split("static SCANNED_TOGETHER")
            .nth(1)
            .and_then(|rest| rest.split("];").next())
            .unwrap_or_default();
        for name in declared {
            assert!(
                list.contains(&format!("(&{name})")),
                "{name} is not in SCANNED_TOGETHER"
            );
        }
    }
}
