//! Configuration → Terminals (TG-2): the merchant's terminals, each pinned to the network
//! it was paired from, with unbind, re-pairing to the address typed from the terminal's
//! screen (attempts from other addresses are counted, never offered), and the binding's
//! width; and binding a connected terminal by its id and the address shown on it.
//! Terminals bound to nobody are not listed.

use crate::components::loaded;
use crate::components::{error_text, last_error, ErrorAlert, Field};
use crate::i18n::{t, T};
use crate::terminals::api::{
    list_terminals, BindTerminal, RepairTerminal, UnbindTerminal, WidenTerminal,
};
use crate::terminals::TerminalView;
use leptos::prelude::*;
use leptos_meta::Title;

/// A terminal's status cell.
pub fn status_badge(terminal: &TerminalView) -> impl IntoView {
    let new = (!terminal.bound)
        .then(|| view! { <span class="status status-new">{t(T::TerminalNewBadge)}</span> });
    view! { {connection_badge(terminal.connected)}" "{new} }
}

/// Connected or not, as every terminal list shows it.
pub fn connection_badge(connected: bool) -> impl IntoView {
    let (class, text) = if connected {
        ("status status-done", t(T::TerminalConnected))
    } else {
        ("status", t(T::TerminalDisconnected))
    };
    view! { <span class=class>{text}</span> }
}

/// When a terminal was last heard from, or "never".
pub fn last_seen_text(last_seen: &str) -> String {
    if last_seen.is_empty() {
        t(T::Never).to_owned()
    } else {
        last_seen.to_owned()
    }
}

/// `/configuration/terminals`.
#[component]
pub fn TerminalsPage() -> impl IntoView {
    let bind = ServerAction::<BindTerminal>::new();
    let unbind = ServerAction::<UnbindTerminal>::new();
    let repair = ServerAction::<RepairTerminal>::new();
    let widen = ServerAction::<WidenTerminal>::new();
    let list = Resource::new(
        move || {
            (
                bind.version().get(),
                unbind.version().get(),
                repair.version().get(),
                widen.version().get(),
            )
        },
        |_| list_terminals(),
    );
    let bind_error = last_error(bind.value());
    let unbind_error = last_error(unbind.value());
    let repair_error = last_error(repair.value());
    let widen_error = last_error(widen.value());
    let row_action = move |terminal: &TerminalView| {
        let id = terminal.terminal_id.clone();
        view! {
            <ActionForm action=unbind>
                <input type="hidden" name="terminal_id" value=id.clone()/>
                <button type="submit" class="button" aria-label=format!("{} {id}", t(T::TerminalUnbind))>{t(T::TerminalUnbind)}</button>
            </ActionForm>
        }
    };
    // Where the terminal is accepted from, the width an Admin may change, how many other
    // addresses it was refused from, and, while it is not connected from inside its
    // pairing, the form to re-pair it to the address typed from its screen.
    let pairing = move |terminal: &TerminalView| {
        let id = terminal.terminal_id.clone();
        let paired = if terminal.paired_from.is_empty() {
            view! { <span class="status status-new">{t(T::TerminalNotPaired)}</span> }.into_any()
        } else {
            view! { <span class="mono" data-testid="paired-from">{terminal.paired_from.clone()}</span> }.into_any()
        };
        let width = terminal.prefix.map(|prefix| {
            let id = id.clone();
            view! {
                <ActionForm action=widen attr:class="inline-form">
                    <input type="hidden" name="terminal_id" value=id.clone()/>
                    <label class="sr-only" for=format!("prefix-{id}")>{t(T::TerminalPrefixLabel)}</label>
                    <input id=format!("prefix-{id}") name="prefix" type="number" min="8" max="128" value=prefix.to_string() class="input" title=t(T::TerminalPrefixLabel)/>
                    <button type="submit" class="button" aria-label=format!("{} {id}", t(T::TerminalWiden))>{t(T::TerminalWiden)}</button>
                </ActionForm>
            }
        });
        // Attempts from elsewhere are told, never offered: the Admin types the address
        // the terminal shows, as when binding it.
        let warning = (terminal.refused_addresses > 0).then(|| {
            view! {
                <p class="alert alert-error" data-testid="refused-warning">
                    {t(T::TerminalRefusedWarning)}" "<strong>{terminal.refused_addresses.to_string()}</strong>
                </p>
            }
        });
        let offer = terminal.repairable.then(|| {
            let id = id.clone();
            let input = format!("repair-address-{id}");
            view! {
                <ActionForm action=repair attr:class="inline-form" attr:data-testid="repair-form">
                    <input type="hidden" name="terminal_id" value=id.clone()/>
                    <label for=input.clone()>{t(T::TerminalAddressLabel)}</label>
                    <input id=input name="address" type="text" class="input mono" required=true autocomplete="off" spellcheck="false"/>
                    <button type="submit" class="button" aria-label=format!("{} {id}", t(T::TerminalRepair))>{t(T::TerminalRepair)}</button>
                </ActionForm>
                <p class="muted">{t(T::TerminalRepairHint)}</p>
            }
        });
        view! { {paired}{width}{warning}{offer} }
    };
    view! {
        <Title text=format!("{} — OpenPSP", t(T::TerminalsTitle))/>
        <h1>{t(T::TerminalsTitle)}</h1>
        <p class="muted narrow">{t(T::TerminalsPairingIntro)}</p>
        <ErrorAlert error=unbind_error/>
        <ErrorAlert error=repair_error/>
        <ErrorAlert error=widen_error/>
        <Suspense fallback=|| view! { <p>{t(T::Loading)}</p> }>
            {move || Suspend::new(async move {
                match loaded(list).await {
                    Err(e) => view! { <p class="alert alert-error" role="alert">{error_text(&e)}</p> }.into_any(),
                    Ok(rows) if rows.is_empty() => view! { <p class="empty">{t(T::TerminalsNoneBound)}</p> }.into_any(),
                    Ok(rows) => view! {
                        <div class="card table-wrap">
                            <table class="table" data-testid="terminals">
                                <thead><tr>
                                    <th scope="col">{t(T::TerminalIdLabel)}</th>
                                    <th scope="col">{t(T::TerminalModel)}</th>
                                    <th scope="col">{t(T::StatusLabel)}</th>
                                    <th scope="col">{t(T::TerminalPairedFrom)}</th>
                                    <th scope="col">{t(T::TerminalLastSeen)}</th>
                                    <th scope="col">{t(T::ActionsLabel)}</th>
                                </tr></thead>
                                <tbody>
                                    {rows.into_iter().map(|terminal| view! {
                                        <tr data-terminal=terminal.terminal_id.clone()>
                                            <td class="mono">{terminal.terminal_id.clone()}</td>
                                            <td>{terminal.model.clone()}</td>
                                            <td>{status_badge(&terminal)}</td>
                                            <td>{pairing(&terminal)}</td>
                                            <td>{last_seen_text(&terminal.last_seen)}</td>
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
        <p class="muted narrow">{t(T::TerminalBindAddressHint)}</p>
        <ErrorAlert error=bind_error/>
        <ActionForm action=bind attr:class="form card inline-form">
            <Field label=T::TerminalIdLabel name="terminal_id" error=bind_error required=true form="bind"/>
            <Field label=T::TerminalAddressLabel name="address" error=bind_error required=true form="bind"/>
            <button type="submit" class="button primary" disabled=move || bind.pending().get()>{t(T::TerminalBind)}</button>
        </ActionForm>
    }
}
