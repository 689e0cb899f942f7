//! Helpers for tests that drive the real `pmkb` binary over real files.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

/// The repository root (where `posts/` and `eval/` live).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared/<rel>` when present: public data that a fresh clone may not
/// have. Tests that need it skip with a message when it is absent.
pub fn shared(rel: &str) -> Option<PathBuf> {
    let path = root().join("..").join("shared").join(rel);
    if path.exists() {
        Some(path)
    } else {
        eprintln!("skipping: {} is not present", path.display());
        None
    }
}

pub fn pmkb() -> Command {
    let mut cmd = Command::cargo_bin("pmkb").expect("the pmkb binary is built");
    cmd.env_remove("PMKB_POSTS")
        .env_remove("PMKB_INDEX")
        .env("NO_COLOR", "1");
    cmd
}

/// Runs `pmkb --posts P --index I ARGS...`.
pub fn run(posts: &Path, index: &Path, args: &[&str]) -> Output {
    pmkb()
        .arg("--posts")
        .arg(posts)
        .arg("--index")
        .arg(index)
        .args(args)
        .output()
        .expect("pmkb runs")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A copy of the bundled posts in a temporary folder, with an index path
/// beside them.
pub struct Workspace {
    pub dir: tempfile::TempDir,
}

impl Workspace {
    pub fn with_sample_posts() -> Workspace {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&root().join("posts"), &dir.path().join("posts"));
        Workspace { dir }
    }

    pub fn empty() -> Workspace {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("posts")).unwrap();
        Workspace { dir }
    }

    pub fn posts(&self) -> PathBuf {
        self.dir.path().join("posts")
    }

    pub fn index(&self) -> PathBuf {
        self.dir.path().join("index")
    }

    pub fn run(&self, args: &[&str]) -> Output {
        run(&self.posts(), &self.index(), args)
    }

    /// The ids `pmkb export` lists, in its order.
    pub fn exported_ids(&self) -> Vec<String> {
        stdout(&self.run(&["export"]))
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    }

    pub fn write(&self, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let path = self.posts().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, content).unwrap();
        path
    }
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

pub fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(output)))
}

/// A running `pmkb serve` on an ephemeral port, stopped when dropped.
pub struct RunningServer {
    pub child: std::process::Child,
    /// `http://127.0.0.1:PORT`, read from the line the server prints.
    pub base: String,
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Workspace {
    /// Starts `pmkb serve --addr 127.0.0.1:0 EXTRA...` on this workspace and
    /// waits until it says where it listens.
    pub fn serve(&self, extra: &[&str]) -> RunningServer {
        self.serve_logging(extra, "warn", std::process::Stdio::null())
    }

    /// As `serve`, with the log at `level` written to `log`.
    pub fn serve_logging(
        &self,
        extra: &[&str],
        level: &str,
        log: impl Into<std::process::Stdio>,
    ) -> RunningServer {
        use std::io::{BufRead, BufReader};
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("pmkb"))
            .arg("--posts")
            .arg(self.posts())
            .arg("--index")
            .arg(self.index())
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(extra)
            .env("PMKB_LOG", level)
            .stdout(std::process::Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("pmkb serve starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let line = BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .find(|l| l.contains("at http://"))
            .expect("the server printed its address");
        let rest = line.split("at http://").nth(1).unwrap_or_default();
        let base = format!("http://{}", rest.split('/').next().unwrap_or_default());
        RunningServer { child, base }
    }
}
