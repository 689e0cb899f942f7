use std::io::{BufWriter, Write};
use std::process::ExitCode;

use anyhow::Result;

use pmkb::index::PostIndex;

use crate::Cli;

#[derive(clap::ValueEnum, Debug, Clone, Copy)]
pub enum Format {
    /// One JSON record a line.
    Jsonl,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Output format.
    #[arg(long, value_enum, default_value = "jsonl")]
    pub format: Format,
}

pub fn run(cli: &Cli, args: &Args) -> Result<ExitCode> {
    let index = PostIndex::open(&cli.index)?;
    let mut out = BufWriter::new(std::io::stdout().lock());
    match args.format {
        Format::Jsonl => {
            for record in index.all()? {
                serde_json::to_writer(&mut out, &record)?;
                writeln!(out)?;
            }
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
