use sea_orm::entity::prelude::*;

/// A 6-digit code mailed to `email`, for `purpose` (`sign_in`, `register` or `verify`).
/// Only a salted SHA-256 of the code is stored. Dead once used, expired, replaced by a
/// newer code for the same address and purpose, or after 5 wrong tries.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "email_codes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub purpose: String,
    pub email: String,
    /// The account it signs in to (`sign_in`) or verifies an address for (`verify`).
    pub user_id: Option<i64>,
    /// `salt:sha256(salt:code)`, hex.
    pub code_hash: String,
    pub attempts: i32,
    pub expires_at: ChronoDateTimeUtc,
    pub used_at: Option<ChronoDateTimeUtc>,
    pub created_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
