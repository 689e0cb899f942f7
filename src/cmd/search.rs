use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;

use pmkb::incident::Field;
use pmkb::index::PostIndex;
use pmkb::search::DEFAULT_LIMIT;

use super::output::{self, Style};
use crate::Cli;

#[derive(clap::Args, Debug)]
#[command(after_help = "QUERY SYNTAX:
  plain words         intermittent timeout
  \"a phrase\"          \"connection pool\"
  field prefixes      cause:leak  fix:rollback  symptom:502  title:certificate
  filters             tech:kubernetes  tech:\"spring boot\"  tag:database  year:2019  year:2018..2020
  leave out           -staging  NOT staging  -\"load test\"

Words are searched with their synonyms (oom finds OutOfMemoryError) and
ranked: incidents that say more of them, in their symptoms first, come
first; AND/OR are not needed. Every phrase, field prefix and filter must
match. A word that is in no post is also searched by its near spellings,
and the results say so.")]
pub struct Args {
    /// How many incidents to show, from 1 to 100.
    #[arg(long, short = 'n', value_parser = super::parse_limit, default_value_t = DEFAULT_LIMIT)]
    pub limit: usize,
    /// Print the results as JSON (the same object as GET /api/search).
    #[arg(long)]
    pub json: bool,
    /// What you see: words, "phrases", symptom:/cause:/fix:/title: prefixes, tech:/tag:/year: filters, -words to leave out.
    #[arg(required = true, value_name = "QUERY")]
    pub query: Vec<String>,
}

pub fn run(cli: &Cli, args: &Args) -> Result<ExitCode> {
    let index = PostIndex::open(&cli.index)?;
    let query = args.query.join(" ");
    let results = index.search(&query, args.limit, 0)?;
    if args.json {
        output::print_json(&results, false)?;
        return Ok(ExitCode::SUCCESS);
    }
    let style = Style::detect();
    let mut out = output::terminal(&style);
    if results.hits.is_empty() && index.is_empty() {
        writeln!(
            out,
            "the index is empty: put postmortems in {} and run `pmkb import`",
            cli.posts.display()
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    if results.hits.is_empty() {
        writeln!(
            out,
            "no incidents match `{query}`; try fewer or other words (e.g. the error message)"
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    if results.near_spellings {
        writeln!(
            out,
            "{}\n",
            style.dim(&format!(
                "no incident has some words of `{query}` as typed; words spelled like them were searched too:"
            ))
        )?;
    }
    let terms = pmkb::search::query_terms(&query);
    for (rank, hit) in results.hits.iter().enumerate() {
        let date = hit.date.as_deref().unwrap_or("date unknown");
        writeln!(out, "{}. {}", rank + 1, style.title(&hit.title))?;
        writeln!(
            out,
            "   {}",
            style.dim(&format!("{date} · {} · score {:.2}", hit.id, hit.score))
        )?;
        for (field, texts) in [
            (Field::Symptoms, &hit.symptoms),
            (Field::Causes, &hit.causes),
            (Field::Fixes, &hit.fixes),
        ] {
            for text in texts {
                writeln!(out, "  {} {}", style.label(field), text)?;
            }
        }
        // Nothing above names what was typed: the passage that matched.
        if let Some(passage) = hit.unexplained(&terms) {
            let passage = pmkb::search::snippet_text(passage);
            writeln!(out, "  {} {passage}", style.dim(&format!("{:>8}", "post")))?;
        }
        writeln!(out)?;
    }
    let shown = results.hits.len();
    writeln!(
        out,
        "{}",
        style.dim(&format!(
            "{shown} of {} incident{} in {:.2} ms",
            results.total,
            if results.total == 1 { "" } else { "s" },
            results.took_ms
        ))
    )?;
    Ok(ExitCode::SUCCESS)
}
