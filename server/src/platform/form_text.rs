//! The text a server function is sent holds no control character other than tab and
//! line ends (`domain::text::is_clean`): a NUL cannot be stored in PostgreSQL, so its
//! write would fail as a 500, and the other controls are never typed. Checked once for
//! every server function, before it runs, on the query and on a URL-encoded or JSON
//! body (a multipart upload's files are checked by the attachments' own rules). The
//! first such field is refused as a field problem, [`Problem::ControlCharacter`], in the
//! form a server function's own refusal takes, so the page shows it next to the field.

use app::error::{AppError, Problem};
use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::text::is_clean;
use leptos::server_fn::error::{FromServerFnError, SERVER_FN_ERROR_HEADER};
use serde_json::Value;

/// JSON nesting looked into at most; deeper text is refused as a whole.
const MAX_DEPTH: usize = 32;

/// `req` as it came (its body read once, up to `limit` bytes), or the refusal.
pub(crate) async fn checked(req: Request, limit: usize) -> Result<Request, Response> {
    if let Some(field) = req.uri().query().and_then(|q| unclean_field(q.as_bytes())) {
        return Err(refusal(req.uri().path(), &field));
    }
    let kind = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let form = kind.starts_with("application/x-www-form-urlencoded");
    let json = kind.starts_with("application/json");
    if !form && !json {
        return Ok(req);
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, limit).await else {
        return Err(StatusCode::PAYLOAD_TOO_LARGE.into_response());
    };
    let unclean = if form {
        unclean_field(&bytes)
    } else {
        serde_json::from_slice::<Value>(&bytes)
            .ok()
            .and_then(|v| unclean_in_json(&v, "", 0))
    };
    if let Some(field) = unclean {
        return Err(refusal(parts.uri.path(), &field));
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

/// The name of the first field of URL-encoded `form` whose name or value is not clean
/// text.
pub(crate) fn unclean_field(form: &[u8]) -> Option<String> {
    form_urlencoded::parse(form)
        .find(|(name, value)| !is_clean(name) || !is_clean(value))
        .map(|(name, _)| shown(&name))
}

/// The path (`a.b`) of the first string or key in `value` that is not clean text.
fn unclean_in_json(value: &Value, path: &str, depth: usize) -> Option<String> {
    let at = |key: &str| {
        if path.is_empty() {
            shown(key)
        } else {
            format!("{path}.{}", shown(key))
        }
    };
    match value {
        Value::String(s) if !is_clean(s) => Some(path.to_owned()),
        Value::Array(items) if depth < MAX_DEPTH => items
            .iter()
            .find_map(|item| unclean_in_json(item, path, depth + 1)),
        Value::Object(fields) if depth < MAX_DEPTH => fields.iter().find_map(|(key, v)| {
            if is_clean(key) {
                unclean_in_json(v, &at(key), depth + 1)
            } else {
                Some(at(key))
            }
        }),
        Value::Array(_) | Value::Object(_) => Some(path.to_owned()),
        _ => None,
    }
}

/// A field name as it may be shown: its control characters left out.
fn shown(name: &str) -> String {
    name.chars().filter(|c| !c.is_control()).take(64).collect()
}

/// The refusal of server function `path` for `field`, as the function itself would
/// answer it: a 400 whose body is the encoded [`AppError`].
fn refusal(path: &str, field: &str) -> Response {
    let error = AppError::field(field, Problem::ControlCharacter);
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
    fn the_first_field_holding_a_control_character_is_named() {
        assert_eq!(unclean_field(b"a=1&b=x%00y&c=%07"), Some("b".into()));
        assert_eq!(unclean_field(b"note=line+1%0D%0Aline+2%09end"), None);
        assert_eq!(unclean_field(b"we%00ird=1"), Some("weird".into()));
        assert_eq!(unclean_field(b""), None);
    }

    #[test]
    fn json_strings_and_keys_are_looked_into() {
        let clean = json!({ "a": "x\ty", "b": [1, "ok\n"], "c": { "d": null } });
        assert_eq!(unclean_in_json(&clean, "", 0), None);
        let nul = json!({ "a": "x", "b": { "c": ["ok", "n\u{0}l"] } });
        assert_eq!(unclean_in_json(&nul, "", 0), Some("b.c".into()));
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
}
