//! What the knowledge base, announcements and the virtual service agent exchange with
//! the server: search hits, articles, announcements and chat replies.

use serde::{Deserialize, Serialize};

/// Text with highlighted parts (`true`): a search hit's title or snippet.
pub type Highlighted = Vec<(String, bool)>;

/// A knowledge-base article found by a search (SP-2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleHit {
    /// Its address under `/support/articles/`.
    pub slug: String,
    /// Title, matches highlighted.
    pub title: Highlighted,
    /// Passage of the body around the matches, highlighted.
    pub snippet: Highlighted,
    /// Product area, or empty.
    pub area: String,
    /// Not published yet (agents only see these).
    pub draft: bool,
}

/// A knowledge-base search's answer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleSearch {
    /// The words searched for after typo correction, when a word was corrected.
    pub corrected: Option<String>,
    /// Best first.
    pub hits: Vec<ArticleHit>,
}

/// A knowledge-base article's page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleView {
    /// Address under `/support/articles/`.
    pub slug: String,
    /// Title.
    pub title: String,
    /// One sentence.
    pub summary: String,
    /// Rendered, safe HTML of the body.
    pub html: String,
    /// Markdown of the body (agents edit it).
    pub body: String,
    /// Search keywords, comma-separated.
    pub keywords: String,
    /// Product area id and name, if any.
    pub area_id: Option<i64>,
    /// Product area's name, or empty.
    pub area: String,
    /// Request type to raise when the article does not help, if any.
    pub request_type_id: Option<i64>,
    /// Its name, or empty.
    pub request_type: String,
    /// `incident` or `request` (of the request type), or empty.
    pub kind: String,
    /// Customers see it.
    pub published: bool,
    /// Last change, formatted.
    pub updated: String,
    /// The viewer is an agent (may edit it).
    pub can_edit: bool,
}

/// An article as the agents' form sends it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleForm {
    /// The article changed, or empty for a new one.
    pub original_slug: String,
    /// Address: lower-case letters, digits and hyphens.
    pub slug: String,
    /// Title.
    pub title: String,
    /// One sentence.
    pub summary: String,
    /// Comma-separated.
    pub keywords: String,
    /// Markdown.
    pub body: String,
    /// Request type id (which also gives the area), or empty.
    pub request_type: String,
    /// `true` to publish.
    pub published: String,
}

/// A line of the agents' list of articles.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleLink {
    /// Address.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Published.
    pub published: bool,
}

/// An announcement of the portal's home.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnnouncementView {
    /// Id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Rendered, safe HTML.
    pub html: String,
    /// Markdown (agents edit it).
    pub body: String,
    /// Shown on the home page.
    pub active: bool,
    /// Created, formatted.
    pub created: String,
}

/// What the virtual service agent suggests raising.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatSuggestion {
    /// Product area.
    pub area: String,
    /// Request type id.
    pub request_type_id: i64,
    /// Request type.
    pub request_type: String,
    /// `incident` or `request`.
    pub kind: String,
}

/// The virtual service agent's answer (SP-9).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatReply {
    /// Whether an article answers the question.
    pub found: bool,
    /// The best article's summary, then the passage matching the question.
    pub summary: String,
    /// The passage, highlighted.
    pub passage: Highlighted,
    /// Articles the answer comes from, best first.
    pub sources: Vec<ArticleLink>,
    /// What to raise if the answer does not help.
    pub suggestion: Option<ChatSuggestion>,
}
