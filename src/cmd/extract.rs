use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;

use pmkb::{corpus, pipeline, Config};

use super::output;
use crate::Cli;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Print a JSON array of records instead of the readable form.
    #[arg(long)]
    pub json: bool,
    /// Files to extract (posts or transcript files).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

pub fn run(cli: &Cli, args: &Args) -> Result<ExitCode> {
    let (config, config_problem) = Config::load_or_default(&cli.posts);
    if let Some(problem) = config_problem {
        eprintln!("warning: {problem}");
    }
    let corpus = corpus::load_files(&args.files, &cli.posts);
    let records = pipeline::extract_posts(&corpus.posts, &config);
    let problems: Vec<_> = corpus.problems.iter().chain(&records.problems).collect();
    for problem in records.warnings.iter() {
        eprintln!("warning: {problem}");
    }
    for problem in &problems {
        eprintln!("skipped: {problem}");
    }
    let incidents: Vec<_> = records
        .records
        .iter()
        .map(|r| &r.extracted.incident)
        .collect();
    if args.json {
        output::print_json(&incidents, true)?;
    } else {
        let style = output::Style::detect();
        let mut out = output::terminal(&style);
        for (i, incident) in incidents.iter().enumerate() {
            if i > 0 {
                writeln!(out)?;
            }
            output::write_incident(&mut out, incident, &style)?;
        }
    }
    Ok(if problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
