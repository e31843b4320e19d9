//! `/configuration/template`: the payer's pages' colours and logo (MB-14) with a live
//! preview, applied by a generated stylesheet within the Content-Security-Policy.

use super::api::{load_template, ResetTemplate, SaveTemplate};
use super::{TemplateView, LOGO_MAX_HEIGHT, LOGO_MAX_WIDTH};
use crate::components::loaded;
use crate::components::{last_error, problem_text, ErrorAlert};
use crate::error::{AppError, Problem};
use crate::i18n::{t, T};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// A colour field: the `#rrggbb` text, a colour picker on the same value, the server's
/// message underneath.
fn colour_field(
    label: T,
    name: &'static str,
    value: RwSignal<String>,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let id = format!("template-{name}");
    let error_id = format!("{id}-error");
    let message = move || {
        error
            .get()
            .and_then(|e| e.problem_for(name).map(problem_text))
    };
    let picker = move || {
        let v = value.get();
        if domain::theme::Colour::parse(&v).is_some() {
            v.trim().to_ascii_lowercase()
        } else {
            "#000000".to_owned()
        }
    };
    view! {
        <div class="field" class:field-invalid=move || message().is_some()>
            <label for=id.clone()>{t(label)}</label>
            <div class="inline-form">
                <input id=id name=name type="text" maxlength="7" pattern="#[0-9a-fA-F]{6}"
                    aria-describedby=error_id.clone()
                    prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev))/>
                <input type="color" aria-hidden="true" tabindex="-1"
                    prop:value=picker
                    on:input=move |ev| value.set(event_target_value(&ev))/>
            </div>
            <p class="field-error" id=error_id>{message}</p>
        </div>
    }
}

/// The message of a refused upload, from the redirect's `?logo_error=`.
fn logo_problem(code: &str) -> Option<String> {
    match code {
        "dimensions" => Some(
            t(T::LogoDimensions)
                .replace("{w}", &LOGO_MAX_WIDTH.to_string())
                .replace("{h}", &LOGO_MAX_HEIGHT.to_string()),
        ),
        other => Problem::from_upload_code(other).map(|p| problem_text(&p)),
    }
}

fn template_form(
    v: TemplateView,
    save: ServerAction<SaveTemplate>,
    reset: ServerAction<ResetTemplate>,
    error: Signal<Option<AppError>>,
) -> AnyView {
    let primary = RwSignal::new(v.primary_colour.clone());
    let button_text = RwSignal::new(v.button_text_colour.clone());
    let background = RwSignal::new(v.background_colour.clone());
    let text = RwSignal::new(v.text_colour.clone());
    // The preview takes each colour once it is one; CSSOM properties, which the CSP allows.
    let shown = move |s: RwSignal<String>| {
        move || {
            domain::theme::Colour::parse(&s.get())
                .map(|c| c.to_string())
                .unwrap_or_default()
        }
    };
    let mounted = RwSignal::new(false);
    Effect::new(move |_| mounted.set(true));
    let logo_url = v.logo_url.clone();
    let query = use_query_map();
    let logo_error = move || {
        query
            .with(|q| q.get("logo_error"))
            .and_then(|c| logo_problem(&c))
    };
    let logo_saved = move || query.with(|q| q.get("logo").is_some_and(|l| l == "saved"));
    view! {
        <div class="grid-2">
            <ActionForm action=save attr:class="form card" attr:id="template-form">
                {colour_field(T::PrimaryColourLabel, "primary_colour", primary, error)}
                {colour_field(T::ButtonTextColourLabel, "button_text_colour", button_text, error)}
                {colour_field(T::BackgroundColourLabel, "background_colour", background, error)}
                {colour_field(T::TextColourLabel, "text_colour", text, error)}
                <p class="muted">{t(T::TemplateContrastHint)}</p>
                <button type="submit" class="button primary" disabled=move || save.pending().get()>{t(T::Save)}</button>
            </ActionForm>
            <section class="card" aria-labelledby="template-preview-title">
                <h2 id="template-preview-title">{t(T::TemplatePreview)}</h2>
                // Drawn in the browser only: its colours are set through the CSSOM, which
                // the CSP allows, where a served `style` attribute would be refused.
                {move || mounted.get().then(|| {
                    let logo = logo_url.clone();
                    view! {
                        <div class="pay-page" data-testid="template-preview"
                            style:background-color=shown(background)
                            style:color=shown(text)>
                            {logo.map(|src| view! { <img class="pay-logo" src=src alt=t(T::LogoLabel)/> })}
                            <p class="pay-title">{t(T::PayTitle)}</p>
                            <p>"12.50 EUR"</p>
                            <button type="button" class="button primary"
                                style:background-color=shown(primary)
                                style:border-color=shown(primary)
                                style:color=shown(button_text)>{t(T::PayButton).replace("{amount}", "12.50 EUR")}</button>
                        </div>
                    }
                })}
            </section>
        </div>
        <form class="form card narrow" method="post" enctype="multipart/form-data" action="/configuration/template/logo">
            <div class="field" class:field-invalid=move || logo_error().is_some()>
                <label for="template-logo">{t(T::LogoLabel)}</label>
                <input id="template-logo" name="logo" type="file" accept="image/png,image/jpeg"
                    aria-describedby="template-logo-hint template-logo-error"/>
                <p class="muted" id="template-logo-hint">{t(T::LogoHint)}</p>
                <p class="field-error" id="template-logo-error" data-testid="logo-error">{logo_error}</p>
                {move || logo_saved().then(|| view! { <p class="alert alert-success" role="status">{t(T::Saved)}</p> })}
            </div>
            <button type="submit" class="button">{t(T::LogoUpload)}</button>
        </form>
        <ActionForm action=reset attr:class="form">
            <button type="submit" class="button" disabled=move || reset.pending().get()>{t(T::TemplateReset)}</button>
        </ActionForm>
    }
    .into_any()
}

/// `/configuration/template`.
#[component]
pub fn TemplatePage() -> impl IntoView {
    let save = ServerAction::<SaveTemplate>::new();
    let reset = ServerAction::<ResetTemplate>::new();
    let template = Resource::new(
        move || (save.version().get(), reset.version().get()),
        |_| load_template(),
    );
    let error = last_error(save.value());
    let reset_error = last_error(reset.value());
    let saved = move || {
        matches!(save.value().get(), Some(Ok(_)))
            .then(|| view! { <p class="alert alert-success" role="status">{t(T::Saved)}</p> })
    };
    view! {
        {crate::configuration::title(T::TemplateTitle)}
        <h1>{t(T::TemplateTitle)}</h1>
        <p class="muted">{t(T::TemplateIntro)}</p>
        {saved}
        <ErrorAlert error=error/>
        <ErrorAlert error=reset_error/>
        <Suspense fallback=|| view! { <p>{t(T::Loading)}</p> }>
            {move || Suspend::new(async move {
                match loaded(template).await {
                    Err(e) => crate::configuration::failure(&e),
                    Ok(v) => template_form(v, save, reset, error),
                }
            })}
        </Suspense>
    }
}

/// On a payer's page: the merchant's stylesheet (a `<link>` in the body, which HTML
/// allows, so it is in the page's first HTML) and logo, when the merchant has a template.
pub fn theme_head(theme: Option<&super::ThemeLink>) -> impl IntoView + use<> {
    theme.cloned().map(|theme| {
        view! {
            <link rel="stylesheet" href=theme.css data-testid="theme-css"/>
            {theme.logo.map(|src| view! { <img class="pay-logo" src=src alt="" data-testid="merchant-logo"/> })}
        }
    })
}
