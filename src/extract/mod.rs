//! Stage 3: a parsed `Document` becomes an `Incident`. Sections first, then
//! sentences always: a heading says what its sentences are probably about,
//! and each sentence's own words confirm it, overrule it, or — in a story
//! with no headings at all — decide alone.

mod cues;
mod sections;
pub mod technologies;

// Keyed by small numbers and pointers, asked for every sentence: a fast
// hash rather than SipHash (std's, built against flooding by outside keys).
use foldhash::{HashMap, HashSet};

use crate::config::Config;
use crate::incident::{normalize_id, Field, Finding, Incident};
use crate::parse::{Document, HeadingKind, Section, Sentence};

pub use sections::{roles, SectionRole};

/// Bumped whenever extraction changes, so `import` re-extracts every post.
pub const EXTRACTOR_VERSION: u32 = 12;

/// An incident plus the text the index needs beside it.
#[derive(Debug, Clone)]
pub struct Extracted {
    pub incident: Incident,
    /// Plain text of the whole post, for full-text search.
    pub body: String,
}

/// A sentence needs at least this much evidence to become a finding.
const THRESHOLD: f32 = 2.0;
/// Posts this short (in sentences) need less evidence per sentence.
const SHORT_POST: usize = 3;
const SHORT_POST_THRESHOLD: f32 = 1.0;
/// Evidence a heading lends to the sentences under it.
const HEADING_PRIOR: f32 = 2.0;
const BARE_HEADING_PRIOR: f32 = 2.0;
/// Contributing factors: causes, but not the ones a reader asks for first.
const SECONDARY_PRIOR: f32 = 0.5;
/// Findings from a list of future work (action items, follow-ups).
const MAX_FORWARD_LOOKING: usize = 2;
/// Evidence for a cause that a sentence gets from following "The real clue
/// came from jstack." in its paragraph.
const EXPLANATION_PRIOR: f32 = 1.2;
/// Words of a sentence that can only announce the explanation that
/// follows it: longer ones state it.
const POINTER_WORDS: usize = 10;
/// Evidence for a cause in a timed event that no one telling the story did.
const TIMED_EVENT: f32 = 1.0;
/// What "involved upgrading" or "by reconfiguring" adds to a fix: as much
/// as the past tense of the verb would.
const GERUND_ACTION: f32 = 1.5;
/// What the incident as the subject of a consequence adds to a symptom:
/// enough to outweigh "resulted in" or "led to" as a cause.
const IMPACT: f32 = 1.5;
/// What a slip ("forgot to pass the host list") adds to a sentence's
/// cause: the cue words alone weigh what any "forgot" would.
const MISTAKE_PRIOR: f32 = 0.8;
/// How far into a sentence a frame like "To mitigate the impact," may
/// start and still open it ("In the meantime, to mitigate ...").
const OPENING_BYTES: usize = 40;
/// Evidence taken off every sentence of a story's opening scene.
const SCENE_PENALTY: f32 = 1.0;
/// What is left of a definition's evidence for a cause: under a cause
/// heading, too little to pass on the heading alone.
const DEFINITION_WEIGHT: f32 = 0.4;
/// How much more evidence another field needs to overrule a heading.
const SECTION_MARGIN: f32 = 1.0;
/// Candidates from sections named for their field that make the others
/// redundant.
const NAMED_ENOUGH: usize = 4;
/// Findings per field: a reader wants the sentences that matter, not all.
const MAX_PER_FIELD: usize = 5;
const MAX_PER_SECTION: usize = 4;
const MAX_WORDS: usize = 80;
/// Symptom cue weight a cause's consequence clause needs to stand for a
/// symptom in a post with none: one plain word of failure ("outage",
/// "errors", "down").
const IMPACT_CLAUSE_EVIDENCE: f32 = 1.0;
/// How many such causes may stand for the symptoms.
const MAX_IMPACTS_FROM_CAUSES: usize = 2;

struct Scored<'a> {
    section: &'a Section,
    sentence: &'a Sentence,
    order: usize,
    field: Field,
    score: f32,
    /// Under a heading that names its field as the main subject (Root
    /// Cause, not Contributing Factors or Summary).
    named: bool,
}

pub fn extract(doc: &Document, config: &Config) -> Extracted {
    let title = doc.title.clone().unwrap_or_else(|| fallback_title(doc));
    let sentences: Vec<(&Section, &Sentence)> = doc.sentences().collect();
    let lowered: Vec<String> = sentences
        .iter()
        .map(|(_, s)| s.text.to_lowercase())
        .collect();
    let confirmed = confirmed_guesses(&lowered);
    let total = sentences.len().max(1);
    // A post of a few sentences is all signal: any evidence decides.
    let prose = sentences
        .iter()
        .filter(|(_, s)| !s.in_code && !s.in_table)
        .count();
    let threshold = if prose <= SHORT_POST {
        SHORT_POST_THRESHOLD
    } else {
        THRESHOLD
    };

    let mut scored: Vec<Scored> = Vec::new();
    let mut technologies: Vec<String> = Vec::new();
    fn add_technologies(found: &mut Vec<String>, text: &str, lower: &str) {
        for name in technologies::mentioned_lowered(text, lower) {
            if !found.iter().any(|t| t == name) {
                found.push(name.to_string());
            }
        }
    }
    add_technologies(&mut technologies, &title, &title.to_lowercase());
    for key in ["technologies", "tech", "stack"] {
        for value in doc.front.list(key) {
            let name = technologies::canonical(&value).map_or(value.clone(), str::to_string);
            if !technologies.contains(&name) {
                technologies.push(name);
            }
        }
    }

    let section_roles = effective_roles(doc, config);
    // The heading of each sentence's section, in reading order.
    let sentence_headings: Vec<Heading> = doc
        .sections
        .iter()
        .zip(&section_roles)
        .flat_map(|(section, roles)| {
            let heading = Heading::of(section, roles);
            section.sentences.iter().map(move |_| heading)
        })
        .collect();
    let context = paragraph_context(&sentences, &lowered);
    for (order, ((section, sentence), lower)) in sentences.iter().zip(&lowered).enumerate() {
        if sentence.in_code || sentence.in_table || cues::any(lower, &cues::SCENE) {
            continue;
        }
        add_technologies(&mut technologies, &sentence.text, lower);
        let place = Place {
            heading: sentence_headings[order],
            context: context[order],
            threshold,
            position: order as f32 / total as f32,
            confirmed: confirmed.contains(&order),
            leading: section.sentences.first().map(|s| s.block) == Some(sentence.block),
        };
        if let Some((field, score)) = classify(section, sentence, lower, &place) {
            scored.push(Scored {
                section,
                sentence,
                order,
                field,
                score,
                named: names(&sentence_headings[order], field),
            });
        }
    }
    scored.extend(code_symptoms(&sentences, &lowered, &sentence_headings));
    let commands = trigger_commands(&sentences, &sentence_headings);
    // "The 10:01 deploy ran `rails db:migrate`, which executed:" says
    // nothing the statement after it does not: with the statement a
    // finding, the line that introduces it would only repeat it.
    let introductions: HashSet<usize> = commands
        .iter()
        .filter_map(|c| c.order.checked_sub(1))
        .filter(|&i| lowered[i].trim_end().ends_with(':') && !sentences[i].1.in_code)
        .collect();
    scored.retain(|s| !introductions.contains(&s.order));
    scored.extend(commands);

    let mut incident = Incident {
        id: choose_id(doc),
        title,
        date: doc.date.clone(),
        source: doc.source.clone(),
        line: doc.line,
        summary: String::new(),
        symptoms: Vec::new(),
        causes: Vec::new(),
        fixes: Vec::new(),
        lessons: Vec::new(),
        technologies,
        tags: dedupe(
            doc.front
                .list("tags")
                .into_iter()
                .chain(doc.front.list("keywords")),
        ),
        services: dedupe(
            ["services", "service", "company", "product"]
                .iter()
                .flat_map(|k| doc.front.list(k)),
        ),
        severity: doc.front.text("severity").map(str::to_string),
    };
    for field in Field::ALL {
        incident
            .findings_mut(field)
            .extend(select(&scored, field, &sentences));
    }
    // Summarized from what the post states: a symptom derived from a cause
    // would only repeat part of that cause in the summary.
    incident.summary = summary(doc, &incident);
    if incident.symptoms.is_empty() {
        incident.symptoms = impacts_told_with_causes(&incident.causes);
    }
    Extracted {
        incident,
        body: doc.body.clone(),
    }
}

/// What a section's heading says, read once for all its sentences.
#[derive(Clone, Copy)]
struct Heading<'a> {
    roles: &'a [SectionRole],
    /// A trigger: the section's first paragraph states the event.
    trigger: bool,
    /// Contributing factors: causes, but of less weight.
    secondary: bool,
}

impl<'a> Heading<'a> {
    fn of(section: &Section, roles: &'a [SectionRole]) -> Heading<'a> {
        Heading {
            roles,
            trigger: sections::is_trigger(&section.heading),
            secondary: sections::is_secondary(&section.heading),
        }
    }
}

/// Where a sentence stands: what its section and paragraph say about it.
struct Place<'a> {
    heading: Heading<'a>,
    /// Evidence lent by the rest of its paragraph (symptom, cause, fix).
    context: [f32; 3],
    /// Evidence needed before any heading or position counts.
    threshold: f32,
    /// How far into the post, from 0 to 1.
    position: f32,
    /// A hedged guess that a later sentence confirmed.
    confirmed: bool,
    /// In its section's first paragraph.
    leading: bool,
}

/// Scores one sentence and returns the field it belongs to, if any.
fn classify(
    section: &Section,
    sentence: &Sentence,
    lower: &str,
    place: &Place,
) -> Option<(Field, f32)> {
    let Place {
        heading,
        context,
        threshold: base_threshold,
        position,
        confirmed,
        leading,
    } = *place;
    let (roles, trigger) = (heading.roles, heading.trigger);
    let words = sentence.words();
    let mapped = roles.iter().any(|r| {
        matches!(
            r,
            SectionRole::Symptoms | SectionRole::Causes | SectionRole::Fixes
        )
    });
    let min_words = if mapped { 3 } else { 5 };
    // A question is not a finding, and a short line ending in ':' only
    // introduces what follows it (a log excerpt, a list).
    let introduces = lower.trim_end().ends_with(':');
    if words < min_words
        || words > MAX_WORDS
        || lower.trim_end().ends_with('?')
        || (introduces && words < 8)
    {
        return None;
    }
    if words <= POINTER_WORDS
        && cues::any(lower, &cues::DISCOVERY)
        && cues::score(lower, &cues::CAUSE) < 2.0
    {
        // "The real clue came from jstack." points at the cause, and "The
        // backfill made things worse by ignoring the throttling." heads its
        // paragraph; the sentences after them state how.
        return None;
    }
    if words <= POINTER_WORDS && cues::any(lower, &cues::ANNOUNCE) {
        // "Google planned several steps." says a list follows, not what
        // is in it.
        return None;
    }
    if roles.contains(&SectionRole::Lessons) {
        return (words >= 5).then_some((Field::Lessons, HEADING_PRIOR));
    }

    let own = cue_scores(lower);
    let [mut symptom, mut cause, mut fix] = own;
    let symptom_before_priors = symptom;
    // A gerund's action, in a frame that says it was done.
    if cues::frames_an_action(lower) {
        fix += GERUND_ACTION;
    }
    // "The outage resulted in 31 hours of downtime": what it did.
    if cues::tells_impact(lower) {
        symptom += IMPACT;
        cause *= 0.5;
        fix *= 0.3;
    }
    // An action that did not happen is what went wrong.
    let undone = cues::negated(lower, &cues::FIX);
    if undone > 0.0 {
        fix = (fix - undone).max(0.0);
        cause += 0.5 * undone.min(2.0);
    }
    if symptom < 1.5
        && cues::opens_on_a_time(lower)
        && !cues::any(lower, &cues::FIRST_PERSON)
        && !cues::any(lower, &cues::RECOVERY)
    {
        // A timed event that nobody telling the story did and nobody
        // observed as a failure: someone else's change, a job, an expiry —
        // what set the incident off.
        cause += TIMED_EVENT;
    }

    let prior = match section.kind {
        HeadingKind::Bare => BARE_HEADING_PRIOR,
        _ => HEADING_PRIOR,
    };
    let cause_prior = if heading.secondary || (trigger && !leading) {
        SECONDARY_PRIOR
    } else {
        prior
    };
    let mut threshold = base_threshold;
    for role in roles {
        match role {
            SectionRole::Symptoms => symptom += prior,
            SectionRole::Causes => cause += cause_prior,
            SectionRole::Fixes => fix += prior,
            SectionRole::Context => threshold += 1.0,
            _ => {}
        }
    }
    if !mapped {
        // Outside a mapped section a paragraph is the nearest thing to one:
        // its other sentences lend theirs a little of their evidence.
        symptom += context[0];
        cause += context[1];
        fix += context[2];
        // In a story, what went wrong comes first and the fix comes last.
        symptom += 0.4 * (1.0 - position);
        fix += 0.4 * position;
        if cues::any(lower, &cues::LESSON) {
            return (words >= 6).then_some((Field::Lessons, THRESHOLD));
        }
    }
    if roles.contains(&SectionRole::Fixes) && cues::opens_with(lower, &cues::FIX) {
        // "Alert on CrashLoopBackOff for 5 minutes" under Follow-ups names
        // the action first: the failure it mentions is what it guards.
        symptom *= 0.5;
        cause *= 0.5;
    }
    if cues::any(lower, &cues::INVESTIGATION) {
        fix *= 0.3;
        cause *= 0.7;
    }
    if cues::first(lower, &cues::REMEDIATION).is_some_and(|at| at <= OPENING_BYTES) {
        // "To mitigate the impact, engineers broke the dependency" is the
        // response, in any section, whatever failure it names.
        symptom *= 0.5;
        cause *= 0.5;
    }
    if cues::any(lower, &cues::FAILED_ATTEMPT) {
        // Unless it says why: "Because pages varied on a cookie, request
        // collapsing did not help" is the mechanism.
        fix *= 0.3;
        if !cues::any(lower, &cues::EXPLAINS) {
            cause *= 0.5;
        }
    }
    if cues::any(lower, &cues::MISTAKE) {
        // "forgot to type -n and rebooted all servers": the slip, not a fix.
        fix *= 0.3;
        cause += MISTAKE_PRIOR;
    }
    let explaining = roles.contains(&SectionRole::Causes) && !roles.contains(&SectionRole::Fixes);
    if cues::any(lower, &cues::BLAMELESS) {
        cause *= 0.4;
    }
    if cues::any(lower, &cues::MEASUREMENT) {
        cause *= 0.5;
    }
    if cues::defines(lower) {
        cause *= DEFINITION_WEIGHT;
    }
    // Under a cause heading "the clocks fell back" or "drained their burst
    // balance" is part of the mechanism, not the system getting better.
    let outcome = if explaining {
        None
    } else {
        cues::first(lower, &cues::RECOVERY)
    };
    if let Some(outcome) = outcome {
        // "Set X and restarted; errors stopped" reports the fix and its
        // outcome; "errors stopped at 18:52" only the outcome.
        let acted =
            cues::any(lower, &cues::AGENT) || cues::score(&lower[..outcome], &cues::FIX) >= 1.0;
        if !acted {
            fix *= 0.3;
            symptom *= 0.3;
            cause *= 0.3;
        }
    }
    if words <= 12 && cues::score(lower, &cues::DETECTION) > 0.0 {
        // A short "the alert fired at 18:12" says when, not what.
        let observed = symptom_before_priors - cues::score(lower, &cues::DETECTION);
        if observed < 1.5 {
            symptom *= 0.4;
        }
    }
    if cues::any(lower, &cues::UNAFFECTED) || cues::negated(lower, &cues::LOSS) > 0.0 {
        symptom *= 0.3;
    }
    if cues::any(lower, &cues::GOODWILL) {
        fix *= 0.3;
    }
    if cues::past_perfect(lower) > 0.0 {
        // "Someone had added a limit": done before the incident, so a cause.
        fix *= 0.5;
    }
    let verdict = words <= 10 && (lower.starts_with("that is ") || lower.starts_with("this is "));
    if verdict || cues::any(lower, &cues::BACKGROUND) {
        symptom *= 0.5;
        cause *= 0.5;
        fix *= 0.5;
    }
    if cues::any(lower, &cues::HEDGE) && !confirmed {
        symptom *= 0.35;
        cause *= 0.35;
        fix *= 0.35;
    }
    // Under a heading that names one field, another field must win by a
    // clear margin: "memory leak detected" in a log line under Symptoms is
    // still what was observed. Not so for a sentence that gives a reason
    // and has no word for the heading's field: "the checks stayed green
    // because they ran curl --insecure" under Detection explains.
    let explains = cues::any(lower, &cues::EXPLAINS);
    let margin = |f: Field| {
        let named = roles.iter().any(|r| {
            matches!(
                (r, f),
                (SectionRole::Symptoms, Field::Symptoms)
                    | (SectionRole::Causes, Field::Causes)
                    | (SectionRole::Fixes, Field::Fixes)
            )
        });
        let index = match f {
            Field::Symptoms => 0,
            Field::Causes => 1,
            _ => 2,
        };
        let overruled = own[index] == 0.0 && explains;
        if named && roles.len() == 1 && !overruled {
            SECTION_MARGIN
        } else {
            0.0
        }
    };
    let (field, score) = [
        (Field::Symptoms, symptom),
        (Field::Causes, cause),
        (Field::Fixes, fix),
    ]
    .into_iter()
    .fold((Field::Symptoms, f32::MIN), |best, next| {
        if next.1 + margin(next.0) > best.1 + margin(best.0) {
            next
        } else {
            best
        }
    });
    // "At 11:07 an engineer added a pattern:" states the trigger; the
    // pattern follows.
    let score = if introduces && !(trigger && leading) {
        score * 0.8
    } else {
        score
    };
    if !mapped && field == Field::Causes && own[1] == 0.0 {
        // In a story, what its neighbours and its place say is enough to
        // weigh a sentence's own cue, not to stand for one: "The new key
        // landed in Vault, and every new pod picked it up" follows the
        // discovery, and is the part that worked.
        return None;
    }
    (score >= threshold).then_some((field, score))
}

/// A sentence's own evidence for symptom, cause and fix, from its words.
fn cue_scores(lower: &str) -> [f32; 3] {
    [
        cues::score(lower, &cues::SYMPTOM),
        cues::score(lower, &cues::CAUSE) + cues::past_perfect(lower),
        cues::score(lower, &cues::FIX),
    ]
}

/// What the rest of each sentence's paragraph says: a quarter of the other
/// sentences' evidence, at most 1.0 per field.
fn paragraph_context(sentences: &[(&Section, &Sentence)], lowered: &[String]) -> Vec<[f32; 3]> {
    let own: Vec<[f32; 3]> = lowered
        .iter()
        .map(|l| {
            let [symptom, cause, fix] = cue_scores(l);
            // An investigation step ("to test this, we set up a load
            // generator") lends its paragraph no fix.
            let fix = if cues::any(l, &cues::INVESTIGATION) {
                fix * 0.3
            } else {
                fix
            };
            [symptom, cause, fix]
        })
        .collect();
    let mut totals: HashMap<usize, [f32; 3]> = Default::default();
    for ((_, sentence), scores) in sentences.iter().zip(&own) {
        let total = totals.entry(sentence.block).or_default();
        for field in 0..3 {
            total[field] += scores[field];
        }
    }
    let mut explaining: Option<usize> = None;
    let mut scene: Option<usize> = None;
    sentences
        .iter()
        .zip(&own)
        .zip(lowered)
        .map(|(((_, sentence), scores), lower)| {
            let total = totals[&sentence.block];
            let mut context: [f32; 3] =
                std::array::from_fn(|field| (0.25 * (total[field] - scores[field])).min(1.0));
            if explaining == Some(sentence.block) {
                context[1] += EXPLANATION_PRIOR;
            }
            if scene.is_none() && cues::opens_on_a_date(lower) {
                scene = Some(sentence.block);
            }
            if scene == Some(sentence.block) {
                // The opening scene: no help from its neighbours, and a bar
                // to clear (SCENE_PENALTY is taken off every field).
                context = [-SCENE_PENALTY; 3];
            }
            if cues::any(lower, &cues::DISCOVERY) {
                explaining = Some(sentence.block);
            }
            context
        })
        .collect()
}

/// The role of each section of `doc`, by index. A label the vocabulary does
/// not know ("Same day:", "Following week:") refines the section it sits
/// in rather than starting an unknown one, so it keeps that section's role.
fn effective_roles(doc: &Document, config: &Config) -> Vec<Vec<SectionRole>> {
    let mut out: Vec<Vec<SectionRole>> = Vec::with_capacity(doc.sections.len());
    let mut enclosing = vec![SectionRole::Unknown];
    for section in &doc.sections {
        let own = match section.kind {
            HeadingKind::None => vec![SectionRole::Unknown],
            _ => roles(&section.heading, &config.sections),
        };
        let role = match section.kind {
            HeadingKind::Label if own == [SectionRole::Unknown] => enclosing.clone(),
            HeadingKind::Label => own,
            _ => {
                enclosing = own.clone();
                own
            }
        };
        out.push(role);
    }
    out
}

/// Log excerpts in code blocks: under a symptom heading (or none), the
/// block's most error-like line is what was observed ("accept4() failed
/// (24: Too many open files)"). One line per block at most.
fn code_symptoms<'a>(
    sentences: &[(&'a Section, &'a Sentence)],
    lowered: &[String],
    sentence_headings: &[Heading],
) -> Vec<Scored<'a>> {
    let mut best: Vec<Scored<'a>> = Vec::new();
    // Index in `best` of each block's line so far: one lookup per line
    // keeps a post of many code blocks linear.
    let mut of_block: HashMap<usize, usize> = HashMap::default();
    for (order, ((section, sentence), lower)) in sentences.iter().zip(lowered).enumerate() {
        if !sentence.in_code {
            continue;
        }
        let heading = &sentence_headings[order];
        let roles = heading.roles;
        let needed = if roles.contains(&SectionRole::Symptoms) {
            1.0
        } else if roles == [SectionRole::Unknown] {
            2.5
        } else {
            continue;
        };
        let trimmed = lower.trim_start();
        let prose_words = lower
            .split_whitespace()
            .filter(|w| w.len() > 1 && w.chars().all(char::is_alphabetic))
            .count();
        if trimmed.starts_with(['$', '#', '/', '-', '+']) || prose_words < 3 {
            continue;
        }
        let score = cues::score(lower, &cues::SYMPTOM) + cues::score(lower, &cues::ERROR_LINE);
        if score < needed {
            continue;
        }
        let same_block = of_block.get(&sentence.block).map(|&i| &mut best[i]);
        match same_block {
            Some(b) if b.score >= score => {}
            Some(b) => {
                b.sentence = sentence;
                b.order = order;
                b.score = score;
            }
            None => {
                of_block.insert(sentence.block, best.len());
                best.push(Scored {
                    section,
                    sentence,
                    order,
                    field: Field::Symptoms,
                    score,
                    named: names(heading, Field::Symptoms),
                });
            }
        }
    }
    best
}

/// Does a section with these roles name `field` as its main subject?
fn names(heading: &Heading, field: Field) -> bool {
    let role = match field {
        Field::Symptoms => SectionRole::Symptoms,
        Field::Causes => SectionRole::Causes,
        Field::Fixes => SectionRole::Fixes,
        Field::Lessons => SectionRole::Lessons,
    };
    heading.roles.contains(&role) && !(field == Field::Causes && heading.secondary)
}

/// Under a trigger heading, a code block of one statement ("ALTER TABLE
/// orders ADD COLUMN ...") is the command that set the incident off.
fn trigger_commands<'a>(
    sentences: &[(&'a Section, &'a Sentence)],
    sentence_headings: &[Heading],
) -> Vec<Scored<'a>> {
    let mut found = Vec::new();
    let mut order = 0;
    while order < sentences.len() {
        let (section, sentence) = sentences[order];
        let lines = sentences[order..]
            .iter()
            .take_while(|(_, s)| s.in_code && s.block == sentence.block)
            .count();
        if lines == 0 {
            order += 1;
            continue;
        }
        let statement = sentence
            .text
            .split_whitespace()
            .filter(|w| w.len() > 1 && w.chars().all(char::is_alphabetic))
            .count()
            >= 3;
        if lines == 1
            && statement
            && sentence_headings[order]
                .roles
                .contains(&SectionRole::Causes)
            && sentence_headings[order].trigger
        {
            found.push(Scored {
                section,
                sentence,
                order,
                field: Field::Causes,
                score: HEADING_PRIOR,
                named: true,
            });
        }
        order += lines;
    }
    found
}

/// Hedged guesses that a later sentence confirms ("This experiment confirmed
/// our hypothesis") count as causes after all.
fn confirmed_guesses(lowered: &[String]) -> HashSet<usize> {
    let mut confirmed = HashSet::default();
    for (i, text) in lowered.iter().enumerate() {
        let confirms_a_guess = cues::any(text, &cues::CONFIRM)
            && ["hypothes", "theory", "suspicion", "hunch", "guess"]
                .iter()
                .any(|w| text.contains(w));
        if !confirms_a_guess {
            continue;
        }
        let guess = (i.saturating_sub(6)..i).rev().find(|&j| {
            cues::any(&lowered[j], &cues::HEDGE) && cues::score(&lowered[j], &cues::CAUSE) > 0.0
        });
        if let Some(j) = guess {
            confirmed.insert(j);
        }
    }
    confirmed
}

/// The longest part of a code line a finding quotes.
const QUOTED_CODE_CHARS: usize = 120;

/// The line of the code block right after sentence `order` that a line
/// ending in ':' introduces ("The error log filled with:", "later persisted
/// in /etc/sysctl.d/90-gateway.conf:"), prompts and comments skipped;
/// `None` when no code block follows.
fn introduced_code<'a>(
    sentences: &[(&Section, &'a Sentence)],
    order: usize,
) -> Option<&'a Sentence> {
    let (_, first) = sentences.get(order + 1)?;
    if !first.in_code || sentences[order].1.in_code {
        return None;
    }
    sentences[order + 1..]
        .iter()
        .map(|(_, s)| *s)
        .take_while(|s| s.in_code && s.block == first.block)
        .find(|s| {
            // Not a prompt, a comment or an INI section's name.
            let line = s.text.trim();
            !(line.starts_with(['$', '#']) || line.starts_with('[') && line.ends_with(']'))
        })
}

/// The best findings of one field, in reading order, without repeats.
fn select(scored: &[Scored], field: Field, sentences: &[(&Section, &Sentence)]) -> Vec<Finding> {
    let mut candidates: Vec<(f32, &Scored)> = Vec::new();
    // In a list of future work the first items are the ones that matter:
    // each later item there weighs a little less.
    let mut rank: HashMap<*const Section, usize> = Default::default();
    // Asked for every candidate: the heading is read once per section.
    let mut forward: HashMap<*const Section, bool> = Default::default();
    let mut forward_looking = |section: &Section| {
        *forward
            .entry(section as *const Section)
            .or_insert_with(|| sections::is_forward_looking(&section.heading))
    };
    for s in scored.iter().filter(|s| s.field == field) {
        let mut score = s.score;
        if forward_looking(s.section) {
            let r = rank.entry(s.section as *const Section).or_default();
            score -= 0.25 * *r as f32;
            *r += 1;
        }
        candidates.push((score, s));
    }
    // A post with a root cause section of its own states its causes there;
    // a cause-like sentence of its summary or contributing factors repeats
    // or qualifies them.
    let named = candidates.iter().filter(|(_, s)| s.named).count();
    if field == Field::Causes && named >= NAMED_ENOUGH {
        candidates.retain(|(_, s)| s.named);
    }
    // Keep the strongest few per section, then per field.
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.order.cmp(&b.1.order)));
    let mut per_section: HashMap<*const Section, usize> = Default::default();
    let mut seen = HashSet::default();
    let mut chosen: Vec<&Scored> = Vec::new();
    for (_, candidate) in candidates {
        let count = per_section
            .entry(candidate.section as *const Section)
            .or_default();
        let cap = if forward_looking(candidate.section) {
            MAX_FORWARD_LOOKING
        } else {
            MAX_PER_SECTION
        };
        if *count >= cap || chosen.len() >= MAX_PER_FIELD {
            continue;
        }
        if !seen.insert(candidate.sentence.text.to_lowercase()) {
            continue;
        }
        *count += 1;
        chosen.push(candidate);
    }
    chosen.sort_by_key(|s| s.order);
    // A line that introduces a log excerpt or a config says what it shows
    // with its first line: "filled with" alone points at nothing. That
    // line is then not a finding of its own as well.
    let quoted: HashMap<usize, &Sentence> = chosen
        .iter()
        .filter(|s| s.sentence.text.trim_end().ends_with(':'))
        .filter_map(|s| Some((s.order, introduced_code(sentences, s.order)?)))
        .collect();
    chosen
        .into_iter()
        .filter(|s| !quoted.values().any(|q| std::ptr::eq(*q, s.sentence)))
        .map(|s| {
            let intro = s.sentence.text.trim_end().trim_end_matches(':').trim_end();
            let text = match quoted.get(&s.order) {
                Some(code) => format!(
                    "{intro}: {}",
                    clip_chars(code.text.trim(), QUOTED_CODE_CHARS)
                ),
                None => intro.to_string(),
            };
            Finding {
                text,
                section: s.section.heading.clone(),
                line: s.sentence.line,
            }
        })
        .collect()
}

/// A short summary often tells what broke and what it did in one
/// sentence: "A manual operation was done incorrectly, causing the API to
/// go down for 90 minutes". Filed as a cause, it leaves the post with no
/// symptom to be found by, though its consequence is one. When a post has
/// no symptom of its own, the consequence clauses of its causes stand for
/// it: the ones that name a failure, not the next step of the mechanism
/// ("which led to a data conversion"). Only the clause, so that the
/// cause's own words do not weigh as a symptom in search.
fn impacts_told_with_causes(causes: &[Finding]) -> Vec<Finding> {
    causes
        .iter()
        .filter_map(|cause| {
            let lower = cause.text.to_lowercase();
            // Lowercasing kept the offsets only if it kept the length.
            if lower.len() != cause.text.len() {
                return None;
            }
            let clause = cues::consequence_clause(&lower)?;
            if cues::score(&lower[clause..], &cues::SYMPTOM) < IMPACT_CLAUSE_EVIDENCE {
                return None;
            }
            // As written, not capitalized: a finding quotes its post.
            Some(Finding {
                text: cause.text[clause..].trim().to_string(),
                section: cause.section.clone(),
                line: cause.line,
            })
        })
        .take(MAX_IMPACTS_FROM_CAUSES)
        .collect()
}

/// `text` cut to `max` characters, with "…" where it was cut.
fn clip_chars(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

/// The longest id kept whole; longer ones are cut and told apart by a
/// hash.
const MAX_ID_CHARS: usize = 200;

/// SPEC.md, "Record ids": front matter `id`, `slug`, `uuid`; then the
/// transcript slug; then the file stem. A name with no a-z or 0-9 in it
/// (`сбой.md`, `障害.md`) is named by a hash of itself: one fallback for
/// all of them made every such post but the first a duplicate.
fn choose_id(doc: &Document) -> String {
    let named = ["id", "slug", "uuid"]
        .iter()
        .filter_map(|key| doc.front.text(key))
        .chain(doc.slug.as_deref())
        .chain(std::iter::once(doc.file_stem.as_str()))
        .map(str::trim)
        .find(|name| !name.is_empty());
    match named {
        Some(name) => match normalize_id(name) {
            id if id.is_empty() => crate::incident::hashed_id(name),
            // An address of that length would not be served (HTTP 414).
            id if id.len() > MAX_ID_CHARS => {
                format!(
                    "{}-{}",
                    &id[..MAX_ID_CHARS - 9].trim_end_matches('-'),
                    &blake3::hash(id.as_bytes()).to_hex()[..8]
                )
            }
            id => id,
        },
        None => format!("post-{}", doc.line),
    }
}

const TITLE_CHARS: usize = 90;

/// A post without a title of its own is named by its file when the file
/// name is words (`redis-evictions.md`); a uuid or a number says nothing in
/// a list of hits, so then by what the post says first, after the company
/// it happened at when the front matter names one.
fn fallback_title(doc: &Document) -> String {
    let id_like = doc
        .file_stem
        .split(['-', '_', ' ', '.'])
        .filter(|part| !part.is_empty())
        .all(|part| part.chars().all(|c| c.is_ascii_hexdigit()));
    let opening = doc
        .sentences()
        .map(|(_, sentence)| sentence)
        .find(|sentence| !sentence.in_code && !sentence.in_table)
        .map(|sentence| crate::parse::collapse_whitespace(&sentence.text));
    let Some(opening) = opening.filter(|_| id_like) else {
        return humanize(&doc.file_stem);
    };
    let mut title = opening.trim_end_matches(['.', ':', ';']).to_string();
    if title.chars().count() > TITLE_CHARS {
        let cut: String = title.chars().take(TITLE_CHARS).collect();
        title = cut
            .rsplit_once(' ')
            .map_or(cut.as_str(), |(head, _)| head)
            .to_string()
            + "…";
    }
    match doc
        .front
        .text("company")
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        Some(company) => format!("{company}: {title}"),
        None => title,
    }
}

fn humanize(stem: &str) -> String {
    let words: Vec<&str> = stem
        .split(['-', '_', ' '])
        .filter(|w| !w.is_empty())
        .collect();
    let text = words.join(" ");
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn dedupe(values: impl Iterator<Item = String>) -> Vec<String> {
    let mut seen = HashSet::default();
    values.filter(|v| seen.insert(v.to_lowercase())).collect()
}

const SUMMARY_CHARS: usize = 400;

/// One or two sentences a reader can take in at a glance: the post's own
/// summary when it has one, else what was seen and why.
fn summary(doc: &Document, incident: &Incident) -> String {
    if let Some(text) = doc
        .front
        .text("summary")
        .or_else(|| doc.front.text("description"))
    {
        // Front matter holds markdown; the summary is shown as text.
        return clip(&first_sentences(&crate::parse::markdown_as_text(text), 2));
    }
    let summary_section = doc.sections.iter().find(|s| {
        s.kind != HeadingKind::None
            && roles(&s.heading, &Default::default()).contains(&SectionRole::Summary)
    });
    if let Some(section) = summary_section.filter(|s| !s.sentences.is_empty()) {
        let text: Vec<&str> = section
            .sentences
            .iter()
            .take(2)
            .map(|s| s.text.as_str())
            .collect();
        return clip(&text.join(" "));
    }
    let parts: Vec<&str> = [&incident.symptoms, &incident.causes]
        .iter()
        .filter_map(|f| f.first().map(|f| f.text.as_str()))
        .collect();
    if !parts.is_empty() {
        return clip(&parts.join(" "));
    }
    doc.sentences()
        .next()
        .map(|(_, s)| clip(&s.text))
        .unwrap_or_default()
}

fn first_sentences(text: &str, n: usize) -> String {
    let sentences: Vec<&str> = crate::parse::sentence_bounds(text)
        .into_iter()
        .take(n)
        .map(|(_, s)| s)
        .collect();
    crate::parse::collapse_whitespace(&sentences.concat())
}

fn clip(text: &str) -> String {
    if text.chars().count() <= SUMMARY_CHARS {
        return text.to_string();
    }
    let cut: String = text.chars().take(SUMMARY_CHARS).collect();
    let cut = cut
        .rsplit_once(' ')
        .map_or(cut.as_str(), |(head, _)| head)
        .to_string();
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::RawPost;

    fn record(text: &str) -> Incident {
        let raw = RawPost {
            source: "t.md".into(),
            line: 1,
            slug: None,
            text_line: 1,
            text: text.into(),
            file_stem: "t".into(),
            near_markers: Vec::new(),
        };
        let doc = crate::parse::parse(&raw).expect("parses");
        extract(&doc, &Config::default()).incident
    }

    #[test]
    fn a_post_named_by_a_uuid_is_titled_by_what_it_says_first() {
        let titled = |stem: &str, text: &str| {
            let raw = RawPost {
                source: format!("{stem}.md"),
                line: 1,
                slug: None,
                text_line: 1,
                text: text.into(),
                file_stem: stem.into(),
                near_markers: Vec::new(),
            };
            let doc = crate::parse::parse(&raw).expect("parses");
            extract(&doc, &Config::default()).incident.title
        };
        let story = "---\ncompany: rust-lang\n---\n\nOn 2023-07-20 between 12:17 and 12:30 UTC all crate downloads from crates.io were broken due to a deployment that contained a bug in the download URL generation. It was rolled back.\n";
        assert_eq!(
            titled("04f5afd8-09fc-4314-9c60-7f942faca125", story),
            "rust-lang: On 2023-07-20 between 12:17 and 12:30 UTC all crate downloads from crates.io were broken…"
        );
        assert_eq!(
            titled(
                "1234",
                "The nightly export locked the orders table for an hour.\n"
            ),
            "The nightly export locked the orders table for an hour"
        );
        // A file name of words is a title.
        assert_eq!(titled("redis-evictions", story), "Redis evictions");
    }

    fn texts(findings: &[Finding]) -> Vec<&str> {
        findings.iter().map(|f| f.text.as_str()).collect()
    }

    #[test]
    fn an_error_line_of_a_log_excerpt_is_a_symptom() {
        let post = "# Edge proxy\n\n## Detection\n\nThe proxy log on every host filled with these lines:\n\n```\n$ tail /var/log/nginx/error.log\n2016/08/19 18:02:11 [crit] accept4() failed (24: Too many open files)\n```\n";
        let incident = record(post);
        let symptoms = texts(&incident.symptoms);
        assert!(
            symptoms.iter().any(|t| t.contains("Too many open files")),
            "{symptoms:?}"
        );
        assert!(!symptoms.iter().any(|t| t.starts_with('$')));
        // The line that introduces the excerpt says what it shows with its
        // first line (the prompt's skipped), once.
        let quoted: Vec<_> = incident
            .symptoms
            .iter()
            .filter(|f| f.text.contains("accept4"))
            .collect();
        assert_eq!(quoted.len(), 1, "{symptoms:?}");
        assert_eq!(
            quoted[0].text,
            "The proxy log on every host filled with these lines: 2016/08/19 18:02:11 [crit] accept4() failed (24: Too many open files)"
        );
        assert_eq!(quoted[0].line, 5);
    }

    #[test]
    fn recovery_and_spared_services_are_not_findings() {
        let post = "# Outage\n\n## Impact\n\n- Checkout requests failed with HTTP 503 errors for an hour.\n- Search and messaging were unaffected.\n\n## Resolution\n\n- We rolled back the deploy to version 3.17.2.\n- Error rates were back to normal at 10:16.\n";
        let incident = record(post);
        assert_eq!(
            texts(&incident.symptoms),
            ["Checkout requests failed with HTTP 503 errors for an hour."]
        );
        assert_eq!(
            texts(&incident.fixes),
            ["We rolled back the deploy to version 3.17.2."]
        );
    }

    #[test]
    fn an_unknown_label_keeps_the_role_of_its_section() {
        let post = "# Disk full\n\nWhat we did\n\n- Same day: fixed the logrotate rule and started running it hourly.\n";
        let incident = record(post);
        assert_eq!(
            texts(&incident.fixes),
            ["fixed the logrotate rule and started running it hourly."]
        );
    }

    #[test]
    fn a_discovery_sentence_points_at_the_cause_that_follows() {
        let cause =
            "Every pool thread was a parent blocked on a child behind it, so nothing could finish.";
        let post = format!("# Deadlock\n\nAt 14:20 the p99 latency of the invoice service went from 180 ms to exactly 30 seconds and requests timed out. The callers saw errors.\n\nThe real clue came from jstack. {cause}\n\nWe gave the child tasks their own executor, and the fix shipped that evening.\n");
        assert_eq!(texts(&record(&post).causes), [cause]);
        // Without the pointer the same sentence is not enough on its own.
        let post = post.replace("The real clue came from jstack. ", "");
        assert!(record(&post).causes.is_empty());
    }

    #[test]
    fn a_story_that_opens_on_its_date_is_setting_the_scene() {
        let post = "# A day\n\nJune 30, 2012 was a Saturday, and my train was twenty minutes late to the office.\n\nAt 7 PM the pager went off and every request was timing out with 504 errors.\n\nWe restarted the hosts and patched the kernel, which fixed it.\n";
        let incident = record(post);
        let symptoms = texts(&incident.symptoms);
        assert!(
            !symptoms.iter().any(|t| t.contains("train")),
            "{symptoms:?}"
        );
        assert!(
            symptoms.iter().any(|t| t.contains("timing out")),
            "{symptoms:?}"
        );
    }

    #[test]
    fn a_trigger_command_stands_for_the_line_that_introduces_it() {
        let post = "# Lock queue\n\n## Trigger\n\nThe 10:01 deploy ran `rails db:migrate`, which executed:\n\n```sql\nALTER TABLE orders ADD COLUMN fulfillment_region text;\n```\n";
        assert_eq!(
            texts(&record(post).causes),
            ["ALTER TABLE orders ADD COLUMN fulfillment_region text;"]
        );
        // Without a statement to stand for it, the introduction says what
        // set the incident off, with the line it introduced.
        let post = "# Regex\n\n## Trigger\n\nAt 11:07 an engineer added a pattern meant to catch scrapers:\n\n```\n^(?:[\\w.]+\\s?)+crawler$\n```\n";
        assert_eq!(
            texts(&record(post).causes),
            ["At 11:07 an engineer added a pattern meant to catch scrapers: ^(?:[\\w.]+\\s?)+crawler$"]
        );
    }

    #[test]
    fn a_reason_under_a_symptom_heading_is_a_cause() {
        let reason = "Our synthetic checks stayed green the whole time because they ran curl with --insecure.";
        let post = format!("# Expired certificate\n\n## Detection\n\n{reason}\n\n## Impact\n\nEvery client that validates certificates failed with SSL handshake errors.\n");
        let incident = record(&post);
        assert_eq!(texts(&incident.causes), [reason]);
        assert!(!texts(&incident.symptoms).contains(&reason));
    }

    #[test]
    fn a_story_sentence_needs_a_word_of_its_own_to_be_a_cause() {
        let post = "# Checkout\n\nAt 15:58 checkout requests started failing with HTTP 401 errors from Stripe on most charge attempts.\n\nThat pointed straight at the secret. At 15:55 our security team had rolled the Stripe secret key and chose to expire the old key immediately. The new key landed in Vault, external-secrets synced it into the Kubernetes Secret, and every new pod picked it up. But checkout-api reads the key once at startup, and environment variables in a running container never change. The older pods were still presenting a key that Stripe had already revoked.\n\nWe restarted the deployment and the errors stopped.\n";
        let causes = record(post).causes;
        assert!(
            !texts(&causes).iter().any(|t| t.contains("new key landed")),
            "{causes:?}"
        );
        assert!(
            texts(&causes).iter().any(|t| t.contains("once at startup")),
            "{causes:?}"
        );
    }

    #[test]
    fn a_definition_under_a_cause_heading_is_background() {
        let post = "# Stale reads\n\n## Why\n\nbasket-api is a Laravel application that sends all SELECT statements to the replicas.\n\nThe replicas fell behind because a single statement touched 9.6 million rows.\n";
        assert_eq!(
            texts(&record(post).causes),
            ["The replicas fell behind because a single statement touched 9.6 million rows."]
        );
        // The incident's own state, told in the past, is still a cause.
        assert!(!cues::defines("it was a plain map with no maximum size."));
        assert!(!cues::defines("there is a bug in the retry loop."));
    }

    #[test]
    fn what_a_failure_prevented_is_no_fix() {
        let post = "---\ntitle: Database failover\ncompany: Example\n---\n\nThe primary database failed at 10:00 and writes stopped. Ongoing provisioning issues prevented the standby from taking over.\n\nEngineers restarted the standby by hand and added a check to prevent a repeat.\n";
        assert_eq!(
            texts(&record(post).fixes),
            ["Engineers restarted the standby by hand and added a check to prevent a repeat."]
        );
    }

    #[test]
    fn a_front_matter_summary_is_shown_as_text() {
        let post = "---\ntitle: Leap second\nsummary: Backwards time from [the leap second](https://example.com/bulletin) made *every* `ntpd` host spin. It took hours.\n---\n\nThe hosts spun at full CPU after the leap second.\n";
        assert_eq!(
            record(post).summary,
            "Backwards time from the leap second made every ntpd host spin. It took hours."
        );
    }

    #[test]
    fn what_the_incident_resulted_in_is_a_symptom() {
        let post = "---\ntitle: Ledger database outage\ncompany: Example\n---\n\nThe ledger database reached the file size limit of its volume and stopped accepting writes. The incident resulted in 31 hours of full downtime, followed by five days of limited access for users. Engineers migrated the data to a new instance with a larger volume.\n";
        let incident = record(post);
        let symptoms = texts(&incident.symptoms);
        assert!(
            symptoms.iter().any(|t| t.contains("resulted in 31 hours")),
            "{symptoms:?}"
        );
        let causes = texts(&incident.causes);
        assert!(
            !causes.iter().any(|t| t.contains("resulted in")),
            "{causes:?}"
        );
        assert!(
            causes
                .iter()
                .any(|t| t.contains("reached the file size limit")),
            "{causes:?}"
        );
        assert!(cues::tells_impact(
            "this incident, which lasted 45 minutes, led to a loss."
        ));
        assert!(!cues::tells_impact(
            "the outage was caused by a bad deploy that led to errors."
        ));
        assert!(!cues::tells_impact("a bad deploy led to the outage."));
    }

    #[test]
    fn action_items_keep_the_first_few() {
        let post = "# Outage\n\n## Action Items\n\n- Add an alert on pool saturation for every service.\n- Add backoff with jitter to every database reconnect.\n- Add a game day for failover each quarter.\n- Add a runbook entry for the failover.\n";
        let incident = record(post);
        assert_eq!(incident.fixes.len(), MAX_FORWARD_LOOKING);
        assert!(incident.fixes[0].text.contains("pool saturation"));
    }
}
