//! Plain HTML pages for payers that need no WebAssembly (the simulated bank page, the
//! page of a hosted page asked at another data centre): one small style, their own CSP
//! with a nonce, never cached, laid out for 360 px.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::Lang;

/// Text made safe for HTML (the one escape of `domain::markup`).
pub use domain::markup::escape as esc;

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:0;background:#f3f5f8;color:#1b2430}\
main{max-width:28rem;margin:0 auto;padding:1rem}\
h1{font-size:1.3rem}\
.card{background:#fff;border-radius:.5rem;padding:1rem;box-shadow:0 1px 3px #0002}\
dl{display:grid;grid-template-columns:auto 1fr;gap:.4rem 1rem;margin:0 0 1rem}\
dt{color:#555}dd{margin:0;font-weight:600;overflow-wrap:anywhere}\
.actions{display:flex;flex-wrap:wrap;gap:.75rem}\
.actions form{flex:1 1 8rem}\
button,a.button{display:block;width:100%;box-sizing:border-box;padding:.8rem;font-size:1rem;border-radius:.4rem;border:1px solid #1b2430;background:#fff;color:#1b2430;text-align:center;text-decoration:none;cursor:pointer}\
button.primary{background:#0b5cad;border-color:#0b5cad;color:#fff}\
.muted{color:#555;font-size:.9rem}.alert{padding:.75rem;border-radius:.4rem;background:#fdecea}";

/// The whole page titled `title` around `body`, with its own CSP (the style carries the
/// nonce).
pub fn page(lang: Lang, status: StatusCode, title: &str, body: &str) -> Response {
    let nonce = crate::platform::crypto::random_from(b"abcdefghijklmnopqrstuvwxyz0123456789", 22);
    let html = format!(
        "<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"robots\" content=\"noindex\">\
         <title>{title}</title><style nonce=\"{nonce}\">{STYLE}</style></head>\
         <body><main id=\"main\"><h1>{title}</h1>{body}</main></body></html>",
        lang = lang.code(),
        title = esc(title),
    );
    let csp = format!(
        "default-src 'none'; style-src 'nonce-{nonce}'; img-src 'self'; base-uri 'none'; \
         form-action 'self' http: https:; frame-ancestors 'none'"
    );
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8".to_owned()),
            (header::CONTENT_SECURITY_POLICY, csp),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        html,
    )
        .into_response()
}
