//! What the Configuration pages show: API keys, payment settings, the job queue.

use serde::{Deserialize, Serialize};

/// An API key as its page shows it (MB-16). Its `Debug` leaves the secret out.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyView {
    /// Row id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Key id (`apiKeyId`).
    pub key_id: String,
    /// The whole secret while it may still be shown.
    pub secret: Option<String>,
    /// First and last three characters.
    pub hint: String,
    /// Seconds the secret stays visible.
    pub seconds_left: i64,
    /// Creation, in the user's zone.
    pub created: String,
    /// Last use, in the user's zone.
    pub last_used: Option<String>,
}

/// Payment settings (MB-14, MB-15).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentSettings {
    /// Attempts a payer has on a hosted page.
    pub retry_count: i32,
    /// `immediate`, `delayed` or `manual`.
    pub capture_procedure: String,
    /// Hours before a delayed capture.
    pub capture_delay_hours: i32,
    /// Show the final page on hosted checkouts.
    pub show_final_page: bool,
    /// Hosted session duration, minutes.
    pub session_minutes: i32,
    /// Over-capture allowance, percent.
    pub over_capture_percent: i32,
    /// Merchant's web site (final page).
    pub web_site: String,
    /// Default download format (MB-20): `csv`, `xlsx`, `xml`.
    pub report_format: String,
    /// Columns of payment downloads, from [`EXPORT_COLUMNS`]; empty for all.
    pub report_columns: Vec<String>,
    /// Two-step payments (authorisation, then capture) allowed (MB-15).
    pub two_step_allowed: bool,
    /// Hosted page's return URL when a checkout names none; empty for none (MB-14).
    pub default_return_url: String,
    /// Creating a hosted checkout sends a webhook event (MB-15).
    pub session_events: bool,
    /// Addresses mailed per successful payment and per refund, comma-separated.
    pub notification_emails: String,
    /// When card authorisations are asked of the acquirer (MB-14): `online`,
    /// `online_fallback` or `offline`.
    pub processing_mode: String,
    /// Days an uncaptured card authorisation holds the payer's funds (1–30).
    pub reservation_days: i32,
}

/// A job as the admin page shows it (PE-6).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobView {
    /// Row id.
    pub id: i64,
    /// Kind.
    pub kind: String,
    /// `queued`, `running`, `done`, `failed`.
    pub state: String,
    /// Attempts so far.
    pub attempts: i32,
    /// Most attempts.
    pub max_attempts: i32,
    /// Next or last run, in the user's zone.
    pub run_at: String,
    /// Last error.
    pub last_error: Option<String>,
}

impl std::fmt::Debug for ApiKeyView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiKeyView")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("key_id", &self.key_id)
            .field("secret", &self.secret.as_ref().map(|_| "<redacted>"))
            .field("hint", &self.hint)
            .field("seconds_left", &self.seconds_left)
            .field("created", &self.created)
            .field("last_used", &self.last_used)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn debug_leaves_the_secret_out() {
        let key = super::ApiKeyView {
            id: 1,
            name: "Backend".into(),
            key_id: "0123456789abcdef0123".into(),
            secret: Some("c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I=".into()),
            hint: "c2V…3I=".into(),
            seconds_left: 300,
            created: String::new(),
            last_used: None,
        };
        let shown = format!("{key:?}");
        assert!(!shown.contains("c2VjcmV0LXNlY3JldC1zZWNy"), "{shown}");
        assert!(shown.contains("0123456789abcdef0123"), "{shown}");
    }
}
