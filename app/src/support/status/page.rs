//! The public service status page (SP-3): overall status, components, current incidents
//! and planned maintenance with their timelines, the last week's resolved ones; agents
//! edit it in place. The same data is served as JSON at `/support/status.json`.

use crate::components::loaded;
use crate::components::{error_text, last_error, problem_text, ErrorAlert};
use crate::i18n::{t, T};
use crate::language::LanguageMenu;
use crate::support::status::api::{
    load_status_page, OpenStatusIncident, SetComponentStatus, UpdateStatusIncident,
};
use crate::support::status::{StatusIncidentView, StatusPageView};
use domain::status::ComponentStatus;
use leptos::prelude::*;
use leptos_meta::Title;

/// A component status in words.
pub fn component_text(code: &str) -> &'static str {
    t(match code {
        "operational" => T::ComponentOperational,
        "maintenance" => T::ComponentMaintenance,
        "degraded" => T::ComponentDegraded,
        "partial_outage" => T::ComponentPartial,
        _ => T::ComponentMajor,
    })
}

fn stage_text(stage: &str) -> &'static str {
    t(match stage {
        "investigating" => T::StageInvestigating,
        "identified" => T::StageIdentified,
        "monitoring" => T::StageMonitoring,
        "resolved" => T::StageResolved,
        "scheduled" => T::StageScheduled,
        "in_progress" => T::StageInProgress,
        _ => T::StageCompleted,
    })
}

fn stages(kind: &str) -> &'static [&'static str] {
    if kind == "maintenance" {
        &["scheduled", "in_progress", "completed"]
    } else {
        &["investigating", "identified", "monitoring", "resolved"]
    }
}

fn incident_card(
    i: StatusIncidentView,
    can_edit: bool,
    update: ServerAction<UpdateStatusIncident>,
) -> impl IntoView {
    let kind = if i.kind == "maintenance" {
        t(T::KindMaintenance)
    } else {
        t(T::KindIncident)
    };
    let planned = i.starts_at.clone().zip(i.ends_at.clone()).map(|(s, e)| {
        view! { <p class="muted">{t(T::StatusPlanned).replace("{start}", &s).replace("{end}", &e)}</p> }
    });
    let affects = (!i.components.is_empty()).then(|| {
        view! { <p class="muted">{t(T::StatusAffects).replace("{components}", &i.components.join(", "))}</p> }
    });
    let (id, kind_code, stage) = (i.id, i.kind.clone(), i.stage.clone());
    let edit = (can_edit && !domain::status::is_final_stage(&stage)).then(move || {
        let form_id = format!("update-{id}");
        view! {
            <ActionForm action=update attr:class="form inline-form" attr:aria-label=t(T::StatusAddUpdate)>
                <input type="hidden" name="id" value=id.to_string()/>
                <div class="field">
                    <label for=format!("{form_id}-stage")>{t(T::StatusLabel)}</label>
                    <select id=format!("{form_id}-stage") name="stage">
                        {stages(&kind_code).iter().map(|s| view! { <option value=*s selected=*s == stage>{stage_text(s)}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for=format!("{form_id}-body")>{t(T::StatusMessage)}</label>
                    <input id=format!("{form_id}-body") name="body" type="text" autocomplete="off"/>
                </div>
                <button type="submit" class="button">{t(T::StatusAddUpdate)}</button>
            </ActionForm>
        }
    });
    view! {
        <article class="card status-incident" data-testid="status-incident">
            <h3>{i.title.clone()}" "<span class="status">{stage_text(&i.stage)}</span></h3>
            <p class="muted">{kind}</p>
            {planned}
            {affects}
            <ol class="activity">
                {i.updates.into_iter().map(|u| view! {
                    <li>
                        <strong>{stage_text(&u.stage)}</strong><span class="muted">" · "{u.at}</span>
                        <div class="rich-text" inner_html=u.html></div>
                    </li>
                }).collect_view()}
            </ol>
            {edit}
        </article>
    }
}

fn page_view(
    page: StatusPageView,
    set: ServerAction<SetComponentStatus>,
    open: ServerAction<OpenStatusIncident>,
    update: ServerAction<UpdateStatusIncident>,
) -> impl IntoView {
    let all_good = page.overall == "operational";
    let banner_class = if all_good {
        "alert alert-success"
    } else {
        "alert alert-error"
    };
    let banner = if all_good {
        t(T::StatusAllGood)
    } else {
        t(T::StatusAffected)
    };
    let can_edit = page.can_edit;
    let open_error = last_error(open.value());
    view! {
        <p class=banner_class role="status" data-testid="status-overall">{banner}</p>
        <section class="card">
            <h2>{t(T::StatusComponentsLabel)}</h2>
            <ul class="status-components" role="list" data-testid="status-components">
                {page.components.into_iter().map(|c| { let save_label = format!("{} {}", t(T::StatusSave), c.name); let select_label = format!("{} {}", t(T::StatusLabel), c.name); let id = c.id; let current = c.status.clone(); view! {
                    <li data-component=c.name.clone()>
                        <span><strong>{c.name.clone()}</strong><br/><span class="muted">{c.description.clone()}</span></span>
                        <span class=format!("status component-{}", c.status)>{component_text(&c.status)}</span>
                        {can_edit.then(move || view! {
                            <ActionForm action=set attr:class="form-inline" attr:aria-label=save_label>
                                <input type="hidden" name="id" value=id.to_string()/>
                                <select name="status" aria-label=select_label>
                                    {ComponentStatus::ALL.iter().map(|s| view! {
                                        <option value=s.code() selected=s.code() == current>{component_text(s.code())}</option>
                                    }).collect_view()}
                                </select>
                                <button type="submit" class="button">{t(T::StatusSave)}</button>
                            </ActionForm>
                        })}
                    </li>
                }}).collect_view()}
            </ul>
        </section>
        <h2>{t(T::StatusActive)}</h2>
        {if page.active.is_empty() {
            view! { <p class="empty">{t(T::StatusNone)}</p> }.into_any()
        } else {
            page.active.into_iter().map(|i| incident_card(i, can_edit, update)).collect_view().into_any()
        }}
        {(!page.recent.is_empty()).then(|| view! {
            <h2>{t(T::StatusRecent)}</h2>
            {page.recent.into_iter().map(|i| incident_card(i, false, update)).collect_view()}
        })}
        {can_edit.then(|| view! {
            <h2>{t(T::StatusOpen)}</h2>
            <ErrorAlert error=open_error/>
            <ActionForm action=open attr:class="form card">
                <div class="field">
                    <label for="status-kind">{t(T::TicketType)}</label>
                    <select id="status-kind" name="kind">
                        <option value="incident">{t(T::KindIncident)}</option>
                        <option value="maintenance">{t(T::KindMaintenance)}</option>
                    </select>
                </div>
                <div class="field">
                    <label for="status-title">{t(T::StatusTitleLabel)}</label>
                    <input id="status-title" name="title" type="text" autocomplete="off"/>
                    <p class="field-error">{move || open_error.get().and_then(|e| e.problem_for("title").map(problem_text))}</p>
                </div>
                <div class="field">
                    <label for="status-body">{t(T::StatusMessage)}</label>
                    <textarea id="status-body" name="body" rows="3"></textarea>
                    <p class="field-error">{move || open_error.get().and_then(|e| e.problem_for("body").map(problem_text))}</p>
                </div>
                <button type="submit" class="button primary">{t(T::StatusOpen)}</button>
            </ActionForm>
        })}
    }
}

/// `/support/status`.
#[component]
pub fn StatusPage() -> impl IntoView {
    let set = ServerAction::<SetComponentStatus>::new();
    let open = ServerAction::<OpenStatusIncident>::new();
    let update = ServerAction::<UpdateStatusIncident>::new();
    let page = Resource::new(
        move || {
            (
                set.version().get(),
                open.version().get(),
                update.version().get(),
            )
        },
        |_| load_status_page(),
    );
    let set_error = last_error(set.value());
    let update_error = last_error(update.value());
    view! {
        <Title text=format!("{} — OpenPSP", t(T::StatusPageTitle))/>
        <header class="topbar">
            <div class="topbar-left">
                <a class="brand" href="/support">{t(T::SupportTitle)}</a>
            </div>
            <div class="topbar-right">
                <a href="/support/status.json" rel="external">{t(T::StatusJson)}</a>
                <LanguageMenu/>
            </div>
        </header>
        <main class="page" id="main">
            <h1>{t(T::StatusPageTitle)}</h1>
            <ErrorAlert error=set_error/>
            <ErrorAlert error=update_error/>
            <Suspense fallback=|| view! { <p>{t(T::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match loaded(page).await {
                        Ok(p) => page_view(p, set, open, update).into_any(),
                        Err(e) => view! { <p class="alert alert-error" role="alert">{error_text(&e)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}
