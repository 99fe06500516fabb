use sea_orm::entity::prelude::*;

/// One per pair of friends (`kind = "direct"`, `user_low < user_high`) and one per QQ
/// group (`kind = "group"`). `last_seq` is the sequence of its newest message: the next
/// one is allocated by incrementing it inside the sending transaction, so numbers are
/// gap-free and ordered whichever node writes.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "conversations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub kind: String,
    pub user_low: Option<i64>,
    pub user_high: Option<i64>,
    pub group_id: Option<i64>,
    pub last_seq: i64,
    pub created_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
