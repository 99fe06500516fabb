//! Sessions, friends, blocks and QQ groups, and the users' search key. Foreign keys
//! cascade from `users` and `groups`, so disbanding a group or deleting an account leaves
//! nothing dangling, with one exception: `groups.owner_id` does not cascade, so an
//! account that owns a group cannot be deleted until the group is handed on or disbanded.

use super::m20261123_000001_create_users::Users;
use super::schema::{big, drop_tables, id, index, timestamp, user_fk};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Sessions {
    Table,
    TokenHash,
    UserId,
    CreatedAt,
    LastSeenAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum FriendRequests {
    Table,
    Id,
    FromUserId,
    ToUserId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Friendships {
    Table,
    UserId,
    FriendId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Blocks {
    Table,
    BlockerId,
    BlockedId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Groups {
    Table,
    Id,
    Name,
    NameKey,
    Description,
    OwnerId,
    MemberLimit,
    MemberCount,
    InviteCode,
    CreatedAt,
}

#[derive(DeriveIden)]
enum GroupMembers {
    Table,
    GroupId,
    UserId,
    Role,
    JoinedAt,
}

#[derive(DeriveIden)]
enum UsersSearch {
    #[sea_orm(iden = "users")]
    Table,
    DisplayName,
    DisplayNameKey,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The display name lower-cased by Rust (full Unicode), for case-insensitive
        // search: SQLite's lower() folds ASCII only.
        manager
            .alter_table(
                Table::alter()
                    .table(UsersSearch::Table)
                    .add_column(
                        ColumnDef::new(UsersSearch::DisplayNameKey)
                            .string_len(256)
                            .not_null()
                            .default(""),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::update()
                    .table(UsersSearch::Table)
                    .value(
                        UsersSearch::DisplayNameKey,
                        Func::lower(Expr::col(UsersSearch::DisplayName)),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Sessions::Table)
                    .col(
                        ColumnDef::new(Sessions::TokenHash)
                            .string_len(64)
                            .not_null()
                            .primary_key(),
                    )
                    .col(big(Sessions::UserId))
                    .col(timestamp(Sessions::CreatedAt))
                    .col(timestamp(Sessions::LastSeenAt))
                    .col(timestamp(Sessions::ExpiresAt))
                    .foreign_key(&mut user_fk(
                        "sessions_user_fk",
                        Sessions::Table,
                        Sessions::UserId,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("sessions_user_idx", Sessions::Table, &["user_id"]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(FriendRequests::Table)
                    .col(id(FriendRequests::Id))
                    .col(big(FriendRequests::FromUserId))
                    .col(big(FriendRequests::ToUserId))
                    .col(timestamp(FriendRequests::CreatedAt))
                    .foreign_key(&mut user_fk(
                        "friend_requests_from_fk",
                        FriendRequests::Table,
                        FriendRequests::FromUserId,
                    ))
                    .foreign_key(&mut user_fk(
                        "friend_requests_to_fk",
                        FriendRequests::Table,
                        FriendRequests::ToUserId,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index(
                    "friend_requests_pair_key",
                    FriendRequests::Table,
                    &["from_user_id", "to_user_id"],
                )
                .unique()
                .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "friend_requests_to_idx",
                FriendRequests::Table,
                &["to_user_id"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Friendships::Table)
                    .col(big(Friendships::UserId))
                    .col(big(Friendships::FriendId))
                    .col(timestamp(Friendships::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(Friendships::UserId)
                            .col(Friendships::FriendId),
                    )
                    .foreign_key(&mut user_fk(
                        "friendships_user_fk",
                        Friendships::Table,
                        Friendships::UserId,
                    ))
                    .foreign_key(&mut user_fk(
                        "friendships_friend_fk",
                        Friendships::Table,
                        Friendships::FriendId,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Blocks::Table)
                    .col(big(Blocks::BlockerId))
                    .col(big(Blocks::BlockedId))
                    .col(timestamp(Blocks::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(Blocks::BlockerId)
                            .col(Blocks::BlockedId),
                    )
                    .foreign_key(&mut user_fk(
                        "blocks_blocker_fk",
                        Blocks::Table,
                        Blocks::BlockerId,
                    ))
                    .foreign_key(&mut user_fk(
                        "blocks_blocked_fk",
                        Blocks::Table,
                        Blocks::BlockedId,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("blocks_blocked_idx", Blocks::Table, &["blocked_id"]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Groups::Table)
                    .col(id(Groups::Id))
                    .col(ColumnDef::new(Groups::Name).string_len(64).not_null())
                    .col(ColumnDef::new(Groups::NameKey).string_len(256).not_null())
                    .col(ColumnDef::new(Groups::Description).text().not_null())
                    .col(big(Groups::OwnerId))
                    .col(ColumnDef::new(Groups::MemberLimit).integer().not_null())
                    .col(ColumnDef::new(Groups::MemberCount).integer().not_null())
                    .col(ColumnDef::new(Groups::InviteCode).string_len(32).not_null())
                    .col(timestamp(Groups::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("groups_owner_fk")
                            .from(Groups::Table, Groups::OwnerId)
                            .to(Users::Table, Users::Id),
                    )
                    .check(Expr::col(Groups::MemberCount).lte(Expr::col(Groups::MemberLimit)))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index("groups_name_key", Groups::Table, &["name_key"])
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index("groups_invite_code_key", Groups::Table, &["invite_code"])
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(GroupMembers::Table)
                    .col(big(GroupMembers::GroupId))
                    .col(big(GroupMembers::UserId))
                    .col(ColumnDef::new(GroupMembers::Role).string_len(8).not_null())
                    .col(timestamp(GroupMembers::JoinedAt))
                    .primary_key(
                        Index::create()
                            .col(GroupMembers::GroupId)
                            .col(GroupMembers::UserId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("group_members_group_fk")
                            .from(GroupMembers::Table, GroupMembers::GroupId)
                            .to(Groups::Table, Groups::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(&mut user_fk(
                        "group_members_user_fk",
                        GroupMembers::Table,
                        GroupMembers::UserId,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "group_members_user_idx",
                GroupMembers::Table,
                &["user_id"],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            vec![
                GroupMembers::Table.into_iden(),
                Groups::Table.into_iden(),
                Blocks::Table.into_iden(),
                Friendships::Table.into_iden(),
                FriendRequests::Table.into_iden(),
                Sessions::Table.into_iden(),
            ],
        )
        .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(UsersSearch::Table)
                    .drop_column(UsersSearch::DisplayNameKey)
                    .to_owned(),
            )
            .await
    }
}
