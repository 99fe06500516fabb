//! Graceful shutdown. On SIGTERM (or Ctrl-C) the server
//! 1. stops accepting connections and lets in-flight HTTP requests finish
//!    (`accept::serve`);
//! 2. tells every WebSocket connection to stop: each finishes the frame it is handling
//!    (a send in progress is committed and acknowledged), then closes with 1001 "going
//!    away", so clients reconnect (to another node, or to this one once restarted) and
//!    resend whatever was not acknowledged, with the same client ids;
//! 3. waits, up to the grace period, for those connections to end;
//! 4. flushes the group-commit writer (everything handed to it is committed) and closes
//!    the database.

use crate::error::ServerError;
use penguin_domain::Core;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// The close code of a connection ended by shutdown: "going away".
pub const GOING_AWAY: u16 = 1001;

/// Hands out [`Stop`] signals to connections and counts them.
#[derive(Debug, Clone)]
pub struct Connections {
    stopping: Arc<watch::Sender<bool>>,
}

/// One connection's view of shutdown. Holding it counts the connection as open.
#[derive(Debug)]
pub struct Stop {
    stopping: watch::Receiver<bool>,
}

impl Default for Connections {
    fn default() -> Self {
        Self {
            stopping: Arc::new(watch::channel(false).0),
        }
    }
}

impl Connections {
    /// Registers a connection; it counts until the returned value is dropped.
    pub fn track(&self) -> Stop {
        Stop {
            stopping: self.stopping.subscribe(),
        }
    }

    /// Connections registered and not yet ended.
    pub fn open(&self) -> usize {
        self.stopping.receiver_count()
    }

    /// Tells every connection to stop, then waits up to `grace` for them to end; `false`
    /// when some were still open.
    pub async fn stop_all(&self, grace: Duration) -> bool {
        self.stopping.send_replace(true);
        tokio::time::timeout(grace, self.stopping.closed())
            .await
            .is_ok()
    }
}

impl Stop {
    /// Completes when shutdown has begun.
    pub async fn requested(&mut self) {
        while !*self.stopping.borrow_and_update() {
            if self.stopping.changed().await.is_err() {
                return;
            }
        }
    }
}

/// Serves until shutdown begins, then runs steps 1–4 above. `served` is the accept loop
/// (`accept::serve`) with its graceful-shutdown signal; `begun` turns true when that
/// signal fires.
pub async fn drain<F>(
    served: F,
    mut begun: watch::Receiver<bool>,
    connections: &Connections,
    core: &Core,
    grace: Duration,
) -> Result<(), ServerError>
where
    F: Future<Output = std::io::Result<()>> + Send + 'static,
{
    let mut http = tokio::spawn(served);
    // Biased, shutdown first: `begun` turns true before the accept loop sees its signal,
    // and with only WebSockets open (which the accept loop does not wait for) both
    // branches are then ready at once; a random pick would take a graceful stop for a
    // failure.
    let early = tokio::select! {
        biased;
        () = async { let _ = begun.wait_for(|begun| *begun).await; } => None,
        ended = &mut http => Some(ended),
    };
    if let Some(ended) = early {
        // Serving failed on its own; still end connections and commit what is queued.
        connections.stop_all(grace).await;
        shut_down_core(core).await;
        return joined(ended);
    }
    tracing::info!(
        websockets = connections.open(),
        "shutting down: no new connections; finishing requests, closing WebSockets"
    );
    let (all_closed, http) = tokio::join!(
        connections.stop_all(grace),
        tokio::time::timeout(grace, &mut http)
    );
    if !all_closed {
        tracing::warn!(
            still_open = connections.open(),
            "WebSocket connections still open after the grace period"
        );
    }
    let result = match http {
        Ok(ended) => joined(ended),
        Err(_) => {
            tracing::warn!("HTTP requests still running after the grace period");
            Ok(())
        }
    };
    shut_down_core(core).await;
    tracing::info!("stopped");
    result
}

async fn shut_down_core(core: &Core) {
    // The other nodes take over this node's users' presence (while the database is open).
    core.leave_cluster().await;
    if let Err(error) = core.shut_down().await {
        tracing::error!(%error, "closing the database failed");
    }
}

fn joined(ended: Result<std::io::Result<()>, tokio::task::JoinError>) -> Result<(), ServerError> {
    match ended {
        Ok(served) => served.map_err(ServerError::Serve),
        Err(error) => Err(ServerError::Serve(std::io::Error::other(error))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn stop_all_waits_for_every_connection_to_end() {
        let connections = Connections::default();
        let mut first = connections.track();
        let mut second = connections.track();
        assert_eq!(connections.open(), 2);
        let ended = tokio::spawn(async move {
            first.requested().await;
            drop(first);
            second.requested().await;
            tokio::time::sleep(Duration::from_millis(50)).await;
            drop(second);
        });
        assert!(connections.stop_all(Duration::from_secs(5)).await);
        assert_eq!(connections.open(), 0);
        ended.await.unwrap();

        // One that never ends is given up on after the grace period.
        let _stuck = connections.track();
        assert!(!connections.stop_all(Duration::from_millis(50)).await);
    }
}
