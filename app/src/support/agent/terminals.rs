//! `/support/agent/terminals`: the card terminals waiting to be paired — connected to
//! the gateway, bound to no merchant — for the platform's operators, the support agents.
//! The server function refuses anyone else; merchants never see terminals not theirs.

use super::api::load_unbound_terminals;
use super::pages::AgentNav;
use crate::components::error_text;
use crate::components::loaded;
use crate::i18n::{t, T};
use crate::terminals::config::{connection_badge, last_seen_text};
use leptos::prelude::*;
use leptos_meta::Title;

/// The list, the most recently heard from first.
#[component]
pub fn AgentTerminalsPage() -> impl IntoView {
    let list = Resource::new(|| (), |_| load_unbound_terminals());
    view! {
        <Title text=format!("{} — OpenPSP", t(T::AgentTerminals))/>
        <h1>{t(T::AgentConsole)}</h1>
        <AgentNav current="/support/agent/terminals"/>
        <h2>{t(T::AgentTerminals)}</h2>
        <p class="muted narrow">{t(T::AgentTerminalsIntro)}</p>
        <Suspense fallback=|| view! { <p>{t(T::Loading)}</p> }>
            {move || Suspend::new(async move {
                match loaded(list).await {
                    Err(e) => view! { <p class="alert alert-error" role="alert">{error_text(&e)}</p> }.into_any(),
                    Ok(rows) if rows.is_empty() => view! { <p class="empty">{t(T::AgentTerminalsEmpty)}</p> }.into_any(),
                    Ok(rows) => view! {
                        <div class="card table-wrap">
                            <table class="table" data-testid="unbound-terminals">
                                <thead><tr>
                                    <th scope="col">{t(T::TerminalIdLabel)}</th>
                                    <th scope="col">{t(T::TerminalModel)}</th>
                                    <th scope="col">{t(T::TerminalPeerAddress)}</th>
                                    <th scope="col">{t(T::StatusLabel)}</th>
                                    <th scope="col">{t(T::TerminalFirstSeen)}</th>
                                    <th scope="col">{t(T::TerminalLastSeen)}</th>
                                </tr></thead>
                                <tbody>
                                    {rows.into_iter().map(|terminal| {
                                        let id = terminal.terminal_id;
                                        let marker = id.clone();
                                        view! {
                                            <tr data-terminal=marker>
                                                <td class="mono">{id}</td>
                                                <td>{terminal.model}</td>
                                                <td class="mono">{terminal.address}</td>
                                                <td>{connection_badge(terminal.connected)}</td>
                                                <td>{terminal.first_seen}</td>
                                                <td>{last_seen_text(&terminal.last_seen)}</td>
                                            </tr>
                                        }
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
