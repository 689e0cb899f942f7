use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result};

use pmkb::error::Error;
use pmkb::index::{self, PostIndex};
use pmkb::server::{self, AppState};

use crate::Cli;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Address to listen on: HOST:PORT, or a port alone for loopback.
    /// Loopback by default: pass 0.0.0.0:7878 to serve your network
    /// (there is no authentication).
    #[arg(long, default_value = "127.0.0.1:7878", value_parser = parse_addr)]
    pub addr: SocketAddr,
    /// Re-import whenever a post is added, edited or deleted; the pages
    /// show the change within a second or so.
    #[arg(long)]
    pub watch: bool,
    /// How many recent searches to answer from memory until the index
    /// changes (0 turns the cache off, e.g. to measure raw search speed).
    #[arg(long, default_value_t = server::DEFAULT_CACHE_SIZE, value_name = "N")]
    pub cache_size: usize,
}

pub fn run(cli: &Cli, args: &Args) -> Result<ExitCode> {
    init_logging();
    let index = match PostIndex::open(&cli.index) {
        Err(
            why @ (Error::MissingIndex { .. }
            | Error::OtherVersion { .. }
            | Error::CorruptIndex { .. }),
        ) => {
            let state = match why {
                Error::MissingIndex { .. } => "no index",
                Error::OtherVersion { .. } => "an index of another version of pmkb",
                _ => "an index that cannot be read",
            };
            tracing::info!(
                "{state} at {}: importing {} first",
                cli.index.display(),
                cli.posts.display()
            );
            let started = Instant::now();
            let report = super::import::import(cli, &index::Quiet)?;
            super::import::print_report(&report, &cli.posts, started.elapsed().as_secs_f64());
            PostIndex::open(&cli.index)?
        }
        opened => opened?,
    };
    let incidents = index.len();
    let state = AppState::new(index, cli.posts.clone(), args.cache_size);
    let running = Arc::new(AtomicBool::new(true));
    let mut watch_ready = None;
    if args.watch {
        let (posts, index_dir, running) = (cli.posts.clone(), cli.index.clone(), running.clone());
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<()>();
        watch_ready = Some(ready_rx);
        std::thread::spawn(move || {
            tracing::info!("watching {} for changes", posts.display());
            let result = pmkb::watch::watch(
                &posts,
                &index_dir,
                true,
                move || {
                    let _ = ready_tx.send(());
                },
                |result| match result {
                    Ok(report)
                        if report.changed()
                            || !report.skipped.is_empty()
                            || !report.warnings.is_empty() =>
                    {
                        for warning in &report.warnings {
                            tracing::warn!("{warning}");
                        }
                        for problem in &report.skipped {
                            tracing::warn!("skipped: {problem}");
                        }
                        tracing::info!(
                            "re-imported: {} added, {} updated, {} removed, {} unchanged",
                            report.added,
                            report.updated,
                            report.removed,
                            report.unchanged
                        );
                    }
                    Ok(_) => {}
                    Err(err) => tracing::error!("import failed: {err}"),
                },
                || running.load(Ordering::Relaxed),
            );
            if let Err(err) = result {
                tracing::error!("{err}");
            }
        });
    }
    // Serve only once the watcher is registered, so a post saved right
    // after the "serving" line is never missed.
    if let Some(ready) = watch_ready {
        let _ = ready.recv_timeout(std::time::Duration::from_secs(10));
    }
    // Searches are CPU work: more of them at once than twice the cores
    // only wait for a CPU in the kernel instead of in tokio's queue, and
    // every extra thread keeps its own allocator heap (16 connections took
    // serve from 345 to 605 MB at 100k posts).
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .max_blocking_threads(cores * 2)
        .enable_all()
        .build()
        .context("starting the runtime")?;
    runtime
        .block_on(server::serve(state, args.addr, |addr| {
            let plural = if incidents == 1 { "" } else { "s" };
            println!(
                "pmkb: serving {incidents} incident{plural} at http://{addr}/ (Ctrl-C to stop)"
            );
            let _ = std::io::stdout().flush();
        }))
        .with_context(|| format!("serving on {}", args.addr))?;
    running.store(false, Ordering::Relaxed);
    Ok(ExitCode::SUCCESS)
}

fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("PMKB_LOG")
        .unwrap_or_else(|_| EnvFilter::new("pmkb=info,tower_http=warn"));
    // Colours only for a terminal: a log file would get escape codes.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}

/// `--addr` as people type it: `127.0.0.1:7878`, `localhost:7878`, a
/// port alone or `:7878` (loopback, never every interface by surprise).
fn parse_addr(raw: &str) -> Result<SocketAddr, String> {
    use std::net::{Ipv4Addr, ToSocketAddrs};
    let raw = raw.trim();
    let port = raw.strip_prefix(':').unwrap_or(raw);
    if let Ok(port) = port.parse::<u16>() {
        return Ok(SocketAddr::from((Ipv4Addr::LOCALHOST, port)));
    }
    let bad = || format!("`{raw}` is not an address: use HOST:PORT (127.0.0.1:7878) or a port");
    if let Ok(addr) = raw.parse::<SocketAddr>() {
        return Ok(addr);
    }
    // A host name: its first address, IPv4 first, as browsers try.
    let mut addrs: Vec<SocketAddr> = raw.to_socket_addrs().map_err(|_| bad())?.collect();
    addrs.sort_by_key(SocketAddr::is_ipv6);
    addrs.into_iter().next().ok_or_else(bad)
}
