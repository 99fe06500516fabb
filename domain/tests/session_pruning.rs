//! Expired sessions are refused and pruned.

use chrono::{TimeDelta, Utc};
use penguin_domain::entity::session;
use penguin_domain::{CoreSettings, DomainError, Registration};
use penguin_protocol::ErrorCode;
use penguin_testkit::TestDb;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

#[tokio::test]
async fn expired_sessions_are_refused_then_pruned() {
    let db = TestDb::sqlite();
    let core = penguin_domain::Core::open_with(&db.settings, CoreSettings::default())
        .await
        .unwrap();
    let registration = |name: &str| Registration {
        username: name.to_owned(),
        display_name: name.to_owned(),
        password: "correct horse battery".to_owned(),
    };
    let old = core.register(registration("old"), None).await.unwrap();
    let fresh = core.register(registration("fresh"), None).await.unwrap();
    // Age the first session past its expiry.
    session::Entity::update_many()
        .col_expr(
            session::Column::ExpiresAt,
            Expr::value(Utc::now() - TimeDelta::minutes(1)),
        )
        .filter(session::Column::UserId.eq(old.user.id))
        .exec(&core.db.conn)
        .await
        .unwrap();
    assert!(matches!(
        core.authenticate(&old.token).await,
        Err(DomainError::Refused(ErrorCode::Unauthenticated))
    ));
    assert_eq!(core.prune_expired_sessions().await.unwrap(), 1);
    assert_eq!(
        session::Entity::find().count(&core.db.conn).await.unwrap(),
        1
    );
    assert_eq!(
        core.authenticate(&fresh.token).await.unwrap().id(),
        fresh.user.id
    );
    db.cleanup().await;
}
