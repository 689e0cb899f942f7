//! Stage 1: find the posts. Walks the posts directory, reads each file as
//! text, and splits transcript files (`$ cat post/<slug>.md`) into one raw post
//! each. Knows nothing of markdown: everything it rejects is about bytes.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Postmortems are a few pages; anything far bigger is an export or a log
/// dropped in by mistake, and reading it whole would only burn memory.
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

const POST_EXTENSIONS: [&str; 3] = ["md", "markdown", "txt"];
const TRANSCRIPT_MARKER: &str = "$ cat ";

/// One post as found on disk, before any parsing.
#[derive(Debug, Clone)]
pub struct RawPost {
    /// Path relative to the posts directory, with `/` separators.
    pub source: String,
    /// 1-based line where the post starts (its `$ cat` line, or 1).
    pub line: usize,
    /// The slug of a `$ cat post/<slug>.md` line, when the post had one.
    pub slug: Option<String>,
    /// 1-based line of the first line of `text` in the file.
    pub text_line: usize,
    pub text: String,
    /// The file name without extension: the id of last resort.
    pub file_stem: String,
    /// Lines of the post (1-based, in the file) that look meant as a
    /// transcript's `$ cat post/<slug>.md` line but are not one, and why:
    /// kept as text, and said.
    pub near_markers: Vec<(usize, &'static str)>,
}

impl RawPost {
    /// Changes whenever anything that ends up in the record could change.
    pub fn content_hash(&self) -> String {
        let mut hasher = blake3::Hasher::new();
        hasher.update(self.source.as_bytes());
        hasher.update(&[0]);
        hasher.update(self.line.to_string().as_bytes());
        hasher.update(&[0]);
        hasher.update(self.text.as_bytes());
        hasher.finalize().to_hex()[..16].to_string()
    }

    /// Key under which the import manifest remembers this post: stable across
    /// edits of the post itself, so an edit is an update and not add + remove.
    pub fn key(&self) -> String {
        match &self.slug {
            Some(slug) => format!("{}#{}", self.source, slug),
            None => format!("{}#{}", self.source, self.line),
        }
    }
}

/// Something that could not be imported, with where and why. Printed as one
/// line, `file:line: reason`, so editors and terminals can jump to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub source: String,
    pub line: usize,
    pub reason: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A file name can hold terminal escape sequences; print them inert.
        write!(
            f,
            "{}:{}: {}",
            self.source.escape_default_controls(),
            self.line,
            self.reason
        )
    }
}

trait EscapeControls {
    fn escape_default_controls(&self) -> String;
}

impl EscapeControls for str {
    fn escape_default_controls(&self) -> String {
        self.chars()
            .map(|c| {
                if c.is_control() {
                    c.escape_unicode().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect()
    }
}

/// Everything read from disk: the posts, and what was skipped.
#[derive(Debug, Default)]
pub struct Corpus {
    pub posts: Vec<RawPost>,
    pub problems: Vec<Problem>,
    /// Every post file found by `load_dir`, in walk order, with its stamp;
    /// `read` is false for the files the caller chose not to read.
    pub files: Vec<FoundFile>,
}

/// A post file found in the posts directory.
#[derive(Debug, Clone)]
pub struct FoundFile {
    pub source: String,
    pub stamp: Option<FileStamp>,
    pub read: bool,
}

/// What the file system says of a file without reading it: its size, its
/// modification and change times and its inode. When they are all as they
/// were, the file is taken to hold what it held (as `git status` does); a
/// file changed in the seconds before it was stamped is not trusted that
/// way (see `FileStamp::newest_ns`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileStamp {
    pub size: u64,
    pub mtime_ns: u64,
    pub ctime_ns: u64,
    pub inode: u64,
}

impl FileStamp {
    pub fn of(meta: &std::fs::Metadata) -> FileStamp {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let ns =
                |s: i64, n: i64| (s.max(0) as u64).saturating_mul(1_000_000_000) + n.max(0) as u64;
            FileStamp {
                size: meta.len(),
                mtime_ns: ns(meta.mtime(), meta.mtime_nsec()),
                ctime_ns: ns(meta.ctime(), meta.ctime_nsec()),
                inode: meta.ino(),
            }
        }
        #[cfg(not(unix))]
        {
            let ns = |t: std::io::Result<std::time::SystemTime>| {
                t.ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_nanos() as u64)
            };
            FileStamp {
                size: meta.len(),
                mtime_ns: ns(meta.modified()),
                ctime_ns: ns(meta.created()),
                inode: 0,
            }
        }
    }

    /// The later of the modification and change times, in nanoseconds
    /// since the epoch.
    pub fn newest_ns(&self) -> u64 {
        self.mtime_ns.max(self.ctime_ns)
    }
}

/// Files that describe a folder rather than an incident: a posts folder
/// often has a README or a LICENSE beside the posts.
const NOT_POSTS: [&str; 6] = [
    "readme",
    "license",
    "licence",
    "changelog",
    "contributing",
    "code_of_conduct",
];

/// Whether a path looks like a post: by its extension, and not a README,
/// LICENSE or similar.
pub fn is_post_file(path: &Path) -> bool {
    has_post_extension(path) && !describes_folder(path)
}

/// Why an import would not read this file as a post, if it would not.
pub fn why_not_a_post(path: &Path) -> Option<&'static str> {
    if path.is_dir() {
        Some("a directory: name the posts in it (DIR/*.md)")
    } else if path.file_name().is_some_and(is_hidden) {
        Some("hidden files are not imported: drop the leading dot from its name")
    } else if !has_post_extension(path) {
        Some("pmkb reads .md, .markdown and .txt files only: rename it")
    } else if describes_folder(path) {
        Some(FOLDER_FILE)
    } else {
        None
    }
}

const FOLDER_FILE: &str = "not read: a README, LICENSE or the like describes the folder, not an \
                           incident (rename the file to import it)";

fn has_post_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| POST_EXTENSIONS.iter().any(|p| p.eq_ignore_ascii_case(e)))
}

fn describes_folder(path: &Path) -> bool {
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("")
        .to_lowercase();
    NOT_POSTS.contains(&stem.as_str())
}

pub(crate) fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_str()
        .is_some_and(|n| n.starts_with('.') && n != "." && n != "..")
}

/// Reads every post below `dir`, in a stable (sorted) order so that "the
/// second post with the same id" means the same post on every run.
pub fn load_dir(dir: &Path) -> Result<Corpus> {
    load_dir_skipping(dir, &mut |_, _| false)
}

/// The error `load_dir` gives for a posts directory that is missing or is
/// not a directory, if any.
pub fn check_dir(dir: &Path) -> Result<()> {
    let meta = std::fs::metadata(dir).map_err(|source| Error::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    if !meta.is_dir() {
        return Err(Error::Io {
            path: dir.to_path_buf(),
            source: std::io::Error::other("not a directory"),
        });
    }
    Ok(())
}

/// `load_dir`, except that a post file for which `skip(source, stamp)`
/// answers true is listed in `files` but not read: an import uses it to
/// pass over the files it already knows unchanged.
pub fn load_dir_skipping(
    dir: &Path,
    skip: &mut dyn FnMut(&str, &FileStamp) -> bool,
) -> Result<Corpus> {
    check_dir(dir)?;
    let mut corpus = Corpus::default();
    // (index in `corpus.files`, path) of the files to read once the walk is done.
    let mut to_read: Vec<(usize, PathBuf)> = Vec::new();
    // Symbolic links are not followed: a link could point outside the posts
    // directory (or at itself) and the posts directory is all we may read.
    let walker = walkdir::WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_hidden(e.file_name()));
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                let path = err.path().map(|p| relative(dir, p)).unwrap_or_default();
                corpus.problems.push(Problem {
                    source: path,
                    line: 1,
                    reason: format!(
                        "cannot read: {}",
                        err.io_error()
                            .map_or_else(|| err.to_string(), |e| e.to_string())
                    ),
                });
                continue;
            }
        };
        let path = entry.path();
        if entry.file_type().is_dir() || !has_post_extension(path) {
            continue;
        }
        let source = relative(dir, path);
        if path.strip_prefix(dir).unwrap_or(path).to_str().is_none() {
            // Two names that differ only in bytes that are not UTF-8
            // would be one source, and one post.
            corpus.problems.push(Problem {
                source,
                line: 1,
                reason: "the file name is not valid UTF-8: rename it".into(),
            });
            continue;
        }
        if describes_folder(path) {
            // Said, not silently dropped: a team may well have named a
            // postmortem README.md.
            corpus.problems.push(Problem {
                source,
                line: 1,
                reason: FOLDER_FILE.into(),
            });
            continue;
        }
        if entry.path_is_symlink() {
            corpus.problems.push(Problem {
                source,
                line: 1,
                reason: "symbolic link not followed (posts must live inside the posts directory)"
                    .into(),
            });
            continue;
        }
        let stamp = entry.metadata().ok().map(|m| FileStamp::of(&m));
        let read = !stamp.as_ref().is_some_and(|s| skip(&source, s));
        if read {
            to_read.push((corpus.files.len(), entry.into_path()));
        }
        corpus.files.push(FoundFile {
            source,
            stamp,
            read,
        });
    }
    // Problems of the walk come first, then those of reading, in walk order.
    for (file, read) in read_all(&to_read, &corpus.files) {
        match read {
            Ok(posts) => corpus.posts.extend(posts),
            Err(reason) => corpus.problems.push(Problem {
                source: corpus.files[file].source.clone(),
                line: reason.line,
                reason: reason.text,
            }),
        }
    }
    Ok(corpus)
}

/// Reads and splits the files `(index in files, path)` on every core: a
/// full import of a large knowledge base would otherwise start with seconds
/// of one core reading while the others wait. Answers in the given order.
fn read_all(
    to_read: &[(usize, PathBuf)],
    files: &[FoundFile],
) -> Vec<(usize, std::result::Result<Vec<RawPost>, ReadFailure>)> {
    let read_one = |&(file, ref path): &(usize, PathBuf)| {
        let source = &files[file].source;
        let posts = read_text(path).map(|text| split_posts(source, path, text));
        (file, posts)
    };
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    // Not worth a thread for a handful of files.
    if workers == 1 || to_read.len() < 64 {
        return to_read.iter().map(read_one).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    const BATCH: usize = 16;
    let mut batches: Vec<(usize, Vec<_>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let from = next.fetch_add(BATCH, std::sync::atomic::Ordering::Relaxed);
                        if from >= to_read.len() {
                            break done;
                        }
                        let batch = &to_read[from..(from + BATCH).min(to_read.len())];
                        done.push((from, batch.iter().map(read_one).collect::<Vec<_>>()));
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            // A reader that panicked has a bug; its panic is raised here.
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    batches.sort_by_key(|&(from, _)| from);
    batches.into_iter().flat_map(|(_, batch)| batch).collect()
}

/// Reads the given files (for `pmkb extract` and `pmkb add`). A file inside
/// `posts_dir` is named as an import names it, relative to that directory
/// (so `extract posts/x.md` says `x.md`, as `show` will); any other as given.
pub fn load_files(paths: &[PathBuf], posts_dir: &Path) -> Corpus {
    let mut corpus = Corpus::default();
    let posts_dir = posts_dir.canonicalize().ok();
    for path in paths {
        let inside = posts_dir.as_ref().and_then(|dir| {
            let full = path.canonicalize().ok()?;
            full.starts_with(dir).then(|| relative(dir, &full))
        });
        let source = inside.unwrap_or_else(|| path.to_string_lossy().replace('\\', "/"));
        load_file_into(&mut corpus, path, source);
    }
    corpus
}

/// A post's name in the index: its path below `dir`, its parts joined by
/// `/` whatever the platform. Only separators are turned into `/`: a
/// backslash inside a Unix file name is part of the name, and turning it
/// into `/` made `a\b.md` and `a/b.md` one source, so each import added
/// another copy of one of them.
fn relative(dir: &Path, path: &Path) -> String {
    path.strip_prefix(dir)
        .unwrap_or(path)
        .components()
        .map(|part| part.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

fn load_file_into(corpus: &mut Corpus, path: &Path, source: String) {
    match read_text(path) {
        Ok(text) => corpus.posts.extend(split_posts(&source, path, text)),
        Err(reason) => corpus.problems.push(Problem {
            source,
            line: reason.line,
            reason: reason.text,
        }),
    }
}

struct ReadFailure {
    line: usize,
    text: String,
}

impl ReadFailure {
    fn at_start(text: impl Into<String>) -> Self {
        ReadFailure {
            line: 1,
            text: text.into(),
        }
    }
}

/// Reads a file as UTF-8 text, refusing what is not a post: too big, binary,
/// not UTF-8, or empty. Never reads more than the size limit.
fn read_text(path: &Path) -> std::result::Result<String, ReadFailure> {
    // Opening a named pipe waits for a writer, for ever.
    let kind = std::fs::metadata(path)
        .map_err(|e| ReadFailure::at_start(format!("cannot read: {e}")))?
        .file_type();
    if kind.is_dir() {
        return Err(ReadFailure::at_start(
            "a directory: name the posts in it (DIR/*.md)",
        ));
    }
    if !kind.is_file() {
        return Err(ReadFailure::at_start(
            "not a regular file (a pipe, socket or device), not a post",
        ));
    }
    let file = std::fs::File::open(path)
        .map_err(|e| ReadFailure::at_start(format!("cannot read: {e}")))?;
    let len = file
        .metadata()
        .map_err(|e| ReadFailure::at_start(format!("cannot read: {e}")))?
        .len();
    if len > MAX_FILE_BYTES {
        return Err(ReadFailure::at_start(format!(
            "file too large ({:.1} MB; posts may be at most {} MB)",
            len as f64 / 1e6,
            MAX_FILE_BYTES / 1024 / 1024
        )));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| ReadFailure::at_start(format!("cannot read: {e}")))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(ReadFailure::at_start(
            "file too large (it grew while being read)",
        ));
    }
    // Notepad's "Unicode": text, but not in the encoding posts are read in.
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(ReadFailure::at_start(
            "UTF-16 text, which pmkb does not read: save the file as UTF-8",
        ));
    }
    if let Some(pos) = bytes.iter().position(|&b| b == 0) {
        return Err(ReadFailure {
            line: line_of(&bytes, pos),
            text: "binary file (contains a NUL byte), not a post".into(),
        });
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        let pos = e.utf8_error().valid_up_to();
        ReadFailure {
            line: line_of(e.as_bytes(), pos),
            text: format!("not valid UTF-8 (bad byte at offset {pos}); save the file as UTF-8"),
        }
    })?;
    let text = text
        .strip_prefix('\u{feff}')
        .map(str::to_string)
        .unwrap_or(text);
    // Classic Mac line endings: lines apart by a carriage return alone.
    let text = if text.contains('\r') && !text.contains('\n') {
        text.replace('\r', "\n")
    } else {
        text
    };
    if text.trim().is_empty() {
        return Err(ReadFailure::at_start("empty file"));
    }
    Ok(text)
}

fn line_of(bytes: &[u8], pos: usize) -> usize {
    1 + bytes[..pos.min(bytes.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
}

/// Where a transcript marker starts in a line, and the slug it names. A marker
/// may follow text on the same line when the previous post lacked a final
/// newline (that is how `cat a b` prints).
fn find_marker(line: &str) -> Option<(usize, String)> {
    let mut search_from = 0;
    while let Some(found) = line[search_from..].find(TRANSCRIPT_MARKER) {
        let at = search_from + found;
        let rest = line[at + TRANSCRIPT_MARKER.len()..].trim();
        if let Some(path) = in_posts_folder(rest) {
            let without_ext = without_post_extension(path);
            let slug = without_ext.unwrap_or(path);
            let plausible = !slug.is_empty() && !slug.contains(char::is_whitespace);
            if plausible && (at == 0 || without_ext.is_some()) {
                return Some((at, slug.to_string()));
            }
        }
        search_from = at + TRANSCRIPT_MARKER.len();
    }
    None
}

/// The path of a marker inside the posts folder (`post/x.md` or
/// `posts/x.md`), without that folder.
fn in_posts_folder(path: &str) -> Option<&str> {
    path.strip_prefix("post/")
        .or_else(|| path.strip_prefix("posts/"))
}

/// `path` without the extension of a post (`.md`, `.markdown`, `.txt`,
/// any case); `None` when it has none of them.
fn without_post_extension(path: &str) -> Option<&str> {
    POST_EXTENSIONS.iter().find_map(|ext| {
        path.len()
            .checked_sub(ext.len() + 1)
            .filter(|&cut| path.is_char_boundary(cut))
            .filter(|&cut| path[cut..].eq_ignore_ascii_case(&format!(".{ext}")))
            .map(|cut| &path[..cut])
    })
}

/// Why a line that starts like a transcript marker (`$ cat `) is not one,
/// when it looks meant as one: it names a post (`post/`, or a file name
/// ending as posts do) rather than quoting a command (`$ cat /etc/hosts`).
fn near_marker(line: &str) -> Option<&'static str> {
    let rest = line.trim_start().strip_prefix(TRANSCRIPT_MARKER)?.trim();
    let names_a_post = without_post_extension(rest).is_some_and(|stem| !stem.is_empty());
    match in_posts_folder(rest) {
        Some("") => Some("it names no post after `post/`"),
        Some(path) if path.contains(char::is_whitespace) => {
            Some("its file name has a space: write the slug with dashes")
        }
        Some(_) => Some("it is indented"),
        None if names_a_post && !rest.starts_with('/') && !rest.contains(' ') => {
            Some("its path does not start with `post/`")
        }
        None => None,
    }
}

/// Per line, whether it is inside a fenced code block that closes: a
/// post quoting a shell session (`$ cat post/x.md` in a code block) is one
/// post. A fence that never closes hides nothing, so a transcript whose
/// post forgot to close one still splits at the next marker.
fn closed_fences(text: &str) -> Vec<bool> {
    let mut fenced = Vec::new();
    let mut open: Option<(usize, char)> = None;
    for (index, line) in text.split('\n').enumerate() {
        fenced.push(false);
        let trimmed = line.trim_start();
        let fence = ['`', '~']
            .into_iter()
            .find(|&c| trimmed.starts_with(&c.to_string().repeat(3)));
        match (open, fence) {
            (None, Some(c)) => open = Some((index, c)),
            (Some((start, c)), Some(closing)) if closing == c => {
                fenced[start..=index].iter_mut().for_each(|f| *f = true);
                open = None;
            }
            _ => {}
        }
    }
    fenced
}

/// Splits a file into posts. A file without transcript markers is one post.
///
/// Takes the text by value: most files are one post, which keeps the text
/// as read instead of a copy of it (a copy of the whole corpus, at import).
pub fn split_posts(source: &str, path: &Path, text: impl Into<String>) -> Vec<RawPost> {
    let text: String = text.into();
    let file_stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let make = |line: usize, slug: Option<String>, text_line: usize, text: String| RawPost {
        source: source.to_string(),
        line,
        slug,
        text_line,
        text,
        file_stem: file_stem.clone(),
        near_markers: Vec::new(),
    };

    // Most files are one post: no need to look at each line.
    if !text.contains(TRANSCRIPT_MARKER) {
        return vec![make(1, None, 1, text)];
    }
    let mut posts = Vec::new();
    // (start line, slug, first text line, text)
    let mut current: Option<(usize, Option<String>, usize, String)> = None;
    let mut preamble = String::new();
    // Lines meant as markers, by the post they were kept in: its number
    // in `posts`, the preamble's being none.
    let mut near_markers: Vec<(Option<usize>, usize, &'static str)> = Vec::new();
    let fenced = closed_fences(&text);
    for (index, line) in text.split('\n').enumerate() {
        let number = index + 1;
        let line = line.strip_suffix('\r').unwrap_or(line);
        let quoted = fenced.get(index).copied().unwrap_or(false);
        let marker = (!quoted).then(|| find_marker(line)).flatten();
        if marker.is_none() && !quoted {
            if let Some(reason) = near_marker(line) {
                let post = current.as_ref().map(|_| posts.len());
                near_markers.push((post, number, reason));
            }
        }
        if let Some((at, slug)) = marker {
            let before = &line[..at];
            match current.as_mut() {
                Some((_, _, _, body)) => body.push_str(before),
                None => preamble.push_str(before),
            }
            if let Some((l, s, tl, body)) = current.take() {
                posts.push(make(l, s, tl, body));
            }
            current = Some((number, Some(slug), number + 1, String::new()));
            continue;
        }
        match current.as_mut() {
            Some((_, _, _, body)) => {
                body.push_str(line);
                body.push('\n');
            }
            None => {
                preamble.push_str(line);
                preamble.push('\n');
            }
        }
    }
    if let Some((l, s, tl, body)) = current.take() {
        posts.push(make(l, s, tl, body));
    }
    if posts.is_empty() {
        // No transcript: a line like a marker is a post quoting a command,
        // unless it opens the file.
        let opening = text
            .split('\n')
            .position(|l| !l.trim().is_empty())
            .map(|at| at + 1);
        let mut post = make(1, None, 1, text);
        post.near_markers = near_markers
            .into_iter()
            .filter(|&(_, line, _)| Some(line) == opening)
            .map(|(_, line, reason)| (line, reason))
            .collect();
        return vec![post];
    }
    for (post, line, reason) in &near_markers {
        if let Some(post) = post.and_then(|number| posts.get_mut(number)) {
            post.near_markers.push((*line, reason));
        }
    }
    // Text before the first marker is kept as a post of its own rather than
    // dropped: no data is lost, and an accidental preamble is easy to spot.
    if !preamble.trim().is_empty() {
        let mut first = make(1, None, 1, preamble);
        first.near_markers = near_markers
            .iter()
            .filter(|(post, _, _)| post.is_none())
            .map(|(_, line, reason)| (*line, *reason))
            .collect();
        posts.insert(0, first);
    }
    posts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_transcripts_and_keeps_lines() {
        let text =
            "$ cat post/first.md\nFirst\nbody one\n$ cat post/second-post.md\nSecond\nbody two";
        let posts = split_posts("t.txt", Path::new("t.txt"), text);
        assert_eq!(posts.len(), 2);
        assert_eq!(posts[0].slug.as_deref(), Some("first"));
        assert_eq!(posts[0].line, 1);
        assert_eq!(posts[0].text, "First\nbody one\n");
        assert_eq!(posts[1].slug.as_deref(), Some("second-post"));
        assert_eq!(posts[1].line, 4);
        assert_eq!(posts[1].text_line, 5);
    }

    #[test]
    fn marker_glued_to_previous_line_still_splits() {
        let text = "$ cat post/a.md\nA\nlast line.$ cat post/b/c.md\nB\n";
        let posts = split_posts("t.txt", Path::new("t.txt"), text);
        assert_eq!(posts.len(), 2);
        assert!(posts[0].text.ends_with("last line."));
        assert_eq!(posts[1].slug.as_deref(), Some("b/c"));
        assert_eq!(posts[1].line, 3);
    }

    #[test]
    fn a_marker_in_a_closed_code_block_is_quoted_not_a_split() {
        let quoted = "# Notes\n\n```\n$ cat post/injected.md\nInjected\n```\n\n## Impact\n\nRequests failed.\n";
        let posts = split_posts("m.md", Path::new("m.md"), quoted);
        assert_eq!(posts.len(), 1);
        assert!(posts[0].text.contains("Requests failed."));
        // A fence left open hides nothing: the next post still starts.
        let open = "$ cat post/a.md\nA\n```\nlog line\n$ cat post/b.md\nB\n";
        let posts = split_posts("t.txt", Path::new("t.txt"), open);
        assert_eq!(posts.len(), 2);
        assert_eq!(posts[1].slug.as_deref(), Some("b"));
    }

    #[test]
    fn a_sentence_mentioning_cat_is_not_a_marker() {
        assert!(find_marker("Run $ cat post/x.md to see it").is_none());
        assert!(find_marker("$ cat /etc/hosts").is_none());
        assert!(find_marker("$ cat post/x.md").is_some());
    }

    #[test]
    fn plain_file_is_one_post() {
        let posts = split_posts("a/b.md", Path::new("a/b.md"), "# T\nbody\n");
        assert_eq!(posts.len(), 1);
        assert_eq!(posts[0].file_stem, "b");
        assert!(posts[0].slug.is_none());
    }
}
