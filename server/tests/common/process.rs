//! The real `penguin` binary as a child process, for tests about processes: several
//! nodes of a cluster, `kill -9`.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Process {
    pub base: String,
    pub port: u16,
    child: Option<Child>,
    args: Vec<String>,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Process {
    /// Starts the binary with `args` (plus a free port and a private site root and
    /// outbox) and waits until `/healthz` answers 200.
    pub async fn start(name: &str, args: &[&str]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let port = penguin_testkit::redis::free_port();
        let mut all: Vec<String> = vec![
            "--addr".into(),
            format!("127.0.0.1:{port}"),
            "--site-root".into(),
            dir.path().to_str().unwrap().into(),
            "--dev-outbox".into(),
            dir.path().join("outbox.txt").to_str().unwrap().into(),
            "--log".into(),
            "info".into(),
        ];
        all.extend(args.iter().map(|a| (*a).to_owned()));
        let mut process = Self {
            base: format!("http://127.0.0.1:{port}"),
            port,
            child: None,
            args: all,
            log: dir.path().join(format!("{name}.log")),
            _dir: dir,
        };
        process.spawn();
        process.wait_healthy().await;
        process
    }

    fn spawn(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_penguin"))
            .args(&self.args)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("the penguin binary runs");
        self.child = Some(child);
    }

    async fn wait_healthy(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(child) = &mut self.child
                && let Ok(Some(status)) = child.try_wait()
            {
                panic!("the server exited ({status}); its log:\n{}", self.log());
            }
            let answer = reqwest::get(format!("{}/healthz", self.base)).await;
            if answer.is_ok_and(|r| r.status().is_success()) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the server did not become healthy; its log:\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// `/healthz`'s body.
    pub async fn health(&self) -> serde_json::Value {
        reqwest::get(format!("{}/healthz", self.base))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// Waits until `/healthz` says `status` (within 30 s).
    pub async fn wait_for_status(&self, status: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.health().await["status"] != status {
            assert!(
                Instant::now() < deadline,
                "{} never reported {status}; its log:\n{}",
                self.base,
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// SIGKILL: no graceful anything.
    pub fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill9();
    }
}
