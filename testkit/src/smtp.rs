//! A real SMTP server for tests: Debian's aiosmtpd (`python3-aiosmtpd`, installed by
//! setup) storing what it receives in a Maildir, on a free loopback port.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The interpreter Debian's python3-aiosmtpd is installed for (a pyenv or venv
/// `python3` earlier on PATH would not have it).
const PYTHON: &str = "/usr/bin/python3";

pub struct SmtpSink {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl SmtpSink {
    /// Starts the server and waits until it accepts connections.
    pub fn start() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let port = free_port();
        let child = Command::new(PYTHON)
            .args(["-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Mailbox"])
            .args(["-l", &format!("127.0.0.1:{port}")])
            .arg(dir.path().join("maildir"))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start aiosmtpd ({PYTHON} -m aiosmtpd; run `make setup`): {e}")
            });
        let sink = Self { child, port, dir };
        let deadline = Instant::now() + Duration::from_secs(15);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "aiosmtpd did not start on port {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        sink
    }

    /// `smtp://127.0.0.1:<port>`, for `--smtp-url`.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message received so far (raw RFC 5322 text), oldest first.
    pub fn messages(&self) -> Vec<String> {
        let new = self.dir.path().join("maildir").join("new");
        let mut files: Vec<PathBuf> = std::fs::read_dir(&new)
            .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        files.sort_by_key(|path| modified(path));
        files
            .iter()
            .filter_map(|path| std::fs::read_to_string(path).ok())
            .collect()
    }

    /// Waits (up to 15 s) for the `nth` (0-based) message to `to` and returns it.
    pub async fn wait_for_message(&self, to: &str, nth: usize) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let to_them: Vec<String> = self
                .messages()
                .into_iter()
                .filter(|m| m.lines().any(|l| l.starts_with("To:") && l.contains(to)))
                .collect();
            if let Some(message) = to_them.into_iter().nth(nth) {
                return message;
            }
            assert!(
                Instant::now() < deadline,
                "no message #{nth} to {to} arrived"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

fn modified(path: &Path) -> std::time::SystemTime {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .unwrap_or(std::time::UNIX_EPOCH)
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// The 6-digit code in a mail's `Subject:` line (Penguin puts it there in every
/// language), from an SMTP message or a development-outbox entry.
pub fn code_in_subject(message: &str) -> String {
    let subject = message
        .lines()
        .find(|l| l.starts_with("Subject:"))
        .unwrap_or_else(|| panic!("no Subject line in {message}"));
    let digits: Vec<&str> = subject
        .split(|c: char| !c.is_ascii_digit())
        .filter(|run| run.len() == 6)
        .collect();
    assert_eq!(digits.len(), 1, "one 6-digit code in {subject:?}");
    digits[0].to_owned()
}
