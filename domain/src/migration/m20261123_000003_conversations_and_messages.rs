//! Conversations, messages and read positions: the storage of the delivery contract.

use super::schema::{big, cascade, drop_tables, id, timestamp, user_fk};
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

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Conversations::Table)
                    .col(id(Conversations::Id))
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
                    .col(timestamp(Conversations::CreatedAt))
                    .foreign_key(&mut user_fk(
                        "conversations_user_low_fk",
                        Conversations::Table,
                        Conversations::UserLow,
                    ))
                    .foreign_key(&mut user_fk(
                        "conversations_user_high_fk",
                        Conversations::Table,
                        Conversations::UserHigh,
                    ))
                    .foreign_key(&mut cascade(
                        "conversations_group_fk",
                        (Conversations::Table, Conversations::GroupId),
                        (Groups::Table, Groups::Id),
                    ))
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
                    .col(id(Messages::Id))
                    .col(big(Messages::ConversationId))
                    .col(big(Messages::Seq))
                    .col(big(Messages::SenderId))
                    .col(ColumnDef::new(Messages::ClientId).string_len(64).not_null())
                    .col(ColumnDef::new(Messages::Body).text().not_null())
                    .col(timestamp(Messages::SentAt))
                    .foreign_key(&mut cascade(
                        "messages_conversation_fk",
                        (Messages::Table, Messages::ConversationId),
                        (Conversations::Table, Conversations::Id),
                    ))
                    .foreign_key(&mut user_fk(
                        "messages_sender_fk",
                        Messages::Table,
                        Messages::SenderId,
                    ))
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
                    .col(big(ReadPositions::UserId))
                    .col(big(ReadPositions::ConversationId))
                    .col(big(ReadPositions::LastReadSeq))
                    .primary_key(
                        Index::create()
                            .col(ReadPositions::UserId)
                            .col(ReadPositions::ConversationId),
                    )
                    .foreign_key(&mut user_fk(
                        "read_positions_user_fk",
                        ReadPositions::Table,
                        ReadPositions::UserId,
                    ))
                    .foreign_key(&mut cascade(
                        "read_positions_conversation_fk",
                        (ReadPositions::Table, ReadPositions::ConversationId),
                        (Conversations::Table, Conversations::Id),
                    ))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            vec![
                ReadPositions::Table.into_iden(),
                Messages::Table.into_iden(),
                Conversations::Table.into_iden(),
            ],
        )
        .await
    }
}
