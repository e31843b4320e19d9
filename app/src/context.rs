//! Request context of server functions: the ports, the session, the signed-in actor,
//! the client's address and the interface language of the request.

use crate::account::Actor;
use crate::error::AppError;
use crate::ports::Ports;
use domain::Lang;
use leptos::prelude::*;
use tower_sessions::Session;

pub use crate::account::ACTOR_SESSION_KEY as ACTOR_KEY;
/// Cookie holding the interface language (readable before login).
pub const LANG_COOKIE: &str = "openpsp_lang";

pub fn ports() -> Result<Ports, AppError> {
    use_context::<Ports>().ok_or_else(|| {
        tracing::error!("ports missing from context");
        AppError::Internal
    })
}

pub async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(|e| {
        tracing::error!("session unavailable: {e}");
        AppError::Internal
    })
}

/// The signed-in actor, or `Unauthenticated`; `Forbidden` while the session is held to
/// one page — a second factor to set up, an expired password — (only
/// [`actor_in_setup`] answers then).
pub async fn actor() -> Result<Actor, AppError> {
    let actor = actor_in_setup().await?;
    if actor.held() {
        return Err(AppError::Forbidden);
    }
    Ok(actor)
}

/// The signed-in actor even while their session is held to one page: for the security
/// and change-password pages, the shell and logout only.
pub async fn actor_in_setup() -> Result<Actor, AppError> {
    let session = session().await?;
    match session.get::<Actor>(ACTOR_KEY).await {
        Ok(Some(actor)) => Ok(actor),
        Ok(None) => Err(AppError::Unauthenticated),
        Err(e) => {
            tracing::error!("session read failed: {e}");
            Err(AppError::Internal)
        }
    }
}

/// The client's IP address as the socket saw it.
pub async fn client_ip() -> String {
    use axum::extract::ConnectInfo;
    use std::net::SocketAddr;
    leptos_axum::extract::<ConnectInfo<SocketAddr>>()
        .await
        .map(|ConnectInfo(addr)| addr.ip().to_string())
        .unwrap_or_else(|_| "unknown".to_owned())
}

/// Remembers the language in a cookie for the pages rendered before login.
pub fn set_lang_cookie(lang: Lang) {
    set_cookie(&format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
        lang.code()
    ));
}

/// Adds `cookie` (a whole `Set-Cookie` value) to the response.
pub fn set_cookie(cookie: &str) {
    if let (Some(res), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(cookie),
    ) {
        res.append_header(http::header::SET_COOKIE, value);
    }
}

/// The value of the request's cookie `name`, if it sent one.
pub fn cookie(name: &str) -> Option<String> {
    let parts = use_context::<http::request::Parts>()?;
    let value = parts
        .headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(found, _)| *found == name)
        .map(|(_, value)| value.to_owned());
    value
}

/// The language chosen in this browser (the language cookie), if any.
pub fn cookie_lang() -> Option<Lang> {
    cookie(LANG_COOKIE).and_then(|value| Lang::parse(&value))
}

/// A `lang` query parameter: hosted pages carry the language the merchant asked for.
fn query_lang() -> Option<Lang> {
    let parts = use_context::<http::request::Parts>()?;
    parts
        .uri
        .query()?
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(name, _)| *name == "lang")
        .and_then(|(_, value)| Lang::parse(value))
}

/// The language of the current request: `lang` query parameter, cookie, then
/// `Accept-Language`, then English.
pub fn request_lang() -> Lang {
    query_lang()
        .or_else(cookie_lang)
        .or_else(|| {
            use_context::<http::request::Parts>()?
                .headers
                .get(http::header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::from_accept_language)
        })
        .unwrap_or_default()
}

/// Sends the posting form's browser on to `path` (a `303`-like redirect for a plain
/// form; a header the API's callers may ignore). Nothing when `path` cannot be a header.
pub fn send_on(path: &str) {
    if http::HeaderValue::from_str(path).is_ok() {
        leptos_axum::redirect(path);
    }
}

/// The page the request came from, as the browser named it (`Referer`): its path and
/// query only, so never another site; `None` when unnamed or not a path of this site
/// ([`crate::url::is_local_path`]).
pub fn referring_page() -> Option<String> {
    let parts = use_context::<http::request::Parts>()?;
    let referer = parts.headers.get(http::header::REFERER)?.to_str().ok()?;
    let uri: http::Uri = referer.parse().ok()?;
    let page = uri.path_and_query()?.as_str();
    crate::url::is_local_path(page).then(|| page.to_owned())
}

/// Whether this server-function call is a plain form's post (the browser asks for a
/// page back), not a call from the page's script.
pub fn plain_form() -> bool {
    use_context::<http::request::Parts>().is_some_and(|parts| {
        parts
            .headers
            .get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"))
    })
}

/// `page` (a path and its query) with server function `S`'s `error` added as the page's
/// action reads it (`__path`, `__err`): where a plain form's refused post goes back to.
pub fn posted_back<S: leptos::server_fn::ServerFn>(page: &str, error: &AppError) -> Option<String> {
    use leptos::server_fn::error::ServerFnUrlError;
    let url = ServerFnUrlError::new(S::PATH, error.clone())
        .to_url(&format!("http://page{page}"))
        .ok()?;
    Some(format!("{}?{}", url.path(), url.query()?))
}

/// A plain form's post answered by a redirect: on to `done` when it succeeded, else back
/// to the form's `page` with the error ([`posted_back`]), shown next to its field.
pub fn answer_plain_post<S: leptos::server_fn::ServerFn, T>(
    result: &Result<T, AppError>,
    done: &str,
    page: &str,
) {
    match result {
        Ok(_) => send_on(done),
        Err(error) => {
            if let Some(to) = posted_back::<S>(page, error) {
                send_on(&to);
            }
        }
    }
}
