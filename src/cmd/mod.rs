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

/// `--limit` as the API takes it: 1 to MAX_LIMIT, said clearly otherwise.
pub fn parse_limit(raw: &str) -> Result<usize, String> {
    let max = pmkb::search::MAX_LIMIT;
    match raw.trim().parse::<usize>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(format!("a whole number from 1 to {max}")),
    }
}
