//! The support portal's sign-in, layout, home and profile (SP-1).
//!
//! Sign-in is one page whose steps follow the server's answers: e-mail → password →
//! mailed code (second factor) for an existing person; e-mail → mailed activation code →
//! name and password → mailed code for an invited one.

use crate::account::PasswordRules;
use crate::components::loaded;
use crate::components::{
    error_text, full_navigation, last_error, ErrorAlert, Field, PasswordChecklist, PersonIcon,
};
use crate::error::AppError;
use crate::i18n::{t, T};
use crate::language::LanguageMenu;
use crate::support::accounts::api::{
    load_support_me, support_activation_rules, SaveSupportProfile, SupportActivate, SupportBegin,
    SupportLogin, SupportLogout, SupportResend, SupportVerify,
};
use crate::support::accounts::{SupportMe, SupportStep};
use domain::password::PasswordPolicy;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Outlet;
use leptos_router::hooks::use_query_map;

/// Moves the page to the step an action answered; once signed in, to `next`.
fn follow<A>(action: ServerAction<A>, step: RwSignal<SupportStep>, next: StoredValue<String>)
where
    A: leptos::server_fn::ServerFn<Output = SupportStep, Error = AppError>
        + Clone
        + Send
        + Sync
        + 'static,
    A::Output: Send + Sync + 'static,
{
    Effect::new(move |_| match action.value().get() {
        Some(Ok(SupportStep::Done)) => full_navigation(&next.get_value()),
        Some(Ok(next)) => step.set(next),
        _ => {}
    });
}

/// The strength meter: how many rules of the policy the password meets.
/// The sign-in steps' error: too many attempts or codes says so in the portal's words
/// (codes are limited per hour), anything else as everywhere.
#[component]
fn SignInAlert(error: Signal<Option<AppError>>) -> impl IntoView {
    move || {
        error
            .get()
            .and_then(|e| match e {
                AppError::RateLimited => Some(t(T::SupportTooManyCodes).to_owned()),
                other => error_text(&other),
            })
            .map(|text| view! { <p class="alert alert-error" role="alert">{text}</p> })
    }
}

#[component]
fn StrengthMeter(password: ReadSignal<String>, rules: PasswordRules) -> impl IntoView {
    let policy = PasswordPolicy::with_min_length(rules.min_length);
    let context = rules.context;
    let total = policy.check("", &context).len();
    let passed = Signal::derive(move || {
        policy
            .check(&password.get(), &context)
            .iter()
            .filter(|c| c.passed)
            .count()
    });
    view! {
        <div class="field">
            <label for="support-strength">{t(T::SupportStrength)}</label>
            <meter id="support-strength" min="0" max=total.to_string() low=(total / 2).to_string()
                high=(total.saturating_sub(1)).to_string() optimum=total.to_string()
                value=move || passed.get().to_string()>
                {move || format!("{}/{total}", passed.get())}
            </meter>
        </div>
    }
}

/// `/support/login?email=…`.
#[component]
pub fn SupportLoginPage() -> impl IntoView {
    let query = use_query_map();
    let email = RwSignal::new(query.with_untracked(|q| q.get("email")).unwrap_or_default());
    let step = RwSignal::new(SupportStep::Email);
    let begin = ServerAction::<SupportBegin>::new();
    let login = ServerAction::<SupportLogin>::new();
    let verify = ServerAction::<SupportVerify>::new();
    let activate = ServerAction::<SupportActivate>::new();
    let resend = ServerAction::<SupportResend>::new();
    // Where the portal's gate was asked to go: only a page of the portal.
    let next = StoredValue::new(
        query
            .with_untracked(|q| q.get("next"))
            .filter(|n| n.starts_with("/support") && crate::url::is_local_path(n))
            .unwrap_or_else(|| "/support".to_owned()),
    );
    follow(begin, step, next);
    follow(login, step, next);
    follow(verify, step, next);
    follow(activate, step, next);
    let (begin_error, login_error, verify_error, activate_error, resend_error) = (
        last_error(begin.value()),
        last_error(login.value()),
        last_error(verify.value()),
        last_error(activate.value()),
        last_error(resend.value()),
    );
    let code_error = Signal::derive(move || verify_error.get().or_else(|| resend_error.get()));
    // A session that lost the step in progress starts again from the e-mail.
    Effect::new(move |_| {
        let lost = [verify_error.get(), activate_error.get(), resend_error.get()]
            .into_iter()
            .flatten()
            .any(|e| matches!(e, AppError::Unauthenticated));
        if lost {
            step.set(SupportStep::Email);
        }
    });
    let resent = move || {
        matches!(resend.value().get(), Some(Ok(()))).then(
            || view! { <p class="alert alert-success" role="status">{t(T::SupportCodeResent)}</p> },
        )
    };
    let other_email = move || {
        view! {
            <p class="login-switch">
                <button type="button" class="link-button" on:click=move |_| step.set(SupportStep::Email)>
                    {t(T::SupportOtherEmail)}
                </button>
            </p>
        }
    };
    let code_form = move |intro: T| {
        view! {
            <p class="muted">{t(intro).replace("{email}", &email.get_untracked())}</p>
            {resent}
            <SignInAlert error=code_error/>
            <ActionForm action=verify attr:class="form">
                <Field label=T::SupportCodeLabel name="code" error=code_error autocomplete="one-time-code" required=true form="code"/>
                <button type="submit" class="button primary" disabled=move || verify.pending().get()>{t(T::SupportVerify)}</button>
            </ActionForm>
            <ActionForm action=resend attr:class="form-inline">
                <button type="submit" class="link-button" disabled=move || resend.pending().get()>{t(T::SupportResend)}</button>
            </ActionForm>
            {other_email()}
        }
    };
    let (password, set_password) = signal(String::new());
    let set_password_form = move || {
        let rules = Resource::new(|| (), |_| support_activation_rules());
        view! {
            <h2>{t(T::SupportSetPasswordTitle)}</h2>
            <ErrorAlert error=activate_error/>
            <ActionForm action=activate attr:class="form">
                <Field label=T::FullName name="full_name" error=activate_error autocomplete="name" required=true form="activate"/>
                <Field label=T::Password name="password" kind="password" error=activate_error autocomplete="new-password"
                    required=true form="activate" on_input=Callback::new(move |v| set_password.set(v))/>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        match loaded(rules).await {
                            Ok(rules) => view! {
                                <StrengthMeter password=password rules=rules.clone()/>
                                <PasswordChecklist password=Some(password) rules=rules/>
                            }.into_any(),
                            Err(e) => view! { <p class="alert alert-error" role="alert">{error_text(&e)}</p> }.into_any(),
                        }
                    })}
                </Suspense>
                <button type="submit" class="button primary" disabled=move || activate.pending().get()>{t(T::SupportActivate)}</button>
            </ActionForm>
        }
    };
    view! {
        <Title text=format!("{} — OpenPSP", t(T::SupportLoginTitle))/>
        <div class="login-page">
            <header class="login-header">
                <span class="brand">{t(T::SupportTitle)}</span>
                <LanguageMenu/>
            </header>
            <main class="login-card card" id="main" data-step=move || format!("{:?}", step.get())>
                <h1 class="login-title">{t(T::SupportLoginTitle)}</h1>
                {move || match step.get() {
                    SupportStep::Email | SupportStep::Done => view! {
                        <p class="muted">{t(T::SupportLoginIntro)}</p>
                        <SignInAlert error=begin_error/>
                        <ActionForm action=begin attr:class="form">
                            <Field label=T::SupportEmailLabel name="email" kind="email" error=begin_error autocomplete="email"
                                required=true form="begin" value=email.get_untracked()
                                on_input=Callback::new(move |v| email.set(v))/>
                            <button type="submit" class="button primary" disabled=move || begin.pending().get()>{t(T::SupportContinue)}</button>
                        </ActionForm>
                    }.into_any(),
                    SupportStep::Password => view! {
                        <p class="muted mono">{email.get_untracked()}</p>
                        <SignInAlert error=login_error/>
                        <ActionForm action=login attr:class="form">
                            <input type="hidden" name="email" value=email.get_untracked()/>
                            <Field label=T::Password name="password" kind="password" error=login_error autocomplete="current-password" required=true form="login"/>
                            <button type="submit" class="button primary" disabled=move || login.pending().get()>{t(T::LogIn)}</button>
                        </ActionForm>
                        {other_email()}
                    }.into_any(),
                    SupportStep::ActivationCode => code_form(T::SupportActivationCodeIntro).into_any(),
                    SupportStep::LoginCode => code_form(T::SupportLoginCodeIntro).into_any(),
                    SupportStep::SetPassword => set_password_form().into_any(),
                }}
            </main>
        </div>
    }
}

/// Layout of the signed-in portal.
#[component]
pub fn SupportShell() -> impl IntoView {
    let me = Resource::new(|| (), |_| load_support_me());
    let location = leptos_router::hooks::use_location();
    let logout = ServerAction::<SupportLogout>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = logout.value().get() {
            full_navigation("/support/login");
        }
    });
    view! {
        <Suspense fallback=|| view! { <div class="topbar topbar-loading"></div> }>
            {move || Suspend::new(async move {
                match loaded(me).await {
                    Ok(me) => {
                        let name = me.display_name();
                        view! {
                            <header class="topbar">
                                <div class="topbar-left">
                                    <a class="brand" href="/support">{t(T::SupportTitle)}</a>
                                    <a href="/support/requests">{t(T::SupportRequests)}</a>
                                    <a href="/support/articles">{t(T::KbTitle)}</a>
                                    {me.is_agent.then(|| view! { <a href="/support/agent">{t(T::AgentConsole)}</a> })}
                                </div>
                                <div class="topbar-right">
                                    <LanguageMenu/>
                                    <details class="menu profile-menu">
                                        <summary aria-label=t(T::SupportMenu)><PersonIcon/>{name}</summary>
                                        <div class="menu-panel">
                                            <a class="menu-item" href="/support/profile">{t(T::SupportProfileTitle)}</a>
                                            <a class="menu-item" href="/support/requests">{t(T::SupportRequests)}</a>
                                            <ActionForm action=logout>
                                                <button type="submit" class="menu-item">{t(T::LogOut)}</button>
                                            </ActionForm>
                                        </div>
                                    </details>
                                </div>
                            </header>
                        }.into_any()
                    }
                    Err(e) => {
                        if matches!(e, AppError::Unauthenticated) {
                            // Back to this page once signed in.
                            let search = location.search.get_untracked();
                            let here = if search.is_empty() {
                                location.pathname.get_untracked()
                            } else {
                                format!("{}?{search}", location.pathname.get_untracked())
                            };
                            full_navigation(&format!(
                                "/support/login?next={}",
                                crate::url::encode(&here)
                            ));
                        }
                        view! { <p class="alert alert-error" role="alert">{error_text(&e)}</p> }.into_any()
                    }
                }
            })}
        </Suspense>
        <main class="page" id="main">
            <Outlet/>
        </main>
    }
}

fn organizations(me: &SupportMe) -> String {
    if me.organizations.is_empty() {
        t(T::SupportNoOrganization).to_owned()
    } else {
        me.organizations.join(", ")
    }
}

/// `/support`.
#[component]
pub fn SupportHomePage() -> impl IntoView {
    let me = Resource::new(|| (), |_| load_support_me());
    let areas = Resource::new(
        || (),
        |_| crate::support::tickets::api::load_support_areas(),
    );
    view! {
        <Title text=format!("{} — OpenPSP", t(T::SupportTitle))/>
        <crate::support::knowledge::pages::AnnouncementsBanner/>
        <h1>{t(T::SupportHomeTitle)}</h1>
        <crate::support::knowledge::pages::KnowledgeSearchBox/>
        <Suspense fallback=|| view! { <p>{t(T::Loading)}</p> }>
            {move || Suspend::new(async move {
                match loaded(me).await {
                    Ok(me) => {
                        let name = me.display_name();
                        view! {
                            <p class="muted" data-testid="support-signed-in">
                                {t(T::SupportSignedInAs).replace("{name}", &name).replace("{email}", &me.email)}
                            </p>
                            <p>{t(T::SupportOrganizations)}": "{organizations(&me)}</p>
                            {me.is_agent.then(|| view! {
                                <p><span class="status status-done">{t(T::SupportAgent)}</span>" "<a class="button primary" href="/support/agent">{t(T::AgentConsole)}</a></p>
                            })}
                        }.into_any()
                    }
                    Err(e) => view! { <p class="alert alert-error" role="alert">{error_text(&e)}</p> }.into_any(),
                }
            })}
        </Suspense>
        <div class="support-actions">
            <a class="card support-action" href="/support/requests/new?kind=incident">
                <strong>{t(T::SupportRaiseIncident)}</strong>
                <span class="muted">{t(T::SupportRaiseIncidentHint)}</span>
            </a>
            <a class="card support-action" href="/support/requests/new?kind=request">
                <strong>{t(T::SupportSubmitRequest)}</strong>
                <span class="muted">{t(T::SupportSubmitRequestHint)}</span>
            </a>
            <a class="card support-action" href="/support/requests">
                <strong>{t(T::SupportRequests)}</strong>
            </a>
            <a class="card support-action" href="/support/chat">
                <strong>{t(T::ChatTitle)}</strong>
                <span class="muted">{t(T::ChatHint)}</span>
            </a>
            <a class="card support-action" href="/support/status">
                <strong>{t(T::StatusPageTitle)}</strong>
            </a>
            <a class="card support-action" href="/support/contact">
                <strong>{t(T::ContactTitle)}</strong>
            </a>
        </div>
        <h2>{t(T::SupportAreas)}</h2>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                loaded(areas).await.map(|areas| view! {
                    <div class="support-areas" data-testid="support-areas">
                        {areas.into_iter().map(|a| view! {
                            <section class="card">
                                <h3>{a.name}</h3>
                                <p class="muted">{a.description}</p>
                                <ul role="list">
                                    {a.request_types.into_iter().map(|rt| {
                                        let kind = if rt.kind == "incident" { "incident" } else { "request" };
                                        view! {
                                            <li><a href=format!("/support/requests/new?kind={kind}&type={}", rt.id)>{rt.name}</a></li>
                                        }
                                    }).collect_view()}
                                </ul>
                            </section>
                        }).collect_view()}
                    </div>
                }).ok()
            })}
        </Suspense>
    }
}

/// `/support/profile`.
#[component]
pub fn SupportProfilePage() -> impl IntoView {
    let save = ServerAction::<SaveSupportProfile>::new();
    let me = Resource::new(move || save.version().get(), |_| load_support_me());
    let error = last_error(save.value());
    let saved = move || {
        matches!(save.value().get(), Some(Ok(_))).then(
            || view! { <p class="alert alert-success" role="status">{t(T::ProfileSaved)}</p> },
        )
    };
    view! {
        <Title text=format!("{} — OpenPSP", t(T::SupportProfileTitle))/>
        <div class="narrow">
            <h1>{t(T::SupportProfileTitle)}</h1>
            {saved}
            <ErrorAlert error=error/>
            <Suspense fallback=|| view! { <p>{t(T::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match loaded(me).await {
                        Ok(me) => view! {
                            <dl class="facts card">
                                <dt>{t(T::SupportEmailLabel)}</dt><dd class="mono">{me.email.clone()}</dd>
                                <dt>{t(T::SupportOrganizations)}</dt><dd>{organizations(&me)}</dd>
                            </dl>
                            <ActionForm action=save attr:class="form card">
                                <Field label=T::FullName name="full_name" error=error autocomplete="name" required=true
                                    form="support-profile" value=me.full_name.clone()/>
                                <div class="field checkbox">
                                    <input type="checkbox" id="support-notify" name="notify" value="on" checked=me.notify_email/>
                                    <label for="support-notify">{t(T::SupportNotify)}</label>
                                </div>
                                <button type="submit" class="button primary" disabled=move || save.pending().get()>{t(T::SaveProfile)}</button>
                            </ActionForm>
                        }.into_any(),
                        Err(e) => view! { <p class="alert alert-error" role="alert">{error_text(&e)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}
