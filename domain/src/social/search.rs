//! Finding people to add: by username prefix or display-name substring.

use crate::accounts::Caller;
use crate::core::Core;
use crate::entity::{block, friend_request, friendship, user};
use crate::error::DomainError;
use penguin_protocol::{Relation, UserCard, UserId, rules};
use sea_orm::sea_query::{Expr, ExprTrait, LikeExpr};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait,
};
use std::collections::HashSet;

/// Enough for a picker; refine the query for more.
const SEARCH_LIMIT: u64 = 20;

/// `%`, `_` and the escape character itself match literally.
fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

impl Core {
    /// Users whose username starts with `query` or whose display name contains it,
    /// case-insensitively, with what each is to the caller. Users who blocked the caller
    /// do not appear.
    pub async fn search_users(
        &self,
        caller: &Caller,
        query: &str,
    ) -> Result<Vec<UserCard>, DomainError> {
        let query = rules::search_query(query)?;
        let me = caller.id();
        let needle = escape_like(&query.to_lowercase());
        let blocked_me = block::Entity::find()
            .filter(block::Column::BlockedId.eq(me))
            .select_only()
            .column(block::Column::BlockerId)
            .into_query();
        let found = user::Entity::find()
            .filter(
                Condition::any()
                    .add(
                        Expr::col(user::Column::Username)
                            .like(LikeExpr::new(format!("{needle}%")).escape('\\')),
                    )
                    .add(
                        Expr::col(user::Column::DisplayNameKey)
                            .like(LikeExpr::new(format!("%{needle}%")).escape('\\')),
                    ),
            )
            .filter(user::Column::Id.not_in_subquery(blocked_me))
            .order_by_asc(user::Column::Username)
            .limit(SEARCH_LIMIT)
            .all(&self.db.conn)
            .await?;
        let ids: Vec<UserId> = found.iter().map(|u| u.id).collect();
        let relations = self.relations(me, &ids).await?;
        Ok(found
            .into_iter()
            .map(|user| {
                let relation = relations.of(me, user.id);
                UserCard {
                    user: user.into(),
                    relation,
                }
            })
            .collect())
    }

    async fn relations(&self, me: UserId, ids: &[UserId]) -> Result<Relations, DomainError> {
        use block::Column as B;
        use friend_request::Column as R;
        use friendship::Column as F;
        let conn = &self.db.conn;
        Ok(Relations {
            friends: others_among::<friendship::Entity>(conn, F::UserId, F::FriendId, me, ids)
                .await?,
            sent: others_among::<friend_request::Entity>(conn, R::FromUserId, R::ToUserId, me, ids)
                .await?,
            received: others_among::<friend_request::Entity>(
                conn,
                R::ToUserId,
                R::FromUserId,
                me,
                ids,
            )
            .await?,
            blocked: others_among::<block::Entity>(conn, B::BlockerId, B::BlockedId, me, ids)
                .await?,
        })
    }
}

/// The users among `ids` that appear in `other` on rows of `E` whose `mine` is `me`.
async fn others_among<E: EntityTrait>(
    conn: &DatabaseConnection,
    mine: E::Column,
    other: E::Column,
    me: UserId,
    ids: &[UserId],
) -> Result<HashSet<UserId>, DomainError> {
    let found: Vec<UserId> = E::find()
        .filter(mine.eq(me))
        .filter(other.is_in(ids.iter().copied()))
        .select_only()
        .column(other)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(found.into_iter().collect())
}

struct Relations {
    friends: HashSet<UserId>,
    sent: HashSet<UserId>,
    received: HashSet<UserId>,
    blocked: HashSet<UserId>,
}

impl Relations {
    fn of(&self, me: UserId, other: UserId) -> Relation {
        if other == me {
            Relation::Me
        } else if self.blocked.contains(&other) {
            Relation::Blocked
        } else if self.friends.contains(&other) {
            Relation::Friend
        } else if self.received.contains(&other) {
            Relation::RequestReceived
        } else if self.sent.contains(&other) {
            Relation::RequestSent
        } else {
            Relation::None
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn like_metacharacters_are_escaped() {
        assert_eq!(super::escape_like(r"50%_a\b"), r"50\%\_a\\b");
    }
}
