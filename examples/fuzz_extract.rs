//! A mutation fuzzer for the extraction pipeline that runs on stable Rust
//! (no coverage feedback, no nightly, no cargo-fuzz): see `fuzz/README.md`.
//!
//! ```text
//! cargo run --release --example fuzz_extract -- --seconds 600 [--seed N]
//! cargo run --release --example fuzz_extract -- --minimize fuzz/crashes/<hash>.md
//! ```
//!
//! Seeds are every file in `posts/`, `tests/fuzz_regressions/`,
//! `fuzz/crashes/`, and `../shared/seeds` and `../shared/corpus/icco` when
//! present. Each input is a seed (or a recent input) after a few random
//! mutations; it goes through `corpus::split_posts` (after lossy UTF-8
//! conversion) and `pipeline::extract_posts` under `catch_unwind`, and every
//! `--disk-every` inputs also through the real reader (`corpus::load_files`
//! on a temporary file). The properties of `tests/properties/check.rs` are
//! checked too (`--no-check` to skip). Inputs that panic, break a property,
//! or take longer than `--hang-secs` are saved to `fuzz/crashes/<hash>.md`,
//! with what happened in `<hash>.log`. Runs are reproducible: the only
//! randomness is a xorshift generator seeded from `--seed`.

#[path = "../tests/properties/check.rs"]
mod check;

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use pmkb::{corpus, pipeline, Config};

// ------------------------------------------------------------------ options

struct Options {
    seconds: f64,
    seed: u64,
    iterations: u64,
    max_len: usize,
    disk_every: u64,
    hang: Duration,
    check: bool,
    out: PathBuf,
    minimize: Option<PathBuf>,
}

fn usage() -> ! {
    eprintln!(
        "usage: fuzz_extract [--seconds N] [--seed N] [--iterations N] [--max-len BYTES]\n\
         \x20                   [--disk-every N] [--hang-secs S] [--no-check] [--out DIR]\n\
         \x20      fuzz_extract --minimize FILE"
    );
    std::process::exit(2)
}

fn options() -> Options {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut o = Options {
        seconds: 60.0,
        seed: 1,
        iterations: 0,
        max_len: 64 * 1024,
        disk_every: 64,
        hang: Duration::from_secs(2),
        check: true,
        out: root.join("fuzz/crashes"),
        minimize: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| usage());
        match arg.as_str() {
            "--seconds" => o.seconds = value().parse().unwrap_or_else(|_| usage()),
            "--seed" => o.seed = value().parse().unwrap_or_else(|_| usage()),
            "--iterations" => o.iterations = value().parse().unwrap_or_else(|_| usage()),
            "--max-len" => o.max_len = value().parse().unwrap_or_else(|_| usage()),
            "--disk-every" => o.disk_every = value().parse().unwrap_or_else(|_| usage()),
            "--hang-secs" => {
                o.hang = Duration::from_secs_f64(value().parse().unwrap_or_else(|_| usage()))
            }
            "--no-check" => o.check = false,
            "--out" => o.out = PathBuf::from(value()),
            "--minimize" => o.minimize = Some(PathBuf::from(value())),
            _ => usage(),
        }
    }
    o.disk_every = o.disk_every.max(1);
    o
}

// --------------------------------------------------------------------- PRNG

/// xorshift64*: small, fast, and the same sequence for the same seed.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        // splitmix64 of the seed, so that seeds 1, 2, 3 start far apart.
        let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        Rng((z ^ (z >> 31)).max(1))
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in `0..n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    /// A length biased towards small: mostly a few bytes, sometimes a lot.
    fn len(&mut self, max: usize) -> usize {
        let bits = self.below(13) as u32;
        self.below((1usize << bits).min(max.max(1))) + 1
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

// ---------------------------------------------------------------- mutations

/// Markdown and transcript syntax, and text the extractor looks for.
const TOKENS: &[&str] = &[
    "```",
    "```\n",
    "~~~",
    "---",
    "---\n",
    "...\n",
    "#",
    "# ",
    "## ",
    "**",
    "*",
    "_",
    "__",
    "`",
    ">",
    "> ",
    "|",
    "| a | b |\n|---|---|\n",
    "[",
    "]",
    "](",
    "[x] ",
    "- ",
    "* ",
    "1. ",
    "    ",
    "\t",
    "\\",
    "$ cat post/x.md",
    "$ cat post/x.md\n",
    "\n$ cat posts/a/b.txt\n",
    "$ cat ",
    "post/",
    ".md",
    "\r",
    "\r\n",
    "\n",
    "\n\n",
    ":",
    ": ",
    "**Root cause:** ",
    "**Fix**: ",
    "Impact: ",
    "Title: ",
    "The Fix\n",
    "Root Cause\n",
    ". ",
    "e.g. ",
    "Mr. ",
    "\"",
    "“",
    "”",
    "&amp;",
    "&eacute;",
    "&#x41;",
    "<!--",
    "-->",
    "<div>",
    "</div>",
    "<br>",
    "id: ",
    "title: ",
    "date: 2021-06-18\n",
    "tags: [a, *b]\n",
    "&a ",
    "*a ",
    "because ",
    "timed out ",
    "we rolled back ",
    "had added ",
    "lesson ",
    "January 30, 2012 was ",
    "🔥",
    "👩\u{200d}💻",
    "e\u{301}",
    "\u{301}",
    "\u{202e}",
    "\u{200b}",
    "\u{200d}",
    "\u{feff}",
    "\u{2028}",
    "\u{85}",
    "\u{a0}",
    "שלום",
    "漢字",
    "İ",
    "ﬁ",
];

/// Bytes that are not UTF-8, or not text.
const BAD_BYTES: &[&[u8]] = &[
    b"\xff",
    b"\xfe",
    b"\x80",
    b"\xc3",
    b"\xc3(",
    b"\xe2\x82",
    b"\xed\xa0\x80",
    b"\xf4\x90\x80\x80",
    b"\xef\xbb\xbf",
    b"\x00",
    b"\x00\x00",
    b"\x1b[31m",
    b"\x7f",
];

fn random_slice(rng: &mut Rng, data: &[u8]) -> (usize, usize) {
    if data.is_empty() {
        return (0, 0);
    }
    let start = rng.below(data.len());
    let len = rng.len(data.len() - start);
    (start, (start + len).min(data.len()))
}

/// A position in `data`, at the start of a line half the time.
fn position(rng: &mut Rng, data: &[u8]) -> usize {
    let at = rng.below(data.len() + 1);
    if rng.chance(50) {
        data[..at]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1)
    } else {
        at
    }
}

fn mutate(rng: &mut Rng, data: &mut Vec<u8>, seeds: &[Vec<u8>], max_len: usize) {
    match rng.below(13) {
        // Flip a few bits.
        0 => {
            if !data.is_empty() {
                for _ in 0..rng.len(8) {
                    let at = rng.below(data.len());
                    data[at] ^= 1 << rng.below(8);
                }
            }
        }
        // Overwrite a byte with a boundary value.
        1 => {
            if !data.is_empty() {
                let at = rng.below(data.len());
                data[at] = *rng.pick(&[
                    0u8, 0x7f, 0x80, 0xbf, 0xc0, 0xff, b'\n', b'\r', b' ', b'#', b'*', b'`',
                ]);
            }
        }
        // Insert a copy of a slice of itself somewhere else.
        2 => {
            let (s, e) = random_slice(rng, data);
            let piece = data[s..e].to_vec();
            let at = rng.below(data.len() + 1);
            data.splice(at..at, piece);
        }
        // Delete a slice.
        3 => {
            let (s, e) = random_slice(rng, data);
            data.drain(s..e);
        }
        // Duplicate a slice in place, a few times over or (rarely) as many
        // times as fit: slow paths show on big inputs.
        4 => {
            let (s, e) = random_slice(rng, data);
            let piece = data[s..e].to_vec();
            let room = max_len.saturating_sub(data.len()) / piece.len().max(1);
            let times = if rng.chance(10) { room } else { rng.len(16) };
            let copies = piece.repeat(times.min(room));
            data.splice(e..e, copies);
        }
        // Splice with another seed: our head, its tail.
        5 => {
            let other = rng.pick(seeds);
            let cut = rng.below(data.len() + 1);
            let from = rng.below(other.len() + 1);
            data.truncate(cut);
            data.extend_from_slice(&other[from..]);
        }
        // Insert a slice of another seed.
        6 => {
            let other = rng.pick(seeds);
            let (s, e) = random_slice(rng, other);
            let at = position(rng, data);
            data.splice(at..at, other[s..e].iter().copied());
        }
        // Insert markdown tokens.
        7 | 8 => {
            for _ in 0..rng.len(4) {
                let token = rng.pick(TOKENS).as_bytes();
                let at = position(rng, data);
                data.splice(at..at, token.iter().copied());
            }
        }
        // Insert invalid UTF-8 or a NUL.
        9 => {
            let bytes = *rng.pick(BAD_BYTES);
            let at = rng.below(data.len() + 1);
            data.splice(at..at, bytes.iter().copied());
        }
        // Line ends of a slice to CRLF or CR.
        10 => {
            let (s, e) = random_slice(rng, data);
            let to: &[u8] = if rng.chance(50) { b"\r\n" } else { b"\r" };
            let mut out = Vec::with_capacity(e - s + 16);
            for &b in &data[s..e] {
                if b == b'\n' {
                    out.extend_from_slice(to);
                } else {
                    out.push(b);
                }
            }
            data.splice(s..e, out);
        }
        // Repeat a token many times (deep nesting, long runs).
        11 => {
            let token = rng.pick(&["> ", "  ", "- ", "*", "`", "[", "#", "|", "\n"]);
            let count = rng.len(4096);
            let at = position(rng, data);
            data.splice(at..at, token.as_bytes().repeat(count));
        }
        // Replace a line with a copy of another line.
        _ => {
            let lines: Vec<(usize, usize)> = line_spans(data);
            if lines.len() >= 2 {
                let (fs, fe) = *rng.pick(&lines);
                let (ts, te) = *rng.pick(&lines);
                let piece = data[fs..fe].to_vec();
                data.splice(ts..te, piece);
            }
        }
    }
    data.truncate(max_len);
}

fn line_spans(data: &[u8]) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start = 0;
    for (i, &b) in data.iter().enumerate() {
        if b == b'\n' {
            spans.push((start, i));
            start = i + 1;
        }
    }
    spans.push((start, data.len()));
    spans
}

// -------------------------------------------------------------------- runs

/// What happened to one input.
enum Outcome {
    Ok,
    Panic(String),
    Violation(String),
}

static PANIC_MESSAGE: Mutex<Option<String>> = Mutex::new(None);

/// Panics are expected here: keep their message quietly for the report.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let text = info.to_string();
        *PANIC_MESSAGE.lock().unwrap_or_else(|e| e.into_inner()) = Some(text);
    }));
}

fn take_panic_message() -> String {
    PANIC_MESSAGE
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .take()
        .unwrap_or_else(|| "panic without a message".into())
}

fn guarded(work: impl FnOnce() -> Result<(), String>) -> Outcome {
    match catch_unwind(AssertUnwindSafe(work)) {
        Ok(Ok(())) => Outcome::Ok,
        Ok(Err(violation)) => Outcome::Violation(violation),
        Err(_) => Outcome::Panic(take_panic_message()),
    }
}

/// Time spent in the pipeline itself (not in the property checks) by the
/// runs of the current input.
static PIPELINE_NANOS: AtomicU64 = AtomicU64::new(0);

fn timed<T>(work: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let out = work();
    PIPELINE_NANOS.fetch_add(started.elapsed().as_nanos() as u64, Ordering::Relaxed);
    out
}

/// The text path: lossy UTF-8, then split and extract.
fn run_text(bytes: &[u8], check_properties: bool) -> Outcome {
    let text = String::from_utf8_lossy(bytes);
    guarded(|| {
        let (posts, records) = timed(|| check::run("fuzz.md", &text));
        if check_properties {
            check::check(&text, &posts, &records)
        } else {
            Ok(())
        }
    })
}

/// The real reader: a temporary file through `corpus::load_files`.
fn run_disk(bytes: &[u8], file: &Path, check_properties: bool) -> Outcome {
    if let Err(e) = std::fs::write(file, bytes) {
        return Outcome::Violation(format!("cannot write {}: {e}", file.display()));
    }
    guarded(|| {
        let (corpus, records) = timed(|| {
            let corpus = corpus::load_files(&[file.to_path_buf()], Path::new("posts"));
            let records = pipeline::extract_posts(&corpus.posts, &Config::default());
            (corpus, records)
        });
        if !check_properties || !corpus.problems.is_empty() {
            return Ok(());
        }
        let text = std::str::from_utf8(bytes).map_err(|e| e.to_string())?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        check::check(text, &corpus.posts, &records).map_err(|e| format!("(read from disk) {e}"))
    })
}

/// One line that tells a crash from another: the panic location, or the
/// kind of property that broke.
fn signature(kind: &str, detail: &str) -> String {
    match kind {
        "panic" => {
            let location = detail.strip_prefix("panicked at ").and_then(|rest| {
                rest.split(':')
                    .take(2)
                    .collect::<Vec<_>>()
                    .get(..2)
                    .map(|p| p.join(":"))
            });
            format!(
                "panic at {}",
                location.unwrap_or_else(|| detail.to_string())
            )
        }
        "violation" => {
            // `symptom "..." is on line 9 of a 8-line file` -> `symptom line
            // out of range`: the kind of finding and the property.
            let disk = if detail.starts_with("(read from disk)") {
                " (read from disk)"
            } else {
                ""
            };
            let detail = detail.trim_start_matches("(read from disk) ");
            let what = detail.split_whitespace().next().unwrap_or("");
            let property = if detail.contains("is on line") || detail.contains("starts on line") {
                "line out of range"
            } else if detail.contains("has the word") {
                "word not in the file"
            } else if detail.contains("not normalised") {
                "id not normalised"
            } else if detail.contains("used by two") {
                "duplicate id"
            } else {
                detail
            };
            format!("property: {what} {property}{disk}")
        }
        _ => kind.to_string(),
    }
}

struct Saver {
    out: PathBuf,
    seen: HashMap<String, usize>,
}

impl Saver {
    /// Saves the input (the first few per signature) and says whether the
    /// signature is new.
    fn save(&mut self, bytes: &[u8], kind: &str, detail: &str, context: &str) -> bool {
        let signature = signature(kind, detail);
        let count = self.seen.entry(signature.clone()).or_default();
        *count += 1;
        let new = *count == 1;
        if *count <= 3 {
            let hash = blake3::hash(bytes).to_hex()[..16].to_string();
            let path = self.out.join(format!("{hash}.md"));
            let _ = std::fs::create_dir_all(&self.out);
            let _ = std::fs::write(&path, bytes);
            let _ = std::fs::write(
                self.out.join(format!("{hash}.log")),
                format!("{kind}: {signature}\n{context}\n\n{detail}\n"),
            );
            if new {
                println!(
                    "NEW {kind}: {signature}\n    saved {} ({} bytes)\n    {}",
                    path.display(),
                    bytes.len(),
                    first_line(detail)
                );
            }
        }
        new
    }
}

fn first_line(text: &str) -> String {
    let line: String = text.replace('\n', " | ").chars().take(300).collect();
    line
}

// ------------------------------------------------------------------- seeds

fn load_seeds(root: &Path, max_len: usize) -> Vec<Vec<u8>> {
    let dirs = [
        root.join("posts"),
        root.join("tests/fuzz_regressions"),
        root.join("fuzz/crashes"),
        root.join("../shared/seeds"),
        root.join("../shared/corpus/icco"),
    ];
    let mut seeds = Vec::new();
    for dir in &dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        let mut count = 0;
        for path in paths {
            let hidden = path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'));
            if !path.is_file() || hidden || path.extension().is_some_and(|e| e == "log") {
                continue;
            }
            if let Ok(mut bytes) = std::fs::read(&path) {
                bytes.truncate(max_len);
                seeds.push(bytes);
                count += 1;
            }
        }
        println!("seeds: {count:>4} from {}", dir.display());
    }
    if seeds.is_empty() {
        seeds.push(b"# Outage\n\nRequests timed out because the pool was exhausted.\n".to_vec());
    }
    seeds
}

// ---------------------------------------------------------------- minimize

/// What an input does, as one comparable string (None: nothing wrong).
fn behaviour(bytes: &[u8], file: &Path, hang: Duration) -> Option<String> {
    let started = Instant::now();
    let mut outcome = run_text(bytes, true);
    if matches!(outcome, Outcome::Ok) {
        outcome = run_disk(bytes, file, true);
    }
    match outcome {
        Outcome::Panic(m) => Some(signature("panic", &m)),
        Outcome::Violation(v) => Some(signature("violation", &v)),
        Outcome::Ok if started.elapsed() > hang => Some("hang".into()),
        Outcome::Ok => None,
    }
}

/// Delta debugging by chunks: drops every piece of the input that is not
/// needed to reproduce the same behaviour.
fn minimize(path: &Path, hang: Duration) {
    install_panic_hook();
    let temp = temp_file();
    let mut bytes = std::fs::read(path).unwrap_or_else(|e| {
        eprintln!("cannot read {}: {e}", path.display());
        std::process::exit(2)
    });
    let Some(target) = behaviour(&bytes, &temp, hang) else {
        println!(
            "{}: no crash, hang or violation to minimize",
            path.display()
        );
        return;
    };
    println!("{}: {target} ({} bytes)", path.display(), bytes.len());
    let mut chunk = bytes.len().div_ceil(2).max(1);
    loop {
        let mut at = 0;
        let mut removed_any = false;
        while at < bytes.len() {
            let end = (at + chunk).min(bytes.len());
            let mut candidate = bytes.clone();
            candidate.drain(at..end);
            if behaviour(&candidate, &temp, hang).as_deref() == Some(target.as_str()) {
                bytes = candidate;
                removed_any = true;
            } else {
                at = end;
            }
        }
        if chunk == 1 && !removed_any {
            break;
        }
        if !removed_any {
            chunk = (chunk / 2).max(1);
        }
    }
    let out = path.with_extension("min.md");
    std::fs::write(&out, &bytes).expect("writes the minimized input");
    println!("minimized to {} bytes: {}", bytes.len(), out.display());
    println!("{}", String::from_utf8_lossy(&bytes).escape_debug());
    let _ = std::fs::remove_file(temp);
}

fn temp_file() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pmkb-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("creates a temporary folder");
    dir.join("fuzz-input.md")
}

// -------------------------------------------------------------------- main

/// The input being run, for the watchdog: (started, input, already saved).
type Current = Mutex<Option<(Instant, Arc<Vec<u8>>, bool)>>;

fn main() {
    let o = options();
    if let Some(path) = &o.minimize {
        minimize(path, o.hang);
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let seeds = load_seeds(root, o.max_len);
    println!(
        "fuzzing for {} s, seed {}, {} seeds, inputs up to {} bytes, disk path every {} inputs, properties {}",
        o.seconds,
        o.seed,
        seeds.len(),
        o.max_len,
        o.disk_every,
        if o.check { "checked" } else { "not checked" }
    );
    install_panic_hook();
    let temp = temp_file();
    let saver = Arc::new(Mutex::new(Saver {
        out: o.out.clone(),
        seen: HashMap::new(),
    }));

    // The watchdog saves an input that runs past the hang limit while it is
    // still running (a real infinite loop never returns to be saved), and
    // ends the run if it never finishes.
    let current: Arc<Current> = Arc::new(Mutex::new(None));
    let done = Arc::new(AtomicBool::new(false));
    let watchdog = {
        let (current, saver, done, hang) = (current.clone(), saver.clone(), done.clone(), o.hang);
        std::thread::spawn(move || {
            // Wall time includes the property checks: twice the limit.
            let limit = hang * 2;
            let give_up = (hang * 15).max(Duration::from_secs(30));
            while !done.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(50));
                let mut guard = current.lock().unwrap_or_else(|e| e.into_inner());
                let Some((started, input, saved)) = guard.as_mut() else {
                    continue;
                };
                let running = started.elapsed();
                if running > limit && !*saved {
                    *saved = true;
                    let input = input.clone();
                    drop(guard);
                    saver.lock().unwrap_or_else(|e| e.into_inner()).save(
                        &input,
                        "hang",
                        &format!("still running after {running:.1?}"),
                        "found by the watchdog",
                    );
                } else if running > give_up {
                    println!(
                        "an input has run for {running:.1?}: giving up (it is saved in {})",
                        saver
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .out
                            .display()
                    );
                    std::process::exit(3);
                }
            }
        })
    };

    let mut rng = Rng::new(o.seed);
    let mut recent: Vec<Vec<u8>> = Vec::new();
    let started = Instant::now();
    let budget = Duration::from_secs_f64(o.seconds);
    let mut last_report = Instant::now();
    let (mut iterations, mut disk_runs, mut bytes_total) = (0u64, 0u64, 0u64);
    let (mut panics, mut violations, mut hangs) = (0u64, 0u64, 0u64);
    let mut slowest = (Duration::ZERO, 0usize);
    let mut slowest_input: Vec<u8> = Vec::new();

    loop {
        if started.elapsed() >= budget || (o.iterations > 0 && iterations >= o.iterations) {
            break;
        }
        // Every seed once as it is, then mutants of seeds and recent inputs.
        let input: Vec<u8> = if (iterations as usize) < seeds.len() {
            seeds[iterations as usize].clone()
        } else {
            let mut data = if !recent.is_empty() && rng.chance(30) {
                rng.pick(&recent).clone()
            } else {
                rng.pick(&seeds).clone()
            };
            for _ in 0..1 + rng.below(4) {
                mutate(&mut rng, &mut data, &seeds, o.max_len);
            }
            data
        };
        let shared = Arc::new(input);
        *current.lock().unwrap_or_else(|e| e.into_inner()) =
            Some((Instant::now(), shared.clone(), false));
        let input = shared.as_slice();
        PIPELINE_NANOS.store(0, Ordering::Relaxed);
        let text_outcome = run_text(input, o.check);
        let disk_outcome = if iterations % o.disk_every == 0 {
            disk_runs += 1;
            Some(run_disk(input, &temp, o.check))
        } else {
            None
        };
        let took = Duration::from_nanos(PIPELINE_NANOS.load(Ordering::Relaxed));
        let watchdog_saved = current
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
            .is_some_and(|(_, _, saved)| saved);

        let context = format!("seed {} iteration {iterations}", o.seed);
        for (path, outcome) in [("text", Some(text_outcome)), ("disk", disk_outcome)] {
            let mut saver = saver.lock().unwrap_or_else(|e| e.into_inner());
            match outcome {
                Some(Outcome::Panic(message)) => {
                    panics += 1;
                    saver.save(
                        input,
                        "panic",
                        &message,
                        &format!("{context} ({path} path)"),
                    );
                }
                Some(Outcome::Violation(message)) => {
                    violations += 1;
                    saver.save(
                        input,
                        "violation",
                        &message,
                        &format!("{context} ({path} path)"),
                    );
                }
                _ => {}
            }
        }
        if took > o.hang {
            hangs += 1;
        }
        if took > o.hang && !watchdog_saved {
            saver.lock().unwrap_or_else(|e| e.into_inner()).save(
                input,
                "hang",
                &format!("took {took:.1?}"),
                &context,
            );
        }
        if took > slowest.0 {
            slowest = (took, input.len());
            slowest_input = input.to_vec();
        }
        bytes_total += input.len() as u64;
        iterations += 1;
        if recent.len() < 256 {
            recent.push(input.to_vec());
        } else {
            let slot = rng.below(recent.len());
            recent[slot] = input.to_vec();
        }
        if last_report.elapsed() >= Duration::from_secs(30) {
            last_report = Instant::now();
            let secs = started.elapsed().as_secs_f64();
            println!(
                "[{secs:>6.0} s] {iterations} inputs ({:.0}/s), panics {panics}, violations {violations}, hangs {hangs}, slowest {:.2?}",
                iterations as f64 / secs,
                slowest.0
            );
        }
    }
    done.store(true, Ordering::Relaxed);
    let _ = watchdog.join();
    let _ = std::fs::remove_file(&temp);
    let _ = std::fs::remove_dir(temp.parent().unwrap_or(Path::new("/nonexistent")));

    let secs = started.elapsed().as_secs_f64();
    let saver = saver.lock().unwrap_or_else(|e| e.into_inner());
    // Not a failure, but the place to look for the next slow path.
    let slowest_path = saver.out.join(format!("slowest-seed{}.md", o.seed));
    if !slowest_input.is_empty() && std::fs::create_dir_all(&saver.out).is_ok() {
        let _ = std::fs::write(&slowest_path, &slowest_input);
    }
    println!("\n== fuzz_extract: seed {} ==", o.seed);
    println!("duration       {secs:.1} s");
    println!(
        "inputs         {iterations} ({:.0}/s), {disk_runs} also through the file reader",
        iterations as f64 / secs
    );
    println!(
        "bytes          {:.1} MB (mean input {} bytes)",
        bytes_total as f64 / 1e6,
        bytes_total / iterations.max(1)
    );
    println!(
        "slowest input  {:.2?} in the pipeline ({} bytes, saved as {})",
        slowest.0,
        slowest.1,
        slowest_path.display()
    );
    println!("panics         {panics}");
    println!("violations     {violations}");
    println!("hangs (> {:.1?}) {hangs}", o.hang);
    let mut signatures: Vec<_> = saver.seen.iter().collect();
    signatures.sort();
    println!("distinct       {}", signatures.len());
    for (signature, count) in signatures {
        println!("  {count:>7} x {signature}");
    }
    if !saver.seen.is_empty() {
        println!("inputs saved in {}", saver.out.display());
        std::process::exit(1);
    }
}
