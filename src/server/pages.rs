//! The HTML pages, rendered on the server so everything works without
//! JavaScript. Text from posts is escaped by maud; the only raw HTML is our
//! own highlighting (escaped first) and the sanitized post body.

use std::collections::HashSet;

use maud::{html, Markup, PreEscaped, DOCTYPE};

use crate::incident::{Field, Incident};
use crate::search::{highlight, Facets, Hit, SearchResults, SimilarResults};

/// The page's script and style, served as files of their own (see
/// `asset`) so the pages' content security policy can forbid every inline
/// script: a post that slipped markup past the renderer still runs nothing.
pub const SCRIPT: &str = include_str!("search.js");
pub const STYLE: &str = include_str!("style.css");

/// An asset's address, with a digest of its content: browsers keep it for
/// good, and a new build's asset is a new address.
fn asset_href(name: &str, content: &str) -> String {
    format!(
        "/assets/{name}?v={}",
        &blake3::hash(content.as_bytes()).to_hex()[..12]
    )
}

pub const EXAMPLES: [&str; 6] = [
    "intermittent timeout",
    "pods restarting",
    "disk full after deploy",
    "certificate expired",
    "ran out of memory",
    "502 bad gateway",
];

fn layout(title: &str, query: &str, body: Markup) -> Markup {
    // The answer to the query on the page, as JSON.
    let api_query = match query.trim() {
        "" => "timeout",
        query => query,
    };
    let api_href = format!("/api/search?q={}", urlencode(api_query));
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · pmkb" }
                link rel="stylesheet" href=(asset_href("style.css", STYLE));
            }
            body {
                a.skip href="#main" { "Skip to content" }
                header.top {
                    div.inner {
                        a.brand href="/" { "pmkb" small { "postmortem knowledge base" } }
                        form.search role="search" action="/" method="get" {
                            label.visually-hidden for="q" { "Search past incidents by what you see" }
                            input #q type="search" name="q" value=(query) autocomplete="off" autofocus
                                placeholder="What do you see? e.g. intermittent timeout";
                            button type="submit" { "Search" }
                        }
                    }
                }
                main #main { (body) }
                footer {
                    "Press " kbd { "/" } " to search. Results come from the postmortems in the posts folder · "
                    a href="/how-to-add" { "How to add a postmortem" } " · "
                    a href=(api_href) { "JSON API" }
                }
                script src=(asset_href("search.js", SCRIPT)) {}
            }
        }
    }
}

/// Where in the post a finding was read: its section, when it had one.
fn where_found(section: &str, line: usize) -> String {
    if section.trim().is_empty() {
        format!("line {line} of the post")
    } else {
        format!("{section} · line {line}")
    }
}

fn with_filter(query: &str, filter: &str) -> String {
    let query = query.trim();
    if query
        .split_whitespace()
        .any(|w| w.eq_ignore_ascii_case(filter))
    {
        query.to_string()
    } else if query.is_empty() {
        filter.to_string()
    } else {
        format!("{query} {filter}")
    }
}

/// The query without `filter`: what clicking an active filter leads to.
fn without_filter(query: &str, filter: &str) -> String {
    query
        .split_whitespace()
        .filter(|w| !w.eq_ignore_ascii_case(filter))
        .collect::<Vec<_>>()
        .join(" ")
}

fn search_href(query: &str) -> String {
    format!("/?q={}", urlencode(query))
}

pub fn urlencode(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

fn filter_list(title: &str, prefix: &str, values: &[(String, u64)], query: &str) -> Markup {
    html! {
        @if !values.is_empty() {
            h2 { (title) }
            ul {
                @for (value, count) in values {
                    @let filter = if value.contains(' ') { format!("{prefix}:\"{value}\"") } else { format!("{prefix}:{value}") };
                    @let active = query.split_whitespace().any(|w| w.eq_ignore_ascii_case(&filter));
                    @let href = if active {
                        // A second click takes the filter off again.
                        let rest = without_filter(query, &filter);
                        if rest.is_empty() { "/".to_string() } else { search_href(&rest) }
                    } else {
                        search_href(&with_filter(query, &filter))
                    };
                    li {
                        a href=(href) aria-current=[active.then_some("true")]
                            title=[active.then_some("Remove this filter")] {
                            span { (value) } span.count { (count) }
                        }
                    }
                }
            }
        }
    }
}

fn finding_row(field: Field, texts: &[String], terms: &HashSet<String>) -> Markup {
    let (class, label) = match field {
        Field::Symptoms => ("symptom", "Symptom"),
        Field::Causes => ("cause", "Cause"),
        Field::Fixes => ("fix", "Fix"),
        Field::Lessons => ("lesson", "Lesson"),
    };
    html! {
        @for text in texts {
            dt class=(class) { (label) }
            dd { (PreEscaped(highlight(text, terms))) }
        }
    }
}

fn card(hit: &Hit, terms: &HashSet<String>) -> Markup {
    let title = highlight(&hit.title, terms);
    let passage = hit.unexplained(terms);
    html! {
        article.card {
            h3 { a href=(format!("/incidents/{}", hit.id)) { (PreEscaped(title)) } }
            p.meta {
                @if let Some(date) = &hit.date { time datetime=(date) { (date) } " · " }
                span.chips {
                    @for tech in &hit.technologies { a.chip href=(search_href(&format!("tech:\"{tech}\""))) { (tech) } }
                    @for tag in &hit.tags { a.chip href=(search_href(&format!("tag:\"{tag}\""))) { "#" (tag) } }
                }
            }
            dl.findings {
                (finding_row(Field::Symptoms, &hit.symptoms, terms))
                (finding_row(Field::Causes, &hit.causes, terms))
                (finding_row(Field::Fixes, &hit.fixes, terms))
                @if let Some(passage) = passage {
                    dt.passage { "In the post" }
                    // The snippet is HTML already: escaped, with its marks.
                    dd.passage { (PreEscaped(passage)) }
                }
            }
        }
    }
}

/// The results column: what search-as-you-type swaps in.
pub fn results(
    query: &str,
    results: &SearchResults,
    page: usize,
    per_page: usize,
    terms: &HashSet<String>,
) -> Markup {
    let pages = results.total.div_ceil(per_page.max(1));
    html! {
        @if results.hits.is_empty() && results.total > 0 {
            div.empty {
                h2 { "Page " (page) " is past the last page" }
                p {
                    (results.total) @if results.total == 1 { " incident matches" } @else { " incidents match" }
                    ", on " (pages) @if pages == 1 { " page" } @else { " pages" } ": "
                    a href=(format!("{}&page={}", search_href(query), pages)) { "go to page " (pages) }
                }
            }
        } @else if results.hits.is_empty() {
            div.empty {
                h2 { "No incidents match " q { (query) } }
                p { "Try:" }
                ul {
                    li { "fewer words, or only the symptom (\"timeout\" rather than \"checkout timeout on Friday\")" }
                    li { "the error message as you see it, e.g. " code { "too many open files" } }
                    li { "removing filters such as " code { "tech:" } " or " code { "year:" } }
                }
                p { "Or start from a common symptom:" }
                ul.examples { @for example in EXAMPLES { li { a href=(search_href(example)) { (example) } } } }
            }
        } @else {
            p.meta role="status" {
                (results.total) @if results.total == 1 { " incident" } @else { " incidents" }
                " · " (format!("{:.1}", results.took_ms)) " ms"
                @if pages > 1 { " · page " (page) " of " (pages) }
                @if results.near_spellings { " · no incident has some of these words as typed: words spelled like them were searched too" }
            }
            @for hit in &results.hits { (card(hit, terms)) }
            @if pages > 1 {
                nav.pages aria-label="Pages" {
                    @if page > 1 { a rel="prev" href=(format!("{}&page={}", search_href(query), page - 1)) { "← Previous" } }
                    @if page < pages { a rel="next" href=(format!("{}&page={}", search_href(query), page + 1)) { "More matches →" } }
                }
            }
        }
    }
}

pub fn search_page(
    query: &str,
    found: &SearchResults,
    facets: &Facets,
    page: usize,
    per_page: usize,
    terms: &HashSet<String>,
) -> Markup {
    let body = html! {
        h1.visually-hidden { "Incidents matching " (query) }
        div.layout {
            aside.filters aria-label="Filters" {
                (filter_list("Technology", "tech", &facets.technologies, query))
                (filter_list("Tag", "tag", &facets.tags, query))
                (filter_list("Year", "year", &facets.years, query))
            }
            section #results aria-live="polite" aria-label="Results" {
                (results(query, found, page, per_page, terms))
            }
        }
    };
    layout(&format!("{query} — search"), query, body)
}

pub fn home_page(incidents: u64, facets: &Facets) -> Markup {
    let body = html! {
        div.layout {
            aside.filters aria-label="Browse" {
                (filter_list("Technology", "tech", &facets.technologies, ""))
                (filter_list("Tag", "tag", &facets.tags, ""))
                (filter_list("Year", "year", &facets.years, ""))
            }
            section #results aria-live="polite" aria-label="Results" {
                div.intro {
                    h1 { "What do you see?" }
                    p { "Type the symptom — an error, a timeout, an alert — and get the past incidents that looked like it: what was observed, why it happened, and how it was fixed. "
                        (incidents) " incidents indexed." }
                    ul.examples { @for example in EXAMPLES { li { a href=(search_href(example)) { (example) } } } }
                    p.meta { "Narrow with " code { "tech:kubernetes" } ", " code { "tag:dns" } ", " code { "year:2021" } ", search one field with " code { "cause:" } " / " code { "fix:" } ", leave a word out with " code { "-staging" } "." }
                }
            }
        }
    };
    layout("Search past incidents", "", body)
}

fn record_list(title: &str, class: &str, incident: &Incident, field: Field) -> Markup {
    let findings = incident.findings(field);
    html! {
        @if !findings.is_empty() {
            section {
                h2 class=(class) { (title) }
                ul {
                    @for f in findings {
                        li { (f.text) a.where href=(format!("#L{}", f.line)) title=(where_found(&f.section, f.line)) { "line " (f.line) } }
                    }
                }
            }
        }
    }
}

pub fn incident_page(incident: &Incident, post_html: &str, similar: &SimilarResults) -> Markup {
    let body = html! {
        article.incident {
            h1 { (incident.title) }
            p.meta {
                @if let Some(date) = &incident.date { time datetime=(date) { (date) } " · " }
                @if let Some(severity) = &incident.severity { (severity) " · " }
                a href=(format!("/incidents/{}/source", incident.id)) { (incident.source) ":" (incident.line) }
                " · " a href=(format!("/api/incidents/{}", incident.id)) { "JSON" }
            }
            @if !incident.summary.is_empty() { p.summary { (incident.summary) } }
            div.columns {
                div.record {
                    (record_list("Symptoms", "symptom", incident, Field::Symptoms))
                    (record_list("Causes", "cause", incident, Field::Causes))
                    (record_list("Fixes", "fix", incident, Field::Fixes))
                    (record_list("Lessons", "lesson", incident, Field::Lessons))
                    @if !incident.technologies.is_empty() || !incident.tags.is_empty() {
                        section {
                            h2 { "Technologies and tags" }
                            p.chips {
                                @for tech in &incident.technologies { a.chip href=(search_href(&format!("tech:\"{tech}\""))) { (tech) } }
                                @for tag in &incident.tags { a.chip href=(search_href(&format!("tag:\"{tag}\""))) { "#" (tag) } }
                            }
                        }
                    }
                    section {
                        h2 { "Similar incidents" }
                        @if similar.hits.is_empty() { p.meta { "None found." } }
                        ul {
                            @for hit in &similar.hits {
                                li { a href=(format!("/incidents/{}", hit.id)) { (hit.title) }
                                    @if let Some(date) = &hit.date { " " span.meta { "(" (date) ")" } } }
                            }
                        }
                    }
                }
                section.post aria-label="Original post" {
                    h2 { "Original post" }
                    div.markdown { (PreEscaped(post_html)) }
                }
            }
        }
    };
    layout(&incident.title, "", body)
}

/// An error, with the search box holding what was typed (a query with a
/// forgotten quote is corrected there, not typed again).
/// Error messages quote what to type between backticks, as on a
/// terminal; on a page those parts are shown as code.
fn with_code(message: &str) -> Markup {
    let closed = message.matches('`').count().is_multiple_of(2);
    html! {
        @for (at, piece) in message.split('`').enumerate() {
            @if closed && at % 2 == 1 { code { (piece) } } @else if !closed && at > 0 { "`" (piece) } @else { (piece) }
        }
    }
}

pub fn error_page(status: u16, message: &str, query: &str) -> Markup {
    let body = html! {
        div.empty {
            h1 { (status) }
            p { (with_code(message)) }
            p { a href="/" { "Back to search" } }
        }
    };
    layout("Error", query, body)
}

pub fn how_to_add_page(template: &str) -> Markup {
    let body = html! {
        article.incident {
            h1 { "How to add a postmortem" }
            p { "Postmortems are markdown files in the posts folder. Any shape works — our template, your team's own headings (map them in "
                code { "pmkb.toml" } "), a plain story — but a post with clear Symptoms, Root Cause and Resolution sections is found more often and reads better." }
            section.post {
                h2 { "1. Start from the template" }
                pre { code { "pmkb new \"Checkout latency after the 3.2 deploy\"" } }
                p { "This writes " code { "posts/<date>-<slug>.md" } " and prints its path. It never overwrites a file." }
                h2 { "2. Fill it in, then check and add it" }
                pre { code { "pmkb add posts/2026-01-02-checkout-latency-after-the-3-2-deploy.md" } }
                p { "pmkb shows what it found — title, date, symptoms, causes, fixes, technologies — and warns about anything missing, such as a post with no cause. "
                    code { "--dry-run" } " shows the report without copying; a file written elsewhere is copied into the posts folder and indexed. "
                    "Duplicate ids and file names are refused unless you pass " code { "--force" } "." }
                h2 { "3. Or just save it" }
                p { "With " code { "pmkb serve --watch" } " (or " code { "pmkb import --watch" } ") running, saving a file in the posts folder is enough: it is searchable within a second or two." }
                h2 { "The template" }
                pre { code { (template) } }
            }
        }
    };
    layout("How to add a postmortem", "", body)
}
