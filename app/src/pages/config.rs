//! Configuration pages (Admins): API keys (MB-16), webhooks (MB-17), payment settings
//! (MB-14, MB-15) and the job queue (PE-6).

use crate::components::{error_text, last_error, problem_text, ErrorAlert, Field};
use crate::config_api::{
    list_api_keys, load_jobs, load_payment_settings, load_webhooks, AddEndpoint, CreateApiKey,
    DeleteApiKey, RemoveEndpoint, ResendDelivery, RotateWebhookKey, SavePaymentSettings,
    SaveWebhooks,
};
use crate::i18n::{t, T};
use crate::model::{ApiKeyView, AppError, PaymentSettings, WebhooksView};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

fn title(key: T) -> impl IntoView {
    view! { <Title text=format!("{} — OpenPSP", t(key))/> }
}

fn failure(e: &AppError) -> AnyView {
    view! { <p class="alert alert-error" role="alert">{error_text(e)}</p> }.into_any()
}

fn mmss(seconds: i64) -> String {
    format!("{}:{:02}", seconds.max(0) / 60, seconds.max(0) % 60)
}

/// A key's secret: whole with a live countdown while it may be shown, then the hint.
#[component]
fn SecretCell(key: ApiKeyView) -> impl IntoView {
    let seconds = RwSignal::new(key.seconds_left);
    if key.secret.is_some() {
        Effect::new(move |_| {
            let tick = move || {
                seconds.try_update(|s| *s = (*s - 1).max(0));
            };
            if let Ok(handle) = set_interval_with_handle(tick, std::time::Duration::from_secs(1)) {
                on_cleanup(move || handle.clear());
            }
        });
    }
    let hint = key.hint.clone();
    let secret = key.secret.clone();
    move || {
        match (&secret, seconds.get()) {
        (Some(secret), left) if left > 0 => view! {
            <code class="mono secret" data-testid="secret">{secret.clone()}</code>
            <span class="muted countdown" role="timer">{t(T::SecretVisibleFor).replace("{time}", &mmss(left))}</span>
        }
        .into_any(),
        _ => view! { <code class="mono" data-testid="secret-hint">{hint.clone()}</code> }.into_any(),
    }
    }
}

/// `/configuration/api-keys`.
#[component]
pub fn ApiKeysPage() -> impl IntoView {
    let create = ServerAction::<CreateApiKey>::new();
    let delete = ServerAction::<DeleteApiKey>::new();
    let keys = Resource::new(
        move || (create.version().get(), delete.version().get()),
        |_| list_api_keys(),
    );
    let create_error = last_error(create.value());
    let delete_error = last_error(delete.value());
    let deleting: RwSignal<Option<(i64, String)>> = RwSignal::new(None);
    let password = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(Ok(())) = delete.value().get() {
            deleting.set(None);
            password.set(String::new());
        }
    });
    let created = move || match create.value().get() {
        Some(Ok(key)) => Some(view! {
            <p class="alert alert-success" role="status">{t(T::KeyCreated).replace("{name}", &key.name)}</p>
        }),
        _ => None,
    };
    let deleted = move || {
        matches!(delete.value().get(), Some(Ok(())))
            .then(|| view! { <p class="alert alert-success" role="status">{t(T::KeyDeleted)}</p> })
    };
    let password_problem = move || {
        delete_error
            .get()
            .and_then(|e| e.problem_for("password").map(problem_text))
    };
    view! {
        {title(T::ApiKeysTitle)}
        <h1>{t(T::ApiKeysTitle)}</h1>
        <p class="muted narrow">{t(T::ApiKeysIntro)}</p>
        {created}
        {deleted}
        <ErrorAlert error=create_error/>
        <ActionForm action=create attr:class="form card inline-form">
            <Field label=T::KeyName name="name" error=create_error required=true form="key"/>
            <button type="submit" class="button primary" disabled=move || create.pending().get()>{t(T::GenerateKey)}</button>
        </ActionForm>
        <Suspense fallback=|| view! { <p>{t(T::Loading)}</p> }>
            {move || Suspend::new(async move {
                match keys.await {
                    Err(e) => failure(&e),
                    Ok(list) if list.is_empty() => view! { <p class="empty">{t(T::NoKeys)}</p> }.into_any(),
                    Ok(list) => view! {
                        <div class="card table-wrap">
                            <table class="table" data-testid="api-keys">
                                <thead><tr>
                                    <th scope="col">{t(T::KeyName)}</th>
                                    <th scope="col">{t(T::ApiKeyId)}</th>
                                    <th scope="col">{t(T::SecretLabel)}</th>
                                    <th scope="col">{t(T::CreatedLabel)}</th>
                                    <th scope="col">{t(T::LastUsedLabel)}</th>
                                    <th scope="col"><span class="sr-only">{t(T::Delete)}</span></th>
                                </tr></thead>
                                <tbody>
                                    {list.into_iter().map(|key| {
                                        let (id, name) = (key.id, key.name.clone());
                                        view! {
                                            <tr>
                                                <td>{key.name.clone()}</td>
                                                <td class="mono">{key.key_id.clone()}</td>
                                                <td><SecretCell key=key.clone()/></td>
                                                <td>{key.created.clone()}</td>
                                                <td>{key.last_used.clone().unwrap_or_else(|| t(T::Never).to_owned())}</td>
                                                <td>
                                                    <button type="button" class="button danger"
                                                        on:click=move |_| deleting.set(Some((id, name.clone())))>
                                                        {t(T::Delete)}
                                                    </button>
                                                </td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any(),
                }
            })}
        </Suspense>
        {move || deleting.get().map(|(id, name)| view! {
            <div class="modal-backdrop">
                <div class="modal" role="dialog" aria-modal="true" aria-labelledby="delete-title">
                    <h2 id="delete-title">{t(T::DeleteKeyTitle).replace("{name}", &name)}</h2>
                    <p>{t(T::DeleteKeyConsequence)}</p>
                    <form class="form" on:submit=move |ev: leptos::ev::SubmitEvent| {
                        ev.prevent_default();
                        delete.dispatch(DeleteApiKey { id, password: password.get_untracked() });
                    }>
                        <div class="field" class:field-invalid=move || password_problem().is_some()>
                            <label for="delete-password">{t(T::Password)}</label>
                            <input id="delete-password" type="password" autocomplete="current-password" autofocus
                                aria-describedby="delete-password-error"
                                aria-invalid=move || password_problem().is_some().to_string()
                                prop:value=move || password.get()
                                on:input:target=move |ev| password.set(ev.target().value())/>
                            <p class="field-error" id="delete-password-error">{password_problem}</p>
                        </div>
                        <div class="actions">
                            <button type="submit" class="button danger" disabled=move || delete.pending().get()>{t(T::Delete)}</button>
                            <button type="button" class="button" on:click=move |_| { deleting.set(None); password.set(String::new()); }>{t(T::Cancel)}</button>
                        </div>
                    </form>
                </div>
            </div>
        })}
    }
}

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
    let resent = move || {
        matches!(resend.value().get(), Some(Ok(()))).then(
            || view! { <p class="alert alert-success" role="status">{t(T::ResendQueued)}</p> },
        )
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
                    match page.await {
                        Err(e) => failure(&e),
                        Ok(view) => webhooks_body(view, save, remove, resend),
                    }
                })}
            </Suspense>
            <ActionForm action=add attr:class="form card inline-form">
                <Field label=T::EndpointUrl name="url" kind="url" error=add_error required=true form="hook"/>
                <button type="submit" class="button primary" disabled=move || add.pending().get()>{t(T::AddEndpoint)}</button>
            </ActionForm>
            <ActionForm action=rotate attr:class="inline-form">
                <button type="submit" class="button" disabled=move || rotate.pending().get()>{t(T::RotateKey)}</button>
            </ActionForm>
        </div>
    }
}

fn settings_form(
    s: PaymentSettings,
    action: ServerAction<SavePaymentSettings>,
    error: Signal<Option<AppError>>,
) -> AnyView {
    let procedures = [
        ("immediate", T::CaptureImmediate),
        ("delayed", T::CaptureDelayed),
        ("manual", T::CaptureManual),
    ];
    let select_problem = move || {
        error
            .get()
            .and_then(|e| e.problem_for("capture_procedure").map(problem_text))
    };
    view! {
        <ActionForm action=action attr:class="form card narrow">
            <Field label=T::RetryCountLabel name="retry_count" kind="number" value=s.retry_count.to_string() error=error form="settings"/>
            <div class="field">
                <label for="settings-capture_procedure">{t(T::CaptureProcedureLabel)}</label>
                <select id="settings-capture_procedure" name="capture_procedure">
                    {procedures.into_iter().map(|(value, label)| view! {
                        <option value=value selected=s.capture_procedure == value>{t(label)}</option>
                    }).collect_view()}
                </select>
                <p class="field-error">{select_problem}</p>
            </div>
            <Field label=T::CaptureDelayLabel name="capture_delay_hours" kind="number" value=s.capture_delay_hours.to_string() error=error form="settings"/>
            <label class="checkbox">
                <input type="checkbox" name="show_final_page" checked=s.show_final_page/>
                <span>{t(T::ShowFinalPageLabel)}</span>
            </label>
            <Field label=T::SessionMinutesLabel name="session_minutes" kind="number" value=s.session_minutes.to_string() error=error form="settings"/>
            <Field label=T::OverCaptureLabel name="over_capture_percent" kind="number" value=s.over_capture_percent.to_string() error=error form="settings"/>
            <Field label=T::WebSiteLabel name="web_site" kind="url" value=s.web_site.clone() error=error form="settings"/>
            <fieldset class="choices" aria-describedby="report-hint">
                <legend>{t(T::ElectronicReporting)}</legend>
                <p class="muted" id="report-hint">{t(T::ElectronicReportingHint)}</p>
                <div class="field">
                    <label for="settings-report_format">{t(T::ReportFormatLabel)}</label>
                    <select id="settings-report_format" name="report_format">
                        {crate::model::EXPORT_FORMATS.into_iter().map(|f| view! {
                            <option value=f selected=s.report_format == f>{f.to_uppercase()}</option>
                        }).collect_view()}
                    </select>
                    <p class="field-error">{move || error.get().and_then(|e| e.problem_for("report_format").map(problem_text))}</p>
                </div>
                {crate::model::EXPORT_COLUMNS.into_iter().map(|c| view! {
                    <label class="checkbox">
                        <input type="checkbox" name=format!("report_columns[{c}]") value="on" checked=s.report_columns.iter().any(|r| r == c)/>
                        <span class="mono">{c}</span>
                    </label>
                }).collect_view()}
                <p class="field-error">{move || error.get().and_then(|e| e.problem_for("report_columns").map(problem_text))}</p>
            </fieldset>
            <button type="submit" class="button primary" disabled=move || action.pending().get()>{t(T::Save)}</button>
        </ActionForm>
    }
    .into_any()
}

/// `/configuration/payments`.
#[component]
pub fn PaymentSettingsPage() -> impl IntoView {
    let action = ServerAction::<SavePaymentSettings>::new();
    let settings = Resource::new(|| (), |_| load_payment_settings());
    let error = last_error(action.value());
    let saved = move || {
        matches!(action.value().get(), Some(Ok(())))
            .then(|| view! { <p class="alert alert-success" role="status">{t(T::Saved)}</p> })
    };
    view! {
        {title(T::PaymentSettingsTitle)}
        <h1>{t(T::PaymentSettingsTitle)}</h1>
        {saved}
        <ErrorAlert error=error/>
        <Suspense fallback=|| view! { <p>{t(T::Loading)}</p> }>
            {move || Suspend::new(async move {
                match settings.await {
                    Err(e) => failure(&e),
                    Ok(s) => settings_form(s, action, error),
                }
            })}
        </Suspense>
    }
}

/// `/configuration/jobs`.
#[component]
pub fn JobsPage() -> impl IntoView {
    let query = use_query_map();
    let state = move || query.with(|q| q.get("state"));
    let jobs = Resource::new(state, load_jobs);
    let tabs = [
        (None, T::AllStates),
        (Some("queued"), T::StatusLabel),
        (Some("running"), T::StatusLabel),
        (Some("failed"), T::StatusLabel),
        (Some("done"), T::StatusLabel),
    ];
    view! {
        {title(T::JobsTitle)}
        <h1>{t(T::JobsTitle)}</h1>
        <p class="muted narrow">{t(T::JobsIntro)}</p>
        <nav class="tabs" aria-label=t(T::StatusLabel)>
            {tabs.into_iter().map(|(s, label)| {
                let href = s.map(|s| format!("/configuration/jobs?state={s}")).unwrap_or_else(|| "/configuration/jobs".to_owned());
                let text = s.map(str::to_owned).unwrap_or_else(|| t(label).to_owned());
                let current = move || state().as_deref() == s;
                view! { <a href=href class="tab" aria-current=move || current().then_some("page")>{text}</a> }
            }).collect_view()}
        </nav>
        <Suspense fallback=|| view! { <p>{t(T::Loading)}</p> }>
            {move || Suspend::new(async move {
                match jobs.await {
                    Err(e) => failure(&e),
                    Ok(list) if list.is_empty() => view! { <p class="empty">{t(T::NoJobs)}</p> }.into_any(),
                    Ok(list) => view! {
                        <div class="card table-wrap">
                            <table class="table" data-testid="jobs">
                                <thead><tr>
                                    <th scope="col" class="num">"#"</th>
                                    <th scope="col">{t(T::KindLabel)}</th>
                                    <th scope="col">{t(T::StatusLabel)}</th>
                                    <th scope="col" class="num">{t(T::AttemptsLabel)}</th>
                                    <th scope="col">{t(T::RunAtLabel)}</th>
                                    <th scope="col">{t(T::LastErrorLabel)}</th>
                                </tr></thead>
                                <tbody>
                                    {list.into_iter().map(|j| view! {
                                        <tr>
                                            <td class="num">{j.id}</td>
                                            <td><code>{j.kind}</code></td>
                                            <td><span class=format!("status status-{}", j.state)>{j.state.clone()}</span></td>
                                            <td class="num">{format!("{}/{}", j.attempts, j.max_attempts)}</td>
                                            <td>{j.run_at}</td>
                                            <td>{j.last_error.unwrap_or_default()}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
