//! One module per command, mdBook-style: each has `Args` and `run`.

pub mod add;
pub mod export;
pub mod extract;
pub mod import;
pub mod new;
pub mod search;
pub mod serve;
pub mod show;
pub mod similar;

mod output;

use std::process::ExitCode;

/// Prints an error as one line (with its causes) and picks the exit code. A
/// closed pipe (`pmkb export | head`) is not an error worth a word.
pub fn report_error(err: &anyhow::Error) -> ExitCode {
    let broken_pipe = err.chain().any(|e| {
        let kind = e
            .downcast_ref::<std::io::Error>()
            .map(std::io::Error::kind)
            .or_else(|| e.downcast_ref::<serde_json::Error>()?.io_error_kind());
        kind == Some(std::io::ErrorKind::BrokenPipe)
    });
    if broken_pipe {
        return ExitCode::SUCCESS;
    }
    let mut line = format!("pmkb: {err}");
    for cause in err.chain().skip(1) {
        // Errors that show their source in their own message would say it twice.
        let cause = cause.to_string();
        if !line.ends_with(&cause) {
            line.push_str(&format!(": {cause}"));
        }
    }
    eprintln!("{line}");
    // A query or title that cannot be used is a usage mistake, like a bad flag.
    let usage = err.chain().any(|e| {
        matches!(
            e.downcast_ref::<pmkb::Error>(),
            Some(pmkb::Error::Query(_) | pmkb::Error::Title(_))
        )
    });
    if usage {
        ExitCode::from(2)
    } else {
        ExitCode::FAILURE
    }
}

/// Prints a command-line mistake as one line, as every other error is:
/// clap's own block (error, tips, usage, pointer to help) reads as a page
/// of output for a typo. Help and version go out as clap writes them.
pub fn report_usage_error(err: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if !err.use_stderr() || err.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        let _ = err.print();
        return ExitCode::from(if err.use_stderr() { 2 } else { 0 });
    }
    // Value errors have no usage line to name the command by.
    let names: Vec<String> = <crate::Cli as clap::CommandFactory>::command()
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .collect();
    let command = std::env::args()
        .skip(1)
        .find(|arg| names.contains(arg))
        .map_or_else(|| "pmkb".to_string(), |name| format!("pmkb {name}"));
    eprintln!("{}", one_line(&err.render().to_string(), command));
    ExitCode::from(2)
}

/// clap's rendered error as `pmkb: <error> (<tips>; see `<usage> --help`)`.
fn one_line(rendered: &str, mut command: String) -> String {
    let mut error = String::new();
    let mut notes = Vec::new();
    for line in rendered.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if let Some(text) = line.strip_prefix("error:") {
            error = text.trim().to_string();
        } else if error.ends_with(':') {
            // "the following required arguments were not provided:" and
            // the arguments, a line each.
            error = format!("{error} {line}");
        } else if let Some(tip) = line.strip_prefix("tip:") {
            notes.push(tip.trim().to_string());
        } else if let Some(usage) = line.strip_prefix("Usage:") {
            // "pmkb search [OPTIONS] <QUERY>...": the command's words.
            command = usage
                .split_whitespace()
                .take_while(|w| !w.starts_with(['[', '<', '-']))
                .collect::<Vec<_>>()
                .join(" ");
        } else if !line.starts_with("For more information") && error.is_empty() {
            error = line.to_string();
        }
    }
    notes.push(format!("see `{command} --help`"));
    format!("pmkb: {error} ({})", notes.join("; "))
}

/// `--limit` as the API takes it: 1 to MAX_LIMIT, said clearly otherwise.
pub fn parse_limit(raw: &str) -> Result<usize, String> {
    let max = pmkb::search::MAX_LIMIT;
    match raw.trim().parse::<usize>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(format!("a whole number from 1 to {max}")),
    }
}
