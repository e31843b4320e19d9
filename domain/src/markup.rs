//! The rich text of tickets and comments (SP-4, SP-6): stored as Markdown, rendered to a
//! small fixed set of HTML tags. The Markdown is read by `pulldown-cmark` (CommonMark with
//! tables), whose parser is linear in its input; this module writes the HTML itself, from
//! the parser's events, so only the tags listed here can come out: raw HTML the author
//! typed (a `<script>`, an `<img onerror>`) is escaped and shows as text, images show
//! their description, and links keep only `http`, `https` and `mailto` targets.
//!
//! Supported: paragraphs, with a line break for every new line as typed; `#`–`###`
//! headings; `**bold**`, `*italic*` or `_italic_`; `` `code` `` and fenced code blocks;
//! `[text](url)`; `- ` and `1. ` lists; `| a | b |` tables; quotes; `@[Name]` mentions;
//! and emoji as typed.

use pulldown_cmark::{BrokenLink, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// Escapes text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_escaped(&mut out, text);
    out
}

/// Appends `text` to `out`, escaped for HTML content and attribute values.
pub fn push_escaped(out: &mut String, text: &str) {
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
}

/// Longest link target written, in bytes.
const MAX_URL_BYTES: usize = 2048;

/// The target a `@[Name]` mention is parsed with: never written as a link.
const MENTION: &str = "mention:";

/// The link target if it may be written: http(s) or mailto, without quotes, spaces or
/// controls, at most [`MAX_URL_BYTES`].
fn safe_url(url: &str) -> Option<&str> {
    let lower: String = url.chars().take(8).collect::<String>().to_ascii_lowercase();
    let scheme_ok = lower.starts_with("https://")
        || lower.starts_with("http://")
        || lower.starts_with("mailto:");
    let clean = !url
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '\'' | '<' | '>' | '`'));
    (scheme_ok && clean && url.len() <= MAX_URL_BYTES).then_some(url)
}

/// The parser's events for `markdown`: CommonMark with tables, and `@[Name]` read as a
/// link to [`MENTION`] (a bracketed name right after `@` that is no link).
fn events(markdown: &str) -> impl Iterator<Item = Event<'_>> {
    let mention = move |link: BrokenLink<'_>| {
        markdown[..link.span.start]
            .ends_with('@')
            .then_some((CowStr::Borrowed(MENTION), CowStr::Borrowed("")))
    };
    Parser::new_with_broken_link_callback(markdown, Options::ENABLE_TABLES, Some(mention))
}

/// What a link's end closes.
enum Opened {
    Anchor,
    Mention,
    Nothing,
}

/// Renders Markdown to safe HTML.
pub fn render(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len() + markdown.len() / 2);
    let mut links: Vec<Opened> = Vec::new();
    let mut in_head = false;
    let mut in_code_block = false;
    for event in events(markdown) {
        match event {
            Event::Start(tag) => match tag {
                Tag::Paragraph | Tag::HtmlBlock => out.push_str("<p>"),
                Tag::Heading { level, .. } => {
                    out.push_str(&format!("<{}>", heading(level)));
                }
                Tag::BlockQuote(_) => out.push_str("<blockquote>"),
                Tag::CodeBlock(_) => {
                    in_code_block = true;
                    out.push_str("<pre><code>");
                }
                Tag::List(Some(_)) => out.push_str("<ol>"),
                Tag::List(None) => out.push_str("<ul>"),
                Tag::Item => out.push_str("<li>"),
                Tag::Table(_) => out.push_str("<table>"),
                Tag::TableHead => {
                    in_head = true;
                    out.push_str("<thead><tr>");
                }
                Tag::TableRow => out.push_str("<tr>"),
                Tag::TableCell => out.push_str(if in_head { "<th>" } else { "<td>" }),
                Tag::Emphasis => out.push_str("<em>"),
                Tag::Strong => out.push_str("<strong>"),
                Tag::Link { dest_url, .. } if dest_url.as_ref() == MENTION => {
                    if out.ends_with('@') {
                        out.pop();
                    }
                    out.push_str("<span class=\"mention\">@");
                    links.push(Opened::Mention);
                }
                Tag::Link { dest_url, .. } => match safe_url(&dest_url) {
                    Some(url) => {
                        out.push_str("<a href=\"");
                        push_escaped(&mut out, url);
                        // `external`: a full page load, whichever of the site's pages it names.
                        out.push_str("\" rel=\"nofollow noopener noreferrer external\">");
                        links.push(Opened::Anchor);
                    }
                    None => links.push(Opened::Nothing),
                },
                // An image shows its description only; other tags are not enabled.
                _ => {}
            },
            Event::End(end) => match end {
                TagEnd::Paragraph | TagEnd::HtmlBlock => {
                    trim_trailing_break(&mut out);
                    out.push_str("</p>");
                }
                TagEnd::Heading(level) => out.push_str(&format!("</{}>", heading(level))),
                TagEnd::BlockQuote(_) => out.push_str("</blockquote>"),
                TagEnd::CodeBlock => {
                    in_code_block = false;
                    if out.ends_with('\n') {
                        out.pop();
                    }
                    out.push_str("</code></pre>");
                }
                TagEnd::List(true) => out.push_str("</ol>"),
                TagEnd::List(false) => out.push_str("</ul>"),
                TagEnd::Item => out.push_str("</li>"),
                TagEnd::Table => out.push_str("</tbody></table>"),
                TagEnd::TableHead => {
                    in_head = false;
                    out.push_str("</tr></thead><tbody>");
                }
                TagEnd::TableRow => out.push_str("</tr>"),
                TagEnd::TableCell => out.push_str(if in_head { "</th>" } else { "</td>" }),
                TagEnd::Emphasis => out.push_str("</em>"),
                TagEnd::Strong => out.push_str("</strong>"),
                TagEnd::Link => match links.pop() {
                    Some(Opened::Anchor) => out.push_str("</a>"),
                    Some(Opened::Mention) => out.push_str("</span>"),
                    _ => {}
                },
                _ => {}
            },
            Event::Text(text) => push_escaped(&mut out, &text),
            Event::Code(code) => {
                out.push_str("<code>");
                push_escaped(&mut out, &code);
                out.push_str("</code>");
            }
            // Raw HTML is text: its lines break as typed.
            Event::Html(html) | Event::InlineHtml(html) => {
                for (i, line) in html.split('\n').enumerate() {
                    if i > 0 && !in_code_block {
                        out.push_str("<br>");
                    }
                    push_escaped(&mut out, line);
                }
            }
            Event::SoftBreak | Event::HardBreak => out.push_str("<br>"),
            Event::Rule => out.push_str("<hr>"),
            _ => {}
        }
    }
    out
}

/// Removes a line break left by the last line of a raw HTML block.
fn trim_trailing_break(out: &mut String) {
    if out.ends_with("<br>") {
        out.truncate(out.len() - "<br>".len());
    }
}

/// The tag of a heading: `#` is the page's third level (its title and sections come first).
fn heading(level: HeadingLevel) -> &'static str {
    match level {
        HeadingLevel::H1 => "h3",
        HeadingLevel::H2 => "h4",
        _ => "h5",
    }
}

/// The text of Markdown without its formatting (search snippets, e-mails).
pub fn plain(markdown: &str) -> String {
    let mut text = String::with_capacity(markdown.len());
    for event in events(markdown) {
        match event {
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => {
                text.push_str(&t);
            }
            Event::Start(Tag::Link { dest_url, .. }) if dest_url.as_ref() == MENTION => {}
            Event::SoftBreak | Event::HardBreak | Event::Rule => text.push(' '),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::TableCell
                | TagEnd::CodeBlock
                | TagEnd::HtmlBlock
                | TagEnd::BlockQuote(_),
            ) => text.push(' '),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests;
