//! The TCP gateway terminals connect to (TG-1): one task per connection. A connection
//! starts with the terminal's Hello, answers keep-alives, sends the terminal the
//! point-of-sale payments queued for it one at a time, forwards cancels, and records
//! stage reports and results. Anything malformed or out of place closes that
//! connection only.
//!
//! Before a byte is read, a connection from outside the allowed networks
//! (`OPENPSP_TERMINAL_ALLOW`) or beyond the connection cap
//! (`OPENPSP_TERMINAL_MAX_CONNECTIONS`) is closed. A connection waits on its wake-up
//! and its socket only: an idle one costs no database query. Warnings about refused
//! connections are logged at most once a minute per address.

use super::link::{Incoming, LinkError, Outgoing};
use super::TerminalHub;
use domain::terminal::{Body, CancelReason, TerminalStage};
use ipnet::IpNet;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;

/// Binds `addr` and accepts terminals until the process ends; returns the address
/// really bound (port 0 picks a free one). The allowed networks and the connection cap
/// are the configuration's.
pub async fn listen(addr: &str, hub: Arc<TerminalHub>) -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    let config = hub.engine.config();
    let allow = config.terminal_allow.clone();
    let slots = Arc::new(Semaphore::new(config.terminal_max_connections.max(1)));
    hub.start_sweep();
    tokio::spawn(accept(listener, hub, allow, slots));
    Ok(local)
}

/// Whether `peer` may connect: inside one of `allow`, or `allow` is empty.
pub fn allowed(allow: &[IpNet], peer: &SocketAddr) -> bool {
    let ip = peer.ip().to_canonical();
    allow.is_empty() || allow.iter().any(|net| net.contains(&ip))
}

async fn accept(
    listener: TcpListener,
    hub: Arc<TerminalHub>,
    allow: Vec<IpNet>,
    slots: Arc<Semaphore>,
) {
    loop {
        match listener.accept().await {
            Ok((stream, peer)) => {
                if !allowed(&allow, &peer) {
                    if let Some(left_out) = hub.may_warn(peer.ip()) {
                        tracing::warn!(%peer, left_out, "terminal connection from outside the allowed networks closed");
                    }
                    drop(stream);
                    continue;
                }
                let Ok(slot) = slots.clone().try_acquire_owned() else {
                    if let Some(left_out) = hub.may_warn(peer.ip()) {
                        tracing::warn!(%peer, left_out, "terminal connection cap reached: connection closed");
                    }
                    drop(stream);
                    continue;
                };
                let hub = hub.clone();
                tokio::spawn(async move {
                    let _slot = slot;
                    match connection(stream, peer, hub.clone()).await {
                        Ok(()) | Err(LinkError::Closed) => {
                            tracing::info!(%peer, "terminal connection closed")
                        }
                        Err(e) => {
                            if let Some(left_out) = hub.may_warn(peer.ip()) {
                                tracing::warn!(%peer, error = %e, left_out, "terminal connection dropped");
                            }
                        }
                    }
                });
            }
            Err(e) => {
                // Out of descriptors or similar: wait rather than spin.
                tracing::warn!(error = %e, "terminal accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

/// The payment on the terminal now.
struct Active {
    id: i64,
    cancel_sent: bool,
    /// The stage last recorded, so a repeated report writes nothing.
    stage: Option<TerminalStage>,
}

/// The connection's terminal and bookkeeping.
struct Conn<'a> {
    hub: &'a TerminalHub,
    terminal_id: &'a str,
    peer: &'a str,
    /// When the row last said "seen": keep-alives update it at most every third of the
    /// idle timeout, however often a terminal sends them.
    seen_written: Instant,
}

async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    hub: Arc<TerminalHub>,
) -> Result<(), LinkError> {
    let _ = stream.set_nodelay(true);
    let settings = hub.settings().clone();
    let (reader, writer) = stream.into_split();
    let mut incoming = Incoming::new(reader, settings.hello_timeout, settings.frame_timeout);
    let hello = incoming.next().await?;
    let Body::Hello { model } = hello.body else {
        return Err(LinkError::Protocol(
            "the first message must be Hello".into(),
        ));
    };
    let terminal_id = hello.header.terminal_id;
    let peer = peer.to_string();
    // A terminal id already held by a live connection, or bound and paired elsewhere:
    // this one is refused and the live one keeps its terminal and its payment.
    let wake = match hub.claim_connection(&terminal_id, &peer).await {
        Ok(wake) => wake,
        Err(e) => {
            // Logged once, by the caller (at most once a minute per address).
            return Err(LinkError::Protocol(format!(
                "terminal {terminal_id} refused: {e}"
            )));
        }
    };
    if let Err(e) = hub.connected(&terminal_id, model.as_deref(), &peer).await {
        hub.release_connection(&terminal_id, &peer);
        return Err(LinkError::Protocol(e.to_string()));
    }
    tracing::info!(terminal = %terminal_id, %peer, "terminal connected");
    let mut out = Outgoing::new(writer, &terminal_id, &settings.ecr_id);
    let mut active: Option<Active> = None;
    let result = async {
        out.send(Body::HelloResponse {
            result: 0,
            keep_alive_seconds: settings.keep_alive_seconds,
        })
        .await?;
        incoming.set_idle(settings.idle_timeout());
        let (mut rx, reader) = incoming.spawn();
        let mut conn = Conn {
            hub: &hub,
            terminal_id: &terminal_id,
            peer: &peer,
            seen_written: Instant::now(),
        };
        // Whatever was queued before the Hello.
        wake.notify_one();
        let outcome = loop {
            tokio::select! {
                message = rx.recv() => {
                    let Some(message) = message else { break Err(LinkError::Closed) };
                    match message {
                        Ok(m) => {
                            let was_active = active.is_some();
                            if let Err(e) = handle(&mut conn, &mut out, &mut active, m.body).await {
                                break Err(e);
                            }
                            // Only a finished payment makes room for the next one:
                            // any other message asks the database nothing.
                            if !(was_active && active.is_none()) {
                                continue;
                            }
                        }
                        Err(e) => break Err(e),
                    }
                }
                _ = wake.notified() => {}
            }
            if let Err(e) = drive(&hub, &mut out, &terminal_id, &peer, &mut active).await {
                break Err(e);
            }
        };
        reader.abort();
        outcome
    }
    .await;
    hub.disconnected(&terminal_id, &peer, active.map(|a| a.id))
        .await;
    hub.release_connection(&terminal_id, &peer);
    result
}

/// Sends the next queued payment, or the cancel someone asked for.
async fn drive<W: tokio::io::AsyncWrite + Unpin>(
    hub: &TerminalHub,
    out: &mut Outgoing<W>,
    terminal_id: &str,
    peer: &str,
    active: &mut Option<Active>,
) -> Result<(), LinkError> {
    let db = |e: sea_orm::DbErr| LinkError::Protocol(format!("database: {e}"));
    match active {
        None => {
            if let Some(next) = hub.claim_next(terminal_id, peer).await.map_err(db)? {
                *active = Some(Active {
                    id: next.id,
                    cancel_sent: false,
                    stage: None,
                });
                out.send(Body::TransactionRequest {
                    transaction_id: next.id as u64,
                    amount: u32::try_from(next.amount).unwrap_or(u32::MAX),
                    print_origin: 0,
                })
                .await?;
            }
        }
        Some(a) if !a.cancel_sent => {
            if hub.cancel_requested(a.id).await.map_err(db)? {
                a.cancel_sent = true;
                out.send(Body::CancelRequest {
                    transaction_id: a.id as u64,
                    reason: CancelReason::Manual,
                })
                .await?;
            }
        }
        Some(_) => {}
    }
    Ok(())
}

async fn handle<W: tokio::io::AsyncWrite + Unpin>(
    conn: &mut Conn<'_>,
    out: &mut Outgoing<W>,
    active: &mut Option<Active>,
    body: Body,
) -> Result<(), LinkError> {
    // The transaction a report is about: the one echoed, or, when the terminal leaves
    // the echo out, the one transaction in flight on this connection.
    let current = |echo: Option<u64>, active: &Option<Active>| match (echo, active) {
        (Some(tid), Some(a)) => a.id as u64 == tid,
        (None, Some(_)) => true,
        (_, None) => false,
    };
    let hub = conn.hub;
    match body {
        Body::KeepAlive => {
            let every = hub.settings().idle_timeout() / 3;
            if conn.seen_written.elapsed() >= every {
                hub.seen(conn.terminal_id, conn.peer)
                    .await
                    .map_err(|e| LinkError::Protocol(e.to_string()))?;
                conn.seen_written = Instant::now();
            }
            out.send(Body::KeepAliveResponse).await
        }
        Body::KeepAliveResponse | Body::CancelResponse { .. } => Ok(()),
        Body::Bye => {
            out.send(Body::ByeResponse).await?;
            // The terminal says goodbye: the connection ends as a normal close.
            Err(LinkError::Closed)
        }
        Body::Information {
            transaction_id,
            stage,
        } if current(transaction_id, active) => {
            let Some(a) = active.as_mut() else {
                return Ok(());
            };
            if a.stage == Some(stage) {
                return Ok(());
            }
            a.stage = Some(stage);
            hub.stage(a.id, stage)
                .await
                .map_err(|e| LinkError::Protocol(e.to_string()))
        }
        Body::TransactionResponse(outcome) if current(outcome.transaction_id, active) => {
            let Some(id) = active.as_ref().map(|a| a.id) else {
                return Ok(());
            };
            // On failure the payment stays active, and closing the connection ends it.
            hub.finish(id, &outcome)
                .await
                .map_err(|e| LinkError::Protocol(e.to_string()))?;
            *active = None;
            Ok(())
        }
        Body::Information { .. } | Body::TransactionResponse(_) => {
            tracing::warn!(
                terminal = conn.terminal_id,
                "report for a transaction it was not given"
            );
            Ok(())
        }
        other => Err(LinkError::Protocol(format!(
            "unexpected {:?} from a terminal",
            other.message_type()
        ))),
    }
}
