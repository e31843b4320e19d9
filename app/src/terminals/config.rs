//! Configuration → Terminals (TG-2): the terminals that connected, the merchant's and the
//! new ones, with bind and unbind; and binding by id before a terminal first connects.

use crate::components::{error_text, last_error, ErrorAlert, Field};
use crate::i18n::{t, T};
use crate::terminals::api::{list_terminals, BindTerminal, UnbindTerminal};
use crate::terminals::TerminalView;
use leptos::prelude::*;
use leptos_meta::Title;

/// A terminal's status cell.
pub fn status_badge(terminal: &TerminalView) -> impl IntoView {
    let (class, text) = if terminal.connected {
        ("status status-done", t(T::TerminalConnected))
    } else {
        ("status", t(T::TerminalDisconnected))
    };
    let new = (!terminal.bound)
        .then(|| view! { <span class="status status-new">{t(T::TerminalNewBadge)}</span> });
    view! { <span class=class>{text}</span>" "{new} }
}

/// `/configuration/terminals`.
#[component]
pub fn TerminalsPage() -> impl IntoView {
    let bind = ServerAction::<BindTerminal>::new();
    let unbind = ServerAction::<UnbindTerminal>::new();
    let list = Resource::new(
        move || (bind.version().get(), unbind.version().get()),
        |_| list_terminals(),
    );
    let bind_error = last_error(bind.value());
    let unbind_error = last_error(unbind.value());
    let row_action = move |terminal: &TerminalView| {
        let id = terminal.terminal_id.clone();
        if terminal.bound {
            view! {
                <ActionForm action=unbind>
                    <input type="hidden" name="terminal_id" value=id.clone()/>
                    <button type="submit" class="button" aria-label=format!("{} {id}", t(T::TerminalUnbind))>{t(T::TerminalUnbind)}</button>
                </ActionForm>
            }
            .into_any()
        } else {
            view! {
                <ActionForm action=bind>
                    <input type="hidden" name="terminal_id" value=id.clone()/>
                    <button type="submit" class="button primary" aria-label=format!("{} {id}", t(T::TerminalBind))>{t(T::TerminalBind)}</button>
                </ActionForm>
            }
            .into_any()
        }
    };
    view! {
        <Title text=format!("{} — OpenPSP", t(T::TerminalsTitle))/>
        <h1>{t(T::TerminalsTitle)}</h1>
        <p class="muted narrow">{t(T::TerminalsIntro)}</p>
        <ErrorAlert error=unbind_error/>
        <Suspense fallback=|| view! { <p>{t(T::Loading)}</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Err(e) => view! { <p class="alert alert-error" role="alert">{error_text(&e)}</p> }.into_any(),
                    Ok(rows) if rows.is_empty() => view! { <p class="empty">{t(T::TerminalsEmpty)}</p> }.into_any(),
                    Ok(rows) => view! {
                        <div class="card table-wrap">
                            <table class="table" data-testid="terminals">
                                <thead><tr>
                                    <th scope="col">{t(T::TerminalIdLabel)}</th>
                                    <th scope="col">{t(T::TerminalModel)}</th>
                                    <th scope="col">{t(T::StatusLabel)}</th>
                                    <th scope="col">{t(T::TerminalLastSeen)}</th>
                                    <th scope="col">{t(T::ActionsLabel)}</th>
                                </tr></thead>
                                <tbody>
                                    {rows.into_iter().map(|terminal| view! {
                                        <tr data-terminal=terminal.terminal_id.clone()>
                                            <td class="mono">{terminal.terminal_id.clone()}</td>
                                            <td>{terminal.model.clone()}</td>
                                            <td>{status_badge(&terminal)}</td>
                                            <td>{if terminal.last_seen.is_empty() { t(T::Never).to_owned() } else { terminal.last_seen.clone() }}</td>
                                            <td>{row_action(&terminal)}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any(),
                }
            })}
        </Suspense>
        <h2>{t(T::TerminalBindById)}</h2>
        <p class="muted narrow">{t(T::TerminalBindHint)}</p>
        <ErrorAlert error=bind_error/>
        <ActionForm action=bind attr:class="form card inline-form">
            <Field label=T::TerminalIdLabel name="terminal_id" error=bind_error required=true form="bind"/>
            <button type="submit" class="button primary" disabled=move || bind.pending().get()>{t(T::TerminalBind)}</button>
        </ActionForm>
    }
}
