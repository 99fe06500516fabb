use sea_orm::entity::prelude::*;

/// A QQ group. `member_count` is kept in step with `group_members` inside the same
/// transactions, so the limit can be enforced with one conditional UPDATE.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "groups")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    /// `name` lower-cased: the unique key, so "Chess" and "chess" cannot both exist.
    pub name_key: String,
    pub description: String,
    pub owner_id: i64,
    pub member_limit: i32,
    pub member_count: i32,
    pub invite_code: String,
    pub created_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
