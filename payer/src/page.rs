//! What every payer page may have: the session countdown, a page that sends the payer
//! on (`a[data-follow]`), dialogs (`[data-sheet]`, `[data-close]`), forms sent once
//! (`form[data-once]`), the parts that need this script to work (`[data-script-only]`,
//! hidden until it runs), and a page brought back by Back loaded afresh.

use crate::dom::{all_in, guard_submit, on, set_hidden, Texts};
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::Document;

pub fn enhance(doc: &Document, texts: &Texts) {
    // Forms sent once only (a bank's page, a wallet, the challenge code).
    for form in all_in(doc, "form[data-once]") {
        guard_submit(&form, texts, || {}, || None);
    }
    back_forward();
    for element in all_in(doc, "[data-script-only]") {
        set_hidden(&element, false);
    }
    if let Some(link) = doc.query_selector("a[data-follow]").ok().flatten() {
        if let (Some(href), Some(window)) = (link.get_attribute("href"), web_sys::window()) {
            let _ = window.location().replace(&href);
        }
    }
    for button in all_in(doc, "[data-sheet]") {
        let Some(target) = button.get_attribute("data-sheet") else {
            continue;
        };
        let doc = doc.clone();
        on(&button, "click", move |_| {
            if let Some(sheet) = doc.get_element_by_id(&target) {
                set_hidden(&sheet, false);
            }
        });
    }
    for button in all_in(doc, "[data-close]") {
        let close = button.clone();
        on(&button, "click", move |_| {
            if let Some(dialog) = close.closest(".modal-backdrop").ok().flatten() {
                set_hidden(&dialog, true);
            }
        });
    }
    countdown(doc);
}

/// A page brought back by Back from the browser's memory (its forms marked sent, a
/// countdown stopped) is loaded again instead, as the checkout stands now.
fn back_forward() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let reload = Closure::<dyn FnMut(web_sys::Event)>::new(|event: web_sys::Event| {
        let persisted = js_sys::Reflect::get(&event, &"persisted".into())
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        if let (true, Some(window)) = (persisted, web_sys::window()) {
            let _ = window.location().reload();
        }
    });
    let _ = window.add_event_listener_with_callback("pageshow", reload.as_ref().unchecked_ref());
    reload.forget();
}

/// Ticks `[data-countdown]` down each second; at zero, shows `[data-expired]`.
fn countdown(doc: &Document) {
    let Some(timer) = doc.query_selector("[data-countdown]").ok().flatten() else {
        return;
    };
    let template = timer.get_attribute("data-template").unwrap_or_default();
    let seconds = timer
        .get_attribute("data-seconds")
        .and_then(|s| s.parse::<i64>().ok())
        .unwrap_or(0);
    let left = Rc::new(Cell::new(seconds));
    let expired = doc.query_selector("[data-expired]").ok().flatten();
    let tick = Closure::<dyn FnMut()>::new(move || {
        let now = (left.get() - 1).max(0);
        left.set(now);
        timer.set_text_content(Some(&domain::timezone::countdown(&template, now)));
        if now == 0 {
            if let Some(alert) = &expired {
                set_hidden(alert, false);
            }
        }
    });
    if let Some(window) = web_sys::window() {
        let _ = window.set_interval_with_callback_and_timeout_and_arguments_0(
            tick.as_ref().unchecked_ref(),
            1000,
        );
    }
    tick.forget();
}
