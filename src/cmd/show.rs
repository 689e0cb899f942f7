use std::process::ExitCode;

use anyhow::Result;

use pmkb::index::PostIndex;

use super::output::{self, Style};
use crate::Cli;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Print the record as JSON.
    #[arg(long)]
    pub json: bool,
    /// The incident's id (as shown by `pmkb search`).
    pub id: String,
}

pub fn run(cli: &Cli, args: &Args) -> Result<ExitCode> {
    let index = PostIndex::open(&cli.index)?;
    let record = index.find(&args.id)?;
    if args.json {
        output::print_json(&record, true)?;
    } else {
        let style = Style::detect();
        output::write_incident(&mut output::terminal(&style), &record, &style)?;
    }
    Ok(ExitCode::SUCCESS)
}
