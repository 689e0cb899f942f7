//! Operations vocabulary: words on-call engineers use for the same thing.
//! tantivy has no synonym support, so queries are expanded with this table.
//! One group a line; add to it freely — every phrase in a group stands for
//! every other.

pub const GROUPS: &[&[&str]] = &[
    &["timeout", "timeouts", "timed out", "timing out", "time out", "hang", "hangs", "hung", "hanging", "unresponsive", "not responding", "stuck"],
    &["oom", "out of memory", "oomkilled", "oom killed", "oom-killed", "memory exhaustion", "ran out of memory", "heap exhausted"],
    &["5xx", "500", "502", "503", "504", "bad gateway", "service unavailable", "internal server error", "gateway timeout"],
    &["slow", "slowness", "latency", "sluggish", "slowdown", "high latency", "long response times"],
    &["disk full", "no space left on device", "out of disk", "disk space", "enospc", "full disk", "disk filled"],
    &["cert", "certs", "certificate", "certificates", "tls", "ssl", "x509", "x.509"],
    &["k8s", "kubernetes", "kube"],
    &["db", "database", "databases"],
    &["pg", "postgres", "postgresql", "psql"],
    &["dns", "name resolution", "nxdomain", "resolver", "hostname lookup", "dns lookup"],
    &["crashloop", "crashloopbackoff", "restart loop", "crash loop", "restarting", "keeps restarting", "restarts"],
    &["pod", "pods", "container", "containers"],
    &["deploy", "deployment", "release", "rollout", "rolled out", "shipped"],
    &["rollback", "rolled back", "roll back", "revert", "reverted"],
    &["lag", "lagging", "behind", "delayed", "backlog"],
    &["leak", "leaking", "memory leak", "grows without bound", "unbounded growth"],
    &["network partition", "partition", "split brain", "netsplit", "lost connectivity"],
    &["rate limit", "rate limited", "throttle", "throttled", "throttling", "429", "slowdown"],
    &["auth", "authentication", "login", "log in", "logged out", "sign in", "401", "unauthorized"],
    &["clock skew", "clock drift", "time drift", "ntp", "skew"],
    &["outage", "downtime", "down", "unavailable", "offline"],
    &["too many open files", "file descriptor", "file descriptors", "ulimit", "nofile", "emfile"],
    &["gc", "garbage collection", "gc pause", "gc pauses", "stop the world"],
    &["cpu", "cpu usage", "processor", "100% cpu", "cpu pinned"],
    &["retry storm", "retries", "thundering herd", "stampede", "cascading failure"],
    &["queue", "queues", "queued", "backlog"],
    &["stale", "outdated", "old data", "stale reads", "replica lag"],
    &["pool exhaustion", "connection pool", "pool exhausted", "no connections available"],
    &["expired", "expiry", "expiration", "expire"],
    &["error", "errors", "failure", "failures", "failing", "exception", "exceptions"],
    &["spike", "surge", "burst", "traffic spike", "flood"],
    &["alert", "alerts", "paged", "page", "pager"],
    &["config", "configuration", "misconfiguration", "misconfigured", "settings"],
    &["lb", "load balancer", "elb", "alb", "haproxy"],
    &["cdn", "edge cache", "fastly", "cloudflare", "akamai"],
    &["replica", "replicas", "replication", "secondary"],
    &["lock", "locks", "locking", "lock contention", "deadlock", "blocked"],
];

/// The phrases of every group that contains `phrase` (lowercase words
/// separated by single spaces), other than the phrase itself.
pub fn alternatives(phrase: &str) -> Vec<&'static str> {
    let mut out = Vec::new();
    for group in GROUPS {
        if group.contains(&phrase) {
            for alt in group.iter().filter(|a| **a != phrase) {
                if !out.contains(alt) {
                    out.push(*alt);
                }
            }
        }
    }
    out
}

/// Longest phrase of the table starting at `words[start]`, in words.
pub fn longest_match(words: &[String], start: usize) -> Option<(usize, String)> {
    (1..=5.min(words.len() - start)).rev().find_map(|len| {
        let phrase = words[start..start + len].join(" ");
        GROUPS.iter().any(|g| g.contains(&phrase.as_str())).then_some((len, phrase))
    })
}
