//! The card forms (payment and tokenization pages) and the test-cards page's check:
//! the card number, expiry and security code checked as typed, the brand shown, and a
//! form with a problem kept from being sent.

use crate::checks::typed_number_problem;
use crate::dom::{
    all, all_in, guard_submit, input, on, set_hidden, show_problem, today, Input, Texts,
};
use domain::card_entry::{card_check, cvc_problem, expiry_problem};
use domain::CardError;
use std::rc::Rc;
use web_sys::{Document, Element, HtmlInputElement, Storage};

/// The tab's session storage, when the browser gives one.
fn session_storage() -> Option<Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

pub fn enhance(doc: &Document, texts: &Texts) {
    let forms = all_in(doc, "form[data-card-form]");
    if forms.is_empty() {
        // The form did not come back (paid, challenged, ended): nothing kept is needed.
        forget_typed();
    }
    for form in forms {
        CardForm::attach(doc, form, texts);
    }
    test_card_check(doc, texts);
}

/// Removes whatever [`CardForm::keep_typed`] kept in this tab.
fn forget_typed() {
    let Some(storage) = session_storage() else {
        return;
    };
    let keys: Vec<String> = (0..storage.length().unwrap_or(0))
        .filter_map(|i| storage.key(i).ok().flatten())
        .filter(|k| k.starts_with(KEPT_PREFIX))
        .collect();
    for key in keys {
        let _ = storage.remove_item(&key);
    }
}

const KEPT_PREFIX: &str = "openpsp-typed:";

fn text(texts: &Texts, error: CardError) -> String {
    texts.get(error.code())
}

fn field(form: &Element, name: &str) -> Option<Input> {
    Input::new(
        form.query_selector(&format!("input[name={name}]"))
            .ok()
            .flatten()?,
    )
}

struct CardForm {
    doc: Document,
    form: Element,
    texts: Texts,
    offered: Vec<String>,
    number: Input,
    expiry: Option<Input>,
    cvc: Option<Input>,
}

impl CardForm {
    fn attach(doc: &Document, form: Element, texts: &Texts) {
        let Some(number) = field(&form, "number") else {
            return;
        };
        let offered = form
            .get_attribute("data-brands")
            .map(|b| {
                b.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        let this = Rc::new(CardForm {
            doc: doc.clone(),
            expiry: field(&form, "expiry"),
            cvc: field(&form, "cvc"),
            texts: texts.clone(),
            offered,
            number,
            form,
        });
        for field in this.fields() {
            let (on_input, on_blur) = (this.clone(), this.clone());
            let element = field.element.clone();
            on(&element, "input", move |_| {
                on_input.refresh();
            });
            let name = field.input.name();
            on(&element, "blur", move |_| {
                if let Some(f) = on_blur
                    .fields()
                    .into_iter()
                    .find(|f| f.input.name() == name)
                {
                    f.touched.set(true);
                }
                on_blur.refresh();
            });
        }
        for radio in all(&this.form, "input[name=saved]") {
            let form = this.clone();
            on(&radio, "change", move |_| form.toggle_new_card());
        }
        this.toggle_new_card();
        this.restore_typed();
        let (touch, check) = (this.clone(), this.clone());
        guard_submit(
            &this.form,
            &this.texts,
            move || {
                for field in touch.fields() {
                    field.touched.set(true);
                }
            },
            // A saved card is not checked here.
            move || {
                let problem = check.new_card().then(|| check.refresh()).flatten();
                if problem.is_none() {
                    check.keep_typed();
                }
                problem
            },
        );
    }

    /// Where this checkout's typed holder and expiry are kept while its form is sent: the
    /// tab's session storage, under the checkout's id (none without one).
    fn kept_key(&self) -> Option<String> {
        let id = field(&self.form, "id")?.value();
        (!id.is_empty()).then(|| format!("{KEPT_PREFIX}{id}"))
    }

    /// Keeps the holder and expiry of a new card being sent, so that a refusal or a
    /// decline, which brings the form back, does not make the payer type them again. The
    /// card number and security code are never kept.
    fn keep_typed(&self) {
        let (Some(key), Some(storage)) = (self.kept_key(), session_storage()) else {
            return;
        };
        if !self.new_card() {
            let _ = storage.remove_item(&key);
            return;
        }
        // A card number typed into the holder's field by mistake is not kept.
        let holder = field(&self.form, "holder")
            .map(|h| h.value())
            .filter(|h| domain::card::mask_card_numbers(h) == *h);
        let expiry = self.expiry.as_ref().map(Input::value);
        let kept = format!(
            "{}\n{}",
            expiry.unwrap_or_default(),
            holder.unwrap_or_default()
        );
        let _ = storage.set_item(&key, &kept);
    }

    /// Puts back, once, what [`Self::keep_typed`] kept for this checkout, into fields the
    /// page left empty.
    fn restore_typed(&self) {
        let (Some(key), Some(storage)) = (self.kept_key(), session_storage()) else {
            return;
        };
        let Ok(Some(kept)) = storage.get_item(&key) else {
            return;
        };
        let _ = storage.remove_item(&key);
        let (expiry, holder) = kept.split_once('\n').unwrap_or((kept.as_str(), ""));
        for (input, value) in [
            (self.expiry.as_ref().map(|e| e.input.clone()), expiry),
            (field(&self.form, "holder").map(|h| h.input), holder),
        ] {
            if let Some(input) = input.filter(|i| i.value().is_empty()) {
                input.set_value(value);
            }
        }
    }

    fn fields(&self) -> Vec<&Input> {
        std::iter::once(&self.number)
            .chain(self.expiry.as_ref())
            .chain(self.cvc.as_ref())
            .collect()
    }

    /// Whether the payer types a card (not one of the saved ones).
    fn new_card(&self) -> bool {
        all(&self.form, "input[name=saved]")
            .into_iter()
            .filter_map(|r| input(&r))
            .find(HtmlInputElement::checked)
            .is_none_or(|r| r.value() == "new")
    }

    fn toggle_new_card(&self) {
        if let Some(part) = self.form.query_selector(".new-card").ok().flatten() {
            set_hidden(&part, !self.new_card());
        }
    }

    /// Checks every field again and shows what it finds; the first refused input.
    fn refresh(&self) -> Option<Element> {
        let number = self.number.value();
        let mut problems = vec![(
            &self.number,
            typed_number_problem(&number, self.number.touched.get(), &self.offered),
        )];
        if let Some(expiry) = &self.expiry {
            problems.push((
                expiry,
                expiry_problem(&expiry.value(), expiry.touched.get(), today()),
            ));
        }
        if let Some(cvc) = &self.cvc {
            problems.push((cvc, cvc_problem(&number, &cvc.value(), cvc.touched.get())));
        }
        let mut first = None;
        for (field, problem) in problems {
            let message = problem.map(|e| text(&self.texts, e));
            show_problem(&self.doc, &field.element, message.as_deref());
            if problem.is_some() && first.is_none() {
                first = Some(field.element.clone());
            }
        }
        if let Some(brand) = self.form.query_selector(".pay-brand").ok().flatten() {
            let name = card_check(&number).and_then(Result::ok).map(|(b, _)| b);
            brand.set_text_content(name);
        }
        first
    }
}

/// The test-cards page: a typed number is named valid (brand, masked) or why not.
fn test_card_check(doc: &Document, texts: &Texts) {
    let (Some(element), Some(out)) = (
        doc.get_element_by_id("check-number"),
        doc.query_selector(".card-check").ok().flatten(),
    ) else {
        return;
    };
    let Some(field) = input(&element) else {
        return;
    };
    let ok = texts.get("card-ok");
    let errors: Vec<(CardError, String)> = CardError::ALL
        .iter()
        .map(|e| (*e, text(texts, *e)))
        .collect();
    let doc = doc.clone();
    on(&element, "input", move |_| {
        out.set_text_content(None);
        let Some(check) = card_check(&field.value()) else {
            return;
        };
        let (valid, message) = match check {
            Ok((brand, masked)) => (
                true,
                ok.replace("{brand}", brand).replace("{masked}", &masked),
            ),
            Err(e) => (
                false,
                errors
                    .iter()
                    .find(|(k, _)| *k == e)
                    .map(|(_, t)| t.clone())
                    .unwrap_or_default(),
            ),
        };
        if let Ok(span) = doc.create_element("span") {
            span.set_class_name(if valid { "rule rule-ok" } else { "rule" });
            let _ = span.set_attribute("data-valid", if valid { "true" } else { "false" });
            span.set_text_content(Some(&message));
            let _ = out.append_child(&span);
        }
    });
}
