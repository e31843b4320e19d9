//! The few DOM helpers the enhancements share.

use std::cell::Cell;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{
    Document, DocumentFragment, Element, Event, HtmlElement, HtmlInputElement, HtmlTemplateElement,
};

pub fn document() -> Option<Document> {
    web_sys::window()?.document()
}

/// The elements under `root` matching `selector`, in document order.
pub fn all(root: &Element, selector: &str) -> Vec<Element> {
    let Ok(list) = root.query_selector_all(selector) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into::<Element>().ok())
        .collect()
}

/// The elements of the whole page matching `selector`.
pub fn all_in(doc: &Document, selector: &str) -> Vec<Element> {
    doc.document_element()
        .map(|root| all(&root, selector))
        .unwrap_or_default()
}

/// Listens for `event` on `target` for the page's lifetime.
pub fn on(target: &Element, event: &str, handler: impl FnMut(Event) + 'static) {
    let closure = Closure::<dyn FnMut(Event)>::new(handler);
    let _ = target.add_event_listener_with_callback(event, closure.as_ref().unchecked_ref());
    closure.forget();
}

pub fn input(element: &Element) -> Option<HtmlInputElement> {
    element.clone().dyn_into::<HtmlInputElement>().ok()
}

pub fn set_hidden(element: &Element, hidden: bool) {
    if hidden {
        let _ = element.set_attribute("hidden", "");
    } else {
        let _ = element.remove_attribute("hidden");
    }
}

pub fn focus(element: &Element) {
    if let Ok(e) = element.clone().dyn_into::<HtmlElement>() {
        let _ = e.focus();
    }
}

/// A field's message under it (`{id}-error`), its `aria-invalid` and the field's mark.
pub fn show_problem(doc: &Document, input: &Element, message: Option<&str>) {
    let _ = input.set_attribute(
        "aria-invalid",
        if message.is_some() { "true" } else { "false" },
    );
    if let Some(field) = input.closest(".field").ok().flatten() {
        let _ = field
            .class_list()
            .toggle_with_force("field-invalid", message.is_some());
    }
    if let Some(error) = doc.get_element_by_id(&format!("{}-error", input.id())) {
        error.set_text_content(Some(message.unwrap_or("")));
    }
}

/// An input the payer fills in, and whether it was left (or the form sent) once: until
/// then a half-typed value is not called wrong.
pub struct Input {
    pub element: Element,
    pub input: HtmlInputElement,
    pub touched: Cell<bool>,
}

impl Input {
    pub fn new(element: Element) -> Option<Input> {
        Some(Input {
            input: input(&element)?,
            element,
            touched: Cell::new(false),
        })
    }

    pub fn value(&self) -> String {
        self.input.value()
    }
}

/// On sending `form`: `check` runs with every input counted as touched (`touch`); when it
/// finds a problem (it returns the first refused input) the form is not sent and that
/// input gets the focus, else the form is marked busy and goes.
pub fn guard_submit(
    form: &Element,
    texts: &Texts,
    touch: impl Fn() + 'static,
    check: impl Fn() -> Option<Element> + 'static,
) {
    let (sent, texts) = (form.clone(), texts.clone());
    on(form, "submit", move |event| {
        // Sent already (a double click, Enter twice): once is enough.
        if sent.has_attribute("data-sent") {
            event.prevent_default();
            return;
        }
        touch();
        if let Some(first) = check() {
            event.prevent_default();
            focus(&first);
            return;
        }
        busy(&sent, &texts);
    });
}

/// Marks the form sent and its submit button busy: the form is on its way.
fn busy(form: &Element, texts: &Texts) {
    let _ = form.set_attribute("data-sent", "");
    if let Some(button) = form.query_selector("button[type=submit]").ok().flatten() {
        let _ = button.set_attribute("disabled", "");
        let _ = button.set_attribute("aria-busy", "true");
        button.set_text_content(Some(&texts.get("processing")));
    }
}

/// This month as `(year, month)` in UTC on the payer's clock, for the expiry check.
pub fn today() -> (i32, u32) {
    // UTC, as the server checks it.
    let now = js_sys::Date::new_0();
    (now.get_utc_full_year() as i32, now.get_utc_month() + 1)
}

/// The page's texts in its language, handed over by the server in
/// `<template id="payer-texts">`.
#[derive(Clone)]
pub struct Texts(Option<DocumentFragment>);

impl Texts {
    pub fn read(doc: &Document) -> Self {
        Texts(
            doc.get_element_by_id("payer-texts")
                .and_then(|e| e.dyn_into::<HtmlTemplateElement>().ok())
                .map(|t| t.content()),
        )
    }

    /// The text of `<span data-key="{key}">`.
    pub fn get(&self, key: &str) -> String {
        self.0
            .as_ref()
            .and_then(|e| {
                e.query_selector(&format!("[data-key='{key}']"))
                    .ok()
                    .flatten()
            })
            .and_then(|e| e.text_content())
            .unwrap_or_default()
    }
}
