//! `/dev/mailbox`: the e-mails a non-production deployment "sent". Tests read
//! reset links and codes from here.

use crate::account::api::list_mailbox;
use crate::components::error_text;
use crate::components::loaded;
use crate::i18n::{t, T};
use leptos::prelude::*;
use leptos_meta::Title;

fn links_in(body: &str) -> Vec<String> {
    body.split_whitespace()
        .filter(|w| w.starts_with("http://") || w.starts_with("https://"))
        .map(str::to_owned)
        .collect()
}

/// The development mailbox.
#[component]
pub fn MailboxPage() -> impl IntoView {
    let mails = Resource::new(|| (), |_| list_mailbox());
    view! {
        <Title text=t(T::MailboxTitle)/>
        <main class="page" id="main">
            <h1>{t(T::MailboxTitle)}</h1>
            <p class="muted">{t(T::MailboxIntro)}</p>
            <Suspense fallback=|| view! { <p>{t(T::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match loaded(mails).await {
                        Err(e) => view! { <p class="alert alert-error" role="alert">{error_text(&e)}</p> }.into_any(),
                        Ok(list) if list.is_empty() => view! { <p class="empty">{t(T::MailboxEmpty)}</p> }.into_any(),
                        Ok(list) => view! {
                            <ul class="mailbox" role="list">
                                {list.into_iter().map(|mail| {
                                    let links = links_in(&mail.body);
                                    view! {
                                        <li class="mail card">
                                            <dl class="mail-head">
                                                <dt>{t(T::MailTo)}</dt><dd class="mail-to">{mail.to}</dd>
                                                <dt>{t(T::MailSubject)}</dt><dd class="mail-subject">{mail.subject}</dd>
                                                <dt>{t(T::MailDate)}</dt><dd>{mail.created}</dd>
                                            </dl>
                                            <pre class="mail-body">{mail.body}</pre>
                                            <ul class="mail-links">
                                                {links.into_iter().map(|href| view! {
                                                    <li><a class="mail-link" href=href.clone() rel="external">{href.clone()}</a></li>
                                                }).collect_view()}
                                            </ul>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}
