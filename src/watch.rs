//! Keeping the index in step with the posts directory while pmkb runs:
//! file events are debounced (editors save in bursts, and in steps), then
//! an incremental import re-extracts only what changed.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, SystemTime};

use notify::{RecursiveMode, Watcher};

use crate::error::{Error, Result};
use crate::index::{self, ImportReport};

/// Quiet time after the last event before importing.
const DEBOUNCE: Duration = Duration::from_millis(300);
/// A file written this recently may still be half-written: wait for it.
const SETTLE: Duration = Duration::from_millis(250);

/// The paths an event changed. Reads are not changes: the import itself
/// opens every file it skips (a file it cannot use is read again each
/// time), and counting those opens made a watcher with one bad file
/// re-import every debounce, forever.
fn changed_paths(event: notify::Result<notify::Event>) -> Vec<PathBuf> {
    use notify::event::{EventKind, MetadataKind, ModifyKind};
    match event {
        Ok(event) => match event.kind {
            EventKind::Access(_)
            | EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime)) => Vec::new(),
            _ => event.paths,
        },
        Err(_) => Vec::new(),
    }
}

/// The posts directory as the file system knows it. A deploy that swaps
/// the folder (a copy put in its place by a rename) leaves the watcher on
/// the old one, which nobody writes to again.
fn identity(dir: &Path) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(dir).ok().map(|m| (m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        None
    }
}

fn recently_written(paths: &[PathBuf]) -> bool {
    let now = SystemTime::now();
    paths.iter().any(|p| {
        std::fs::metadata(p)
            .and_then(|m| m.modified())
            .is_ok_and(|t| now.duration_since(t).is_ok_and(|age| age < SETTLE))
    })
}

/// Watches `posts_dir` and imports after each burst of changes, calling
/// `on_import` with what each import did (or why it failed), until the
/// watcher stops or `keep_going` returns false. With `catch_up`, imports
/// once as soon as the watcher is ready, for a caller that has not just
/// imported.
pub fn watch(
    posts_dir: &Path,
    index_dir: &Path,
    catch_up: bool,
    on_ready: impl FnOnce(),
    mut on_import: impl FnMut(std::result::Result<ImportReport, Error>),
    keep_going: impl Fn() -> bool,
) -> Result<()> {
    let (sender, events) = mpsc::channel::<notify::Result<notify::Event>>();
    let mut watcher = notify::recommended_watcher(sender).map_err(|e| watch_error(posts_dir, e))?;
    watcher
        .watch(posts_dir, RecursiveMode::Recursive)
        .map_err(|e| watch_error(posts_dir, e))?;
    let import = || index::import(posts_dir, index_dir, &index::Quiet);
    // Changes from here on are seen: callers may now say they are watching.
    on_ready();
    // What changed while nobody watched (posts added while the server was
    // down) is imported now, not at the next change.
    if catch_up {
        on_import(import());
    }
    let mut watched = identity(posts_dir);
    while keep_going() {
        let first = match events.recv_timeout(Duration::from_millis(500)) {
            Ok(event) => event,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let now = identity(posts_dir);
                if now.is_some() && now != watched {
                    let _ = watcher.unwatch(posts_dir);
                    if watcher.watch(posts_dir, RecursiveMode::Recursive).is_ok() {
                        watched = now;
                        on_import(import());
                    }
                }
                continue;
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        };
        let mut paths = changed_paths(first);
        // Debounce: wait until the directory has been quiet for a moment
        // and no touched file is still being written.
        loop {
            match events.recv_timeout(DEBOUNCE) {
                Ok(event) => paths.extend(changed_paths(event)),
                Err(mpsc::RecvTimeoutError::Timeout) if recently_written(&paths) => continue,
                Err(_) => break,
            }
        }
        // A path that is gone may have been a folder of posts moved out
        // (not an editor's hidden swap file going away).
        let relevant = paths.iter().any(|p| {
            let hidden = p.file_name().is_some_and(crate::corpus::is_hidden);
            crate::corpus::is_post_file(p)
                || p.file_name()
                    .is_some_and(|n| n == crate::config::CONFIG_FILE)
                || p.is_dir()
                || (!p.exists() && !hidden)
        });
        if !relevant {
            continue;
        }
        on_import(import());
    }
    Ok(())
}

fn watch_error(path: &Path, err: notify::Error) -> Error {
    Error::Io {
        path: path.to_path_buf(),
        source: std::io::Error::other(format!("cannot watch: {err}")),
    }
}
