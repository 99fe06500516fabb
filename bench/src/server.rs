//! The server under test: spawned from `--server` with a fresh database (a temp SQLite
//! file, or a fresh PostgreSQL schema and Redis prefix for two nodes), the per-address
//! and per-user limits lifted, ready once `/healthz` answers. Also its memory (VmRSS).

use crate::error::{BenchError, Result};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::process::{Child, Command};

/// How to start servers: the same for every scenario.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    pub binary: PathBuf,
    /// PostgreSQL + Redis: two nodes sharing them. None: one node on SQLite.
    pub cluster: Option<(String, String)>,
    pub log: String,
}

impl ServerOptions {
    pub fn backend(&self) -> &'static str {
        if self.cluster.is_some() {
            "postgresql+redis, 2 nodes"
        } else {
            "sqlite, 1 node"
        }
    }
}

/// A limit nobody reaches in a benchmark: the bench signs up thousands of users from
/// one machine and sends tens of thousands of messages per second per user.
const UNLIMITED: &str = "1000000000";

struct Node {
    child: Option<Child>,
    addr: SocketAddr,
    args: Vec<String>,
    log: PathBuf,
}

/// One or two running nodes with their database.
pub struct Servers {
    binary: PathBuf,
    nodes: Vec<Node>,
    sqlite: Option<PathBuf>,
    // Keeps the database, logs and empty site root until the scenario ends.
    _dir: tempfile::TempDir,
}

impl Servers {
    /// Starts the node(s) for scenario `label`; `extra` are more server flags.
    pub async fn start(options: &ServerOptions, label: &str, extra: &[String]) -> Result<Self> {
        let dir = tempfile::Builder::new()
            .prefix(&format!("penguin-bench-{label}-"))
            .tempdir()
            .map_err(|e| BenchError::file(std::env::temp_dir(), e))?;
        let site = dir.path().join("site");
        std::fs::create_dir_all(&site).map_err(|e| BenchError::file(&site, e))?;
        let mut common: Vec<String> = [
            "--site-root",
            path_str(&site),
            "--dev-outbox",
            path_str(&dir.path().join("outbox.txt")),
            "--log",
            options.log.as_str(),
            "--sends-per-second",
            UNLIMITED,
            "--send-burst",
            UNLIMITED,
            "--registrations-per-address",
            UNLIMITED,
            "--sign-in-attempts-per-address",
            UNLIMITED,
            "--max-group-member-limit",
            "1000000",
            "--group-member-limit",
            "1000000",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        common.extend(extra.iter().cloned());
        let mut sqlite = None;
        let mut per_node: Vec<Vec<String>> = Vec::new();
        match &options.cluster {
            None => {
                let db = dir.path().join("bench.db");
                per_node.push(vec![
                    "--database-url".into(),
                    format!("sqlite://{}", db.display()),
                ]);
                sqlite = Some(db);
            }
            Some((postgres, redis)) => {
                // A fresh schema and Redis prefix per scenario: a fresh database without
                // needing the rights to create one.
                let stamp = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map(|d| d.as_millis())
                    .unwrap_or_default();
                let name = format!("bench_{label}_{}_{stamp}", std::process::id());
                for node in ["a", "b"] {
                    per_node.push(vec![
                        "--database-url".into(),
                        postgres.clone(),
                        "--database-schema".into(),
                        name.clone(),
                        "--redis-url".into(),
                        redis.clone(),
                        "--redis-prefix".into(),
                        name.clone(),
                        "--node-id".into(),
                        node.into(),
                    ]);
                }
            }
        }
        let mut nodes = Vec::new();
        for (i, own) in per_node.into_iter().enumerate() {
            let addr = free_addr()?;
            let mut args = vec!["--addr".to_owned(), addr.to_string()];
            args.extend(common.iter().cloned());
            args.extend(own);
            nodes.push(Node {
                child: None,
                addr,
                args,
                log: dir.path().join(format!("node{i}.log")),
            });
        }
        let mut servers = Self {
            binary: options.binary.clone(),
            nodes,
            sqlite,
            _dir: dir,
        };
        servers.start_again().await?;
        Ok(servers)
    }

    /// Starts every node (again) with the same arguments, ports and database.
    pub async fn start_again(&mut self) -> Result<()> {
        for node in &mut self.nodes {
            let log = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&node.log)
                .map_err(|e| BenchError::file(&node.log, e))?;
            let err = log
                .try_clone()
                .map_err(|e| BenchError::file(&node.log, e))?;
            let child = Command::new(&self.binary)
                .args(&node.args)
                .stdin(Stdio::null())
                .stdout(log)
                .stderr(err)
                .kill_on_drop(true)
                .spawn()
                .map_err(|source| BenchError::Spawn {
                    what: self.binary.display().to_string(),
                    source,
                })?;
            node.child = Some(child);
        }
        for i in 0..self.nodes.len() {
            self.wait_healthy(i).await?;
        }
        Ok(())
    }

    async fn wait_healthy(&mut self, i: usize) -> Result<()> {
        let url = format!("http://{}/healthz", self.nodes[i].addr);
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            if let Ok(r) = http.get(&url).send().await
                && r.status().is_success()
            {
                return Ok(());
            }
            let exited = match self.nodes[i].child.as_mut() {
                Some(child) => child.try_wait().ok().flatten(),
                None => None,
            };
            if exited.is_some() || Instant::now() > deadline {
                return Err(BenchError::Server(format!(
                    "node {i} did not become healthy ({}); its log ends:\n{}",
                    exited.map_or("timed out".to_owned(), |s| s.to_string()),
                    self.log_tail(i)
                )));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The last lines the node logged.
    pub fn log_tail(&self, i: usize) -> String {
        let text = std::fs::read_to_string(&self.nodes[i].log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    /// Stops every node with SIGTERM (a clean shutdown: the SQLite file is complete and
    /// can be written by another process), SIGKILL after 20 s.
    pub async fn stop(&mut self) -> Result<()> {
        for node in &mut self.nodes {
            let Some(mut child) = node.child.take() else {
                continue;
            };
            if let Some(pid) = child.id() {
                let _ = Command::new("kill")
                    .args(["-TERM", &pid.to_string()])
                    .status()
                    .await;
            }
            if tokio::time::timeout(Duration::from_secs(20), child.wait())
                .await
                .is_err()
            {
                let _ = child.kill().await;
                return Err(BenchError::Server(
                    "a node ignored SIGTERM for 20 s".to_owned(),
                ));
            }
        }
        Ok(())
    }

    /// Base URLs (`http://127.0.0.1:port`) of the nodes.
    pub fn bases(&self) -> Vec<String> {
        self.nodes
            .iter()
            .map(|n| format!("http://{}", n.addr))
            .collect()
    }

    pub fn addrs(&self) -> Vec<SocketAddr> {
        self.nodes.iter().map(|n| n.addr).collect()
    }

    /// The SQLite database file, when the backend is SQLite.
    pub fn sqlite_path(&self) -> Option<&Path> {
        self.sqlite.as_deref()
    }

    /// Resident memory of all nodes together, in bytes (VmRSS of /proc/<pid>/status).
    pub fn rss_bytes(&self) -> Result<u64> {
        let mut total = 0;
        for node in &self.nodes {
            let pid = node
                .child
                .as_ref()
                .and_then(Child::id)
                .ok_or_else(|| BenchError::Server("a node is not running".into()))?;
            total += rss_of(pid)?;
        }
        Ok(total)
    }
}

fn rss_of(pid: u32) -> Result<u64> {
    let path = format!("/proc/{pid}/status");
    let status = std::fs::read_to_string(&path).map_err(|e| BenchError::file(&path, e))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map(|kib| kib * 1024)
        .ok_or_else(|| BenchError::Server(format!("no VmRSS in {path}")))
}

fn free_addr() -> Result<SocketAddr> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")
        .map_err(|e| BenchError::Server(format!("no free port: {e}")))?;
    listener
        .local_addr()
        .map_err(|e| BenchError::Server(format!("no free port: {e}")))
}

fn path_str(path: &Path) -> &str {
    path.to_str().unwrap_or_default()
}
