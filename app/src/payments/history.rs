//! Operations → Financial history (MB-37): every capture, refund and cancel across the
//! merchant's payments, filtered by date, type and user in the URL, and exported whole.

use crate::components::loaded;
use crate::components::{error_text, filter_field, pager, problem_text};
use crate::error::AppError;
use crate::i18n::{t, T};
use crate::payments::api::list_history;
use crate::payments::kind_text;
use crate::payments::{HistoryFilter, EXPORT_FORMATS};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// `/operations/history`.
#[component]
pub fn HistoryPage() -> impl IntoView {
    let query = use_query_map();
    let filter = Memo::new(move |_| query.with(|q| HistoryFilter::from_pairs(q)));
    let page = Resource::new(move || filter.get(), list_history);
    view! {
        <Title text=format!("{} — OpenPSP", t(T::HistoryTitle))/>
        <h1>{t(T::HistoryTitle)}</h1>
        <Suspense fallback=|| view! { <p>{t(T::Loading)}</p> }>
            {move || Suspend::new(async move {
                let f = filter.get_untracked();
                let result = loaded(page).await;
                let error = result.as_ref().err().cloned();
                let problem = |name: &str| error.as_ref().and_then(|e| e.problem_for(name).map(problem_text));
                let users = result.as_ref().map(|p| p.users.clone()).unwrap_or_default();
                let field = |label: T, name: &'static str, value: String| {
                    filter_field("hist", label, name, value, error.as_ref(), "text")
                };
                let user_problem = problem("user");
                let form = view! {
                    <form class="card filter-form" method="get" action="/operations/history" aria-label=t(T::FilterTitle)>
                        <div class="filter-grid">
                            {field(T::DateFrom, "from", f.from.clone())}
                            {field(T::DateTo, "to", f.to.clone())}
                            <div class="field">
                                <label for="hist-kind">{t(T::KindLabel)}</label>
                                <select id="hist-kind" name="kind">
                                    <option value="" selected=f.kind.is_empty()>{t(T::AllKinds)}</option>
                                    {["capture", "refund", "cancel"].into_iter().map(|k| view! {
                                        <option value=k selected=f.kind == k>{kind_text(k)}</option>
                                    }).collect_view()}
                                </select>
                            </div>
                            <div class="field" class:field-invalid=user_problem.is_some()>
                                <label for="hist-user">{t(T::User)}</label>
                                <select id="hist-user" name="user">
                                    <option value="" selected=f.user.is_empty()>{t(T::AllUsers)}</option>
                                    {users.into_iter().map(|u| {
                                        let selected = f.user == u;
                                        view! { <option value=u.clone() selected=selected>{u.clone()}</option> }
                                    }).collect_view()}
                                </select>
                                <p class="field-error">{user_problem.clone()}</p>
                            </div>
                        </div>
                        <div class="actions">
                            <button type="submit" class="button primary">{t(T::Search)}</button>
                            <a class="button" href="/operations/history">{t(T::ClearFilter)}</a>
                        </div>
                    </form>
                };
                let body = match result {
                    Err(AppError::Invalid(_)) => ().into_any(),
                    Err(e) => view! { <p class="alert alert-error" role="alert">{error_text(&e)}</p> }.into_any(),
                    Ok(list) if list.rows.is_empty() => view! { <p class="empty">{t(T::NoOperations)}</p> }.into_any(),
                    Ok(list) => {
                        let export = HistoryFilter { page: 1, ..f.clone() }.to_query();
                        let pages = pager(list.page, list.pages, |page| {
                            format!("/operations/history?{}", HistoryFilter { page, ..f.clone() }.to_query())
                        });
                        view! {
                            <div class="list-head">
                                <p class="muted" data-testid="count">{t(T::ResultsCount).replace("{n}", &list.total.to_string())}</p>
                                {EXPORT_FORMATS.into_iter().map(|ext| view! {
                                    <a class="button" rel="external" download href=format!("/operations/history/export/{ext}?{export}")>
                                        {t(T::ExportAs).replace("{format}", &ext.to_uppercase())}
                                    </a>
                                }).collect_view()}
                            </div>
                            <div class="card table-wrap">
                                <table class="table" data-testid="history">
                                    <thead><tr>
                                        <th scope="col">{t(T::DayLabel)}</th>
                                        <th scope="col">{t(T::KindLabel)}</th>
                                        <th scope="col">{t(T::PaymentIdLabel)}</th>
                                        <th scope="col">{t(T::ReferenceLabel)}</th>
                                        <th scope="col" class="num">{t(T::AmountLabel)}</th>
                                        <th scope="col">{t(T::ByLabel)}</th>
                                    </tr></thead>
                                    <tbody>
                                        {list.rows.into_iter().map(|r| view! {
                                            <tr>
                                                <td title=list.zone.clone()>{r.date}</td>
                                                <td>{kind_text(&r.kind)}</td>
                                                <td class="mono"><a href=format!("/operations/payments/{}", r.payment_id)>{r.payment_id.clone()}</a></td>
                                                <td>{r.reference}</td>
                                                <td class="num">{r.amount}</td>
                                                <td>{r.by}</td>
                                            </tr>
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
