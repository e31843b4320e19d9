//! What the payments pages exchange with the server: the list's filter and rows, a
//! payment's detail and activity, the dashboard, the virtual terminal, the financial
//! history, saved list views and the download formats and columns.

use crate::checkout::CartLineView;
use serde::{Deserialize, Serialize};

/// The download formats, the default first.
pub const EXPORT_FORMATS: [&str; 3] = ["csv", "xlsx", "xml"];

/// The columns of payment downloads, in order.
pub const EXPORT_COLUMNS: [&str; 13] = [
    "payment_id",
    "created",
    "updated",
    "merchant_reference",
    "amount",
    "currency",
    "status",
    "card",
    "brand",
    "channel",
    "authorisation_code",
    "customer_email",
    "payer_fields",
];

/// The payments list's filter (MB-31); every field travels in the URL.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PaymentFilter {
    /// First day (`YYYY-MM-DD`, user's zone), inclusive.
    pub from: String,
    /// Last day (`YYYY-MM-DD`, user's zone), inclusive.
    pub to: String,
    /// `created`, `updated` or `captured`.
    pub date_kind: String,
    /// Smallest amount, minor units.
    pub min_amount: String,
    /// Largest amount, minor units.
    pub max_amount: String,
    /// Merchant reference (contains).
    pub reference: String,
    /// Merchant alias: the token the payment was made with.
    pub alias: String,
    /// Status labels (codes), any of.
    pub statuses: Vec<String>,
    /// Card last four digits.
    pub last4: String,
    /// Customer e-mail (contains).
    pub email: String,
    /// Payment id.
    pub payment_id: String,
    /// `created`, `amount`, `reference`, `status`.
    pub sort: String,
    /// Descending.
    pub desc: bool,
    /// Page, from 1.
    /// Fraud screening (MB-19): `denied` (blocked by a fraud rule) or `challenged`
    /// (flagged for review); empty for any.
    pub fraud: String,
    pub page: u32,
}

/// One row of the payments list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentRow {
    /// Payment id.
    pub id: String,
    /// Creation, in the user's zone.
    pub created: String,
    /// Merchant reference.
    pub reference: String,
    /// Amount with currency.
    pub amount: String,
    /// Status label code.
    pub status: String,
    /// Masked card.
    pub card: String,
    /// Channel.
    pub channel: String,
    /// Card brand.
    pub brand: String,
    /// Customer e-mail.
    pub email: String,
    /// Authorisation code.
    pub authorisation_code: String,
    /// Last update, in the user's zone.
    pub updated: String,
}

/// A page of payments.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentsPage {
    /// Rows.
    pub rows: Vec<PaymentRow>,
    /// Rows matching the filter.
    pub total: u64,
    /// This page, from 1.
    pub page: u32,
    /// Pages.
    pub pages: u32,
    /// The user's zone, named in the date column.
    pub zone: String,
    /// The merchant's default download format (MB-20).
    pub report_format: String,
}

/// One operation on a payment (Activity tab).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityView {
    /// `authorise`, `capture`, `cancel`, `refund`, `expire`.
    pub kind: String,
    /// Whether it succeeded.
    pub succeeded: bool,
    /// When, in the user's zone.
    pub date: String,
    /// Amount with currency.
    pub amount: String,
    /// Refusal code and meaning, for refused ones.
    pub refusal: Option<String>,
    /// Who did it.
    pub by: String,
}

/// Everything the payment information page shows (MB-32).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentDetail {
    /// Payment id.
    pub id: String,
    /// Merchant reference.
    pub reference: String,
    /// Channel.
    pub channel: String,
    /// Payment method (brand).
    pub method: String,
    /// Status label code.
    pub status: String,
    /// ISO currency.
    pub currency: String,
    /// Amount, formatted.
    pub amount: String,
    /// Pre-authorised, formatted.
    pub authorised: String,
    /// Received (captured), formatted.
    pub captured: String,
    /// Refunded, formatted.
    pub refunded: String,
    /// Creation, user's zone.
    pub created: String,
    /// ECI.
    pub eci: String,
    /// The hosted checkout (session) it was paid on.
    #[serde(default)]
    pub session_id: String,
    /// Masked card.
    pub masked_card: String,
    /// `MM/YY`.
    pub expiry: String,
    /// Card holder.
    pub holder: String,
    /// Customer e-mail.
    pub email: String,
    /// Customer IP.
    pub ip: String,
    /// Authorisation code.
    pub authorisation_code: String,
    /// Terminal that took or routed it.
    pub terminal_id: String,
    /// The terminal's receipt of a card-present payment.
    pub receipt: String,
    /// Operations, oldest first.
    pub activity: Vec<ActivityView>,
    /// Cart.
    pub cart: Vec<CartLineView>,
    /// Most that may be captured now, as the user types it (major units).
    pub capturable: Option<String>,
    /// Whether cancel is possible.
    pub cancellable: bool,
    /// Most that may be refunded now (major units).
    pub refundable: Option<String>,
    /// Whether the user may capture and cancel.
    pub may_operate: bool,
    /// Whether the user may refund.
    pub may_refund: bool,
    /// The payment link or invoice it was paid through: (label, back-office address).
    #[serde(default)]
    pub paid_through: Option<(String, String)>,
    /// What the payer entered on the link's page, field by field.
    #[serde(default)]
    pub payer_fields: Vec<(String, String)>,
    /// Fraud screening, when a rule matched (MB-19): `challenged` or `denied`, and the
    /// rules.
    #[serde(default)]
    pub fraud: Option<(String, String)>,
}

/// What the dashboard is asked for (MB-30); travels in the URL.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DashboardQuery {
    /// Period code (`today`, `yesterday`, `7d`, `30d`, `month`, `custom`); `7d` when empty.
    pub period: String,
    /// First day of a custom range (`YYYY-MM-DD`, user's zone).
    pub from: String,
    /// Last day of a custom range.
    pub to: String,
    /// ISO currency; the merchant's busiest when empty.
    pub currency: String,
}

/// One day on the dashboard.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardDay {
    /// `YYYY-MM-DD`, user's zone.
    pub day: String,
    /// Figures, minor units.
    pub figures: domain::report::DayFigures,
}

/// A refusal cause and how often it happened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefusalStat {
    /// Acquirer's refusal code.
    pub code: String,
    /// Its meaning.
    pub meaning: String,
    /// Payments refused with it.
    pub count: u64,
}

/// The dashboard's figures for one currency over a period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardView {
    /// The period code shown.
    pub period: String,
    /// First day.
    pub first: String,
    /// Last day.
    pub last: String,
    /// The user's zone.
    pub zone: String,
    /// The currency shown.
    pub currency: String,
    /// Currencies with payments in the period, and the merchant's accepted ones.
    pub currencies: Vec<String>,
    /// Every day of the period, oldest first.
    pub days: Vec<DashboardDay>,
    /// The period's totals.
    pub totals: domain::report::DayFigures,
    /// Most frequent refusal causes, most frequent first.
    pub refusals: Vec<RefusalStat>,
}

/// The virtual terminal's form (MB-34), as typed. Its `Debug` shows the card number
/// masked (6+4) and never the security code.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MotoForm {
    /// Merchant reference; generated when empty.
    pub reference: String,
    /// What is sold.
    pub description: String,
    /// ISO currency.
    pub currency: String,
    /// Amount in major units.
    pub amount: String,
    /// `SALE` (authorisation) or `PRE_AUTHORIZATION`.
    pub mode: String,
    /// Merchant's customer id.
    pub customer_id: String,
    /// Card number.
    pub number: String,
    /// `MM/YY`.
    pub expiry: String,
    /// Card holder.
    pub holder: String,
    /// Security code.
    pub cvc: String,
    /// An alias (token id) that pays instead of a typed card, or empty.
    pub alias: String,
}

/// What the acquirer answered to a virtual-terminal payment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MotoResult {
    /// The new payment.
    pub payment_id: String,
    /// The reference used (typed or generated).
    pub reference: String,
    /// Approved.
    pub approved: bool,
    /// Status label code.
    pub status: String,
    /// Amount, formatted.
    pub amount: String,
    /// Authorisation code when approved.
    pub authorisation_code: String,
    /// Refusal code and meaning when declined.
    pub refusal: String,
}

/// The financial history's filter (MB-37); travels in the URL.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct HistoryFilter {
    /// First day (`YYYY-MM-DD`, user's zone), inclusive.
    pub from: String,
    /// Last day, inclusive.
    pub to: String,
    /// `capture`, `refund`, `cancel`, or empty for all three.
    pub kind: String,
    /// Login of the user who did it.
    pub user: String,
    /// Page, from 1.
    pub page: u32,
}

/// One money movement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryRow {
    /// When, user's zone.
    pub date: String,
    /// `capture`, `refund`, `cancel`.
    pub kind: String,
    /// Payment id.
    pub payment_id: String,
    /// Merchant reference.
    pub reference: String,
    /// Amount with currency.
    pub amount: String,
    /// Who did it.
    pub by: String,
}

/// A page of the financial history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryPage {
    /// Rows, newest first.
    pub rows: Vec<HistoryRow>,
    /// Rows matching.
    pub total: u64,
    /// This page.
    pub page: u32,
    /// Pages.
    pub pages: u32,
    /// The user's zone.
    pub zone: String,
    /// The merchant's users' logins, for the filter.
    pub users: Vec<String>,
}

/// The filters the payments list can show, in order (MB-31 "Filter settings").
pub const LIST_FILTERS: [&str; 8] = [
    "dates",
    "amount",
    "reference",
    "alias",
    "status",
    "last4",
    "email",
    "payment_id",
];

/// The columns the payments list can show, in order.
pub const LIST_COLUMNS: [&str; 11] = [
    "created",
    "id",
    "reference",
    "amount",
    "status",
    "card",
    "brand",
    "channel",
    "email",
    "authorisation_code",
    "updated",
];

/// The columns shown until a user chooses.
pub const DEFAULT_COLUMNS: [&str; 7] = [
    "created",
    "id",
    "reference",
    "amount",
    "status",
    "card",
    "channel",
];

/// A user's choice of filters and columns for the payments list.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListSettings {
    /// Filters shown, from [`LIST_FILTERS`].
    pub filters: Vec<String>,
    /// Columns shown, from [`LIST_COLUMNS`].
    pub columns: Vec<String>,
}

/// A saved filter template.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateView {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// The list's URL query it applies.
    pub query: String,
    /// Shared with the merchant's users.
    pub shared: bool,
    /// Saved by this user (who alone may delete it).
    pub mine: bool,
    /// Login of who saved it.
    pub owner: String,
}

/// The payments list's saved views: the user's settings and the templates they see.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListViews {
    /// Filters and columns.
    pub settings: ListSettings,
    /// Own and shared templates, by name.
    pub templates: Vec<TemplateView>,
}

impl std::fmt::Debug for MotoForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MotoForm")
            .field("reference", &self.reference)
            .field("description", &self.description)
            .field("currency", &self.currency)
            .field("amount", &self.amount)
            .field("mode", &self.mode)
            .field("customer_id", &self.customer_id)
            .field("number", &domain::card::mask(&self.number))
            .field("expiry", &self.expiry)
            .field("holder", &self.holder)
            .field("cvc", &"<redacted>")
            .field("alias", &self.alias)
            .finish()
    }
}

#[cfg(test)]
mod moto_form_tests {
    #[test]
    fn debug_masks_the_number_and_hides_the_cvc() {
        let form = super::MotoForm {
            number: "5555555555554444".into(),
            cvc: "8642".into(),
            ..Default::default()
        };
        let shown = format!("{form:?}");
        assert!(!shown.contains("5555555555554444"), "{shown}");
        assert!(shown.contains("555555******4444"), "{shown}");
        assert!(!shown.contains("8642"), "{shown}");
    }
}
