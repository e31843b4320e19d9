//! Configuration → Audit log: the merchant's entries newest first, filtered by
//! period, user, kind of action and words of the detail in the URL, exported as CSV.

use super::api::load_audit_log;
use super::{AuditFilter, FAMILIES};
use crate::components::loaded;
use crate::components::{error_text, filter_field, pager, problem_text};
use crate::error::AppError;
use crate::i18n::{t, T};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The label of an action family, for the page and the download.
pub fn family_label(key: &str) -> Option<T> {
    Some(match key {
        "login" => T::AuditFamilyLogin,
        "logout" => T::AuditFamilyLogout,
        "password" => T::AuditFamilyPassword,
        "two_factor" => T::AuditFamilyTwoFactor,
        "profile" => T::AuditFamilyProfile,
        "user" => T::AuditFamilyUser,
        "config" => T::AuditFamilyConfig,
        "api_key" => T::AuditFamilyApiKey,
        "webhook" => T::AuditFamilyWebhook,
        "payment" => T::AuditFamilyPayment,
        "paylink" => T::AuditFamilyPaylink,
        "terminal" => T::AuditFamilyTerminal,
        _ => return None,
    })
}

/// An action family's label in the page's language.
fn family_text(key: &str) -> Option<&'static str> {
    family_label(key).map(t)
}

/// `/configuration/audit-log`.
#[component]
pub fn AuditLogPage() -> impl IntoView {
    let query = use_query_map();
    let filter = Memo::new(move |_| query.with(|q| AuditFilter::from_pairs(q)));
    let page = Resource::new(move || filter.get(), load_audit_log);
    view! {
        <Title text=format!("{} — OpenPSP", t(T::AuditLogTitle))/>
        <h1>{t(T::AuditLogTitle)}</h1>
        <p class="muted narrow">{t(T::AuditLogIntro)}</p>
        <Suspense fallback=|| view! { <p>{t(T::Loading)}</p> }>
            {move || Suspend::new(async move {
                let f = filter.get_untracked();
                let result = loaded(page).await;
                let error = result.as_ref().err().cloned();
                let problem = |name: &str| error.as_ref().and_then(|e| e.problem_for(name).map(problem_text));
                let users = result.as_ref().map(|p| p.users.clone()).unwrap_or_default();
                let field = |label: T, name: &'static str, value: String| {
                    filter_field("audit", label, name, value, error.as_ref(), "text")
                };
                let user_problem = problem("user");
                let family_problem = problem("family");
                let form = view! {
                    <form class="card filter-form" method="get" action="/configuration/audit-log" aria-label=t(T::FilterTitle)>
                        <div class="filter-grid">
                            {field(T::DateFrom, "from", f.from.clone())}
                            {field(T::DateTo, "to", f.to.clone())}
                            <div class="field" class:field-invalid=user_problem.is_some()>
                                <label for="audit-user">{t(T::User)}</label>
                                <select id="audit-user" name="user">
                                    <option value="" selected=f.user.is_empty()>{t(T::AuditEveryone)}</option>
                                    {users.into_iter().map(|u| {
                                        let selected = f.user == u;
                                        view! { <option value=u.clone() selected=selected>{u.clone()}</option> }
                                    }).collect_view()}
                                </select>
                                <p class="field-error">{user_problem.clone()}</p>
                            </div>
                            <div class="field" class:field-invalid=family_problem.is_some()>
                                <label for="audit-family">{t(T::AuditActionLabel)}</label>
                                <select id="audit-family" name="family">
                                    <option value="" selected=f.family.is_empty()>{t(T::AuditAllActions)}</option>
                                    {FAMILIES.iter().map(|fam| view! {
                                        <option value=fam.key selected=f.family == fam.key>
                                            {family_text(fam.key).unwrap_or(fam.key)}
                                        </option>
                                    }).collect_view()}
                                </select>
                                <p class="field-error">{family_problem.clone()}</p>
                            </div>
                            {field(T::AuditTextLabel, "text", f.text.clone())}
                        </div>
                        {(f.size != 0).then(|| view! { <input type="hidden" name="size" value=f.size.to_string()/> })}
                        <div class="actions">
                            <button type="submit" class="button primary">{t(T::Search)}</button>
                            <a class="button" href="/configuration/audit-log">{t(T::ClearFilter)}</a>
                        </div>
                    </form>
                };
                let body = match result {
                    Err(AppError::Invalid(_)) => ().into_any(),
                    Err(e) => view! { <p class="alert alert-error" role="alert">{error_text(&e)}</p> }.into_any(),
                    Ok(list) if list.rows.is_empty() => view! { <p class="empty">{t(T::AuditNoEntries)}</p> }.into_any(),
                    Ok(list) => {
                        let export = AuditFilter { page: 1, size: 0, ..f.clone() }.to_query();
                        let pages = pager(list.page, list.pages, |page| {
                            format!("/configuration/audit-log?{}", AuditFilter { page, ..f.clone() }.to_query())
                        });
                        let zone = list.zone.clone();
                        view! {
                            <div class="list-head">
                                <p class="muted" data-testid="count">{t(T::AuditCount).replace("{n}", &list.total.to_string())}</p>
                                <a class="button" rel="external" download href=format!("/configuration/audit-log/export.csv?{export}")>
                                    {t(T::ExportAs).replace("{format}", "CSV")}
                                </a>
                            </div>
                            <div class="card table-wrap">
                                <table class="table" data-testid="audit-log">
                                    <thead><tr>
                                        <th scope="col" title=zone.clone()>{t(T::AuditWhen)} " (" {zone.clone()} ")"</th>
                                        <th scope="col">{t(T::User)}</th>
                                        <th scope="col">{t(T::IpLabel)}</th>
                                        <th scope="col">{t(T::AuditActionLabel)}</th>
                                        <th scope="col">{t(T::AuditDetailLabel)}</th>
                                    </tr></thead>
                                    <tbody>
                                        {list.rows.into_iter().map(|r| {
                                            let label = r.family.as_deref().and_then(family_text);
                                            view! {
                                                <tr>
                                                    <td class="nowrap" title=zone.clone()>{r.date}</td>
                                                    <td>{r.actor}</td>
                                                    <td class="mono">{r.ip}</td>
                                                    <td>
                                                        {label.map(|l| view! { <span class="audit-family">{l}</span><br/> })}
                                                        <code class="muted">{r.action}</code>
                                                    </td>
                                                    <td class="audit-detail">{r.detail}</td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            {pages}
                        }.into_any()
                    }
                };
                view! { {form} {body} }.into_any()
            })}
        </Suspense>
    }
}
