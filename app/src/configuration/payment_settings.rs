//! Configuration → Payment settings (MB-14, MB-15, MB-20): retries, capture, the hosted
//! session, the final page, two-step payments, the hosted page's default return URL and
//! the default download.

use super::api::{load_payment_settings, SavePaymentSettings};
use super::{failure, title, PaymentSettings};
use crate::components::loaded;
use crate::components::{last_error, problem_text, ErrorAlert, Field};
use crate::error::AppError;
use crate::i18n::{t, T};
use leptos::prelude::*;

/// The processing mode (MB-14): a choice of three, with the seed's help text.
fn processing_mode_field(current: &str, error: Signal<Option<AppError>>) -> AnyView {
    let modes = [
        ("online", T::ProcessingOnline),
        ("online_fallback", T::ProcessingFallback),
        ("offline", T::ProcessingOffline),
    ];
    let current = current.to_owned();
    view! {
        <div class="field">
            <label for="settings-processing_mode">{t(T::ProcessingModeLabel)}</label>
            <select id="settings-processing_mode" name="processing_mode" aria-describedby="processing-mode-hint">
                {modes.into_iter().map(|(value, label)| view! {
                    <option value=value selected=current == value>{t(label)}</option>
                }).collect_view()}
            </select>
            <p class="muted" id="processing-mode-hint">{t(T::ProcessingModeHint)}</p>
            <p class="field-error">{move || error.get().and_then(|e| e.problem_for("processing_mode").map(problem_text))}</p>
        </div>
    }
    .into_any()
}

fn settings_form(
    s: PaymentSettings,
    action: ServerAction<SavePaymentSettings>,
    error: Signal<Option<AppError>>,
) -> AnyView {
    let procedures = [
        ("immediate", T::CaptureImmediate),
        ("delayed", T::CaptureDelayed),
        ("manual", T::CaptureManual),
    ];
    let select_problem = move || {
        error
            .get()
            .and_then(|e| e.problem_for("capture_procedure").map(problem_text))
    };
    view! {
        <ActionForm action=action attr:class="form card narrow">
            <Field label=T::RetryCountLabel name="retry_count" kind="number" value=s.retry_count.to_string() error=error form="settings"/>
            <div class="field">
                <label for="settings-capture_procedure">{t(T::CaptureProcedureLabel)}</label>
                <select id="settings-capture_procedure" name="capture_procedure">
                    {procedures.into_iter().map(|(value, label)| view! {
                        <option value=value selected=s.capture_procedure == value>{t(label)}</option>
                    }).collect_view()}
                </select>
                <p class="field-error">{select_problem}</p>
            </div>
            <Field label=T::CaptureDelayLabel name="capture_delay_hours" kind="number" value=s.capture_delay_hours.to_string() error=error form="settings"/>
            <Field label=T::ReservationDaysLabel name="reservation_days" kind="number" value=s.reservation_days.to_string() error=error form="settings"/>
            <p class="muted" id="reservation-days-hint">{t(T::ReservationDaysHint)}</p>
            {processing_mode_field(&s.processing_mode, error)}
            <label class="checkbox">
                <input type="checkbox" name="show_final_page" checked=s.show_final_page/>
                <span>{t(T::ShowFinalPageLabel)}</span>
            </label>
            <Field label=T::SessionMinutesLabel name="session_minutes" kind="number" value=s.session_minutes.to_string() error=error form="settings"/>
            <Field label=T::OverCaptureLabel name="over_capture_percent" kind="number" value=s.over_capture_percent.to_string() error=error form="settings"/>
            <Field label=T::WebSiteLabel name="web_site" kind="url" value=s.web_site.clone() error=error form="settings"/>
            <input type="hidden" name="engine_settings" value="on"/>
            <Field label=T::NotificationEmailsLabel name="notification_emails" value=s.notification_emails.clone() error=error form="settings"/>
            <p class="muted" id="notification-emails-hint">{t(T::NotificationEmailsHint)}</p>
            <div class="field">
                <label class="checkbox">
                    <input type="checkbox" name="two_step_allowed" checked=s.two_step_allowed aria-describedby="two-step-hint"/>
                    <span>{t(T::TwoStepLabel)}</span>
                </label>
                <p class="muted" id="two-step-hint">{t(T::TwoStepHint)}</p>
                <p class="field-error">{move || error.get().and_then(|e| e.problem_for("two_step_allowed").map(problem_text))}</p>
            </div>
            <div class="field">
                <label class="checkbox">
                    <input type="checkbox" name="session_events" checked=s.session_events aria-describedby="session-events-hint"/>
                    <span>{t(T::SessionEventsLabel)}</span>
                </label>
                <p class="muted" id="session-events-hint">{t(T::SessionEventsHint)}</p>
            </div>
            <Field label=T::DefaultReturnUrlLabel name="default_return_url" kind="url" value=s.default_return_url.clone() error=error form="settings"/>
            <p class="muted" id="default-return-url-hint">{t(T::DefaultReturnUrlHint)}</p>
            <fieldset class="choices" aria-describedby="report-hint">
                <legend>{t(T::ElectronicReporting)}</legend>
                <p class="muted" id="report-hint">{t(T::ElectronicReportingHint)}</p>
                <div class="field">
                    <label for="settings-report_format">{t(T::ReportFormatLabel)}</label>
                    <select id="settings-report_format" name="report_format">
                        {crate::payments::EXPORT_FORMATS.into_iter().map(|f| view! {
                            <option value=f selected=s.report_format == f>{f.to_uppercase()}</option>
                        }).collect_view()}
                    </select>
                    <p class="field-error">{move || error.get().and_then(|e| e.problem_for("report_format").map(problem_text))}</p>
                </div>
                {crate::payments::EXPORT_COLUMNS.into_iter().map(|c| view! {
                    <label class="checkbox">
                        <input type="checkbox" name=format!("report_columns[{c}]") value="on" checked=s.report_columns.iter().any(|r| r == c)/>
                        <span class="mono">{c}</span>
                    </label>
                }).collect_view()}
                <p class="field-error">{move || error.get().and_then(|e| e.problem_for("report_columns").map(problem_text))}</p>
            </fieldset>
            <button type="submit" class="button primary" disabled=move || action.pending().get()>{t(T::Save)}</button>
        </ActionForm>
    }
    .into_any()
}

/// `/configuration/payments`.
#[component]
pub fn PaymentSettingsPage() -> impl IntoView {
    let action = ServerAction::<SavePaymentSettings>::new();
    let settings = Resource::new(|| (), |_| load_payment_settings());
    let error = last_error(action.value());
    let saved = move || {
        matches!(action.value().get(), Some(Ok(())))
            .then(|| view! { <p class="alert alert-success" role="status">{t(T::Saved)}</p> })
    };
    view! {
        {title(T::PaymentSettingsTitle)}
        <h1>{t(T::PaymentSettingsTitle)}</h1>
        {saved}
        <ErrorAlert error=error/>
        <Suspense fallback=|| view! { <p>{t(T::Loading)}</p> }>
            {move || Suspend::new(async move {
                match loaded(settings).await {
                    Err(e) => failure(&e),
                    Ok(s) => settings_form(s, action, error),
                }
            })}
        </Suspense>
        <crate::template::customer::CustomerSettingsSection/>
    }
}
