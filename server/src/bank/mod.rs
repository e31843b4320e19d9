//! The simulated bank page of redirect payments (iDEAL, Bancontact) in TEST (issue 16):
//! `GET /pay/bank/{token}` shows the merchant, amount and method with Approve and
//! Cancel; `POST` the same address writes the decision once and sends the payer back
//! (the API's `returnUrl` with `RETURNMAC`, or the hosted checkout's page). Public, no
//! sign-in: the token is the secret. Plain HTML forms, so it works without WebAssembly,
//! in the payment's language (or `?lang=`), readable at 360 px.

use crate::payments::engine::redirect::BankSession;
use crate::payments::error::EngineError;
use crate::payments::records::stored_money;
use crate::platform::plain_page::{self, esc};
use crate::state::AppState;
use app::i18n::T;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use domain::methods::Method;
use domain::redirect::{BankOutcome, Decision};
use domain::Lang;
use std::collections::HashMap;

/// A bank page around `body`.
fn page(lang: Lang, status: StatusCode, body: &str) -> Response {
    plain_page::page(lang, status, T::BankTitle.text(lang), body)
}

/// The language asked by `?lang=`, else the payment's.
fn language(query: &HashMap<String, String>, locale: Option<&str>) -> Lang {
    query
        .get("lang")
        .and_then(|l| Lang::parse(l))
        .or_else(|| locale.and_then(|l| Lang::parse(l.split(['_', '-']).next().unwrap_or(""))))
        .unwrap_or_default()
}

fn unknown(lang: Lang) -> Response {
    page(
        lang,
        StatusCode::NOT_FOUND,
        &format!(
            "<p class=\"alert\" role=\"alert\">{}</p>",
            esc(T::BankUnknown.text(lang))
        ),
    )
}

fn outcome_text(outcome: BankOutcome) -> T {
    match outcome {
        BankOutcome::Approved => T::BankApproved,
        BankOutcome::Refused => T::BankRefused,
        BankOutcome::Cancelled => T::BankCancelled,
    }
}

/// The page of a session: the payment and its buttons while open, its outcome after.
fn session_page(state: &AppState, found: &BankSession, lang: Lang) -> Response {
    let p = &found.payment;
    let amount = stored_money(p.amount, &p.currency)
        .map(|m| m.format_in(lang))
        .unwrap_or_default();
    let method = p
        .payment_product_id
        .and_then(Method::from_code)
        .map(Method::name)
        .unwrap_or_default();
    let facts = format!(
        "<dl><dt>{}</dt><dd data-testid=\"bank-merchant\">{}</dd><dt>{}</dt><dd data-testid=\"bank-amount\">{}</dd><dt>{}</dt><dd data-testid=\"bank-method\">{}</dd></dl>",
        esc(T::BankMerchant.text(lang)),
        esc(&found.merchant.commercial_name),
        esc(T::AmountLabel.text(lang)),
        esc(&amount),
        esc(T::BankMethod.text(lang)),
        esc(method),
    );
    let body = match found.outcome() {
        None => {
            let button = |decision: Decision, label: T, class: &str| {
                format!(
                    "<form method=\"post\"><input type=\"hidden\" name=\"decision\" value=\"{}\"><input type=\"hidden\" name=\"lang\" value=\"{}\"><button type=\"submit\" class=\"{class}\">{}</button></form>",
                    decision.code(),
                    lang.code(),
                    esc(label.text(lang))
                )
            };
            format!(
                "<section class=\"card\"><p class=\"muted\">{}</p>{facts}<div class=\"actions\">{}{}</div></section>",
                esc(T::BankIntro.text(lang)),
                button(Decision::Approve, T::BankApprove, "primary"),
                button(Decision::Cancel, T::BankCancel, ""),
            )
        }
        Some(outcome) => {
            let back = state.engine.bank_return(found).map(|url| {
                format!(
                    "<p><a class=\"button\" href=\"{}\">{}</a></p>",
                    esc(&url),
                    esc(T::ReturnToMerchant.text(lang))
                )
            });
            format!(
                "<section class=\"card\">{facts}<p role=\"status\" data-testid=\"bank-outcome\">{}</p>{}</section>",
                esc(outcome_text(outcome).text(lang)),
                back.unwrap_or_default()
            )
        }
    };
    page(lang, StatusCode::OK, &body)
}

/// `GET /pay/bank/{token}`.
pub async fn show(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    match state.engine.bank_session(&token).await {
        Ok(found) => {
            let lang = language(&query, Some(&found.payment.locale));
            session_page(&state, &found, lang)
        }
        Err(EngineError::NotFound) => unknown(language(&query, None)),
        Err(e) => {
            tracing::error!(error = %e, "bank page");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// `POST /pay/bank/{token}`: the payer's decision, written once; the payer is sent back.
pub async fn decide(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let lang = language(&form, None);
    let Some(decision) = form.get("decision").and_then(|d| Decision::parse(d)) else {
        return (StatusCode::BAD_REQUEST, "unknown decision").into_response();
    };
    match state.engine.bank_decide(&token, decision).await {
        Ok(found) => match state.engine.bank_return(&found) {
            Some(url) => (StatusCode::SEE_OTHER, [(header::LOCATION, url)]).into_response(),
            None => session_page(&state, &found, lang),
        },
        Err(EngineError::NotFound) => unknown(lang),
        // The payment moved on meanwhile (expired, say): nothing is written.
        Err(EngineError::Refused(_)) => page(
            lang,
            StatusCode::CONFLICT,
            &format!(
                "<p class=\"alert\" role=\"alert\">{}</p>",
                esc(T::BankUnknown.text(lang))
            ),
        ),
        Err(e) => {
            tracing::error!(error = %e, "bank decision");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
