//! The interface language, on every page: the drop-down that chooses it and the server
//! function that keeps the choice (a cookie always, the user's profile when signed in).
//! Shared chrome, like `components`, but with a server function of its own.

#[cfg(feature = "ssr")]
use crate::account::addresses::TIME_ZONE_QUERY;
use crate::components::{reload, GlobeIcon};
use crate::error::AppError;
use crate::i18n::{t, use_lang, T};
use domain::Lang;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::context as ctx;

/// Switches the interface language: a cookie always, the user's profile when signed in.
/// A plain form's post (a page without script) goes back to its page.
#[server(endpoint = "set_language")]
pub async fn set_language(lang: String) -> Result<(), AppError> {
    let lang = Lang::parse(&lang).unwrap_or_default();
    if let Ok(actor) = ctx::actor().await {
        ctx::ports()?.account.set_language(&actor, lang).await?;
    }
    ctx::set_lang_cookie(lang);
    if ctx::plain_form() {
        // Back to the page it was posted from, but with the time-zone dialog closed: the
        // dialog was left to choose the language.
        let page = ctx::referring_page().unwrap_or_else(|| "/".to_owned());
        ctx::send_on(&crate::url::without_param(&page, TIME_ZONE_QUERY));
    }
    Ok(())
}

/// The language drop-down: each entry posts to the server, then the page reloads in the
/// new language.
#[component]
pub fn LanguageMenu() -> impl IntoView {
    let current = use_lang();
    let action = ServerAction::<SetLanguage>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            reload();
        }
    });
    view! {
        <details class="menu language-menu">
            <summary aria-label=t(T::Language)>
                <GlobeIcon/>
                {current.code().to_uppercase()}
            </summary>
            <ul class="menu-panel" role="list">
                {Lang::ALL
                    .into_iter()
                    .map(|lang| {
                        view! {
                            <li>
                                <ActionForm action=action>
                                    <input type="hidden" name="lang" value=lang.code()/>
                                    <button
                                        type="submit"
                                        class="menu-item"
                                        lang=lang.code()
                                        aria-current=(lang == current).then_some("true")
                                    >
                                        {lang.native_name()}
                                        " ("
                                        {lang.code().to_uppercase()}
                                        ")"
                                    </button>
                                </ActionForm>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </details>
    }
}
