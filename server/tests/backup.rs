//! `penguin backup` beside a running server under write load, and `penguin restore`:
//! the backup holds every message acknowledged before it started, in one gap-free order
//! (a consistent snapshot, not a torn copy); restore refuses while a server has the
//! database open, and after it the server serves exactly that snapshot.

mod common;

use common::ops::{Api, Sender, befriend, connect, penguin, penguin_ok, read_conversation};
use common::process::Process;
use penguin_protocol::Destination;
use std::time::Duration;

#[tokio::test]
async fn a_backup_under_write_load_restores_every_acknowledged_message() {
    let dir = tempfile::tempdir().unwrap();
    let db_file = dir.path().join("data").join("penguin.db");
    let db_url = format!("sqlite://{}", db_file.display());
    let backup_file = dir.path().join("backups").join("penguin-1.db");
    std::fs::create_dir_all(backup_file.parent().unwrap()).unwrap();
    let backup = backup_file.to_str().unwrap().to_owned();
    let args = [
        "--database-url",
        &db_url,
        "--sends-per-second",
        "100000",
        "--send-burst",
        "100000",
    ];
    let mut server = Process::start("backup", &args).await;

    let mut ann = Api::new(&server.base);
    ann.register("ann").await;
    let mut ben = Api::new(&server.base);
    let ben_id = ben.register("ben").await;
    befriend(&mut ann, &mut ben, ben_id).await;

    // Ann writes steadily for about two seconds.
    let base = server.base.clone();
    let writer = tokio::spawn(
        Sender {
            name: "ann".into(),
            session: ann.session.clone().unwrap(),
            to: Destination::Direct { user_id: ben_id },
            acked: Vec::new(),
            closes: Vec::new(),
        }
        .run(
            move || base.clone(),
            400,
            Duration::from_millis(5),
            Duration::from_secs(60),
        ),
    );
    // What Ben has seen acknowledged before the backup starts must be in it. Waits
    // until the writing is well under way (however fast this machine commits).
    let mut before = Vec::new();
    for _ in 0..200 {
        (_, before) = connect(&server.base, ben.session.as_deref().unwrap(), vec![])
            .await
            .unwrap();
        if before.len() >= 20 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(before.len() >= 20, "writing had begun: {}", before.len());
    let db_arg = ["--database-url", db_url.as_str()];
    let report = penguin_ok(&[&db_arg[..], &["backup", "--to", &backup]].concat(), None);
    assert!(report.contains("backup written"), "{report}");
    // A backup never overwrites.
    let again = penguin(&[&db_arg[..], &["backup", "--to", &backup]].concat(), None);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));

    let writer = writer.await.unwrap();
    assert_eq!(
        writer.acked.len(),
        400,
        "the backup did not disturb the writer"
    );

    // No restore under a running server.
    let refused = penguin(
        &[&db_arg[..], &["restore", "--from", &backup]].concat(),
        None,
    );
    assert!(
        !refused.status.success(),
        "restore must refuse while serving"
    );
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("in use by a running Penguin"), "{stderr}");

    server.sigterm();
    assert!(server.exit_status(Duration::from_secs(15)).await.success());
    let restored = penguin_ok(
        &[&db_arg[..], &["restore", "--from", &backup]].concat(),
        None,
    );
    assert!(restored.contains("database restored"), "{restored}");
    assert!(
        dir.path().join("data/penguin.db.before-restore").exists(),
        "the replaced database is kept"
    );

    server.restart().await;
    let mut ben = Api::new(&server.base);
    assert!(ben.sign_in("ben", common::ops::PASSWORD).await.is_success());
    let conversation_id = before[0].conversation_id;
    let stored = read_conversation(
        &server.base,
        ben.session.as_deref().unwrap(),
        conversation_id,
        "the snapshot is gap-free",
    )
    .await;
    assert!(
        stored.len() >= before.len() && stored.len() < 400,
        "the backup is of a moment during the writes: {} of 400",
        stored.len()
    );
    for (message, seen) in stored.iter().zip(&before) {
        assert_eq!(message, seen, "acknowledged before the backup, so in it");
    }
    for ack in &writer.acked[..stored.len()] {
        let message = &stored[usize::try_from(ack.seq - 1).unwrap()];
        assert_eq!(message.client_id, ack.client_id);
    }
}

#[tokio::test]
async fn backup_and_restore_refuse_what_they_cannot_do() {
    let dir = tempfile::tempdir().unwrap();
    let missing = format!("sqlite://{}", dir.path().join("none.db").display());
    let out = penguin(
        &["--database-url", &missing, "backup", "--to", "/tmp/x.db"],
        None,
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("there is no database"));

    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, b"not a database at all, just bytes").unwrap();
    let target = format!("sqlite://{}", dir.path().join("target.db").display());
    let out = penguin(
        &[
            "--database-url",
            &target,
            "restore",
            "--from",
            junk.to_str().unwrap(),
        ],
        None,
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("is not a usable Penguin backup"),
        "{stderr}"
    );
    assert!(
        !dir.path().join("target.db").exists(),
        "nothing was replaced"
    );

    let postgres = "postgres://postgres@127.0.0.1:5432/test";
    let out = penguin(
        &["--database-url", postgres, "backup", "--to", "/tmp/x.db"],
        None,
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("pg_dump"));
}
