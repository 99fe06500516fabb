//! The migrations on both real backends: apply, re-apply (no-op), roll back, re-apply,
//! and the constraints they promise.

use chrono::Utc;
use penguin_domain::entity::user;
use penguin_domain::migration::Migrator;
use penguin_domain::{Core, DatabaseSettings};
use penguin_testkit::TestDb;
use sea_orm::{ActiveModelTrait, EntityTrait, PaginatorTrait, Set};
use sea_orm_migration::{MigratorTrait, SchemaManager};

/// Every migration, oldest first, with the tables it creates.
const MIGRATIONS: [(&str, &[&str]); 5] = [
    ("m20261123_000001_create_users", &["users"]),
    (
        "m20261123_000002_sessions_and_social_graph",
        &[
            "sessions",
            "friend_requests",
            "friendships",
            "blocks",
            "groups",
            "group_members",
        ],
    ),
    (
        "m20261123_000003_conversations_and_messages",
        &["conversations", "messages", "read_positions"],
    ),
    ("m20261123_000004_email_codes", &["email_codes"]),
    // Two columns of `users`, no table.
    ("m20261201_000005_admins_and_disabled_users", &[]),
];

fn names(migrations: &[(&str, &[&str])]) -> Vec<String> {
    migrations
        .iter()
        .map(|(name, _)| (*name).to_owned())
        .collect()
}

async fn assert_all_tables(
    manager: &SchemaManager<'_>,
    migrations: &[(&str, &[&str])],
    exist: bool,
) {
    for (_, tables) in migrations {
        assert_tables(manager, tables, exist).await;
    }
}

async fn tables_present(manager: &SchemaManager<'_>, tables: &[&str]) -> Vec<String> {
    let mut present = Vec::new();
    for table in tables {
        if manager.has_table(*table).await.unwrap() {
            present.push((*table).to_owned());
        }
    }
    present
}

async fn assert_tables(manager: &SchemaManager<'_>, tables: &[&str], exist: bool) {
    let present = tables_present(manager, tables).await;
    if exist {
        assert_eq!(present, tables, "all of these tables must exist");
    } else {
        assert!(present.is_empty(), "these tables must be gone: {present:?}");
    }
}

async fn applied(core: &Core) -> Vec<String> {
    Migrator::get_applied_migrations(&core.db.conn)
        .await
        .unwrap()
        .iter()
        .map(|m| m.name().to_owned())
        .collect()
}

async fn new_user(core: &Core, username: &str) -> Result<user::Model, sea_orm::DbErr> {
    user::ActiveModel {
        username: Set(username.to_owned()),
        display_name: Set(username.to_uppercase()),
        display_name_key: Set(username.to_lowercase()),
        password_hash: Set("not-a-real-hash".to_owned()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&core.db.conn)
    .await
}

async fn migrations_apply_roll_back_and_reapply(settings: &DatabaseSettings) {
    let core = Core::open(settings).await.expect("first open migrates");
    let manager = SchemaManager::new(&core.db.conn);
    assert_all_tables(&manager, &MIGRATIONS, true).await;
    let known: Vec<String> = Migrator::migrations()
        .iter()
        .map(|m| m.name().to_owned())
        .collect();
    assert_eq!(
        known,
        names(&MIGRATIONS),
        "a new migration needs this test updated"
    );
    assert_eq!(applied(&core).await, names(&MIGRATIONS));
    assert!(
        Migrator::get_pending_migrations(&core.db.conn)
            .await
            .unwrap()
            .is_empty()
    );

    let info = core.server_info().await.unwrap();
    assert_eq!(info.users, 0);
    assert_eq!(info.schema_version, MIGRATIONS[MIGRATIONS.len() - 1].0);

    let alice = new_user(&core, "alice").await.unwrap();
    assert!(alice.id > 0);
    assert!(
        new_user(&core, "alice").await.is_err(),
        "usernames must be unique"
    );
    assert_eq!(core.server_info().await.unwrap().users, 1);

    // A second start finds nothing to do and keeps the data.
    let again = Core::open(settings).await.expect("second open");
    assert_eq!(user::Entity::find().count(&again.db.conn).await.unwrap(), 1);
    assert_eq!(applied(&again).await, names(&MIGRATIONS));

    // Rolling back one migration at a time removes its tables only, down to the first.
    for kept in (1..MIGRATIONS.len()).rev() {
        Migrator::down(&core.db.conn, Some(1)).await.unwrap();
        assert_all_tables(&manager, &MIGRATIONS[kept..], false).await;
        assert_all_tables(&manager, &MIGRATIONS[..kept], true).await;
        assert_eq!(applied(&core).await, names(&MIGRATIONS[..kept]));
        let info = core.server_info().await.unwrap();
        assert_eq!(info.schema_version, MIGRATIONS[kept - 1].0);
        assert_eq!(info.users, 1, "the users survive");
    }
    Migrator::up(&core.db.conn, None).await.unwrap();
    assert_all_tables(&manager, &MIGRATIONS, true).await;
    assert_eq!(applied(&core).await, names(&MIGRATIONS));

    // Rolling everything back removes every table; applying again recreates them empty.
    Migrator::down(&core.db.conn, None).await.unwrap();
    assert_all_tables(&manager, &MIGRATIONS, false).await;
    assert!(applied(&core).await.is_empty());
    Migrator::up(&core.db.conn, None).await.unwrap();
    assert_all_tables(&manager, &MIGRATIONS, true).await;
    assert_eq!(applied(&core).await, names(&MIGRATIONS));
    let info = core.server_info().await.unwrap();
    assert_eq!(info.users, 0);

    // The re-created schema works end to end: a registration and a session.
    let session = core
        .register(
            penguin_domain::Registration {
                username: "alice".into(),
                display_name: "Alice".into(),
                password: "correct horse battery".into(),
            },
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        core.authenticate(&session.token).await.unwrap(),
        session.caller
    );
}

#[tokio::test]
async fn sqlite_migrations() {
    let db = TestDb::sqlite();
    migrations_apply_roll_back_and_reapply(&db.settings).await;
    db.cleanup().await;
}

#[tokio::test]
async fn postgres_migrations() {
    let Some(db) = TestDb::postgres() else { return };
    migrations_apply_roll_back_and_reapply(&db.settings).await;
    let core = db.open().await;
    assert_eq!(core.backend(), penguin_protocol::DatabaseBackend::Postgres);
    db.cleanup().await;
}

#[tokio::test]
async fn health_reports_a_reachable_database() {
    let db = TestDb::sqlite();
    let core = db.open().await;
    let report = core.health().await;
    assert!(report.database.reachable);
    assert_eq!(report.status, penguin_protocol::health::HealthStatus::Ok);
    // A closed pool is what an unreachable database looks like to the server.
    core.db.conn.close_by_ref().await.unwrap();
    let report = core.health().await;
    assert!(!report.database.reachable);
    assert_eq!(
        report.status,
        penguin_protocol::health::HealthStatus::Degraded
    );
    db.cleanup().await;
}
