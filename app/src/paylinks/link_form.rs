//! The payment-link form (MB-36): the link's texts, its amount, action period and the
//! fields the payer fills in. Amounts and the merchant's own fields are checked as typed
//! by `domain::paylink` and `domain::money` (in WebAssembly); the server decides again
//! and its field problems are shown under the same inputs.

use crate::components::problem_text;
use crate::error::AppError;
use crate::i18n::{t, T};
use crate::paylinks::LinkForm;
use domain::money::{Currency, Money};
use domain::paylink::{
    check_field, check_fields, check_value, AmountRule, FieldError, FieldSpec, LinkAmountError,
    Pattern, ValueError, MAX_FIELDS, MAX_TEXT_CHARS,
};
use leptos::prelude::*;

/// One of the merchant's own fields as edited: a stable key for the list, the rules, a
/// sample value to try the pattern on, and which inputs were left once.
#[derive(Clone, Debug, PartialEq)]
struct Row {
    key: u64,
    spec: FieldSpec,
    sample: String,
    touched: [bool; 5],
}

/// The input of a custom field a problem belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slot {
    Label,
    Name,
    Placeholder,
    Pattern,
    Fixed,
}

impl Slot {
    /// The last part of the server's field name (`fields.{i}.label`) and of the input id.
    fn code(self) -> &'static str {
        match self {
            Slot::Label => "label",
            Slot::Name => "name",
            Slot::Placeholder => "placeholder",
            Slot::Pattern => "pattern",
            Slot::Fixed => "fixed",
        }
    }

    fn value(self, spec: &FieldSpec) -> &String {
        match self {
            Slot::Label => &spec.label,
            Slot::Name => &spec.name,
            Slot::Placeholder => &spec.placeholder,
            Slot::Pattern => &spec.pattern,
            Slot::Fixed => &spec.fixed,
        }
    }

    fn value_mut(self, spec: &mut FieldSpec) -> &mut String {
        match self {
            Slot::Label => &mut spec.label,
            Slot::Name => &mut spec.name,
            Slot::Placeholder => &mut spec.placeholder,
            Slot::Pattern => &mut spec.pattern,
            Slot::Fixed => &mut spec.fixed,
        }
    }
}

/// The input a field problem is shown under (pattern problems under the regular
/// expression, a fixed value that does not match it under the value).
fn slot_of(error: &FieldError, spec: &FieldSpec) -> Option<Slot> {
    match error {
        FieldError::Label => Some(Slot::Label),
        FieldError::Name | FieldError::DuplicateName => Some(Slot::Name),
        FieldError::TooLong if spec.placeholder.chars().count() > MAX_TEXT_CHARS => {
            Some(Slot::Placeholder)
        }
        FieldError::TooLong | FieldError::FixedMismatch => Some(Slot::Fixed),
        FieldError::PatternTooLong | FieldError::Pattern(_) => Some(Slot::Pattern),
        FieldError::TooMany => None,
    }
}

/// What the merchant reads for a refused field setting.
fn field_error_text(error: &FieldError) -> String {
    match error {
        FieldError::Label => t(T::LinkErrLabel).to_owned(),
        FieldError::Name => t(T::ErrInvalidFieldName).to_owned(),
        FieldError::DuplicateName => t(T::ErrDuplicateName).to_owned(),
        FieldError::TooLong => t(T::ErrTooLong).to_owned(),
        FieldError::PatternTooLong => t(T::LinkErrPatternTooLong).to_owned(),
        FieldError::Pattern(reason) => t(T::LinkErrPattern).replace("{reason}", reason),
        FieldError::FixedMismatch => t(T::LinkErrFixedMismatch).to_owned(),
        FieldError::TooMany => t(T::LinkErrTooMany).replace("{n}", &MAX_FIELDS.to_string()),
    }
}

/// Every problem of one field's settings, input by input: `check_field` stops at the
/// first, so each refused input is set aside (with a value that passes) and the rest
/// checked again.
fn slot_errors(spec: &FieldSpec) -> Vec<(Slot, FieldError)> {
    let mut probe = spec.clone();
    let mut found = Vec::new();
    for _ in 0..5 {
        let Err(error) = check_field(&probe) else {
            break;
        };
        let Some(slot) = slot_of(&error, &probe) else {
            break;
        };
        match slot {
            Slot::Label => probe.label = "x".to_owned(),
            Slot::Name => probe.name = "x".to_owned(),
            other => other.value_mut(&mut probe).clear(),
        }
        found.push((slot, error));
    }
    found
}

/// Each row's key with the problems of its inputs.
type RowProblems = Vec<(u64, Vec<(Slot, FieldError)>)>;

/// The problems of every row, by key; a name used by an earlier row is a duplicate.
fn row_problems(rows: &[Row]) -> RowProblems {
    rows.iter()
        .enumerate()
        .map(|(i, row)| {
            let mut problems = slot_errors(&row.spec);
            let lower = row.spec.name.to_ascii_lowercase();
            if !problems.iter().any(|(s, _)| *s == Slot::Name)
                && rows[..i]
                    .iter()
                    .any(|r| r.spec.name.to_ascii_lowercase() == lower)
            {
                problems.push((Slot::Name, FieldError::DuplicateName));
            }
            (row.key, problems)
        })
        .collect()
}

/// The text of an amount rule's refusal.
fn amount_error_text(error: LinkAmountError) -> String {
    match error {
        LinkAmountError::Inverted => t(T::LinkErrInverted).to_owned(),
        LinkAmountError::BelowMin => t(T::ErrBelowMinimum).to_owned(),
        LinkAmountError::AboveMax => t(T::ErrAboveMaximum).to_owned(),
        LinkAmountError::NotPositive => t(T::LinkErrNotPositive).to_owned(),
    }
}

/// The problems of the fixed amount, the minimum and the maximum as typed. An empty
/// amount is only refused once the form was sent.
fn amount_problems(f: &LinkForm, submitted: bool) -> [Option<String>; 3] {
    let Some(currency) = Currency::parse(&f.currency) else {
        return [None, None, None];
    };
    let parse = |text: &str| -> Result<Option<i64>, String> {
        let text = text.trim();
        if text.is_empty() {
            return if submitted {
                Err(t(T::ErrRequired).to_owned())
            } else {
                Ok(None)
            };
        }
        Money::parse_major(text, currency)
            .map(|m| Some(m.minor()))
            .map_err(|_| t(T::ErrInvalidAmount).to_owned())
    };
    if !f.payer_amount {
        let problem = match parse(&f.amount) {
            Err(text) => Some(text),
            Ok(Some(minor)) => AmountRule::Fixed(minor)
                .check()
                .err()
                .map(amount_error_text),
            Ok(None) => None,
        };
        return [problem, None, None];
    }
    let (min, max) = (parse(&f.min_amount), parse(&f.max_amount));
    let mut problems = [None, min.clone().err(), max.clone().err()];
    if let Ok(Some(min)) = min {
        let max = match max {
            Ok(Some(max)) => max,
            _ => min,
        };
        match (AmountRule::Entered { min, max }).check() {
            Err(LinkAmountError::Inverted) => {
                problems[2] = Some(amount_error_text(LinkAmountError::Inverted))
            }
            Err(other) => problems[1] = Some(amount_error_text(other)),
            Ok(()) => {}
        }
    }
    problems
}

/// The form's state: the link's settings, its own fields and whether it was sent once.
#[derive(Clone, Copy)]
pub(super) struct FormState {
    form: RwSignal<LinkForm>,
    rows: RwSignal<Vec<Row>>,
    problems: Memo<RowProblems>,
    next_key: StoredValue<u64>,
    submitted: RwSignal<bool>,
}

impl FormState {
    /// An empty form (filled by [`FormState::load`]).
    pub(super) fn new() -> Self {
        let rows = RwSignal::new(Vec::<Row>::new());
        FormState {
            form: RwSignal::new(LinkForm::default()),
            rows,
            problems: Memo::new(move |_| rows.with(|r| row_problems(r))),
            next_key: StoredValue::new(0),
            submitted: RwSignal::new(false),
        }
    }

    /// Shows `form` (a new link's defaults or a saved link).
    pub(super) fn load(self, mut form: LinkForm) {
        let fields = std::mem::take(&mut form.fields);
        let rows = fields.into_iter().map(|spec| self.row(spec)).collect();
        self.form.set(form);
        self.rows.set(rows);
        self.submitted.set(false);
    }

    fn row(self, spec: FieldSpec) -> Row {
        self.next_key.update_value(|k| *k += 1);
        Row {
            key: self.next_key.get_value(),
            spec,
            sample: String::new(),
            touched: [false; 5],
        }
    }

    fn specs(rows: &[Row]) -> Vec<FieldSpec> {
        rows.iter().map(|r| r.spec.clone()).collect()
    }

    /// The form to send, or `None` (and every problem shown) when the rules refuse it.
    pub(super) fn submit(self) -> Option<LinkForm> {
        self.submitted.set(true);
        let mut form = self.form.get_untracked();
        form.fields = self.rows.with_untracked(|r| Self::specs(r));
        let missing = form.name.trim().is_empty() || form.title.trim().is_empty();
        let amounts = amount_problems(&form, true).iter().any(Option::is_some);
        let fields = check_fields(&form.fields).is_err();
        (!missing && !amounts && !fields).then_some(form)
    }

    /// The live problem of a custom field's input.
    fn live(self, key: u64, slot: Slot) -> Option<String> {
        let submitted = self.submitted.get();
        let shown = self.rows.with(|rows| {
            rows.iter().find(|r| r.key == key).is_some_and(|r| {
                submitted || r.touched[slot as usize] || !slot.value(&r.spec).is_empty()
            })
        });
        if !shown {
            return None;
        }
        self.problems.with(|all| {
            all.iter()
                .find(|(k, _)| *k == key)
                .and_then(|(_, p)| p.iter().find(|(s, _)| *s == slot))
                .map(|(_, e)| field_error_text(e))
        })
    }

    fn update_row(self, key: u64, change: impl FnOnce(&mut Row)) {
        self.rows.update(|rows| {
            if let Some(row) = rows.iter_mut().find(|r| r.key == key) {
                change(row);
            }
        });
    }

    fn row_value(self, key: u64, read: impl FnOnce(&Row) -> String) -> String {
        self.rows
            .with(|rows| rows.iter().find(|r| r.key == key).map(read))
            .unwrap_or_default()
    }
}

type Read = fn(&LinkForm) -> &String;
type Write = fn(&mut LinkForm) -> &mut String;
type ReadFlag = fn(&LinkForm) -> bool;
type WriteFlag = fn(&mut LinkForm) -> &mut bool;

/// The server's problem for the field `name` of the last save.
fn server_problem(server: Signal<Option<AppError>>, name: &str) -> Option<String> {
    server
        .get()
        .and_then(|e| e.problem_for(name).map(problem_text))
}

/// How a text input of the form looks.
#[derive(Clone, Copy)]
struct Input {
    label: T,
    name: &'static str,
    hint: Option<T>,
    multiline: bool,
    decimal: bool,
}

impl Input {
    fn text(label: T, name: &'static str) -> Self {
        Input {
            label,
            name,
            hint: None,
            multiline: false,
            decimal: false,
        }
    }
}

/// A labelled input bound to one of the form's texts, with the live problem (if any)
/// first and the server's problem for the field after it.
fn text_field(
    s: FormState,
    server: Signal<Option<AppError>>,
    input: Input,
    read: Read,
    write: Write,
    live: impl Fn() -> Option<String> + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let Input {
        label,
        name,
        hint,
        multiline,
        decimal,
    } = input;
    let id = format!("link-{name}");
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described = if hint.is_some() {
        format!("{error_id} {hint_id}")
    } else {
        error_id.clone()
    };
    let problem = move || live().or_else(|| server_problem(server, name));
    let value = move || s.form.with(|f| read(f).clone());
    let control = if multiline {
        view! {
            <textarea id=id.clone() name=name rows="3" aria-describedby=described
                aria-invalid=move || problem().is_some().to_string()
                prop:value=value
                on:input:target=move |ev| s.form.update(|f| *write(f) = ev.target().value())></textarea>
        }
        .into_any()
    } else {
        view! {
            <input id=id.clone() name=name type="text" autocomplete="off" aria-describedby=described
                inputmode=decimal.then_some("decimal")
                aria-invalid=move || problem().is_some().to_string()
                prop:value=value
                on:input:target=move |ev| s.form.update(|f| *write(f) = ev.target().value())/>
        }
        .into_any()
    };
    view! {
        <div class="field" class:field-invalid=move || problem().is_some()>
            <label for=id>{t(label)}</label>
            {control}
            {hint.map(|h| view! { <p class="muted" id=hint_id>{t(h)}</p> })}
            <p class="field-error" id=error_id>{problem}</p>
        </div>
    }
}

/// A checkbox bound to one of the form's flags.
fn flag(
    s: FormState,
    label: T,
    name: &'static str,
    read: ReadFlag,
    write: WriteFlag,
) -> impl IntoView {
    view! {
        <label class="checkbox">
            <input type="checkbox" name=name prop:checked=move || s.form.with(read)
                on:change:target=move |ev| s.form.update(|f| *write(f) = ev.target().checked())/>
            <span>{t(label)}</span>
        </label>
    }
}

/// The form's fields (without the `<form>` and its buttons).
pub(super) fn link_fields(s: FormState, server: Signal<Option<AppError>>) -> impl IntoView {
    let required = move |read: Read| {
        move || {
            (s.submitted.get() && s.form.with(|f| read(f).trim().is_empty()))
                .then(|| t(T::ErrRequired).to_owned())
        }
    };
    let amounts = Memo::new(move |_| s.form.with(|f| amount_problems(f, s.submitted.get())));
    let payer_amount = move || s.form.with(|f| f.payer_amount);
    let indefinite = move || s.form.with(|f| f.indefinite);
    let currency_problem = move || server_problem(server, "currency");
    let ends_problem = move || server_problem(server, "ends_on");
    view! {
        <fieldset>
            <legend>{t(T::LinkLegend)}</legend>
            {text_field(s, server, Input { hint: Some(T::LinkNameHint), ..Input::text(T::LinkNameLabel, "name") },
                |f| &f.name, |f| &mut f.name, required(|f| &f.name))}
            {text_field(s, server, Input { multiline: true, ..Input::text(T::LinkInternalNote, "internal_note") },
                |f| &f.internal_note, |f| &mut f.internal_note, || None)}
            {text_field(s, server, Input { hint: Some(T::LinkTitleHint), ..Input::text(T::LinkTitleLabel, "title") },
                |f| &f.title, |f| &mut f.title, required(|f| &f.title))}
            {text_field(s, server, Input { multiline: true, ..Input::text(T::LinkDescription, "description") },
                |f| &f.description, |f| &mut f.description, || None)}
        </fieldset>
        <fieldset>
            <legend>{t(T::AmountLabel)}</legend>
            {flag(s, T::LinkPayerAmount, "payer_amount", |f| f.payer_amount, |f| &mut f.payer_amount)}
            <div class="link-amounts">
                <div hidden=payer_amount>
                    {text_field(s, server, Input { decimal: true, ..Input::text(T::AmountLabel, "amount") },
                        |f| &f.amount, |f| &mut f.amount, move || amounts.with(|a| a[0].clone()))}
                </div>
                <div hidden=move || !payer_amount()>
                    {text_field(s, server, Input { decimal: true, ..Input::text(T::LinkMinAmount, "min_amount") },
                        |f| &f.min_amount, |f| &mut f.min_amount, move || amounts.with(|a| a[1].clone()))}
                </div>
                <div hidden=move || !payer_amount()>
                    {text_field(s, server, Input { decimal: true, ..Input::text(T::LinkMaxAmount, "max_amount") },
                        |f| &f.max_amount, |f| &mut f.max_amount, move || amounts.with(|a| a[2].clone()))}
                </div>
                <div class="field" class:field-invalid=move || currency_problem().is_some()>
                    <label for="link-currency">{t(T::CurrencyLabel)}</label>
                    <select id="link-currency" name="currency"
                        prop:value=move || s.form.with(|f| f.currency.clone())
                        on:change:target=move |ev| s.form.update(|f| f.currency = ev.target().value())>
                        {Currency::all().map(|c| view! {
                            <option value=c.code() selected=move || s.form.with(|f| f.currency == c.code())>{c.code()}</option>
                        }).collect_view()}
                    </select>
                    <p class="field-error">{currency_problem}</p>
                </div>
            </div>
        </fieldset>
        <fieldset>
            <legend>{t(T::LinkPeriod)}</legend>
            <div class="link-period">
                <div class="field" class:field-invalid=move || ends_problem().is_some()>
                    <label for="link-ends_on">{t(T::LinkEndsOn)}</label>
                    <input id="link-ends_on" name="ends_on" type="date" aria-describedby="link-ends_on-error"
                        disabled=indefinite
                        aria-invalid=move || ends_problem().is_some().to_string()
                        prop:value=move || s.form.with(|f| f.ends_on.clone())
                        on:input:target=move |ev| s.form.update(|f| f.ends_on = ev.target().value())/>
                    <p class="field-error" id="link-ends_on-error">{ends_problem}</p>
                </div>
                {flag(s, T::LinkIndefinite, "indefinite", |f| f.indefinite, |f| &mut f.indefinite)}
            </div>
            {flag(s, T::LinkReusable, "reusable", |f| f.reusable, |f| &mut f.reusable)}
            <p class="muted">{t(T::LinkReusableHint)}</p>
        </fieldset>
        <fieldset>
            <legend>{t(T::LinkAdditional)}</legend>
            <p class="muted">{t(T::LinkAdditionalHint)}</p>
            <div class="choices">
                {flag(s, T::PayerAddress, "ask_address", |f| f.ask_address, |f| &mut f.ask_address)}
                {flag(s, T::PayerEmail, "ask_email", |f| f.ask_email, |f| &mut f.ask_email)}
                {flag(s, T::PayerFullName, "ask_name", |f| f.ask_name, |f| &mut f.ask_name)}
                {flag(s, T::PayerPhone, "ask_phone", |f| f.ask_phone, |f| &mut f.ask_phone)}
            </div>
            {custom_fields(s, server)}
        </fieldset>
    }
}

/// The merchant's own fields: a list with "Add parameter" and a remove button each.
fn custom_fields(s: FormState, server: Signal<Option<AppError>>) -> impl IntoView {
    let full = move || s.rows.with(|r| r.len() >= MAX_FIELDS);
    let add = move |_| {
        if !full() {
            let row = s.row(FieldSpec::default());
            s.rows.update(|r| r.push(row));
        }
    };
    let list_problem = move || {
        full()
            .then(|| field_error_text(&FieldError::TooMany))
            .or_else(|| server_problem(server, "fields"))
    };
    view! {
        <h3 class="link-params-title">{t(T::LinkCustomParams)}</h3>
        <p class="muted" hidden=move || s.rows.with(|r| !r.is_empty())>{t(T::LinkNoParams)}</p>
        <ol class="link-params" data-testid="link-params">
            <For each=move || s.rows.with(|r| r.iter().map(|row| row.key).collect::<Vec<_>>())
                key=|k| *k
                children=move |key| param_row(s, server, key)/>
        </ol>
        <div class="actions">
            <button type="button" class="button" disabled=full on:click=add>{t(T::LinkAddParameter)}</button>
        </div>
        <p class="field-error" aria-live="polite">{list_problem}</p>
    }
}

/// One of the merchant's fields.
fn param_row(s: FormState, server: Signal<Option<AppError>>, key: u64) -> impl IntoView {
    let index = move || s.rows.with(|r| r.iter().position(|row| row.key == key));
    let number = move || index().map(|i| i + 1).unwrap_or_default().to_string();
    let input = move |slot: Slot, label: T, hint: Option<T>| {
        let id = format!("link-field-{key}-{}", slot.code());
        let error_id = format!("{id}-error");
        let hint_id = format!("{id}-hint");
        let described = if hint.is_some() {
            format!("{error_id} {hint_id}")
        } else {
            error_id.clone()
        };
        let problem = move || {
            s.live(key, slot).or_else(|| {
                let i = index()?;
                server_problem(server, &format!("fields.{i}.{}", slot.code()))
            })
        };
        view! {
            <div class="field" class:field-invalid=move || problem().is_some()>
                <label for=id.clone()>{t(label)}</label>
                <input id=id type="text" autocomplete="off" aria-describedby=described
                    class:mono=matches!(slot, Slot::Name | Slot::Pattern)
                    aria-invalid=move || problem().is_some().to_string()
                    prop:value=move || s.row_value(key, |r| slot.value(&r.spec).clone())
                    on:input:target=move |ev| {
                        let value = ev.target().value();
                        s.update_row(key, |r| *slot.value_mut(&mut r.spec) = value);
                    }
                    on:blur=move |_| s.update_row(key, |r| r.touched[slot as usize] = true)/>
                {hint.map(|h| view! { <p class="muted" id=hint_id>{t(h)}</p> })}
                <p class="field-error" id=error_id>{problem}</p>
            </div>
        }
    };
    let remove = move |_| s.rows.update(|r| r.retain(|row| row.key != key));
    let required_id = format!("link-field-{key}-required");
    view! {
        <li class="link-param" data-testid="link-param">
            <fieldset>
                <legend>{move || t(T::LinkParamTitle).replace("{n}", &number())}</legend>
                <div class="link-param-grid">
                    {input(Slot::Label, T::LinkParamLabel, None)}
                    {input(Slot::Name, T::LinkParamName, Some(T::LinkParamNameHint))}
                    {input(Slot::Placeholder, T::LinkParamPlaceholder, None)}
                    {input(Slot::Pattern, T::LinkParamPattern, Some(T::LinkParamPatternHint))}
                    {input(Slot::Fixed, T::LinkParamFixed, Some(T::LinkParamFixedHint))}
                </div>
                {try_pattern(s, key)}
                <div class="link-param-foot">
                    <label class="checkbox">
                        <input id=required_id type="checkbox"
                            prop:checked=move || s.rows.with(|r| r.iter().any(|row| row.key == key && row.spec.required))
                            on:change:target=move |ev| {
                                let on = ev.target().checked();
                                s.update_row(key, |r| r.spec.required = on);
                            }/>
                        <span>{t(T::LinkParamRequired)}</span>
                    </label>
                    <button type="button" class="button danger"
                        aria-label=move || t(T::LinkRemoveParam).replace("{n}", &number())
                        on:click=remove>{t(T::Remove)}</button>
                </div>
            </fieldset>
        </li>
    }
}

/// "Try the pattern": a sample value and whether the field would take it.
fn try_pattern(s: FormState, key: u64) -> impl IntoView {
    let id = format!("link-field-{key}-try");
    let result_id = format!("{id}-result");
    let compiles = move || {
        s.rows.with(|rows| {
            rows.iter()
                .find(|r| r.key == key)
                .is_some_and(|r| matches!(Pattern::compile(&r.spec.pattern), Ok(Some(_))))
        })
    };
    let result = move || {
        s.rows.with(|rows| {
            let row = rows.iter().find(|r| r.key == key)?;
            if row.sample.trim().is_empty() {
                return None;
            }
            // The pattern alone decides: the fixed value and "required" are set aside.
            let probe = FieldSpec {
                fixed: String::new(),
                required: false,
                ..row.spec.clone()
            };
            Some(check_value(&probe, &row.sample))
        })
    };
    let verdict = move || {
        result().map(|r| {
            let (class, text) = match r {
                Ok(_) => ("link-try-ok", format!("✓ {}", t(T::LinkPatternMatches))),
                Err(ValueError::TooLong) => ("link-try-ko", t(T::ErrTooLong).to_owned()),
                Err(_) => ("link-try-ko", format!("✗ {}", t(T::LinkPatternNoMatch))),
            };
            view! { <span class=class>{text}</span> }
        })
    };
    view! {
        <div class="field link-try" hidden=move || !compiles()>
            <label for=id.clone()>{t(T::LinkTryPattern)}</label>
            <input id=id type="text" autocomplete="off" aria-describedby=result_id.clone()
                prop:value=move || s.row_value(key, |r| r.sample.clone())
                on:input:target=move |ev| {
                    let value = ev.target().value();
                    s.update_row(key, |r| r.sample = value);
                }/>
            <p class="link-try-result" id=result_id aria-live="polite" data-testid="link-try-result">{verdict}</p>
        </div>
    }
}
