//! The migrations on both real backends: apply, re-apply (no-op), roll back, re-apply,
//! and the constraints they promise.

use chrono::Utc;
use penguin_domain::entity::user;
use penguin_domain::migration::Migrator;
use penguin_domain::{Core, DatabaseSettings};
use penguin_testkit::TestDb;
use sea_orm::{ActiveModelTrait, EntityTrait, PaginatorTrait, Set};
use sea_orm_migration::{MigratorTrait, SchemaManager};

async fn new_user(core: &Core, username: &str) -> Result<user::Model, sea_orm::DbErr> {
    user::ActiveModel {
        username: Set(username.to_owned()),
        display_name: Set(username.to_uppercase()),
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
    assert!(manager.has_table("users").await.unwrap());
    assert!(
        Migrator::get_pending_migrations(&core.db.conn)
            .await
            .unwrap()
            .is_empty()
    );

    let info = core.server_info().await.unwrap();
    assert_eq!(info.users, 0);
    assert_eq!(info.schema_version, "m20261123_000001_create_users");

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

    // Rolling everything back removes the table; applying again recreates it empty.
    Migrator::down(&core.db.conn, None).await.unwrap();
    assert!(!manager.has_table("users").await.unwrap());
    Migrator::up(&core.db.conn, None).await.unwrap();
    assert!(manager.has_table("users").await.unwrap());
    assert_eq!(core.server_info().await.unwrap().users, 0);
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
