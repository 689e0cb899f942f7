//! `pmkb new`, `pmkb add` and `serve --watch`, as an author meets them.

mod common;

use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;

fn fill(template: &str) -> String {
    template
        .replace("<!-- What users and operators saw: errors, timeouts, alerts, with numbers. -->", "Uploads to the photo service stalled and returned 507 Insufficient Storage for 40 minutes.")
        .replace("<!-- Why it happened. Say it plainly: \"X failed because Y\". -->", "The upload volume filled up because the thumbnail cleaner had been disabled during a migration.")
        .replace("<!-- What we did to stop the bleeding and to fix it for good. -->", "We re-enabled the thumbnail cleaner and added an alert at 80% volume usage.")
}

#[test]
fn new_then_add_then_search_finds_it() {
    let ws = Workspace::with_sample_posts();
    assert!(ws.run(&["import"]).status.success());
    let out = ws.run(&["new", "Photo uploads stalled with 507"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let path = std::path::PathBuf::from(stdout(&out).trim());
    assert!(path.starts_with(ws.posts()), "{path:?}");
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    assert!(
        name.ends_with("-photo-uploads-stalled-with-507.md"),
        "{name}"
    );
    assert!(
        stderr(&out).contains("its id is photo-uploads-stalled-with-507"),
        "{}",
        stderr(&out)
    );
    // An unfilled skeleton is not an incident yet: said, not indexed.
    let early = ws.run(&["import"]);
    let line = format!("{name}:1: post has headings but nothing under them yet");
    assert!(stderr(&early).contains(&line), "{}", stderr(&early));
    assert!(stdout(&early).contains("0 added"), "{}", stdout(&early));
    // Never overwrites.
    let again = ws.run(&["new", "Photo uploads stalled with 507"]);
    assert_eq!(again.status.code(), Some(1));
    assert!(stderr(&again).contains("already exists"));
    let blank = ws.run(&["new", "  ?! "]);
    assert_eq!(blank.status.code(), Some(2));
    assert!(
        stderr(&blank).contains("bad title: it needs at least one letter or digit"),
        "{}",
        stderr(&blank)
    );

    // The author fills it in somewhere else and adds it.
    let draft_dir = tempfile::tempdir().unwrap();
    let draft = draft_dir.path().join("photo-uploads.md");
    std::fs::write(&draft, fill(&std::fs::read_to_string(&path).unwrap())).unwrap();
    std::fs::remove_file(&path).unwrap();
    let dry = ws.run(&["add", "--dry-run", draft.to_str().unwrap()]);
    assert!(dry.status.success(), "{}", stderr(&dry));
    assert!(stdout(&dry).contains("507 Insufficient Storage"));
    assert!(stdout(&dry).contains("dry run"));
    assert!(!ws.posts().join("photo-uploads.md").exists());

    let added = ws.run(&["add", draft.to_str().unwrap()]);
    assert!(added.status.success(), "{}", stderr(&added));
    let report = stdout(&added);
    assert!(
        report.contains("symptom") && report.contains("cause") && report.contains("fix"),
        "{report}"
    );
    assert!(report.contains("1 added"), "{report}");
    assert!(ws.posts().join("photo-uploads.md").exists());

    let hits = json(&ws.run(&["search", "--json", "uploads stalled 507"]));
    assert_eq!(hits["hits"][0]["id"], "photo-uploads-stalled-with-507");
}

#[test]
fn add_refuses_what_it_cannot_take_and_changes_nothing() {
    let ws = Workspace::with_sample_posts();
    ws.run(&["import"]);
    let before = stdout(&ws.run(&["export"]));
    let drafts = tempfile::tempdir().unwrap();
    let no_title = drafts.path().join("no-title.md");
    std::fs::write(
        &no_title,
        "- requests failed\n- we restarted the service and it recovered.\n",
    )
    .unwrap();
    let binary = drafts.path().join("binary.md");
    std::fs::write(&binary, b"\x00\x01\x02binary").unwrap();
    let duplicate = drafts.path().join("dup.md");
    std::fs::write(
        &duplicate,
        "---\nid: pg-failover-connection-storm\ntitle: Another storm\n---\n\nConnections failed.\n",
    )
    .unwrap();
    let warn_only = drafts.path().join("thin.md");
    std::fs::write(
        &warn_only,
        "# Thin post\n\nSomething happened on Tuesday and people were unhappy about it.\n",
    )
    .unwrap();

    for (file, reason) in [
        (&no_title, "no title"),
        (&binary, "binary file"),
        (
            &duplicate,
            "with id `pg-failover-connection-storm` comes from",
        ),
    ] {
        let out = ws.run(&["add", file.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{file:?}");
        let err = stderr(&out);
        assert!(err.contains(reason), "{file:?}: {err}");
        assert!(err.contains("not added"), "{err}");
        assert!(
            !ws.posts().join(file.file_name().unwrap()).exists(),
            "{file:?} was copied"
        );
    }
    assert_eq!(
        stdout(&ws.run(&["export"])),
        before,
        "the index is unchanged"
    );

    let thin = ws.run(&["add", "--dry-run", warn_only.to_str().unwrap()]);
    let report = stdout(&thin);
    assert!(
        report.contains("no cause found: add a 'Root Cause' section"),
        "{report}"
    );
}

/// What once lost posts: `add --force` of the file `pmkb new` wrote (copied
/// onto itself, it became empty), two drafts of one name or one id in one
/// call (the second overwrote the first, or both went in), a file the
/// import never reads (added, then nowhere), and `--force` against an id
/// another file holds (added, then skipped as a duplicate).
#[test]
fn add_never_loses_a_post_and_takes_only_what_imports() {
    let ws = Workspace::with_sample_posts();
    ws.run(&["import"]);
    let new = ws.run(&["new", "Photo uploads stalled with 507"]);
    let path = std::path::PathBuf::from(stdout(&new).trim());
    let filled = fill(&std::fs::read_to_string(&path).unwrap());
    std::fs::write(&path, &filled).unwrap();
    for args in [&["add"][..], &["add", "--force"][..]] {
        let mut args = args.to_vec();
        args.push(path.to_str().unwrap());
        let out = ws.run(&args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        assert!(stdout(&out).contains("where it is"), "{}", stdout(&out));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), filled, "{args:?}");
    }
    let found = json(&ws.run(&["search", "--json", "uploads stalled 507"]));
    assert_eq!(found["hits"][0]["id"], "photo-uploads-stalled-with-507");

    let drafts = tempfile::tempdir().unwrap();
    let draft = |dir: &str, name: &str, id: &str, what: &str| {
        let path = drafts.path().join(dir).join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(
            &path,
            format!("---\nid: {id}\ntitle: {what} stalled\n---\n\nThe {what} queue stalled and every job timed out for an hour.\n"),
        )
        .unwrap();
        path.to_str().unwrap().to_string()
    };
    let first = draft("x", "same.md", "walrus", "walrus");
    let second = draft("y", "same.md", "narwhal", "narwhal");
    let out = ws.run(&["add", &first, &second]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("has the same file name"),
        "{}",
        stderr(&out)
    );
    let kept = std::fs::read_to_string(ws.posts().join("same.md")).unwrap();
    assert!(kept.contains("walrus"), "{kept}");

    let one = draft("x", "one.md", "okapi", "okapi");
    let other = draft("y", "other.md", "okapi", "beluga");
    let out = ws.run(&["add", &one, &other]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("has the same id `okapi`"),
        "{}",
        stderr(&out)
    );
    assert!(!ws.posts().join("other.md").exists());

    let html = draft("x", "notes.html", "notes-html", "heron");
    let bare = draft("x", "notes", "notes-bare", "egret");
    for file in [&html, &bare] {
        let out = ws.run(&["add", "--force", file]);
        assert_eq!(out.status.code(), Some(1), "{file}");
        assert!(
            stderr(&out).contains(".md, .markdown and .txt"),
            "{}",
            stderr(&out)
        );
    }
    assert!(!ws.posts().join("notes.html").exists());
    // A hidden file would be copied and never imported; a folder is not a post.
    let hidden = draft("x", ".heron.md", "heron-hidden", "heron");
    let out = ws.run(&["add", &hidden]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("hidden files are not imported"),
        "{}",
        stderr(&out)
    );
    assert!(!ws.posts().join(".heron.md").exists());
    let folder = drafts.path().join("x");
    let out = ws.run(&["add", folder.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("a directory: name the posts in it"),
        "{}",
        stderr(&out)
    );

    let takeover = draft("x", "storm-v2.md", "pg-failover-connection-storm", "storm");
    let out = ws.run(&["add", "--force", &takeover]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("2018-03-14-postgres-failover-connection-storm.md"),
        "names the file that holds the id: {}",
        stderr(&out)
    );
    assert!(!ws.posts().join("storm-v2.md").exists());
}

/// Posts written while the server was down are imported when it starts
/// watching, not at the next change.
#[test]
fn serve_watch_catches_up_with_posts_written_while_it_was_down() {
    let ws = Workspace::with_sample_posts();
    assert!(ws.run(&["import"]).status.success());
    ws.write(
        "okapi.md",
        "# Okapi feed froze\n\n## Impact\n\nThe okapi feed froze for an hour.\n",
    );
    let server = ws.serve(&["--watch"]);
    let started = Instant::now();
    loop {
        let out = ureq::get(&format!("{}/api/search?q=okapi", server.base))
            .call()
            .unwrap()
            .body_mut()
            .read_to_string()
            .unwrap();
        let found: Value = serde_json::from_str(&out).unwrap();
        if found["total"] == 1 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "the post written while the server was down is not found: {found}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn serve_watch_picks_up_new_edited_and_deleted_posts() {
    let ws = Workspace::with_sample_posts();
    let server = ws.serve(&["--watch"]);
    let base = server.base.clone();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let search = |q: &str| -> Value {
        let mut response = agent
            .get(&format!("{base}/api/search?q={q}"))
            .call()
            .unwrap();
        assert_eq!(response.status(), 200);
        serde_json::from_str(&response.body_mut().read_to_string().unwrap()).unwrap()
    };
    let wait_for = |q: &str, want: u64, what: &str| {
        let started = Instant::now();
        loop {
            if search(q)["total"] == want {
                eprintln!("{what}: visible after {:?}", started.elapsed());
                return;
            }
            assert!(
                started.elapsed() < Duration::from_secs(3),
                "{what} not visible within 3 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    };

    let post = ws.posts().join("zebra.md");
    std::fs::write(
        &post,
        "# Zebra queue stalled\n\n## Impact\n\nThe zebra queue stalled and jobs piled up.\n",
    )
    .unwrap();
    wait_for("zebra", 1, "new post");
    std::fs::write(
        &post,
        "# Zebra queue stalled\n\n## Impact\n\nThe zebra queue stalled and okapi jobs piled up.\n",
    )
    .unwrap();
    wait_for("okapi", 1, "edit");
    std::fs::remove_file(&post).unwrap();
    wait_for("zebra", 0, "delete");

    // A folder of posts moved out of the posts directory.
    let folder = ws.posts().join("archive");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(
        folder.join("walrus.md"),
        "# Walrus cache cold\n\n## Impact\n\nThe walrus cache was cold and pages timed out.\n",
    )
    .unwrap();
    wait_for("walrus", 1, "new folder");
    let outside = tempfile::tempdir().unwrap();
    std::fs::rename(&folder, outside.path().join("archive")).unwrap();
    wait_for("walrus", 0, "folder moved out");

    // The whole posts directory swapped for a copy, as a deploy does.
    let copy = ws.posts().with_extension("new");
    copy_dir(&ws.posts(), &copy);
    std::fs::write(
        copy.join("narwhal.md"),
        "# Narwhal queue stalled\n\n## Impact\n\nThe narwhal queue stalled for an hour.\n",
    )
    .unwrap();
    std::fs::rename(ws.posts(), outside.path().join("old-posts")).unwrap();
    std::fs::rename(&copy, ws.posts()).unwrap();
    wait_for("narwhal", 1, "swapped folder");
    std::fs::write(
        ws.posts().join("beluga.md"),
        "# Beluga jobs piled up\n\n## Impact\n\nBeluga jobs piled up behind a stuck lock.\n",
    )
    .unwrap();
    wait_for("beluga", 1, "a new post in the swapped folder");
}

/// A file the import skips is read by every import; the watcher once took
/// those reads for changes and re-imported every 300 ms for as long as
/// the file was there.
#[test]
fn serve_watch_imports_once_for_a_file_it_skips() {
    let ws = Workspace::with_sample_posts();
    let log_path = ws.index().with_extension("log");
    let log = std::fs::File::create(&log_path).unwrap();
    let server = ws.serve_logging(&["--watch"], "info", log);
    // The server says it watches once the watcher is ready.
    let started = Instant::now();
    while !std::fs::read_to_string(&log_path)
        .unwrap()
        .contains("watching")
    {
        assert!(started.elapsed() < Duration::from_secs(10), "no watcher");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::fs::write(ws.posts().join("empty.md"), "").unwrap();
    std::thread::sleep(Duration::from_secs(4));
    // A pmkb.toml that does not parse is said, as `pmkb import` says it.
    std::fs::write(ws.posts().join("pmkb.toml"), "[sections\n").unwrap();
    std::thread::sleep(Duration::from_secs(2));
    let text = std::fs::read_to_string(&log_path).unwrap();
    drop(server);
    assert!(
        text.contains("using the built-in section names"),
        "a bad pmkb.toml is reported:\n{text}"
    );
    let text = text
        .split("pmkb.toml")
        .next()
        .unwrap_or_default()
        .to_string();
    let imports = text.matches("re-imported").count();
    // The catch-up import at start may see the file too; then the
    // watcher's one import for it, and nothing more.
    assert!(
        (1..=2).contains(&imports),
        "{imports} imports for one new file:\n{text}"
    );
    assert!(
        text.contains("empty.md:1: empty file"),
        "the skipped file is reported:\n{text}"
    );
}

/// Two adds at once of posts with the same id: one is added, the other
/// refused, never both said to be "added" while the import keeps one.
#[test]
fn adds_at_once_never_both_take_one_id() {
    let ws = Workspace::with_sample_posts();
    ws.run(&["import"]);
    let drafts = tempfile::tempdir().unwrap();
    let mut outcomes = Vec::new();
    for round in 0..3 {
        let id = format!("twin-{round}");
        let files: Vec<String> = ["left", "right"]
            .iter()
            .map(|side| {
                let path = drafts.path().join(format!("{side}-{round}.md"));
                std::fs::write(
                    &path,
                    format!("---\nid: {id}\ntitle: {side} twin\n---\n\nThe {side} queue stalled and every job timed out for an hour.\n"),
                )
                .unwrap();
                path.to_str().unwrap().to_string()
            })
            .collect();
        let (posts, index) = (ws.posts(), ws.index());
        let runs: Vec<_> = files
            .into_iter()
            .map(|file| {
                let (posts, index) = (posts.clone(), index.clone());
                std::thread::spawn(move || common::run(&posts, &index, &["add", &file]))
            })
            .collect();
        let outs: Vec<_> = runs.into_iter().map(|r| r.join().unwrap()).collect();
        let added = outs.iter().filter(|o| o.status.success()).count();
        let said: Vec<String> = outs.iter().map(stderr).collect();
        assert_eq!(added, 1, "round {round}: {said:?}");
        assert!(
            said.iter().any(|e| e.contains(&format!("`{id}`"))),
            "the refusal names the id: {said:?}"
        );
        outcomes.push(ws.exported_ids().iter().filter(|i| **i == id).count());
    }
    assert_eq!(outcomes, [1, 1, 1]);
}
