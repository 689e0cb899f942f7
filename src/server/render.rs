//! A post's markdown as safe HTML. Posts are written by many people and may
//! hold `<script>`, `onerror=` or `javascript:` links. The HTML is safe by
//! construction: pulldown-cmark escapes every text and attribute it writes,
//! so what is left to check is what it passes through: raw HTML is shown
//! as the text it is, but for a few bare tags that only style text (`<br>`,
//! `<b>`), and a link or image whose address has another scheme than
//! http(s) or mailto points nowhere. (A sanitizer that parsed the HTML again
//! took seconds on a 40 KB post of nested lists, and any one page could hold
//! the server's threads: its tree builder and escaping are quadratic.) Each
//! source line that starts a block or a wrapped line, and each line of a
//! code block, gets an anchor (`#L12`), so findings can link to their place.

use pulldown_cmark::{html, CowStr, Event, Options, Parser, Tag, TagEnd};

/// Markers for line anchors, stripped from the input first so a post cannot
/// forge them. They survive escaping and sanitizing as plain text.
const OPEN: char = '\u{E000}';
const CLOSE: char = '\u{E001}';

pub fn markdown_to_safe_html(markdown: &str, first_line: usize) -> String {
    let clean: String = markdown
        .chars()
        .filter(|c| *c != OPEN && *c != CLOSE)
        .collect();
    let mut line_starts = vec![0];
    line_starts.extend(clean.match_indices('\n').map(|(i, _)| i + 1));
    let line_of = |offset: usize| first_line + line_starts.partition_point(|&s| s <= offset) - 1;

    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut events: Vec<Event> = Vec::new();
    let mut last_anchor = 0;
    let mut in_code = false;
    // An image's text is its alt attribute: no anchor goes there.
    let mut in_image = 0usize;
    for (event, range) in Parser::new_ext(&clean, options).into_offset_iter() {
        let event = made_safe(event);
        match &event {
            Event::Start(Tag::Image { .. }) => in_image += 1,
            Event::End(TagEnd::Image) => in_image = in_image.saturating_sub(1),
            _ => {}
        }
        if in_image > 0 {
            events.push(event);
            continue;
        }
        if let (true, Event::Text(code)) = (in_code, &event) {
            // Findings are taken from code lines too (an error in a log
            // excerpt): each line of a block gets its anchor inside it.
            for (line, piece) in (line_of(range.start)..).zip(code.split_inclusive('\n')) {
                push_anchor(&mut events, &mut last_anchor, line);
                events.push(Event::Text(CowStr::from(piece.to_string())));
            }
            continue;
        }
        let anchor_at = match &event {
            Event::Start(pulldown_cmark::Tag::CodeBlock(_)) => {
                in_code = true;
                None
            }
            Event::End(pulldown_cmark::TagEnd::CodeBlock) => {
                in_code = false;
                None
            }
            Event::Text(_) => Some(range.start),
            Event::SoftBreak | Event::HardBreak => Some(range.end),
            _ => None,
        };
        // A break comes before the anchor of the line it opens; text comes
        // after the anchor of the line it starts on.
        let is_break = matches!(event, Event::SoftBreak | Event::HardBreak);
        let mut pending = Some(event);
        if is_break {
            events.extend(pending.take());
        }
        if let Some(offset) = anchor_at {
            push_anchor(&mut events, &mut last_anchor, line_of(offset));
        }
        events.extend(pending);
    }
    let mut safe = String::with_capacity(clean.len() * 2);
    html::push_html(&mut safe, events.into_iter());
    restore_anchors(&safe)
}

/// Tags that only style text, passed through bare (no attributes).
const STYLING_TAGS: &[&str] = &[
    "br", "b", "i", "em", "strong", "code", "kbd", "sub", "sup", "s", "u", "mark", "small",
];

/// An event that writes nothing a browser would run: raw HTML becomes its
/// text unless it is a bare styling tag; an address of another scheme
/// than http(s) or mailto becomes none.
fn made_safe(event: Event) -> Event {
    match event {
        Event::Html(raw) | Event::InlineHtml(raw) => match styling_tag(&raw) {
            Some(tag) => Event::InlineHtml(CowStr::from(tag)),
            None => Event::Text(raw),
        },
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: safe_address(dest_url),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Image {
            link_type,
            dest_url: safe_address(dest_url),
            title,
            id,
        }),
        other => other,
    }
}

/// `<b>`, `</b>`, `<br/>` written back in lower case; `None` for any other
/// HTML, attributes included.
fn styling_tag(raw: &str) -> Option<String> {
    let inner = raw.trim().strip_prefix('<')?.strip_suffix('>')?;
    let (closing, name) = match inner.strip_prefix('/') {
        Some(name) => (true, name),
        None => (false, inner.strip_suffix('/').unwrap_or(inner)),
    };
    let name = name.trim().to_ascii_lowercase();
    STYLING_TAGS
        .contains(&name.as_str())
        .then(|| format!("<{}{name}>", if closing { "/" } else { "" }))
}

/// The address, if it is relative or http(s)/mailto; otherwise none.
/// Browsers skip tabs and newlines inside a scheme ("java\tscript:"), so
/// the scheme is read without them.
fn safe_address(address: CowStr) -> CowStr {
    let compact: String = address
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase();
    let scheme = compact
        .split_once(':')
        .map(|(before, _)| before)
        .filter(|before| !before.contains(['/', '?', '#']));
    match scheme {
        None | Some("http" | "https" | "mailto") => address,
        Some(_) => CowStr::from(""),
    }
}

/// The marker of `line`'s anchor, unless that line has one already.
fn push_anchor(events: &mut Vec<Event>, last_anchor: &mut usize, line: usize) {
    if line > *last_anchor {
        *last_anchor = line;
        events.push(Event::Text(CowStr::from(format!("{OPEN}L{line}{CLOSE}"))));
    }
}

fn restore_anchors(html: &str) -> String {
    let mut out = String::with_capacity(html.len() + 256);
    let mut rest = html;
    while let Some(start) = rest.find(OPEN) {
        out.push_str(&rest[..start]);
        let after = &rest[start + OPEN.len_utf8()..];
        match after.find(CLOSE) {
            Some(end)
                if after[..end].starts_with('L')
                    && after[1..end].chars().all(|c| c.is_ascii_digit()) =>
            {
                let id = &after[..end];
                out.push_str(&format!(r#"<span class="anchor" id="{id}"></span>"#));
                rest = &after[end + CLOSE.len_utf8()..];
            }
            _ => rest = after,
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_is_shown_as_text_but_for_bare_styling_tags() {
        let html = markdown_to_safe_html(
            "Ran <b>out</b> of disk<br>again <span style=\"x\">here</span>\n\n<div onclick=\"x()\">\nblock\n</div>\n\n![a <b>](javascript:x) [ok](https://example.com/a?b=1&c=2) [rel](../x.md) [mail](mailto:a@b.c) [bad](java\tscript:alert(1)) [data](DATA:text/html,x)\n",
            1,
        );
        assert!(
            html.contains("<b>out</b>") && html.contains("<br>"),
            "{html}"
        );
        assert!(
            html.contains("&lt;span style=\"x\"&gt;here&lt;/span&gt;"),
            "{html}"
        );
        assert!(html.contains("&lt;div onclick=\"x()\"&gt;"), "{html}");
        assert!(
            !html.contains("<div") && !html.contains("<span style"),
            "{html}"
        );
        assert!(
            html.contains(r#"href="https://example.com/a?b=1&amp;c=2""#),
            "{html}"
        );
        assert!(html.contains(r#"href="../x.md""#), "{html}");
        assert!(html.contains(r#"href="mailto:a@b.c""#), "{html}");
        assert!(
            !html.contains(r#"href="java"#) && !html.contains(r#"src="java"#),
            "{html}"
        );
        assert!(!html.to_lowercase().contains("data:"), "{html}");
        assert_eq!(safe_address("java\tscript:x".into()).as_ref(), "");
        assert_eq!(safe_address(" JavaScript:x".into()).as_ref(), "");
        assert_eq!(safe_address("/x?a=b:c".into()).as_ref(), "/x?a=b:c");
        // No anchor inside an image's alt text.
        assert!(html.contains(r#"alt="a &lt;b&gt;""#), "{html}");
    }

    #[test]
    fn rendering_takes_time_in_proportion_to_the_post() {
        // Deep nesting and runs of escaped characters were quadratic in
        // the sanitizer; here each is a few milliseconds.
        for post in [
            "- ".repeat(20_000),
            "> - ".repeat(10_000),
            "\u{a0}".repeat(200_000),
            "&#".repeat(200_000),
        ] {
            let html = markdown_to_safe_html(&format!("# T\n\n{post}x\n"), 1);
            assert!(html.len() >= post.len() / 4, "{}", html.len());
        }
    }

    #[test]
    fn hostile_markup_never_runs() {
        let post = "Hello <script>alert(1)</script>\n\n<img src=x onerror=\"alert(2)\">\n\n[click](javascript:alert(3))\n";
        let html = markdown_to_safe_html(post, 1);
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
    }

    #[test]
    fn lines_get_anchors() {
        let html =
            markdown_to_safe_html("# Title\n\nfirst line\nsecond line\n\n```\ncode\n```\n", 10);
        for line in [10, 12, 13] {
            assert!(
                html.contains(&format!(r#"id="L{line}""#)),
                "L{line} in {html}"
            );
        }
        assert!(
            html.contains(r#"<code><span class="anchor" id="L16"></span>code"#),
            "code lines have anchors: {html}"
        );
        // Indented code, several lines: each line its own.
        let html = markdown_to_safe_html("Log:\n\n    one\n    two\n\nafter\n", 1);
        for line in [3, 4, 6] {
            assert!(
                html.contains(&format!(r#"id="L{line}""#)),
                "L{line} in {html}"
            );
        }
        let forged = markdown_to_safe_html("\u{E000}L1\"><script>x</script>\u{E001}", 1);
        assert!(!forged.contains("<script"), "{forged}");
    }
}
