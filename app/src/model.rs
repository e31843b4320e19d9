//! What crosses the wire between the browser and the server for the support portal.

use serde::{Deserialize, Serialize};

/// Where the support portal's sign-in stands (SP-1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SupportStep {
    /// Asks for the e-mail address.
    Email,
    /// Asks for the password.
    Password,
    /// An invited person types the code mailed to activate the account.
    ActivationCode,
    /// The invited person chooses name and password.
    SetPassword,
    /// The one-time login code mailed (MFA).
    LoginCode,
    /// Signed in.
    Done,
}

/// The signed-in support person, for the portal's pages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupportMe {
    /// E-mail (the login).
    pub email: String,
    /// Full name.
    pub full_name: String,
    /// Organizations the person belongs to.
    pub organizations: Vec<String>,
    /// Support staff.
    pub is_agent: bool,
    /// Wants e-mail notifications.
    pub notify_email: bool,
}

impl SupportMe {
    /// The name shown: full name, else e-mail.
    pub fn display_name(&self) -> String {
        if self.full_name.is_empty() {
            self.email.clone()
        } else {
            self.full_name.clone()
        }
    }
}

/// A request type of a product area.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestTypeView {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// `incident` or `request`.
    pub kind: String,
    /// What it is for.
    pub description: String,
}

/// A product area (solution) with its request types.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupportAreaView {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// What it covers.
    pub description: String,
    /// Its request types.
    pub request_types: Vec<RequestTypeView>,
}

/// A ticket as the form sends it (SP-4).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTicketForm {
    /// Request type id, as a string from the form.
    pub request_type: String,
    /// Summary.
    pub summary: String,
    /// Description, Markdown.
    pub description: String,
    /// Incidents: `extensive`, `significant`, `moderate`, `minor`.
    pub impact: String,
    /// Incidents: `critical`, `high`, `medium`, `low`.
    pub urgency: String,
    /// A payment of the back office the ticket is about (SP-10), optional.
    pub payment_id: String,
}

/// The requests list's filters, as the URL carries them (SP-5).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TicketsQuery {
    /// `mine`, `participant`, `organization` or `all` (default).
    pub scope: String,
    /// `open` (default), `closed`, `all`, or one status code.
    pub status: String,
    /// A request type id, or empty.
    pub request_type: String,
    /// A reference or keywords.
    pub search: String,
    /// Column: `reference`, `summary`, `status`, `created`, `updated` (default), `priority`.
    pub sort: String,
    /// `asc` or `desc` (default).
    pub dir: String,
    /// Page from 1.
    pub page: u32,
    /// Agents' queue: `unassigned`, `mine`, or empty for anyone.
    pub assignee: String,
    /// Agents' queue: a product area id, or empty.
    pub area: String,
    /// Agents' queue: a priority code, or empty.
    pub priority: String,
    /// Agents' queue: an organization id, or empty.
    pub organization: String,
}

/// A row of the requests list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketRow {
    /// `incident` or `request`.
    pub kind: String,
    /// `UCSUP-10183`.
    pub reference: String,
    /// Summary.
    pub summary: String,
    /// Status code.
    pub status: String,
    /// Product area (service project).
    pub area: String,
    /// Reporter's name.
    pub requester: String,
    /// Created, formatted.
    pub created: String,
    /// Updated, formatted.
    pub updated: String,
    /// Assignee's name, or empty.
    pub assignee: String,
    /// Priority code.
    pub priority: String,
    /// Reporter's organization, or empty.
    pub organization: String,
    /// Agents: the service level's state (`met`, `breached`, `running`, `at_risk`) of
    /// the first response while there is none, then of the resolution; empty otherwise.
    pub sla: String,
}

/// A page of the requests list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketsPage {
    /// Rows.
    pub rows: Vec<TicketRow>,
    /// Matching tickets.
    pub total: u64,
    /// This page, from 1.
    pub page: u32,
    /// Pages.
    pub pages: u32,
    /// Request types for the filter.
    pub request_types: Vec<RequestTypeView>,
    /// Agents: product areas for the queue's filter (id, name).
    pub areas: Vec<(i64, String)>,
    /// Agents: organizations for the queue's filter (id, name).
    pub organizations: Vec<(i64, String)>,
    /// The viewer is support staff (the queue's columns and filters apply).
    pub for_agent: bool,
}

/// One entry of a ticket's communication history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketEntry {
    /// Author's name (empty for the system).
    pub author: String,
    /// The author is support staff.
    pub by_agent: bool,
    /// When, formatted.
    pub date: String,
    /// Rendered, safe HTML of the comment; empty for a status change.
    pub html: String,
    /// The status reached, for a status change.
    pub status: Option<String>,
    /// An internal note (agents only ever see these).
    pub internal: bool,
}

/// A ticket's page (SP-6).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketDetail {
    /// `UCSUP-10183`.
    pub reference: String,
    /// `incident` or `request`.
    pub kind: String,
    /// Product area.
    pub area: String,
    /// Request type.
    pub request_type: String,
    /// Summary.
    pub summary: String,
    /// Rendered, safe HTML of the description.
    pub description_html: String,
    /// Status code.
    pub status: String,
    /// Priority code.
    pub priority: String,
    /// Reporter's name.
    pub reporter: String,
    /// Assignee's name, or empty.
    pub assignee: String,
    /// Reporter's organization, or empty.
    pub organization: String,
    /// Shared with the organization.
    pub shared: bool,
    /// Participants' names.
    pub participants: Vec<String>,
    /// Created, formatted.
    pub created: String,
    /// Updated, formatted.
    pub updated: String,
    /// Communication history, oldest first.
    pub history: Vec<TicketEntry>,
    /// Status actions the viewer may take: `cancel`, `reopen`, `close`.
    pub actions: Vec<String>,
    /// The viewer may comment.
    pub can_comment: bool,
    /// The viewer is the reporter (may share and add participants).
    pub is_reporter: bool,
    /// Payment the ticket is about, if any.
    pub payment_id: String,
    /// Attached files, oldest first.
    pub attachments: Vec<AttachmentView>,
    /// Agents: what they see of the payment the ticket is about.
    pub payment: Option<TicketPaymentView>,
    /// Agents: the support staff the ticket may be assigned to (id, name).
    pub agents: Vec<(i64, String)>,
    /// Service level, when the priority has targets.
    pub sla: Option<SlaView>,
    /// The viewer is support staff (the agents' tools apply).
    pub for_agent: bool,
}

/// A payment as the agent sees it on a ticket (SP-10).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketPaymentView {
    /// Payment id.
    pub id: String,
    /// Merchant's PSPID.
    pub merchant: String,
    /// Amount with currency, formatted.
    pub amount: String,
    /// Status code.
    pub status: String,
    /// Last refusal code, or empty.
    pub refusal: String,
    /// Payment method or card brand.
    pub method: String,
    /// Channel (`ECOMMERCE`, `POS` …).
    pub channel: String,
    /// Created, formatted.
    pub created: String,
}

/// A ticket's service-level targets and how it stands against them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaView {
    /// First response target, formatted (`4 h`).
    pub response_target: String,
    /// `met`, `breached`, `running` or `at_risk`.
    pub response_state: String,
    /// Resolution target, formatted.
    pub resolution_target: String,
    /// `met`, `breached`, `running` or `at_risk`.
    pub resolution_state: String,
}

/// A component of the status page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusComponentView {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// What it is.
    pub description: String,
    /// `operational`, `maintenance`, `degraded`, `partial_outage`, `major_outage`.
    pub status: String,
}

/// One update of an incident's or maintenance's timeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusUpdateView {
    /// Stage reached.
    pub stage: String,
    /// Rendered, safe HTML.
    pub html: String,
    /// When (UTC, ISO 8601).
    pub at: String,
}

/// An incident or a planned maintenance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusIncidentView {
    /// Id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// `incident` or `maintenance`.
    pub kind: String,
    /// Current stage.
    pub stage: String,
    /// Names of the components concerned.
    pub components: Vec<String>,
    /// Planned start (maintenance), UTC ISO 8601.
    pub starts_at: Option<String>,
    /// Planned end (maintenance), UTC ISO 8601.
    pub ends_at: Option<String>,
    /// Opened, UTC ISO 8601.
    pub created_at: String,
    /// Timeline, newest first.
    pub updates: Vec<StatusUpdateView>,
}

/// The service status page (SP-3), also served as JSON.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusPageView {
    /// The worst status of the components.
    pub overall: String,
    /// Components in page order.
    pub components: Vec<StatusComponentView>,
    /// Open incidents and maintenance not completed.
    pub active: Vec<StatusIncidentView>,
    /// Resolved in the last 7 days.
    pub recent: Vec<StatusIncidentView>,
    /// The viewer is a support agent (may edit).
    pub can_edit: bool,
}

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

/// A file attached to a ticket.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentView {
    /// Id (its download address is `/support/attachments/{id}`).
    pub id: i64,
    /// File name.
    pub name: String,
    /// Media type, from the content.
    pub content_type: String,
    /// Size in bytes.
    pub size: i64,
    /// Who attached it.
    pub uploader: String,
    /// When, formatted.
    pub date: String,
}

/// A person of a support organization, as agents see them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupportMemberView {
    /// Name, or the e-mail address before activation.
    pub name: String,
    /// E-mail address.
    pub email: String,
    /// `invited` or `active`.
    pub status: String,
}

/// A support organization with its people (agents' console).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupportOrganizationView {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Its people.
    pub members: Vec<SupportMemberView>,
}
