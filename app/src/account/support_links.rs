//! Support → Integration manuals (MB-3): the server API's OpenAPI description, the test
//! cards and the knowledge base's integration guides, in the support portal.

use crate::i18n::{t, T};
use leptos::prelude::*;
use leptos_meta::Title;

/// The knowledge base's integration guides: (slug, title).
const GUIDES: [(&str, T); 9] = [
    ("api-keys", T::GuideApiKeys),
    ("webhooks", T::GuideWebhooks),
    ("hosted-payment-page", T::GuideHostedPage),
    ("idempotent-requests", T::GuideIdempotence),
    ("capturing-payments", T::GuideCapturing),
    ("refunds-and-cancellations", T::GuideRefunds),
    ("exporting-payments", T::GuideExports),
    ("connecting-a-card-terminal", T::GuideTerminal),
    ("point-of-sale-payments", T::GuidePointOfSale),
];

/// `/support-info/manuals`.
#[component]
pub fn ManualsPage() -> impl IntoView {
    view! {
        <Title text=format!("{} — OpenPSP", t(T::SupportManuals))/>
        <h1>{t(T::SupportManuals)}</h1>
        <p class="muted narrow">{t(T::ManualsIntro)}</p>
        <section class="card narrow" aria-labelledby="manuals-api">
            <h2 id="manuals-api">{t(T::ManualsApiTitle)}</h2>
            <p>{t(T::ManualsApiText)}</p>
            <ul>
                <li><a href="/v2/openapi.json" rel="external">{t(T::ManualsOpenApi)}</a></li>
            </ul>
        </section>
        <section class="card narrow" aria-labelledby="manuals-test">
            <h2 id="manuals-test">{t(T::ManualsTestTitle)}</h2>
            <ul>
                <li><a href="/test-cards" rel="external">{t(T::ManualsTestCards)}</a></li>
            </ul>
        </section>
        <section class="card narrow" aria-labelledby="manuals-guides">
            <h2 id="manuals-guides">{t(T::ManualsGuidesTitle)}</h2>
            <ul>
                {GUIDES.into_iter().map(|(slug, title)| view! {
                    <li><a href=format!("/support/articles/{slug}") rel="external">{t(title)}</a></li>
                }).collect_view()}
                <li><a href="/support/articles" rel="external">{t(T::SupportFaq)}</a></li>
            </ul>
        </section>
    }
}
