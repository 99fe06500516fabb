//! E-mail addresses on accounts and the codes mailed to them.

use super::schema::{id, timestamp, user_fk};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum UsersEmail {
    #[sea_orm(iden = "users")]
    Table,
    Email,
}

#[derive(DeriveIden)]
enum EmailCodes {
    Table,
    Id,
    Purpose,
    Email,
    UserId,
    CodeHash,
    Attempts,
    ExpiresAt,
    UsedAt,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(UsersEmail::Table)
                    .add_column(ColumnDef::new(UsersEmail::Email).string_len(254).null())
                    .to_owned(),
            )
            .await?;
        // NULLs do not collide: many accounts without an address, each address once.
        manager
            .create_index(
                Index::create()
                    .name("users_email_key")
                    .table(UsersEmail::Table)
                    .col(UsersEmail::Email)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(EmailCodes::Table)
                    .col(id(EmailCodes::Id))
                    .col(
                        ColumnDef::new(EmailCodes::Purpose)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(ColumnDef::new(EmailCodes::Email).string_len(254).not_null())
                    .col(ColumnDef::new(EmailCodes::UserId).big_integer().null())
                    .col(
                        ColumnDef::new(EmailCodes::CodeHash)
                            .string_len(128)
                            .not_null(),
                    )
                    .col(ColumnDef::new(EmailCodes::Attempts).integer().not_null())
                    .col(timestamp(EmailCodes::ExpiresAt))
                    .col(
                        ColumnDef::new(EmailCodes::UsedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(timestamp(EmailCodes::CreatedAt))
                    .foreign_key(&mut user_fk(
                        "email_codes_user_fk",
                        EmailCodes::Table,
                        EmailCodes::UserId,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("email_codes_email_idx")
                    .table(EmailCodes::Table)
                    .col(EmailCodes::Email)
                    .col(EmailCodes::Purpose)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(EmailCodes::Table).to_owned())
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("users_email_key")
                    .table(UsersEmail::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(UsersEmail::Table)
                    .drop_column(UsersEmail::Email)
                    .to_owned(),
            )
            .await
    }
}
