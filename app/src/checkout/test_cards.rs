//! `/test-cards`: the TEST environment's card table (HP-5) and a live check of a card
//! number with the domain rules, run in the browser by the payer's script (crate `payer`).

use crate::components::refusal_text;
use crate::i18n::{t, T};
use crate::language::LanguageMenu;
use domain::card::{TestOutcome, TEST_CARDS};
use leptos::prelude::*;
use leptos_meta::Title;

fn outcome_text(outcome: TestOutcome) -> String {
    match outcome {
        TestOutcome::Approved { eci } => t(T::OutcomeApproved).replace("{eci}", eci),
        TestOutcome::Challenge { .. } => t(T::OutcomeChallenge).to_owned(),
        TestOutcome::Declined { code, .. } => t(T::OutcomeDeclined)
            .replace("{code}", code)
            .replace("{reason}", refusal_text(code)),
        TestOutcome::Timeout => t(T::OutcomeTimeout).to_owned(),
        TestOutcome::Unreachable => t(T::OutcomeUnreachable).to_owned(),
    }
}

/// The public test-cards page.
#[component]
pub fn TestCardsPage() -> impl IntoView {
    view! {
        <Title text=format!("{} — OpenPSP", t(T::TestCardsTitle))/>
        <header class="topbar">
            // The back office is another bundle: a full page load.
            <div class="topbar-left"><a class="brand" href="/" rel="external">"OpenPSP"</a></div>
            <div class="topbar-right"><LanguageMenu/></div>
        </header>
        <main class="page" id="main">
            <h1>{t(T::TestCardsTitle)}</h1>
            <p class="muted">{t(T::TestCardsIntro)}</p>
            <div class="card table-wrap">
                <table class="table">
                    <thead>
                        <tr>
                            <th scope="col">{t(T::CardNumberLabel)}</th>
                            <th scope="col">{t(T::BrandLabel)}</th>
                            <th scope="col">{t(T::OutcomeLabel)}</th>
                            <th scope="col">{t(T::ThreeDsCodeLabel)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {TEST_CARDS
                            .iter()
                            .map(|row| {
                                let code = match row.outcome {
                                    TestOutcome::Challenge { code } => code,
                                    _ => "—",
                                };
                                view! {
                                    <tr>
                                        <td class="mono">{row.number}</td>
                                        <td>{row.brand.name()}</td>
                                        <td>{outcome_text(row.outcome)}</td>
                                        <td class="mono">{code}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
            {super::methods::bank_test_table()}
            <section class="card narrow" aria-labelledby="check-title">
                <h2 id="check-title">{t(T::TryACard)}</h2>
                <div class="field">
                    <label for="check-number">{t(T::CardNumberLabel)}</label>
                    <input
                        id="check-number"
                        type="text"
                        inputmode="numeric"
                        autocomplete="off"
                    />
                </div>
                <p class="card-check" role="status" aria-live="polite"></p>
            </section>
        </main>
    }
}
