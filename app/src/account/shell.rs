//! The back-office chrome (MB-3, MB-4, MB-6): account menu, environment badge, language
//! and user-profile drop-downs, and the time-zone dialog.

use crate::account::addresses::TIME_ZONE_QUERY;
use crate::account::api::{get_me, Logout, SetTimeZone};
use crate::account::Me;
use crate::components::{
    error_text, full_navigation, last_error, loaded, problem_text, reload, PersonIcon,
};
use crate::i18n::{t, T};
use crate::language::LanguageMenu;
use domain::{Environment, Role};
use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::components::{Outlet, A};
use leptos_router::hooks::{use_location, use_query_map};

/// Label of a role in the page's language.
pub fn role_text(role: Role) -> &'static str {
    match role {
        Role::Admin => t(T::RoleAdmin),
        Role::Operator => t(T::RoleOperator),
        Role::ReadOnly => t(T::RoleReadOnly),
    }
}

/// Layout of every signed-in page.
#[component]
pub fn BackOffice() -> impl IntoView {
    let me = Resource::new(|| (), |_| get_me());
    // Open from the start when the address asks for it: how the dialog opens on a page
    // that loads no script (Home), from the zone's link.
    let asked = use_query_map().with_untracked(|q| q.get(TIME_ZONE_QUERY).is_some());
    let tz_open = RwSignal::new(asked);
    let plain = crate::without_script();
    view! {
        <Suspense fallback=|| view! { <div class="topbar topbar-loading"></div> }>
            {move || Suspend::new(async move {
                match loaded(me).await {
                    Ok(me) => view! { <TopBar me=me.clone() tz_open=tz_open plain=plain/> <TimeZoneDialog me=me open=tz_open plain=plain/> }.into_any(),
                    Err(e) => {
                        if matches!(e, crate::error::AppError::Unauthenticated) {
                            full_navigation("/login");
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

/// `plain`: the page loads no script ([`crate::without_script`]), so what a script would
/// do is a link.
#[component]
fn TopBar(me: Me, tz_open: RwSignal<bool>, plain: bool) -> impl IntoView {
    let env_class = match me.environment {
        Environment::Test => "env-badge env-test",
        Environment::Production => "env-badge env-production",
    };
    let env_text = match me.environment {
        Environment::Test => t(T::EnvTest),
        Environment::Production => t(T::EnvProduction),
    };
    let logout = ServerAction::<Logout>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = logout.value().get() {
            full_navigation("/login");
        }
    });
    let display_name = if me.full_name.is_empty() {
        me.login.clone()
    } else {
        me.full_name.clone()
    };
    view! {
        <header class="topbar">
            <div class="topbar-left">
                <a class="brand" href="/">"OpenPSP"</a>
                <span class="merchant-name">{me.merchant_name.clone()} " · " {me.pspid.clone()}</span>
                <span class=env_class>{env_text}</span>
            </div>
            <nav class="account-menu" aria-label=t(T::MainMenu)>
                <ul role="list">
                    <li><A href="/" exact=true>{t(T::MenuHome)}</A></li>
                    <li>
                        <details class="menu support-menu">
                            <summary>{t(T::MenuSupport)}</summary>
                            <div class="menu-panel" on:click=close_menu>
                                <a class="menu-item" href="/support-info/manuals">{t(T::SupportManuals)}</a>
                                // The portal has its own sign-in: a full page load, through its gate.
                                <a class="menu-item" href="/support/articles" rel="external">{t(T::SupportFaq)}</a>
                                <a class="menu-item" href="/support/contact" rel="external">{t(T::SupportContact)}</a>
                                <a class="menu-item" href="/support" rel="external">{t(T::SupportPortal)}</a>
                            </div>
                        </details>
                    </li>
                    <li>
                        <details class="menu operations-menu">
                            <summary>{t(T::MenuOperations)}</summary>
                            <div class="menu-panel" on:click=close_menu>
                                <a class="menu-item" href="/operations/dashboard">{t(T::DashboardTitle)}</a>
                                <a class="menu-item" href="/operations/payments">{t(T::PaymentsTitle)}</a>
                                <a class="menu-item" href="/operations/history">{t(T::HistoryTitle)}</a>
                                <a class="menu-item" href="/operations/invoices">{t(T::InvoicesTitle)}</a>
                                <a class="menu-item" href="/operations/links">{t(T::PaymentLinksTitle)}</a>
                                // Sales need no refund right: the domain's rule, as the server applies it.
                                {me.role.may_move_money(domain::MoneyMove::Sale, false).then(|| view! {
                                    <a class="menu-item" href="/operations/moto">{t(T::MotoTitle)}</a>
                                    <a class="menu-item" href="/operations/pos">{t(T::PosTitle)}</a>
                                })}
                            </div>
                        </details>
                    </li>
                    {(me.role == domain::Role::Admin).then(|| view! {
                        <li>
                            <details class="menu config-menu">
                                <summary>{t(T::MenuConfiguration)}</summary>
                                <div class="menu-panel" on:click=close_menu>
                                    <a class="menu-item" href="/configuration/account">{t(T::AccountTitle)}</a>
                                    <a class="menu-item" href="/configuration/api-keys">{t(T::ApiKeysTitle)}</a>
                                    <a class="menu-item" href="/configuration/webhooks">{t(T::WebhooksTitle)}</a>
                                    <a class="menu-item" href="/configuration/payments">{t(T::PaymentSettingsTitle)}</a>
                                    <a class="menu-item" href="/configuration/template">{t(T::TemplateTitle)}</a>
                                    <a class="menu-item" href="/configuration/payment-methods">{t(T::MethodsTitle)}</a>
                                    <a class="menu-item" href="/configuration/jobs">{t(T::JobsTitle)}</a>
                                    <a class="menu-item" href="/configuration/terminals">{t(T::TerminalsTitle)}</a>
                                    <a class="menu-item" href="/configuration/users">{t(T::UsersTitle)}</a>
                                    <a class="menu-item" href="/configuration/aliases">{t(T::AliasesTitle)}</a>
                                    <a class="menu-item" href="/configuration/audit-log">{t(T::AuditLogTitle)}</a>
                                    // Copying to production starts from a TEST account only.
                                    {(me.environment == Environment::Test).then(|| view! {
                                        <a class="menu-item" href="/configuration/production-account">{t(T::ProductionAccountTitle)}</a>
                                    })}
                                </div>
                            </details>
                        </li>
                    })}
                    {(me.role == domain::Role::Admin).then(|| view! {
                        <li>
                            <details class="menu advanced-menu">
                                <summary>{t(T::AdvancedMenu)}</summary>
                                <div class="menu-panel" on:click=close_menu>
                                    <a class="menu-item" href="/advanced/fraud">{t(T::FraudTitle)}</a>
                                </div>
                            </details>
                        </li>
                    })}
                    // Operators keep their customers' stored cards; the rest of Configuration is the Admins'.
                    {(me.role == domain::Role::Operator).then(|| view! {
                        <li>
                            <details class="menu config-menu">
                                <summary>{t(T::MenuConfiguration)}</summary>
                                <div class="menu-panel" on:click=close_menu>
                                    <a class="menu-item" href="/configuration/aliases">{t(T::AliasesTitle)}</a>
                                </div>
                            </details>
                        </li>
                    })}
                </ul>
            </nav>
            <div class="topbar-right">
                <LanguageMenu/>
                <details class="menu profile-menu">
                    <summary aria-label=t(T::UserProfile)>
                        <PersonIcon/>{display_name}
                    </summary>
                    <div class="menu-panel" on:click=close_menu>
                        <dl class="profile">
                            <dt>{t(T::User)}</dt>
                            <dd class="profile-user">{me.login.clone()}</dd>
                            <dt>{t(T::Role)}</dt>
                            <dd class="profile-role">{role_text(me.role)}</dd>
                            <dt>{t(T::LastLogin)}</dt>
                            <dd class="profile-last-login">
                                {me.last_login.clone().unwrap_or_else(|| t(T::FirstLogin).to_owned())}
                            </dd>
                            <dt>{t(T::TimeZone)}</dt>
                            <dd>
                                {if plain {
                                    // The page again with the dialog open.
                                    Either::Left(view! {
                                        <a href=format!("?{TIME_ZONE_QUERY}") class="link-button profile-time-zone">
                                            {me.zone_label.clone()}
                                        </a>
                                    })
                                } else {
                                    Either::Right(view! {
                                        <button
                                            type="button"
                                            class="link-button profile-time-zone"
                                            aria-haspopup="dialog"
                                            on:click=move |_| tz_open.set(true)
                                        >
                                            {me.zone_label.clone()}
                                        </button>
                                    })
                                }}
                            </dd>
                        </dl>
                        <a class="menu-item" href="/profile">{t(T::ProfileTitle)}</a>
                        <a class="menu-item" href="/profile/password">{t(T::ChangePassword)}</a>
                        <a class="menu-item" href="/profile/security">{t(T::SecurityTitle)}</a>
                        <ActionForm action=logout>
                            <button type="submit" class="menu-item">{t(T::LogOut)}</button>
                        </ActionForm>
                    </div>
                </details>
            </div>
        </header>
    }
    .into_any()
}

/// The time-zone dialog opened from the zone next to "Last login". `plain`: the page
/// loads no script; the dialog is open when its address asks for it, and Cancel is a
/// link to the page without it.
#[component]
fn TimeZoneDialog(me: Me, open: RwSignal<bool>, plain: bool) -> impl IntoView {
    let action = ServerAction::<SetTimeZone>::new();
    let error = last_error(action.value());
    let location = use_location();
    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            reload();
        }
    });
    let current = me.zone.zone.clone();
    let auto_dst = me.zone.auto_dst;
    let default_zone = StoredValue::new(me.default_zone.clone());
    move || {
        open.get().then(|| {
            let current = current.clone();
            let zone_error = move || {
                error.get().and_then(|e| {
                    e.problem_for("zone").map(problem_text).or_else(|| error_text(&e))
                })
            };
            view! {
                <div class="modal-backdrop">
                    <div class="modal" role="dialog" aria-modal="true" aria-labelledby="tz-title">
                        <h2 id="tz-title">{t(T::TimeZone)}</h2>
                        <p class="muted">{t(T::TimeZoneHint)}</p>
                        <ActionForm action=action attr:class="form">
                            <div class="field">
                                <label for="tz-zone">{t(T::TimeZone)}</label>
                                <select id="tz-zone" name="zone">
                                    {domain::timezone::zone_names()
                                        .into_iter()
                                        .map(|z| view! { <option value=z selected=z == current>{z}</option> })
                                        .collect_view()}
                                </select>
                                <p class="field-error">{zone_error}</p>
                            </div>
                            <div class="field checkbox">
                                <input type="checkbox" id="tz-auto-dst" name="auto_dst" value="on" checked=auto_dst/>
                                <label for="tz-auto-dst">{t(T::AutoDst)}</label>
                            </div>
                            <p class="muted">{t(T::BackToDefault)} ": " {default_zone.get_value()}</p>
                            <div class="actions">
                                <button type="submit" class="button primary">{t(T::Save)}</button>
                                <button type="submit" class="button" name="reset" value="1">{t(T::BackToDefault)}</button>
                                {if plain {
                                    Either::Left(view! {
                                        <a href=location.pathname.get_untracked() class="button ghost">{t(T::Cancel)}</a>
                                    })
                                } else {
                                    Either::Right(view! {
                                        <button type="button" class="button ghost" on:click=move |_| open.set(false)>{t(T::Cancel)}</button>
                                    })
                                }}
                            </div>
                        </ActionForm>
                    </div>
                </div>
            }
        })
    }
}

/// A drop-down closes once something in it is chosen: the page changes under it, and an
/// open panel would cover the new page.
fn close_menu(ev: leptos::ev::MouseEvent) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        if let Some(menu) = ev
            .current_target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|panel| panel.parent_element())
        {
            let _ = menu.remove_attribute("open");
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = ev;
}
