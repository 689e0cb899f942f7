//! `pmkb import`, `search`, `show`, `export` and `similar` through the real
//! binary, on a copy of the bundled posts.

mod common;

use std::process::Stdio;
use std::time::Duration;

use common::*;
use serde_json::Value;

#[test]
fn intermittent_timeout_finds_the_timeout_incident_with_cause_and_fix() {
    let ws = Workspace::with_sample_posts();
    assert!(ws.run(&["import"]).status.success());

    let out = ws.run(&["search", "--json", "intermittent", "timeout"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let results = json(&out);
    assert_eq!(results["query"], "intermittent timeout");
    assert!(results["total"].as_u64().unwrap() >= 1);
    assert!(results["took_ms"].is_number());
    let first = &results["hits"][0];
    for key in [
        "id", "title", "date", "score", "symptoms", "causes", "fixes", "snippet",
    ] {
        assert!(!first[key].is_null(), "hit has no {key}: {first}");
    }
    let symptom = first["symptoms"][0].as_str().unwrap().to_lowercase();
    assert!(
        symptom.contains("timeout") || symptom.contains("timed out"),
        "{symptom}"
    );
    assert!(!first["causes"][0].as_str().unwrap().is_empty());
    assert!(!first["fixes"][0].as_str().unwrap().is_empty());
    assert!(first["snippet"].as_str().unwrap().contains("<mark>"));

    let human = stdout(&ws.run(&["search", "intermittent timeout"]));
    let title = first["title"].as_str().unwrap();
    assert!(human.starts_with(&format!("1. {title}")), "{human}");
    assert!(human.contains("symptom") && human.contains("cause") && human.contains("fix"));
}

#[test]
fn synonyms_typos_and_filters() {
    let ws = Workspace::with_sample_posts();
    ws.run(&["import"]);
    let top = |q: &str| -> Value { json(&ws.run(&["search", "--json", q]))["hits"][0].clone() };
    // "ran out of memory" never appears in the OOM post.
    let out = json(&ws.run(&["search", "--json", "--limit", "3", "ran out of memory"]));
    let ids: Vec<&str> = out["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"281fca5f-232d-4aa5-889e-24addccaecfb"),
        "{ids:?}"
    );
    // Words on-call people type for what posts spell out.
    for (typed, id) in [
        ("mem leak", "notes-2022-03-19-scores-ws-memory-leak"),
        ("elastic search red", "es-logs-cluster-red-disk-watermark"),
        (
            "fluentd buffer overflow",
            "es-logs-cluster-red-disk-watermark",
        ),
    ] {
        assert_eq!(top(typed)["id"], id, "{typed}");
    }
    // The fix shown is what was done, not the alert that watches for the
    // symptom next time, though only the alert names the query's words.
    let crashloop = top("pods restarting crashloopbackoff");
    assert_eq!(
        crashloop["id"],
        "notes-2022-09-08-ledger-api-crashloop-liveness"
    );
    let fix = crashloop["fixes"][0].as_str().unwrap();
    assert!(fix.contains("reverted the CPU limit"), "{fix}");
    // A typo still finds the certificate incident.
    let cert = top("certficate expird");
    assert!(
        cert["title"].as_str().unwrap().contains("certificate"),
        "{cert}"
    );
    // And says these hits are for near spellings, not the words typed.
    let typo = json(&ws.run(&["search", "--json", "certficate expird"]));
    assert_eq!(typo["near_spellings"], true);
    let typed = json(&ws.run(&["search", "--json", "certificate expired"]));
    assert_eq!(typed["near_spellings"], false);
    let human = stdout(&ws.run(&["search", "certficate", "expird"]));
    assert!(
        human.starts_with("no incident has some words of `certficate expird` as typed"),
        "{human}"
    );
    // A typo is corrected however much the other words find: `memroy`
    // is in no post, `leak` in several.
    let partly = json(&ws.run(&["search", "--json", "memroy leak"]));
    let right = json(&ws.run(&["search", "--json", "memory leak"]));
    assert_eq!(partly["near_spellings"], true);
    assert_eq!(partly["hits"][0]["id"], right["hits"][0]["id"], "{partly}");
    assert!(
        partly["total"].as_u64() > json(&ws.run(&["search", "--json", "leak"]))["total"].as_u64()
    );
    // A typo past where the word's stem ends ("replicaton" is four edits
    // from `replic`) is taken for the stem.
    let replica = json(&ws.run(&["search", "--json", "replicaton lag"]));
    assert_eq!(replica["near_spellings"], true, "{replica}");
    assert_eq!(
        replica["hits"][0]["id"], "mysql-replica-lag-stale-order-status",
        "{replica}"
    );
    // The word a typo was taken for brings its synonyms, as the word
    // typed right would: the rollback incident tells it as "roll back"
    // and "rolled back".
    let rollback = json(&ws.run(&["search", "--json", "rollbak"]));
    assert_eq!(
        rollback["hits"][0]["id"], "notes-2024-01-23-notification-config-typo-rollback",
        "{rollback}"
    );
    // Beside a word typed right, a typo one edit from a single word counts
    // as that word: the rollback ranks first, as for "rollback deploy".
    let typed = json(&ws.run(&["search", "--json", "rollbak deploy"]));
    let right = json(&ws.run(&["search", "--json", "rollback deploy"]));
    assert_eq!(right["hits"][0]["id"], rollback["hits"][0]["id"], "{right}");
    assert_eq!(typed["hits"][0]["id"], right["hits"][0]["id"], "{typed}");
    // The word a typo was taken for is marked where the hit says it, as
    // a word typed right would be.
    let snippet = typo["hits"][0]["snippet"].as_str().unwrap();
    assert!(snippet.contains("<mark>certificate"), "{snippet}");
    // Filters narrow the results.
    let k8s = json(&ws.run(&["search", "--json", "tech:kubernetes", "restarting"]));
    assert!(k8s["total"].as_u64().unwrap() >= 1);
    for hit in k8s["hits"].as_array().unwrap() {
        assert!(
            hit["technologies"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t == "Kubernetes"),
            "{hit}"
        );
    }
    let in_2020 = json(&ws.run(&["search", "--json", "year:2020", "error"]));
    for hit in in_2020["hits"].as_array().unwrap() {
        assert!(hit["date"].as_str().unwrap().starts_with("2020"), "{hit}");
    }
}

/// A hit whose title and findings say none of the query's words shows
/// the passage of the post that matched, as plain text.
#[test]
fn a_hit_matched_only_in_its_post_shows_the_passage() {
    let ws = Workspace::with_sample_posts();
    ws.run(&["import"]);
    let out = ws.run(&["search", "-n", "10", "clock", "drift", "ntp"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let hits: Vec<&str> = text.split("\n\n").collect();
    let with_passage: Vec<&&str> = hits
        .iter()
        .filter(|hit| hit.lines().any(|l| l.trim_start().starts_with("post ")))
        .collect();
    assert!(!with_passage.is_empty(), "{text}");
    for hit in with_passage {
        let (passage, rest): (Vec<&str>, Vec<&str>) = hit
            .lines()
            .partition(|l| l.trim_start().starts_with("post "));
        let passage = passage[0].to_lowercase();
        assert!(
            ["clock", "drift", "ntp"]
                .iter()
                .any(|w| passage.contains(w)),
            "{passage}"
        );
        assert!(
            !passage.contains("<mark>") && !passage.contains("&#39;"),
            "{passage}"
        );
        // Shown only when nothing else names the query.
        let rest = rest.join("\n").to_lowercase();
        assert!(!rest.contains("clock") && !rest.contains("ntp"), "{hit}");
    }
}

#[test]
fn bad_queries_get_a_clear_message_and_usage_exit_code() {
    let ws = Workspace::with_sample_posts();
    ws.run(&["import"]);
    for q in ["\"unbalanced", "cause:", "year:soon"] {
        let out = ws.run(&["search", q]);
        assert_eq!(out.status.code(), Some(2), "{q}");
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("bad query"), "{err}");
    }
    // A pasted hash is one word too long to be indexed: said so.
    let hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    let out = ws.run(&["search", hash]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not indexed"), "{}", stderr(&out));
    for args in [
        ["search", "-n", "0", "timeout"],
        ["search", "-n", "101", "timeout"],
        ["similar", "-n", "0", "pg-failover-connection-storm"],
    ] {
        let out = ws.run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = stderr(&out);
        assert!(err.contains("a whole number from 1 to 100"), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(&format!("`pmkb {} --help`", args[0])), "{err}");
    }
    // Punctuation alone is said to be that, not a word too long.
    for q in ["-", "*", "🔥"] {
        let err = stderr(&ws.run(&["search", "--", q]));
        assert!(err.contains("no letters or digits"), "{q}: {err}");
    }
    // A slip in a field's name would quietly search other words.
    let out = ws.run(&["search", "casue:leak"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("did you mean `cause:`"),
        "{}",
        stderr(&out)
    );
    // Quoted, the same text is searched as it is.
    assert!(ws.run(&["search", "\"casue:leak\""]).status.success());
}

#[test]
fn mistyped_command_lines_get_one_line_and_the_usage_exit_code() {
    let ws = Workspace::with_sample_posts();
    ws.run(&["import"]);
    for args in [
        &["serach", "timeout"][..],
        &["search"][..],
        &["search", "timeout", "-x"][..],
        &["export", "--format", "json"][..],
        &["show", "a", "b"][..],
        &["serve", "--addr", "localhost:nope"][..],
    ] {
        let out = ws.run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(
            err.starts_with("pmkb: ") && err.contains("--help`"),
            "{err}"
        );
    }
    // The tip clap has is kept, on the same line.
    let err = stderr(&ws.run(&["serach", "timeout"]));
    assert!(err.contains("'search'"), "{err}");
    let err = stderr(&ws.run(&["search"]));
    assert!(err.contains("<QUERY>"), "{err}");
    // Help is still help.
    let out = ws.run(&["search", "--help"]);
    assert!(out.status.success());
    assert!(stdout(&out).contains("QUERY SYNTAX"));
}

#[test]
fn words_can_be_left_out_and_field_names_written_as_notes_write_them() {
    let ws = Workspace::with_sample_posts();
    ws.run(&["import"]);
    let search = |args: &[&str]| -> Value {
        let mut all = vec!["search", "--json", "-n", "100", "--"];
        all.extend(args);
        let out = ws.run(&all);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        json(&out)
    };
    let ids = |results: &Value| -> Vec<String> {
        results["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["id"].as_str().unwrap().to_string())
            .collect()
    };
    let all = search(&["timeout"]);
    let checkout = "2021-06-18-checkout-pool-exhaustion".to_string();
    assert!(ids(&all).contains(&checkout), "{all}");
    // Quoted, a word is searched as it is, without synonyms: the posts
    // that say it.
    let mentions_checkout = ids(&search(&["\"checkout\""]));
    assert!(mentions_checkout.len() < ids(&search(&["checkout"])).len());
    for excluding in [
        &["timeout", "-checkout"][..],
        &["timeout", "NOT", "checkout"][..],
    ] {
        let left = search(excluding);
        let left_ids = ids(&left);
        assert!(!left_ids.is_empty(), "{excluding:?}");
        assert!(
            left_ids.iter().all(|id| !mentions_checkout.contains(id)),
            "{excluding:?}: {left_ids:?} vs {mentions_checkout:?}"
        );
        // Every hit of `timeout` that does not mention checkout stays.
        let kept = ids(&all)
            .into_iter()
            .filter(|id| !mentions_checkout.contains(id))
            .count();
        assert_eq!(
            left["total"].as_u64().unwrap() as usize,
            kept,
            "{excluding:?}"
        );
    }
    // A phrase can be left out; its words alone do not leave a post out.
    let pool = search(&["timeout", "-\"connection pool\""]);
    assert!(!ids(&pool).contains(&checkout), "{pool}");
    // AND/OR join words that are searched together anyway.
    assert_eq!(
        ids(&search(&["timeout", "AND", "disk"])),
        ids(&search(&["timeout", "disk"]))
    );
    // Leaving out is not a query by itself.
    let out = ws.run(&["search", "--", "-timeout"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("what to leave out"),
        "{}",
        stderr(&out)
    );
    // "cause: leak", as a note says it, is `cause:leak`.
    assert_eq!(
        ids(&search(&["cause:", "leak"])),
        ids(&search(&["cause:leak"]))
    );
    assert!(!ids(&search(&["cause:leak"])).is_empty());
    // A quoted phrase after a field is that phrase, in that field: every
    // hit's symptoms say it, words together (unquoted, any of its words
    // or their synonyms would do).
    for scoped in [
        &["symptom:\"no space left\""][..],
        &["symptom:", "\"no space left\""][..],
    ] {
        let phrase = search(scoped);
        assert!(phrase["total"].as_u64().unwrap() >= 1, "{phrase}");
        for hit in phrase["hits"].as_array().unwrap() {
            assert!(
                hit["symptoms"].as_array().unwrap().iter().any(|s| s
                    .as_str()
                    .unwrap()
                    .to_lowercase()
                    .contains("no space left")),
                "{scoped:?}: {hit}"
            );
        }
    }
}

#[test]
fn errors_are_one_line_said_once_and_a_closed_pipe_is_no_error() {
    let ws = Workspace::with_sample_posts();
    let missing = ws.posts().join("nowhere");
    let out = run(&missing, &ws.index(), &["import"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(err.matches("No such file or directory").count(), 1, "{err}");

    ws.run(&["import"]);
    for args in [&["export"][..], &["extract", "--json", "posts"][..]] {
        let mut args = args.to_vec();
        let posts = ws.posts();
        let listed: Vec<String>;
        if args[0] == "extract" {
            listed = std::fs::read_dir(&posts)
                .unwrap()
                .map(|e| e.unwrap().path().display().to_string())
                .collect();
            args.pop();
            args.extend(listed.iter().map(String::as_str));
        }
        // The reader is gone before pmkb writes a byte, as with `| head -0`.
        let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("pmkb"))
            .arg("--posts")
            .arg(&posts)
            .arg("--index")
            .arg(ws.index())
            .args(&args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut child = child;
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}: {}", args[0], stderr(&out));
        assert_eq!(stderr(&out), "", "{}", args[0]);
    }
}

#[test]
fn import_is_incremental() {
    let ws = Workspace::with_sample_posts();
    let first = stdout(&ws.run(&["import"]));
    assert!(first.contains("34 added"), "{first}");
    let again = stdout(&ws.run(&["import"]));
    assert!(
        again.contains("0 added, 0 updated, 0 removed, 34 unchanged"),
        "{again}"
    );
    assert!(again.contains("nothing changed"), "{again}");

    let post = ws.posts().join("2021-06-18-checkout-pool-exhaustion.md");
    let text = std::fs::read_to_string(&post).unwrap();
    std::fs::write(&post, text.replace("HikariCP", "HikariCP (the JDBC pool)")).unwrap();
    let edited = stdout(&ws.run(&["import"]));
    assert!(
        edited.contains("0 added, 1 updated, 0 removed, 33 unchanged"),
        "{edited}"
    );

    std::fs::remove_file(ws.posts().join("field-journal.txt")).unwrap();
    let removed = stdout(&ws.run(&["import"]));
    assert!(removed.contains("4 removed"), "{removed}");
    let ids: Vec<Value> = stdout(&ws.run(&["export"]))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(ids.len(), 30);
}

/// Posts that claim one id: the first in the walk of the posts directory
/// keeps it, whether the index is built at once or a post at a time (once,
/// an unchanged post kept its id against a new one that comes first, so the
/// index depended on the order the posts were written in).
#[test]
fn a_duplicate_id_goes_to_the_first_post_in_any_import() {
    let ws = Workspace::empty();
    let post = |id: &str, what: &str| {
        format!(
            "---\nid: {id}\ntitle: {what}\n---\n\nThe {what} queue stalled and jobs timed out.\n"
        )
    };
    ws.write("dup1.md", post("dup-one", "walrus"));
    ws.write("sub/dup2.md", post("DUP One", "narwhal"));
    ws.write("other.md", post("other", "okapi"));
    let first = ws.run(&["import"]);
    assert!(
        stderr(&first)
            .contains("sub/dup2.md:1: duplicate id `dup-one` (already used by dup1.md:1)"),
        "{}",
        stderr(&first)
    );
    ws.write("a-dup.md", post("dup-one", "beluga"));
    let second = ws.run(&["import"]);
    let messages = stderr(&second);
    assert!(second.status.success(), "{messages}");
    for skipped in ["dup1.md:1", "sub/dup2.md:1"] {
        let line = messages
            .lines()
            .find(|l| l.contains(skipped))
            .unwrap_or_else(|| panic!("{skipped} not reported:\n{messages}"));
        assert!(
            line.contains("duplicate id `dup-one` (already used by a-dup.md:1)"),
            "{line}"
        );
    }
    assert_eq!(messages.lines().count(), 2, "{messages}");
    let export = |index: &std::path::Path| -> Vec<(String, String)> {
        stdout(&run(&ws.posts(), index, &["export"]))
            .lines()
            .map(|l| {
                let record: Value = serde_json::from_str(l).unwrap();
                (record["id"].to_string(), record["title"].to_string())
            })
            .collect()
    };
    let incremental = export(&ws.index());
    assert!(
        incremental.contains(&("\"dup-one\"".into(), "\"beluga\"".into())),
        "{incremental:?}"
    );
    let fresh_dir = ws.index().with_extension("fresh");
    let fresh = run(&ws.posts(), &fresh_dir, &["import"]);
    assert_eq!(
        stderr(&fresh),
        messages,
        "the same posts skipped, for the same reason"
    );
    assert_eq!(export(&fresh_dir), incremental);

    // The post that lost its id is read again by the next import (its
    // file is unchanged) and still loses it; nothing else changes.
    let third = ws.run(&["import"]);
    assert_eq!(stderr(&third), messages);
    assert!(
        stdout(&third).contains("0 added, 0 updated, 0 removed, 2 unchanged, 2 skipped"),
        "{}",
        stdout(&third)
    );
    assert_eq!(export(&ws.index()), incremental);
}

/// The manifest files beside the index.
fn manifest_files(ws: &Workspace) -> Vec<String> {
    std::fs::read_dir(ws.index())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("pmkb-manifest-"))
        .collect()
}

#[test]
fn the_manifest_lives_beside_the_index_and_a_lost_one_is_rebuilt() {
    let ws = Workspace::with_sample_posts();
    assert!(ws.run(&["import"]).status.success());
    // tantivy parses meta.json on every open: the posts are not in it.
    let meta = std::fs::read_to_string(ws.index().join("meta.json")).unwrap();
    assert!(!meta.contains("checkout-pool-exhaustion"), "{meta}");
    let first = manifest_files(&ws);
    assert_eq!(first.len(), 1, "{first:?}");

    // A commit replaces the manifest and removes the one before.
    let post = ws.posts().join("2021-06-18-checkout-pool-exhaustion.md");
    let text = std::fs::read_to_string(&post).unwrap();
    std::fs::write(&post, text.replace("HikariCP", "HikariCP (the JDBC pool)")).unwrap();
    let edited = stdout(&ws.run(&["import"]));
    assert!(edited.contains("1 updated"), "{edited}");
    let second = manifest_files(&ws);
    assert_eq!(second.len(), 1, "{second:?}");
    assert_ne!(first, second);

    // Damaged, then missing: one warning, and every post indexed once.
    for damage in ["truncate", "remove"] {
        let path = ws.index().join(&manifest_files(&ws)[0]);
        match damage {
            "truncate" => std::fs::write(&path, "{").unwrap(),
            _ => std::fs::remove_file(&path).unwrap(),
        }
        let out = ws.run(&["import"]);
        assert!(out.status.success(), "{}", stderr(&out));
        let err = stderr(&out);
        let warning: Vec<&str> = err
            .lines()
            .filter(|l| l.contains("pmkb-manifest-"))
            .collect();
        assert_eq!(warning.len(), 1, "{damage}: {err}");
        assert!(warning[0].contains("indexing every post again"), "{err}");
        let exported = stdout(&ws.run(&["export"]));
        assert_eq!(exported.lines().count(), 34, "{damage}: no incident twice");
        let again = stdout(&ws.run(&["import"]));
        assert!(again.contains("nothing changed"), "{damage}: {again}");
    }
}

#[test]
fn show_export_similar() {
    let ws = Workspace::with_sample_posts();
    ws.run(&["import"]);
    let id = "pg-failover-connection-storm";
    let record = json(&ws.run(&["show", "--json", id]));
    assert_eq!(record["id"], id);
    assert_eq!(
        record["source"],
        "2018-03-14-postgres-failover-connection-storm.md"
    );
    assert_eq!(record["line"], 1);
    // `extract` of the post's file, given by its path, says what the index holds.
    let file = ws
        .posts()
        .join("2018-03-14-postgres-failover-connection-storm.md");
    let extracted = json(&ws.run(&["extract", "--json", file.to_str().unwrap()]));
    assert_eq!(extracted[0], record);
    // An id as typed (say, copied from a file name) is normalised as ids are.
    let typed = json(&ws.run(&["show", "--json", "PG Failover Connection-Storm"]));
    assert_eq!(typed, record);

    let missing = ws.run(&["show", "no-such-incident"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(stderr(&missing).contains("no incident with id `no-such-incident`"));

    let lines = stdout(&ws.run(&["export", "--format", "jsonl"]));
    assert_eq!(lines.lines().count(), 34);
    let exported: Value =
        serde_json::from_str(lines.lines().find(|l| l.contains(id)).unwrap()).unwrap();
    assert_eq!(exported, record);

    let similar = json(&ws.run(&["similar", "--json", "--limit", "3", id]));
    assert_eq!(similar["id"], id);
    let hits = similar["hits"].as_array().unwrap();
    assert!(!hits.is_empty() && hits.len() <= 3);
    assert!(hits.iter().all(|h| h["id"] != id));
}

#[test]
fn missing_or_corrupt_index_says_what_to_run() {
    let ws = Workspace::with_sample_posts();
    let out = ws.run(&["search", "timeout"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("pmkb import"), "{err}");

    std::fs::create_dir_all(ws.index()).unwrap();
    std::fs::write(ws.index().join("meta.json"), "{ not json").unwrap();
    let out = ws.run(&["search", "timeout"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    // Not "run pmkb import": with nothing of pmkb's beside it, import
    // leaves it alone, and search says so too.
    assert!(err.contains("not pmkb's"), "{err}");

    // A folder with nothing of pmkb's in it is not pmkb's to clear.
    let out = ws.run(&["import"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("not pmkb's"), "{err}");
    let meta = std::fs::read_to_string(ws.index().join("meta.json")).unwrap();
    assert_eq!(meta, "{ not json");

    // pmkb's own index, damaged: what the message says to run rebuilds it.
    std::fs::remove_file(ws.index().join("meta.json")).unwrap();
    assert!(ws.run(&["import"]).status.success());
    std::fs::write(ws.index().join("meta.json"), "{ not json").unwrap();
    let out = ws.run(&["search", "timeout"]);
    assert!(stderr(&out).contains("pmkb import"), "{}", stderr(&out));
    let out = ws.run(&["import"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("indexing every post again"),
        "{}",
        stderr(&out)
    );
    assert_eq!(stdout(&ws.run(&["export"])).lines().count(), 34);
}

/// Writes a tantivy index with the given text fields and one document;
/// returns how many files the folder then holds.
fn foreign_index(dir: &std::path::Path, fields: &[&str]) -> usize {
    use tantivy::schema::{Schema, STORED, TEXT};
    std::fs::create_dir_all(dir).unwrap();
    let mut schema = Schema::builder();
    let made: Vec<_> = fields
        .iter()
        .map(|name| schema.add_text_field(name, TEXT | STORED))
        .collect();
    let index = tantivy::Index::create_in_dir(dir, schema.build()).unwrap();
    let mut writer: tantivy::IndexWriter = index.writer(15_000_000).unwrap();
    writer
        .add_document(tantivy::doc!(made[0] => "an incident of another format"))
        .unwrap();
    writer.commit().unwrap();
    drop(writer);
    std::fs::read_dir(dir).unwrap().count()
}

/// An index of another program is refused, and left as it was.
#[test]
fn an_index_pmkb_did_not_build_is_left_alone() {
    let ws = Workspace::with_sample_posts();
    let files = foreign_index(&ws.index(), &["title", "body"]);
    let meta = std::fs::read_to_string(ws.index().join("meta.json")).unwrap();
    for command in [&["import"][..], &["search", "timeout"][..]] {
        let out = ws.run(command);
        assert_eq!(out.status.code(), Some(1), "{command:?}");
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("not pmkb's"), "{err}");
    }
    assert_eq!(std::fs::read_dir(ws.index()).unwrap().count(), files);
    let after = std::fs::read_to_string(ws.index().join("meta.json")).unwrap();
    assert_eq!(after, meta);

    // One that cannot be read at all, and no pmkb file beside it: search
    // gives the advice import would, not "run import", which refuses.
    let garbage = tempfile::tempdir().unwrap();
    std::fs::write(garbage.path().join("meta.json"), "garbage\n").unwrap();
    // And a file where the index folder would be.
    let file = garbage.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    for (index, says) in [
        (garbage.path(), "not pmkb's"),
        (file.as_path(), "a file, not a folder"),
    ] {
        for command in [&["import"][..], &["search", "timeout"][..]] {
            let out = run(&ws.posts(), index, command);
            assert_eq!(out.status.code(), Some(1), "{command:?}");
            let err = stderr(&out);
            assert!(
                err.contains(says) && !err.contains("run `pmkb import`"),
                "{err}"
            );
        }
    }
}

/// An index whose fields are not this version's, as an older or newer
/// pmkb would leave it.
#[test]
fn an_index_of_another_version_is_rebuilt_by_the_next_import() {
    let ws = Workspace::with_sample_posts();
    // Fields of pmkb's but not all of them, as an older version had.
    let old_files = foreign_index(&ws.index(), &["title", "symptoms", "record"]);
    assert!(old_files > 3);

    let out = ws.run(&["search", "timeout"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("another version of pmkb"),
        "{}",
        stderr(&out)
    );

    let out = ws.run(&["import"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let warnings: Vec<String> = stderr(&out)
        .lines()
        .filter(|l| l.contains("another version"))
        .map(String::from)
        .collect();
    assert_eq!(warnings.len(), 1, "{}", stderr(&out));
    assert!(warnings[0].contains("indexing every post again"));
    assert!(stdout(&out).contains("34 added"), "{}", stdout(&out));
    let found = json(&ws.run(&["search", "--json", "intermittent timeout"]));
    assert!(found["total"].as_u64().unwrap() > 0, "{found}");

    // Only the new index's files are left: each segment file is one the
    // new meta.json names.
    let meta = std::fs::read_to_string(ws.index().join("meta.json")).unwrap();
    for entry in std::fs::read_dir(ws.index()).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if let Some((segment, _)) = name.split_once('.').filter(|(s, _)| s.len() == 32) {
            let id = format!(
                "{}-{}-{}-{}-{}",
                &segment[..8],
                &segment[8..12],
                &segment[12..16],
                &segment[16..20],
                &segment[20..]
            );
            assert!(meta.contains(&id), "{name} is left from the old index");
        }
    }
    let again = stdout(&ws.run(&["import"]));
    assert!(again.contains("nothing changed"), "{again}");
}

/// Writes `n` distinct posts, big enough that an import takes a while.
fn many_posts(ws: &Workspace, n: usize, variant: &str) {
    for i in 0..n {
        let body = format!(
            "---\nid: load-{i}\ntitle: Incident {i} {variant}\ndate: 2021-01-{:02}\n---\n\n## Impact\n\nRequests to service-{i} timed out for {i} minutes and users saw 502 errors.\n\n## Root Cause\n\nThe connection pool of service-{i} was exhausted because of a leak {variant}.\n\n## Resolution\n\nWe restarted service-{i} and raised the pool size.\n",
            i % 28 + 1
        );
        ws.write(&format!("load/{i:05}.md"), body);
    }
}

#[test]
fn killed_import_leaves_a_working_index_and_the_next_import_completes() {
    let ws = Workspace::empty();
    many_posts(&ws, 1500, "first");
    assert!(ws.run(&["import"]).status.success());
    many_posts(&ws, 1500, "second");
    let binary = assert_cmd::cargo::cargo_bin("pmkb");
    for (round, delay_ms) in [5u64, 40, 120, 300].into_iter().enumerate() {
        let mut child = std::process::Command::new(&binary)
            .arg("--posts")
            .arg(ws.posts())
            .arg("--index")
            .arg(ws.index())
            .arg("import")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill(); // SIGKILL on Unix
        let _ = child.wait();
        let out = ws.run(&["search", "--json", "leak"]);
        assert!(out.status.success(), "round {round}: {}", stderr(&out));
        let total = json(&out)["total"].as_u64().unwrap();
        assert_eq!(
            total, 1500,
            "round {round}: every incident is there, old or new"
        );
    }
    let finished = ws.run(&["import"]);
    assert!(finished.status.success(), "{}", stderr(&finished));
    let export = stdout(&ws.run(&["export"]));
    assert_eq!(export.lines().count(), 1500);
    assert!(
        export.lines().all(|l| l.contains("second")),
        "the next import brings every post up to date"
    );
    let again = stdout(&ws.run(&["import"]));
    assert!(again.contains("nothing changed"), "{again}");
}

#[test]
fn similar_incidents_are_alike_in_what_failed_not_in_whose_they_were() {
    let ws = Workspace::with_sample_posts();
    // The company's name is in every sentence of its two posts, which
    // share nothing else; another company's post has the same failure.
    ws.write("zanzibar-waf.md", r#"---
id: zanzibar-waf-regex
title: Zanzibar edge outage on May 3
company: Zanzibar
product: Zanzibar Edge Firewall
keywords:
- regex
- backtracking
---

On May 3 Zanzibar's edge returned 502 errors to every Zanzibar customer for 27 minutes, and CPU on all Zanzibar edge machines was at 100%.

The root cause was a new Zanzibar firewall rule whose regular expression caused catastrophic backtracking on Zanzibar's edge.

Zanzibar engineers removed the rule and Zanzibar traffic recovered.
"#);
    ws.write("zanzibar-mail.md", r#"---
id: zanzibar-duplicate-invoices
title: Zanzibar sent every invoice twice
company: Zanzibar
product: Zanzibar Billing
---

On June 9 every Zanzibar customer got two copies of the Zanzibar monthly invoice, and Zanzibar support was flooded with tickets.

The root cause was a retry loop in the Zanzibar mailer that resent Zanzibar invoices after a slow SMTP reply.

Zanzibar engineers made the mailer idempotent.
"#);
    ws.write("quokka.md", r#"---
id: quokka-markdown-regex
title: Comment pages pegged the web tier
company: Quokka
keywords:
- regex
- backtracking
---

For 40 minutes the web tier served 502 errors and its CPU sat at 100%.

The root cause was a regular expression in the comment renderer with catastrophic backtracking on a long line of whitespace.

We replaced the regular expression with a plain string scan.
"#);
    assert!(ws.run(&["import"]).status.success());
    let out = ws.run(&["similar", "--json", "-n", "10", "zanzibar-waf-regex"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let ids: Vec<String> = json(&out)["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect();
    let rank = |id: &str| ids.iter().position(|x| x == id).unwrap_or(usize::MAX);
    assert!(rank("quokka-markdown-regex") < 3, "{ids:?}");
    assert!(
        rank("quokka-markdown-regex") < rank("zanzibar-duplicate-invoices"),
        "{ids:?}"
    );
}

#[test]
fn an_empty_posts_folder_is_said_to_be_empty_not_unchanged() {
    let ws = Workspace::empty();
    let out = ws.run(&["import"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("warning: no posts"),
        "{}",
        stderr(&out)
    );
    let out = ws.run(&["search", "timeout"]);
    assert!(
        stdout(&out).contains("the index is empty"),
        "{}",
        stdout(&out)
    );
    ws.write(
        "one.md",
        "# One\n\n## Impact\n\nRequests timed out for an hour.\n",
    );
    let out = ws.run(&["import"]);
    assert!(!stderr(&out).contains("no posts"), "{}", stderr(&out));
    let out = ws.run(&["search", "timeout"]);
    assert!(
        stdout(&out).contains("1 of 1 incident in"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn show_and_similar_take_a_post_file_or_the_start_of_an_id() {
    let ws = Workspace::with_sample_posts();
    ws.run(&["import"]);
    let id = "pg-failover-connection-storm";
    for given in [
        "2018-03-14-postgres-failover-connection-storm.md",
        "posts/2018-03-14-postgres-failover-connection-storm.md",
        "pg-failover",
    ] {
        let out = ws.run(&["show", "--json", given]);
        assert!(out.status.success(), "{given}: {}", stderr(&out));
        assert_eq!(json(&out)["id"], id, "{given}");
        let out = ws.run(&["similar", "--json", given]);
        assert_eq!(json(&out)["id"], id, "{given}");
    }
    // Several fit: they are named, none is picked.
    let out = ws.run(&["show", "2"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("fits several incidents")
            && err.contains("`2021-06-18-checkout-pool-exhaustion`"),
        "{err}"
    );
    assert_eq!(ws.run(&["show", "nope"]).status.code(), Some(1));
}

/// A pasted error code that no post has ("ECONNRESET") finds the post whose
/// body has what it stands for ("connection reset by peer" in a timeline).
#[test]
fn an_error_code_no_post_has_finds_what_it_stands_for() {
    let ws = Workspace::empty();
    ws.write(
        "gw.md",
        "---\nid: gateway-resets\ntitle: Partner gateway dropped calls\n---\n\n## Impact\n\nPartner calls failed for forty minutes.\n\n## Timeline\n\n- 10:02 the proxy logged `read: connection reset by peer` for partner calls.\n\n## Root Cause\n\nThe conntrack table on the gateway hosts was full.\n\n## Resolution\n\nWe raised nf_conntrack_max on every host.\n",
    );
    ws.write(
        "other.md",
        "---\nid: other\ntitle: Disk filled\n---\n\n## Impact\n\nWrites failed for an hour.\n",
    );
    ws.run(&["import"]);
    let record = json(&ws.run(&["show", "--json", "gateway-resets"]));
    assert!(
        !record["symptoms"].to_string().contains("reset"),
        "the phrase is in the body only: {record}"
    );
    let found = json(&ws.run(&["search", "--json", "ECONNRESET"]));
    assert_eq!(found["total"], 1, "{found}");
    assert_eq!(found["hits"][0]["id"], "gateway-resets");
}

/// An error code as programs print it (an errno name) finds the post that
/// says what it means, for each code of the table: one post per meaning,
/// each saying it only in a timeline line of its body.
#[test]
fn errno_names_find_what_they_mean() {
    let ws = Workspace::empty();
    let meanings = [
        (
            "ECONNREFUSED",
            "refused",
            "the worker logged `connect() failed: Connection refused` for every job",
        ),
        (
            "EADDRINUSE",
            "addr-in-use",
            "the new process exited with `bind: address already in use` on port 8080",
        ),
        (
            "EACCES",
            "denied",
            "the agent logged `open /var/run/app.sock: permission denied` and stopped",
        ),
        (
            "EPIPE",
            "pipe",
            "the exporter logged `write: broken pipe` while streaming results",
        ),
        (
            "EHOSTUNREACH",
            "unreachable",
            "the replica logged `no route to host` for the primary's address",
        ),
        (
            "ENOMEM",
            "nomem",
            "the fork failed with `cannot allocate memory` during the nightly dump",
        ),
    ];
    for (_, id, line) in &meanings {
        ws.write(
            &format!("{id}.md"),
            format!(
                "---\nid: {id}\ntitle: Jobs stopped for an hour\n---\n\n## Impact\n\nJobs stopped for an hour.\n\n## Timeline\n\n- 10:02 {line}.\n\n## Root Cause\n\nA setting changed in the last release.\n\n## Resolution\n\nWe rolled the release back.\n"
            ),
        );
    }
    ws.run(&["import"]);
    for (code, id, _) in &meanings {
        let found = json(&ws.run(&["search", "--json", code]));
        assert_eq!(found["hits"][0]["id"], *id, "{code}: {found}");
        // Lowercase, as typed in a hurry, the same.
        let lower = json(&ws.run(&["search", "--json", &code.to_lowercase()]));
        assert_eq!(lower["hits"][0]["id"], *id, "{code}: {lower}");
    }
}
