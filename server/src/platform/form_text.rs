//! The text a server function is sent holds no control character other than tab and
//! line ends (`domain::text::is_clean`): a NUL cannot be stored in PostgreSQL, so its
//! write would fail as a 500, and the other controls are never typed. Checked once for
//! every server function, before it runs, on the query and on the body, whatever type
//! it claims (the server functions' decoders do not look at it): as JSON when it is
//! JSON, else as a URL-encoded form (no server function takes multipart). The first
//! such field is refused as a field problem, [`Problem::ControlCharacter`], named as the
//! page names it (`description`, not `form[description]`), in the form a server
//! function's own refusal takes: the encoded [`AppError`] for a script, and for a plain
//! form's post a redirect to its page with the error in the address, as Leptos does.

use app::error::{AppError, Problem};
use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::text::is_clean;
use leptos::server_fn::error::{FromServerFnError, ServerFnUrlError, SERVER_FN_ERROR_HEADER};
use serde_json::Value;

/// JSON nesting looked into at most; deeper text is refused as a whole.
const MAX_DEPTH: usize = 32;

/// `req` as it came (its body read once, up to `limit` bytes), or the refusal.
pub(crate) async fn checked(req: Request, limit: usize) -> Result<Request, Response> {
    if let Some(field) = req.uri().query().and_then(|q| unclean_field(q.as_bytes())) {
        return Err(refusal(&req, &field));
    }
    if req.method() == Method::GET || req.method() == Method::HEAD {
        return Ok(req);
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, limit).await else {
        return Err(StatusCode::PAYLOAD_TOO_LARGE.into_response());
    };
    let unclean = match serde_json::from_slice::<Value>(&bytes) {
        Ok(json) => unclean_in_json(&json, "", 0),
        Err(_) => unclean_field(&bytes),
    };
    let req = Request::from_parts(parts, Body::from(bytes));
    match unclean {
        Some(field) => Err(refusal(&req, &field)),
        None => Ok(req),
    }
}

/// The name (as the page knows it) of the first field of URL-encoded `form` whose name
/// or value is not clean text.
pub(crate) fn unclean_field(form: &[u8]) -> Option<String> {
    form_urlencoded::parse(form)
        .find(|(name, value)| !is_clean(name) || !is_clean(value))
        .map(|(name, _)| field_name(&name))
}

/// The key (as the page knows it) above the first string or key in `value` that is not
/// clean text; `above` is the key `value` is under.
fn unclean_in_json(value: &Value, above: &str, depth: usize) -> Option<String> {
    match value {
        Value::String(s) if !is_clean(s) => Some(field_name(above)),
        Value::Array(items) if depth < MAX_DEPTH => items
            .iter()
            .find_map(|item| unclean_in_json(item, above, depth + 1)),
        Value::Object(fields) if depth < MAX_DEPTH => fields.iter().find_map(|(key, v)| {
            if is_clean(key) {
                unclean_in_json(v, key, depth + 1)
            } else {
                Some(field_name(key))
            }
        }),
        Value::Array(_) | Value::Object(_) => Some(field_name(above)),
        _ => None,
    }
}

/// A field's name as the page knows it: the last name in `form[lines][0][name]` or
/// `form.name`, its control characters left out.
fn field_name(key: &str) -> String {
    let clean: String = key.chars().filter(|c| !c.is_control()).take(128).collect();
    clean
        .split(['[', ']', '.'])
        .rfind(|part| !part.is_empty() && !part.bytes().all(|b| b.is_ascii_digit()))
        .unwrap_or_default()
        .to_owned()
}

/// The refusal of `req`'s server function for `field`, as the function itself would
/// answer it: for a plain form's post (it accepts HTML) a redirect to its page (the
/// `Referer`) with the error in the address; else a 400 whose body is the encoded
/// [`AppError`].
fn refusal(req: &Request, field: &str) -> Response {
    let path = req.uri().path();
    let error = AppError::field(field, Problem::ControlCharacter);
    let header_text = |name| req.headers().get(name).and_then(|v| v.to_str().ok());
    if header_text(header::ACCEPT).is_some_and(|a| a.contains("text/html")) {
        let to = header_text(header::REFERER)
            .and_then(|page| ServerFnUrlError::new(path, error).to_url(page).ok())
            .map_or_else(|| "/".to_owned(), |url| url.to_string());
        let mut res = StatusCode::FOUND.into_response();
        if let Ok(to) = HeaderValue::from_str(&to) {
            res.headers_mut().insert(header::LOCATION, to);
        }
        return res;
    }
    let mut res = (StatusCode::BAD_REQUEST, error.ser()).into_response();
    let headers = res.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Ok(path) = HeaderValue::from_str(path) {
        headers.insert(SERVER_FN_ERROR_HEADER, path);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_first_field_holding_a_control_character_is_named_as_the_page_names_it() {
        assert_eq!(unclean_field(b"a=1&b=x%00y&c=%07"), Some("b".into()));
        assert_eq!(unclean_field(b"note=line+1%0D%0Aline+2%09end"), None);
        assert_eq!(unclean_field(b"we%00ird=1"), Some("weird".into()));
        assert_eq!(
            unclean_field(b"form%5Bsummary%5D=a%00"),
            Some("summary".into())
        );
        assert_eq!(
            unclean_field(b"form[lines][0][name]=%1b"),
            Some("name".into())
        );
        assert_eq!(unclean_field(b""), None);
    }

    #[test]
    fn json_strings_and_keys_are_looked_into() {
        let clean = json!({ "a": "x\ty", "b": [1, "ok\n"], "c": { "d": null } });
        assert_eq!(unclean_in_json(&clean, "", 0), None);
        let nul = json!({ "a": "x", "b": { "c": ["ok", "n\u{0}l"] } });
        assert_eq!(unclean_in_json(&nul, "", 0), Some("c".into()));
        let key = json!({ "k\u{1b}": 1 });
        assert_eq!(unclean_in_json(&key, "", 0), Some("k".into()));
        let mut deep = json!("x");
        for _ in 0..40 {
            deep = json!([deep]);
        }
        assert!(
            unclean_in_json(&deep, "", 0).is_some(),
            "too deep is refused"
        );
    }

    fn post(body: &'static str, headers: &[(&str, &str)]) -> Request {
        let mut req = Request::post("/api/login").body(Body::from(body)).unwrap();
        for (name, value) in headers {
            req.headers_mut().insert(
                header::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        req
    }

    #[tokio::test]
    async fn a_body_is_checked_whatever_type_it_claims() {
        for kind in [
            "text/plain",
            "multipart/form-data; boundary=x",
            "application/json",
        ] {
            let req = post("pspid=a%00b", &[("content-type", kind)]);
            assert!(checked(req, 1024).await.is_err(), "{kind}");
        }
        let req = post("pspid=a%00b", &[]);
        assert!(checked(req, 1024).await.is_err(), "no type");
        let req = post(r#"{"pspid":"a\u0000b"}"#, &[("content-type", "text/plain")]);
        assert!(checked(req, 1024).await.is_err(), "JSON sent as text");
        let req = post("pspid=shop&note=a%0D%0Ab", &[]);
        assert!(checked(req, 1024).await.is_ok(), "clean text passes");
    }

    #[tokio::test]
    async fn a_plain_forms_post_goes_back_to_its_page_with_the_error() {
        let req = post(
            "pspid=a%00b",
            &[
                ("accept", "text/html,application/xhtml+xml"),
                ("referer", "https://psp.example/login?lang=fr"),
            ],
        );
        let res = checked(req, 1024).await.expect_err("refused");
        assert_eq!(res.status(), StatusCode::FOUND);
        let to = res.headers()[header::LOCATION].to_str().unwrap();
        assert!(
            to.starts_with("https://psp.example/login?lang=fr&__path=%2Fapi%2Flogin&__err="),
            "{to}"
        );
        let script = post("pspid=a%00b", &[("accept", "application/json")]);
        let res = checked(script, 1024).await.expect_err("refused");
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    }
}
