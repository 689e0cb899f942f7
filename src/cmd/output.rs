//! Human output: readable in a terminal, coloured only when stdout is one and
//! NO_COLOR is unset.

use std::io::{IsTerminal, Write};

use pmkb::incident::{Field, Incident};

pub struct Style {
    color: bool,
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
