//! Hostile input through the real binary: files that are not posts, posts
//! built to hurt a parser, links that lead outside the posts directory, and
//! queries built to hurt a query parser. Each gets a bounded, clear answer.

mod common;

use std::time::{Duration, Instant};

use common::*;

#[test]
fn hostile_files_are_refused_or_imported_and_nothing_outside_is_read() {
    let ws = Workspace::empty();
    let posts = ws.posts();
    ws.write(
        "deep-list.md",
        format!(
            "# Deep list\n\n{}",
            (0..2000)
                .map(|i| format!("{}- level {i} timed out\n", "  ".repeat(i % 400)))
                .collect::<String>()
        ),
    );
    ws.write(
        "deep-quote.md",
        format!(
            "# Deep quote\n\n{} requests timed out\n",
            ">".repeat(20_000)
        ),
    );
    ws.write(
        "headings.md",
        format!(
            "# Many headings\n\n{}",
            (0..10_000)
                .map(|i| format!("## Root Cause {i}\n\nThe pool was exhausted by leak {i}.\n\n"))
                .collect::<String>()
        ),
    );
    ws.write(
        "long.md",
        format!(
            "# Long post\n\n{}",
            (0..20_000)
                .map(|i| format!(
                    "Line {i}: requests failed with 502 errors because the cache was cold.\n"
                ))
                .collect::<String>()
        ),
    );
    ws.write(
        "brackets.md",
        format!(
            "# Brackets\n\n{}\n{}\n{}\n",
            "[".repeat(50_000),
            "*".repeat(50_000),
            "`".repeat(50_000)
        ),
    );
    ws.write(
        "bomb.md",
        "---\na: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\ntitle: bomb\n---\n\nRequests failed.\n",
    );
    ws.write(
        "odd name ünï;$(x) 'q'.md",
        "# Odd name\n\nThe disk filled up because logs were never rotated.\n",
    );
    ws.write(
        "control\u{7}chars.md",
        "# Control \u{1b}[31m chars\n\nThe post with \u{7} bells timed out.\n",
    );
    ws.write("bad\u{1b}[31mname.md", b"\x00binary");
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("secret.md"),
        "# Secret\n\nTop secret outage.\n",
    )
    .unwrap();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(outside.path().join("secret.md"), posts.join("link.md"))
            .unwrap();
        std::os::unix::fs::symlink(outside.path(), posts.join("outside-dir")).unwrap();
        std::fs::create_dir(posts.join("loop")).unwrap();
        std::os::unix::fs::symlink("..", posts.join("loop/up")).unwrap();
    }

    let started = Instant::now();
    let out = ws.run(&["import"]);
    let took = started.elapsed();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(took < Duration::from_secs(120), "import took {took:?}");
    let err = stderr(&out);
    assert!(
        err.contains("bomb.md:2: front matter does not parse") && err.contains("YAML aliases"),
        "{err}"
    );
    #[cfg(unix)]
    assert!(
        err.contains("link.md:1: symbolic link not followed"),
        "{err}"
    );
    assert!(
        err.contains("bad\\u{1b}[31mname.md:1: binary file"),
        "control characters in names are printed inert: {err}"
    );
    assert!(!err.contains('\u{1b}'), "{err:?}");
    let export = stdout(&ws.run(&["export"]));
    assert!(
        !export.contains("Top secret"),
        "nothing outside the posts directory is read"
    );
    for id in [
        "deep-list",
        "deep-quote",
        "headings",
        "long",
        "brackets",
        "bomb",
        "odd-name-n-x-q",
        "control-chars",
    ] {
        assert!(
            export.contains(&format!("\"id\":\"{id}\"")),
            "{id} missing:\n{err}"
        );
    }
    // Every finding's text occurs in its post, and its line is in the file.
    for line in export.lines() {
        let record: serde_json::Value = serde_json::from_str(line).unwrap();
        let file = std::fs::read_to_string(posts.join(record["source"].as_str().unwrap())).unwrap();
        let lines = file.lines().count();
        for field in ["symptoms", "causes", "fixes", "lessons"] {
            for finding in record[field].as_array().unwrap() {
                let n = finding["line"].as_u64().unwrap() as usize;
                assert!(
                    n >= 1 && n <= lines,
                    "{}: line {n} of {lines}",
                    record["id"]
                );
            }
        }
    }
}

#[test]
fn hostile_queries_get_bounded_answers() {
    let ws = Workspace::with_sample_posts();
    ws.run(&["import"]);
    let long = "timeout ".repeat(2000);
    let out = ws.run(&["search", &long]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("too long"));
    for q in [
        "unknownfield:timeout",
        "\u{7}\u{1b}[2J timeout",
        "((( ))) [[ ]] {{ }} ~~ ^^ !!",
        "tag:\"\"",
        "\"\"",
        "*",
        "-",
        "year:99999",
    ] {
        let out = ws.run(&["search", "--json", q]);
        assert!(
            matches!(out.status.code(), Some(0) | Some(2)),
            "{q:?}: {}",
            stderr(&out)
        );
        if out.status.code() == Some(2) {
            assert_eq!(stderr(&out).lines().count(), 1, "{q:?}");
        } else {
            assert!(json(&out)["total"].is_number());
        }
    }
    // A limit out of range is refused as the API refuses it, in one line.
    let out = ws.run(&["search", "--limit", "1000000000", "timeout"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("a whole number from 1 to 100"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn two_imports_at_once_never_corrupt_the_index() {
    let ws = Workspace::with_sample_posts();
    let binary = assert_cmd::cargo::cargo_bin("pmkb");
    let spawn = || {
        std::process::Command::new(&binary)
            .arg("--posts")
            .arg(ws.posts())
            .arg("--index")
            .arg(ws.index())
            .arg("import")
            .output()
    };
    assert!(ws.run(&["import"]).status.success());
    ws.write(
        "extra.md",
        "# Extra incident\n\nRequests timed out because the pool was exhausted.\n",
    );
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(spawn);
        let b = s.spawn(spawn);
        (a.join().unwrap().unwrap(), b.join().unwrap().unwrap())
    });
    for out in [&a, &b] {
        assert!(
            out.status.success() || stderr(out).contains("another pmkb process is writing"),
            "{}",
            stderr(out)
        );
    }
    let summaries = format!("{}{}", stdout(&a), stdout(&b));
    assert_eq!(
        summaries.matches("1 added").count(),
        1,
        "exactly one import adds the post:\n{summaries}"
    );
    assert_eq!(stdout(&ws.run(&["export"])).lines().count(), 35);
}

/// kill -9 of `serve --watch` while it re-imports, over many rounds: the
/// index always opens, and the next import brings everything up to date.
#[cfg(unix)]
#[test]
fn killing_serve_watch_mid_import_never_breaks_the_index() {
    let ws = Workspace::with_sample_posts();
    assert!(ws.run(&["import"]).status.success());
    for round in 0..8u64 {
        let mut server = ws.serve(&["--watch"]);
        for i in 0..20 {
            ws.write(
                &format!("round{round}/round{round}-post{i}.md"),
                format!("# Round {round} post {i}\n\nRequests timed out in round {round}.\n"),
            );
        }
        // The watcher debounces for 300 ms, then imports: kill around then.
        std::thread::sleep(Duration::from_millis(250 + round * 40));
        let _ = server.child.kill(); // SIGKILL
        let _ = server.child.wait();
        let out = ws.run(&["search", "--json", "timed out"]);
        assert!(out.status.success(), "round {round}: {}", stderr(&out));
    }
    let out = ws.run(&["import"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&ws.run(&["export"])).lines().count(), 34 + 8 * 20);
}

/// A named pipe that looks like a post would hold `import` waiting for a
/// writer for ever: it is reported and the rest imported.
#[cfg(unix)]
#[test]
fn a_named_pipe_among_the_posts_is_reported_not_waited_on() {
    let ws = Workspace::empty();
    ws.write(
        "ok.md",
        "# Ok\n\n## Impact\n\nRequests timed out for an hour.\n",
    );
    let made = std::process::Command::new("mkfifo")
        .arg(ws.posts().join("pipe.md"))
        .status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipping: mkfifo is not available");
        return;
    }
    // Waited on with a deadline: a hang fails the test instead of the run.
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("pmkb"))
        .arg("--posts")
        .arg(ws.posts())
        .arg("--index")
        .arg(ws.index())
        .arg("import")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(30) {
            child.kill().unwrap();
            panic!("import waited on the pipe");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("pipe.md:1: not a regular file"),
        "{}",
        stderr(&out)
    );
    assert_eq!(ws.exported_ids(), ["ok"]);
}

/// Names with no a-z or 0-9 (another script, or only symbols) each get an
/// id of their own: one fallback for all of them lost every such post but
/// the first as a duplicate. So does `pmkb new` with such a title.
#[test]
fn posts_named_in_other_scripts_keep_an_id_each() {
    let ws = Workspace::empty();
    for name in ["сбой", "отказ", "障害", "ελληνικά"] {
        ws.write(
            &format!("{name}.md"),
            format!("# Outage {name}\n\n## Impact\n\nRequests timed out for an hour.\n"),
        );
    }
    ws.write(
        "journal.txt",
        "$ cat post/сбой-базы.md\nСбой базы\nThe Issue\nRequests timed out.\n$ cat post/отказ-диска.md\nОтказ диска\nThe Issue\nThe disk filled up.\n",
    );
    ws.write(
        "long.txt",
        format!(
            "$ cat post/{}.md\nLong slug\nThe Issue\nRequests timed out.\n",
            "a".repeat(5000)
        ),
    );
    let out = ws.run(&["import"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("duplicate id"), "{}", stderr(&out));
    let ids = ws.exported_ids();
    assert_eq!(ids.len(), 7, "{ids:?}");
    assert!(
        ids.iter().all(|id| !id.is_empty() && id.len() <= 200),
        "{ids:?}"
    );
    // The same names give the same ids in the next import.
    std::fs::remove_dir_all(ws.index()).unwrap();
    ws.run(&["import"]);
    assert_eq!(ws.exported_ids(), ids);

    let out = ws.run(&["new", "障害の報告"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let path = stdout(&out).trim().to_string();
    assert!(path.ends_with(".md") && !path.ends_with("-.md"), "{path}");
}

/// A post's escape sequences would be obeyed by the terminal (clear the
/// screen, retitle the window, a disguised link): the human output shows
/// them escaped; JSON escapes them as JSON does.
#[test]
fn escape_sequences_in_a_post_never_reach_the_terminal() {
    let ws = Workspace::empty();
    ws.write(
        "esc.md",
        "---\nid: esc-post\ntitle: \"Evil \\e]0;PWNED\\a title \\e[2J red\"\n---\n\n## Impact\n\nRequests timed out \u{1b}[31mRED\u{1b}[0m and \u{9b}6n here.\n",
    );
    assert!(ws.run(&["import"]).status.success());
    for args in [
        &["search", "timed"][..],
        &["show", "esc-post"][..],
        &["similar", "esc-post"][..],
        &["extract", ws.posts().join("esc.md").to_str().unwrap()][..],
    ] {
        let out = ws.run(args);
        let text = stdout(&out);
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}') && !text.contains('\u{9b}'),
            "{args:?}: {text:?}"
        );
    }
    let shown = stdout(&ws.run(&["search", "timed"]));
    assert!(shown.contains(r"\u{1b}]0;PWNED"), "{shown}");
    let json = json(&ws.run(&["search", "--json", "timed"]));
    assert!(json["hits"][0]["title"]
        .as_str()
        .unwrap()
        .contains('\u{1b}'));
}

/// Names that once mapped to one source (a backslash in a Unix file name
/// and a folder; bytes that are not UTF-8) made each import add another
/// copy of a post. And a classic Mac file, lines apart by CR alone, is read.
#[cfg(unix)]
#[test]
fn every_file_is_one_source_and_lone_carriage_returns_end_lines() {
    use std::os::unix::ffi::OsStrExt;
    let ws = Workspace::empty();
    ws.write(
        "a/b.md",
        "---\nid: real-dir\n---\n\n# Real dir\n\n## Impact\n\nRequests timed out.\n",
    );
    ws.write(
        "a\\b.md",
        "---\nid: back-slash\n---\n\n# Backslash\n\n## Impact\n\nThe disk filled up.\n",
    );
    let odd = ws.posts().join(std::ffi::OsStr::from_bytes(b"odd\xff.md"));
    std::fs::write(&odd, "# Odd\n\n## Impact\n\nRequests timed out.\n").unwrap();
    ws.write(
        "mac.md",
        "---\rid: classic-mac\rtitle: Classic Mac line endings\r---\r\r## Impact\r\rRequests timed out because the disk filled.\r",
    );
    for _ in 0..3 {
        let out = ws.run(&["import"]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let mut ids = ws.exported_ids();
    ids.sort();
    assert_eq!(ids, ["back-slash", "classic-mac", "real-dir"]);
    let out = ws.run(&["import"]);
    assert!(
        stderr(&out).contains("not valid UTF-8: rename it"),
        "{}",
        stderr(&out)
    );
    let mac = json(&ws.run(&["show", "--json", "classic-mac"]));
    assert_eq!(mac["title"], "Classic Mac line endings");
    assert_eq!(mac["symptoms"][0]["section"], "Impact", "{mac}");
    std::fs::remove_file(ws.posts().join("a\\b.md")).unwrap();
    ws.run(&["import"]);
    let found = json(&ws.run(&["search", "--json", "timed"]));
    let found: Vec<&str> = found["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        found.iter().filter(|id| **id == "real-dir").count(),
        1,
        "{found:?}"
    );
}

/// Front matter of the wrong kind (a list for a title, a mapping for
/// tags) is said, with its line, not silently changed.
#[test]
fn front_matter_of_the_wrong_kind_is_said_with_its_line() {
    let ws = Workspace::empty();
    ws.write(
        "t.md",
        "---\nid: t\ntitle: [First, Second]\ntags: {a: b}\nservices: [[a, b], web]\n---\n\n## Impact\n\nRequests timed out for an hour.\n",
    );
    let out = ws.run(&["import"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    for said in [
        "t.md:3: front matter `title` is a list, not one text; its first item, `First`, was used",
        "t.md:4: front matter `tags` is a mapping",
        "t.md:5: front matter `services` has 1 item(s) that are not text",
    ] {
        assert!(err.contains(said), "{said}\n{err}");
    }
    let record = json(&ws.run(&["show", "--json", "t"]));
    assert_eq!(record["title"], "First");
    assert_eq!(record["services"], serde_json::json!(["web"]));
}

/// A front-matter date that is no day (`2021-02-30`, `yesterday`) and
/// front matter never closed are said with their line; the posts are
/// imported all the same.
#[test]
fn front_matter_slips_are_said_with_their_line() {
    let ws = Workspace::empty();
    let post = |front: &str| format!("{front}\n## Impact\n\nRequests timed out for an hour.\n");
    ws.write(
        "feb.md",
        post("---\nid: feb\ntitle: Feb\ndate: 2021-02-30\n---\n"),
    );
    ws.write(
        "vague.md",
        post("---\nid: vague\ntitle: Vague\nstart_time: yesterday\n---\n"),
    );
    ws.write("open.md", post("\n---\nid: open\ntitle: Never closed\n"));
    ws.write(
        "rule.md",
        post("---\n\nA rule, then prose. Requests timed out.\n"),
    );
    ws.write("fine.md", post("---\nid: fine\ndate: 2020-02-29\n---\n"));
    let out = ws.run(&["import"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    for said in [
        "feb.md:4: front matter `date` `2021-02-30` is not a day of the calendar; the date was kept as 2021-02",
        "vague.md:4: front matter `start_time` `yesterday` is not a date",
        "open.md:2: front matter is never closed (no `---` line after its keys)",
    ] {
        assert!(err.contains(said), "{said}\n{err}");
    }
    for quiet in ["rule.md", "fine.md"] {
        assert!(!err.contains(quiet), "{quiet}\n{err}");
    }
    assert_eq!(json(&ws.run(&["show", "--json", "feb"]))["date"], "2021-02");
    assert_eq!(
        json(&ws.run(&["show", "--json", "fine"]))["date"],
        "2020-02-29"
    );
    let mut ids = ws.exported_ids();
    ids.sort();
    assert_eq!(ids.len(), 5, "{ids:?}");
}

/// Hugo's TOML front matter (`+++`) is read as YAML's is; broken, it is
/// said with its line, and the post imported without it.
#[test]
fn toml_front_matter_is_read() {
    let ws = Workspace::empty();
    ws.write(
        "t.md",
        "+++\nid = \"toml-post\"\ntitle = \"TOML post\"\ndate = 2021-03-04\ntags = [\"dns\", \"k8s\"]\n+++\n\n## Impact\n\nRequests timed out for an hour.\n",
    );
    ws.write(
        "b.md",
        "+++\ntitle = \"broken\n+++\n\n## Impact\n\nRequests timed out.\n",
    );
    let out = ws.run(&["import"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("b.md:2: front matter does not parse"),
        "{}",
        stderr(&out)
    );
    let record = json(&ws.run(&["show", "--json", "toml-post"]));
    assert_eq!(record["title"], "TOML post");
    assert_eq!(record["date"], "2021-03-04");
    assert_eq!(record["tags"], serde_json::json!(["dns", "k8s"]));
}

/// A transcript line meant as `$ cat post/<slug>.md` but malformed (a space
/// in the name, no name, indented, no `post/`) is kept as text and said
/// with its line; a post quoting such a command in its text is not warned.
#[test]
fn malformed_transcript_markers_are_said_with_their_line() {
    let ws = Workspace::empty();
    ws.write(
        "t.md",
        "$ cat post/first.md\nFirst outage\n\nRequests timed out for an hour.\n$ cat post/second outage.md\nSecond outage\n\nDisk filled up.\n$ cat post/\n  $ cat post/fourth\n$ cat notes.md\n$ cat /etc/hosts\n$ cat post/fifth.md\nFifth outage\n\nThe queue stalled.\n",
    );
    ws.write(
        "quote.md",
        "# Quoting a command\n\nWe ran this and it failed:\n$ cat post/other notes.md\nThe page timed out.\n",
    );
    let out = ws.run(&["import"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    for said in [
        "t.md:5: looks meant as a `$ cat post/<slug>.md` line but is not one (its file name has a space",
        "t.md:9: looks meant as a `$ cat post/<slug>.md` line but is not one (it names no post after `post/`)",
        "t.md:10: looks meant as a `$ cat post/<slug>.md` line but is not one (it is indented)",
        "t.md:11: looks meant as a `$ cat post/<slug>.md` line but is not one (its path does not start with `post/`)",
    ] {
        assert!(err.contains(said), "{said}\n{err}");
    }
    assert!(!err.contains("t.md:12"), "a command quoted: {err}");
    assert!(!err.contains("quote.md"), "{err}");
    let mut ids = ws.exported_ids();
    ids.sort();
    assert_eq!(ids, ["fifth", "first", "quote"]);
    // Nothing is lost: the malformed lines stay in the post they were in.
    let first = json(&ws.run(&["show", "--json", "first"]));
    let found = json(&ws.run(&["search", "--json", "disk filled"]));
    assert_eq!(found["hits"][0]["id"], "first", "{first}");
}
