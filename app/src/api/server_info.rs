use crate::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use penguin_protocol::ServerInfo;

/// `GET /api/server_info`: version, database, schema version and number of accounts.
#[server(name = ServerInfoCall, prefix = "/api", endpoint = "server_info", input = GetUrl)]
pub async fn server_info() -> Result<ServerInfo, AppError> {
    Ok(super::core()?.server_info().await?)
}
