//! The systems an incident involved, from a table of well-known products.
//! A product named only in scene-setting ("Dropbox's launch was in the
//! news") is not counted: `extract` passes only sentences that carry the
//! story.

use std::sync::LazyLock;

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
    // The table is compiled into the program; it always builds.
    let automaton = AhoCorasick::builder()
        .kind(Some(AhoCorasickKind::DFA))
        .build(&patterns)
        .expect("technology aliases are valid patterns");
    Matcher { automaton, rows }
}

static INSENSITIVE: LazyLock<Matcher> = LazyLock::new(|| matcher(false));
static SENSITIVE: LazyLock<Matcher> = LazyLock::new(|| matcher(true));

/// Rows of the table named as whole words in `haystack`.
fn rows_in(haystack: &str, matcher: &Matcher, found: &mut [bool]) {
    for m in matcher.automaton.find_overlapping_iter(haystack) {
        let before = haystack[..m.start()].chars().next_back();
        let after = haystack[m.end()..].chars().next();
        if !before.is_some_and(is_word_char) && !after.is_some_and(is_word_char) {
            found[matcher.rows[m.pattern().as_usize()]] = true;
        }
    }
}

/// Technologies named in `text`, by canonical name, in table order.
pub fn mentioned(text: &str) -> Vec<&'static str> {
    let mut found = vec![false; TECHNOLOGIES.len()];
    rows_in(&text.to_lowercase(), &INSENSITIVE, &mut found);
    rows_in(text, &SENSITIVE, &mut found);
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
}
