//! The payer pages are rendered on the server only, as plain forms that post to their
//! server functions (and work without script); the payer's script (crate `payer`, built
//! by `scripts/build-payer.sh`) enhances them. Here: what those forms share — the error a
//! post was answered with, and the texts of the script's checks in the page's language,
//! each in a `<span data-key>` of the `<template id="payer-texts">` (the script carries no texts of its
//! own).

use crate::components::{card_error_text, problem_text};
use crate::error::{AppError, Problem};
use crate::i18n::{t, T};
use domain::CardError;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// The error server function `S` answered the form's last post with: a post from a
/// plain form is sent back to its page with the error in the address (`__err`), which
/// the page shows next to the field or above the form.
pub fn posted_error<S>() -> Option<AppError>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    // The address can be written by anyone: no text of it is shown as it is.
    ServerAction::<S>::new()
        .value()
        .with_untracked(|v| v.clone())
        .and_then(Result::err)
        .map(|e| match e {
            AppError::Locked { .. } | AppError::ServerFn(_) => AppError::Internal,
            e => e,
        })
}

/// `S`'s address, for a form's `action`, naming the payer page the form is on (`from`):
/// a browser that sends no `Referer` is still answered by a redirect to its page, with
/// the post's error. The server reads `from` only when there is no `Referer`, and only
/// as a payer page's address ([`posted_page`]).
pub fn post_to<S: ServerFn>() -> String {
    let location = leptos_router::hooks::use_location();
    let path = location.pathname.get_untracked();
    let here = match location.query.with_untracked(|q| q.get("lang")) {
        Some(lang) => format!("{path}?lang={}", crate::url::encode(&lang)),
        None => path,
    };
    format!("{}?from={}", S::PATH, crate::url::encode(&here))
}

/// The payer page a form's `from` names ([`post_to`]), rebuilt from its parts: a
/// payment, 3-D Secure or tokenization page (`/pay/` and two or three segments) or a
/// payment link's page (`/link/` and one), each segment letters, digits, `-` and `_`
/// only, with its `lang` when that is a language; `None` for anything else.
#[cfg(feature = "ssr")]
pub fn posted_page(query: &str) -> Option<String> {
    let (_, from) = crate::url::pairs(query).find(|(name, _)| name == "from")?;
    if from.len() > 200 {
        return None;
    }
    let (path, query) = from.split_once('?').unwrap_or((from.as_str(), ""));
    let (root, rest) = if let Some(rest) = path.strip_prefix("/pay/") {
        ("pay", rest)
    } else {
        ("link", path.strip_prefix("/link/")?)
    };
    let segments: Vec<&str> = rest.split('/').collect();
    let shape = match root {
        "pay" => (2..=3).contains(&segments.len()),
        _ => segments.len() == 1,
    };
    if !shape || !segments.iter().all(|s| simple(s)) {
        return None;
    }
    let lang = crate::url::pairs(query)
        .find(|(name, _)| name == "lang")
        .and_then(|(_, code)| domain::Lang::parse(&code))
        .map(|l| format!("?lang={}", l.code()))
        .unwrap_or_default();
    Some(format!("/{root}/{}{lang}", segments.join("/")))
}

/// Letters, digits, `-` and `_` only: what may go into a `Location` we build.
#[cfg(feature = "ssr")]
pub(crate) fn simple(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// The texts, keyed as the script asks for them.
fn texts() -> Vec<(&'static str, String)> {
    let mut texts: Vec<(&'static str, String)> = CardError::ALL
        .iter()
        .map(|e| (e.code(), card_error_text(*e).to_owned()))
        .collect();
    texts.extend([
        ("required", problem_text(&Problem::Required)),
        ("too-long", problem_text(&Problem::TooLong)),
        ("pattern", problem_text(&Problem::PatternMismatch)),
        ("invalid-amount", problem_text(&Problem::InvalidAmount)),
        ("below-minimum", problem_text(&Problem::BelowMinimum)),
        ("above-maximum", problem_text(&Problem::AboveMaximum)),
        ("processing", t(T::Processing).to_owned()),
        ("card-ok", t(T::CardLooksValid).to_owned()),
    ]);
    texts
}

/// `#payer-texts`, a `<template>` (inert, never shown or read out); every payer page
/// has it.
#[component]
pub fn PayerTexts() -> impl IntoView {
    view! {
        <template id="payer-texts">
            {texts().into_iter().map(|(key, text)| view! { <span data-key=key>{text}</span> }).collect_view()}
        </template>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_key_is_given_once_and_with_a_text() {
        let texts = super::texts();
        let mut keys: Vec<_> = texts.iter().map(|(k, _)| *k).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), texts.len());
        assert!(texts.iter().all(|(_, text)| !text.is_empty()));
    }
}
