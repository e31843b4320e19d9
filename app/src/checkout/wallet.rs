//! The simulated wallet sheet of the TEST payment page (issue 16): a dialog of the page
//! standing for Google Pay's or Apple Pay's sheet. It hands over the approved test card
//! (Visa 4111…), which pays through the card engine like a typed card — fraud screening
//! and the methods check included — the payment marked with the wallet.

use super::alternatives::{PayOption, PayWallet};
use crate::error::AppError;
use crate::i18n::{t, T};
use leptos::prelude::*;

/// The sheet of `wallet` for checkout `id`; closing it sets `sheet` to `None`, paying
/// hands the page's new state to `paid`.
#[component]
pub fn WalletSheet(
    id: String,
    wallet: PayOption,
    sheet: RwSignal<Option<PayOption>>,
    paid: Callback<super::CheckoutView>,
) -> impl IntoView {
    let pay = ServerAction::<PayWallet>::new();
    Effect::new(move |_| {
        if let Some(Ok(view)) = pay.value().get() {
            sheet.set(None);
            paid.run(view);
        }
    });
    let refused = move || {
        pay.value()
            .get()
            .and_then(Result::err)
            .map(|e: AppError| view! { <p class="alert alert-error" role="alert">{crate::components::error_text(&e).unwrap_or_default()}</p> })
    };
    let title = format!("{} (TEST)", wallet.name);
    let code = wallet.code;
    view! {
        <div class="modal-backdrop">
            <div class="modal card" role="dialog" aria-modal="true" aria-labelledby="wallet-title" data-testid="wallet-sheet">
                <h2 id="wallet-title">{title}</h2>
                <p class="muted">{t(T::WalletSheetNote)}</p>
                <p data-testid="wallet-card">{t(T::WalletSheetCard)}</p>
                {refused}
                <div class="form-actions">
                    <button type="button" class="button primary" disabled=move || pay.pending().get()
                        on:click=move |_| { pay.dispatch(PayWallet { id: id.clone(), code }); }>{t(T::WalletPay)}</button>
                    " "
                    <button type="button" class="button" on:click=move |_| sheet.set(None)>{t(T::WalletClose)}</button>
                </div>
            </div>
        </div>
    }
}
