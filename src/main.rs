//! The `pmkb` command line: argument parsing and dispatch. Each command lives
//! in `cmd/` and is a thin layer over the library.

mod cmd;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// pmkb — a postmortem knowledge base.
///
/// Import markdown postmortems, extract what was seen (symptoms), why it
/// happened (causes) and what fixed it (fixes), and search them by symptom:
/// "what did we do last time we saw this?"
#[derive(Parser, Debug)]
#[command(name = "pmkb", version, propagate_version = true, max_term_width = 100)]
pub struct Cli {
    /// Directory holding the postmortems (.md, .markdown, .txt; walked recursively).
    #[arg(
        long,
        global = true,
        default_value = "posts",
        value_name = "DIR",
        env = "PMKB_POSTS"
    )]
    pub posts: PathBuf,
    /// Directory holding the search index (generated; safe to delete).
    #[arg(
        long,
        global = true,
        default_value = "index",
        value_name = "DIR",
        env = "PMKB_INDEX"
    )]
    pub index: PathBuf,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Parse every post and update the index (only what changed is re-indexed).
    Import(cmd::import::Args),
    /// Search past incidents by what you see: `pmkb search intermittent timeout`.
    Search(cmd::search::Args),
    /// Show one incident record.
    Show(cmd::show::Args),
    /// Parse and extract files without touching the index; prints the records.
    Extract(cmd::extract::Args),
    /// Print every record in the index, one JSON object a line.
    Export(cmd::export::Args),
    /// Incidents most like the given one.
    Similar(cmd::similar::Args),
    /// Serve the search page and JSON API (imports first when there is no index).
    Serve(cmd::serve::Args),
    /// Write a new postmortem skeleton into the posts directory; prints its path.
    New(cmd::new::Args),
    /// Check postmortems, show what was found, copy them into the posts directory and index them.
    Add(cmd::add::Args),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return cmd::report_usage_error(&err),
    };
    let result = match &cli.command {
        Command::Import(args) => cmd::import::run(&cli, args),
        Command::Search(args) => cmd::search::run(&cli, args),
        Command::Show(args) => cmd::show::run(&cli, args),
        Command::Extract(args) => cmd::extract::run(&cli, args),
        Command::Export(args) => cmd::export::run(&cli, args),
        Command::Similar(args) => cmd::similar::run(&cli, args),
        Command::Serve(args) => cmd::serve::run(&cli, args),
        Command::New(args) => cmd::new::run(&cli, args),
        Command::Add(args) => cmd::add::run(&cli, args),
    };
    match result {
        Ok(code) => code,
        Err(err) => cmd::report_error(&err),
    }
}
