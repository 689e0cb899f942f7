use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;

use pmkb::index::PostIndex;

use super::output::{self, Style};
use crate::Cli;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// How many incidents to show, from 1 to 100.
    #[arg(long, short = 'n', value_parser = super::parse_limit, default_value_t = 5)]
    pub limit: usize,
    /// Print `{"id": ..., "hits": [...]}` as JSON.
    #[arg(long)]
    pub json: bool,
    /// The incident to compare with.
    pub id: String,
}

pub fn run(cli: &Cli, args: &Args) -> Result<ExitCode> {
    let index = PostIndex::open(&cli.index)?;
    let id = index.find(&args.id)?.id;
    let results = index.similar(&id, args.limit)?;
    if args.json {
        output::print_json(&results, false)?;
        return Ok(ExitCode::SUCCESS);
    }
    let style = Style::detect();
    let mut out = output::terminal(&style);
    if results.hits.is_empty() {
        writeln!(out, "no incident is much like `{}`", args.id)?;
    }
    for hit in &results.hits {
        let date = hit.date.as_deref().unwrap_or("date unknown");
        writeln!(
            out,
            "{} {}",
            style.title(&hit.title),
            style.dim(&format!("({date} · {})", hit.id))
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
