//! The rich text of tickets and comments (SP-4, SP-6): stored as Markdown, rendered to a
//! small fixed set of HTML tags. Every character of the input is escaped before any tag
//! is written, so no markup the author typed reaches the page: a `<script>` shows as
//! text, and links keep only `http`, `https` and `mailto` targets.
//!
//! Supported: paragraphs and line breaks, `#`–`###` headings, `**bold**`, `*italic*` or
//! `_italic_`, `` `code` ``, fenced code blocks, `[text](url)`, `- ` and `1. ` lists,
//! `| a | b |` tables (header row, then a `|---|` row), `@[Name]` mentions, and emoji as
//! typed.
//!
//! The work is linear in the input: every search for a closing delimiter is a look-up in
//! tables built in one pass per line, and nested formatting is bounded (a span never
//! holds another span of its own kind), so a line of 20,000 `[` renders in milliseconds.

/// Escapes text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Whether `c` may not appear in a link target.
fn forbidden_in_url(c: char) -> bool {
    c.is_whitespace() || c.is_control() || matches!(c, '"' | '\'' | '<' | '>' | '`')
}

/// Longest link target written, in bytes.
const MAX_URL_BYTES: usize = 2048;

/// Marks no occurrence in the tables of [`Line`].
const NONE: usize = usize::MAX;

/// One line's characters and, for every position, where the next occurrence of each
/// delimiter starts: built in one pass from the end, so every search of the inline
/// formatting is a look-up and the rendering is linear in the line's length (a line of
/// 20,000 `[` no longer searches 20,000 times to its end).
struct Line {
    chars: Vec<char>,
    /// Next `` ` ``, `*`, `**`, `_`, `]`, `](`, `)` at or after each position.
    next: [Vec<usize>; 7],
    /// Characters a link target may not hold, before each position.
    forbidden_before: Vec<usize>,
    /// UTF-8 bytes before each position.
    bytes_before: Vec<usize>,
    /// The first non-white-space position at or after each position.
    next_solid: Vec<usize>,
    /// One past the last non-white-space position before each position (0 if none).
    solid_end: Vec<usize>,
    /// Loop turns and look-ups made, for the linearity test.
    steps: usize,
}

const BACKTICK: usize = 0;
const STAR: usize = 1;
const STAR2: usize = 2;
const UNDERSCORE: usize = 3;
const CLOSE: usize = 4;
const CLOSE_OPEN: usize = 5;
const PAREN: usize = 6;
/// Each delimiter's length in characters.
const DELIMITER_LEN: [usize; 7] = [1, 1, 2, 1, 1, 2, 1];

impl Line {
    fn new(text: &str) -> Line {
        let chars: Vec<char> = text.chars().collect();
        let n = chars.len();
        let mut next: [Vec<usize>; 7] = std::array::from_fn(|_| vec![NONE; n + 1]);
        for i in (0..n).rev() {
            let c = chars[i];
            let after = chars.get(i + 1).copied();
            let here = [
                c == '`',
                c == '*',
                c == '*' && after == Some('*'),
                c == '_',
                c == ']',
                c == ']' && after == Some('('),
                c == ')',
            ];
            for (table, found) in next.iter_mut().zip(here) {
                table[i] = if found { i } else { table[i + 1] };
            }
        }
        let mut forbidden_before = vec![0; n + 1];
        let mut bytes_before = vec![0; n + 1];
        let mut solid_end = vec![0; n + 1];
        for (i, c) in chars.iter().enumerate() {
            forbidden_before[i + 1] = forbidden_before[i] + usize::from(forbidden_in_url(*c));
            bytes_before[i + 1] = bytes_before[i] + c.len_utf8();
            solid_end[i + 1] = if c.is_whitespace() {
                solid_end[i]
            } else {
                i + 1
            };
        }
        let mut next_solid = vec![n; n + 1];
        for i in (0..n).rev() {
            next_solid[i] = if chars[i].is_whitespace() {
                next_solid[i + 1]
            } else {
                i
            };
        }
        Line {
            chars,
            next,
            forbidden_before,
            bytes_before,
            next_solid,
            solid_end,
            steps: 0,
        }
    }

    /// Where delimiter `which` next starts at or after `from`, if it ends before `to`.
    fn find(&mut self, which: usize, from: usize, to: usize) -> Option<usize> {
        self.steps += 1;
        if from >= to {
            return None;
        }
        let at = self.next[which][from];
        (at != NONE && at + DELIMITER_LEN[which] <= to).then_some(at)
    }

    fn text(&self, from: usize, to: usize) -> String {
        self.chars[from..to].iter().collect()
    }

    /// The link target in `from..to` if it may be written (http(s) or mailto, without
    /// quotes, spaces or controls, at most [`MAX_URL_BYTES`]), trimmed; decided from the
    /// tables without reading the target unless it is written.
    fn safe_url(&mut self, from: usize, to: usize) -> Option<String> {
        self.steps += 1;
        let start = self.next_solid[from].min(to);
        let end = self.solid_end[to].max(start);
        if self.bytes_before[end] - self.bytes_before[start] > MAX_URL_BYTES
            || self.forbidden_before[end] != self.forbidden_before[start]
        {
            return None;
        }
        let head: String = self.chars[start..end.min(start + 8)]
            .iter()
            .collect::<String>()
            .to_ascii_lowercase();
        let scheme_ok = head.starts_with("https://")
            || head.starts_with("http://")
            || head.starts_with("mailto:");
        scheme_ok.then(|| self.text(start, end))
    }

    /// Inline formatting of `from..to`.
    fn inline(&mut self, from: usize, to: usize) -> String {
        let mut out = String::new();
        let mut i = from;
        while i < to {
            self.steps += 1;
            let c = self.chars[i];
            // `code`: nothing inside is formatted.
            if c == '`' {
                if let Some(end) = self.find(BACKTICK, i + 1, to) {
                    out.push_str(&format!("<code>{}</code>", escape(&self.text(i + 1, end))));
                    i = end + 1;
                    continue;
                }
            }
            // **bold**
            if c == '*' && i + 1 < to && self.chars[i + 1] == '*' {
                if let Some(end) = self.find(STAR2, i + 2, to).filter(|e| *e > i + 2) {
                    let inner = self.inline(i + 2, end);
                    out.push_str(&format!("<strong>{inner}</strong>"));
                    i = end + 2;
                    continue;
                }
            }
            // *italic* or _italic_
            if c == '*' || c == '_' {
                let close = if c == '*' { STAR } else { UNDERSCORE };
                if let Some(end) = self.find(close, i + 1, to).filter(|e| *e > i + 1) {
                    let inner = self.inline(i + 1, end);
                    out.push_str(&format!("<em>{inner}</em>"));
                    i = end + 1;
                    continue;
                }
            }
            // @[Name] mention
            if c == '@' && i + 1 < to && self.chars[i + 1] == '[' {
                if let Some(end) = self.find(CLOSE, i + 2, to).filter(|e| *e > i + 2) {
                    out.push_str(&format!(
                        "<span class=\"mention\">@{}</span>",
                        escape(&self.text(i + 2, end))
                    ));
                    i = end + 1;
                    continue;
                }
            }
            // [text](url)
            if c == '[' {
                if let Some(mid) = self.find(CLOSE_OPEN, i + 1, to) {
                    if let Some(end) = self.find(PAREN, mid + 2, to) {
                        if let Some(url) = self.safe_url(mid + 2, end) {
                            let label = self.inline(i + 1, mid);
                            out.push_str(&format!(
                                "<a href=\"{}\" rel=\"nofollow noopener noreferrer\">{label}</a>",
                                escape(&url),
                            ));
                            i = end + 1;
                            continue;
                        }
                    }
                }
            }
            out.push_str(&escape(&c.to_string()));
            i += 1;
        }
        out
    }
}

/// Inline formatting of one line (already split from blocks).
fn inline(text: &str) -> String {
    let mut line = Line::new(text);
    let end = line.chars.len();
    line.inline(0, end)
}

fn table_cells(line: &str) -> Vec<String> {
    let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
    inner.split('|').map(|c| c.trim().to_owned()).collect()
}

fn is_table_rule(line: &str) -> bool {
    let t = line.trim();
    t.starts_with('|') && t.chars().all(|c| matches!(c, '|' | '-' | ':' | ' ')) && t.contains('-')
}

fn list_item(line: &str) -> Option<(bool, &str)> {
    let t = line.trim_start();
    if let Some(rest) = t.strip_prefix("- ").or_else(|| t.strip_prefix("* ")) {
        return Some((false, rest));
    }
    let digits = t.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 && digits < 10 {
        if let Some(rest) = t[digits..].strip_prefix(". ") {
            return Some((true, rest));
        }
    }
    None
}

/// Renders Markdown to safe HTML.
pub fn render(markdown: &str) -> String {
    let lines: Vec<&str> = markdown.lines().collect();
    let mut out = String::new();
    let mut paragraph: Vec<String> = Vec::new();
    let flush = |paragraph: &mut Vec<String>, out: &mut String| {
        if !paragraph.is_empty() {
            out.push_str(&format!("<p>{}</p>", paragraph.join("<br>")));
            paragraph.clear();
        }
    };
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim();
        if trimmed.is_empty() {
            flush(&mut paragraph, &mut out);
            i += 1;
            continue;
        }
        if trimmed.starts_with("```") {
            flush(&mut paragraph, &mut out);
            let mut code = Vec::new();
            i += 1;
            while i < lines.len() && !lines[i].trim().starts_with("```") {
                code.push(lines[i]);
                i += 1;
            }
            out.push_str(&format!(
                "<pre><code>{}</code></pre>",
                escape(&code.join("\n"))
            ));
            i += 1;
            continue;
        }
        if let Some(level) = ["### ", "## ", "# "]
            .iter()
            .position(|p| trimmed.starts_with(p))
        {
            flush(&mut paragraph, &mut out);
            let text = trimmed.trim_start_matches('#').trim();
            let tag = ["h5", "h4", "h3"][level];
            out.push_str(&format!("<{tag}>{}</{tag}>", inline(text)));
            i += 1;
            continue;
        }
        if trimmed.starts_with('|') && lines.get(i + 1).is_some_and(|l| is_table_rule(l)) {
            flush(&mut paragraph, &mut out);
            out.push_str("<table><thead><tr>");
            for cell in table_cells(trimmed) {
                out.push_str(&format!("<th>{}</th>", inline(&cell)));
            }
            out.push_str("</tr></thead><tbody>");
            i += 2;
            while i < lines.len() && lines[i].trim().starts_with('|') {
                out.push_str("<tr>");
                for cell in table_cells(lines[i]) {
                    out.push_str(&format!("<td>{}</td>", inline(&cell)));
                }
                out.push_str("</tr>");
                i += 1;
            }
            out.push_str("</tbody></table>");
            continue;
        }
        if let Some((ordered, _)) = list_item(line) {
            flush(&mut paragraph, &mut out);
            let tag = if ordered { "ol" } else { "ul" };
            out.push_str(&format!("<{tag}>"));
            while let Some((o, text)) = lines.get(i).and_then(|l| list_item(l)) {
                if o != ordered {
                    break;
                }
                out.push_str(&format!("<li>{}</li>", inline(text)));
                i += 1;
            }
            out.push_str(&format!("</{tag}>"));
            continue;
        }
        paragraph.push(inline(trimmed));
        i += 1;
    }
    flush(&mut paragraph, &mut out);
    out
}

/// The text of Markdown without its formatting (search snippets, e-mails).
/// An underscore inside a word (`OPENPSP_DATA_DIR`) is kept; one marking italics is not.
pub fn plain(markdown: &str) -> String {
    let chars: Vec<char> = markdown.chars().collect();
    let in_word = |i: usize| {
        i > 0
            && chars[i - 1].is_alphanumeric()
            && chars.get(i + 1).is_some_and(|c| c.is_alphanumeric())
    };
    chars
        .iter()
        .enumerate()
        .filter(|&(i, &c)| !matches!(c, '*' | '`' | '#' | '|') && (c != '_' || in_word(i)))
        .map(|(_, &c)| c)
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A link target that may be written: http(s) or mailto, without quotes or spaces.
    fn reference_safe_url(url: &str) -> Option<&str> {
        let url = url.trim();
        let lower = url.to_ascii_lowercase();
        let scheme_ok = lower.starts_with("https://")
            || lower.starts_with("http://")
            || lower.starts_with("mailto:");
        let clean = !url.chars().any(|c| {
            c.is_whitespace() || c.is_control() || matches!(c, '"' | '\'' | '<' | '>' | '`')
        });
        (scheme_ok && clean && url.len() <= 2048).then_some(url)
    }

    /// Finds `close` in `chars` from `from`; the index of its first character.
    fn reference_find(chars: &[char], from: usize, close: &str) -> Option<usize> {
        let close: Vec<char> = close.chars().collect();
        (from..chars.len()).find(|&i| chars[i..].starts_with(&close))
    }

    /// The renderer's inline formatting as it was before its searches became look-ups:
    /// quadratic, kept as the reference the linear one must equal.
    fn reference_inline(text: &str) -> String {
        let chars: Vec<char> = text.chars().collect();
        let mut out = String::new();
        let mut i = 0;
        let rest = |from: usize, to: usize| -> String { chars[from..to].iter().collect() };
        while i < chars.len() {
            let c = chars[i];
            // `code`: nothing inside is formatted.
            if c == '`' {
                if let Some(end) = reference_find(&chars, i + 1, "`") {
                    out.push_str(&format!("<code>{}</code>", escape(&rest(i + 1, end))));
                    i = end + 1;
                    continue;
                }
            }
            // **bold**
            if chars[i..].starts_with(&['*', '*']) {
                if let Some(end) = reference_find(&chars, i + 2, "**").filter(|e| *e > i + 2) {
                    out.push_str(&format!(
                        "<strong>{}</strong>",
                        reference_inline(&rest(i + 2, end))
                    ));
                    i = end + 2;
                    continue;
                }
            }
            // *italic* or _italic_
            if c == '*' || c == '_' {
                let close = if c == '*' { "*" } else { "_" };
                if let Some(end) = reference_find(&chars, i + 1, close).filter(|e| *e > i + 1) {
                    out.push_str(&format!("<em>{}</em>", reference_inline(&rest(i + 1, end))));
                    i = end + 1;
                    continue;
                }
            }
            // @[Name] mention
            if c == '@' && chars.get(i + 1) == Some(&'[') {
                if let Some(end) = reference_find(&chars, i + 2, "]").filter(|e| *e > i + 2) {
                    out.push_str(&format!(
                        "<span class=\"mention\">@{}</span>",
                        escape(&rest(i + 2, end))
                    ));
                    i = end + 1;
                    continue;
                }
            }
            // [text](url)
            if c == '[' {
                if let Some(mid) = reference_find(&chars, i + 1, "](") {
                    if let Some(end) = reference_find(&chars, mid + 2, ")") {
                        let label = rest(i + 1, mid);
                        let url = rest(mid + 2, end);
                        if let Some(url) = reference_safe_url(&url) {
                            out.push_str(&format!(
                                "<a href=\"{}\" rel=\"nofollow noopener noreferrer\">{}</a>",
                                escape(url),
                                reference_inline(&label)
                            ));
                            i = end + 1;
                            continue;
                        }
                    }
                }
            }
            out.push_str(&escape(&c.to_string()));
            i += 1;
        }
        out
    }

    /// Loop turns and look-ups of the inline formatting of `text`.
    fn inline_steps(text: &str) -> usize {
        let mut line = Line::new(text);
        let end = line.chars.len();
        line.inline(0, end);
        line.steps
    }

    #[test]
    fn hostile_lines_cost_linear_work() {
        const N: usize = 20_000;
        let units = [
            "[",
            "*",
            "_",
            "`",
            "<",
            "**",
            "_*",
            "@[",
            "[](",
            "[a](http://x ",
            "[](https://a",
            "*a_b[c](",
            "](",
            ")",
            "`*",
        ];
        for unit in units {
            let line = unit.repeat(N / unit.len());
            let steps = inline_steps(&line);
            assert!(
                steps <= 8 * line.chars().count(),
                "{unit:?}: {steps} steps for {} characters",
                line.chars().count()
            );
        }
        // The output of the plain runs is the escaped text (a line of backticks alone is
        // a code fence, so its inline formatting is checked on its own).
        for (unit, html) in [("[", "["), ("*", "*"), ("_", "_"), ("<", "&lt;")] {
            let out = render(&unit.repeat(N));
            assert!(out == format!("<p>{}</p>", html.repeat(N)), "{unit:?}");
        }
        assert!(inline(&"`".repeat(N)) == "<code></code>".repeat(N / 2));
    }

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
            "<p><a href=\"https://example.com/a?b=1&amp;c=2\" rel=\"nofollow noopener noreferrer\">docs</a></p>"
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
    }

    #[test]
    fn scripts_and_dangerous_links_stay_text() {
        let html = render("<script>alert(1)</script>");
        assert_eq!(html, "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>");
        let html = render("[click](javascript:alert(1))");
        assert!(!html.contains("href"), "{html}");
        let html = render("[x](https://a.example/\" onmouseover=\"alert(1))");
        assert!(!html.contains("onmouseover=\""), "{html}");
        let html = render("<img src=x onerror=alert(1)>");
        assert!(!html.contains("<img"), "{html}");
        assert_eq!(plain("**Hello** _world_"), "Hello world");
        assert_eq!(plain("Set `OPENPSP_DATA_DIR`."), "Set OPENPSP_DATA_DIR.");
    }

    const TAGS: [&str; 21] = [
        "<p>",
        "</p>",
        "<br>",
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
    ];
    const MORE: [&str; 16] = [
        "<thead>", "</thead>", "<tbody>", "</tbody>", "<tr>", "</tr>", "<th>", "</th>", "<td>",
        "</td>", "<h3>", "</h3>", "<h4>", "</h4>", "<h5>", "</h5>",
    ];

    /// Every `<` of the output opens one of the renderer's own tags.
    fn only_own_tags(html: &str) -> bool {
        let mut rest = html;
        while let Some(at) = rest.find('<') {
            let tail = &rest[at..];
            let known = TAGS
                .iter()
                .chain(MORE.iter())
                .find(|t| tail.starts_with(*t));
            let link = tail.starts_with("<a href=\"") || tail.starts_with("</a>");
            match (known, link) {
                (Some(t), _) => rest = &tail[t.len()..],
                (None, true) => rest = &tail[2..],
                (None, false) => return false,
            }
        }
        true
    }

    proptest! {
        #[test]
        fn linear_inline_equals_the_reference(
            text in "([*_`\\[\\]()@ a<>\"'\t]|https://|mailto:|http://x|\\]\\(|\\*\\*){0,40}"
        ) {
            prop_assert_eq!(inline(&text), reference_inline(&text));
        }

        #[test]
        fn nothing_typed_becomes_markup(text in "(\\PC|[<>\"'&*_`\\[\\]()|#@\\n-])*") {
            let html = render(&text);
            prop_assert!(only_own_tags(&html), "{}", html);
            prop_assert!(!html.to_ascii_lowercase().contains("javascript:") || !html.contains("href=\"javascript"));
        }

        #[test]
        fn hostile_fragments_stay_inert(
            parts in proptest::collection::vec(prop_oneof![
                Just("<script>alert(1)</script>".to_owned()),
                Just("<img src=x onerror=alert(1)>".to_owned()),
                Just("[a](javascript:alert(1))".to_owned()),
                Just("[a](https://x.example\" onclick=\"alert(1))".to_owned()),
                Just("**".to_owned()), Just("`".to_owned()), Just("\n".to_owned()),
                Just("| a | b |\n|---|---|\n".to_owned()), Just("- ".to_owned()),
                "[a-z ]{0,8}",
            ], 0..12)
        ) {
            let html = render(&parts.concat());
            prop_assert!(only_own_tags(&html), "{}", html);
            prop_assert!(!html.contains("<script"));
            prop_assert!(!html.contains("href=\"javascript"));
            prop_assert!(!html.contains("\" onclick"));
        }
    }
}
