//! A TCP proxy in front of a real service (PostgreSQL, say) that a test can cut, stall
//! and restore: the network between Penguin and its database failing, without stopping
//! the machine's shared database server.

use std::net::SocketAddr;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// What the network between the two sides does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Link {
    Up,
    /// Refused: open connections are dropped and new ones closed at once (the service
    /// is down or restarting; the peer learns it at once).
    Cut,
    /// Silent: nothing gets through in either direction, but no side learns it (a
    /// partition that drops packets); connections, old and new, stay open. Bytes sent
    /// meanwhile are delivered when the link is back, as TCP would once it heals.
    Stalled,
}

pub struct Proxy {
    pub addr: SocketAddr,
    link: Arc<watch::Sender<Link>>,
    task: tokio::task::JoinHandle<()>,
}

impl Proxy {
    /// Listens on a free loopback port and forwards every connection to `upstream`.
    pub async fn start(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the proxy");
        let addr = listener.local_addr().expect("the proxy's address");
        let link = Arc::new(watch::channel(Link::Up).0);
        let task = tokio::spawn(forward_all(listener, upstream, link.clone()));
        Self { addr, link, task }
    }

    /// The service becomes unreachable, and says so: every connection through the
    /// proxy ends.
    pub fn cut(&self) {
        self.link.send_replace(Link::Cut);
    }

    /// The service becomes unreachable in silence: nothing is forwarded and nothing is
    /// closed.
    pub fn stall(&self) {
        self.link.send_replace(Link::Stalled);
    }

    /// The service is reachable again.
    pub fn restore(&self) {
        self.link.send_replace(Link::Up);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn forward_all(listener: TcpListener, upstream: SocketAddr, link: Arc<watch::Sender<Link>>) {
    loop {
        let Ok((client, _)) = listener.accept().await else {
            continue;
        };
        if *link.borrow() == Link::Cut {
            drop(client);
            continue;
        }
        let mut link = link.subscribe();
        tokio::spawn(async move {
            // A connection opened while stalled reaches the service only once it is back.
            if link.wait_for(|link| *link != Link::Stalled).await.is_err() {
                return;
            }
            let Ok(server) = TcpStream::connect(upstream).await else {
                return;
            };
            let (client_read, client_write) = client.into_split();
            let (server_read, server_write) = server.into_split();
            tokio::select! {
                _ = pipe(client_read, server_write, link.clone()) => {}
                _ = pipe(server_read, client_write, link.clone()) => {}
                _ = link.wait_for(|link| *link == Link::Cut) => {}
            }
        });
    }
}

/// Copies `from` to `to` while the link is up; while it is stalled, holds what was read.
async fn pipe(mut from: OwnedReadHalf, mut to: OwnedWriteHalf, mut link: watch::Receiver<Link>) {
    let mut buffer = vec![0; 64 * 1024];
    loop {
        if link.wait_for(|link| *link == Link::Up).await.is_err() {
            return;
        }
        let read = tokio::select! {
            read = from.read(&mut buffer) => read,
            // Stop reading (the bytes stay in the socket) until the link is up again.
            _ = link.wait_for(|link| *link != Link::Up) => continue,
        };
        let n = match read {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        if link.wait_for(|link| *link == Link::Up).await.is_err()
            || to.write_all(&buffer[..n]).await.is_err()
        {
            return;
        }
    }
}
