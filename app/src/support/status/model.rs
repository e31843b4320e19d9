//! What the service status page shows: components, incidents and maintenance.

use serde::{Deserialize, Serialize};

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
