//! Configuration → Webhooks (MB-17): turn events on, choose them, manage endpoints and
//! the signing key, and follow deliveries.

use super::api::{
    load_webhooks, AddEndpoint, RemoveEndpoint, ResendDelivery, RotateWebhookKey, SaveWebhooks,
};
use super::WebhooksView;
use crate::components::loaded;
use crate::components::{last_error, problem_text, ErrorAlert};
use crate::configuration::{failure, title};
use crate::error::{AppError, Problem};
use crate::i18n::{t, T};
use leptos::prelude::*;

fn webhooks_body(
    view: WebhooksView,
    save: ServerAction<SaveWebhooks>,
    remove: ServerAction<RemoveEndpoint>,
    resend: ServerAction<ResendDelivery>,
) -> AnyView {
    let enabled = RwSignal::new(view.enabled);
    let chosen = RwSignal::new(view.events.clone());
    let on_save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.dispatch(SaveWebhooks {
            enabled: enabled.get_untracked(),
            events: chosen.get_untracked().join(","),
        });
    };
    view! {
        <form class="card form" on:submit=on_save>
            <label class="checkbox">
                <input type="checkbox" name="enabled" prop:checked=move || enabled.get()
                    on:change:target=move |ev| enabled.set(ev.target().checked())/>
                <span>{t(T::WebhooksEnabled)}</span>
            </label>
            <fieldset class="events">
                <legend>{t(T::EventsLabel)}</legend>
                {view.all_events.iter().map(|event| {
                    let (e1, e2) = (event.clone(), event.clone());
                    view! {
                        <label class="checkbox">
                            <input type="checkbox" value=event.clone()
                                prop:checked=move || chosen.with(|c| c.contains(&e1))
                                on:change:target=move |ev| {
                                    let on = ev.target().checked();
                                    chosen.update(|c| {
                                        c.retain(|x| x != &e2);
                                        if on { c.push(e2.clone()); }
                                    });
                                }/>
                            <code>{event.clone()}</code>
                        </label>
                    }
                }).collect_view()}
            </fieldset>
            <button type="submit" class="button primary" disabled=move || save.pending().get()>{t(T::Save)}</button>
        </form>
        <section class="card" aria-labelledby="endpoints-title">
            <h2 id="endpoints-title">{t(T::EndpointsTitle)}</h2>
            {if view.endpoints.is_empty() {
                view! { <p class="empty">{t(T::NoEndpoints)}</p> }.into_any()
            } else {
                view! {
                    <ul class="endpoint-list" data-testid="endpoints">
                        {view.endpoints.into_iter().map(|e| view! {
                            <li>
                                <code>{e.url.clone()}</code>
                                <button type="button" class="button" on:click=move |_| { remove.dispatch(RemoveEndpoint { id: e.id }); }>
                                    {t(T::Remove)}
                                </button>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
        <section class="card" aria-labelledby="signing-title">
            <h2 id="signing-title">{t(T::SigningKey)}</h2>
            {match view.key_id {
                Some(key) => view! { <p>"X-GCS-KeyId: "<code data-testid="signing-key-id">{key}</code></p> }.into_any(),
                None => view! { <p class="muted">{t(T::NoSigningKey)}</p> }.into_any(),
            }}
        </section>
        <section aria-labelledby="deliveries-title">
            <h2 id="deliveries-title">{t(T::DeliveriesTitle)}</h2>
            {if view.deliveries.is_empty() {
                view! { <p class="empty">{t(T::NoDeliveries)}</p> }.into_any()
            } else {
                view! {
                    <div class="card table-wrap">
                        <table class="table" data-testid="deliveries">
                            <thead><tr>
                                <th scope="col">{t(T::CreatedLabel)}</th>
                                <th scope="col">{t(T::EventLabel)}</th>
                                <th scope="col">{t(T::EndpointUrl)}</th>
                                <th scope="col">{t(T::StatusLabel)}</th>
                                <th scope="col" class="num">{t(T::AttemptsLabel)}</th>
                                <th scope="col" class="num">{t(T::ResponseLabel)}</th>
                                <th scope="col"><span class="sr-only">{t(T::Resend)}</span></th>
                            </tr></thead>
                            <tbody>
                                {view.deliveries.into_iter().map(|d| view! {
                                    <tr>
                                        <td>{d.created.clone()}</td>
                                        <td><code>{d.event.clone()}</code></td>
                                        <td class="mono">{d.url.clone()}</td>
                                        <td><span class=format!("status status-{}", d.status)>{d.status.clone()}</span></td>
                                        <td class="num">{d.attempts}</td>
                                        <td class="num">{d.last_code.map(|c| c.to_string()).unwrap_or_else(|| "—".to_owned())}</td>
                                        <td>
                                            <button type="button" class="button" on:click=move |_| { resend.dispatch(ResendDelivery { id: d.id }); }>
                                                {t(T::Resend)}
                                            </button>
                                        </td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
    .into_any()
}

/// The message under the endpoint URL: on this field `OutOfRange` means the address is
/// not a public one, and `ExceedsLimit` that the endpoint allowance is used up.
fn url_problem_text(problem: &Problem) -> String {
    match problem {
        Problem::OutOfRange => t(T::ErrWebhookAddress).to_owned(),
        Problem::ExceedsLimit => t(T::ErrTooManyEndpoints).to_owned(),
        other => problem_text(other),
    }
}

/// The endpoint URL input with the server's message for it underneath.
#[component]
fn EndpointUrlField(error: Signal<Option<AppError>>) -> impl IntoView {
    let message = Signal::derive(move || {
        error
            .get()
            .and_then(|e| e.problem_for("url").map(url_problem_text))
    });
    view! {
        <div class="field" class:field-invalid=move || message.get().is_some()>
            <label for="hook-url">{t(T::EndpointUrl)}</label>
            <input id="hook-url" name="url" type="url" autocomplete="off" required=true
                aria-invalid=move || message.get().is_some().to_string()
                aria-describedby="hook-url-error"/>
            <p class="field-error" id="hook-url-error">{move || message.get()}</p>
        </div>
    }
}

/// `/configuration/webhooks`.
#[component]
pub fn WebhooksPage() -> impl IntoView {
    let save = ServerAction::<SaveWebhooks>::new();
    let add = ServerAction::<AddEndpoint>::new();
    let remove = ServerAction::<RemoveEndpoint>::new();
    let rotate = ServerAction::<RotateWebhookKey>::new();
    let resend = ServerAction::<ResendDelivery>::new();
    let page = Resource::new(
        move || {
            (
                save.version().get(),
                add.version().get(),
                remove.version().get(),
                rotate.version().get(),
                resend.version().get(),
            )
        },
        |_| load_webhooks(),
    );
    let add_error = last_error(add.value());
    let saved = move || {
        matches!(save.value().get(), Some(Ok(_)))
            .then(|| view! { <p class="alert alert-success" role="status">{t(T::Saved)}</p> })
    };
    let resent = move || match resend.value().get() {
        Some(Ok(())) => Some(
            view! { <p class="alert alert-success" role="status">{t(T::ResendQueued)}</p> }
                .into_any(),
        ),
        Some(Err(AppError::RateLimited)) => Some(
            view! { <p class="alert alert-error" role="alert">{t(T::ErrResendLimit)}</p> }
                .into_any(),
        ),
        Some(Err(e)) => crate::components::error_text(&e)
            .map(|text| view! { <p class="alert alert-error" role="alert">{text}</p> }.into_any()),
        None => None,
    };
    // A rotation's secret, or the first key's when webhooks were just turned on.
    let new_secret = move || {
        let rotated = rotate.value().get().and_then(Result::ok);
        let first = move || save.value().get().and_then(Result::ok).flatten();
        rotated.or_else(first).map(|secret| {
            view! {
                <p class="alert alert-success" role="status" data-testid="new-secret">
                    {t(T::NewSecretOnce).replace("{secret}", &secret)}
                </p>
            }
        })
    };
    view! {
        {title(T::WebhooksTitle)}
        <h1>{t(T::WebhooksTitle)}</h1>
        <p class="muted narrow">{t(T::WebhooksIntro)}</p>
        {saved}
        {resent}
        {new_secret}
        <ErrorAlert error=last_error(save.value())/>
        <ErrorAlert error=add_error/>
        <div class="config-grid">
            <Suspense fallback=|| view! { <p>{t(T::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match loaded(page).await {
                        Err(e) => failure(&e),
                        Ok(view) => webhooks_body(view, save, remove, resend),
                    }
                })}
            </Suspense>
            <ActionForm action=add attr:class="form card inline-form">
                <EndpointUrlField error=add_error/>
                <button type="submit" class="button primary" disabled=move || add.pending().get()>{t(T::AddEndpoint)}</button>
            </ActionForm>
            <ActionForm action=rotate attr:class="inline-form">
                <button type="submit" class="button" disabled=move || rotate.pending().get()>{t(T::RotateKey)}</button>
            </ActionForm>
        </div>
    }
}
