//! Who is signed in, for the whole app: one resource around `api::me()`, created by `App`
//! and shared through context. The server renders it (so the first page already shows the
//! right top bar) and the browser hydrates from that answer; sign-in, registration and
//! sign-out update it with what the server answered.

use crate::AppError;
use crate::api;
use leptos::prelude::*;
use penguin_protocol::UserSummary;

pub type MeResource = Resource<Result<Option<UserSummary>, AppError>>;

#[derive(Debug, Clone, Copy)]
pub struct Auth {
    me: MeResource,
}

impl Auth {
    /// The resource to read (inside `<Suspense>` / `<Transition>`).
    pub fn me(&self) -> MeResource {
        self.me
    }

    /// The server just signed `user` in (sign-in or registration).
    pub fn signed_in(&self, user: UserSummary) {
        self.me.set(Some(Ok(Some(user))));
    }

    /// The server just ended the session.
    pub fn signed_out(&self) {
        self.me.set(Some(Ok(None)));
    }

    /// Asks the server again (after something may have ended the session).
    pub fn refetch(&self) {
        self.me.refetch();
    }
}

/// Creates the resource and provides it; called once, by `App`.
pub fn provide_auth() -> Auth {
    let auth = Auth {
        // Blocking: the server waits for it before sending the page, so the first HTML
        // already has the right top bar and pages know at once who is signed in.
        me: Resource::new_blocking(|| (), |()| api::me()),
    };
    provide_context(auth);
    auth
}

pub fn use_auth() -> Auth {
    use_context::<Auth>().unwrap_or_else(provide_auth)
}
