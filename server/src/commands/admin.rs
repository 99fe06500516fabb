//! `penguin admin …`: accounts and groups from the command line, as the operator.

use super::CommandError;
use crate::Config;
use clap::Subcommand;
use penguin_domain::admin::random_password;
use penguin_domain::{Admin, Core, NewGroup, Registration};
use std::io::BufRead;

#[derive(Debug, Clone, Subcommand)]
pub enum AdminCommand {
    /// Create an account. Without --password-stdin a random password is generated and
    /// printed once.
    CreateUser {
        username: String,
        /// The name others see [default: the username].
        #[arg(long)]
        display_name: Option<String>,
        /// Read the password from the first line of standard input (so it appears in
        /// no process list or shell history).
        #[arg(long)]
        password_stdin: bool,
        /// Make the account an administrator too.
        #[arg(long)]
        admin: bool,
    },
    /// Set a new password and end every session of the account.
    ResetPassword {
        username: String,
        /// Read the password from standard input [default: generate and print one].
        #[arg(long)]
        password_stdin: bool,
    },
    /// Make the account an administrator (may open /admin), or with --revoke no longer.
    MakeAdmin {
        username: String,
        #[arg(long)]
        revoke: bool,
    },
    /// Disable the account: it cannot sign in, and its sessions end (open WebSockets
    /// close at their next session check, within a minute).
    DisableUser { username: String },
    /// Enable a disabled account again.
    EnableUser { username: String },
    /// Create a group owned by --owner, with members.
    CreateGroup {
        name: String,
        /// The owner's username.
        #[arg(long)]
        owner: String,
        /// A member's username; repeat it or separate names with commas.
        #[arg(long = "member", value_delimiter = ',')]
        members: Vec<String>,
        #[arg(long, default_value = "")]
        description: String,
        /// [default: the server's --group-member-limit]
        #[arg(long)]
        member_limit: Option<u32>,
    },
    /// List every account.
    ListUsers {
        /// As JSON (an array), for scripts.
        #[arg(long)]
        json: bool,
    },
    /// List every group.
    ListGroups {
        /// As JSON (an array), for scripts.
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(command: &AdminCommand, config: &Config) -> Result<(), CommandError> {
    let core = Core::open_with(&config.database(), config.core_settings()).await?;
    let admin = Admin::console();
    let result = execute(command, &core, &admin).await;
    core.shut_down().await?;
    result
}

async fn execute(command: &AdminCommand, core: &Core, admin: &Admin) -> Result<(), CommandError> {
    match command {
        AdminCommand::CreateUser {
            username,
            display_name,
            password_stdin,
            admin: make_admin,
        } => {
            let (password, generated) = password(*password_stdin)?;
            let user = core
                .admin_create_user(
                    admin,
                    Registration {
                        username: username.clone(),
                        display_name: display_name.clone().unwrap_or_else(|| username.clone()),
                        password: password.clone(),
                    },
                )
                .await?;
            if *make_admin {
                core.admin_set_admin(admin, &user.username, true).await?;
            }
            println!("created user {} (id {})", user.username, user.id);
            if generated {
                println!("password: {password}");
            }
        }
        AdminCommand::ResetPassword {
            username,
            password_stdin,
        } => {
            let (password, generated) = password(*password_stdin)?;
            core.admin_reset_password(admin, username, &password)
                .await?;
            println!("password of {username} reset; their sessions ended");
            if generated {
                println!("password: {password}");
            }
        }
        AdminCommand::MakeAdmin { username, revoke } => {
            let user = core.admin_set_admin(admin, username, !revoke).await?;
            let now = if user.is_admin { "is" } else { "is no longer" };
            println!("{} {now} an administrator", user.username);
        }
        AdminCommand::DisableUser { username } => {
            let user = core.admin_set_disabled(admin, username, true).await?;
            println!("{} is disabled; their sessions ended", user.username);
        }
        AdminCommand::EnableUser { username } => {
            let user = core.admin_set_disabled(admin, username, false).await?;
            println!("{} is enabled", user.username);
        }
        AdminCommand::CreateGroup {
            name,
            owner,
            members,
            description,
            member_limit,
        } => {
            let input = NewGroup {
                name: name.clone(),
                description: description.clone(),
                member_limit: *member_limit,
            };
            let group = core
                .admin_create_group(admin, input, owner, members)
                .await?;
            println!(
                "created group {} (id {}) owned by {} with {} members",
                group.name, group.id, group.owner_username, group.member_count
            );
        }
        AdminCommand::ListUsers { json } => {
            let users = core.admin_users(admin).await?;
            if *json {
                println!("{}", to_json(&users));
            } else {
                println!(
                    "{:>6}  {:<32}  {:<24}  {:<5}  {:<8}",
                    "id", "username", "display name", "admin", "disabled"
                );
                for user in users {
                    println!(
                        "{:>6}  {:<32}  {:<24}  {:<5}  {:<8}",
                        user.id,
                        user.username,
                        user.display_name,
                        yes(user.is_admin),
                        yes(user.disabled)
                    );
                }
            }
        }
        AdminCommand::ListGroups { json } => {
            let groups = core.admin_groups(admin).await?;
            if *json {
                println!("{}", to_json(&groups));
            } else {
                println!(
                    "{:>6}  {:<32}  {:<32}  {:>7}",
                    "id", "name", "owner", "members"
                );
                for group in groups {
                    println!(
                        "{:>6}  {:<32}  {:<32}  {:>3}/{:<3}",
                        group.id,
                        group.name,
                        group.owner_username,
                        group.member_count,
                        group.member_limit
                    );
                }
            }
        }
    }
    Ok(())
}

fn yes(flag: bool) -> &'static str {
    if flag { "yes" } else { "no" }
}

fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| "[]".to_owned())
}

/// The password to set, and whether it was generated (then it is printed once).
fn password(from_stdin: bool) -> Result<(String, bool), CommandError> {
    if !from_stdin {
        return Ok((random_password(), true));
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| CommandError::Input(format!("cannot read the password: {e}")))?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    if password.is_empty() {
        return Err(CommandError::Input(
            "no password on standard input".to_owned(),
        ));
    }
    Ok((password, false))
}
