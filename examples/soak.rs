//! A bounded soak of `pmkb serve --watch` on loopback: client threads send
//! a mix of `/api/search`, search-page and incident-page requests while a
//! writer thread adds and edits posts; every few seconds the server's RSS is
//! sampled. Prints requests served, errors, latency percentiles and RSS over
//! time.
//!
//! `cargo build --release && cargo run --release --example soak -- [--seconds 600] [--clients 4]`

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const QUERIES: [&str; 12] = [
    "intermittent timeout",
    "disk full",
    "certificate expired",
    "ran out of memory",
    "502 bad gateway",
    "pods restarting",
    "replica lag",
    "dns lookup",
    "connection pool",
    "tech:kubernetes restarting",
    "cause:leak",
    "too many open files",
];

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn copy_posts(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name()))?;
        }
    }
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let seconds = arg("--seconds", 600);
    let clients = arg("--clients", 4) as usize;
    let binary = PathBuf::from("target/release/pmkb");
    anyhow::ensure!(binary.is_file(), "build first: cargo build --release");
    let scratch = tempfile::tempdir()?;
    let posts = scratch.path().join("posts");
    copy_posts(Path::new("posts"), &posts)?;

    let mut server = Command::new(&binary)
        .arg("--posts")
        .arg(&posts)
        .arg("--index")
        .arg(scratch.path().join("index"))
        .args(["serve", "--watch", "--addr", "127.0.0.1:0"])
        .env("PMKB_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let line = BufReader::new(server.stdout.take().unwrap())
        .lines()
        .map_while(Result::ok)
        .find(|l| l.contains("at http://"))
        .ok_or_else(|| anyhow::anyhow!("the server did not start"))?;
    let base = line
        .split("at ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .trim_end_matches('/')
        .to_string();
    let pid = server.id();

    let stop = Arc::new(AtomicBool::new(false));
    let served = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let latencies = Arc::new(Mutex::new(Vec::<f64>::new()));
    let started = Instant::now();
    let mut threads = Vec::new();
    for client in 0..clients {
        let (base, stop, served, errors, latencies) = (
            base.clone(),
            stop.clone(),
            served.clone(),
            errors.clone(),
            latencies.clone(),
        );
        threads.push(std::thread::spawn(move || {
            let agent: ureq::Agent = ureq::Agent::config_builder()
                .http_status_as_error(false)
                .timeout_global(Some(Duration::from_secs(10)))
                .build()
                .into();
            let mut i = client;
            let mut local = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let q = QUERIES[i % QUERIES.len()].replace(' ', "+");
                let path = match i % 4 {
                    0 | 1 => format!("/api/search?q={q}"),
                    2 => format!("/?q={q}"),
                    _ => "/incidents/2021-06-18-checkout-pool-exhaustion".to_string(),
                };
                let t = Instant::now();
                let ok = agent
                    .get(&format!("{base}{path}"))
                    .call()
                    .ok()
                    .filter(|r| r.status() == 200)
                    .and_then(|mut r| r.body_mut().read_to_string().ok())
                    .is_some();
                local.push(t.elapsed().as_secs_f64() * 1000.0);
                if ok {
                    served.fetch_add(1, Ordering::Relaxed)
                } else {
                    errors.fetch_add(1, Ordering::Relaxed)
                };
                i += clients;
            }
            latencies.lock().unwrap().extend(local);
        }));
    }
    {
        // The writer: a new post every second, an edit of an earlier one every other.
        let (posts, stop) = (posts.clone(), stop.clone());
        threads.push(std::thread::spawn(move || {
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let body = format!("# Soak incident {n}\n\n## Impact\n\nRequests to soak-{n} timed out.\n\n## Root Cause\n\nPool {n} leaked.\n");
                let _ = std::fs::write(posts.join(format!("soak-{n}.md")), body);
                if n % 2 == 1 {
                    let _ = std::fs::write(posts.join(format!("soak-{}.md", n / 2)), format!("# Soak incident {} (edited)\n\nEdited: requests failed.\n", n / 2));
                }
                n += 1;
                std::thread::sleep(Duration::from_secs(1));
            }
        }));
    }

    println!(
        "{:>8} {:>10} {:>8} {:>10}",
        "seconds", "requests", "errors", "rss MB"
    );
    let mut samples = Vec::new();
    while started.elapsed() < Duration::from_secs(seconds) {
        std::thread::sleep(Duration::from_secs(10.min(seconds)));
        let rss = rss_kb(pid) as f64 / 1024.0;
        samples.push(rss);
        println!(
            "{:>8} {:>10} {:>8} {:>10.1}",
            started.elapsed().as_secs(),
            served.load(Ordering::Relaxed),
            errors.load(Ordering::Relaxed),
            rss
        );
    }
    stop.store(true, Ordering::Relaxed);
    for t in threads {
        let _ = t.join();
    }
    let _ = server.kill();
    let _ = server.wait();
    let mut all = latencies.lock().unwrap().clone();
    all.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0.0)
    };
    println!(
        "soak: {} s, {} requests served, {} errors, {:.0} req/s, latency p50 {:.1} ms p99 {:.1} ms max {:.1} ms, RSS first {:.1} MB last {:.1} MB max {:.1} MB",
        seconds,
        served.load(Ordering::Relaxed),
        errors.load(Ordering::Relaxed),
        served.load(Ordering::Relaxed) as f64 / seconds as f64,
        pct(0.5),
        pct(0.99),
        all.last().copied().unwrap_or(0.0),
        samples.first().copied().unwrap_or(0.0),
        samples.last().copied().unwrap_or(0.0),
        samples.iter().copied().fold(0.0, f64::max)
    );
    Ok(())
}
