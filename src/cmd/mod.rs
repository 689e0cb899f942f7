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
    if err
        .chain()
        .filter_map(|e| e.downcast_ref::<std::io::Error>())
        .any(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    {
        return ExitCode::SUCCESS;
    }
    let mut line = format!("pmkb: {err}");
    for cause in err.chain().skip(1) {
        line.push_str(&format!(": {cause}"));
    }
    eprintln!("{line}");
    // A query that cannot be parsed is a usage mistake, like a bad flag.
    let usage = err
        .chain()
        .any(|e| matches!(e.downcast_ref::<pmkb::Error>(), Some(pmkb::Error::Query(_))));
    if usage {
        ExitCode::from(2)
    } else {
        ExitCode::FAILURE
    }
}
