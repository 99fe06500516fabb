//! Administering the server: accounts (create, reset a password, make an administrator,
//! disable), groups with members, and an overview.
//!
//! Every operation takes an [`Admin`], the proof that the caller may administer. The
//! /admin page gets one from [`Core::admin`], which checks the signed-in user's
//! `is_admin` flag in the database on every call (a revoked administrator loses access at
//! once). The `penguin admin` command line gets one from [`Admin::console`]: whoever can
//! run it with the server's configuration can read and write the database anyway.

use crate::accounts::{Caller, Registration};
use crate::core::Core;
use crate::entity::{group, message, session, user};
use crate::error::{DomainError, refuse};
use crate::social::{NewGroup, millis};
use chrono::Utc;
use penguin_protocol::admin::{AdminGroup, AdminUser, ServerOverview};
use penguin_protocol::{ErrorCode, UserId, UserSummary, rules};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use std::collections::HashMap;

/// The right to administer this server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Admin {
    /// The administrator signed in on the page; `None` for the command line.
    acting: Option<UserId>,
}

impl Admin {
    /// The command line (`penguin admin …`), run by the server's operator.
    pub fn console() -> Self {
        Self { acting: None }
    }

    /// Refuses an administrator's change to their own account from the page (they would
    /// lock themselves out); the command line may.
    fn check_not_self(&self, target: UserId) -> Result<(), DomainError> {
        if self.acting == Some(target) {
            return refuse(ErrorCode::Forbidden);
        }
        Ok(())
    }
}

/// A password for an account an administrator creates or resets without typing one: 20
/// characters without look-alikes (about 98 bits), for the person to change later.
pub fn random_password() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..20)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

fn admin_user(user: user::Model) -> AdminUser {
    AdminUser {
        id: user.id,
        username: user.username,
        display_name: user.display_name,
        email: user.email,
        is_admin: user.is_admin,
        disabled: user.disabled_at.is_some(),
        created_at: millis(user.created_at),
    }
}

impl Core {
    /// The caller's right to administer: `forbidden` unless they are an administrator
    /// (and not disabled).
    pub async fn admin(&self, caller: &Caller) -> Result<Admin, DomainError> {
        match user::Entity::find_by_id(caller.id())
            .one(&self.db.conn)
            .await?
        {
            Some(user) if user.is_admin && user.disabled_at.is_none() => Ok(Admin {
                acting: Some(user.id),
            }),
            _ => refuse(ErrorCode::Forbidden),
        }
    }

    /// Whether the caller is an administrator (for showing the link to /admin).
    pub async fn is_admin(&self, caller: &Caller) -> Result<bool, DomainError> {
        Ok(self.admin(caller).await.is_ok())
    }

    /// Creates an account (no session: the person signs in themselves).
    pub async fn admin_create_user(
        &self,
        _admin: &Admin,
        input: Registration,
    ) -> Result<UserSummary, DomainError> {
        let checked = self.check_registration(&input).await?;
        let user = self.insert_account(checked, None).await?;
        tracing::info!(user_id = user.id, "account created by an administrator");
        Ok(user.into())
    }

    /// Sets a new password and ends every session of the account.
    pub async fn admin_reset_password(
        &self,
        _admin: &Admin,
        username: &str,
        password: &str,
    ) -> Result<(), DomainError> {
        let user = self.user_named(username).await?;
        rules::password(password, &user.username)?;
        let hash = self.passwords.hash(password).await?;
        let user_id = user.id;
        let mut changed = user.into_active_model();
        changed.password_hash = Set(hash);
        changed.update(&self.db.conn).await?;
        let ended = self.end_sessions_of(user_id).await?;
        tracing::info!(user_id, ended, "password reset by an administrator");
        Ok(())
    }

    /// Makes the account an administrator, or (`false`) no longer one.
    pub async fn admin_set_admin(
        &self,
        admin: &Admin,
        username: &str,
        is_admin: bool,
    ) -> Result<AdminUser, DomainError> {
        let user = self.user_named(username).await?;
        admin.check_not_self(user.id)?;
        let mut changed = user.into_active_model();
        changed.is_admin = Set(is_admin);
        let user = changed.update(&self.db.conn).await?;
        tracing::info!(user_id = user.id, is_admin, "administrator flag changed");
        Ok(admin_user(user))
    }

    /// Disables the account (it cannot sign in; its sessions end, and its open
    /// WebSockets close at their next session check), or (`false`) enables it again.
    pub async fn admin_set_disabled(
        &self,
        admin: &Admin,
        username: &str,
        disabled: bool,
    ) -> Result<AdminUser, DomainError> {
        let user = self.user_named(username).await?;
        admin.check_not_self(user.id)?;
        let mut changed = user.into_active_model();
        changed.disabled_at = Set(disabled.then(Utc::now));
        let user = changed.update(&self.db.conn).await?;
        if disabled {
            let ended = self.end_sessions_of(user.id).await?;
            tracing::info!(user_id = user.id, ended, "account disabled");
        } else {
            tracing::info!(user_id = user.id, "account enabled");
        }
        Ok(admin_user(user))
    }

    /// Creates a group owned by `owner` with `members` in it. Every name is checked
    /// before anything is stored, so a typo creates nothing.
    pub async fn admin_create_group(
        &self,
        _admin: &Admin,
        input: NewGroup,
        owner: &str,
        members: &[String],
    ) -> Result<AdminGroup, DomainError> {
        let owner = self.user_named(owner).await?;
        let mut member_ids = Vec::new();
        for name in members {
            let member = self.user_named(name).await?;
            if member.id != owner.id && !member_ids.contains(&member.id) {
                member_ids.push(member.id);
            }
        }
        let limit = input
            .member_limit
            .unwrap_or(self.settings.group_member_limit);
        if member_ids.len() + 1 > limit as usize {
            return refuse(ErrorCode::GroupFull);
        }
        let created = self
            .create_group(&Caller::on_behalf_of(owner.id), input)
            .await?;
        let txn = self.begin_write().await?;
        for member in member_ids {
            crate::social::groups::add_member(&txn, created.group.id, member).await?;
        }
        txn.commit().await?;
        let group = group::Entity::find_by_id(created.group.id)
            .one(&self.db.conn)
            .await?
            .ok_or(DomainError::Refused(ErrorCode::NotFound))?;
        tracing::info!(group_id = group.id, "group created by an administrator");
        Ok(admin_group(group, owner.username))
    }

    /// Every account, by username.
    pub async fn admin_users(&self, _admin: &Admin) -> Result<Vec<AdminUser>, DomainError> {
        let users = user::Entity::find()
            .order_by_asc(user::Column::Username)
            .all(&self.db.conn)
            .await?;
        Ok(users.into_iter().map(admin_user).collect())
    }

    /// Every group, by name.
    pub async fn admin_groups(&self, _admin: &Admin) -> Result<Vec<AdminGroup>, DomainError> {
        let groups = group::Entity::find()
            .order_by_asc(group::Column::NameKey)
            .all(&self.db.conn)
            .await?;
        let owner_ids: Vec<UserId> = groups.iter().map(|g| g.owner_id).collect();
        let owners: HashMap<UserId, String> = user::Entity::find()
            .filter(user::Column::Id.is_in(owner_ids))
            .all(&self.db.conn)
            .await?
            .into_iter()
            .map(|u| (u.id, u.username))
            .collect();
        Ok(groups
            .into_iter()
            .map(|g| {
                let owner = owners.get(&g.owner_id).cloned().unwrap_or_default();
                admin_group(g, owner)
            })
            .collect())
    }

    /// Counts for the overview; `connections` are this node's WebSockets.
    pub async fn admin_overview(&self, _admin: &Admin) -> Result<ServerOverview, DomainError> {
        let conn = &self.db.conn;
        let users = user::Entity::find()
            .select_only()
            .column(user::Column::Id)
            .count(conn)
            .await?;
        let disabled_users = user::Entity::find()
            .select_only()
            .column(user::Column::Id)
            .filter(user::Column::DisabledAt.is_not_null())
            .count(conn)
            .await?;
        let groups = group::Entity::find()
            .select_only()
            .column(group::Column::Id)
            .count(conn)
            .await?;
        let midnight = Utc::now()
            .date_naive()
            .and_hms_opt(0, 0, 0)
            .map(|t| t.and_utc())
            .unwrap_or_else(Utc::now);
        let messages_today = message::Entity::find()
            .select_only()
            .column(message::Column::Id)
            .filter(message::Column::SentAt.gte(midnight))
            .count(conn)
            .await?;
        Ok(ServerOverview {
            version: crate::server_info::VERSION.to_owned(),
            users,
            disabled_users,
            groups,
            connections: self.metrics.connections(),
            messages_today,
        })
    }

    /// The account with this username (as typed: case does not matter).
    async fn user_named(&self, username: &str) -> Result<user::Model, DomainError> {
        let key = username.trim().to_lowercase();
        user::Entity::find()
            .filter(user::Column::Username.eq(key.as_str()))
            .one(&self.db.conn)
            .await?
            .ok_or_else(|| DomainError::NoSuchUser(username.to_owned()))
    }

    async fn end_sessions_of(&self, user_id: UserId) -> Result<u64, DomainError> {
        let result = session::Entity::delete_many()
            .filter(session::Column::UserId.eq(user_id))
            .exec(&self.db.conn)
            .await?;
        Ok(result.rows_affected)
    }
}

fn admin_group(group: group::Model, owner_username: String) -> AdminGroup {
    AdminGroup {
        id: group.id,
        name: group.name,
        owner_username,
        member_count: u32::try_from(group.member_count).unwrap_or(0),
        member_limit: u32::try_from(group.member_limit).unwrap_or(0),
        created_at: millis(group.created_at),
    }
}
