use super::*;
use proptest::prelude::*;

#[test]
fn formats() {
    assert_eq!(
        render("**bold** and *it*"),
        "<p><strong>bold</strong> and <em>it</em></p>"
    );
    assert_eq!(render("`a<b`"), "<p><code>a&lt;b</code></p>");
    assert_eq!(
        render("- one\n- two\n\n1. first"),
        "<ul><li>one</li><li>two</li></ul><ol><li>first</li></ol>"
    );
    assert_eq!(
        render("| a | b |\n|---|---|\n| 1 | 2 |"),
        "<table><thead><tr><th>a</th><th>b</th></tr></thead><tbody><tr><td>1</td><td>2</td></tr></tbody></table>"
    );
    assert_eq!(
        render("[docs](https://example.com/a?b=1&c=2)"),
        "<p><a href=\"https://example.com/a?b=1&amp;c=2\" rel=\"nofollow noopener noreferrer external\">docs</a></p>"
    );
    assert_eq!(
        render("hi @[Alice Martin] 👋"),
        "<p>hi <span class=\"mention\">@Alice Martin</span> 👋</p>"
    );
    assert_eq!(
        render("## Steps\nline one\nline two"),
        "<h4>Steps</h4><p>line one<br>line two</p>"
    );
    assert_eq!(
        render("```\n<b>x</b>\n```"),
        "<pre><code>&lt;b&gt;x&lt;/b&gt;</code></pre>"
    );
    assert_eq!(render("> quoted"), "<blockquote><p>quoted</p></blockquote>");
    // A bracketed name that is not a mention stays as typed.
    assert_eq!(render("see [Alice]"), "<p>see [Alice]</p>");
}

#[test]
fn scripts_and_dangerous_links_stay_text() {
    let html = render("<script>alert(1)</script>");
    assert_eq!(html, "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>");
    let html = render("[click](javascript:alert(1))");
    assert_eq!(html, "<p>click</p>");
    let html = render("[x](https://a.example/\" onmouseover=\"alert(1))");
    assert!(!html.contains("onmouseover=\""), "{html}");
    let html = render("<img src=x onerror=alert(1)>");
    assert!(!html.contains("<img"), "{html}");
    let html = render("![a cat](https://x.example/cat.png) text <b onclick=x>bold</b>");
    assert_eq!(
        html, "<p>a cat text &lt;b onclick=x&gt;bold&lt;/b&gt;</p>",
        "an image shows its description, inline HTML is text"
    );
    assert_eq!(plain("**Hello** _world_"), "Hello world");
    assert_eq!(plain("Set `OPENPSP_DATA_DIR`."), "Set OPENPSP_DATA_DIR.");
    assert_eq!(
        plain("# Title\nhi @[Alice] and **al**so"),
        "Title hi @Alice and also"
    );
}

#[test]
fn long_hostile_lines_render_as_text() {
    const N: usize = 20_000;
    for unit in ["[", "a*", "a_", "<", "[](", "[a](http://x ", "**a_"] {
        let line = unit.repeat(N / unit.len());
        let html = render(&line);
        assert!(only_own_tags(&html), "{unit:?}");
        assert!(
            html.len() >= line.len(),
            "{unit:?}: nothing typed is dropped"
        );
    }
}

const TAGS: [&str; 25] = [
    "<p>",
    "</p>",
    "<br>",
    "<hr>",
    "<strong>",
    "</strong>",
    "<em>",
    "</em>",
    "<code>",
    "</code>",
    "<pre>",
    "</pre>",
    "<ul>",
    "</ul>",
    "<ol>",
    "</ol>",
    "<li>",
    "</li>",
    "<table>",
    "</table>",
    "<span class=\"mention\">",
    "</span>",
    "<blockquote>",
    "</blockquote>",
    "</a>",
];
const MORE: [&str; 16] = [
    "<thead>", "</thead>", "<tbody>", "</tbody>", "<tr>", "</tr>", "<th>", "</th>", "<td>",
    "</td>", "<h3>", "</h3>", "<h4>", "</h4>", "<h5>", "</h5>",
];

/// Every `<` of the output opens one of the renderer's own tags, and every link is a
/// safe one with the renderer's attributes.
fn only_own_tags(html: &str) -> bool {
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        let tail = &rest[at..];
        if let Some(t) = TAGS
            .iter()
            .chain(MORE.iter())
            .find(|t| tail.starts_with(*t))
        {
            rest = &tail[t.len()..];
            continue;
        }
        let Some(link) = tail.strip_prefix("<a href=\"") else {
            return false;
        };
        let Some(end) = link.find("\" rel=\"nofollow noopener noreferrer external\">") else {
            return false;
        };
        let url = &link[..end];
        if url.contains('"') || url.contains('<') || safe_url(url).is_none() {
            return false;
        }
        rest = &link[end..];
    }
    true
}

proptest! {
    #[test]
    fn nothing_typed_becomes_markup(text in "(\\PC|[<>\"'&*_`\\[\\]()|#@!\\n-])*") {
        let html = render(&text);
        prop_assert!(only_own_tags(&html), "{}", html);
        prop_assert!(!html.contains("href=\"javascript"));
    }

    #[test]
    fn hostile_fragments_stay_inert(
        parts in proptest::collection::vec(prop_oneof![
            Just("<script>alert(1)</script>".to_owned()),
            Just("<img src=x onerror=alert(1)>".to_owned()),
            Just("[a](javascript:alert(1))".to_owned()),
            Just("[a](https://x.example\" onclick=\"alert(1))".to_owned()),
            Just("<a href=\"javascript:alert(1)\">x</a>".to_owned()),
            Just("[a]: javascript:alert(1)\n".to_owned()),
            Just("<https://x.example>".to_owned()),
            Just("**".to_owned()), Just("`".to_owned()), Just("\n".to_owned()),
            Just("| a | b |\n|---|---|\n".to_owned()), Just("- ".to_owned()),
            Just("> ".to_owned()), Just("@[".to_owned()), Just("]".to_owned()),
            "[a-z ]{0,8}",
        ], 0..12)
    ) {
        let html = render(&parts.concat());
        prop_assert!(only_own_tags(&html), "{}", html);
        prop_assert!(!html.contains("<script"));
        prop_assert!(!html.contains("href=\"javascript"));
        prop_assert!(!html.contains("\" onclick"));
    }

    /// The plain text holds the words typed, without the formatting's marks.
    #[test]
    fn plain_keeps_the_words(words in proptest::collection::vec("[a-z]{1,8}", 1..8)) {
        let typed = format!("**{}** _{}_", words.join(" "), words[0]);
        prop_assert_eq!(plain(&typed), format!("{} {}", words.join(" "), words[0]));
    }
}
