//! The Markdown editor of tickets, comments and articles: a toolbar, @mentions, emoji and
//! a live preview by the domain's safe renderer.

use crate::components::problem_text;
use crate::error::AppError;
use crate::i18n::{t, T};
use leptos::prelude::*;

const EMOJI: [&str; 8] = ["👍", "✅", "❌", "🙏", "🎉", "⚠️", "🔥", "👀"];

/// A Markdown text area with its toolbar (style, bold, italic, lists, link, code, table,
/// @mention of `people`, emoji) and a live preview rendered by the domain's safe renderer.
#[component]
pub fn RichTextEditor(
    /// Field name (the server reports problems on it).
    name: &'static str,
    /// Label.
    label: T,
    /// The text.
    text: RwSignal<String>,
    /// People who may be mentioned.
    #[prop(optional)]
    people: Vec<String>,
    /// The most characters the text may have (the textarea's `maxlength`).
    #[prop(optional)]
    max_chars: Option<usize>,
    /// The last error of the form's action.
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let id = format!("editor-{name}");
    let area: NodeRef<leptos::html::Textarea> = NodeRef::new();
    // Wraps the selection in `before`/`after` (or inserts them at the caret), then puts
    // the caret back inside, as word processors do. Positions are UTF-16 units, as the
    // DOM counts them.
    let wrap = move |before: &str, after: &str| {
        let current: Vec<u16> = text.get_untracked().encode_utf16().collect();
        let element = area.get_untracked();
        let (start, end) = element
            .as_ref()
            .map(|el| {
                let s = el.selection_start().ok().flatten().unwrap_or(0) as usize;
                let e = el.selection_end().ok().flatten().unwrap_or(0) as usize;
                (s, e)
            })
            .unwrap_or((current.len(), current.len()));
        let start = start.min(current.len());
        let end = end.clamp(start, current.len());
        let before16: Vec<u16> = before.encode_utf16().collect();
        let after16: Vec<u16> = after.encode_utf16().collect();
        let mut next = current[..start].to_vec();
        next.extend(&before16);
        next.extend(&current[start..end]);
        next.extend(&after16);
        next.extend(&current[end..]);
        let next = String::from_utf16_lossy(&next);
        if let Some(el) = element {
            el.set_value(&next);
            let caret = (start + before16.len()) as u32;
            let _ = el.set_selection_range(caret, caret + (end - start) as u32);
            let _ = el.focus();
        }
        text.set(next);
    };
    let button = move |label: T, glyph: &'static str, before: &'static str, after: &'static str| {
        view! {
            <button type="button" class="button ghost editor-button" title=t(label) aria-label=t(label)
                on:click=move |_| wrap(before, after)>{glyph}</button>
        }
    };
    let problem = move || {
        error
            .get()
            .and_then(|e| e.problem_for(name).map(problem_text))
    };
    let mention_people = people.clone();
    view! {
        <div class="field editor" class:field-invalid=move || problem().is_some()>
            <label for=id.clone()>{t(label)}</label>
            <div class="editor-toolbar" role="toolbar" aria-label=t(T::EditorToolbar) aria-controls=id.clone()>
                {button(T::EditorHeading, "H", "### ", "")}
                {button(T::EditorBold, "B", "**", "**")}
                {button(T::EditorItalic, "I", "_", "_")}
                {button(T::EditorList, "•", "\n- ", "")}
                {button(T::EditorNumbered, "1.", "\n1. ", "")}
                {button(T::EditorLink, "🔗", "[", "](https://)")}
                {button(T::EditorCode, "</>", "`", "`")}
                {button(T::EditorTable, "▦", "\n| Column | Column |\n|---|---|\n| ", " |  |\n")}
                {(!mention_people.is_empty()).then(|| view! {
                    <details class="menu editor-menu">
                        <summary aria-label=t(T::EditorMention)>"@"</summary>
                        <div class="menu-panel">
                            {mention_people.iter().map(|person| {
                                let mention = format!("@[{person}] ");
                                view! { <button type="button" class="menu-item" on:click=move |_| wrap(&mention, "")>{person.clone()}</button> }
                            }).collect_view()}
                        </div>
                    </details>
                })}
                <details class="menu editor-menu">
                    <summary aria-label=t(T::EditorEmoji)>"😊"</summary>
                    <div class="menu-panel emoji-panel">
                        {EMOJI.into_iter().map(|e| view! {
                            <button type="button" class="menu-item" on:click=move |_| wrap(e, "")>{e}</button>
                        }).collect_view()}
                    </div>
                </details>
            </div>
            <textarea id=id name=name rows="6" node_ref=area maxlength=max_chars.map(|n| n.to_string())
                aria-invalid=move || problem().is_some().to_string()
                prop:value=move || text.get()
                on:input:target=move |ev| text.set(ev.target().value())></textarea>
            <p class="field-error">{problem}</p>
            {move || (!text.get().trim().is_empty()).then(|| view! {
                <div class="editor-preview" aria-label=t(T::EditorPreview)>
                    <p class="muted">{t(T::EditorPreview)}</p>
                    <div class="rich-text" inner_html=domain::markup::render(&text.get())></div>
                </div>
            })}
        </div>
    }
}
