//! Server functions: the app's API. Each one has a fixed endpoint under `/api/` (listed
//! in docs/API.md) so scripts and bots can call it too: reads are `GET` with query
//! parameters, changes are `POST` with a JSON body.

mod accounts;
mod admin;
mod email;
mod friends;
mod groups;
mod messages;
#[cfg(feature = "ssr")]
pub mod request;
mod server_info;

pub use accounts::*;
pub use admin::*;
pub use email::*;
pub use friends::*;
pub use groups::*;
pub use messages::*;
pub use server_info::{ServerInfoCall, server_info};

/// The domain handle, provided to server functions by the server.
#[cfg(feature = "ssr")]
pub(crate) fn core() -> Result<penguin_domain::Core, crate::AppError> {
    leptos::prelude::use_context::<penguin_domain::Core>().ok_or_else(|| {
        tracing::error!("penguin_domain::Core missing from the server-function context");
        crate::AppError::new(penguin_protocol::ErrorCode::Internal)
    })
}
