//! The Home page (MB-3): set-up steps still to do and technical messages.

use crate::account::api::get_home;
use crate::account::SetupStep;
use crate::components::{error_text, loaded};
use crate::i18n::{t, T};
use crate::payments::dashboard::Dashboard;
use leptos::prelude::*;
use leptos_meta::Title;

/// Where a step is done, when the page exists.
fn step_link(step: SetupStep) -> Option<&'static str> {
    match step {
        SetupStep::RecoveryEmail => Some("/profile"),
        SetupStep::ChangePassword => Some("/profile/password"),
        SetupStep::CompanyDetails => Some("/configuration/account"),
        SetupStep::MoreUsers => Some("/configuration/users"),
    }
}

fn step_text(step: SetupStep) -> &'static str {
    match step {
        SetupStep::CompanyDetails => t(T::StepCompanyDetails),
        SetupStep::RecoveryEmail => t(T::StepRecoveryEmail),
        SetupStep::ChangePassword => t(T::StepChangePassword),
        SetupStep::MoreUsers => t(T::StepMoreUsers),
    }
}

/// `/`.
#[component]
pub fn HomePage() -> impl IntoView {
    let home = Resource::new(|| (), |_| get_home());
    view! {
        <Title text=format!("{} — OpenPSP", t(T::HomeTitle))/>
        <h1>{t(T::HomeTitle)}</h1>
        <Suspense fallback=|| view! { <p>{t(T::Loading)}</p> }>
            {move || Suspend::new(async move {
                match loaded(home).await {
                    Err(e) => view! { <p class="alert alert-error" role="alert">{error_text(&e)}</p> }.into_any(),
                    Ok(data) => view! {
                        <div class="home-grid">
                            <section class="card" aria-labelledby="setup-title">
                                <h2 id="setup-title">{t(T::SetupStepsTitle)}</h2>
                                {if data.steps_to_do.is_empty() {
                                    view! { <p class="empty">{t(T::SetupAllDone)}</p> }.into_any()
                                } else {
                                    view! {
                                        <ol class="setup-steps">
                                            {data.steps_to_do.iter().map(|s| view! {
                                                <li>
                                                    {step_text(*s)}
                                                    {step_link(*s).map(|href| view! { " " <a href=href>{t(T::DoThisNow)}</a> })}
                                                </li>
                                            }).collect_view()}
                                        </ol>
                                    }.into_any()
                                }}
                            </section>
                            <section class="card" aria-labelledby="messages-title">
                                <h2 id="messages-title">{t(T::TechMessagesTitle)}</h2>
                                {if data.messages.is_empty() {
                                    view! { <p class="empty">{t(T::NoTechMessages)}</p> }.into_any()
                                } else {
                                    view! {
                                        <ul class="messages" role="list">
                                            {data.messages.into_iter().map(|m| view! {
                                                <li class=format!("message message-{}", m.severity)>
                                                    <h3>{m.title}</h3>
                                                    <p class="muted"><time>{m.published}</time></p>
                                                    <p>{m.body}</p>
                                                </li>
                                            }).collect_view()}
                                        </ul>
                                    }.into_any()
                                }}
                            </section>
                        </div>
                    }.into_any(),
                }
            })}
        </Suspense>
        <Dashboard/>
    }
}
