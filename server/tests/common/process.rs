//! The real `penguin` binary as a child process, for tests whose subject is processes:
//! several nodes of a cluster, `kill -9`, SIGTERM and restarts, its log output.

use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus};
use std::time::{Duration, Instant};

pub struct Process {
    pub base: String,
    pub port: u16,
    child: Option<Child>,
    args: Vec<String>,
    /// Standard error (panics, clap) and standard output (the log of a serving
    /// process), appended to over restarts.
    stderr: PathBuf,
    stdout: PathBuf,
    _dir: tempfile::TempDir,
}

impl Process {
    /// Starts the binary with `args` (plus a free port, a private site root and outbox,
    /// and `--log info` unless `args` choose a filter) and waits until `/healthz`
    /// answers 200.
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
        ];
        if !args.contains(&"--log") {
            all.extend(["--log".into(), "info".into()]);
        }
        all.extend(args.iter().map(|a| (*a).to_owned()));
        let mut process = Self {
            base: format!("http://127.0.0.1:{port}"),
            port,
            child: None,
            args: all,
            stderr: dir.path().join(format!("{name}.stderr")),
            stdout: dir.path().join(format!("{name}.stdout")),
            _dir: dir,
        };
        process.restart().await;
        process
    }

    /// Starts the binary again with the same arguments, port and files (after it
    /// exited or was killed) and waits until it is healthy.
    pub async fn restart(&mut self) {
        assert!(self.child.is_none(), "restart of a running process");
        let append = |path: &PathBuf| {
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .unwrap()
        };
        let child = Command::new(env!("CARGO_BIN_EXE_penguin"))
            .args(&self.args)
            .stdout(append(&self.stdout))
            .stderr(append(&self.stderr))
            .spawn()
            .expect("the penguin binary runs");
        self.child = Some(child);
        self.wait_healthy().await;
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

    /// Sends SIGTERM, as systemd does to stop a service.
    pub fn sigterm(&self) {
        let pid = self.child.as_ref().expect("running").id().to_string();
        let status = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(status.success(), "kill -TERM {pid}");
    }

    /// Waits for the process to exit on its own (after [`Process::sigterm`]).
    pub async fn exit_status(&mut self, within: Duration) -> ExitStatus {
        let mut child = self.child.take().expect("running");
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "penguin did not exit within {within:?}; its log:\n{}",
                    self.log()
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    fn pid(&self) -> u32 {
        self.child.as_ref().expect("the process is running").id()
    }

    /// Resident memory (VmRSS), in KiB.
    pub fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap();
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmRSS in /proc/<pid>/status")
    }

    /// File descriptors the process holds open (sockets included).
    /// How many sockets the server holds open (listeners, clients, its database and
    /// Redis connections). Files are left out: the SQLite pool opens its connections as
    /// load asks for them, which says nothing about client connections.
    pub fn open_sockets(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/fd", self.pid()))
            .unwrap()
            .filter_map(|entry| std::fs::read_link(entry.ok()?.path()).ok())
            .filter(|target| target.to_string_lossy().starts_with("socket:"))
            .count()
    }

    /// SIGKILL: no graceful anything.
    pub fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }

    /// Everything the process wrote, standard error first.
    pub fn log(&self) -> String {
        format!("{}{}", self.stderr_text(), self.stdout_text())
    }

    pub fn stdout_text(&self) -> String {
        std::fs::read_to_string(&self.stdout).unwrap_or_default()
    }

    pub fn stderr_text(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
