//! Configuration (PL-5): defaults, then a TOML file, then `OPENPSP_*` environment
//! variables. Secrets are generated into the data directory on first start.

use rand::RngCore;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// SMTP relay for outgoing mail; without it mail stays in the outbox. Its `Debug`
/// leaves the password out.
#[derive(Clone, Default, Deserialize, PartialEq, Eq)]
pub struct SmtpConfig {
    /// Relay host.
    pub host: String,
    /// Relay port (587 STARTTLS by default).
    #[serde(default = "default_smtp_port")]
    pub port: u16,
    /// Login, if the relay needs one.
    #[serde(default)]
    pub username: Option<String>,
    /// Password, if the relay needs one.
    #[serde(default)]
    pub password: Option<String>,
    /// `starttls` (default), `tls` (implicit, port 465) or `none` (a local relay).
    #[serde(default = "default_smtp_tls")]
    pub tls: String,
}

fn default_smtp_tls() -> String {
    "starttls".to_owned()
}

fn default_smtp_port() -> u16 {
    587
}

/// The running configuration.
/// Its `Debug` leaves the keys and the database password out.
#[derive(Clone)]
pub struct Config {
    /// HTTP listen address (`OPENPSP_LISTEN`).
    pub listen: String,
    /// Project key of support ticket references (`OPENPSP_SUPPORT_PROJECT_KEY`, default
    /// `UCSUP`: `UCSUP-10183`).
    pub support_project_key: String,
    /// Card terminals' TCP listen address (`OPENPSP_TERMINAL_LISTEN`, default
    /// `0.0.0.0:9000`); `None` when set to `off`.
    pub terminal_listen: Option<String>,
    /// Where Prometheus scrapes `/metrics` (`OPENPSP_METRICS_LISTEN`, e.g.
    /// `127.0.0.1:9464`); unset: no metrics endpoint. Never on the public listener: the
    /// figures tell a merchant's volumes.
    pub metrics_listen: Option<String>,
    /// The built site (`LEPTOS_SITE_ROOT`, as cargo-leptos names it): its `pkg` folder
    /// holds the browser's code and style. Unset: Leptos's default, `target/site`.
    pub site_root: Option<PathBuf>,
    /// Data directory: SQLite file, secrets (`OPENPSP_DATA_DIR`).
    pub data_dir: PathBuf,
    /// Database URL (`DATABASE_URL`): `sqlite://…` or `postgres://…`.
    pub database_url: String,
    /// Public base URL used in e-mailed links (`OPENPSP_PUBLIC_URL`).
    pub public_url: String,
    /// API environment name: sandbox, preprod or production (`OPENPSP_ENVIRONMENT`).
    pub environment_name: String,
    /// Cluster: world, europe or india (`OPENPSP_CLUSTER`).
    pub cluster: String,
    /// The other clusters' base URLs (`OPENPSP_CLUSTER_URLS`, `world=https://…,india=…`).
    pub cluster_urls: Vec<(String, String)>,
    /// This deployment is a generic endpoint (`OPENPSP_GENERIC_ENDPOINT=on`): an API call
    /// for a merchant homed in another cluster is passed to that cluster.
    pub generic_endpoint: bool,
    /// The development mailbox at `/dev/mailbox` (`OPENPSP_DEV_MAILBOX=on`; off by
    /// default, and always off in production): it shows every queued mail, reset links
    /// and sign-in codes included, to anyone who can reach the server.
    pub dev_mailbox: bool,
    /// Sender address of outgoing mail (`OPENPSP_MAIL_FROM`).
    pub mail_from: String,
    /// SMTP relay (`OPENPSP_SMTP_HOST`, `_PORT`, `_USERNAME`, `_PASSWORD`).
    pub smtp: Option<SmtpConfig>,
    /// Idle time after which a session ends (PCI DSS 8.2.8: 15 minutes).
    pub session_idle_seconds: i64,
    /// Failed logins before a user is locked.
    pub max_failed_logins: i32,
    /// How long a lock lasts.
    pub lockout_seconds: i64,
    /// Login attempts allowed per client address per minute.
    pub login_rate_per_minute: u32,
    /// How long a password-reset link works.
    pub reset_token_ttl_seconds: i64,
    /// Session cookie signing key, 64 bytes.
    pub session_key: Vec<u8>,
    /// Data-encryption key (AES-256), 32 bytes.
    pub data_key: Vec<u8>,
    /// Absolute session lifetime, however active the user is
    /// (`OPENPSP_SESSION_MAX_SECONDS`, default 12 hours).
    pub session_max_seconds: i64,
    /// Whether webhook endpoints (and any other outbound call a merchant can point
    /// somewhere) may reach loopback, private, link-local or CGNAT addresses
    /// (`OPENPSP_WEBHOOK_ALLOW_PRIVATE=on`; off by default, for local development only).
    pub webhook_allow_private: bool,
    /// Whether API keys and their merchants are kept in memory between API calls on
    /// PostgreSQL (`OPENPSP_API_KEY_CACHE`, on by default; see `direct::key_cache`):
    /// `off` reads them from the database for every call.
    pub api_key_cache: bool,
    /// Networks card terminals may connect from (`OPENPSP_TERMINAL_ALLOW`, a
    /// comma-separated list such as `10.0.0.0/8,192.168.1.0/24`); empty allows any.
    pub terminal_allow: Vec<ipnet::IpNet>,
    /// Most simultaneous terminal connections (`OPENPSP_TERMINAL_MAX_CONNECTIONS`,
    /// default 2,000); further ones are closed at once.
    pub terminal_max_connections: usize,
    /// IP-to-country database for fraud rules (`OPENPSP_GEOIP_DB`, a MaxMind DB file),
    /// read once at start; `None`: IP-country rules are shown as unavailable.
    pub geoip: Option<std::sync::Arc<super::geoip::GeoIp>>,
}

/// What a config file may set; every field optional.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<String>,
    support_project_key: Option<String>,
    terminal_listen: Option<String>,
    metrics_listen: Option<String>,
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    public_url: Option<String>,
    environment: Option<String>,
    cluster: Option<String>,
    cluster_urls: Option<String>,
    generic_endpoint: Option<String>,
    dev_mailbox: Option<String>,
    mail_from: Option<String>,
    smtp: Option<SmtpConfig>,
    session_idle_seconds: Option<i64>,
    max_failed_logins: Option<i32>,
    lockout_seconds: Option<i64>,
    login_rate_per_minute: Option<u32>,
    reset_token_ttl_seconds: Option<i64>,
    session_key_hex: Option<String>,
    data_key_hex: Option<String>,
    session_max_seconds: Option<i64>,
    webhook_allow_private: Option<String>,
    api_key_cache: Option<String>,
    terminal_allow: Option<String>,
    terminal_max_connections: Option<i64>,
    geoip_db: Option<PathBuf>,
}

/// Why the configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read or parsed.
    #[error("config file {path}: {message}")]
    File {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// A value is invalid.
    #[error("{name}: {message}")]
    Invalid {
        /// Setting name.
        name: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The data directory or a secret file could not be written.
    #[error("data directory: {0}")]
    Io(#[from] std::io::Error),
}

/// Reads an environment variable through a lookup function (tests pass their own).
type Lookup<'a> = &'a dyn Fn(&str) -> Option<String>;

fn parse_num<N: std::str::FromStr>(name: &'static str, value: String) -> Result<N, ConfigError> {
    value.trim().parse().map_err(|_| ConfigError::Invalid {
        name,
        message: format!("not a number: {value}"),
    })
}

impl Config {
    /// Loads from the process environment and the optional config file.
    pub fn load() -> Result<Self, ConfigError> {
        Self::load_with(&|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
    }

    /// Loads with a custom environment lookup.
    pub fn load_with(env: Lookup<'_>) -> Result<Self, ConfigError> {
        let file = match env("OPENPSP_CONFIG") {
            Some(path) => read_file(Path::new(&path))?,
            None if Path::new("openpsp.toml").exists() => read_file(Path::new("openpsp.toml"))?,
            None => FileConfig::default(),
        };
        let data_dir = env("OPENPSP_DATA_DIR")
            .map(PathBuf::from)
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from("./data"));
        let listen = env("OPENPSP_LISTEN")
            .or(file.listen)
            .unwrap_or_else(|| "127.0.0.1:3000".to_owned());
        let support_project_key = env("OPENPSP_SUPPORT_PROJECT_KEY")
            .or(file.support_project_key)
            .unwrap_or_else(|| "UCSUP".to_owned())
            .trim()
            .to_ascii_uppercase();
        if domain::ticket::check_project_key(&support_project_key).is_err() {
            return Err(ConfigError::Invalid {
                name: "OPENPSP_SUPPORT_PROJECT_KEY",
                message: "2 to 10 capital letters or digits, starting with a letter".into(),
            });
        }
        let terminal_listen = env("OPENPSP_TERMINAL_LISTEN")
            .or(file.terminal_listen)
            .unwrap_or_else(|| "0.0.0.0:9000".to_owned());
        let terminal_listen = (!terminal_listen.trim().eq_ignore_ascii_case("off"))
            .then(|| terminal_listen.trim().to_owned());
        let metrics_listen = env("OPENPSP_METRICS_LISTEN")
            .or(file.metrics_listen)
            .map(|l| l.trim().to_owned())
            .filter(|l| !l.is_empty() && !l.eq_ignore_ascii_case("off"));
        let database_url = env("DATABASE_URL")
            .or(file.database_url)
            .unwrap_or_else(|| {
                format!(
                    "sqlite://{}?mode=rwc",
                    data_dir.join("openpsp.db").display()
                )
            });
        let public_url = env("OPENPSP_PUBLIC_URL")
            .or(file.public_url)
            .unwrap_or_else(|| format!("http://{listen}"))
            .trim_end_matches('/')
            .to_owned();
        let environment_name = env("OPENPSP_ENVIRONMENT")
            .or(file.environment)
            .unwrap_or_else(|| "sandbox".to_owned())
            .to_lowercase();
        if !["sandbox", "preprod", "production"].contains(&environment_name.as_str()) {
            return Err(ConfigError::Invalid {
                name: "OPENPSP_ENVIRONMENT",
                message: format!("expected sandbox, preprod or production, got {environment_name}"),
            });
        }
        let dev_mailbox = switch(
            "OPENPSP_DEV_MAILBOX",
            env("OPENPSP_DEV_MAILBOX").or(file.dev_mailbox),
        )?;
        let webhook_allow_private = switch(
            "OPENPSP_WEBHOOK_ALLOW_PRIVATE",
            env("OPENPSP_WEBHOOK_ALLOW_PRIVATE").or(file.webhook_allow_private),
        )?;
        let api_key_cache = match env("OPENPSP_API_KEY_CACHE").or(file.api_key_cache) {
            None => true,
            value => switch("OPENPSP_API_KEY_CACHE", value)?,
        };
        let terminal_allow = env("OPENPSP_TERMINAL_ALLOW")
            .or(file.terminal_allow)
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(|n| {
                n.parse::<ipnet::IpNet>()
                    .or_else(|_| n.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| ConfigError::Invalid {
                        name: "OPENPSP_TERMINAL_ALLOW",
                        message: format!("{n} is not a network such as 192.168.1.0/24"),
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let cluster = env("OPENPSP_CLUSTER")
            .or(file.cluster)
            .unwrap_or_else(|| "europe".to_owned())
            .to_lowercase();
        if !is_cluster(&cluster) {
            return Err(ConfigError::Invalid {
                name: "OPENPSP_CLUSTER",
                message: format!("expected {}, got {cluster}", clusters_text()),
            });
        }
        let cluster_urls =
            cluster_urls(&cluster, env("OPENPSP_CLUSTER_URLS").or(file.cluster_urls))?;
        let generic_endpoint = switch(
            "OPENPSP_GENERIC_ENDPOINT",
            env("OPENPSP_GENERIC_ENDPOINT").or(file.generic_endpoint),
        )?;
        let smtp = match env("OPENPSP_SMTP_HOST") {
            Some(host) => Some(SmtpConfig {
                host,
                port: env("OPENPSP_SMTP_PORT")
                    .map(|v| parse_num("OPENPSP_SMTP_PORT", v))
                    .transpose()?
                    .unwrap_or(587),
                username: env("OPENPSP_SMTP_USERNAME"),
                password: env("OPENPSP_SMTP_PASSWORD"),
                tls: env("OPENPSP_SMTP_TLS").unwrap_or_else(default_smtp_tls),
            }),
            None => file.smtp,
        };
        let num = |name: &'static str,
                   file_value: Option<i64>,
                   default: i64|
         -> Result<i64, ConfigError> {
            match env(name) {
                Some(v) => parse_num(name, v),
                None => Ok(file_value.unwrap_or(default)),
            }
        };
        let session_idle_seconds = num(
            "OPENPSP_SESSION_IDLE_SECONDS",
            file.session_idle_seconds,
            900,
        )?;
        let max_failed_logins = num(
            "OPENPSP_MAX_FAILED_LOGINS",
            file.max_failed_logins.map(i64::from),
            10,
        )? as i32;
        let lockout_seconds = num("OPENPSP_LOCKOUT_SECONDS", file.lockout_seconds, 1800)?;
        let login_rate_per_minute = num(
            "OPENPSP_LOGIN_RATE_PER_MINUTE",
            file.login_rate_per_minute.map(i64::from),
            30,
        )? as u32;
        let reset_token_ttl_seconds = num(
            "OPENPSP_RESET_TOKEN_TTL_SECONDS",
            file.reset_token_ttl_seconds,
            3600,
        )?;
        if let Some(smtp) = &smtp {
            if !["starttls", "tls", "none"].contains(&smtp.tls.as_str()) {
                return Err(ConfigError::Invalid {
                    name: "OPENPSP_SMTP_TLS",
                    message: format!("expected starttls, tls or none, got {}", smtp.tls),
                });
            }
        }
        let session_max_seconds = num(
            "OPENPSP_SESSION_MAX_SECONDS",
            file.session_max_seconds,
            12 * 3600,
        )?;
        let terminal_max_connections = num(
            "OPENPSP_TERMINAL_MAX_CONNECTIONS",
            file.terminal_max_connections,
            2000,
        )?;
        if terminal_max_connections <= 0 {
            return Err(ConfigError::Invalid {
                name: "OPENPSP_TERMINAL_MAX_CONNECTIONS",
                message: "must be positive".into(),
            });
        }
        if session_idle_seconds <= 0
            || session_max_seconds <= 0
            || lockout_seconds <= 0
            || reset_token_ttl_seconds <= 0
        {
            return Err(ConfigError::Invalid {
                name: "durations",
                message: "session idle, lockout and reset-link durations must be positive".into(),
            });
        }

        let geoip = match env("OPENPSP_GEOIP_DB").map(PathBuf::from).or(file.geoip_db) {
            Some(path) => Some(std::sync::Arc::new(
                super::geoip::GeoIp::open(&path).map_err(|message| ConfigError::Invalid {
                    name: "OPENPSP_GEOIP_DB",
                    message: format!("{}: {message}", path.display()),
                })?,
            )),
            None => None,
        };

        std::fs::create_dir_all(&data_dir)?;
        let session_key = secret(
            env("OPENPSP_SESSION_KEY").or(file.session_key_hex),
            &data_dir.join("session.key"),
            64,
            "OPENPSP_SESSION_KEY",
        )?;
        let data_key = secret(
            env("OPENPSP_DATA_KEY").or(file.data_key_hex),
            &data_dir.join("data.key"),
            32,
            "OPENPSP_DATA_KEY",
        )?;

        Ok(Config {
            listen,
            support_project_key,
            terminal_listen,
            metrics_listen,
            site_root: env("LEPTOS_SITE_ROOT").map(PathBuf::from),
            data_dir,
            database_url,
            public_url,
            dev_mailbox: dev_mailbox && environment_name != "production",
            environment_name,
            cluster,
            cluster_urls,
            generic_endpoint,
            mail_from: env("OPENPSP_MAIL_FROM")
                .or(file.mail_from)
                .unwrap_or_else(|| "OpenPSP <no-reply@openpsp.local>".to_owned()),
            smtp,
            session_idle_seconds,
            max_failed_logins,
            lockout_seconds,
            login_rate_per_minute,
            reset_token_ttl_seconds,
            session_key,
            data_key,
            session_max_seconds,
            webhook_allow_private,
            api_key_cache,
            terminal_allow,
            terminal_max_connections: terminal_max_connections as usize,
            geoip,
        })
    }

    /// Whether cookies must be `Secure`.
    pub fn https(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// Whether the development mailbox is open (asked for, and not in production).
    pub fn dev_mailbox(&self) -> bool {
        self.dev_mailbox
    }
}

/// The clusters a deployment can belong to (PL-4).
pub const CLUSTERS: [&str; 3] = ["world", "europe", "india"];

/// Whether `name` is one of [`CLUSTERS`].
pub fn is_cluster(name: &str) -> bool {
    CLUSTERS.contains(&name)
}

/// [`CLUSTERS`] as messages name them: "world, europe or india".
pub fn clusters_text() -> String {
    let (last, rest) = CLUSTERS.split_last().expect("clusters");
    format!("{} or {last}", rest.join(", "))
}

/// Reads the other clusters' base URLs: `name=url` pairs separated by commas, each name
/// a cluster other than `own`, each URL http(s) without a query.
fn cluster_urls(own: &str, value: Option<String>) -> Result<Vec<(String, String)>, ConfigError> {
    let invalid = |message: String| ConfigError::Invalid {
        name: "OPENPSP_CLUSTER_URLS",
        message,
    };
    let mut out: Vec<(String, String)> = Vec::new();
    for pair in value.unwrap_or_default().split(',').map(str::trim) {
        if pair.is_empty() {
            continue;
        }
        let (name, url) = pair
            .split_once('=')
            .ok_or_else(|| invalid(format!("expected name=url, got {pair}")))?;
        let name = name.trim().to_lowercase();
        let url = url.trim().trim_end_matches('/').to_owned();
        if !is_cluster(&name) || name == own {
            return Err(invalid(format!(
                "{name} is not another cluster ({} other than {own})",
                clusters_text()
            )));
        }
        let parsed = reqwest::Url::parse(&url).map_err(|e| invalid(format!("{url}: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https")
            || parsed.query().is_some()
            || parsed.host_str().is_none()
        {
            return Err(invalid(format!("{url} is not an http(s) base URL")));
        }
        if out.iter().any(|(n, _)| *n == name) {
            return Err(invalid(format!("{name} is given twice")));
        }
        out.push((name, url));
    }
    Ok(out)
}

/// Reads an `on`/`off` setting (default off).
fn switch(name: &'static str, value: Option<String>) -> Result<bool, ConfigError> {
    match value.unwrap_or_default().trim().to_lowercase().as_str() {
        "on" => Ok(true),
        "off" | "" => Ok(false),
        other => Err(ConfigError::Invalid {
            name,
            message: format!("expected on or off, got {other}"),
        }),
    }
}

fn read_file(path: &Path) -> Result<FileConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError::File {
        path: path.to_owned(),
        message: e.to_string(),
    })?;
    toml::from_str(&text).map_err(|e| ConfigError::File {
        path: path.to_owned(),
        message: e.to_string(),
    })
}

/// A secret given as hex, else read from `file`, else generated into `file` (mode 0600).
fn secret(
    given: Option<String>,
    file: &Path,
    len: usize,
    name: &'static str,
) -> Result<Vec<u8>, ConfigError> {
    let decode = |hex_text: &str| -> Result<Vec<u8>, ConfigError> {
        let bytes = hex::decode(hex_text.trim()).map_err(|_| ConfigError::Invalid {
            name,
            message: "not hexadecimal".into(),
        })?;
        if bytes.len() != len {
            return Err(ConfigError::Invalid {
                name,
                message: format!("expected {len} bytes, got {}", bytes.len()),
            });
        }
        Ok(bytes)
    };
    if let Some(hex_text) = given {
        return decode(&hex_text);
    }
    if file.exists() {
        return decode(&std::fs::read_to_string(file)?);
    }
    let mut bytes = vec![0u8; len];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    write_private(file, &hex::encode(&bytes))?;
    Ok(bytes)
}

/// Writes a file readable by its owner only.
pub fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(path)?;
    f.write_all(contents.as_bytes())
}

/// What `Debug` shows of a secret.
const REDACTED: &str = "<redacted>";

/// A database URL with the password of its user part replaced.
fn redacted_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rsplit_once('@') {
        Some((user, host)) => {
            let user = user.split(':').next().unwrap_or("");
            format!(
                "{scheme}://{user}:{REDACTED}@{host}{}",
                &rest[authority_end..]
            )
        }
        None => url.to_owned(),
    }
}

impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| REDACTED))
            .field("tls", &self.tls)
            .finish()
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("terminal_listen", &self.terminal_listen)
            .field("metrics_listen", &self.metrics_listen)
            .field("site_root", &self.site_root)
            .field("data_dir", &self.data_dir)
            .field("database_url", &redacted_url(&self.database_url))
            .field("public_url", &self.public_url)
            .field("environment_name", &self.environment_name)
            .field("dev_mailbox", &self.dev_mailbox)
            .field("smtp", &self.smtp)
            .field("session_key", &REDACTED)
            .field("data_key", &REDACTED)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_clusters() {
        assert_eq!(clusters_text(), "world, europe or india");
    }

    #[test]
    fn debug_leaves_secrets_out() {
        let config = Config::load_with(&|k: &str| match k {
            "OPENPSP_DATA_DIR" => Some(
                std::env::temp_dir()
                    .join(format!("openpsp-debug-{}", std::process::id()))
                    .display()
                    .to_string(),
            ),
            "DATABASE_URL" => Some("postgres://psp:hunter2-db@db.example:5432/psp".into()),
            "OPENPSP_SMTP_HOST" => Some("smtp.example".into()),
            "OPENPSP_SMTP_PASSWORD" => Some("hunter2-smtp".into()),
            _ => None,
        })
        .unwrap();
        let shown = format!("{config:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(
            shown.contains("postgres://psp:<redacted>@db.example:5432/psp"),
            "{shown}"
        );
        for key in [&config.data_key, &config.session_key] {
            let head = format!("{:?}", &key[..4]);
            assert!(!shown.contains(head.trim_end_matches(']')), "{shown}");
        }
        assert!(shown.contains("smtp.example"), "{shown}");
        let _ = std::fs::remove_dir_all(&config.data_dir);
    }
    use std::collections::HashMap;

    fn load(vars: &[(&str, String)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        Config::load_with(&move |k| map.get(k).cloned())
    }

    fn temp_dir(tag: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("openpsp-config-{tag}-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn defaults_use_sqlite_in_the_data_dir_and_generate_secrets_once() {
        let dir = temp_dir("defaults");
        let vars = [("OPENPSP_DATA_DIR", dir.display().to_string())];
        let first = load(&vars).unwrap();
        assert_eq!(first.listen, "127.0.0.1:3000");
        assert!(first.database_url.starts_with("sqlite://"));
        assert_eq!(first.session_idle_seconds, 900);
        assert_eq!(first.max_failed_logins, 10);
        assert_eq!(first.lockout_seconds, 1800);
        assert_eq!(first.session_key.len(), 64);
        assert_eq!(first.data_key.len(), 32);
        assert!(!first.https());
        assert!(
            !first.dev_mailbox(),
            "the development mailbox is off by default"
        );
        let on = load(&[
            ("OPENPSP_DATA_DIR", dir.display().to_string()),
            ("OPENPSP_DEV_MAILBOX", "on".to_owned()),
        ])
        .unwrap();
        assert!(on.dev_mailbox());
        assert!(load(&[
            ("OPENPSP_DATA_DIR", dir.display().to_string()),
            ("OPENPSP_DEV_MAILBOX", "yes".to_owned()),
        ])
        .is_err());
        let second = load(&vars).unwrap();
        assert_eq!(
            first.session_key, second.session_key,
            "secrets persist across starts"
        );
        assert_eq!(first.data_key, second.data_key);
    }

    #[test]
    fn file_then_environment_override_defaults() {
        let dir = temp_dir("file");
        let file = dir.join("openpsp.toml");
        std::fs::write(
            &file,
            "listen = \"0.0.0.0:8080\"\npublic_url = \"https://pay.example.com/\"\ncluster = \"india\"\n",
        )
        .unwrap();
        let config = load(&[
            ("OPENPSP_CONFIG", file.display().to_string()),
            ("OPENPSP_DATA_DIR", dir.display().to_string()),
            ("OPENPSP_LISTEN", "127.0.0.1:9999".into()),
        ])
        .unwrap();
        assert_eq!(config.listen, "127.0.0.1:9999");
        assert_eq!(config.public_url, "https://pay.example.com");
        assert_eq!(config.cluster, "india");
        assert!(config.https());
    }

    #[test]
    fn bad_values_are_refused_with_the_setting_name() {
        let dir = temp_dir("bad");
        let err = load(&[
            ("OPENPSP_DATA_DIR", dir.display().to_string()),
            ("OPENPSP_CLUSTER", "mars".into()),
        ])
        .unwrap_err();
        assert!(err.to_string().contains("OPENPSP_CLUSTER"));
        let err = load(&[
            ("OPENPSP_DATA_DIR", dir.display().to_string()),
            ("OPENPSP_DATA_KEY", "abcd".into()),
        ])
        .unwrap_err();
        assert!(err.to_string().contains("OPENPSP_DATA_KEY"));
    }

    #[test]
    fn other_clusters_urls_are_checked() {
        assert_eq!(
            cluster_urls(
                "europe",
                Some("world=https://world.example/ , india=http://10.0.0.7:8080".into())
            )
            .unwrap(),
            [
                ("world".to_owned(), "https://world.example".to_owned()),
                ("india".to_owned(), "http://10.0.0.7:8080".to_owned())
            ]
        );
        assert!(cluster_urls("europe", None).unwrap().is_empty());
        for bad in [
            "europe=https://eu.example",
            "mars=https://m.example",
            "world",
            "world=ftp://w.example",
            "world=https://w.example?x=1",
            "world=https://a.example,world=https://b.example",
        ] {
            assert!(cluster_urls("europe", Some(bad.into())).is_err(), "{bad}");
        }
    }
}
