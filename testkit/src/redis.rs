//! Redis for the cluster tests: the machine's (`PENGUIN_TEST_REDIS_URL`), with a key
//! prefix of the test's own so tests running at once keep apart, or a private
//! `redis-server` on a free port that a test may stop and start again.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The test Redis, or `None` when none was given (see [`crate::service_url`]).
pub fn redis_url() -> Option<String> {
    crate::service_url("PENGUIN_TEST_REDIS_URL")
}

/// A Redis key prefix no other test uses.
pub fn unique_prefix() -> String {
    format!("penguin-test-{}", crate::unique_suffix('-'))
}

/// A `redis-server` of the test's own, keeping nothing on disk, as in production.
pub struct PrivateRedis {
    pub port: u16,
    child: Option<Child>,
}

impl PrivateRedis {
    pub fn start() -> Self {
        let port = free_port();
        let mut redis = Self { port, child: None };
        redis.resume();
        redis
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Kills the server (SIGKILL: no goodbye to its clients).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port, empty, and waits until it answers.
    pub fn resume(&mut self) {
        assert!(self.child.is_none(), "already running");
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server (Debian package redis-server) is on PATH");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "redis-server did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A free TCP port on loopback (free when asked; good enough for tests).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("a free port")
}
