//! The payer's script: what runs in the browser on the payer's pages (hosted payment,
//! 3-D Secure, tokenization, pre-payment and test-card pages).
//!
//! The server renders those pages whole, as forms that post to the server and work
//! without script. This module only enhances them: the card number, expiry and security
//! code and the pre-payment fields are checked as they are typed with the same
//! [`domain`] rules the server applies, the card's brand is shown, the session's
//! countdown ticks, a wallet's sheet opens, and a form with a problem is not sent. It
//! uses no framework and carries no texts: the page hands it the texts in its language
//! (`#payer-texts`), so a phone downloads tens of kilobytes, not the back office's
//! application.
//!
//! What it looks for in the page:
//! - `<template id="payer-texts">`: `<span data-key>` texts (card errors by
//!   [`domain::CardError::code`], field problems, `processing`, `card-ok`);
//! - `form[data-card-form]` (`data-brands`: the offered brands, comma-separated): the
//!   inputs named `number`, `expiry`, `cvc`, the `saved` radios and `.new-card`;
//! - `form[data-prepay-form]`: `#prepay-amount` (`data-currency`, `data-min`,
//!   `data-max` in minor units) and `input[data-field]` (`data-required`,
//!   `data-pattern`);
//! - `[data-countdown]` (`data-seconds`, `data-template`), `[data-expired]`,
//!   `a[data-follow]`, `[data-sheet]`, `[data-close]`, `form[data-once]`,
//!   `[data-script-only]`, and
//!   `#check-number` on the test-cards page.
//!
//! The card form keeps the holder and expiry in the tab's session storage while it is
//! sent (`openpsp-typed:{checkout id}`) and puts them back once when the form comes back
//! after a refusal or a decline; a payer page without the form forgets them. The card
//! number and security code are never kept, nor a holder holding a card number.
//!
//! When it is done it marks `<body data-hydrated="true">`.

#[cfg(target_arch = "wasm32")]
mod card;
pub mod checks;
#[cfg(target_arch = "wasm32")]
mod dom;
#[cfg(target_arch = "wasm32")]
mod page;
#[cfg(target_arch = "wasm32")]
mod prepay;

/// Called by the page's loader once the module is instantiated.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    let Some(doc) = dom::document() else {
        return;
    };
    let texts = dom::Texts::read(&doc);
    page::enhance(&doc, &texts);
    card::enhance(&doc, &texts);
    prepay::enhance(&doc, &texts);
    if let Some(body) = doc.body() {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
