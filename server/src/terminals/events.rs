//! The live stages of a point-of-sale payment for the page that follows it, as
//! server-sent events.

use super::TerminalHub;
use app::ports::Ports;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use tower_sessions::Session;

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
    let port = ports.terminals.clone();
    match port.pos_payment(&actor, id).await {
        Ok(_) => {}
        Err(app::error::AppError::NotFound) => return StatusCode::NOT_FOUND.into_response(),
        Err(app::error::AppError::Forbidden) => return StatusCode::FORBIDDEN.into_response(),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
    struct Follow {
        port: Arc<dyn app::terminals::TerminalPort>,
        actor: app::account::Actor,
        changes: tokio::sync::broadcast::Receiver<i64>,
        last: Option<app::terminals::PosPaymentView>,
        done: bool,
    }
    let start = Follow {
        port,
        actor,
        changes: hub.subscribe(),
        last: None,
        done: false,
    };
    let stream = futures_util::stream::unfold(start, move |mut f| async move {
        if f.done {
            return None;
        }
        loop {
            let view = f.port.pos_payment(&f.actor, id).await.ok()?;
            if f.last.as_ref() != Some(&view) {
                f.done = view.stage == super::stage::FINISHED;
                let event = Event::default().event("payment").json_data(&view).ok()?;
                f.last = Some(view);
                return Some((Ok::<_, std::convert::Infallible>(event), f));
            }
            // Woken by a change on this node, or at the latest after a second (a change
            // written by another node).
            let changes = &mut f.changes;
            let _ = tokio::time::timeout(std::time::Duration::from_secs(1), async {
                loop {
                    match changes.recv().await {
                        Ok(changed) if changed == id => break,
                        Ok(_) => {}
                        Err(RecvError::Lagged(_)) => break,
                        Err(RecvError::Closed) => {
                            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                            break;
                        }
                    }
                }
            })
            .await;
        }
    });
    Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response()
}
