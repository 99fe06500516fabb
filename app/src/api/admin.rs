//! `/api/admin_*`: the /admin page's calls. Each one checks, on every call, that the
//! signed-in user is an administrator (`Core::admin`): no session answers
//! `unauthenticated`, anyone else `forbidden`. Changes are POSTs, so the server's
//! same-origin guard covers them like every other change.

use crate::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json};
use penguin_protocol::admin::{AdminGroup, AdminUser, ServerOverview};

#[cfg(feature = "ssr")]
async fn admin() -> Result<(penguin_domain::Core, penguin_domain::Admin), AppError> {
    let (core, caller) = super::request::caller().await?;
    let admin = core.admin(&caller).await?;
    Ok((core, admin))
}

/// Whether the signed-in user is an administrator (`false` when nobody is signed in).
#[server(name = AmIAdminCall, prefix = "/api", endpoint = "am_i_admin", input = GetUrl)]
pub async fn am_i_admin() -> Result<bool, AppError> {
    match super::request::try_caller().await? {
        Some((core, caller)) => Ok(core.is_admin(&caller).await?),
        None => Ok(false),
    }
}

/// Counts: accounts, groups, this node's connections, messages today.
#[server(name = AdminOverviewCall, prefix = "/api", endpoint = "admin_overview", input = GetUrl)]
pub async fn admin_overview() -> Result<ServerOverview, AppError> {
    let (core, admin) = admin().await?;
    Ok(core.admin_overview(&admin).await?)
}

/// Every account.
#[server(name = AdminUsersCall, prefix = "/api", endpoint = "admin_users", input = GetUrl)]
pub async fn admin_users() -> Result<Vec<AdminUser>, AppError> {
    let (core, admin) = admin().await?;
    Ok(core.admin_users(&admin).await?)
}

/// Every group.
#[server(name = AdminGroupsCall, prefix = "/api", endpoint = "admin_groups", input = GetUrl)]
pub async fn admin_groups() -> Result<Vec<AdminGroup>, AppError> {
    let (core, admin) = admin().await?;
    Ok(core.admin_groups(&admin).await?)
}

/// Disables an account (its sessions end) or enables it again. Not one's own.
#[server(name = AdminSetDisabledCall, prefix = "/api", endpoint = "admin_set_disabled", input = Json)]
pub async fn admin_set_disabled(username: String, disabled: bool) -> Result<AdminUser, AppError> {
    let (core, admin) = admin().await?;
    Ok(core.admin_set_disabled(&admin, &username, disabled).await?)
}

/// Makes an account an administrator, or no longer one. Not one's own.
#[server(name = AdminSetAdminCall, prefix = "/api", endpoint = "admin_set_admin", input = Json)]
pub async fn admin_set_admin(username: String, is_admin: bool) -> Result<AdminUser, AppError> {
    let (core, admin) = admin().await?;
    Ok(core.admin_set_admin(&admin, &username, is_admin).await?)
}
