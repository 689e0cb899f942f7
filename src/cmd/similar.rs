use std::process::ExitCode;

use anyhow::Result;

use crate::Cli;

#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_cli: &Cli, _args: &Args) -> Result<ExitCode> {
    anyhow::bail!("not implemented yet")
}
