//! The systems an incident involved, from a table of well-known products.
//! A product named only in scene-setting ("Dropbox's launch was in the
//! news") is not counted: `extract` passes only sentences that carry the
//! story.

use std::collections::HashMap;
use std::sync::LazyLock;

use foldhash::fast::RandomState;

use aho_corasick::{AhoCorasick, AhoCorasickKind};

/// (canonical name, aliases matched case-insensitively as whole words,
/// aliases matched case-sensitively because they are also common words).
const TECHNOLOGIES: &[(&str, &[&str], &[&str])] = &[
    ("Amazon EC2", &["ec2"], &[]),
    ("Amazon S3", &["s3"], &[]),
    ("Amazon RDS", &["rds"], &[]),
    ("Amazon SQS", &["sqs"], &[]),
    ("Amazon DynamoDB", &["dynamodb"], &[]),
    ("Amazon CloudFront", &["cloudfront"], &[]),
    ("Amazon Route 53", &["route 53", "route53"], &[]),
    ("AWS Lambda", &["aws lambda"], &["Lambda"]),
    ("AWS ELB", &["elb", "alb", "nlb"], &[]),
    ("AWS", &["aws", "amazon web services"], &[]),
    ("Google Cloud", &["gcp", "google cloud"], &[]),
    ("BigQuery", &["bigquery"], &[]),
    ("Azure", &["azure"], &[]),
    ("Apache", &["apache", "httpd"], &[]),
    ("Nginx", &["nginx"], &[]),
    ("HAProxy", &["haproxy"], &[]),
    ("Envoy", &["envoy proxy"], &["Envoy"]),
    ("Istio", &["istio"], &[]),
    ("Traefik", &["traefik"], &[]),
    ("Varnish", &["varnish"], &[]),
    ("Cloudflare", &["cloudflare"], &[]),
    ("Fastly", &["fastly"], &[]),
    ("Akamai", &["akamai"], &[]),
    ("Django", &["django"], &[]),
    ("Ruby on Rails", &["ruby on rails"], &["Rails"]),
    ("Flask", &["flask"], &[]),
    ("Spring Boot", &["spring boot"], &[]),
    ("Node.js", &["node.js", "nodejs"], &["Node"]),
    ("Java", &["jvm", "openjdk"], &["Java"]),
    ("Go", &["golang"], &[]),
    ("Python", &["python"], &[]),
    ("PHP", &["php"], &[]),
    ("Ruby", &[], &["Ruby"]),
    ("Gunicorn", &["gunicorn"], &[]),
    ("uWSGI", &["uwsgi"], &[]),
    ("Puma", &[], &["Puma"]),
    ("Tomcat", &["tomcat"], &[]),
    ("MySQL", &["mysql"], &[]),
    ("PostgreSQL", &["postgresql", "postgres"], &[]),
    ("PgBouncer", &["pgbouncer"], &[]),
    ("MongoDB", &["mongodb", "mongo"], &[]),
    ("Cassandra", &["cassandra"], &[]),
    ("Redis", &["redis"], &[]),
    ("Memcached", &["memcached", "memcache"], &[]),
    ("Elasticsearch", &["elasticsearch"], &[]),
    ("OpenSearch", &["opensearch"], &[]),
    ("ClickHouse", &["clickhouse"], &[]),
    ("SQLite", &["sqlite"], &[]),
    ("Kafka", &["kafka"], &[]),
    ("RabbitMQ", &["rabbitmq"], &[]),
    ("ZooKeeper", &["zookeeper"], &[]),
    ("etcd", &["etcd"], &[]),
    ("Consul", &[], &["Consul"]),
    ("Vault", &["hashicorp vault"], &["Vault"]),
    (
        "Kubernetes",
        &["kubernetes", "k8s", "kubelet", "kubectl"],
        &[],
    ),
    ("CoreDNS", &["coredns"], &[]),
    ("Docker", &["docker"], &[]),
    ("containerd", &["containerd"], &[]),
    ("Helm", &[], &["Helm"]),
    ("Terraform", &["terraform"], &[]),
    ("Ansible", &["ansible"], &[]),
    ("Chef", &[], &["Chef"]),
    ("Puppet", &[], &["Puppet"]),
    ("Jenkins", &["jenkins"], &[]),
    ("GitHub Actions", &["github actions"], &[]),
    ("GitHub", &["github"], &[]),
    ("GitLab", &["gitlab"], &[]),
    ("Argo CD", &["argocd", "argo cd"], &[]),
    ("Prometheus", &["prometheus"], &[]),
    ("Grafana", &["grafana"], &[]),
    ("Datadog", &["datadog"], &[]),
    ("PagerDuty", &["pagerduty"], &[]),
    ("Sentry", &["sentry"], &[]),
    ("Splunk", &["splunk"], &[]),
    ("Logstash", &["logstash"], &[]),
    ("Kibana", &["kibana"], &[]),
    ("Fluentd", &["fluentd", "fluent bit", "fluent-bit"], &[]),
    ("OpenTelemetry", &["opentelemetry"], &[]),
    ("Sidekiq", &["sidekiq"], &[]),
    ("Celery", &["celery"], &[]),
    ("Spark", &["apache spark"], &["Spark"]),
    ("Hadoop", &["hadoop", "hdfs"], &[]),
    ("gRPC", &["grpc"], &[]),
    ("Linux", &["linux"], &[]),
    ("systemd", &["systemd"], &[]),
    ("NTP", &["ntp", "ntpd", "chrony", "chronyd"], &[]),
    ("OpenSSL", &["openssl"], &[]),
    (
        "Let's Encrypt",
        &["let's encrypt", "letsencrypt", "certbot"],
        &[],
    ),
    ("cert-manager", &["cert-manager"], &[]),
    ("Heroku", &["heroku"], &[]),
    ("Vagrant", &["vagrant"], &[]),
    ("OpenStack", &["openstack"], &[]),
    ("Salesforce", &["salesforce"], &[]),
    ("Dropbox", &["dropbox"], &[]),
    ("Stripe", &["stripe"], &[]),
    ("Twilio", &["twilio"], &[]),
    ("SendGrid", &["sendgrid"], &[]),
    ("Postfix", &["postfix"], &[]),
    ("Kinesis", &["kinesis"], &[]),
    ("Snowflake", &[], &["Snowflake"]),
    ("Airflow", &["airflow"], &[]),
    ("Hibernate", &["hibernate"], &[]),
    ("GraphQL", &["graphql"], &[]),
    ("Keycloak", &["keycloak"], &[]),
    ("Calico", &["calico"], &[]),
    ("iptables", &["iptables", "conntrack"], &[]),
];

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Every alias of the table in one automaton (one for the aliases matched
/// in lowercase, one for those matched as written), each pattern mapped
/// back to its row: one pass over a sentence finds them all.
struct Matcher {
    automaton: AhoCorasick,
    rows: Vec<usize>,
}

fn matcher(case_sensitive: bool) -> Matcher {
    let mut patterns = Vec::new();
    let mut rows = Vec::new();
    for (row, (_, insensitive, sensitive)) in TECHNOLOGIES.iter().enumerate() {
        for alias in if case_sensitive {
            *sensitive
        } else {
            *insensitive
        } {
            patterns.push(*alias);
            rows.push(row);
        }
    }
    Matcher {
        automaton: build(&patterns),
        rows,
    }
}

fn build<P: AsRef<[u8]>>(patterns: &[P]) -> AhoCorasick {
    // The table is compiled into the program; it always builds.
    // No prefilter: an overlapping search falls back to the start state
    // at nearly every word, and asking the prefilter there cost more than
    // it skipped (extraction took 9% longer with it, `bench_extract`).
    AhoCorasick::builder()
        .kind(Some(AhoCorasickKind::DFA))
        .prefilter(false)
        .build(patterns)
        .expect("technology aliases are valid patterns")
}

static INSENSITIVE: LazyLock<Matcher> = LazyLock::new(|| matcher(false));
static SENSITIVE: LazyLock<Matcher> = LazyLock::new(|| matcher(true));

/// Every alias in lowercase, by its first word, for ASCII text: there
/// the lowercase has the offsets of the text as written, so an alias
/// matched as written is checked against the text at the same place, and
/// one pass does the work of two. Every alias starts with a word
/// character, so a whole-word mention starts where a word of the text
/// does, with the alias's first word: one lookup per word of the text.
/// An automaton over every alias walked the text a byte at a time through
/// tables bigger than the core's cache: 11% of `bench_extract`'s samples.
struct Lowered {
    /// First word of an alias → the aliases (lowercase) that start with it.
    by_first_word: HashMap<String, Vec<usize>, RandomState>,
    /// Which pairs of first two bytes start a first word (see
    /// `first_two`), a bit each, and the longest first word: most words
    /// of a text are passed over without a lookup (the first byte alone
    /// let through a word of nearly any letter).
    starts: Box<[u64; 1024]>,
    longest_first_word: usize,
    /// The aliases, lowercase, and per alias: (row, the alias as written
    /// when case matters).
    aliases: Vec<(String, Vec<Owner>)>,
}

/// A row of the table an alias names, and the alias as written when
/// case matters.
type Owner = (usize, Option<&'static str>);

static LOWERED: LazyLock<Lowered> = LazyLock::new(|| {
    let mut aliases: Vec<(String, Vec<Owner>)> = Vec::new();
    for (row, (_, insensitive, sensitive)) in TECHNOLOGIES.iter().enumerate() {
        let all = insensitive
            .iter()
            .map(|alias| (alias.to_string(), None))
            .chain(
                sensitive
                    .iter()
                    .map(|alias| (alias.to_lowercase(), Some(*alias))),
            );
        for (pattern, written) in all {
            match aliases.iter_mut().find(|(p, _)| *p == pattern) {
                Some((_, owners)) => owners.push((row, written)),
                None => aliases.push((pattern, vec![(row, written)])),
            }
        }
    }
    let mut by_first_word: HashMap<String, Vec<usize>, RandomState> = HashMap::default();
    let mut starts = Box::new([0u64; 1024]);
    let mut longest_first_word = 0;
    for (id, (pattern, _)) in aliases.iter().enumerate() {
        let first = pattern
            .split(|c: char| !is_word_char(c))
            .next()
            .unwrap_or(pattern);
        by_first_word.entry(first.to_string()).or_default().push(id);
        if !first.is_empty() {
            let pair = first_two(first.as_bytes());
            starts[pair / 64] |= 1 << (pair % 64);
        }
        longest_first_word = longest_first_word.max(first.len());
    }
    Lowered {
        by_first_word,
        starts,
        longest_first_word,
        aliases,
    }
});

/// `is_word_char` for ASCII, by table: the scan asks it of every byte.
static ASCII_WORD_BYTE: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        table[byte] = b.is_ascii_alphanumeric() || b == b'_';
        byte += 1;
    }
    table
};

fn is_ascii_word_byte(byte: u8) -> bool {
    ASCII_WORD_BYTE[usize::from(byte)]
}

/// A word's first two bytes as one number (the second zero for a word of
/// one byte).
fn first_two(word: &[u8]) -> usize {
    usize::from(word[0]) << 8 | usize::from(word.get(1).copied().unwrap_or(0))
}

/// Rows of the table named as whole words in the ASCII `text`, given its
/// lowercase.
fn rows_in_ascii(text: &str, lower: &str, found: &mut [bool]) {
    let all = &*LOWERED;
    let bytes = lower.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        if !is_ascii_word_byte(bytes[at]) {
            at += 1;
            continue;
        }
        let end = bytes[at..]
            .iter()
            .position(|&b| !is_ascii_word_byte(b))
            .map_or(bytes.len(), |n| at + n);
        let pair = first_two(&bytes[at..end]);
        let candidate =
            all.starts[pair / 64] & (1 << (pair % 64)) != 0 && end - at <= all.longest_first_word;
        if let Some(ids) = candidate
            .then(|| all.by_first_word.get(&lower[at..end]))
            .flatten()
        {
            for &id in ids {
                let (pattern, owners) = &all.aliases[id];
                let after = at + pattern.len();
                if !lower[at..].starts_with(pattern.as_str())
                    || bytes.get(after).is_some_and(|&b| is_ascii_word_byte(b))
                {
                    continue;
                }
                for &(row, written) in owners {
                    if written.is_none_or(|alias| text.get(at..after) == Some(alias)) {
                        found[row] = true;
                    }
                }
            }
        }
        at = end;
    }
}

fn whole_word(haystack: &str, start: usize, end: usize) -> bool {
    let before = haystack[..start].chars().next_back();
    let after = haystack[end..].chars().next();
    !before.is_some_and(is_word_char) && !after.is_some_and(is_word_char)
}

/// Rows of the table named as whole words in `haystack`.
fn rows_in(haystack: &str, matcher: &Matcher, found: &mut [bool]) {
    for m in matcher.automaton.find_overlapping_iter(haystack) {
        if whole_word(haystack, m.start(), m.end()) {
            found[matcher.rows[m.pattern().as_usize()]] = true;
        }
    }
}

/// Technologies named in `text`, by canonical name, in table order.
pub fn mentioned(text: &str) -> Vec<&'static str> {
    mentioned_lowered(text, &text.to_lowercase())
}

/// `mentioned`, for a text whose lowercase (`lower`) is at hand.
pub fn mentioned_lowered(text: &str, lower: &str) -> Vec<&'static str> {
    let mut found = vec![false; TECHNOLOGIES.len()];
    if text.is_ascii() && lower.len() == text.len() {
        rows_in_ascii(text, lower, &mut found);
    } else {
        rows_in(lower, &INSENSITIVE, &mut found);
        rows_in(text, &SENSITIVE, &mut found);
    }
    TECHNOLOGIES
        .iter()
        .zip(found)
        .filter(|(_, hit)| *hit)
        .map(|((name, _, _), _)| *name)
        .collect()
}

/// The canonical name of a technology given by a user (`tech:k8s`).
pub fn canonical(name: &str) -> Option<&'static str> {
    let lower = name.to_lowercase();
    TECHNOLOGIES
        .iter()
        .find(|(canonical, insensitive, sensitive)| {
            canonical.to_lowercase() == lower
                || insensitive.contains(&lower.as_str())
                || sensitive.iter().any(|s| s.to_lowercase() == lower)
        })
        .map(|(c, _, _)| *c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_whole_words_only() {
        assert_eq!(
            mentioned("Our app uses Apache, Django, and MySQL on EC2 instances."),
            ["Amazon EC2", "Apache", "Django", "MySQL"]
        );
        assert!(mentioned("we redistributed the load").is_empty());
        assert!(mentioned("a chef cooked").is_empty());
        assert_eq!(mentioned("k8s nodes"), ["Kubernetes"]);
        assert_eq!(canonical("k8s"), Some("Kubernetes"));
    }

    /// One scan of the lowercase finds what a scan of the lowercase and a
    /// scan of the text as written find, on every sentence of the sample
    /// posts and the public corpus and on every alias in several cases.
    #[test]
    fn one_scan_finds_what_two_find() {
        let two_scans = |text: &str| {
            let mut found = vec![false; TECHNOLOGIES.len()];
            rows_in(&text.to_lowercase(), &INSENSITIVE, &mut found);
            rows_in(text, &SENSITIVE, &mut found);
            found
        };
        let one_scan = |text: &str| {
            let names = mentioned_lowered(text, &text.to_lowercase());
            TECHNOLOGIES
                .iter()
                .map(|(name, _, _)| names.contains(name))
                .collect::<Vec<_>>()
        };
        let mut texts: Vec<String> = crate::sample_texts(true)
            .iter()
            .flat_map(|text| text.split(['.', '\n']).map(str::to_string))
            .collect();
        for (_, insensitive, sensitive) in TECHNOLOGIES {
            for alias in insensitive.iter().chain(sensitive.iter()) {
                for form in [
                    alias.to_string(),
                    alias.to_uppercase(),
                    alias.to_lowercase(),
                ] {
                    texts.push(format!("we ran {form}, then x{form}"));
                }
            }
        }
        let mut hits = 0;
        for text in texts.iter().filter(|t| t.is_ascii()) {
            let expected = two_scans(text);
            assert_eq!(one_scan(text), expected, "{text:?}");
            hits += expected.iter().filter(|&&hit| hit).count();
        }
        assert!(hits > 500, "{hits} technologies found");
    }
}
