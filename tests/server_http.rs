//! The real `pmkb serve` on an ephemeral port, driven over HTTP: every
//! route, the error cases, hostile posts, and live reload after an import.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;

struct Server(RunningServer);

impl std::ops::Deref for Server {
    type Target = RunningServer;
    fn deref(&self) -> &RunningServer {
        &self.0
    }
}

impl std::ops::DerefMut for Server {
    fn deref_mut(&mut self) -> &mut RunningServer {
        &mut self.0
    }
}

impl Server {
    fn start(ws: &Workspace) -> Server {
        Server(ws.serve(&[]))
    }

    /// Status, the value of `header`, and the body.
    fn request(&self, path: &str, header: &str) -> (u16, String, String) {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let mut response = agent
            .get(&format!("{}{}", self.base, path))
            .call()
            .expect("request");
        let status = response.status().as_u16();
        let value = response
            .headers()
            .get(header)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let body = response.body_mut().read_to_string().unwrap_or_default();
        (status, value, body)
    }

    fn get(&self, path: &str) -> (u16, String, String) {
        self.request(path, "content-type")
    }

    /// The body as JSON and whether the search cache answered.
    fn cached_json(&self, path: &str) -> (Value, String) {
        let (status, cache, body) = self.request(path, "x-pmkb-cache");
        assert_eq!(status, 200, "{path}: {body}");
        (serde_json::from_str(&body).unwrap(), cache)
    }

    fn json(&self, path: &str) -> (u16, Value) {
        let (status, content_type, body) = self.get(path);
        assert!(
            content_type.starts_with("application/json"),
            "{path}: {content_type}"
        );
        (status, serde_json::from_str(&body).unwrap())
    }
}

const HOSTILE: &str = "---\nid: hostile\ntitle: Hostile <script>alert('title')</script> post\n---\n\n## Impact\n\nRequests failed with errors <script>alert(1)</script> for an hour.\n\n<img src=x onerror=\"alert(2)\">\n\n[details](javascript:alert(3))\n\n## Root Cause\n\nA bad config was pushed.\n";

#[test]
fn every_route_and_its_errors() {
    let ws = Workspace::with_sample_posts();
    ws.write("hostile.md", HOSTILE);
    let server = Server::start(&ws); // imports first: there is no index yet

    assert_eq!(server.get("/healthz").0, 200);
    assert_eq!(server.get("/healthz").2, "ok");

    let (status, content_type, home) = server.get("/");
    assert_eq!(status, 200);
    assert!(content_type.starts_with("text/html"));
    assert!(
        home.contains(r#"<label class="visually-hidden" for="q">"#),
        "the search box has a label"
    );
    assert!(home.contains("35 incidents indexed"), "{home}");

    let (status, _, page) = server.get("/?q=intermittent+timeout");
    assert_eq!(status, 200);
    // Titles are highlighted too.
    assert!(page.contains(
        "<mark>Intermittent</mark> checkout <mark>timeouts</mark> from database connection pool exhaustion"
    ), "{page}");
    assert!(page.contains("<mark>"), "query words are highlighted");
    assert!(page.contains("Technology"), "filters with counts");
    assert!(
        page.contains("href=\"/api/search?q=intermittent+timeout\""),
        "the footer's JSON link answers the query on the page: {page}"
    );
    // A hit that none of its findings explains shows the passage that matched.
    let (_, _, clocks) = server.get("/?q=clock+drift+ntp");
    let passage = clocks
        .split("<dd class=\"passage\">")
        .nth(1)
        .and_then(|rest| rest.split("</dd>").next())
        .unwrap_or_default();
    assert!(passage.contains("<mark>"), "{clocks}");
    // Every chip on a card searches for its filter.
    let (_, _, tagged) = server.get("/?q=tag:failover");
    assert!(
        tagged.contains("<a class=\"chip\" href=\"/?q=tag%3A%22failover%22\">#failover</a>"),
        "{tagged}"
    );

    let (status, _, empty) = server.get("/?q=zqxjv+wvkpq");
    assert_eq!(status, 200);
    assert!(empty.contains("No incidents match"), "{empty}");

    let (status, _, bad) = server.get("/?q=%22unbalanced");
    assert_eq!(status, 400);
    assert!(bad.contains("unbalanced quote"));
    assert!(
        bad.contains(r#"value="&quot;unbalanced""#),
        "the query stays in the box to be corrected: {bad}"
    );
    let (_, _, no_value) = server.get("/?q=tech:");
    assert!(
        no_value.contains("<code>tech:</code>"),
        "what to type is shown as code, not between backticks: {no_value}"
    );

    // Past the last page: said, with the way back.
    let (status, _, past) = server.get("/?q=timeout&page=99");
    assert_eq!(status, 200);
    assert!(past.contains("Page 99 is past the last page"), "{past}");
    assert!(
        past.contains("&amp;page=2\""),
        "a link to the last page: {past}"
    );
    // An active filter's link takes it off again.
    let (_, _, filtered) = server.get("/?q=timeout+tech:kubernetes");
    let active = filtered
        .split("aria-current=\"true\"")
        .next()
        .and_then(|before| before.rsplit("href=\"").next())
        .and_then(|href| href.split('"').next())
        .unwrap_or_default();
    assert_eq!(active, "/?q=timeout", "{filtered}");

    let (status, results) = server.json("/api/search?q=intermittent+timeout&limit=2");
    assert_eq!(status, 200);
    assert_eq!(results["query"], "intermittent timeout");
    assert!(results["hits"].as_array().unwrap().len() <= 2);
    assert_eq!(
        results["hits"][0]["id"],
        "2021-06-18-checkout-pool-exhaustion"
    );
    for path in [
        "/api/search",
        "/api/search?q=",
        "/api/search?q=x&limit=-1",
        "/api/search?q=x&limit=1000000000",
        "/api/search?q=x&limit=abc",
        "/api/search?q=%22x",
        "/api/search?q=x&offset=-3",
    ] {
        let (status, body) = server.json(path);
        assert_eq!(status, 400, "{path}");
        assert!(body["error"].is_string(), "{path}: {body}");
    }

    let (status, record) = server.json("/api/incidents/pg-failover-connection-storm");
    assert_eq!(status, 200);
    assert_eq!(record["id"], "pg-failover-connection-storm");
    let (status, missing) = server.json("/api/incidents/nope");
    assert_eq!(status, 404);
    assert!(missing["error"].as_str().unwrap().contains("nope"));
    let (status, similar) =
        server.json("/api/incidents/pg-failover-connection-storm/similar?limit=2");
    assert_eq!(status, 200);
    assert_eq!(similar["id"], "pg-failover-connection-storm");
    assert!(similar["hits"].as_array().unwrap().len() <= 2);
    assert_eq!(server.json("/api/incidents/nope/similar").0, 404);
    // Ids are compared as the import normalised them, in any case.
    let (status, record) = server.json("/api/incidents/PG-Failover-Connection-Storm");
    assert_eq!(status, 200);
    assert_eq!(record["id"], "pg-failover-connection-storm");
    let (status, similar) = server.json("/api/incidents/PG-Failover-Connection-Storm/similar");
    assert_eq!(status, 200);
    assert!(
        similar["hits"]
            .as_array()
            .unwrap()
            .iter()
            .all(|hit| hit["id"] != "pg-failover-connection-storm"),
        "an incident is not similar to itself: {similar}"
    );
    // Every answer under /api is JSON, the router's and axum's own included.
    for (path, want) in [
        ("/api/incidents/%FF", 400),
        ("/api/incidents/%FF/similar", 400),
        ("/api/search?q=%FF", 400),
        ("/api/incidents", 404),
        ("/api/incidents/", 404),
        ("/api/nope", 404),
    ] {
        let (status, body) = server.json(path);
        assert_eq!(status, want, "{path}");
        assert!(body["error"].is_string(), "{path}: {body}");
    }
    // Those the router answers itself too: a method other than GET.
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let answers = [
        agent
            .post(&format!("{}/api/search?q=x", server.base))
            .send(""),
        agent
            .delete(&format!("{}/api/incidents/x", server.base))
            .call(),
    ];
    for (answer, want) in answers.into_iter().zip([405, 405]) {
        let mut answer = answer.expect("request");
        assert_eq!(answer.status().as_u16(), want);
        let body: Value =
            serde_json::from_str(&answer.body_mut().read_to_string().unwrap()).unwrap();
        assert!(body["error"].is_string(), "{body}");
    }
    let (status, content_type, _) = server.get("/incidents/%FF");
    assert_eq!(status, 400);
    assert!(content_type.starts_with("text/html"), "{content_type}");

    let (status, _, incident) = server.get("/incidents/2021-06-18-checkout-pool-exhaustion");
    assert_eq!(status, 200);
    assert!(incident.contains("Original post") && incident.contains("Similar incidents"));
    assert!(
        incident.contains("href=\"#L"),
        "findings link to their lines"
    );
    assert!(incident.contains("id=\"L"), "the post has line anchors");
    // Every finding's link lands on its line, code lines included.
    let ids: Vec<String> = ws.exported_ids();
    for id in &ids {
        let (_, _, page) = server.get(&format!("/incidents/{id}"));
        assert!(
            !page.contains("title=\" · line"),
            "{id}: a finding's place names an empty section"
        );
        for link in page.split("href=\"#L").skip(1) {
            let line = link.split('"').next().unwrap();
            assert!(
                page.contains(&format!("id=\"L{line}\"")),
                "{id}: a finding links to #L{line}, which the page lacks"
            );
        }
    }
    let (status, content_type, source) =
        server.get("/incidents/2021-06-18-checkout-pool-exhaustion/source");
    assert_eq!(status, 200);
    assert!(content_type.starts_with("text/plain"));
    assert!(source.starts_with("---\nid: 2021-06-18-checkout-pool-exhaustion"));

    for path in [
        "/incidents/nope",
        "/incidents/..%2F..%2Fetc%2Fpasswd",
        "/incidents/%2e%2e/source",
        "/no/such/page",
    ] {
        let (status, _, body) = server.get(path);
        assert_eq!(status, 404, "{path}");
        assert!(!body.contains("root:x:0"), "{path}");
    }
}

#[test]
fn hostile_posts_never_run_in_the_page() {
    let ws = Workspace::empty();
    ws.write("hostile.md", HOSTILE);
    let server = Server::start(&ws);
    let (status, _, page) = server.get("/incidents/hostile");
    assert_eq!(status, 200);
    let post = page
        .split("Original post</h2>")
        .nth(1)
        .and_then(|rest| rest.split("</section>").next())
        .unwrap();
    assert!(!post.contains("<script"), "{post}");
    // Raw HTML is shown as the text it is, never as a tag.
    assert!(!post.contains("<img"), "{post}");
    assert!(post.contains("&lt;img src=x onerror"), "{post}");
    assert!(!post.contains("javascript:"), "{post}");
    assert!(
        page.contains("Hostile &lt;script&gt;"),
        "the title is shown as text"
    );
    let (_, _, results) = server.get("/?q=errors");
    assert!(!results.contains("<script>alert"), "{results}");

    // The second lock: pages allow no inline script, and no response may
    // be sniffed into another type.
    for path in [
        "/",
        "/?q=errors",
        "/incidents/hostile",
        "/api/search?q=errors",
    ] {
        let (_, policy, _) = server.request(path, "content-security-policy");
        let directives: Vec<&str> = policy.split(';').map(str::trim).collect();
        assert!(
            directives.contains(&"script-src 'self'"),
            "{path}: {policy:?}"
        );
        assert!(
            directives.contains(&"default-src 'none'"),
            "{path}: {policy:?}"
        );
        let (_, sniff, _) = server.request(path, "x-content-type-options");
        assert_eq!(sniff, "nosniff", "{path}");
    }
    let (_, source_sniff, _) =
        server.request("/incidents/hostile/source", "x-content-type-options");
    assert_eq!(source_sniff, "nosniff");
    // Every script and style the page has is a file the policy allows.
    let scripts: Vec<&str> = page.split("<script").skip(1).collect();
    assert_eq!(scripts.len(), 1, "{page}");
    let src = scripts[0]
        .split("src=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the script is a file");
    assert!(
        scripts[0].contains("></script>"),
        "nothing inline: {}",
        scripts[0]
    );
    assert!(!page.contains("<style"), "no inline style block");
    let (status, content_type, script) = server.get(src);
    assert_eq!(
        (status, content_type.as_str()),
        (200, "text/javascript; charset=utf-8")
    );
    assert!(script.contains("replaceState"), "{script}");
    let (_, cache, _) = server.request(src, "cache-control");
    assert!(cache.contains("immutable"), "{cache}");
    let css = page
        .split("rel=\"stylesheet\" href=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a stylesheet");
    let (status, content_type, style) = server.get(css);
    assert_eq!(
        (status, content_type.as_str()),
        (200, "text/css; charset=utf-8")
    );
    assert!(style.contains("font"), "{style}");
    assert_eq!(server.get("/assets/other.js").0, 404);
}

#[test]
fn a_running_server_sees_a_new_import_within_a_second() {
    let ws = Workspace::with_sample_posts();
    assert!(ws.run(&["import"]).status.success());
    let server = Server::start(&ws);
    assert_eq!(server.json("/api/search?q=quasar+zebrafish").1["total"], 0);

    ws.write("new.md", "---\nid: quasar\ntitle: Quasar zebrafish outage\n---\n\n## Impact\n\nThe quasar zebrafish gateway returned 503 errors for an hour.\n");
    assert!(ws.run(&["import"]).status.success());
    let imported = Instant::now();
    loop {
        let (status, body) = server.json("/api/search?q=quasar+zebrafish");
        assert_eq!(status, 200, "no request fails while the index changes");
        if body["total"] == 1 {
            break;
        }
        assert!(
            imported.elapsed() < Duration::from_millis(1500),
            "not visible {:?} after the import",
            imported.elapsed()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    eprintln!("visible {:?} after the import", imported.elapsed());
}

/// A GET over a bare connection, with one extra request header: (the
/// response's headers, its body with any chunking undone). The client the
/// other tests use cannot ask for gzip.
fn raw_get(base: &str, path: &str, header: &str) -> (String, Vec<u8>) {
    use std::io::{Read, Write};
    let addr = base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: x\r\n{header}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("end of headers");
    let headers = String::from_utf8_lossy(&response[..split]).into_owned();
    let mut rest = &response[split + 4..];
    if !headers
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        return (headers, rest.to_vec());
    }
    let mut body = Vec::new();
    loop {
        let line_end = rest
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("chunk size");
        let size =
            usize::from_str_radix(std::str::from_utf8(&rest[..line_end]).unwrap().trim(), 16)
                .expect("hex chunk size");
        rest = &rest[line_end + 2..];
        if size == 0 {
            return (headers, body);
        }
        body.extend_from_slice(&rest[..size]);
        rest = &rest[size + 2..];
    }
}

/// Browsers and load tools ask for gzip; what they unpack must be the
/// answer a client without it gets (the compressor is chosen for speed).
#[test]
fn gzipped_answers_unpack_to_the_plain_ones() {
    let ws = Workspace::with_sample_posts();
    assert!(ws.run(&["import"]).status.success());
    let server = Server::start(&ws);
    for path in [
        "/api/search?q=connection+pool+exhausted&limit=10",
        "/?q=disk+full",
    ] {
        let (headers, packed) = raw_get(&server.base, path, "Accept-Encoding: gzip");
        assert!(
            headers
                .to_ascii_lowercase()
                .contains("content-encoding: gzip"),
            "{path}: {headers}"
        );
        let mut unpacked = String::new();
        std::io::Read::read_to_string(
            &mut flate2::read::GzDecoder::new(&packed[..]),
            &mut unpacked,
        )
        .expect("valid gzip");
        let (status, _, plain) = server.get(path);
        assert_eq!(status, 200);
        assert!(
            packed.len() * 4 < plain.len() * 3,
            "{path}: {} of {} bytes",
            packed.len(),
            plain.len()
        );
        // Searches time themselves; everything else must be the same.
        let without_time = |body: &str| {
            body.split(['\n', ','])
                .filter(|part| !part.contains("took_ms") && !part.contains(" ms"))
                .collect::<Vec<_>>()
                .join(",")
        };
        assert_eq!(without_time(&unpacked), without_time(&plain), "{path}");
    }
}

#[test]
fn repeated_searches_come_from_the_cache_until_the_index_changes() {
    let ws = Workspace::with_sample_posts();
    assert!(ws.run(&["import"]).status.success());
    let server = Server::start(&ws);
    let path = "/api/search?q=connection+pool+exhausted&limit=3";
    let (first, cache) = server.cached_json(path);
    assert_eq!(cache, "miss");
    let (second, cache) = server.cached_json(path);
    assert_eq!(cache, "hit");
    assert_eq!(first["hits"], second["hits"]);
    assert_eq!(first["total"], second["total"]);
    assert!(first["total"].as_u64().unwrap() > 0);
    // Another page is another question.
    assert_eq!(server.cached_json(&format!("{path}&offset=3")).1, "miss");
    // Long answers are not kept.
    let long = "/api/search?q=connection+pool+exhausted&limit=100";
    assert_eq!(server.cached_json(long).1, "miss");
    assert_eq!(server.cached_json(long).1, "miss");

    ws.write("pool.md", "---\nid: pool-again\ntitle: Connection pool exhausted again\n---\n\n## Impact\n\nCheckout requests failed because the connection pool was exhausted.\n");
    assert!(ws.run(&["import"]).status.success());
    let imported = Instant::now();
    loop {
        let (body, cache) = server.cached_json(path);
        if body["total"].as_u64() > first["total"].as_u64() {
            assert_eq!(cache, "miss", "a new index is searched afresh");
            break;
        }
        assert!(
            imported.elapsed() < Duration::from_millis(1500),
            "stale answer after the import"
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    let uncached = Server(ws.serve(&["--cache-size", "0"]));
    assert_eq!(uncached.cached_json(path).1, "miss");
    assert_eq!(uncached.cached_json(path).1, "miss");
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_the_server_cleanly() {
    let ws = Workspace::with_sample_posts();
    let mut server = Server::start(&ws);
    assert_eq!(server.get("/healthz").0, 200);
    let pid = server.child.id().to_string();
    assert!(Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap()
        .success());
    let started = Instant::now();
    loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            assert!(status.success(), "{status:?}");
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "still running after Ctrl-C"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_slow_client_is_cut_off_and_others_are_served_meanwhile() {
    use std::io::{Read, Write};
    let ws = Workspace::with_sample_posts();
    let server = Server::start(&ws);
    let addr = server.base.trim_start_matches("http://").to_string();
    let mut slow = std::net::TcpStream::connect(&addr).unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .unwrap(); // and never finishes
    slow.set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    assert_eq!(
        server.get("/healthz").0,
        200,
        "others are served while a client stalls"
    );
    let started = Instant::now();
    let mut buffer = [0u8; 512];
    let closed = match slow.read(&mut buffer) {
        Ok(n) => n == 0 || String::from_utf8_lossy(&buffer[..n]).contains("408"),
        Err(e) => {
            e.kind() != std::io::ErrorKind::WouldBlock && e.kind() != std::io::ErrorKind::TimedOut
        }
    };
    assert!(closed, "the stalled connection is closed");
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "closed after {:?}",
        started.elapsed()
    );
}
