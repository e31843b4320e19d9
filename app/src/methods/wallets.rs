//! The wallet rows' settings on the payment methods page (MB-15): "Google Pay in
//! browser", "Google Pay on mobile" and "Apple Pay", each a switch saved at once
//! (audited before → after like every method's change).

use super::api::SaveMethod;
use super::{MethodForm, MethodRow};
use crate::i18n::{t, T};
use domain::methods::{APPLE_PAY, GOOGLE_PAY};
use leptos::prelude::*;

/// Which switch a checkbox is.
#[derive(Clone, Copy)]
enum Switch {
    GoogleBrowser,
    GoogleMobile,
    Apple,
}

/// The three switches over the page's `rows`.
#[component]
pub fn WalletSwitches(
    rows: RwSignal<Vec<MethodRow>>,
    save: ServerAction<SaveMethod>,
) -> impl IntoView {
    let row = move |code: i32| rows.with(|rs| rs.iter().find(|r| r.code == code).cloned());
    let checked = move |s: Switch| match s {
        Switch::GoogleBrowser => row(GOOGLE_PAY).is_some_and(|r| r.active),
        Switch::GoogleMobile => row(GOOGLE_PAY).is_some_and(|r| r.mobile_active),
        Switch::Apple => row(APPLE_PAY).is_some_and(|r| r.active),
    };
    let toggle = move |s: Switch, on: bool| {
        let code = if matches!(s, Switch::Apple) {
            APPLE_PAY
        } else {
            GOOGLE_PAY
        };
        let Some(r) = rows.with_untracked(|rs| rs.iter().find(|r| r.code == code).cloned()) else {
            return;
        };
        let mut form = MethodForm::of(&r);
        match s {
            Switch::GoogleMobile => form.mobile_active = on,
            _ => form.active = on,
        }
        save.dispatch(SaveMethod { form });
    };
    let switch = move |s: Switch, label: T, id: &'static str| {
        view! {
            <label class="checkbox" for=id>
                <input type="checkbox" id=id name=id
                    prop:checked=move || checked(s)
                    disabled=move || save.pending().get()
                    on:change:target=move |ev| toggle(s, ev.target().checked())/>
                <span>{t(label)}</span>
            </label>
        }
    };
    view! {
        <section class="card" aria-labelledby="wallets-title" data-testid="wallet-switches">
            <h2 id="wallets-title">{t(T::WalletsTitle)}</h2>
            <p class="muted">{t(T::WalletsHelp)}</p>
            {switch(Switch::GoogleBrowser, T::GooglePayBrowser, "wallet-google-browser")}
            {switch(Switch::GoogleMobile, T::GooglePayMobile, "wallet-google-mobile")}
            <label class="checkbox" for="wallet-apple">
                <input type="checkbox" id="wallet-apple" name="wallet-apple"
                    prop:checked=move || checked(Switch::Apple)
                    disabled=move || save.pending().get()
                    on:change:target=move |ev| toggle(Switch::Apple, ev.target().checked())/>
                <span>"Apple Pay"</span>
            </label>
        </section>
    }
}
