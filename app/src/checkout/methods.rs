//! The payment page's buttons for the other ways to pay (issue 16): a redirect method
//! sends the payer to the bank's page; a wallet opens its simulated sheet (`wallet.rs`).

use super::alternatives::{load_pay_options, PayOption, PayRedirect};
use super::wallet::WalletSheet;
use crate::components::full_navigation;
use crate::error::AppError;
use crate::i18n::{t, T};
use leptos::prelude::*;

/// The buttons of checkout `id`, below the card form; nothing when none is offered.
/// Once a wallet has paid, `current` takes the page's new state (and the payer goes on
/// to the merchant when no final page is shown).
#[component]
pub fn OtherMethods(id: String, current: RwSignal<super::CheckoutView>) -> impl IntoView {
    let paid = Callback::new(move |v: super::CheckoutView| {
        if !v.show_result {
            if let Some(to) = &v.return_to {
                full_navigation(to);
            }
        }
        current.set(v);
    });
    let options = Resource::new(
        {
            let id = id.clone();
            move || id.clone()
        },
        load_pay_options,
    );
    let redirect = ServerAction::<PayRedirect>::new();
    Effect::new(move |_| {
        if let Some(Ok(url)) = redirect.value().get() {
            full_navigation(&url);
        }
    });
    let sheet = RwSignal::new(None::<PayOption>);
    let refused = move || {
        redirect
            .value()
            .get()
            .and_then(Result::err)
            .map(|e: AppError| view! { <p class="alert alert-error" role="alert">{crate::components::error_text(&e).unwrap_or_default()}</p> })
    };
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let id = id.clone();
                Suspend::new(async move {
                    let o = options.await.unwrap_or_default();
                    if o.redirects.is_empty() && o.wallets.is_empty() {
                        return ().into_any();
                    }
                    let wallet_id = id.clone();
                    view! {
                        <section class="card pay-methods" aria-labelledby="other-methods" data-testid="other-methods">
                            <p class="muted" id="other-methods">{t(T::OtherMethods)}</p>
                            {refused}
                            <div class="form-actions">
                                {o.wallets.into_iter().map(|w| {
                                    let label = t(T::PayWithMethod).replace("{method}", &w.name);
                                    view! {
                                        <button type="button" class="button" data-method=w.code
                                            on:click=move |_| sheet.set(Some(w.clone()))>{label}</button>
                                    }
                                }).collect_view()}
                                {o.redirects.into_iter().map(|m| {
                                    let label = t(T::PayWithMethod).replace("{method}", &m.name);
                                    let id = id.clone();
                                    view! {
                                        <button type="button" class="button" data-method=m.code
                                            disabled=move || redirect.pending().get()
                                            on:click=move |_| { redirect.dispatch(PayRedirect { id: id.clone(), code: m.code }); }>{label}</button>
                                    }
                                }).collect_view()}
                            </div>
                            {move || sheet.get().map(|w| view! { <WalletSheet id=wallet_id.clone() wallet=w sheet=sheet paid=paid/> })}
                        </section>
                    }.into_any()
                })
            }}
        </Suspense>
    }
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
