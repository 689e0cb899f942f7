//! The systems an incident involved, from a table of well-known products.
//! A product named only in scene-setting ("Dropbox's launch was in the
//! news") is not counted: `extract` passes only sentences that carry the
//! story.

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

/// Whole-word occurrence of `needle` in `haystack`.
fn has_word(haystack: &str, needle: &str) -> bool {
    haystack.match_indices(needle).any(|(at, _)| {
        let before = haystack[..at].chars().next_back();
        let after = haystack[at + needle.len()..].chars().next();
        !before.is_some_and(is_word_char) && !after.is_some_and(is_word_char)
    })
}

/// Technologies named in `text`, by canonical name.
pub fn mentioned(text: &str) -> Vec<&'static str> {
    let lower = text.to_lowercase();
    TECHNOLOGIES
        .iter()
        .filter(|(_, insensitive, sensitive)| {
            insensitive.iter().any(|a| has_word(&lower, a))
                || sensitive.iter().any(|a| has_word(text, a))
        })
        .map(|(name, _, _)| *name)
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
