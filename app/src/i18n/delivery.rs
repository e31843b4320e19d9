//! How the browser gets its texts: not compiled into its bundle (six languages would be
//! a quarter of the back office's first download), but fetched for the page's language
//! only, before it hydrates.
//!
//! The server renders `<link id="openpsp-texts" rel="preload" as="fetch">` in every back
//! office page's head, naming `/static/texts/{lang}-{hash}.json`: the language's texts as
//! a JSON list in [`T::ALL`]'s order. The hash is taken from that list, so the address
//! changes with the texts and the file is cached as immutable. The browser's entry point
//! awaits [`load_page_texts`] before it hydrates; [`T::text`] then reads the list.

use super::T;
#[cfg(not(feature = "hydrate"))]
use domain::Lang;

/// The id of the `<link>` naming the page's texts.
pub const LINK_ID: &str = "openpsp-texts";

/// One language's texts as the browser receives them.
#[cfg(not(feature = "hydrate"))]
#[derive(Debug)]
pub struct PageTexts {
    /// `/static/texts/{lang}-{hash}.json`.
    pub path: String,
    /// The JSON list of its texts, in [`T::ALL`]'s order.
    pub json: String,
}

/// The texts of `lang`, built once per process (in [`Lang::ALL`]'s order).
#[cfg(not(feature = "hydrate"))]
pub fn page_texts(lang: Lang) -> &'static PageTexts {
    static ALL: std::sync::OnceLock<Vec<PageTexts>> = std::sync::OnceLock::new();
    let all = ALL.get_or_init(|| {
        Lang::ALL
            .into_iter()
            .map(|lang| {
                let texts: Vec<&str> = T::ALL.iter().map(|key| key.text(lang)).collect();
                let json = serde_json::to_string(&texts).unwrap_or_default();
                PageTexts {
                    path: format!(
                        "/static/texts/{}-{:016x}.json",
                        lang.code(),
                        fnv1a(json.as_bytes())
                    ),
                    json,
                }
            })
            .collect()
    });
    &all[lang.index()]
}

/// FNV-1a, 64 bits: a name that depends on the texts only, the same in every process and
/// every build of them (nodes of one deployment name a file alike). It only tells
/// versions apart; nothing secret rests on it.
#[cfg(not(feature = "hydrate"))]
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, b| {
        (hash ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(feature = "hydrate")]
static LOADED: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();

/// The text at `index` of the page's language; empty before [`load_page_texts`].
#[cfg(feature = "hydrate")]
pub(super) fn loaded(index: usize) -> &'static str {
    LOADED
        .get()
        .and_then(|texts| texts.get(index))
        .copied()
        .unwrap_or("")
}

/// Fetches the texts the page names (usually already preloaded) and keeps them for the
/// page's life. An error says why; the page then stays as the server rendered it.
#[cfg(feature = "hydrate")]
pub async fn load_page_texts() -> Result<(), String> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    use web_sys::js_sys::Array;
    let describe = |e: wasm_bindgen::JsValue| format!("{e:?}");
    let window = web_sys::window().ok_or("no window")?;
    let href = window
        .document()
        .and_then(|d| d.get_element_by_id(LINK_ID))
        .and_then(|link| link.get_attribute("href"))
        .ok_or("the page names no texts")?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(&href))
        .await
        .map_err(describe)?
        .dyn_into()
        .map_err(describe)?;
    if !response.ok() {
        return Err(format!("{href}: HTTP {}", response.status()));
    }
    let value = JsFuture::from(response.json().map_err(describe)?)
        .await
        .map_err(describe)?;
    let list: Array = value
        .dyn_into()
        .map_err(|_| format!("{href}: not a list"))?;
    if list.length() as usize != T::ALL.len() {
        return Err(format!(
            "{href}: {} texts, {} expected",
            list.length(),
            T::ALL.len()
        ));
    }
    // Kept for the page's life: one list, read once.
    let texts = list
        .iter()
        .map(|text| text.as_string().map(|s| &*Box::leak(s.into_boxed_str())))
        .collect::<Option<Vec<&'static str>>>()
        .ok_or_else(|| format!("{href}: a text is not a string"))?;
    let _ = LOADED.set(texts);
    Ok(())
}

#[cfg(all(test, not(feature = "hydrate")))]
mod tests {
    use super::*;

    #[test]
    fn a_language_list_has_every_text_in_the_keys_order() {
        for lang in Lang::ALL {
            let texts = page_texts(lang);
            let list: Vec<String> = serde_json::from_str(&texts.json).expect("a JSON list");
            assert_eq!(list.len(), T::ALL.len());
            for (key, text) in T::ALL.iter().zip(&list) {
                assert_eq!(key.text(lang), text);
            }
            assert!(texts
                .path
                .starts_with(&format!("/static/texts/{}-", lang.code())));
            assert!(texts.path.ends_with(".json"));
        }
    }

    #[test]
    fn the_name_is_fnv1a_of_the_list() {
        // The published test vectors of FNV-1a 64.
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
        let texts = page_texts(Lang::Fr);
        assert!(texts
            .path
            .ends_with(&format!("-{:016x}.json", fnv1a(texts.json.as_bytes()))));
    }

    #[test]
    fn each_language_has_its_own_address() {
        let paths: std::collections::HashSet<_> =
            Lang::ALL.into_iter().map(|l| &page_texts(l).path).collect();
        assert_eq!(paths.len(), Lang::ALL.len());
    }
}
