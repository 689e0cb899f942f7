//! A post's markdown as safe HTML. Posts are written by many people and may
//! hold `<script>`, `onerror=` or `javascript:` links: everything goes
//! through ammonia after pulldown-cmark. Each source line that starts a
//! block or a wrapped line, and each line of a code block, gets an anchor
//! (`#L12`), so findings can link to their place.

use pulldown_cmark::{html, CowStr, Event, Options, Parser};

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
    for (event, range) in Parser::new_ext(&clean, options).into_offset_iter() {
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
    let mut unsafe_html = String::with_capacity(clean.len() * 2);
    html::push_html(&mut unsafe_html, events.into_iter());
    let safe = ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer nofollow"))
        .clean(&unsafe_html)
        .to_string();
    restore_anchors(&safe)
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
    fn hostile_markup_never_runs() {
        let post = "Hello <script>alert(1)</script>\n\n<img src=x onerror=\"alert(2)\">\n\n[click](javascript:alert(3))\n";
        let html = markdown_to_safe_html(post, 1);
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
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
