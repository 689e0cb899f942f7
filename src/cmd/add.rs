use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};

use pmkb::authoring;
use pmkb::incident::Field;
use pmkb::index::{self, PostIndex};

use super::output::Style;
use crate::Cli;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Replace the post of the same file name in the posts directory (never
    /// another file's incident: change the id instead).
    #[arg(long)]
    pub force: bool,
    /// Show what would be added, without copying or indexing anything.
    #[arg(long)]
    pub dry_run: bool,
    /// Postmortems to check and add.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

pub fn run(cli: &Cli, args: &Args) -> Result<ExitCode> {
    // Held to the end: the ids checked free below stay free until this
    // add's import has indexed its posts.
    let _lock = if args.dry_run {
        None
    } else {
        Some(authoring::AddLock::take(&cli.posts, || {
            eprintln!(
                "waiting for another `pmkb add` into {} to finish",
                cli.posts.display()
            )
        })?)
    };
    let existing = PostIndex::open(&cli.index).ok();
    let holder_of = |id: &str| {
        let index = existing.as_ref()?;
        Some(index.get(id).ok()??.source)
    };
    let style = Style::detect();
    let mut out = super::output::terminal(&style);
    let mut accepted = Vec::new();
    let mut refused = 0;
    // Files of this one call must not clash with each other either.
    let mut names_taken = std::collections::HashMap::new();
    let mut ids_taken = std::collections::HashMap::new();
    for file in &args.files {
        let mut checked = authoring::check(file, &cli.posts, &holder_of, args.force);
        if checked.refusals.is_empty() {
            let name = file.file_name().unwrap_or_default().to_owned();
            if let Some(other) = names_taken.insert(name, file) {
                checked.refusals.push(format!(
                    "{} has the same file name: one of them would overwrite the other",
                    other.display()
                ));
            }
            for record in &checked.records {
                let id = record.extracted.incident.id.clone();
                if let Some(other) = ids_taken.insert(id.clone(), file) {
                    checked.refusals.push(format!(
                        "{} has the same id `{id}`: change one of them",
                        other.display()
                    ));
                }
            }
        }
        writeln!(out, "{}", style.title(&file.display().to_string()))?;
        for record in &checked.records {
            let incident = &record.extracted.incident;
            writeln!(out, "     title {}", incident.title)?;
            writeln!(
                out,
                "      date {}",
                incident.date.as_deref().unwrap_or("(none)")
            )?;
            writeln!(out, "        id {}", incident.id)?;
            for field in [Field::Symptoms, Field::Causes, Field::Fixes] {
                for finding in incident.findings(field) {
                    writeln!(out, "  {} {}", style.label(field), finding.text)?;
                }
            }
            if !incident.technologies.is_empty() {
                writeln!(out, "      tech {}", incident.technologies.join(", "))?;
            }
        }
        for advice in &checked.advice {
            writeln!(out, "   warning {advice}")?;
        }
        if checked.refusals.is_empty() {
            accepted.push((file.clone(), checked.in_place));
        } else {
            refused += 1;
            for reason in &checked.refusals {
                eprintln!("not added: {}: {reason}", file.display());
            }
        }
        writeln!(out)?;
    }
    if args.dry_run {
        writeln!(out, "dry run: nothing copied, the index is unchanged")?;
    } else if !accepted.is_empty() {
        std::fs::create_dir_all(&cli.posts)
            .with_context(|| format!("creating {}", cli.posts.display()))?;
        for (file, in_place) in &accepted {
            let name = file.file_name().context("a file name")?;
            let target = cli.posts.join(name);
            if *in_place {
                writeln!(out, "indexing {} where it is", target.display())?;
                continue;
            }
            std::fs::copy(file, &target)
                .with_context(|| format!("copying {} to {}", file.display(), target.display()))?;
            writeln!(out, "added {}", target.display())?;
        }
        drop(out);
        let started = Instant::now();
        let report = index::import(&cli.posts, &cli.index, &index::Quiet)
            .with_context(|| format!("indexing {}", cli.posts.display()))?;
        super::import::print_report(&report, &cli.posts, started.elapsed().as_secs_f64());
    }
    Ok(if refused == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
