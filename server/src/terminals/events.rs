//! The live stages of a point-of-sale payment for the page that follows it, as
//! server-sent events. A stream waits on the hub's in-memory broadcast of changes (fed
//! by this process and by the hub's one sweep a second for other nodes' changes) and
//! reads the payment only when it changed: an idle stream asks the database nothing.
//! Each user has at most [`MAX_STREAMS_PER_USER`] open at once, and a stream lasts at
//! most [`MAX_STREAM_LIFE`].

use super::TerminalHub;
use app::ports::Ports;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use std::time::Duration;
use tower_sessions::Session;

/// Most live event streams one user may hold open; the next is refused with 429.
pub const MAX_STREAMS_PER_USER: usize = 5;
/// Longest a stream stays open (the page reconnects if it still cares).
pub const MAX_STREAM_LIFE: Duration = Duration::from_secs(30 * 60);

/// One of a user's open streams; gives its place back when dropped.
struct Slot {
    hub: Arc<TerminalHub>,
    user_id: i64,
}

impl TerminalHub {
    /// Takes one of `user_id`'s stream places, if one is free.
    fn open_stream(self: &Arc<Self>, user_id: i64) -> Option<Slot> {
        let mut streams = self.streams.lock().unwrap_or_else(|e| e.into_inner());
        let open = streams.entry(user_id).or_insert(0);
        if *open >= MAX_STREAMS_PER_USER {
            return None;
        }
        *open += 1;
        Some(Slot {
            hub: self.clone(),
            user_id,
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut streams = self.hub.streams.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(open) = streams.get_mut(&self.user_id) {
            *open = open.saturating_sub(1);
            if *open == 0 {
                streams.remove(&self.user_id);
            }
        }
    }
}

/// The live stages of a point-of-sale payment as server-sent events (`payment`, the
/// page's view as JSON), one per change, ending when the payment is finished. The
/// session's actor must be allowed to see it, as for the page.
pub async fn pos_events(
    session: Session,
    State(ports): State<Ports>,
    State(hub): State<Arc<TerminalHub>>,
    axum::extract::Path(id): axum::extract::Path<i64>,
) -> Response {
    use axum::response::sse::{Event, KeepAlive, Sse};
    use tokio::sync::broadcast::error::RecvError;
    let Ok(Some(actor)) = session
        .get::<app::account::Actor>(app::account::ACTOR_SESSION_KEY)
        .await
    else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let Some(slot) = hub.open_stream(actor.user_id) else {
        return StatusCode::TOO_MANY_REQUESTS.into_response();
    };
    // Subscribed before the first read, so no change between the two is missed.
    let changes = hub.subscribe();
    hub.start_sweep();
    let port = ports.terminals.clone();
    let first = match port.pos_payment(&actor, id).await {
        Ok(view) => view,
        Err(app::error::AppError::NotFound) => return StatusCode::NOT_FOUND.into_response(),
        Err(app::error::AppError::Forbidden) => return StatusCode::FORBIDDEN.into_response(),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    struct Follow {
        port: Arc<dyn app::terminals::TerminalPort>,
        actor: app::account::Actor,
        changes: tokio::sync::broadcast::Receiver<i64>,
        /// The view to send next (the first one is read already).
        next: Option<app::terminals::PosPaymentView>,
        last: Option<app::terminals::PosPaymentView>,
        done: bool,
        until: tokio::time::Instant,
        _slot: Slot,
    }
    let start = Follow {
        port,
        actor,
        changes,
        next: Some(first),
        last: None,
        done: false,
        until: tokio::time::Instant::now() + MAX_STREAM_LIFE,
        _slot: slot,
    };
    let stream = futures_util::stream::unfold(start, move |mut f| async move {
        if f.done {
            return None;
        }
        loop {
            let view = match f.next.take() {
                Some(view) => view,
                None => f.port.pos_payment(&f.actor, id).await.ok()?,
            };
            if f.last.as_ref() != Some(&view) {
                f.done = view.stage == super::stage::FINISHED;
                let event = Event::default().event("payment").json_data(&view).ok()?;
                f.last = Some(view);
                return Some((Ok::<_, std::convert::Infallible>(event), f));
            }
            // Wait for a change of this payment; nothing else reads the database.
            let changes = &mut f.changes;
            let changed = tokio::time::timeout_at(f.until, async {
                loop {
                    match changes.recv().await {
                        Ok(changed) if changed == id => return true,
                        Ok(_) => {}
                        // Missed some: read once to be sure.
                        Err(RecvError::Lagged(_)) => return true,
                        Err(RecvError::Closed) => return false,
                    }
                }
            })
            .await;
            if changed != Ok(true) {
                return None;
            }
        }
    });
    Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response()
}
