//! Versioned schema migrations, run at every start (`Core::open`). Each migration is a
//! module named after the date it was written; never edit one that has shipped, add a new
//! one. They are written with sea-query so the same code serves SQLite and PostgreSQL.

use sea_orm_migration::prelude::*;

mod m20261123_000001_create_users;
mod m20261123_000002_sessions_and_social_graph;
mod m20261123_000003_conversations_and_messages;
mod m20261123_000004_email_codes;
mod m20261201_000005_admins_and_disabled_users;
mod schema;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_create_users::Migration),
            Box::new(m20261123_000002_sessions_and_social_graph::Migration),
            Box::new(m20261123_000003_conversations_and_messages::Migration),
            Box::new(m20261123_000004_email_codes::Migration),
            Box::new(m20261201_000005_admins_and_disabled_users::Migration),
        ]
    }
}
