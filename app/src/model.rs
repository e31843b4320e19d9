//! What crosses the wire between the browser and the server: data for pages and the
//! one error type of every server function.

use domain::{Environment, Lang, PasswordContext, PasswordRule, Role, ZonePreference};
use leptos::server_fn::error::ServerFnErrorErr;
use leptos::server_fn::{codec::JsonEncoding, error::FromServerFnError};
use serde::{Deserialize, Serialize};

/// Which login form was used (seed 000).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LoginMode {
    /// "PSPID + Password": the merchant's main user.
    Pspid,
    /// "Login as user": UserID, optional PSPID, password.
    User,
}

/// The signed-in user as the shell shows them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Me {
    /// The user's login (UserID).
    pub login: String,
    /// Full name, or empty.
    pub full_name: String,
    /// Recovery e-mail address, or empty.
    pub email: String,
    /// Role.
    pub role: Role,
    /// The merchant's PSPID.
    pub pspid: String,
    /// The merchant's commercial or legal name, or the PSPID.
    pub merchant_name: String,
    /// TEST or PRODUCTION.
    pub environment: Environment,
    /// The previous login, formatted in the user's zone; `None` on the first one.
    pub last_login: Option<String>,
    /// The user's zone preference.
    pub zone: ZonePreference,
    /// The zone with its current offset, e.g. `Europe/Paris (UTC+01:00)`.
    pub zone_label: String,
    /// The PSPID's default zone ("Back to default").
    pub default_zone: String,
    /// The user's language.
    pub lang: Lang,
}

/// A set-up step on the Home page (MB-3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SetupStep {
    /// Legal name and e-mail of the merchant are missing.
    CompanyDetails,
    /// The user has no recovery e-mail.
    RecoveryEmail,
    /// The user still has the password they were given.
    ChangePassword,
    /// Only one user exists.
    MoreUsers,
}

/// A technical message or news item for the Home page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TechMessage {
    /// `info`, `maintenance` or `warning`.
    pub severity: String,
    /// Headline.
    pub title: String,
    /// Text.
    pub body: String,
    /// Publication time in the user's zone.
    pub published: String,
}

/// Everything the Home page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomeData {
    /// Steps still to do, computed from the account's state.
    pub steps_to_do: Vec<SetupStep>,
    /// Current technical messages, newest first.
    pub messages: Vec<TechMessage>,
}

/// The password policy and names for the live checklist.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordRules {
    /// Minimum length of the merchant's policy.
    pub min_length: usize,
    /// Store names and logins the password must not contain.
    pub context: PasswordContext,
}

/// One mail of the development mailbox.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mail {
    /// Recipient.
    pub to: String,
    /// Subject.
    pub subject: String,
    /// Plain-text body (links and codes included).
    pub body: String,
    /// When it was written, UTC.
    pub created: String,
}

/// What is wrong with a form field, translated by the page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Problem {
    /// Empty.
    Required,
    /// Not a valid login or PSPID.
    InvalidIdentifier,
    /// New password and confirmation differ.
    PasswordsDiffer,
    /// The current password is wrong.
    WrongCurrentPassword,
    /// The new password equals the current one.
    SamePassword,
    /// These rules of the policy fail.
    Policy(Vec<PasswordRule>),
    /// Not an IANA zone.
    UnknownTimeZone,
    /// Not an e-mail address.
    InvalidEmail,
    /// Longer than allowed.
    TooLong,
    /// The reset link is unknown, used or expired.
    InvalidLink,
    /// A card field fails the domain's card rules.
    Card(domain::CardError),
    /// Not an http(s) URL with a host.
    InvalidUrl,
    /// Not an amount in the currency.
    InvalidAmount,
    /// More than the operation allows.
    ExceedsLimit,
    /// Not a `YYYY-MM-DD` date.
    InvalidDate,
    /// A number outside its allowed range.
    OutOfRange,
    /// The terminal is not connected now.
    TerminalNotConnected,
    /// The terminal is taking another payment.
    TerminalBusy,
    /// The terminal is bound to another merchant.
    TerminalTaken,
    /// Not a terminal id (1–32 printable characters, no spaces).
    InvalidTerminalId,
    /// The one-time code is wrong or expired.
    InvalidCode,
    /// Too many wrong tries: a new code is needed.
    CodeExhausted,
    /// A code was sent less than a minute ago.
    ResendTooSoon,
    /// Not a person who may be added here (unknown, or outside the organization).
    UnknownPerson,
    /// An empty file.
    FileEmpty,
    /// A file over the size limit.
    FileTooLarge,
    /// A file whose content is of a kind not accepted.
    FileType,
    /// A file whose name says another kind than its content.
    FileDisguised,
    /// More files than one upload takes.
    TooManyFiles,
    /// Another article has this address.
    SlugTaken,
    /// Not lower-case letters, digits and hyphens.
    InvalidSlug,
}

/// The upload problems a redirect carries in `?attach_error=` (the upload is a plain
/// form, so its answer is a page address).
const UPLOAD_PROBLEMS: [(&str, Problem); 6] = [
    ("required", Problem::Required),
    ("empty", Problem::FileEmpty),
    ("too_large", Problem::FileTooLarge),
    ("type", Problem::FileType),
    ("disguised", Problem::FileDisguised),
    ("too_many", Problem::TooManyFiles),
];

impl Problem {
    /// The code of an upload problem, for a redirect.
    pub fn upload_code(&self) -> Option<&'static str> {
        UPLOAD_PROBLEMS
            .iter()
            .find(|(_, p)| p == self)
            .map(|(code, _)| *code)
    }

    /// The upload problem of a redirect's code.
    pub fn from_upload_code(code: &str) -> Option<Problem> {
        UPLOAD_PROBLEMS
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, p)| p.clone())
    }
}

/// A problem and the form field it belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The input's `name`.
    pub field: String,
    /// What is wrong.
    pub problem: Problem,
}

impl FieldError {
    /// A problem on `field`.
    pub fn new(field: &str, problem: Problem) -> Self {
        FieldError {
            field: field.to_owned(),
            problem,
        }
    }
}

/// The error of every server function: safe to show, never an internal detail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// No valid session.
    #[error("not signed in")]
    Unauthenticated,
    /// The role does not allow it.
    #[error("not allowed")]
    Forbidden,
    /// Unknown user or wrong password: one message for both.
    #[error("invalid credentials")]
    InvalidCredentials,
    /// Too many failures: locked until this time (user's zone).
    #[error("locked until {until}")]
    Locked {
        /// Formatted end of the lock.
        until: String,
    },
    /// Too many attempts from one address.
    #[error("too many attempts")]
    RateLimited,
    /// Bad input, field by field.
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    /// Not available in this deployment.
    #[error("not found")]
    NotFound,
    /// The payment's status does not allow this operation now.
    #[error("not allowed in the current status")]
    NotAllowedNow,
    /// Something failed on the server; the log has the cause.
    #[error("internal error")]
    Internal,
    /// Transport or encoding failure.
    #[error("{0}")]
    ServerFn(ServerFnErrorErr),
}

impl AppError {
    /// One field problem.
    pub fn field(field: &str, problem: Problem) -> Self {
        AppError::Invalid(vec![FieldError::new(field, problem)])
    }

    /// The problem reported for `field`, if any.
    pub fn problem_for(&self, field: &str) -> Option<&Problem> {
        match self {
            AppError::Invalid(errors) => {
                errors.iter().find(|e| e.field == field).map(|e| &e.problem)
            }
            _ => None,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::ServerFn(value)
    }
}

/// Where a hosted checkout stands, for its page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CheckoutState {
    /// Waiting for the payer's card.
    Open,
    /// Waiting for the 3-D Secure code.
    Challenge,
    /// Paid (authorised or captured).
    Paid,
    /// Refused after the last allowed attempt.
    Refused,
    /// The acquirer has not answered yet.
    Pending,
    /// The session ran out.
    Expired,
}

/// A cart line as the payer sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartLineView {
    /// Product name.
    pub name: String,
    /// The merchant's article code (back office).
    #[serde(default)]
    pub code: String,
    /// Quantity, formatted.
    pub quantity: String,
    /// Unit price, formatted with the currency.
    pub unit_price: String,
    /// Line amount, formatted with the currency.
    pub amount: String,
    /// Quantity already refunded, formatted (back office).
    #[serde(default)]
    pub refunded: String,
    /// What the refund and capture dialogs compute with (back office).
    #[serde(default)]
    pub state: Option<domain::cart::LineState>,
    /// Unit price in major units, as the capture dialog edits it (back office).
    #[serde(default)]
    pub unit_price_major: String,
}

/// A card saved for the payer (a token), masked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedCardView {
    /// Token id.
    pub token: String,
    /// Brand name.
    pub brand: String,
    /// Masked number.
    pub masked: String,
    /// `MM/YY`.
    pub expiry: String,
}

/// The final page's facts (HP-4).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptView {
    /// Payment id.
    pub payment_id: String,
    /// Authorisation code.
    pub authorisation_code: String,
    /// Terminal id.
    pub terminal_id: String,
    /// Retrieval reference number.
    pub rrn: String,
    /// Masked card number.
    pub masked_card: String,
    /// `MM/YY`.
    pub expiry: String,
    /// Merchant reference (the description the payer knows).
    pub description: String,
}

/// Everything the payment page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutView {
    /// Checkout id.
    pub id: String,
    /// Merchant's commercial name.
    pub merchant: String,
    /// Merchant's web site.
    pub web_site: String,
    /// Amount with the currency, formatted.
    pub amount: String,
    /// Cart.
    pub lines: Vec<CartLineView>,
    /// Accepted brands.
    pub brands: Vec<String>,
    /// Seconds until the session ends.
    pub seconds_left: i64,
    /// State.
    pub state: CheckoutState,
    /// Cards saved for this payer.
    pub saved_cards: Vec<SavedCardView>,
    /// Whether "Save my card" is offered.
    pub can_save: bool,
    /// Refusal code of the last declined attempt.
    pub declined_code: Option<String>,
    /// Attempts left after a decline.
    pub attempts_left: i32,
    /// Final page facts when it is to be shown.
    pub receipt: Option<ReceiptView>,
    /// Whether the result is shown here (else the payer goes back to the merchant).
    pub show_result: bool,
    /// Where the payer goes back to (with `RETURNMAC` and `hostedCheckoutId`).
    pub return_to: Option<String>,
}

/// A hosted tokenization page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenizationView {
    /// Session id.
    pub id: String,
    /// Merchant's commercial name.
    pub merchant: String,
    /// Masked card once saved.
    pub saved: Option<String>,
    /// Whether the page is still usable.
    pub open: bool,
}

/// An API key as its page shows it (MB-16).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
}

/// The download formats, the default first.
pub const EXPORT_FORMATS: [&str; 3] = ["csv", "xlsx", "xml"];

/// The columns of payment downloads, in order.
pub const EXPORT_COLUMNS: [&str; 12] = [
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
];

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

/// The virtual terminal's form (MB-34), as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
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

/// A card terminal in Configuration → Terminals (TG-2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TerminalView {
    /// The terminal's id.
    pub terminal_id: String,
    /// Model it announced.
    pub model: String,
    /// Bound to the signed-in merchant; otherwise new (bound to nobody).
    pub bound: bool,
    /// Connected now.
    pub connected: bool,
    /// Last heard from, in the user's zone; empty when never.
    pub last_seen: String,
}

/// A point-of-sale payment as its page follows it (TG-2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PosPaymentView {
    /// Its id.
    pub id: i64,
    /// The terminal.
    pub terminal_id: String,
    /// Amount with its currency, as the user's language writes it.
    pub amount: String,
    /// Merchant's reference.
    pub reference: String,
    /// `WAITING_FOR_CARD`, `WAITING_FOR_PIN` or `FINISHED`.
    pub stage: String,
    /// `APPROVED`, `DECLINED`, `ERROR`, `STOPPED`, `TECHNICAL_PROBLEM`; none while running.
    pub result: Option<String>,
    /// The ledger payment it became.
    pub payment_id: Option<String>,
    /// Authorisation code when approved.
    pub authorisation_code: Option<String>,
    /// Masked card number.
    pub card: Option<String>,
    /// Receipt text.
    pub receipt: Option<String>,
    /// Someone asked to stop it.
    pub cancel_requested: bool,
}

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
