//! Stopping without dropping anyone: on SIGTERM (or Ctrl-C) the service first
//! drains, still accepting but answering every request with `Connection: close`
//! and `/readyz` with 503, so that clients and load balancers move on; then it
//! stops listening, lets requests in flight and a running generation or reminder
//! pass finish within the grace, and exits.

use crate::startup::Application;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// Why the service is stopping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// SIGTERM, as from an orchestrator: drain first.
    Terminate,
    /// Ctrl-C at a terminal: no one to drain for.
    Interrupt,
}

/// Waits for SIGTERM or SIGINT.
async fn signal() -> std::io::Result<Stop> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = signal(SignalKind::terminate())?;
        tokio::select! {
            _ = term.recv() => Ok(Stop::Terminate),
            r = tokio::signal::ctrl_c() => r.map(|()| Stop::Interrupt),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await.map(|()| Stop::Interrupt)
    }
}

/// The listening socket, held beside the server's own copy. Closing a listener
/// resets every connection the kernel has queued but the server not yet taken, so
/// before the server closes it new connections are turned away instead: their
/// SYN is dropped (a socket filter), the client tries again a second later and
/// then finds the port closed, a clean refusal.
pub struct Door(socket2::Socket);

impl Door {
    /// Holds a second handle on `listener`.
    pub fn of(listener: &std::net::TcpListener) -> std::io::Result<Door> {
        Ok(Door(socket2::Socket::from(listener.try_clone()?)))
    }

    /// From now on, connections no longer arrive; those already queued are still served.
    fn turn_away_new(&self) {
        #[cfg(any(target_os = "linux", target_os = "android"))]
        {
            // Classic BPF over the TCP header: drop a segment that opens a connection
            // (SYN without ACK), keep every other whole. Dropping everything would also
            // drop the last ACK of handshakes already under way (those clients then
            // send into a connection that never completes, and are reset at close)
            // and, since a connection accepted later inherits its listener's filter,
            // every byte of theirs.
            const LD_B_ABS: u16 = 0x30;
            const AND_K: u16 = 0x54;
            const JEQ_K: u16 = 0x15;
            const RET_K: u16 = 0x06;
            const FLAGS: u32 = 13; // offset of the TCP flags
            const SYN: u32 = 0x02;
            const SYN_ACK: u32 = 0x12;
            let program = [
                socket2::SockFilter::new(LD_B_ABS, 0, 0, FLAGS),
                socket2::SockFilter::new(AND_K, 0, 0, SYN_ACK),
                socket2::SockFilter::new(JEQ_K, 0, 1, SYN),
                socket2::SockFilter::new(RET_K, 0, 0, 0),
                socket2::SockFilter::new(RET_K, 0, 0, u32::MAX),
            ];
            if let Err(e) = self.0.attach_filter(&program) {
                tracing::warn!(error = %e, "could not turn new connections away; some may be reset");
            }
        }
        #[cfg(not(any(target_os = "linux", target_os = "android")))]
        let _ = &self.0;
    }
}

/// How long the server keeps taking and answering what the kernel queued before the
/// door shut (a connection it took but had not read when stopping would be reset;
/// 200 ms proved too short on a loaded machine).
const SETTLE: Duration = Duration::from_millis(1000);

/// Serves `app` until a stop signal, then shuts it down gracefully.
pub async fn run_until_stopped(app: Application) -> std::io::Result<()> {
    let Application { server, state, scheduler, door, .. } = app;
    let handle = server.handle();
    let mut server = std::pin::pin!(server);
    let stop = tokio::select! {
        r = &mut server => return r,
        s = signal() => s?,
    };
    let grace = Duration::from_secs(state.settings.shutdown_grace_secs);
    state.draining.store(true, Ordering::Relaxed);
    if stop == Stop::Terminate {
        let drain = Duration::from_millis(state.settings.shutdown_drain_ms);
        tracing::info!(drain_ms = drain.as_millis() as u64, "SIGTERM: draining before the listener closes");
        // The server goes on serving while this waits.
        tokio::select! {
            r = &mut server => return r,
            () = tokio::time::sleep(drain) => {}
        }
    }
    door.turn_away_new();
    tokio::select! {
        r = &mut server => return r,
        () = tokio::time::sleep(SETTLE) => {}
    }
    tracing::info!(grace_secs = grace.as_secs(), "stopping: no new connections; finishing what is in flight");
    // Requests and scheduled passes finish side by side, each within the grace.
    let passes = async move {
        match scheduler {
            Some(s) => s.finish(grace).await,
            None => true,
        }
    };
    let (served, (), finished) = tokio::join!(server, handle.stop(true), passes);
    if !finished {
        tracing::warn!("a scheduled pass was still running at the end of the grace; the next start resumes its work");
    }
    tracing::info!("stopped");
    served
}
