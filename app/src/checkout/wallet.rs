//! The simulated wallet sheet of the TEST payment page (issue 16): a dialog of the page
//! standing for Google Pay's or Apple Pay's sheet, opened by the payer's script. It hands
//! over the approved test card (Visa 4111…), which pays through the card engine like a
//! typed card — fraud screening and the methods check included — the payment marked with
//! the wallet.

use super::alternatives::{PayOption, PayWallet};
use super::script::post_to;
use crate::i18n::{t, T};
use leptos::prelude::*;

/// The hidden sheet `#wallet-{code}` of `wallet` for checkout `id`: "Pay" posts to the
/// server (the page then shows the checkout paid), "Close" hides it.
pub fn wallet_sheet(id: &str, wallet: &PayOption) -> impl IntoView + use<> {
    let title = format!("{} (TEST)", wallet.name);
    view! {
        <div class="modal-backdrop" id=format!("wallet-{}", wallet.code) hidden>
            <div class="modal card" role="dialog" aria-modal="true" aria-labelledby=format!("wallet-title-{}", wallet.code)
                data-testid="wallet-sheet">
                <h2 id=format!("wallet-title-{}", wallet.code)>{title}</h2>
                <p class="muted">{t(T::WalletSheetNote)}</p>
                <p data-testid="wallet-card">{t(T::WalletSheetCard)}</p>
                <form method="post" action={post_to::<PayWallet>()} class="form-actions" data-once="">
                    <input type="hidden" name="id" value=id.to_owned()/>
                    <input type="hidden" name="code" value=wallet.code/>
                    <button type="submit" class="button primary">{t(T::WalletPay)}</button>
                    " "
                    <button type="button" class="button" data-close="">{t(T::WalletClose)}</button>
                </form>
            </div>
        </div>
    }
}
