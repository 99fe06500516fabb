//! Conversations, messages and read positions: the storage of the delivery contract.

use super::m20261123_000001_create_users::Users;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Conversations {
    Table,
    Id,
    Kind,
    UserLow,
    UserHigh,
    GroupId,
    LastSeq,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    Id,
    ConversationId,
    Seq,
    SenderId,
    ClientId,
    Body,
    SentAt,
}

#[derive(DeriveIden)]
enum ReadPositions {
    Table,
    UserId,
    ConversationId,
    LastReadSeq,
}

#[derive(DeriveIden)]
enum Groups {
    Table,
    Id,
}

fn cascade(name: &str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Conversations::Table)
                    .col(
                        ColumnDef::new(Conversations::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Conversations::Kind).string_len(8).not_null())
                    .col(ColumnDef::new(Conversations::UserLow).big_integer())
                    .col(ColumnDef::new(Conversations::UserHigh).big_integer())
                    .col(ColumnDef::new(Conversations::GroupId).big_integer())
                    .col(
                        ColumnDef::new(Conversations::LastSeq)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .col(
                        ColumnDef::new(Conversations::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        cascade("conversations_user_low_fk")
                            .from(Conversations::Table, Conversations::UserLow)
                            .to(Users::Table, Users::Id),
                    )
                    .foreign_key(
                        cascade("conversations_user_high_fk")
                            .from(Conversations::Table, Conversations::UserHigh)
                            .to(Users::Table, Users::Id),
                    )
                    .foreign_key(
                        cascade("conversations_group_fk")
                            .from(Conversations::Table, Conversations::GroupId)
                            .to(Groups::Table, Groups::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // NULLs never collide in a unique index: direct rows are unique by the pair,
        // group rows by the group.
        manager
            .create_index(
                Index::create()
                    .name("conversations_direct_key")
                    .table(Conversations::Table)
                    .col(Conversations::UserLow)
                    .col(Conversations::UserHigh)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("conversations_group_key")
                    .table(Conversations::Table)
                    .col(Conversations::GroupId)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Messages::Table)
                    .col(
                        ColumnDef::new(Messages::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(Messages::ConversationId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Messages::Seq).big_integer().not_null())
                    .col(ColumnDef::new(Messages::SenderId).big_integer().not_null())
                    .col(ColumnDef::new(Messages::ClientId).string_len(64).not_null())
                    .col(ColumnDef::new(Messages::Body).text().not_null())
                    .col(
                        ColumnDef::new(Messages::SentAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        cascade("messages_conversation_fk")
                            .from(Messages::Table, Messages::ConversationId)
                            .to(Conversations::Table, Conversations::Id),
                    )
                    .foreign_key(
                        cascade("messages_sender_fk")
                            .from(Messages::Table, Messages::SenderId)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // The keyset of history and catch-up: `WHERE conversation_id = ? AND seq > ?`.
        manager
            .create_index(
                Index::create()
                    .name("messages_conversation_seq_key")
                    .table(Messages::Table)
                    .col(Messages::ConversationId)
                    .col(Messages::Seq)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("messages_sender_client_key")
                    .table(Messages::Table)
                    .col(Messages::SenderId)
                    .col(Messages::ClientId)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ReadPositions::Table)
                    .col(
                        ColumnDef::new(ReadPositions::UserId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ReadPositions::ConversationId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ReadPositions::LastReadSeq)
                            .big_integer()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(ReadPositions::UserId)
                            .col(ReadPositions::ConversationId),
                    )
                    .foreign_key(
                        cascade("read_positions_user_fk")
                            .from(ReadPositions::Table, ReadPositions::UserId)
                            .to(Users::Table, Users::Id),
                    )
                    .foreign_key(
                        cascade("read_positions_conversation_fk")
                            .from(ReadPositions::Table, ReadPositions::ConversationId)
                            .to(Conversations::Table, Conversations::Id),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ReadPositions::Table.into_iden(),
            Messages::Table.into_iden(),
            Conversations::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
