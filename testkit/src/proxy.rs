//! A TCP proxy in front of a real service (PostgreSQL, say) that a test can cut and
//! restore: the network between Penguin and its database failing, without stopping the
//! machine's shared database server.

use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

pub struct Proxy {
    pub addr: SocketAddr,
    /// `true` while cut: open connections are dropped and new ones closed at once.
    cut: Arc<watch::Sender<bool>>,
    task: tokio::task::JoinHandle<()>,
}

impl Proxy {
    /// Listens on a free loopback port and forwards every connection to `upstream`.
    pub async fn start(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the proxy");
        let addr = listener.local_addr().expect("the proxy's address");
        let cut = Arc::new(watch::channel(false).0);
        let task = tokio::spawn(forward_all(listener, upstream, cut.clone()));
        Self { addr, cut, task }
    }

    /// The service becomes unreachable: every connection through the proxy ends.
    pub fn cut(&self) {
        self.cut.send_replace(true);
    }

    /// The service is reachable again.
    pub fn restore(&self) {
        self.cut.send_replace(false);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn forward_all(listener: TcpListener, upstream: SocketAddr, cut: Arc<watch::Sender<bool>>) {
    loop {
        let Ok((client, _)) = listener.accept().await else {
            continue;
        };
        if *cut.borrow() {
            drop(client);
            continue;
        }
        let mut cut = cut.subscribe();
        tokio::spawn(async move {
            let Ok(server) = TcpStream::connect(upstream).await else {
                return;
            };
            let (mut client, mut server) = (client, server);
            tokio::select! {
                _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                _ = cut.wait_for(|cut| *cut) => {}
            }
        });
    }
}
