//! The pre-payment page's form (HP-1): the amount the payer enters (within the link's
//! bounds, in its currency) and the fields the link asks, checked as typed; the button
//! names the amount; a form with a problem is not sent.

use crate::checks::{entered_amount, field_problem, FieldProblem};
use crate::dom::{all, all_in, guard_submit, on, show_problem, Input, Texts};
use domain::money::Currency;
use domain::Lang;
use std::rc::Rc;
use web_sys::{Document, Element};

pub fn enhance(doc: &Document, texts: &Texts) {
    for form in all_in(doc, "form[data-prepay-form]") {
        PrepayForm::attach(doc, form, texts);
    }
}

struct Amount {
    field: Input,
    currency: Option<Currency>,
    bounds: Option<(i64, i64)>,
}

struct PrepayForm {
    doc: Document,
    form: Element,
    texts: Texts,
    lang: Lang,
    amount: Option<Amount>,
    fields: Vec<Input>,
}

fn number(element: &Element, name: &str) -> Option<i64> {
    element.get_attribute(name)?.parse().ok()
}

impl PrepayForm {
    fn attach(doc: &Document, form: Element, texts: &Texts) {
        // Fields the payer cannot change (fixed by the link) are not checked.
        let fields = all(&form, "input[data-field]:not([readonly])")
            .into_iter()
            .filter_map(Input::new)
            .collect();
        let amount = form
            .query_selector("#prepay-amount")
            .ok()
            .flatten()
            .and_then(|element| {
                let currency = element
                    .get_attribute("data-currency")
                    .and_then(|c| Currency::parse(&c));
                let bounds = number(&element, "data-min").zip(number(&element, "data-max"));
                Some(Amount {
                    field: Input::new(element)?,
                    currency,
                    bounds,
                })
            });
        let lang = doc
            .document_element()
            .and_then(|e| e.get_attribute("lang"))
            .and_then(|code| Lang::parse(&code))
            .unwrap_or_default();
        let this = Rc::new(PrepayForm {
            doc: doc.clone(),
            texts: texts.clone(),
            lang,
            amount,
            fields,
            form,
        });
        for (i, field) in this.inputs().into_iter().enumerate() {
            let (typed, left) = (this.clone(), this.clone());
            on(&field.element, "input", move |_| {
                typed.refresh();
            });
            on(&field.element, "blur", move |_| {
                if let Some(f) = left.inputs().get(i) {
                    f.touched.set(true);
                }
                left.refresh();
            });
        }
        let (touch, check) = (this.clone(), this.clone());
        guard_submit(
            &this.form,
            &this.texts,
            move || {
                for field in touch.inputs() {
                    field.touched.set(true);
                }
            },
            move || check.refresh(),
        );
    }

    fn inputs(&self) -> Vec<&Input> {
        self.amount
            .iter()
            .map(|a| &a.field)
            .chain(self.fields.iter())
            .collect()
    }

    /// Checks every input again, shows what it finds and names the amount on the button;
    /// the first refused input.
    fn refresh(&self) -> Option<Element> {
        let mut first = None;
        let mut show = |input: &Input, problem: Option<FieldProblem>| {
            let shown = problem.filter(|_| input.touched.get());
            let message = shown.map(|p| self.texts.get(p.key()));
            show_problem(&self.doc, &input.element, message.as_deref());
            if shown.is_some() && first.is_none() {
                first = Some(input.element.clone());
            }
        };
        let mut label = None;
        if let Some(amount) = &self.amount {
            let checked = entered_amount(&amount.field.value(), amount.currency, amount.bounds);
            if let Ok(Some(money)) = checked {
                label = Some(money.format_in(self.lang));
            }
            show(&amount.field, checked.err());
        }
        for field in &self.fields {
            let pattern = field
                .element
                .get_attribute("data-pattern")
                .unwrap_or_default();
            let required = field.element.get_attribute("data-required").as_deref() == Some("true");
            show(field, field_problem(&pattern, required, &field.value()));
        }
        if self.amount.is_some() {
            self.name_amount(label);
        }
        first
    }

    /// "Continue to payment of 12.50 EUR" once the entered amount is valid.
    fn name_amount(&self, amount: Option<String>) {
        let Some(button) = self
            .form
            .query_selector("button[type=submit]")
            .ok()
            .flatten()
        else {
            return;
        };
        let text = match amount {
            Some(a) => button
                .get_attribute("data-label-amount")
                .unwrap_or_default()
                .replace("{amount}", &a),
            None => button.get_attribute("data-label").unwrap_or_default(),
        };
        button.set_text_content(Some(&text));
    }
}
