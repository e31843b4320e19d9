//! A request id on every request (PL-6): the caller's `X-Request-Id` when it is a plain
//! token (letters, digits, `-`, `_`, `.`; at most 64 characters, so nothing a caller sends
//! can forge a log line), else a new random one. It is the field `id` of the request's
//! tracing span — every log line written while the request runs names it — and is sent
//! back in the response's `X-Request-Id`. The span holds no path: a hosted page's path
//! is its secret.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

/// The header.
pub const HEADER: &str = "x-request-id";

/// Whether a caller's id is kept as it is.
pub fn acceptable(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// The middleware.
pub async fn tag(mut req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| acceptable(v))
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
    let value = HeaderValue::from_str(&id).ok();
    if let Some(value) = &value {
        req.headers_mut().insert(HEADER, value.clone());
    }
    let span = tracing::info_span!("request", id = %id, method = %req.method());
    let mut res = next.run(req).instrument(span).await;
    if let Some(value) = value {
        res.headers_mut().insert(HEADER, value);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::routing::get;
    use axum::Router;
    use std::sync::{Arc, Mutex};
    use tower::ServiceExt;

    #[test]
    fn plain_tokens_are_kept_and_anything_else_is_replaced() {
        for ok in ["abc", "0f9a-12_x.y", &"a".repeat(64)] {
            assert!(acceptable(ok), "{ok}");
        }
        for bad in ["", "a b", "a\"b", "id=1 level=ERROR", &"a".repeat(65), "é"] {
            assert!(!acceptable(bad), "{bad}");
        }
    }

    /// Collects what the subscriber writes.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn call(router: Router, id: Option<&str>) -> (Option<String>, String) {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        let res = tracing::subscriber::with_default(subscriber, || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .build()
                .unwrap();
            let mut req = axum::http::Request::builder().uri("/");
            if let Some(id) = id {
                req = req.header(HEADER, id);
            }
            runtime.block_on(router.oneshot(req.body(Body::empty()).unwrap()))
        })
        .unwrap();
        let header = res
            .headers()
            .get(HEADER)
            .map(|v| v.to_str().unwrap().to_owned());
        let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        (header, logs)
    }

    #[test]
    fn every_log_line_of_a_request_and_its_answer_carry_its_id() {
        let router = Router::new()
            .route(
                "/",
                get(|| async {
                    tracing::info!("handled");
                    "ok"
                }),
            )
            .layer(axum::middleware::from_fn(tag));
        let (header, logs) = call(router.clone(), Some("order-42.retry_1"));
        assert_eq!(header.as_deref(), Some("order-42.retry_1"));
        assert!(logs.contains("id=order-42.retry_1"), "{logs}");
        assert!(logs.contains("handled"), "{logs}");

        let (header, logs) = call(router.clone(), Some("x level=ERROR forged"));
        let header = header.unwrap();
        assert_eq!(header.len(), 32, "a new id replaces a hostile one");
        assert!(logs.contains(&format!("id={header}")), "{logs}");
        assert!(!logs.contains("forged"), "{logs}");

        let (header, _) = call(router, None);
        assert!(header.is_some_and(|h| acceptable(&h)));
    }
}
