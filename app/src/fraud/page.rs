//! `/advanced/fraud` (MB-19): the merchant's fraud rules, a form that adds one (its values
//! checked as typed by `domain::fraud`, in WebAssembly, and again on the server), and a
//! box that screens typed values without paying. Admins only.

use super::api::{add_fraud_rule, load_fraud_rules, test_fraud_rules, DeleteFraudRule};
use super::{read_rule, FraudPage, FraudRuleRow, NewRuleForm, TestForm, TestResult, KINDS};
use crate::components::loaded;
use crate::components::{error_text, problem_text};
use crate::configuration::{failure, title};
use crate::error::AppError;
use crate::i18n::{t, T};
use leptos::prelude::*;

/// The label of a rule kind.
pub fn kind_label(kind: &str) -> T {
    match kind {
        "max_amount" => T::FraudKindMaxAmount,
        "card_country" => T::FraudKindCardCountry,
        "ip_country" => T::FraudKindIpCountry,
        "bin_range" => T::FraudKindBinRange,
        "card_number" => T::FraudKindCardNumber,
        "velocity_card" => T::FraudKindVelocityCard,
        "velocity_email" => T::FraudKindVelocityEmail,
        _ => T::FraudKindVelocityIp,
    }
}

/// A text input bound to `value`, with the problem for `name` from `error`.
fn input(
    prefix: &'static str,
    label: T,
    name: &'static str,
    value: RwSignal<String>,
    error: RwSignal<Option<AppError>>,
) -> impl IntoView {
    let id = format!("{prefix}-{name}");
    let error_id = format!("{id}-error");
    let problem = move || {
        error
            .get()
            .and_then(|e| e.problem_for(name).map(problem_text))
    };
    view! {
        <div class="field" class:field-invalid=move || problem().is_some()>
            <label for=id.clone()>{t(label)}</label>
            <input id=id name=name type="text" autocomplete="off"
                aria-invalid=move || problem().is_some().to_string()
                aria-describedby=error_id.clone()
                prop:value=move || value.get()
                on:input:target=move |ev| value.set(ev.target().value())/>
            <p class="field-error" id=error_id.clone()>{problem}</p>
        </div>
    }
}

/// The form that adds a rule; `added` receives it.
#[component]
fn AddRuleForm(added: Callback<FraudRuleRow>) -> impl IntoView {
    let kind = RwSignal::new(KINDS[0].to_owned());
    let action = RwSignal::new("block".to_owned());
    let [amount, currency, country, bins, card, attempts, window] =
        std::array::from_fn(|_| RwSignal::new(String::new()));
    let error: RwSignal<Option<AppError>> = RwSignal::new(None);
    let pending = RwSignal::new(false);
    let form = move || NewRuleForm {
        kind: kind.get_untracked(),
        action: action.get_untracked(),
        amount: amount.get_untracked(),
        currency: currency.get_untracked(),
        country: country.get_untracked(),
        bins: bins.get_untracked(),
        card_number: card.get_untracked(),
        attempts: attempts.get_untracked(),
        window_minutes: window.get_untracked(),
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let typed = form();
        // The domain's checks, as typed; the server decides again.
        if let Err(problems) = read_rule(&typed) {
            error.set(Some(AppError::Invalid(problems)));
            return;
        }
        // A card number leaves the page's state once sent.
        card.set(String::new());
        error.set(None);
        pending.set(true);
        leptos::task::spawn_local(async move {
            let result = add_fraud_rule(typed).await;
            pending.set(false);
            match result {
                Ok(row) => {
                    for s in [amount, country, bins, attempts, window] {
                        s.set(String::new());
                    }
                    added.run(row);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let shows = move |kinds: &'static [&'static str]| kinds.contains(&kind.get().as_str());
    view! {
        <form class="card form" on:submit=on_submit novalidate aria-labelledby="fraud-add-title">
            <h2 id="fraud-add-title">{t(T::FraudAddTitle)}</h2>
            {move || error.get().and_then(|e| error_text(&e)).map(|text| view! {
                <p class="alert alert-error" role="alert">{text}</p>
            })}
            <div class="field">
                <label for="fraud-kind">{t(T::FraudKindLabel)}</label>
                <select id="fraud-kind" name="kind" on:change:target=move |ev| {
                    kind.set(ev.target().value());
                    error.set(None);
                }>
                    {KINDS.iter().map(|k| view! {
                        <option value=*k selected=move || kind.get() == *k>{t(kind_label(k))}</option>
                    }).collect_view()}
                </select>
            </div>
            <fieldset class="field">
                <legend>{t(T::FraudActionLabel)}</legend>
                {[("block", T::FraudActionBlock), ("review", T::FraudActionReview)].into_iter().map(|(code, label)| view! {
                    <label class="choice">
                        <input type="radio" name="action" value=code
                            prop:checked=move || action.get() == code
                            on:change=move |_| action.set(code.to_owned())/>
                        " " {t(label)}
                    </label>
                }).collect_view()}
                <p class="muted">{t(T::FraudActionHelp)}</p>
            </fieldset>
            <Show when=move || shows(&["max_amount"])>
                {input("fraud", T::FraudAmountLabel, "amount", amount, error)}
                {input("fraud", T::CurrencyLabel, "currency", currency, error)}
            </Show>
            <Show when=move || shows(&["card_country", "ip_country"])>
                {input("fraud", T::FraudCountryLabel, "country", country, error)}
            </Show>
            <Show when=move || shows(&["bin_range"])>
                {input("fraud", T::FraudBinsLabel, "bins", bins, error)}
            </Show>
            <Show when=move || shows(&["card_number"])>
                {input("fraud", T::CardNumberLabel, "card_number", card, error)}
                <p class="muted">{t(T::FraudCardHelp)}</p>
            </Show>
            <Show when=move || shows(&["velocity_card", "velocity_email", "velocity_ip"])>
                {input("fraud", T::FraudAttemptsLabel, "attempts", attempts, error)}
                {input("fraud", T::FraudWindowLabel, "window_minutes", window, error)}
            </Show>
            <div class="actions">
                <button type="submit" class="button primary" disabled=move || pending.get()>
                    {move || if pending.get() { t(T::Processing) } else { t(T::FraudAdd) }}
                </button>
            </div>
        </form>
    }
}

/// What a test found.
fn test_outcome(r: TestResult) -> impl IntoView {
    let (class, text) = match r.result.as_str() {
        "denied" => ("alert alert-error", T::FraudResultDenied),
        "challenged" => ("alert alert-warning", T::FraudResultChallenged),
        _ => ("alert alert-success", T::FraudResultAccepted),
    };
    let unknown = t(T::FraudUnknown);
    view! {
        <div class=class role="status" data-testid="fraud-test-result" data-result=r.result.clone()>
            <p><strong>{t(text)}</strong></p>
            <ul>
                {r.hits.into_iter().map(|(action, reason)| view! {
                    <li>{t(if action == "block" { T::FraudActionBlock } else { T::FraudActionReview })} ": " {reason}</li>
                }).collect_view()}
            </ul>
            {(!r.unchecked.is_empty()).then(|| view! {
                <p>{t(T::FraudUnchecked).replace("{reason}", &r.unchecked.join("; "))}</p>
            })}
            <p class="muted">
                {t(T::FraudCardCountry).replace("{code}", r.card_country.as_deref().unwrap_or(unknown))}
                " · "
                {t(T::FraudIpCountry).replace("{code}", r.ip_country.as_deref().unwrap_or(unknown))}
            </p>
        </div>
    }
}

/// The box that screens typed values without paying.
#[component]
fn TestBox() -> impl IntoView {
    let [amount, currency, card, email, ip] = std::array::from_fn(|_| RwSignal::new(String::new()));
    let error: RwSignal<Option<AppError>> = RwSignal::new(None);
    let outcome: RwSignal<Option<TestResult>> = RwSignal::new(None);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let form = TestForm {
            amount: amount.get_untracked(),
            currency: currency.get_untracked(),
            card_number: card.get_untracked(),
            email: email.get_untracked(),
            ip: ip.get_untracked(),
        };
        error.set(None);
        outcome.set(None);
        leptos::task::spawn_local(async move {
            match test_fraud_rules(form).await {
                Ok(r) => outcome.set(Some(r)),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <form class="card form" on:submit=on_submit novalidate aria-labelledby="fraud-test-title">
            <h2 id="fraud-test-title">{t(T::FraudTestTitle)}</h2>
            <p class="muted">{t(T::FraudTestIntro)}</p>
            {move || error.get().and_then(|e| error_text(&e)).map(|text| view! {
                <p class="alert alert-error" role="alert">{text}</p>
            })}
            <div class="filter-grid">
                {input("fraud-test", T::AmountLabel, "amount", amount, error)}
                {input("fraud-test", T::CurrencyLabel, "currency", currency, error)}
                {input("fraud-test", T::CardNumberLabel, "card_number", card, error)}
                {input("fraud-test", T::FraudPayerEmailLabel, "email", email, error)}
                {input("fraud-test", T::FraudPayerIpLabel, "ip", ip, error)}
            </div>
            <div class="actions">
                <button type="submit" class="button">{t(T::FraudTestRun)}</button>
            </div>
            {move || outcome.get().map(test_outcome)}
        </form>
    }
}

/// The rules' table.
fn rules_table(
    page: FraudPage,
    deleting: RwSignal<Option<i64>>,
    delete: ServerAction<DeleteFraudRule>,
) -> AnyView {
    if page.rules.is_empty() {
        return view! { <p class="empty">{t(T::FraudRulesEmpty)}</p> }.into_any();
    }
    let zone = page.zone.clone();
    view! {
        <div class="card table-wrap">
            <table class="table" data-testid="fraud-rules">
                <thead><tr>
                    <th scope="col">{t(T::FraudKindLabel)}</th>
                    <th scope="col">{t(T::FraudActionLabel)}</th>
                    <th scope="col" title=zone.clone()>{format!("{} ({zone})", t(T::CreatedLabel))}</th>
                    <th scope="col">{t(T::FraudCreatedBy)}</th>
                    <th scope="col"><span class="sr-only">{t(T::ActionsLabel)}</span></th>
                </tr></thead>
                <tbody>
                    {page.rules.into_iter().map(|r| {
                        let id = r.id;
                        let aria = t(T::FraudDeleteAria).replace("{reason}", &r.description);
                        view! {
                            <tr>
                                <td>
                                    <strong>{t(kind_label(&r.kind))}</strong> ": " {r.description.clone()}
                                    {r.unavailable.then(|| view! { <p class="field-error">{t(T::FraudUnavailable)}</p> })}
                                </td>
                                <td><span class=if r.action == "block" { "status status-declined" } else { "status status-review" }>
                                    {t(if r.action == "block" { T::FraudActionBlock } else { T::FraudActionReview })}
                                </span></td>
                                <td class="nowrap">{r.created.clone()}</td>
                                <td>{r.created_by.clone()}</td>
                                <td class="nowrap">
                                    {move || if deleting.get() == Some(id) {
                                        view! {
                                            <button type="button" class="button danger" disabled=move || delete.pending().get()
                                                on:click=move |_| { delete.dispatch(DeleteFraudRule { id }); }>{t(T::Delete)}</button>
                                            " "
                                            <button type="button" class="button" on:click=move |_| deleting.set(None)>{t(T::Cancel)}</button>
                                        }.into_any()
                                    } else {
                                        view! {
                                            <button type="button" class="button" aria-label=aria.clone()
                                                on:click=move |_| deleting.set(Some(id))>{t(T::Delete)}</button>
                                        }.into_any()
                                    }}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// `/advanced/fraud`.
#[component]
pub fn FraudPageView() -> impl IntoView {
    let version = RwSignal::new(0u32);
    let notice: RwSignal<Option<String>> = RwSignal::new(None);
    let deleting: RwSignal<Option<i64>> = RwSignal::new(None);
    let delete = ServerAction::<DeleteFraudRule>::new();
    let page = Resource::new(
        move || (version.get(), delete.version().get()),
        |_| load_fraud_rules(),
    );
    Effect::new(move |_| {
        if let Some(Ok(())) = delete.value().get() {
            notice.set(Some(t(T::FraudRuleDeleted).to_owned()));
            deleting.set(None);
        }
    });
    let added = Callback::new(move |row: FraudRuleRow| {
        notice.set(Some(
            t(T::FraudRuleAdded).replace("{reason}", &row.description),
        ));
        version.update(|v| *v += 1);
    });
    view! {
        {title(T::FraudTitle)}
        <h1>{t(T::FraudTitle)}</h1>
        <p class="muted narrow">{t(T::FraudIntro)}</p>
        {move || notice.get().map(|text| view! { <p class="alert alert-success" role="status">{text}</p> })}
        {move || delete.value().get().and_then(Result::err).and_then(|e| error_text(&e)).map(|text| view! {
            <p class="alert alert-error" role="alert">{text}</p>
        })}
        <Suspense fallback=|| view! { <p>{t(T::Loading)}</p> }>
            {move || Suspend::new(async move {
                match loaded(page).await {
                    Err(e) => failure(&e),
                    Ok(p) => view! {
                        <p class="muted" data-testid="ip-database">
                            {t(if p.ip_database { T::FraudIpDatabaseOn } else { T::FraudIpDatabaseOff })}
                        </p>
                        {rules_table(p, deleting, delete)}
                    }.into_any(),
                }
            })}
        </Suspense>
        <AddRuleForm added=added/>
        <TestBox/>
    }
}
