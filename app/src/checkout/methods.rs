//! The payment page's buttons for the other ways to pay (issue 16): a redirect method
//! posts to the server, which sends the payer to the bank's page; a wallet opens its
//! simulated sheet (`wallet.rs`, shown by the payer's script).

use super::alternatives::{load_pay_options, PayRedirect, PayWallet};
use super::script::{post_to, posted_error};
use super::wallet::wallet_sheet;
use crate::components::error_text;
use crate::i18n::{t, T};
use leptos::prelude::*;

/// The buttons of checkout `id`, below the card form; nothing when none is offered.
#[component]
pub fn OtherMethods(id: String) -> impl IntoView {
    let refused = posted_error::<PayRedirect>()
        .or_else(posted_error::<PayWallet>)
        .and_then(|e| error_text(&e))
        .map(|text| view! { <p class="alert alert-error" role="alert">{text}</p> });
    let body = async move {
        let o = load_pay_options(id.clone()).await.unwrap_or_default();
        if o.redirects.is_empty() && o.wallets.is_empty() {
            return ().into_any();
        }
        let sheets = o
            .wallets
            .iter()
            .map(|w| wallet_sheet(&id, w))
            .collect_view();
        view! {
            <section class="card pay-methods" aria-labelledby="other-methods" data-testid="other-methods">
                <p class="muted" id="other-methods">{t(T::OtherMethods)}</p>
                {refused}
                <div class="form-actions">
                    // A wallet's sheet needs the script: its button shows once it runs.
                    {o.wallets.into_iter().map(|w| {
                        let label = t(T::PayWithMethod).replace("{method}", &w.name);
                        view! {
                            <button type="button" class="button" data-method=w.code hidden
                                data-script-only="" data-sheet=format!("wallet-{}", w.code)>{label}</button>
                        }
                    }).collect_view()}
                    {o.redirects.into_iter().map(|m| {
                        let label = t(T::PayWithMethod).replace("{method}", &m.name);
                        view! {
                            <form method="post" action={post_to::<PayRedirect>()} class="method-form" data-once="">
                                <input type="hidden" name="id" value=id.clone()/>
                                <input type="hidden" name="code" value=m.code/>
                                <button type="submit" class="button" data-method=m.code>{label}</button>
                            </form>
                        }
                    }).collect_view()}
                </div>
                {sheets}
            </section>
        }
        .into_any()
    };
    view! { <Suspense fallback=|| ()>{Suspend::new(body)}</Suspense> }
}

/// The test cards page's table of the simulated bank page's answers
/// (`domain::redirect::bank_outcome`).
pub fn bank_test_table() -> impl IntoView {
    let rows = [
        (T::BankTestApproved, T::BankApproved),
        (T::BankTestRefused, T::BankRefused),
        (T::BankTestCancel, T::BankCancelled),
    ];
    view! {
        <section class="card table-wrap" aria-labelledby="bank-test-title" data-testid="bank-test-table">
            <h2 id="bank-test-title">{t(T::BankTestTitle)}</h2>
            <table class="table">
                <thead><tr>
                    <th scope="col">{t(T::BankTestAction)}</th>
                    <th scope="col">{t(T::BankTestOutcome)}</th>
                </tr></thead>
                <tbody>
                    {rows.into_iter().map(|(action, outcome)| view! {
                        <tr><td>{t(action)}</td><td>{t(outcome)}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}
