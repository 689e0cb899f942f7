use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};

use pmkb::index::{self, ImportReport, Progress};

use crate::Cli;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Keep running: re-import whenever a post is added, edited or deleted.
    #[arg(long)]
    pub watch: bool,
}

/// A progress bar on a terminal; nothing otherwise (the summary line says
/// it all in logs and pipes).
struct Bar(Option<ProgressBar>);

impl Progress for Bar {
    fn start(&self, total: usize) {
        if let Some(bar) = &self.0 {
            bar.set_length(total as u64);
        }
    }
    fn advance(&self, count: usize) {
        if let Some(bar) = &self.0 {
            bar.inc(count as u64);
        }
    }
    fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

pub fn run(cli: &Cli, args: &Args) -> Result<ExitCode> {
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = ProgressBar::new(0);
        if let Ok(style) =
            ProgressStyle::with_template("{spinner} extracting {pos}/{len} posts {wide_bar} {eta}")
        {
            bar.set_style(style);
        }
        bar
    });
    let started = Instant::now();
    let report = import(cli, &Bar(bar))?;
    print_report(&report, &cli.posts, started.elapsed().as_secs_f64());
    if args.watch {
        eprintln!(
            "watching {} for changes (Ctrl-C to stop)",
            cli.posts.display()
        );
        pmkb::watch::watch(
            &cli.posts,
            &cli.index,
            false,
            || {},
            |result| match result {
                Ok(report) => print_report(&report, &cli.posts, 0.0),
                Err(err) => eprintln!("pmkb: import failed: {err}"),
            },
            || true,
        )
        .with_context(|| format!("watching {}", cli.posts.display()))?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn import(cli: &Cli, progress: &dyn Progress) -> Result<ImportReport> {
    index::import(&cli.posts, &cli.index, progress).with_context(|| {
        format!(
            "importing {} into {}",
            cli.posts.display(),
            cli.index.display()
        )
    })
}

/// Problems go to stderr, one line each; the summary goes to stdout.
pub fn print_report(report: &ImportReport, posts: &std::path::Path, seconds: f64) {
    for warning in &report.warnings {
        eprintln!("warning: {warning}");
    }
    if report.added + report.updated + report.unchanged == 0 && report.skipped.is_empty() {
        // Else it reads as "nothing changed" over a folder that is wrong.
        eprintln!(
            "warning: no posts (.md, .markdown, .txt) under {}: write one with `pmkb new`, or pass --posts DIR",
            posts.display()
        );
    }
    for problem in &report.skipped {
        eprintln!("skipped: {problem}");
    }
    let summary = format!(
        "imported: {} added, {} updated, {} removed, {} unchanged, {} skipped in {:.2}s",
        report.added,
        report.updated,
        report.removed,
        report.unchanged,
        report.skipped.len(),
        seconds
    );
    if report.changed() {
        println!("{summary}");
    } else {
        println!("{summary} (nothing changed)");
    }
}
