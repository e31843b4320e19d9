//! The TCP gateway terminals connect to (TG-1): one task per connection. A connection
//! starts with the terminal's Hello, answers keep-alives, sends the terminal the
//! point-of-sale payments queued for it one at a time, forwards cancels, and records
//! stage reports and results. Anything malformed or out of place closes that
//! connection only.

use super::link::{Incoming, LinkError, Outgoing};
use super::TerminalHub;
use domain::terminal::{Body, CancelReason};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};

/// Binds `addr` and accepts terminals until the process ends; returns the address
/// really bound (port 0 picks a free one).
pub async fn listen(addr: &str, hub: Arc<TerminalHub>) -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    tokio::spawn(accept(listener, hub));
    Ok(local)
}

async fn accept(listener: TcpListener, hub: Arc<TerminalHub>) {
    loop {
        match listener.accept().await {
            Ok((stream, peer)) => {
                let hub = hub.clone();
                tokio::spawn(async move {
                    match connection(stream, peer, hub).await {
                        Ok(()) | Err(LinkError::Closed) => {
                            tracing::info!(%peer, "terminal connection closed")
                        }
                        Err(e) => tracing::warn!(%peer, error = %e, "terminal connection dropped"),
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
    // A terminal id already held by a live connection: this one is refused and the live
    // one keeps its terminal and its payment.
    if let Err(e) = hub.claim_connection(&terminal_id, &peer).await {
        tracing::warn!(terminal = %terminal_id, %peer, error = %e, "terminal connection refused");
        return Err(LinkError::Protocol(e.to_string()));
    }
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
        let wake = hub.waker(&terminal_id);
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        let outcome = loop {
            tokio::select! {
                message = rx.recv() => {
                    let Some(message) = message else { break Err(LinkError::Closed) };
                    match message {
                        Ok(m) => {
                            if let Err(e) = handle(&hub, &mut out, &terminal_id, &peer, &mut active, m.body).await {
                                break Err(e);
                            }
                        }
                        Err(e) => break Err(e),
                    }
                }
                _ = wake.notified() => {}
                _ = tick.tick() => {}
            }
            if let Err(e) = drive(&hub, &mut out, &terminal_id, &mut active).await {
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
    active: &mut Option<Active>,
) -> Result<(), LinkError> {
    let db = |e: sea_orm::DbErr| LinkError::Protocol(format!("database: {e}"));
    match active {
        None => {
            if let Some(next) = hub.claim_next(terminal_id).await.map_err(db)? {
                *active = Some(Active {
                    id: next.id,
                    cancel_sent: false,
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
    hub: &TerminalHub,
    out: &mut Outgoing<W>,
    terminal_id: &str,
    peer: &str,
    active: &mut Option<Active>,
    body: Body,
) -> Result<(), LinkError> {
    let current = |tid: u64| active.as_ref().is_some_and(|a| a.id as u64 == tid);
    match body {
        Body::KeepAlive => {
            hub.seen(terminal_id, peer)
                .await
                .map_err(|e| LinkError::Protocol(e.to_string()))?;
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
        } if current(transaction_id) => hub
            .stage(transaction_id as i64, stage)
            .await
            .map_err(|e| LinkError::Protocol(e.to_string())),
        Body::TransactionResponse(outcome) if current(outcome.transaction_id) => {
            // On failure the payment stays active, and closing the connection ends it.
            hub.finish(outcome.transaction_id as i64, &outcome)
                .await
                .map_err(|e| LinkError::Protocol(e.to_string()))?;
            *active = None;
            Ok(())
        }
        Body::Information { .. } | Body::TransactionResponse(_) => {
            tracing::warn!(
                terminal = terminal_id,
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
