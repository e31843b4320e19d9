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

/// Sends the posting form's browser on to `path` (a `303`-like redirect for a plain
/// form; a header the API's callers may ignore). Nothing when `path` cannot be a header.
#[cfg(feature = "ssr")]
pub fn send_on(path: &str) {
    if http::HeaderValue::from_str(path).is_ok() {
        leptos_axum::redirect(path);
    }
}

/// `S`'s address, for a form's `action`.
pub fn post_to<S: ServerFn>() -> &'static str {
    S::PATH
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
