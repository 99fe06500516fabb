//! The server's configuration: one typed struct from flags and `PENGUIN_*` environment
//! variables (flags win), with defaults that work on a fresh machine. cargo-leptos passes
//! `LEPTOS_SITE_ADDR` / `LEPTOS_SITE_ROOT` during `cargo leptos watch`; they are used when
//! the Penguin setting is absent. An optional TOML file (`--config`) sits between the
//! environment and the defaults: see `config_file`.

use clap::Parser;
use leptos::config::LeptosOptions;
use penguin_domain::db::DEFAULT_DATABASE_URL;
use penguin_domain::{
    ClusterSettings, CoreSettings, DatabaseSettings, MailSettings, SendLimits, SignInLimits,
};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

const DEFAULT_ADDR: &str = "127.0.0.1:3000";
const DEFAULT_SITE_ROOT: &str = "target/site";

#[derive(Debug, Clone, Parser)]
#[command(name = "penguin", version, about = "Penguin: a self-hosted web chat")]
pub struct Config {
    /// Address to listen on [default: LEPTOS_SITE_ADDR, else 127.0.0.1:3000].
    #[arg(long, env = "PENGUIN_ADDR")]
    pub addr: Option<SocketAddr>,

    /// Database URL: `sqlite://path/file.db` (created if missing) or
    /// `postgres://user@host:port/database`.
    #[arg(long, env = "PENGUIN_DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    pub database_url: String,

    /// PostgreSQL only: the schema to keep Penguin's tables in (created if missing).
    #[arg(long, env = "PENGUIN_DATABASE_SCHEMA")]
    pub database_schema: Option<String>,

    /// Maximum pooled database connections.
    #[arg(long, env = "PENGUIN_DATABASE_MAX_CONNECTIONS", default_value_t = 16,
          value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub database_max_connections: u32,

    /// Directory of the built site (wasm, JavaScript, CSS, assets) [default:
    /// LEPTOS_SITE_ROOT, else `site` next to the binary if there is one (`make
    /// package`), else target/site].
    #[arg(long, env = "PENGUIN_SITE_ROOT")]
    pub site_root: Option<PathBuf>,

    /// Origins, besides the server's own, allowed to make state-changing requests and
    /// WebSocket connections, comma-separated: e.g.
    /// `https://chat.example.org,http://127.0.0.1:8080`.
    #[arg(long, env = "PENGUIN_ALLOWED_ORIGINS", value_delimiter = ',')]
    pub allowed_origins: Vec<String>,

    /// Member limit of a new group unless its creator picks another.
    #[arg(long, env = "PENGUIN_GROUP_MEMBER_LIMIT", default_value_t = 200,
          value_parser = clap::value_parser!(u32).range(2..=1_000_000))]
    pub group_member_limit: u32,

    /// The highest member limit a group may have on this server.
    #[arg(long, env = "PENGUIN_MAX_GROUP_MEMBER_LIMIT", default_value_t = 2000,
          value_parser = clap::value_parser!(u32).range(2..=1_000_000))]
    pub max_group_member_limit: u32,

    /// Failed sign-ins for one username, per window, before it is locked for the rest
    /// of the window.
    #[arg(long, env = "PENGUIN_SIGN_IN_FAILURES_PER_ACCOUNT", default_value_t = 5,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub sign_in_failures_per_account: u32,

    /// Sign-in attempts from one client address per window.
    #[arg(long, env = "PENGUIN_SIGN_IN_ATTEMPTS_PER_ADDRESS", default_value_t = 30,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub sign_in_attempts_per_address: u32,

    /// Accounts created from one client address per window.
    #[arg(long, env = "PENGUIN_REGISTRATIONS_PER_ADDRESS", default_value_t = 20,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub registrations_per_address: u32,

    /// The rate-limit window, in seconds.
    #[arg(long, env = "PENGUIN_RATE_LIMIT_WINDOW_SECS", default_value_t = 900,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub rate_limit_window_secs: u64,

    /// Days a session lasts without being used.
    #[arg(long, env = "PENGUIN_SESSION_DAYS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=3650))]
    pub session_days: u64,

    /// Always mark the session cookie `Secure`. Without it, the cookie is `Secure` when
    /// the browser reached Penguin over https (its `Origin`, or `X-Forwarded-Proto`).
    #[arg(long, env = "PENGUIN_SECURE_COOKIES")]
    pub secure_cookies: bool,

    /// Take the client's address from the last `X-Forwarded-For` entry (only behind a
    /// reverse proxy that sets it; otherwise clients could pick their own address).
    #[arg(long, env = "PENGUIN_TRUST_FORWARDED_FOR")]
    pub trust_forwarded_for: bool,

    /// SMTP server for e-mail codes: `smtp://host:25` (STARTTLS when offered),
    /// `smtp://host:587?tls=required`, `smtps://user:password@host:465`. Without it,
    /// mail goes to the development outbox (--dev-outbox) and the log.
    #[arg(long, env = "PENGUIN_SMTP_URL")]
    pub smtp_url: Option<String>,

    /// The sender of Penguin's mail.
    #[arg(
        long,
        env = "PENGUIN_MAIL_FROM",
        default_value = "Penguin <penguin@localhost>"
    )]
    pub mail_from: String,

    /// Development only: the file mail is appended to when no SMTP server is set.
    #[arg(
        long,
        env = "PENGUIN_DEV_OUTBOX",
        default_value = "data/dev-outbox.txt"
    )]
    pub dev_outbox: PathBuf,

    /// E-mail codes sent to one address per rate-limit window.
    #[arg(long, env = "PENGUIN_EMAIL_CODES_PER_ADDRESS", default_value_t = 5,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub email_codes_per_address: u32,

    /// E-mail codes requested from one client address per rate-limit window.
    #[arg(long, env = "PENGUIN_EMAIL_CODES_PER_CLIENT", default_value_t = 20,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub email_codes_per_client: u32,

    /// The longest message, in characters.
    #[arg(long, env = "PENGUIN_MAX_MESSAGE_CHARS", default_value_t = 4000,
          value_parser = clap::value_parser!(u32).range(1..=50_000))]
    pub max_message_chars: u32,

    /// Messages one user may send per second, sustained, over the WebSocket and HTTP
    /// together (per server process).
    #[arg(long, env = "PENGUIN_SENDS_PER_SECOND", default_value_t = 10,
          alias = "ws-sends-per-second",
          value_parser = clap::value_parser!(u32).range(1..))]
    pub sends_per_second: u32,

    /// Messages one user may send in a burst.
    #[arg(long, env = "PENGUIN_SEND_BURST", default_value_t = 20, alias = "ws-send-burst",
          value_parser = clap::value_parser!(u32).range(1..))]
    pub send_burst: u32,

    /// Redis, to run this server as one node of several sharing one PostgreSQL database
    /// (`--database-url postgres://…`): `redis://host:6379[/db]`. Live frames and presence
    /// cross nodes through it; without it the server is a single node.
    #[arg(long, env = "PENGUIN_REDIS_URL")]
    pub redis_url: Option<String>,

    /// Prefix of Penguin's Redis keys and channel, so several clusters can share one Redis.
    #[arg(long, env = "PENGUIN_REDIS_PREFIX", default_value = "penguin")]
    pub redis_prefix: String,

    /// This node's name in the cluster, unique among its nodes [default: random at each
    /// start].
    #[arg(long, env = "PENGUIN_NODE_ID")]
    pub node_id: Option<String>,

    /// How often a node renews its presence in Redis, in milliseconds; a node silent for
    /// five beats counts as gone and its users as offline.
    #[arg(long, env = "PENGUIN_CLUSTER_HEARTBEAT_MS", default_value_t = 1000,
          value_parser = clap::value_parser!(u64).range(50..=60_000))]
    pub cluster_heartbeat_ms: u64,

    /// Log filter in `tracing` syntax, e.g. `info` or `penguin_server=debug,info`.
    #[arg(long, env = "PENGUIN_LOG", default_value = "info")]
    pub log: String,

    /// A TOML file of settings: keys are the flag names with `_` for `-`
    /// (`database_url = "sqlite:///var/lib/penguin/penguin.db"`). Flags and `PENGUIN_*`
    /// variables override it; an unknown key or a wrong value stops the server.
    #[arg(long, env = "PENGUIN_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    #[command(flatten)]
    pub ops: crate::ops_config::OpsSettings,

    /// Without a command, Penguin serves.
    #[command(subcommand)]
    pub command: Option<crate::commands::Command>,
}

impl Config {
    pub fn addr(&self) -> SocketAddr {
        self.addr
            .or_else(|| std::env::var("LEPTOS_SITE_ADDR").ok()?.parse().ok())
            .unwrap_or_else(|| DEFAULT_ADDR.parse().expect("the default address parses"))
    }

    pub fn site_root(&self) -> PathBuf {
        self.site_root
            .clone()
            .or_else(|| std::env::var_os("LEPTOS_SITE_ROOT").map(PathBuf::from))
            .or_else(crate::ops_config::packaged_site)
            .unwrap_or_else(|| PathBuf::from(DEFAULT_SITE_ROOT))
    }

    pub fn database(&self) -> DatabaseSettings {
        DatabaseSettings {
            url: self.database_url.clone(),
            max_connections: self.database_max_connections,
            schema: self.database_schema.clone(),
        }
    }

    /// The domain's tunables from these settings.
    pub fn core_settings(&self) -> CoreSettings {
        let window = Duration::from_secs(self.rate_limit_window_secs);
        CoreSettings {
            group_member_limit: self.group_member_limit,
            max_group_member_limit: self.max_group_member_limit,
            session_idle_lifetime: Duration::from_secs(self.session_days * 24 * 3600),
            sign_in_limits: SignInLimits {
                failures_per_account: self.sign_in_failures_per_account,
                attempts_per_address: self.sign_in_attempts_per_address,
                registrations_per_address: self.registrations_per_address,
                window,
            },
            mail: MailSettings {
                smtp_url: self.smtp_url.clone(),
                from: self.mail_from.clone(),
                dev_outbox: self.dev_outbox.clone(),
            },
            email_codes_per_address: self.email_codes_per_address,
            email_codes_per_client: self.email_codes_per_client,
            max_message_chars: self.max_message_chars as usize,
            sends: SendLimits {
                per_second: self.sends_per_second,
                burst: self.send_burst,
            },
            cluster: self.redis_url.as_ref().map(|url| ClusterSettings {
                redis_url: url.clone(),
                prefix: self.redis_prefix.clone(),
                node_id: self
                    .node_id
                    .clone()
                    .unwrap_or_else(ClusterSettings::random_node_id),
                heartbeat: Duration::from_millis(self.cluster_heartbeat_ms),
            }),
            ..CoreSettings::default()
        }
    }

    /// What leptos needs to render pages: where the wasm bundle is served from.
    pub fn leptos_options(&self, addr: SocketAddr) -> LeptosOptions {
        let env = |key: &str| std::env::var(key).ok();
        LeptosOptions::builder()
            .output_name(env("LEPTOS_OUTPUT_NAME").unwrap_or_else(|| "penguin".to_owned()))
            .site_root(self.site_root().to_string_lossy().into_owned())
            .site_pkg_dir(env("LEPTOS_SITE_PKG_DIR").unwrap_or_else(|| "pkg".to_owned()))
            .site_addr(addr)
            .reload_port(
                env("LEPTOS_RELOAD_PORT")
                    .and_then(|p| p.parse().ok())
                    .unwrap_or(3001),
            )
            .hash_files(env("LEPTOS_HASH_FILES").is_some_and(|v| v == "true"))
            .build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Config, clap::Error> {
        Config::try_parse_from(std::iter::once("penguin").chain(args.iter().copied()))
    }

    #[test]
    fn defaults_work_on_a_fresh_machine() {
        let config = parse(&[]).unwrap();
        assert_eq!(config.database_url, "sqlite://data/penguin.db");
        assert_eq!(config.database_max_connections, 16);
        assert!(config.allowed_origins.is_empty());
        let core = config.core_settings();
        assert_eq!(core.group_member_limit, 200);
        assert_eq!(core.max_group_member_limit, 2000);
        assert_eq!(core.sign_in_limits, SignInLimits::default());
        core.validate().unwrap();
    }

    #[test]
    fn flags_are_parsed() {
        let config = parse(&[
            "--addr",
            "127.0.0.1:4000",
            "--database-url",
            "postgres://localhost/test",
            "--allowed-origins",
            "http://a.example,https://b.example",
        ])
        .unwrap();
        assert_eq!(config.addr(), "127.0.0.1:4000".parse().unwrap());
        assert_eq!(config.database().url, "postgres://localhost/test");
        assert_eq!(
            config.allowed_origins,
            ["http://a.example", "https://b.example"]
        );
    }

    #[test]
    fn a_wrong_setting_names_itself() {
        let err = parse(&["--addr", "not-an-address"])
            .unwrap_err()
            .to_string();
        assert!(err.contains("--addr"), "{err}");
        let limits = parse(&[
            "--group-member-limit",
            "300",
            "--max-group-member-limit",
            "250",
        ])
        .unwrap()
        .core_settings()
        .validate()
        .unwrap_err()
        .to_string();
        assert!(limits.contains("maximum group member limit"), "{limits}");
        let err = parse(&["--database-max-connections", "0"])
            .unwrap_err()
            .to_string();
        assert!(err.contains("--database-max-connections"), "{err}");
        let err = parse(&["--redis-url", "redis://127.0.0.1", "--node-id", "a b"])
            .unwrap()
            .core_settings()
            .validate()
            .unwrap_err()
            .to_string();
        assert!(err.contains("node id"), "{err}");
        let err = parse(&["--redis-url", "http://127.0.0.1"])
            .unwrap()
            .core_settings()
            .validate()
            .unwrap_err()
            .to_string();
        assert!(err.contains("redis url"), "{err}");
    }

    #[test]
    fn a_redis_url_makes_a_cluster_node() {
        assert_eq!(parse(&[]).unwrap().core_settings().cluster, None);
        let cluster = parse(&["--redis-url", "redis://127.0.0.1:6379", "--node-id", "n1"])
            .unwrap()
            .core_settings()
            .cluster
            .unwrap();
        assert_eq!(cluster.node_id, "n1");
        assert_eq!(cluster.prefix, "penguin");
        assert_eq!(cluster.heartbeat, Duration::from_secs(1));
        cluster.validate().unwrap();
        // Two nodes without a name never share one.
        let a = parse(&["--redis-url", "redis://x"])
            .unwrap()
            .core_settings();
        let b = parse(&["--redis-url", "redis://x"])
            .unwrap()
            .core_settings();
        assert_ne!(a.cluster.unwrap().node_id, b.cluster.unwrap().node_id);
    }
}
