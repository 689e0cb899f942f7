use std::process::ExitCode;

use anyhow::Result;

use pmkb::authoring;

use crate::Cli;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The incident's title, e.g. "Checkout latency after the 3.2 deploy".
    #[arg(required = true, value_name = "TITLE")]
    pub title: Vec<String>,
}

pub fn run(cli: &Cli, args: &Args) -> Result<ExitCode> {
    let title = args.title.join(" ");
    let path = authoring::new_post(&cli.posts, title.trim())?;
    println!("{}", path.display());
    eprintln!(
        "fill in the sections, then: pmkb add {} (or pmkb import); its id is {}",
        path.display(),
        authoring::id_for_title(&title).unwrap_or_default()
    );
    Ok(ExitCode::SUCCESS)
}
