//! Human output: readable in a terminal, coloured only when stdout is one and
//! NO_COLOR is unset.

use std::io::{IsTerminal, Write};

use pmkb::incident::{Field, Incident};

pub struct Style {
    color: bool,
}

/// Human output to a terminal, with the post's text made inert: a post
/// may hold escape sequences (clear the screen, set the window title, a
/// disguised link), and printed as they are, the terminal would obey them.
/// Control characters are shown escaped (`\u{1b}`), as file names are in
/// error lines; only colour codes pass, when colour is on.
pub struct Inert<W: Write> {
    inner: W,
    color: bool,
}

/// A command's `--json` answer on stdout: one document and a newline,
/// indented for the records a person reads (`show`, `extract`), on one
/// line for the answers a program reads (`search`, `similar`).
pub fn print_json<T: serde::Serialize + ?Sized>(value: &T, indented: bool) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    if indented {
        serde_json::to_writer_pretty(&mut out, value)?;
    } else {
        serde_json::to_writer(&mut out, value)?;
    }
    writeln!(out)?;
    Ok(())
}

pub fn terminal(style: &Style) -> Inert<std::io::StdoutLock<'static>> {
    Inert {
        inner: std::io::stdout().lock(),
        color: style.color,
    }
}

impl<W: Write> Write for Inert<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        let mut out = String::with_capacity(text.len());
        let mut rest = text.as_ref();
        while let Some(c) = rest.chars().next() {
            let colour = self.color && c == '\x1b' && is_colour_code(rest);
            if c.is_control() && c != '\n' && c != '\t' && !colour {
                out.push_str(&c.escape_unicode().to_string());
            } else {
                out.push(c);
            }
            rest = &rest[c.len_utf8()..];
        }
        self.inner.write_all(out.as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// `ESC [ digits m`, as `Style::paint` writes: colour, nothing else.
fn is_colour_code(text: &str) -> bool {
    let Some(code) = text.strip_prefix("\x1b[") else {
        return false;
    };
    let digits = code.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0 && code[digits..].starts_with('m')
}

impl Style {
    pub fn detect() -> Style {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Style {
            color: !no_color && std::io::stdout().is_terminal(),
        }
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    pub fn title(&self, text: &str) -> String {
        self.paint("1", text)
    }

    pub fn dim(&self, text: &str) -> String {
        self.paint("2", text)
    }

    pub fn label(&self, field: Field) -> String {
        let (code, name) = match field {
            Field::Symptoms => ("33", "symptom"),
            Field::Causes => ("31", "cause"),
            Field::Fixes => ("32", "fix"),
            Field::Lessons => ("36", "lesson"),
        };
        self.paint(code, &format!("{name:>8}"))
    }
}

pub fn write_incident(
    out: &mut impl Write,
    incident: &Incident,
    style: &Style,
) -> std::io::Result<()> {
    writeln!(out, "{}", style.title(&incident.title))?;
    let date = incident.date.as_deref().unwrap_or("date unknown");
    writeln!(
        out,
        "{}",
        style.dim(&format!(
            "{} · {} · {}:{}",
            incident.id, date, incident.source, incident.line
        ))
    )?;
    if !incident.summary.is_empty() {
        writeln!(out, "  {}", incident.summary)?;
    }
    for field in Field::ALL {
        for finding in incident.findings(field) {
            writeln!(
                out,
                "{} {} {}",
                style.label(field),
                finding.text,
                style.dim(&format!("(line {})", finding.line))
            )?;
        }
    }
    if !incident.technologies.is_empty() {
        writeln!(
            out,
            "{} {}",
            style.dim("    tech"),
            incident.technologies.join(", ")
        )?;
    }
    if !incident.tags.is_empty() {
        writeln!(
            out,
            "{} {}",
            style.dim("    tags"),
            incident.tags.join(", ")
        )?;
    }
    Ok(())
}
