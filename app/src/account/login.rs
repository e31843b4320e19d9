//! The login page (MB-1, PL-3): "PSPID + Password" by default, "Login as user" on demand,
//! for the TEST or the production environment.
//!
//! The page is rendered on the server only and loads no script (`crate::is_plain_path`):
//! its forms post to [`Login`] as plain forms, answered by a redirect to the next page or
//! back here with the error.

use crate::account::addresses::{env_param, forgot_page};
use crate::account::api::Login;
use crate::components::{full_navigation, last_error, ErrorAlert, Field};
use crate::i18n::{t, T};
use crate::language::LanguageMenu;
use domain::Environment;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// `/login?env=test|production&mode=user`.
#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let environment = move || Environment::named(query.read().get("env").as_deref());
    let as_user = move || query.read().get("mode").as_deref() == Some("user");
    let action = ServerAction::<Login>::new();
    let error = last_error(action.value());
    Effect::new(move |_| {
        if let Some(Ok(next)) = action.value().get() {
            full_navigation(next.path());
        }
    });
    let env_param = move || env_param(environment());
    // What a refused plain post typed ([`typed_cookie`](crate::account::addresses::typed_cookie)).
    let typed = |name: &str| typed_value(name).unwrap_or_default();
    let heading = move || match environment() {
        Environment::Test => t(T::LoginTitleTest),
        Environment::Production => t(T::LoginTitleProduction),
    };

    view! {
        <Title text=move || format!("{} — OpenPSP", heading())/>
        <div class="login-page">
            <header class="login-header">
                <span class="brand">"OpenPSP"</span>
                <LanguageMenu/>
            </header>
            <main class="login-card card" id="main">
                <h1 class=move || {
                    format!("login-title env-{}", environment().code().to_lowercase())
                }>{heading}</h1>
                <ErrorAlert error=error/>
                {move || {
                    let env = env_param();
                    if as_user() {
                        view! {
                            <ActionForm action=action attr:class="form" attr:aria-label=t(T::LoginAsUser)>
                                <input type="hidden" name="mode" value="user"/>
                                <input type="hidden" name="env" value=env/>
                                <Field label=T::UserId name="user_id" error=error autocomplete="username" required=true form="user" value=typed("user_id")/>
                                <Field label=T::PspidOptional name="pspid" error=error autocomplete="organization" form="user" value=typed("pspid")/>
                                <Field label=T::Password name="password" kind="password" error=error autocomplete="current-password" required=true form="user"/>
                                <button type="submit" class="button primary" disabled=move || action.pending().get()>
                                    {t(T::LogIn)}
                                </button>
                            </ActionForm>
                            <p class="login-switch">
                                <a href=format!("/login?env={env}")>{t(T::LoginWithPspid)}</a>
                            </p>
                        }
                            .into_any()
                    } else {
                        view! {
                            <ActionForm action=action attr:class="form" attr:aria-label=t(T::LoginWithPspid)>
                                <input type="hidden" name="mode" value="pspid"/>
                                <input type="hidden" name="env" value=env/>
                                <Field label=T::Pspid name="pspid" error=error autocomplete="username" required=true form="pspid" value=typed("pspid")/>
                                <Field label=T::Password name="password" kind="password" error=error autocomplete="current-password" required=true form="pspid"/>
                                <button type="submit" class="button primary" disabled=move || action.pending().get()>
                                    {t(T::LogIn)}
                                </button>
                            </ActionForm>
                            <p class="login-switch">
                                <a href=format!("/login?env={env}&mode=user")>{t(T::LoginAsUser)}</a>
                            </p>
                        }
                            .into_any()
                    }
                }}
                <p class="login-links">
                    <a href=move || forgot_page(environment())>
                        {t(T::ForgotPassword)}
                    </a>
                </p>
                <p class="login-env-switch">
                    {move || match environment() {
                        Environment::Test => {
                            view! {
                                <a href="/login?env=production">{t(T::AccessToProduction)}</a>
                            }
                                .into_any()
                        }
                        Environment::Production => {
                            view! { <a href="/login?env=test">{t(T::AccessToTest)}</a> }.into_any()
                        }
                    }}
                </p>
            </main>
        </div>
    }
}

/// The identifier `name` a refused plain post typed, read from
/// [`typed_cookie`](crate::account::addresses::typed_cookie) while the page is rendered on
/// the server.
fn typed_value(name: &str) -> Option<String> {
    #[cfg(feature = "ssr")]
    {
        let cookie = crate::context::cookie(crate::account::addresses::TYPED_COOKIE)?;
        let value = crate::url::pairs(&cookie)
            .find(|(found, _)| found == name)
            .map(|(_, value)| value);
        value
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = name;
        None
    }
}
