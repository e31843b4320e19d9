//! What the support portal's requests pages exchange with the server: product areas and
//! request types, the new-ticket form, the list's query and rows, a ticket's page with
//! its history, attachments, payment and service level; and the check of a ticket's
//! text that both sides apply.

use crate::error::Problem;
use domain::ticket::{check_text, TextError};
use serde::{Deserialize, Serialize};

/// A ticket's description, a comment or an internal note by the domain's one rule
/// ([`check_text`]: at most [`domain::ticket::MAX_TEXT_CHARS`] characters): the trimmed
/// text, or the problem its field shows. The editor checks before sending, the server
/// when it keeps the text.
pub fn checked_text(text: &str) -> Result<&str, Problem> {
    check_text(text).map_err(|e| match e {
        TextError::Empty => Problem::Required,
        TextError::TooLong => Problem::TooLong,
    })
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
    /// The organization the ticket goes to, by id: one of the reporter's; empty for
    /// the only one they belong to.
    #[serde(default)]
    pub organization: String,
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
    /// Codes of the status moves the viewer may take ([`domain::ticket::TicketAction`]:
    /// `cancel`, `reopen`, `close`, and the agents' `start`, `backlog`,
    /// `request_information`, `resolve`).
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
