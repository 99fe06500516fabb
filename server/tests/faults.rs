//! Faults of the machine under a running `penguin`: the disk filling up, the database
//! file turning read-only, PostgreSQL becoming unreachable. In each: sends fail with a
//! clear, retryable error (503 `unavailable`), nothing is acknowledged that is not
//! stored (checked after a `kill -9` and restart), and the service recovers by itself
//! once the fault is gone. (`kill -9` under load: ws_durability.rs.)
//!
//! The SQLite faults are made for real, which needs root (as CI runs): a size-limited
//! tmpfs that is then filled, and the ext4 immutable attribute (`chattr +i`).

mod common;

use common::ops::{Api, befriend, read_conversation};
use common::process::Process;
use penguin_testkit::proxy::Proxy;
use serde_json::json;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn run(program: &str, args: &[&str]) {
    let output = Command::new(program).args(args).output().unwrap();
    assert!(
        output.status.success(),
        "{program} {args:?} failed (these tests need root): {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A tmpfs of `size` mounted at `path`, unmounted when dropped.
struct SmallDisk(PathBuf);

impl SmallDisk {
    fn mount(path: &Path, size: &str) -> Self {
        std::fs::create_dir_all(path).unwrap();
        let options = format!("size={size}");
        run(
            "mount",
            &[
                "-t",
                "tmpfs",
                "-o",
                &options,
                "tmpfs",
                path.to_str().unwrap(),
            ],
        );
        Self(path.to_owned())
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// Files made immutable (`chattr +i`: not even root may write them), made writable
/// again when dropped, so a failing test leaves nothing undeletable behind.
struct Immutable(Vec<PathBuf>);

impl Immutable {
    fn set(files: &[PathBuf]) -> Self {
        for file in files {
            run("chattr", &["+i", file.to_str().unwrap()]);
        }
        Self(files.to_vec())
    }
}

impl Drop for Immutable {
    fn drop(&mut self) {
        for file in &self.0 {
            let _ = Command::new("chattr").arg("-i").arg(file).status();
        }
    }
}

/// Ann and Ben, friends, on `server`; Ann's API and Ben's id.
async fn ann_and_ben(server: &Process) -> (Api, i64) {
    let mut ann = Api::new(&server.base);
    ann.register("ann").await;
    let mut ben = Api::new(&server.base);
    let ben_id = ben.register("ben").await;
    befriend(&mut ann, &mut ben, ben_id).await;
    (ann, ben_id)
}

/// What the sends of one test got: acknowledged client ids, and refused ones.
#[derive(Default)]
struct Outcomes {
    acked: BTreeSet<String>,
    refused: BTreeSet<String>,
    conversation: i64,
}

impl Outcomes {
    /// Sends `client_id` as Ann; a refusal must be the clear, retryable one.
    async fn send(&mut self, ann: &mut Api, ben_id: i64, client_id: &str, body: &str) -> bool {
        let (status, answer) = ann
            .post(
                "send_message",
                json!({"client_id": client_id, "to": {"kind": "direct", "user_id": ben_id}, "body": body}),
            )
            .await;
        if status == 200 {
            self.conversation = answer["conversation_id"].as_i64().unwrap();
            self.refused.remove(client_id);
            self.acked.insert(client_id.to_owned());
            true
        } else {
            assert_eq!(
                (status.as_u16(), answer["code"].as_str()),
                (503, Some("unavailable")),
                "a send during a fault: {answer}"
            );
            assert!(
                answer["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("try again")),
                "{answer}"
            );
            self.refused.insert(client_id.to_owned());
            false
        }
    }

    /// Sends new messages until one is stored; within `patience`.
    async fn until_stored(
        &mut self,
        server: &Process,
        ann: &mut Api,
        ben_id: i64,
        tag: &str,
        patience: Duration,
    ) {
        let deadline = Instant::now() + patience;
        for n in 0.. {
            assert!(
                Instant::now() < deadline,
                "the service did not recover; its log:\n{}",
                server.log()
            );
            if self.send(ann, ben_id, &format!("{tag}{n}"), "back").await {
                return;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// After a `kill -9` and restart: every acknowledged message is stored, and none
    /// that was refused (and not resent) is.
    async fn check_stored(&self, server: &mut Process, ann: &Api) {
        server.kill9();
        server.restart().await;
        let stored: BTreeSet<String> = read_conversation(
            &server.base,
            ann.session.as_deref().unwrap(),
            self.conversation,
            "one order after the fault",
        )
        .await
        .into_iter()
        .map(|m| m.client_id)
        .collect();
        let lost: Vec<_> = self.acked.difference(&stored).collect();
        assert!(lost.is_empty(), "acknowledged but not stored: {lost:?}");
        let ghosts: Vec<_> = self.refused.intersection(&stored).collect();
        assert!(ghosts.is_empty(), "refused but stored: {ghosts:?}");
    }
}

/// Fills the file system of `dir` to the last byte with a file it returns.
fn fill(dir: &Path) -> PathBuf {
    use std::io::Write;
    let path = dir.join("filler");
    let mut file = std::fs::File::create(&path).unwrap();
    let block = vec![0u8; 64 * 1024];
    while file.write_all(&block).is_ok() {}
    let small = [0u8; 512];
    while file.write_all(&small).is_ok() {}
    let _ = file.sync_all();
    path
}

#[tokio::test]
async fn a_full_disk_fails_sends_clearly_stores_nothing_unacknowledged_and_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let disk = SmallDisk::mount(&dir.path().join("disk"), "32m");
    let url = format!("sqlite://{}", disk.0.join("penguin.db").display());
    let limits = ["--sends-per-second", "100000", "--send-burst", "100000"];
    let mut server = Process::start(
        "disk-full",
        &[&["--database-url", &url], &limits[..]].concat(),
    )
    .await;
    let (mut ann, ben_id) = ann_and_ben(&server).await;
    let mut outcomes = Outcomes::default();
    assert!(outcomes.send(&mut ann, ben_id, "before", "hello").await);

    // The disk fills up. Sends go on until the database needs space it cannot get: the
    // write-ahead log reuses its pages after a checkpoint, so a few may still fit.
    let filler = fill(&disk.0);
    let body = "字".repeat(4000);
    let mut first_refusal = None;
    for n in 0..3_000 {
        if !outcomes
            .send(&mut ann, ben_id, &format!("full{n}"), &body)
            .await
        {
            first_refusal = Some(n);
            break;
        }
    }
    assert!(
        first_refusal.is_some(),
        "36 MB fitted on a full 32 MiB disk"
    );
    for n in 0..5 {
        outcomes
            .send(&mut ann, ben_id, &format!("still{n}"), &body)
            .await;
    }
    // Reading goes on meanwhile.
    let (status, _) = ann
        .get(&format!(
            "history?conversation_id={}",
            outcomes.conversation
        ))
        .await;
    assert_eq!(status, 200, "history while the disk is full");

    // Space again: the service recovers without a restart, and a refused send resent
    // with its client id (as the browser does) is stored once.
    std::fs::remove_file(filler).unwrap();
    outcomes
        .until_stored(&server, &mut ann, ben_id, "after", Duration::from_secs(15))
        .await;
    let refused = outcomes.refused.iter().next().cloned().unwrap();
    assert!(outcomes.send(&mut ann, ben_id, &refused, "resent").await);
    outcomes.check_stored(&mut server, &ann).await;
    drop(server);
    drop(disk);
}

#[tokio::test]
async fn a_read_only_database_file_fails_sends_clearly_and_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("penguin.db");
    let url = format!("sqlite://{}", file.display());
    let mut server = Process::start("read-only", &["--database-url", &url]).await;
    let (mut ann, ben_id) = ann_and_ben(&server).await;
    let mut outcomes = Outcomes::default();
    assert!(outcomes.send(&mut ann, ben_id, "before", "hello").await);

    // The database and its write-ahead log become read-only under the running server.
    // (Not the `-shm` index: SQLite maps it into memory, and a mapping that cannot be
    // written kills the process with SIGBUS — a fault no server can answer.)
    let wal = dir.path().join("penguin.db-wal");
    let immutable = Immutable::set(&[file.clone(), wal]);
    for n in 0..5 {
        assert!(
            !outcomes
                .send(&mut ann, ben_id, &format!("ro{n}"), "refused")
                .await,
            "a send was acknowledged while the database could not be written"
        );
    }
    let (status, history) = ann
        .get(&format!(
            "history?conversation_id={}",
            outcomes.conversation
        ))
        .await;
    assert_eq!(status, 200, "history while read-only: {history}");

    drop(immutable);
    outcomes
        .until_stored(&server, &mut ann, ben_id, "after", Duration::from_secs(15))
        .await;
    outcomes.check_stored(&mut server, &ann).await;
}

#[tokio::test]
async fn postgres_refusing_connections_for_a_while_fails_sends_clearly_and_recovers() {
    postgres_unreachable("pg-refusing", Proxy::cut).await;
}

/// A partition that drops packets: no error comes back, so only Penguin's own time
/// limits turn the wait into a clear refusal.
#[tokio::test]
async fn postgres_silent_for_a_while_fails_sends_clearly_and_recovers() {
    postgres_unreachable("pg-silent", Proxy::stall).await;
}

/// PostgreSQL behind a proxy that `fault` breaks for a while, then restores.
async fn postgres_unreachable(name: &str, fault: fn(&Proxy)) {
    let Some(db) = penguin_testkit::TestDb::postgres() else {
        return;
    };
    // The server reaches PostgreSQL through a proxy this test can cut.
    let upstream = db.url().parse::<reqwest::Url>().unwrap();
    let upstream_addr = format!(
        "{}:{}",
        upstream.host_str().unwrap(),
        upstream.port().unwrap_or(5432)
    );
    let proxy = Proxy::start(upstream_addr.parse().unwrap()).await;
    let mut proxied = upstream.clone();
    proxied.set_port(Some(proxy.addr.port())).unwrap();
    let mut server = Process::start(
        name,
        &[
            "--database-url",
            proxied.as_str(),
            "--database-schema",
            db.schema().unwrap(),
        ],
    )
    .await;
    let (mut ann, ben_id) = ann_and_ben(&server).await;
    let mut outcomes = Outcomes::default();
    assert!(outcomes.send(&mut ann, ben_id, "before", "hello").await);

    fault(&proxy);
    // Within a bound, or the client (and a load balancer) would wait as long.
    let bound = Duration::from_secs(15);
    for n in 0..3 {
        let started = Instant::now();
        let refused = tokio::time::timeout(
            bound,
            outcomes.send(&mut ann, ben_id, &format!("fault{n}"), "refused"),
        )
        .await
        .unwrap_or_else(|_| panic!("send {n} during the fault: no answer in {bound:?}"));
        assert!(!refused, "send {n} during the fault was acknowledged");
        eprintln!(
            "send {n} during the fault refused after {:?}",
            started.elapsed()
        );
    }
    let health = tokio::time::timeout(bound, reqwest::get(format!("{}/healthz", server.base)))
        .await
        .expect("the health check answers during the fault")
        .unwrap();
    assert_eq!(
        health.status(),
        503,
        "the health check tells the load balancer"
    );

    proxy.restore();
    outcomes
        .until_stored(&server, &mut ann, ben_id, "after", Duration::from_secs(30))
        .await;
    outcomes.check_stored(&mut server, &ann).await;
    drop(server);
    db.cleanup().await;
}
