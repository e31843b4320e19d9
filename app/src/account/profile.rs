//! `/profile`: the signed-in user's name and recovery e-mail address (MB-4, MB-7).

use crate::account::api::{get_me, UpdateProfile};
use crate::account::shell::role_text;
use crate::components::loaded;
use crate::components::{error_text, last_error, ErrorAlert, Field};
use crate::i18n::{t, T};
use leptos::prelude::*;
use leptos_meta::Title;

/// The profile form.
#[component]
pub fn ProfilePage() -> impl IntoView {
    let me = Resource::new(|| (), |_| get_me());
    let action = ServerAction::<UpdateProfile>::new();
    let error = last_error(action.value());
    let saved = move || matches!(action.value().get(), Some(Ok(())));
    view! {
        <Title text=format!("{} — OpenPSP", t(T::ProfileTitle))/>
        <div class="narrow">
            <h1>{t(T::ProfileTitle)}</h1>
            {move || saved().then(|| view! { <p class="alert alert-success" role="status">{t(T::ProfileSaved)}</p> })}
            <ErrorAlert error=error/>
            <Suspense fallback=|| view! { <p>{t(T::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match loaded(me).await {
                        Err(e) => view! { <p class="alert alert-error" role="alert">{error_text(&e)}</p> }.into_any(),
                        Ok(me) => view! {
                            <dl class="profile card">
                                <dt>{t(T::UserId)}</dt><dd>{me.login.clone()}</dd>
                                <dt>{t(T::Pspid)}</dt><dd>{me.pspid.clone()}</dd>
                                <dt>{t(T::Role)}</dt><dd>{role_text(me.role)}</dd>
                            </dl>
                            <ActionForm action=action attr:class="form card">
                                <Field label=T::FullName name="full_name" value=me.full_name.clone() autocomplete="name" error=error/>
                                <Field label=T::RecoveryEmail name="email" kind="email" value=me.email.clone() autocomplete="email" error=error/>
                                <p class="muted">{t(T::RecoveryEmailHint)}</p>
                                <button type="submit" class="button primary" disabled=move || action.pending().get()>
                                    {t(T::SaveProfile)}
                                </button>
                            </ActionForm>
                            <p><a href="/profile/password">{t(T::ChangePassword)}</a></p>
                            <p><a href="/profile/security">{t(T::SecurityTitle)}</a></p>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}
