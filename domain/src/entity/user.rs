use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub username: String,
    pub display_name: String,
    /// `display_name` lower-cased (Unicode), what search matches against.
    pub display_name_key: String,
    pub password_hash: String,
    /// A verified e-mail address (lower-case, unique), for signing in with a code.
    pub email: Option<String>,
    pub created_at: ChronoDateTimeUtc,
    /// May open /admin and call its server functions (set with `penguin admin make-admin`).
    pub is_admin: bool,
    /// When an administrator disabled the account: it cannot sign in.
    pub disabled_at: Option<ChronoDateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
