//! What the webhooks page shows: endpoints, deliveries and the event choice.

use serde::{Deserialize, Serialize};

/// A webhook endpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointView {
    /// Row id.
    pub id: i64,
    /// URL.
    pub url: String,
}

/// One delivery of an event to an endpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryView {
    /// Row id.
    pub id: i64,
    /// Event type.
    pub event: String,
    /// Endpoint URL.
    pub url: String,
    /// `pending`, `retrying`, `delivered`, `failed`.
    pub status: String,
    /// Attempts so far.
    pub attempts: i32,
    /// Last HTTP status.
    pub last_code: Option<i32>,
    /// Creation, in the user's zone.
    pub created: String,
}

/// The webhooks page (MB-17).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhooksView {
    /// Whether events are sent.
    pub enabled: bool,
    /// Event types chosen (empty: all).
    pub events: Vec<String>,
    /// Every event type.
    pub all_events: Vec<String>,
    /// Endpoints.
    pub endpoints: Vec<EndpointView>,
    /// Signing key id, once made.
    pub key_id: Option<String>,
    /// The latest deliveries.
    pub deliveries: Vec<DeliveryView>,
}
