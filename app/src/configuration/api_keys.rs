//! Configuration → API keys (MB-16): generate, show once with a countdown, delete.

use super::{failure, title, ApiKeyView};
use crate::components::loaded;
use crate::components::{last_error, problem_text, ErrorAlert, Field};
use crate::configuration::api::{list_api_keys, CreateApiKey, DeleteApiKey};
use crate::i18n::{t, T};
use leptos::prelude::*;

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
                match loaded(keys).await {
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
