//! Configuration → Jobs (PE-6): the merchant's background jobs by state.

use super::api::load_jobs;
use super::{failure, title};
use crate::components::loaded;
use crate::i18n::{t, T};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

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
                match loaded(jobs).await {
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
